//! What running one test produced: the shared currency of the runner and the reports.

use crate::vector::{FileKind, Verdict};

/// Pass, fail or skip.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Status {
    /// Every expectation held.
    Passed,
    /// An expectation did not hold, or the test could not be run (a malformed test,
    /// a kernel error).
    Failed,
    /// The kernel lacks a capability the test requires (or has one it excludes).
    Skipped,
}

impl Status {
    /// `passed`, `failed` or `skipped`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// Where and how a test failed. The first expectation that does not hold ends the test.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Failure {
    /// Index of the failing step (kernel tests), counting from 0.
    pub step: Option<usize>,
    /// The failing step's `op` (kernel tests), or `decode` / `encode` (codec tests).
    pub op: Option<String>,
    /// The field that differs, decoded and named: `result`, `out_index`,
    /// `message.copy_handles[0]`, `message.x[1].address`, `memory[0x10000020]`,
    /// `handle.valid`, `mapping.permission`, `error.kind`, ...
    pub field: String,
    /// The expected value, displayed.
    pub expected: String,
    /// The actual value, displayed.
    pub actual: String,
    /// More explanation, when useful (what a symbol was bound to, why it matters).
    pub detail: Option<String>,
    /// The bytes that were expected, for an annotated hex dump.
    pub expected_bytes: Option<Vec<u8>>,
    /// The bytes that were observed.
    pub actual_bytes: Option<Vec<u8>>,
}

/// The outcome of one test.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TestOutcome {
    /// The vector file.
    pub file: String,
    /// The test id (for a file that did not load, the file name).
    pub id: String,
    /// Codec or kernel.
    pub kind: FileKind,
    /// The test's `result`.
    pub verdict: Option<Verdict>,
    /// The test's comment.
    pub comment: String,
    /// Pass, fail, skip.
    pub status: Status,
    /// One line: the skip reason, or a summary of the failure.
    pub reason: Option<String>,
    /// Details of a failure.
    pub failure: Option<Failure>,
}
