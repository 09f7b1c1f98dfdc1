//! Reports of a conformance run, one module per format:
//!
//! * [`plain`]: for people: the kernel and the specification version first, then
//!   every failure with its step, field, both values and an annotated hex dump,
//!   the probe section (`--probe`), the skips; the last line counts each kind
//!   apart (`kernel: N passed, N failed, N skipped; codec: ...`).
//! * [`json`]: the machine-readable contract, with the same details.
//! * [`junit`]: JUnit XML for CI, one testsuite per vector file.
//!
//! All three read the same list of [`Entry`]s, in run order, and the [`RunInfo`].

use std::fmt;

use crate::kernel::KernelInfo;
use crate::runner::{Status, TestOutcome};
use crate::vector::{FileKind, LoadError, SCHEMA_V2, SPEC_VERSION};

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
    /// With `hipc run --probe`, for a test skipped because of the kernel's
    /// capabilities: what running it anyway gave. Never part of the verdict.
    pub probe: Option<TestOutcome>,
}

impl From<TestOutcome> for Entry {
    fn from(outcome: TestOutcome) -> Self {
        Entry {
            outcome,
            load_error: None,
            probe: None,
        }
    }
}

/// What a report says about the run as a whole: which kernel, which specification.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RunInfo {
    /// The kernel under test, as it described itself.
    pub kernel: KernelInfo,
    /// The vector format the runner reads natively.
    pub schema: &'static str,
    /// The specification the corpus was written against (docs/spec/README.md).
    pub spec: &'static str,
}

impl RunInfo {
    /// The run of `kernel` with this runner's format and specification versions.
    pub fn new(kernel: KernelInfo) -> RunInfo {
        RunInfo {
            kernel,
            schema: SCHEMA_V2,
            spec: SPEC_VERSION,
        }
    }

    /// One line: `kernel model 0.1.0 (caps...); vectors hipc-vectors/2, hipc-spec/1`.
    pub fn headline(&self) -> String {
        let caps: Vec<&str> = self.kernel.capabilities.iter().map(|c| c.name()).collect();
        format!(
            "kernel {} {} (capabilities: {}); vectors {}, written against {}",
            self.kernel.name,
            self.kernel.version,
            if caps.is_empty() {
                "none".to_owned()
            } else {
                caps.join(", ")
            },
            self.schema,
            self.spec
        )
    }
}

/// The counts of each kind of test apart: a kernel team reads the kernel line,
/// the codec vectors say nothing about its kernel.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct KindSummary {
    /// Kernel scenarios.
    pub kernel: Summary,
    /// Codec tests (and malformed files of no known kind).
    pub codec: Summary,
}

impl KindSummary {
    /// Counts entries by kind.
    pub fn of_entries(entries: &[Entry]) -> KindSummary {
        let of = |kind: FileKind| {
            Summary::of(
                entries
                    .iter()
                    .map(|e| &e.outcome)
                    .filter(|o| o.kind == kind),
            )
        };
        KindSummary {
            kernel: of(FileKind::Kernel),
            codec: of(FileKind::Codec),
        }
    }
}

impl fmt::Display for KindSummary {
    /// `kernel: N passed, N failed, N skipped; codec: N passed, N failed, N skipped`,
    /// leaving out a kind with no test (and `0 passed, 0 failed, 0 skipped` when
    /// there is none at all): the last line of the plain report.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [("kernel", self.kernel), ("codec", self.codec)]
            .into_iter()
            .filter(|(_, s)| s.total() > 0)
            .map(|(name, s)| format!("{name}: {s}"))
            .collect();
        if parts.is_empty() {
            write!(f, "{}", Summary::default())
        } else {
            f.write_str(&parts.join("; "))
        }
    }
}

/// How the tests run by `--probe` went: they are reported, never counted in the
/// verdict.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct ProbeSummary {
    /// Would pass if the capability were declared.
    pub would_pass: usize,
    /// Would fail.
    pub would_fail: usize,
}

impl ProbeSummary {
    /// Counts the probed entries.
    pub fn of_entries(entries: &[Entry]) -> ProbeSummary {
        let mut summary = ProbeSummary::default();
        for probe in entries.iter().filter_map(|e| e.probe.as_ref()) {
            match probe.status {
                Status::Passed => summary.would_pass += 1,
                _ => summary.would_fail += 1,
            }
        }
        summary
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

    /// Every test counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped
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
pub fn render(format: Format, run: &RunInfo, entries: &[Entry], verbose: bool) -> String {
    match format {
        Format::Plain => plain::render(run, entries, verbose),
        Format::Json => json::render(run, entries),
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
            probe: None,
        }
    }

    /// The run the samples come from.
    pub(crate) fn run_info() -> super::RunInfo {
        super::RunInfo::new(crate::kernel::KernelInfo {
            name: "fake".into(),
            version: "1".into(),
            capabilities: vec![crate::kernel::Capability::TlsBuffer],
        })
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
