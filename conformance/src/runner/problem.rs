//! Why a step (or a codec check) did not pass: an expectation that does not hold,
//! a vector that cannot be run as written, or a kernel that reported an error.
//! [`Problem::into_failure`] turns one into the report's [`Failure`] and one-line
//! reason.

use crate::kernel::KernelError;

use super::outcome::Failure;

/// An expectation that does not hold: the field (a decoded name such as
/// `message.copy_handles[0]`), both values displayed, and an explanation.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Mismatch {
    pub(crate) field: String,
    pub(crate) expected: String,
    pub(crate) actual: String,
    pub(crate) detail: Option<String>,
    pub(crate) expected_bytes: Option<Vec<u8>>,
    pub(crate) actual_bytes: Option<Vec<u8>>,
}

impl Mismatch {
    pub(crate) fn new(
        field: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Mismatch {
            field: field.into(),
            expected: expected.into(),
            actual: actual.into(),
            ..Mismatch::default()
        }
    }

    pub(crate) fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub(crate) fn maybe_detail(mut self, detail: Option<String>) -> Self {
        if detail.is_some() {
            self.detail = detail;
        }
        self
    }

    pub(crate) fn bytes(mut self, expected: Option<Vec<u8>>, actual: Option<Vec<u8>>) -> Self {
        self.expected_bytes = expected;
        self.actual_bytes = actual;
        self
    }
}

/// Why a step did not pass.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Problem {
    /// An expectation did not hold.
    Mismatch(Box<Mismatch>),
    /// The vector cannot be run as written (a symbol used before it is bound, a
    /// value that does not fit, a wildcard in an input, ...). `field` is the key of
    /// the step (or set-up entry) at fault.
    Vector { field: String, message: String },
    /// The kernel could not do what was asked.
    Kernel(KernelError),
}

impl From<Mismatch> for Problem {
    fn from(m: Mismatch) -> Self {
        Problem::Mismatch(Box::new(m))
    }
}

impl From<KernelError> for Problem {
    fn from(e: KernelError) -> Self {
        Problem::Kernel(e)
    }
}

/// Shorthand for a vector error.
pub(crate) fn vector_error(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem::Vector {
        field: field.into(),
        message: message.into(),
    }
}

impl Problem {
    /// The report's failure and its one-line reason. `place` says where it happened
    /// (`step 3 (send)`, `set-up`, `decode`), `step` and `op` fill the failure.
    pub(crate) fn into_failure(
        self,
        place: &str,
        step: Option<usize>,
        op: Option<&str>,
    ) -> (Failure, String) {
        let op = op.map(str::to_string);
        match self {
            Problem::Mismatch(m) => {
                let reason = format!(
                    "{place}: {}: expected {}, got {}",
                    m.field, m.expected, m.actual
                );
                let m = *m;
                (
                    Failure {
                        step,
                        op,
                        field: m.field,
                        expected: m.expected,
                        actual: m.actual,
                        detail: m.detail,
                        expected_bytes: m.expected_bytes,
                        actual_bytes: m.actual_bytes,
                    },
                    reason,
                )
            }
            Problem::Vector { field, message } => {
                let reason = if field.is_empty() {
                    format!("vector error at {place}: {message}")
                } else {
                    format!("vector error at {place}: {field}: {message}")
                };
                (
                    Failure {
                        step,
                        op,
                        field,
                        expected: "a vector that can be run".into(),
                        actual: format!("vector error: {message}"),
                        detail: Some(message),
                        ..Failure::default()
                    },
                    reason,
                )
            }
            Problem::Kernel(e) => {
                let reason = format!("kernel error at {place}: {e}");
                (
                    Failure {
                        step,
                        op,
                        field: "kernel".into(),
                        expected: "no kernel error".into(),
                        actual: e.0.clone(),
                        detail: Some(format!("the kernel reported an error: {e}")),
                        ..Failure::default()
                    },
                    reason,
                )
            }
        }
    }
}

/// An integer as the runner shows it: decimal below 10, else hex (`0x10002`);
/// negative values in decimal.
pub(crate) fn show(v: i128) -> String {
    if (0..10).contains(&v) {
        v.to_string()
    } else if v >= 10 {
        format!("{v:#x}")
    } else {
        v.to_string()
    }
}

/// An integer of the message JSON, which writes decimals: `65538 (0x10002)`.
pub(crate) fn show_json_int(v: u64) -> String {
    if v < 10 {
        v.to_string()
    } else {
        format!("{v} ({v:#x})")
    }
}
