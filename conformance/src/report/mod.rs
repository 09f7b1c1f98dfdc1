//! Reports of a conformance run, one module per format:
//!
//! * [`plain`]: for people, every failure with its step, field, both values and an
//!   annotated hex dump; ends with the line `N passed, N failed, N skipped`.
//! * [`json`]: the machine-readable contract
//!   `{"summary": {...}, "tests": [{"file", "id", "kind", "status", "reason"}]}`.
//! * [`junit`]: JUnit XML for CI, one testsuite per vector file.
//!
//! All three read the same list of [`Entry`]s, in run order.

use std::fmt;

use crate::runner::{Status, TestOutcome};
use crate::vector::LoadError;

pub mod json;
pub mod junit;
pub mod plain;

/// One test of a run: its outcome, and when it comes from a malformed file or test,
/// the load error (the outcome is then a failure built from it).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Entry {
    /// What happened.
    pub outcome: TestOutcome,
    /// The load error behind a failed entry, if that is what it is.
    pub load_error: Option<LoadError>,
}

impl From<TestOutcome> for Entry {
    fn from(outcome: TestOutcome) -> Self {
        Entry {
            outcome,
            load_error: None,
        }
    }
}

/// How many tests passed, failed and were skipped.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Summary {
    /// Passed.
    pub passed: usize,
    /// Failed (load errors included).
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Summary {
    /// Counts outcomes.
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a TestOutcome>) -> Summary {
        let mut summary = Summary::default();
        for outcome in outcomes {
            match outcome.status {
                Status::Passed => summary.passed += 1,
                Status::Failed => summary.failed += 1,
                Status::Skipped => summary.skipped += 1,
            }
        }
        summary
    }

    /// Counts entries.
    pub fn of_entries(entries: &[Entry]) -> Summary {
        Summary::of(entries.iter().map(|e| &e.outcome))
    }

    /// Whether nothing failed.
    pub fn ok(&self) -> bool {
        self.failed == 0
    }
}

impl fmt::Display for Summary {
    /// `N passed, N failed, N skipped`: the last line of the plain report.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// The report formats `hipc run --format` offers (JUnit goes to its own file).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, clap::ValueEnum)]
pub enum Format {
    /// For people: failures in detail, then the summary line.
    #[default]
    Plain,
    /// The JSON contract.
    Json,
}

/// Renders entries in a format.
pub fn render(format: Format, entries: &[Entry], verbose: bool) -> String {
    match format {
        Format::Plain => plain::render(entries, verbose),
        Format::Json => json::render(entries),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Synthetic outcomes for the report tests.
    #![allow(clippy::indexing_slicing)]
    use super::Entry;
    use crate::runner::{Failure, Status, TestOutcome};
    use crate::vector::{FileKind, LoadError, Verdict};

    pub(crate) fn passed(file: &str, id: &str) -> TestOutcome {
        TestOutcome {
            file: file.into(),
            id: id.into(),
            kind: FileKind::Codec,
            verdict: Some(Verdict::Valid),
            comment: "a test".into(),
            status: Status::Passed,
            reason: None,
            failure: None,
        }
    }

    pub(crate) fn skipped(file: &str, id: &str, reason: &str) -> TestOutcome {
        TestOutcome {
            kind: FileKind::Kernel,
            status: Status::Skipped,
            reason: Some(reason.into()),
            ..passed(file, id)
        }
    }

    pub(crate) fn failed(file: &str, id: &str) -> TestOutcome {
        let mut actual = vec![0u8; 0x28];
        actual[0] = 4;
        actual[0x10] = 0x34;
        actual[0x11] = 0x12;
        let mut expected = actual.clone();
        expected[0x10] = 0x51;
        expected[0x11] = 0;
        expected.extend_from_slice(&[0xaa, 0xbb]);
        TestOutcome {
            kind: FileKind::Kernel,
            status: Status::Failed,
            reason: Some("step 4 (expect_message): message.pid is 0x1234, expected 0x51".into()),
            failure: Some(Failure {
                step: Some(4),
                op: Some("expect_message".into()),
                field: "message.pid".into(),
                expected: "0x51".into(),
                actual: "0x1234".into(),
                detail: Some("$pid.C is bound to 0x51".into()),
                expected_bytes: Some(expected),
                actual_bytes: Some(actual),
            }),
            ..passed(file, id)
        }
    }

    pub(crate) fn load_error(file: &str, id: &str) -> Entry {
        let error = LoadError {
            file: file.into(),
            test_id: Some(id.into()),
            path: Some("groups[0].tests[1].steps[0].expect.result".into()),
            message: "unknown result name \"NoSuchResult\"".into(),
        };
        Entry {
            outcome: TestOutcome {
                kind: FileKind::Kernel,
                verdict: None,
                status: Status::Failed,
                reason: Some(error.to_string()),
                ..passed(file, id)
            },
            load_error: Some(error),
        }
    }

    /// One of each: a pass, a failure, two skips with the same reason, a load error.
    pub(crate) fn sample() -> Vec<Entry> {
        vec![
            passed("vectors/codec.json", "codec-ok").into(),
            failed("vectors/pid.json", "pid-substituted").into(),
            skipped("vectors/async.json", "async-1", "requires async").into(),
            skipped("vectors/async.json", "async-2", "requires async").into(),
            load_error("vectors/bad.json", "bad-result"),
        ]
    }
}
