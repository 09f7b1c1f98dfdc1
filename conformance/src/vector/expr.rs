//! Integers in vectors: literals, hex strings, symbols and wildcards
//! (vectors/README.md "Numbers and expressions").

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::kernel::ResultCode;

/// An integer as a vector writes it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Expr {
    /// A literal (JSON integer, hex or decimal string). `i128` holds every u64 and i64.
    Int(i128),
    /// A symbol plus a constant: `"$tls.S+0x20"` is `Sym { name: "tls.S", offset: 0x20 }`.
    Sym {
        /// The symbol's name, without the `$`.
        name: String,
        /// The constant added to it.
        offset: i128,
    },
    /// `"*"`: any value (expectations only).
    Any,
}

impl Expr {
    /// Parses the string forms: `0x..`, decimal, `$name`, `$name+N`, `$name-N`, `*`.
    pub fn parse(s: &str) -> Result<Expr, String> {
        let s = s.trim();
        if s == "*" {
            return Ok(Expr::Any);
        }
        if let Some(sym) = s.strip_prefix('$') {
            let split = sym.find(['+', '-']);
            let (name, offset) = match split {
                Some(i) => {
                    let (name, rest) = sym.split_at(i);
                    let negative = rest.starts_with('-');
                    let magnitude = parse_literal(rest.get(1..).unwrap_or(""))
                        .ok_or_else(|| format!("bad offset in symbol expression {s:?}"))?;
                    (name, if negative { -magnitude } else { magnitude })
                }
                None => (sym, 0),
            };
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                return Err(format!(
                    "bad symbol name in {s:?} (letters, digits, '_' and '.' only)"
                ));
            }
            return Ok(Expr::Sym {
                name: name.to_string(),
                offset,
            });
        }
        parse_literal(s).map(Expr::Int).ok_or_else(|| {
            format!(
                "expected an integer, a hex string \"0x..\", a symbol \"$name\" or \"*\", got {s:?}"
            )
        })
    }

    /// The literal value, when the expression is one.
    pub fn literal(&self) -> Option<i128> {
        match self {
            Expr::Int(v) => Some(*v),
            _ => None,
        }
    }
}

fn parse_literal(s: &str) -> Option<i128> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let value = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i128::from_str_radix(&hex.replace('_', ""), 16).ok()?,
        None => digits.replace('_', "").parse::<i128>().ok()?,
    };
    if value > i128::from(u64::MAX) {
        return None;
    }
    Some(if negative { -value } else { value })
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Int(v) if *v >= 0 => write!(f, "{v:#x}"),
            Expr::Int(v) => write!(f, "{v}"),
            Expr::Sym { name, offset: 0 } => write!(f, "${name}"),
            Expr::Sym { name, offset } if *offset > 0 => write!(f, "${name}+{offset:#x}"),
            Expr::Sym { name, offset } => write!(f, "${name}-{:#x}", -offset),
            Expr::Any => f.write_str("*"),
        }
    }
}

struct ExprVisitor;

impl Visitor<'_> for ExprVisitor {
    type Value = Expr;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, a hex string \"0x..\", a symbol \"$name\" or \"*\"")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Expr, E> {
        Ok(Expr::Int(i128::from(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Expr, E> {
        Ok(Expr::Int(i128::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Expr, E> {
        Err(E::custom(format!(
            "expected an integer, got the fractional number {v}"
        )))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Expr, E> {
        Expr::parse(v).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ExprVisitor)
    }
}

/// A result code as a vector writes it: a kernel name (`"InvalidHandle"`) or an
/// expression.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ResultExpr {
    /// A known code.
    Code(ResultCode),
    /// Any other expression (a literal, a symbol or `*`).
    Expr(Expr),
}

impl<'de> Deserialize<'de> for ResultExpr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ResultExpr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a result name such as \"InvalidHandle\", or an integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ResultExpr, E> {
                u32::try_from(v)
                    .map(|v| ResultExpr::Code(ResultCode(v)))
                    .map_err(|_| E::custom(format!("result {v:#x} does not fit in 32 bits")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ResultExpr, E> {
                Err(E::custom(format!("a result code cannot be negative ({v})")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ResultExpr, E> {
                Err(E::custom(format!(
                    "expected a result code, got the fractional number {v}"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ResultExpr, E> {
                if let Some(code) = ResultCode::from_name(v) {
                    return Ok(ResultExpr::Code(code));
                }
                if v.starts_with(|c: char| c.is_ascii_uppercase()) {
                    return Err(E::custom(format!(
                        "unknown result name {v:?} (known: the names of kernel-semantics.md §6.1, e.g. \"InvalidHandle\")"
                    )));
                }
                match Expr::parse(v).map_err(E::custom)? {
                    Expr::Int(i) => u32::try_from(i)
                        .map(|c| ResultExpr::Code(ResultCode(c)))
                        .map_err(|_| E::custom(format!("result {v} does not fit in 32 bits"))),
                    other => Ok(ResultExpr::Expr(other)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A value that may be `"*"` (any) in an expectation.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Wild<T> {
    /// `"*"`.
    Any,
    /// A value.
    Is(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Wild<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Wild<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or \"*\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Wild<T>, E> {
                if v == "*" {
                    Ok(Wild::Any)
                } else {
                    T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(Wild::Is)
                }
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Wild<T>, E> {
                T::deserialize(de::value::BoolDeserializer::<E>::new(v)).map(Wild::Is)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Wild<T>, A::Error> {
                T::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Wild::Is)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Wild<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Wild::Is)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Deserializes a key that distinguishes "absent" (outer `None`, via
/// `#[serde(default)]`) from `null` (`Some(None)`).
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(Expr::parse("0x10"), Ok(Expr::Int(16)));
        assert_eq!(Expr::parse("-1"), Ok(Expr::Int(-1)));
        assert_eq!(Expr::parse("*"), Ok(Expr::Any));
        assert_eq!(
            Expr::parse("$tls.S+0x20"),
            Ok(Expr::Sym {
                name: "tls.S".into(),
                offset: 0x20
            })
        );
        assert_eq!(
            Expr::parse("$h1"),
            Ok(Expr::Sym {
                name: "h1".into(),
                offset: 0
            })
        );
        assert_eq!(
            Expr::parse("$a-4"),
            Ok(Expr::Sym {
                name: "a".into(),
                offset: -4
            })
        );
        assert!(Expr::parse("$").is_err());
        assert!(Expr::parse("zz").is_err());
        assert!(Expr::parse("0x1_0000_0000_0000_0000").is_err());
    }

    #[test]
    fn results_by_name_or_number() {
        let r: ResultExpr =
            serde_json::from_str("\"InvalidHandle\"").unwrap_or(ResultExpr::Expr(Expr::Any));
        assert_eq!(r, ResultExpr::Code(ResultCode::INVALID_HANDLE));
        let r: ResultExpr =
            serde_json::from_str("\"0xe401\"").unwrap_or(ResultExpr::Expr(Expr::Any));
        assert_eq!(r, ResultExpr::Code(ResultCode::INVALID_HANDLE));
        assert!(serde_json::from_str::<ResultExpr>("\"InvalidHandel\"").is_err());
    }

    #[test]
    fn fractions_are_refused() {
        assert!(serde_json::from_str::<Expr>("1.5").is_err());
    }
}
