//! Symbols of a kernel scenario (vectors/README.md "Numbers and expressions").
//!
//! The set-up binds `$pid.P`, `$tls.T`, `$NAME.server`, `$NAME.client` and `$NAME`.
//! Any other symbol is **bound at first sight** in an expectation: the first time an
//! expected `"$h1"` meets an actual value, `$h1` takes it (minus the expression's
//! constant, so `"$a+0x20"` meeting 0x1020 binds `$a` to 0x1000); later occurrences
//! must equal it. In an input (a value the runner passes to the kernel) a symbol must
//! already be bound, and `"*"` is meaningless: both are errors in the vector.

use std::collections::BTreeMap;
use std::fmt;

use super::problem::{Problem, show, vector_error};
use crate::vector::Expr;

/// Where a symbol got its value, for explanations.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Origin {
    /// Bound by the set-up; the text says what it is: `{what} {name}`, then
    /// ` in {process}` when there is one (`the client handle of session s in C`),
    /// kept in parts and put together only when shown.
    Setup {
        what: &'static str,
        name: String,
        process: Option<String>,
    },
    /// Bound at first sight by an expectation of a step.
    Step {
        /// Step index, from 0.
        step: usize,
        /// The field where it was first seen (`message.copy_handles[0]`).
        field: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Setup {
                what,
                name,
                process: None,
            } => write!(f, "by the set-up ({what} {name})"),
            Origin::Setup {
                what,
                name,
                process: Some(process),
            } => write!(f, "by the set-up ({what} {name} in {process})"),
            Origin::Step { step, field } => write!(f, "at step {step} ({field})"),
        }
    }
}

/// A symbol's value and where it came from.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Binding {
    pub(crate) value: i128,
    pub(crate) origin: Origin,
}

/// Why an expected value does not match: the expected value displayed (with the
/// symbol it came from) and what the symbol means.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct ExprMismatch {
    pub(crate) expected: String,
    pub(crate) detail: Option<String>,
}

/// The symbols bound so far in one scenario.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Symbols {
    map: BTreeMap<String, Binding>,
}

impl Symbols {
    pub(crate) fn new() -> Self {
        Symbols::default()
    }

    /// Binds (or rebinds) a symbol.
    pub(crate) fn bind(&mut self, name: &str, value: i128, origin: Origin) {
        self.map.insert(name.to_string(), Binding { value, origin });
    }

    /// Every binding: name, value, and the step that bound it (`None` for the
    /// set-up's).
    pub(crate) fn bindings(&self) -> Vec<(String, i128, Option<usize>)> {
        self.map
            .iter()
            .map(|(name, b)| {
                let step = match b.origin {
                    Origin::Step { step, .. } => Some(step),
                    Origin::Setup { .. } => None,
                };
                (name.clone(), b.value, step)
            })
            .collect()
    }

    /// A symbol's binding.
    pub(crate) fn get(&self, name: &str) -> Option<&Binding> {
        self.map.get(name)
    }

    /// The value of an expression used as an input: literals and bound symbols only.
    /// The error is the explanation for a vector error.
    pub(crate) fn resolve(&self, expr: &Expr) -> Result<i128, String> {
        match expr {
            Expr::Int(v) => Ok(*v),
            Expr::Any => {
                Err("\"*\" (any value) belongs in expectations; an input needs a value".into())
            }
            Expr::Sym { name, offset } => match self.map.get(name) {
                Some(b) => Ok(b.value + offset),
                None => Err(format!("symbol ${name} is used before it is bound")),
            },
        }
    }

    /// The value of an input expression, narrowed to the type the kernel takes; a
    /// vector error naming `field` when it is unbound, `"*"` or out of range.
    /// `field` is formatted only for the error (pass `format_args!` for a computed
    /// name: the success path allocates nothing).
    pub(crate) fn value<T: TryFrom<i128>>(
        &self,
        field: impl fmt::Display,
        expr: &Expr,
    ) -> Result<T, Problem> {
        let v = self
            .resolve(expr)
            .map_err(|message| vector_error(field.to_string(), message))?;
        T::try_from(v).map_err(|_| {
            vector_error(
                field.to_string(),
                format!("value {} ({expr}) does not fit the field", show(v)),
            )
        })
    }

    /// Checks an expected value against an actual one, binding an unbound symbol at
    /// first sight (`origin` says where, for later explanations).
    pub(crate) fn expect(
        &mut self,
        expr: &Expr,
        actual: i128,
        origin: impl FnOnce() -> Origin,
    ) -> Result<(), ExprMismatch> {
        match expr {
            Expr::Any => Ok(()),
            Expr::Int(v) if *v == actual => Ok(()),
            Expr::Int(v) => Err(ExprMismatch {
                expected: show(*v),
                detail: None,
            }),
            Expr::Sym { name, offset } => match self.map.get(name) {
                None => {
                    self.bind(name, actual - offset, origin());
                    Ok(())
                }
                Some(b) if b.value + offset == actual => Ok(()),
                Some(b) => Err(ExprMismatch {
                    expected: format!("{expr} = {}", show(b.value + offset)),
                    detail: Some(format!(
                        "${name} was bound to {} {}",
                        show(b.value),
                        b.origin
                    )),
                }),
            },
        }
    }

    /// The value an expectation stands for, with wildcards and unbound symbols taken
    /// from `actual` (what the expected bytes of a report show).
    pub(crate) fn resolve_or(&self, expr: &Expr, actual: i128) -> i128 {
        match expr {
            Expr::Int(v) => *v,
            Expr::Any => actual,
            Expr::Sym { name, offset } => self.map.get(name).map_or(actual, |b| b.value + offset),
        }
    }

    /// An expression as a report names it: `0x10002`, or `$h1 (bound to 0x10002 at
    /// step 3 (message.copy_handles[0]))` for a bound symbol.
    pub(crate) fn describe(&self, expr: &Expr) -> String {
        match expr {
            Expr::Sym { name, offset } => match self.map.get(name) {
                Some(b) => format!("{expr} (bound to {} {})", show(b.value + offset), b.origin),
                None => format!("{expr} (unbound)"),
            },
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    fn sym(name: &str, offset: i128) -> Expr {
        Expr::Sym {
            name: name.into(),
            offset,
        }
    }

    fn at(step: usize) -> impl FnOnce() -> Origin {
        move || Origin::Step {
            step,
            field: "message.copy_handles[0]".into(),
        }
    }

    #[test]
    fn binds_at_first_sight_then_compares() {
        let mut s = Symbols::new();
        assert_eq!(s.expect(&sym("h1", 0), 0x10002, at(3)), Ok(()));
        assert_eq!(s.get("h1").map(|b| b.value), Some(0x10002));
        assert_eq!(s.expect(&sym("h1", 0), 0x10002, at(4)), Ok(()));
        let err = s.expect(&sym("h1", 0), 0x10004, at(5)).unwrap_err();
        assert_eq!(err.expected, "$h1 = 0x10002");
        assert_eq!(
            err.detail.as_deref(),
            Some("$h1 was bound to 0x10002 at step 3 (message.copy_handles[0])")
        );
        // The binding is not changed by a failed comparison.
        assert_eq!(s.get("h1").map(|b| b.value), Some(0x10002));
    }

    #[test]
    fn offsets_apply_both_ways() {
        let mut s = Symbols::new();
        assert_eq!(s.expect(&sym("a", 0x20), 0x1020, at(0)), Ok(()));
        assert_eq!(s.get("a").map(|b| b.value), Some(0x1000));
        assert_eq!(s.resolve(&sym("a", -0x10)), Ok(0xff0));
        assert_eq!(s.expect(&sym("a", 4), 0x1004, at(1)), Ok(()));
        assert!(s.expect(&sym("a", 4), 0x1000, at(1)).is_err());
    }

    #[test]
    fn inputs_need_bound_symbols_and_values() {
        let mut s = Symbols::new();
        assert_eq!(s.resolve(&Expr::Int(7)), Ok(7));
        let err = s.resolve(&sym("s.client", 0)).unwrap_err();
        assert!(
            err.contains("$s.client is used before it is bound"),
            "{err}"
        );
        assert!(s.resolve(&Expr::Any).is_err());
        s.bind(
            "s.client",
            0x1234,
            Origin::Setup {
                what: "the client handle of session",
                name: "s".into(),
                process: None,
            },
        );
        assert_eq!(s.resolve(&sym("s.client", 0)), Ok(0x1234));
        assert_eq!(
            s.describe(&sym("s.client", 0)),
            "$s.client (bound to 0x1234 by the set-up (the client handle of session s))"
        );
    }

    #[test]
    fn wildcards_and_literals() {
        let mut s = Symbols::new();
        assert_eq!(s.expect(&Expr::Any, 99, at(0)), Ok(()));
        assert_eq!(s.expect(&Expr::Int(5), 5, at(0)), Ok(()));
        let err = s.expect(&Expr::Int(0xe401), 0, at(0)).unwrap_err();
        assert_eq!(err.expected, "0xe401");
        assert_eq!(s.resolve_or(&Expr::Any, 3), 3);
        assert_eq!(s.resolve_or(&sym("x", 1), 3), 3);
        assert_eq!(s.resolve_or(&Expr::Int(9), 3), 9);
    }
}
