//! Message patterns of kernel scenarios (vectors/README.md "Buffers" and
//! `expect_message`): matching one against a decoded message, building an input
//! message from one, and the expected message a report shows next to the actual one.
//!
//! * [`match_message`] checks every key the pattern lists, in wire order, binding
//!   unbound symbols at first sight; the first key that does not hold is named as a
//!   decoded field (`message.copy_handles[1]`, `message.x[0].address`). Keys the
//!   pattern omits are not checked; `"*"` matches anything.
//! * [`build_input`] turns a pattern into a message to write before a syscall:
//!   omitted keys take their empty default, symbols must be bound, `"*"` is refused.
//! * [`expected_message`] resolves a pattern against the actual message (wildcards
//!   and still-unbound symbols take the actual values), for the expected bytes.

use std::fmt;

use super::problem::{Mismatch, Problem, show, vector_error};
use super::symbols::{Origin, Symbols};
use crate::message_json::{BufferJson, MessageJson, PointerJson, ReceiveJson};
use crate::vector::{Expr, ItemPattern, MessagePattern, Wild};

/// A descriptor or receive-list entry of the message JSON, by key.
trait Item: Default + Clone {
    /// The keys this kind of item has.
    const KEYS: &'static [&'static str];
    fn get(&self, key: &str) -> Option<u64>;
    /// Sets a key; the error says why the value does not fit.
    fn set(&mut self, key: &str, value: u64) -> Result<(), String>;
}

fn narrow<T: TryFrom<u64>>(value: u64, bits: &str) -> Result<T, String> {
    T::try_from(value).map_err(|_| format!("value {value:#x} does not fit in {bits}"))
}

impl Item for PointerJson {
    const KEYS: &'static [&'static str] = &["index", "address", "size", "reserved"];
    fn get(&self, key: &str) -> Option<u64> {
        match key {
            "index" => Some(u64::from(self.index)),
            "address" => Some(self.address),
            "size" => Some(self.size),
            "reserved" => Some(u64::from(self.reserved)),
            _ => None,
        }
    }
    fn set(&mut self, key: &str, value: u64) -> Result<(), String> {
        match key {
            "index" => self.index = narrow(value, "8 bits")?,
            "address" => self.address = value,
            "size" => self.size = value,
            "reserved" => self.reserved = narrow(value, "32 bits")?,
            _ => return Err(format!("an X descriptor has no key {key:?}")),
        }
        Ok(())
    }
}

impl Item for BufferJson {
    const KEYS: &'static [&'static str] = &["address", "size", "mode", "reserved"];
    fn get(&self, key: &str) -> Option<u64> {
        match key {
            "address" => Some(self.address),
            "size" => Some(self.size),
            "mode" => Some(u64::from(self.mode)),
            "reserved" => Some(u64::from(self.reserved)),
            _ => None,
        }
    }
    fn set(&mut self, key: &str, value: u64) -> Result<(), String> {
        match key {
            "address" => self.address = value,
            "size" => self.size = value,
            "mode" => self.mode = narrow(value, "8 bits")?,
            "reserved" => self.reserved = narrow(value, "32 bits")?,
            _ => return Err(format!("an A/B/W descriptor has no key {key:?}")),
        }
        Ok(())
    }
}

impl Item for ReceiveJson {
    const KEYS: &'static [&'static str] = &["address", "size", "reserved"];
    fn get(&self, key: &str) -> Option<u64> {
        match key {
            "address" => Some(self.address),
            "size" => Some(self.size),
            "reserved" => Some(u64::from(self.reserved)),
            _ => None,
        }
    }
    fn set(&mut self, key: &str, value: u64) -> Result<(), String> {
        match key {
            "address" => self.address = value,
            "size" => self.size = value,
            "reserved" => self.reserved = narrow(value, "32 bits")?,
            _ => return Err(format!("a receive-list entry has no key {key:?}")),
        }
        Ok(())
    }
}

/// The keys an item pattern gives, in the message JSON's order.
fn item_keys(p: &ItemPattern) -> impl Iterator<Item = (&'static str, &Expr)> {
    [
        ("index", &p.index),
        ("address", &p.address),
        ("size", &p.size),
        ("mode", &p.mode),
        ("reserved", &p.reserved),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
}

fn show_list<'a>(items: impl Iterator<Item = &'a Expr>) -> String {
    let items: Vec<String> = items.map(Expr::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn show_words(words: &[u32]) -> String {
    let items: Vec<String> = words.iter().map(|w| show(i128::from(*w))).collect();
    format!("[{}]", items.join(", "))
}

fn count_detail(expected: usize, actual: usize) -> String {
    format!("{expected} expected, {actual} found")
}

// ---------------------------------------------------------------------------------
// Matching.

struct Matcher<'s> {
    symbols: &'s mut Symbols,
    step: usize,
}

impl Matcher<'_> {
    /// `path` is formatted only when a symbol is bound or the value does not match.
    fn int(&mut self, path: impl fmt::Display, expr: &Expr, actual: u64) -> Result<(), Problem> {
        let step = self.step;
        self.symbols
            .expect(expr, i128::from(actual), || Origin::Step {
                step,
                field: path.to_string(),
            })
            .map_err(|m| {
                Mismatch::new(path.to_string(), m.expected, show(i128::from(actual)))
                    .maybe_detail(m.detail)
                    .into()
            })
    }

    fn words(
        &mut self,
        path: &str,
        pattern: &Option<Wild<Vec<Expr>>>,
        actual: &[u32],
    ) -> Result<(), Problem> {
        let Some(Wild::Is(list)) = pattern else {
            return Ok(());
        };
        if list.len() != actual.len() {
            return Err(
                Mismatch::new(path, show_list(list.iter()), show_words(actual))
                    .detail(count_detail(list.len(), actual.len()))
                    .into(),
            );
        }
        for (i, (e, a)) in list.iter().zip(actual).enumerate() {
            self.int(format_args!("{path}[{i}]"), e, u64::from(*a))?;
        }
        Ok(())
    }

    fn items<T: Item>(
        &mut self,
        path: &str,
        pattern: &Option<Wild<Vec<ItemPattern>>>,
        actual: &[T],
    ) -> Result<(), Problem> {
        let Some(Wild::Is(list)) = pattern else {
            return Ok(());
        };
        if list.len() != actual.len() {
            let actual_json = serde_json::to_value(
                actual
                    .iter()
                    .map(|a| {
                        T::KEYS
                            .iter()
                            .filter_map(|k| a.get(k).map(|v| (k.to_string(), v)))
                            .collect::<std::collections::BTreeMap<_, _>>()
                    })
                    .collect::<Vec<_>>(),
            )
            .map(|v| crate::message_json::to_spaced_json(&v))
            .unwrap_or_default();
            return Err(Mismatch::new(
                path,
                format!("{} items", list.len()),
                format!("{} items: {actual_json}", actual.len()),
            )
            .detail(count_detail(list.len(), actual.len()))
            .into());
        }
        for (i, (p, a)) in list.iter().zip(actual).enumerate() {
            for (key, expr) in item_keys(p) {
                let Some(value) = a.get(key) else {
                    return Err(vector_error(
                        format!("{path}[{i}].{key}"),
                        format!("this kind of item has no key {key:?}"),
                    ));
                };
                self.int(format_args!("{path}[{i}].{key}"), expr, value)?;
            }
        }
        Ok(())
    }
}

/// Matches a pattern against a decoded message (the expectation of step `step`),
/// binding unbound symbols at first sight. Fields are named under `message.`.
pub(crate) fn match_message(
    pattern: &MessagePattern,
    actual: &MessageJson,
    symbols: &mut Symbols,
    step: usize,
) -> Result<(), Problem> {
    let mut m = Matcher { symbols, step };
    if let Some(e) = &pattern.tag {
        m.int("message.type", e, u64::from(actual.tag))?;
    }
    match_pid(&mut m, pattern, actual)?;
    match_special_header(pattern, actual)?;
    m.words(
        "message.copy_handles",
        &pattern.copy_handles,
        &actual.copy_handles,
    )?;
    m.words(
        "message.move_handles",
        &pattern.move_handles,
        &actual.move_handles,
    )?;
    m.items("message.x", &pattern.x, &actual.x)?;
    m.items("message.a", &pattern.a, &actual.a)?;
    m.items("message.b", &pattern.b, &actual.b)?;
    m.items("message.w", &pattern.w, &actual.w)?;
    m.words("message.raw_words", &pattern.raw_words, &actual.raw_words)?;
    if let Some(e) = &pattern.recv_list_count {
        m.int(
            "message.recv_list_count",
            e,
            u64::from(actual.recv_list_count),
        )?;
    }
    if let Some(e) = &pattern.recv_list_offset {
        m.int(
            "message.recv_list_offset",
            e,
            u64::from(actual.recv_list_offset),
        )?;
    }
    m.items("message.c", &pattern.c, &actual.c)?;
    if let Some(e) = &pattern.trailing_bytes {
        m.int("message.trailing_bytes", e, actual.trailing_bytes)?;
    }
    if let Some(r) = &pattern.reserved {
        if let Some(e) = &r.header1 {
            m.int(
                "message.reserved.header1",
                e,
                u64::from(actual.reserved.header1),
            )?;
        }
        if let Some(e) = &r.special {
            m.int(
                "message.reserved.special",
                e,
                u64::from(actual.reserved.special),
            )?;
        }
    }
    Ok(())
}

/// `pid`: absent means not checked; `null` means no PID slot; a value (or `"*"`,
/// which also accepts no slot) is matched.
fn match_pid(
    m: &mut Matcher<'_>,
    pattern: &MessagePattern,
    actual: &MessageJson,
) -> Result<(), Problem> {
    match (&pattern.pid, actual.pid) {
        (None, _) | (Some(None), None) => {}
        (Some(Some(e)), Some(pid)) => m.int("message.pid", e, pid)?,
        (Some(Some(Expr::Any)), None) => {}
        (Some(Some(e)), None) => {
            return Err(Mismatch::new("message.pid", e.to_string(), "null")
                .detail("the message has no PID slot")
                .into());
        }
        (Some(None), Some(pid)) => {
            return Err(Mismatch::new("message.pid", "null", show(i128::from(pid)))
                .detail("the message should have no PID slot")
                .into());
        }
    }
    Ok(())
}

/// `special_header`: checked only when nothing implies the special header (no
/// PID, no handles); otherwise the key means nothing.
fn match_special_header(pattern: &MessagePattern, actual: &MessageJson) -> Result<(), Problem> {
    let implied =
        actual.pid.is_some() || !actual.copy_handles.is_empty() || !actual.move_handles.is_empty();
    if let (Some(Wild::Is(b)), false) = (&pattern.special_header, implied) {
        if *b != actual.special_header {
            return Err(Mismatch::new(
                "message.special_header",
                b.to_string(),
                actual.special_header.to_string(),
            )
            .detail("special_header: an empty special header (no PID, no handles) is present")
            .into());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Inputs.

/// Resolves an input value and narrows it to its field's Rust type (`path` is
/// formatted only for an error).
fn input<T: TryFrom<i128>>(
    symbols: &Symbols,
    path: impl fmt::Display,
    expr: &Expr,
) -> Result<T, Problem> {
    symbols.value(path, expr)
}

fn input_words(
    symbols: &Symbols,
    path: &str,
    list: &Option<Wild<Vec<Expr>>>,
) -> Result<Vec<u32>, Problem> {
    match list {
        None => Ok(Vec::new()),
        Some(Wild::Any) => Err(any_in_input(path)),
        Some(Wild::Is(list)) => list
            .iter()
            .enumerate()
            .map(|(i, e)| input(symbols, format_args!("{path}[{i}]"), e))
            .collect(),
    }
}

fn input_items<T: Item>(
    symbols: &Symbols,
    path: &str,
    list: &Option<Wild<Vec<ItemPattern>>>,
) -> Result<Vec<T>, Problem> {
    match list {
        None => Ok(Vec::new()),
        Some(Wild::Any) => Err(any_in_input(path)),
        Some(Wild::Is(list)) => list
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut item = T::default();
                for (key, expr) in item_keys(p) {
                    let v: u64 = input(symbols, format_args!("{path}[{i}].{key}"), expr)?;
                    item.set(key, v)
                        .map_err(|m| vector_error(format!("{path}[{i}].{key}"), m))?;
                }
                Ok(item)
            })
            .collect(),
    }
}

fn any_in_input(path: &str) -> Problem {
    vector_error(
        path,
        "\"*\" (any value) belongs in expectations; an input needs a value",
    )
}

/// Builds the message a step writes before its syscall: omitted keys take their
/// empty default, symbols must be bound, `"*"` is refused; `trailing_bytes` is ignored.
pub(crate) fn build_input(
    pattern: &MessagePattern,
    symbols: &Symbols,
) -> Result<MessageJson, Problem> {
    let opt = |path: &str, e: &Option<Expr>| -> Result<u64, Problem> {
        e.as_ref().map_or(Ok(0), |e| input(symbols, path, e))
    };
    let reserved = pattern.reserved.clone().unwrap_or_default();
    Ok(MessageJson {
        tag: match &pattern.tag {
            Some(e) => input(symbols, "message.type", e)?,
            None => 0,
        },
        pid: match &pattern.pid {
            Some(Some(e)) => Some(input(symbols, "message.pid", e)?),
            _ => None,
        },
        copy_handles: input_words(symbols, "message.copy_handles", &pattern.copy_handles)?,
        move_handles: input_words(symbols, "message.move_handles", &pattern.move_handles)?,
        x: input_items(symbols, "message.x", &pattern.x)?,
        a: input_items(symbols, "message.a", &pattern.a)?,
        b: input_items(symbols, "message.b", &pattern.b)?,
        w: input_items(symbols, "message.w", &pattern.w)?,
        raw_words: input_words(symbols, "message.raw_words", &pattern.raw_words)?,
        recv_list_count: match &pattern.recv_list_count {
            Some(e) => input(symbols, "message.recv_list_count", e)?,
            None => 0,
        },
        c: input_items(symbols, "message.c", &pattern.c)?,
        special_header: match pattern.special_header {
            None => false,
            Some(Wild::Is(b)) => b,
            Some(Wild::Any) => return Err(any_in_input("message.special_header")),
        },
        recv_list_offset: match &pattern.recv_list_offset {
            Some(e) => input(symbols, "message.recv_list_offset", e)?,
            None => 0,
        },
        trailing_bytes: 0,
        reserved: crate::message_json::ReservedJson {
            header1: u32::try_from(opt("message.reserved.header1", &reserved.header1)?)
                .map_err(|_| vector_error("message.reserved.header1", "does not fit 32 bits"))?,
            special: u32::try_from(opt("message.reserved.special", &reserved.special)?)
                .map_err(|_| vector_error("message.reserved.special", "does not fit 32 bits"))?,
        },
    })
}

/// Builds and encodes an input message.
pub(crate) fn encode_input(
    pattern: &MessagePattern,
    symbols: &Symbols,
) -> Result<Vec<u8>, Problem> {
    build_input(pattern, symbols)?.to_bytes().map_err(|e| {
        vector_error(
            "message",
            format!("the input message cannot be encoded: {e}"),
        )
    })
}

// ---------------------------------------------------------------------------------
// The expected message of a report.

fn fill<T: TryFrom<i128> + Copy + Into<i128>>(symbols: &Symbols, e: &Option<Expr>, actual: T) -> T {
    e.as_ref().map_or(actual, |e| {
        T::try_from(symbols.resolve_or(e, actual.into())).unwrap_or(actual)
    })
}

fn fill_words(symbols: &Symbols, list: &Option<Wild<Vec<Expr>>>, actual: &[u32]) -> Vec<u32> {
    match list {
        Some(Wild::Is(list)) => list
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let a = actual.get(i).copied().unwrap_or(0);
                u32::try_from(symbols.resolve_or(e, i128::from(a))).unwrap_or(a)
            })
            .collect(),
        _ => actual.to_vec(),
    }
}

fn fill_items<T: Item>(
    symbols: &Symbols,
    list: &Option<Wild<Vec<ItemPattern>>>,
    actual: &[T],
) -> Vec<T> {
    match list {
        Some(Wild::Is(list)) => list
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut item = actual.get(i).cloned().unwrap_or_default();
                for (key, e) in item_keys(p) {
                    let a = item.get(key).unwrap_or(0);
                    let v = u64::try_from(symbols.resolve_or(e, i128::from(a))).unwrap_or(a);
                    let _ = item.set(key, v);
                }
                item
            })
            .collect(),
        _ => actual.to_vec(),
    }
}

/// The message the pattern describes, with wildcards and unbound symbols taken from
/// `actual`: encoded next to the actual bytes, it marks exactly the differing fields.
pub(crate) fn expected_message(
    pattern: &MessagePattern,
    symbols: &Symbols,
    actual: &MessageJson,
) -> MessageJson {
    let reserved = pattern.reserved.clone().unwrap_or_default();
    MessageJson {
        tag: fill(symbols, &pattern.tag, actual.tag),
        pid: match &pattern.pid {
            None => actual.pid,
            Some(None) => None,
            Some(Some(e)) => {
                let a = actual.pid.unwrap_or(0);
                Some(u64::try_from(symbols.resolve_or(e, i128::from(a))).unwrap_or(a))
            }
        },
        copy_handles: fill_words(symbols, &pattern.copy_handles, &actual.copy_handles),
        move_handles: fill_words(symbols, &pattern.move_handles, &actual.move_handles),
        x: fill_items(symbols, &pattern.x, &actual.x),
        a: fill_items(symbols, &pattern.a, &actual.a),
        b: fill_items(symbols, &pattern.b, &actual.b),
        w: fill_items(symbols, &pattern.w, &actual.w),
        raw_words: fill_words(symbols, &pattern.raw_words, &actual.raw_words),
        recv_list_count: fill(symbols, &pattern.recv_list_count, actual.recv_list_count),
        c: fill_items(symbols, &pattern.c, &actual.c),
        special_header: match pattern.special_header {
            Some(Wild::Is(b)) => b,
            _ => actual.special_header,
        },
        recv_list_offset: fill(symbols, &pattern.recv_list_offset, actual.recv_list_offset),
        trailing_bytes: actual.trailing_bytes,
        reserved: crate::message_json::ReservedJson {
            header1: fill(symbols, &reserved.header1, actual.reserved.header1),
            special: fill(symbols, &reserved.special, actual.reserved.special),
        },
    }
}

#[cfg(test)]
mod tests;
