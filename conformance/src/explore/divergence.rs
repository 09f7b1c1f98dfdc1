//! A difference between the kernel (or decoder) under test and the reference, and
//! its signature: what groups thousands of cases into the few problems behind them
//! (the step kind, the field, and the shape of the two values).

use std::fmt;

use crate::runner::Failure;

/// One observed difference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The operation or kind of check (`reply_and_receive`, `expect_handle`, `decode`).
    pub op: String,
    /// The field that differs (`result`, `message.copy_handles[0]`, `x[0].address`).
    pub field: String,
    /// The reference's value.
    pub expected: String,
    /// The other implementation's value.
    pub actual: String,
    /// The runner's explanation, when it has one.
    pub detail: Option<String>,
    /// The failing step's index, when a step failed.
    pub step: Option<usize>,
}

impl Divergence {
    /// The divergence a failed run of an explored vector reports.
    pub fn from_failure(failure: &Failure) -> Self {
        Divergence {
            op: failure.op.clone().unwrap_or_else(|| "kernel".into()),
            field: failure.field.clone(),
            expected: failure.expected.clone(),
            actual: failure.actual.clone(),
            detail: failure.detail.clone(),
            step: failure.step,
        }
    }

    /// The signature: cases with the same one are taken to be the same problem.
    pub fn signature(&self) -> Signature {
        Signature(format!(
            "{} {}: {} vs {}",
            self.op,
            shape(&self.field),
            shape(&self.expected),
            shape(&self.actual)
        ))
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: reference {}, under test {}",
            self.op, self.field, self.expected, self.actual
        )
    }
}

/// The signature of a divergence (see [`Divergence::signature`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signature(pub String);

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Signature {
    /// A short stable name for files: 8 hex digits of FNV-1a over the signature.
    pub fn file_stem(&self) -> String {
        let mut h: u32 = 0x811C_9DC5;
        for b in self.0.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        format!("{h:08x}")
    }
}

/// The shape of a value: numbers (decimal or hex) and symbol numbers become `N`,
/// indices `[N]`, words stay (result names, `pending`, `true`), and long texts are
/// cut: `0x10001000` and `0x20000ff0` have one shape, `InvalidHandle` and
/// `Success` two.
pub fn shape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            if c == '0' && chars.peek() == Some(&'x') {
                chars.next();
            }
            while chars.peek().is_some_and(char::is_ascii_hexdigit) {
                chars.next();
            }
            out.push('N');
        } else {
            out.push(c);
        }
        if out.len() >= 48 {
            out.push('…');
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_share_a_shape_and_names_do_not() {
        assert_eq!(shape("0x10001000"), shape("0x20000ff0"));
        assert_eq!(shape("x[1].address"), "x[N].address");
        assert_ne!(shape("InvalidHandle"), shape("Success"));
    }
}
