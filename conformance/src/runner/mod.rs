//! Replaying vectors against a kernel.
//!
//! [`run_test`] runs one parsed test and returns its [`TestOutcome`]: codec tests
//! through [`codec::run_codec_test`], kernel scenarios through
//! [`scenario::run_kernel_test`]. [`load_error_outcome`] reports a test (or a file)
//! that could not be parsed. Nothing here panics on any vector: every problem with a
//! vector is a failed outcome naming the test, the step and the field.

pub mod codec;
mod diff;
mod json_error;
mod message_buffer;
mod observe;
pub mod outcome;
mod pattern;
mod problem;
pub mod scenario;
mod setup;
mod symbols;

pub use codec::run_codec_test;
pub use outcome::{Failure, Status, TestOutcome};
pub use scenario::{probe_kernel_test, run_kernel_test};

use crate::kernel::{Kernel, KernelInfo};
use crate::vector::{FileKind, LoadError, Test, VectorFile};

/// Runs one test of `file` against `kernel` (codec tests do not use the kernel).
pub fn run_test(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    file: &VectorFile,
    test: &Test,
) -> TestOutcome {
    match test {
        Test::Codec(t) => run_codec_test(file, t),
        Test::Kernel(t) => run_kernel_test(kernel, info, file, t),
    }
}

/// The outcome for a test (or a whole file) that could not be parsed: failed, with
/// the file, the test id and the JSON path of the offending value in the reason.
/// `kind` is the file's kind when known (the caller's best guess otherwise).
pub fn load_error_outcome(err: &LoadError, kind: FileKind) -> TestOutcome {
    let id = err.test_id.clone().unwrap_or_else(|| err.file.clone());
    TestOutcome {
        file: err.file.clone(),
        id,
        kind,
        verdict: None,
        comment: String::new(),
        status: Status::Failed,
        reason: Some(format!("malformed vector: {err}")),
        failure: Some(Failure {
            step: None,
            op: None,
            field: err.path.clone().unwrap_or_default(),
            expected: "a test of vector format v2 (or v1)".into(),
            actual: err.message.clone(),
            detail: Some(err.to_string()),
            expected_bytes: None,
            actual_bytes: None,
        }),
    }
}
