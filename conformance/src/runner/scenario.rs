//! Running a kernel scenario (vectors/README.md "Kernel tests").

use super::outcome::{Status, TestOutcome};
use crate::kernel::{Kernel, KernelInfo};
use crate::vector::{FileKind, KernelTest, VectorFile};

/// Runs one kernel scenario against `kernel`.
pub fn run_kernel_test(
    _kernel: &mut dyn Kernel,
    _info: &KernelInfo,
    file: &VectorFile,
    test: &KernelTest,
) -> TestOutcome {
    TestOutcome {
        file: file.path.clone(),
        id: test.id.clone(),
        kind: FileKind::Kernel,
        verdict: Some(test.result),
        comment: test.comment.clone(),
        status: Status::Failed,
        reason: Some("kernel scenarios are not implemented yet".into()),
        failure: None,
    }
}
