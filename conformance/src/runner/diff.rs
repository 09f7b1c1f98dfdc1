//! Naming the first difference: between two message JSONs (as a JSON path such as
//! `message.x[1].address`, or `message.cmif.domain.in_objects[0]` in a layer object)
//! and between two byte strings (as `bytes[0x14] (x[0].word0)`, the field the codec's
//! [`Layout`] puts at that byte).

use hipc::Layout;
use hipc::{BUFFER_DESCRIPTOR_SIZE, POINTER_DESCRIPTOR_SIZE, RECEIVE_LIST_ENTRY_SIZE};
use serde_json::Value;

use super::problem::{Mismatch, show_json_int};
use crate::layer_json::LayeredJson;
use crate::message_json::{MessageJson, to_spaced_json};

/// Compares two messages by the meaning of their message JSON: key order does not
/// matter and an optional key at its default equals an absent one. Names the first
/// differing field under `root` (`message.x[1].address`).
pub(crate) fn diff_messages(
    root: &str,
    expected: &MessageJson,
    actual: &MessageJson,
) -> Option<Mismatch> {
    let (expected, actual) = (&normalize(expected), &normalize(actual));
    if expected == actual {
        return None;
    }
    let e = serde_json::to_value(expected).unwrap_or(Value::Null);
    let a = serde_json::to_value(actual).unwrap_or(Value::Null);
    diff_values(root, &e, &a).or_else(|| {
        // Unreachable in practice (equal JSON means equal messages); still say something.
        Some(Mismatch::new(root, expected.to_json(), actual.to_json()))
    })
}

/// Compares the layer objects (`"cmif"`, `"tipc"`) of two layered message JSONs as
/// JSON trees. Unlike the HIPC keys, a layer object has no optional keys at a
/// default: decoding writes every key that applies, so a key on one side only is a
/// difference (shown as `absent`). Names the first differing path under `root`
/// (`message.cmif.domain.in_objects[0]`).
pub(crate) fn diff_layers(
    root: &str,
    expected: &LayeredJson,
    actual: &LayeredJson,
) -> Option<Mismatch> {
    let pairs = [
        ("cmif", tree(&expected.cmif), tree(&actual.cmif)),
        ("tipc", tree(&expected.tipc), tree(&actual.tipc)),
    ];
    pairs
        .iter()
        .find_map(|(key, e, a)| diff_strict(&format!("{root}.{key}"), e, a))
}

/// A layer object as a JSON tree; `None` is `null`.
fn tree<T: serde::Serialize>(v: &Option<T>) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Displays a side of a strict comparison: `absent` for a missing key or object.
fn show_strict(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "absent".into(),
        Some(v) => show_value(v),
    }
}

/// Compares two JSON trees strictly: key order does not matter, but every key must
/// be on both sides with the same value.
fn diff_strict(path: &str, expected: &Value, actual: &Value) -> Option<Mismatch> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let keys = e
                .keys()
                .chain(a.keys().filter(|k| !e.contains_key(*k)))
                .cloned()
                .collect::<Vec<_>>();
            for key in keys {
                let at = format!("{path}.{key}");
                match (e.get(&key), a.get(&key)) {
                    (Some(ev), Some(av)) => {
                        if let Some(m) = diff_strict(&at, ev, av) {
                            return Some(m);
                        }
                    }
                    (ev, av) => {
                        let detail = if ev.is_none() {
                            "decoding gives this key; the vector does not list it"
                        } else {
                            "the vector lists this key; decoding does not give it"
                        };
                        return Some(
                            Mismatch::new(at, show_strict(ev), show_strict(av)).detail(detail),
                        );
                    }
                }
            }
            None
        }
        (Value::Array(e), Value::Array(a)) => {
            for (i, (ev, av)) in e.iter().zip(a.iter()).enumerate() {
                if let Some(m) = diff_strict(&format!("{path}[{i}]"), ev, av) {
                    return Some(m);
                }
            }
            (e.len() != a.len()).then(|| {
                Mismatch::new(path, show_value(expected), show_value(actual)).detail(format!(
                    "{} expected, {} found",
                    items(e.len()),
                    items(a.len())
                ))
            })
        }
        (e, a) if e == a => None,
        (e, a) => Some(Mismatch::new(
            path,
            show_strict(Some(e)),
            show_strict(Some(a)),
        )),
    }
}

/// The message JSON at its defaults: `special_header` is implied (so `true` and
/// `false` mean the same) when a PID or handles are present (message-json.md).
fn normalize(m: &MessageJson) -> MessageJson {
    let mut m = m.clone();
    if m.pid.is_some() || !m.copy_handles.is_empty() || !m.move_handles.is_empty() {
        m.special_header = false;
    }
    m
}

/// The value an absent optional key stands for, shaped like the present one.
fn default_like(v: &Value) -> Value {
    match v {
        Value::Bool(_) => Value::Bool(false),
        Value::Number(_) => Value::from(0u64),
        Value::Object(_) => Value::Object(serde_json::Map::new()),
        // No list of the message JSON is optional: every other value is absent.
        _ => Value::Null,
    }
}

/// Displays a JSON value for a report: integers as `65538 (0x10002)`, the rest as
/// spaced JSON.
pub(crate) fn show_value(v: &Value) -> String {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(u) => show_json_int(u),
            None => n.to_string(),
        },
        other => to_spaced_json(other),
    }
}

fn diff_values(path: &str, expected: &Value, actual: &Value) -> Option<Mismatch> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let keys = e
                .keys()
                .chain(a.keys().filter(|k| !e.contains_key(*k)))
                .cloned()
                .collect::<Vec<_>>();
            for key in keys {
                let (ev, av) = match (e.get(&key), a.get(&key)) {
                    (Some(ev), Some(av)) => (ev.clone(), av.clone()),
                    (Some(ev), None) => (ev.clone(), default_like(ev)),
                    (None, Some(av)) => (default_like(av), av.clone()),
                    (None, None) => continue,
                };
                if let Some(m) = diff_values(&format!("{path}.{key}"), &ev, &av) {
                    return Some(m);
                }
            }
            None
        }
        (Value::Array(e), Value::Array(a)) => {
            for (i, (ev, av)) in e.iter().zip(a.iter()).enumerate() {
                if let Some(m) = diff_values(&format!("{path}[{i}]"), ev, av) {
                    return Some(m);
                }
            }
            (e.len() != a.len()).then(|| {
                Mismatch::new(path, show_value(expected), show_value(actual)).detail(format!(
                    "{} expected, {} found",
                    items(e.len()),
                    items(a.len())
                ))
            })
        }
        (e, a) if e == a => None,
        (e, a) => Some(Mismatch::new(path, show_value(e), show_value(a))),
    }
}

fn items(n: usize) -> String {
    if n == 1 {
        "1 item".into()
    } else {
        format!("{n} items")
    }
}

/// The index of the first byte where two strings differ (the shorter length when
/// one is a prefix of the other), or `None` when they are equal.
pub(crate) fn first_difference(expected: &[u8], actual: &[u8]) -> Option<usize> {
    if expected == actual {
        return None;
    }
    Some(
        expected
            .iter()
            .zip(actual.iter())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.len().min(actual.len())),
    )
}

/// Names the byte at `offset` of a message by the field the codec's layout puts
/// there: `header.word0`, `special_header`, `pid`, `copy_handles[1]`, `x[0].word1`,
/// `a[2].word0`, `raw_words[3]`, `gap`, `c[0].word1`, or `after the message`.
pub(crate) fn byte_field(message: &[u8], offset: usize) -> String {
    let Ok(layout) = Layout::parse(message) else {
        return if offset < 4 {
            "header.word0".into()
        } else if offset < 8 {
            "header.word1".into()
        } else {
            "after the header".into()
        };
    };
    field_at(&layout, offset)
}

fn field_at(layout: &Layout, offset: usize) -> String {
    let within = |r: &core::ops::Range<usize>| r.contains(&offset);
    let item = |name: &str, r: core::ops::Range<usize>, size: usize| {
        let rel = offset - r.start;
        if size == 4 {
            format!("{name}[{}]", rel / 4)
        } else {
            format!("{name}[{}].word{}", rel / size, (rel % size) / 4)
        }
    };
    if offset < 4 {
        return "header.word0".into();
    }
    if offset < 8 {
        return "header.word1".into();
    }
    if let Some(r) = layout.special_header_range() {
        if within(&r) {
            return "special_header".into();
        }
    }
    if let Some(r) = layout.pid() {
        if within(&r) {
            return "pid".into();
        }
    }
    let sections: [(&str, core::ops::Range<usize>, usize); 8] = [
        ("copy_handles", layout.copy_handles(), 4),
        ("move_handles", layout.move_handles(), 4),
        ("x", layout.x(), POINTER_DESCRIPTOR_SIZE),
        ("a", layout.a(), BUFFER_DESCRIPTOR_SIZE),
        ("b", layout.b(), BUFFER_DESCRIPTOR_SIZE),
        ("w", layout.w(), BUFFER_DESCRIPTOR_SIZE),
        ("raw_words", layout.raw(), 4),
        ("c", layout.receive_list(), RECEIVE_LIST_ENTRY_SIZE),
    ];
    for (name, range, size) in sections {
        if within(&range) {
            return item(name, range, size);
        }
    }
    if within(&layout.gap()) {
        return "gap".into();
    }
    "after the message".into()
}

/// Describes the first differing byte of two encodings: `bytes[0x14] (x[0].word0)`,
/// with the field named from the expected bytes' layout (the actual bytes' when the
/// byte lies beyond the expected message).
pub(crate) fn name_byte(expected: &[u8], actual: &[u8], offset: usize) -> String {
    let name = if offset < expected.len() || actual.len() <= offset {
        byte_field(expected, offset)
    } else {
        byte_field(actual, offset)
    };
    format!("bytes[{offset:#x}] ({name})")
}

/// Displays the byte at `offset`, or `end of data`.
pub(crate) fn show_byte(bytes: &[u8], offset: usize) -> String {
    match bytes.get(offset) {
        Some(b) => format!("{b:#04x}"),
        None => format!("end of data ({:#x} bytes)", bytes.len()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::hex;
    use crate::message_json::{BufferJson, PointerJson};

    #[test]
    fn names_the_first_differing_field() {
        let mut e = MessageJson {
            tag: 4,
            x: vec![PointerJson {
                index: 0,
                address: 0x1000,
                size: 8,
                reserved: 0,
            }],
            ..MessageJson::default()
        };
        let mut a = e.clone();
        assert_eq!(diff_messages("message", &e, &a), None);
        a.x[0].address = 0x2000;
        let m = diff_messages("message", &e, &a).unwrap();
        assert_eq!(m.field, "message.x[0].address");
        assert_eq!(m.expected, "4096 (0x1000)");
        assert_eq!(m.actual, "8192 (0x2000)");
        a = e.clone();
        a.reserved.header1 = 0x4000;
        let m = diff_messages("message", &e, &a).unwrap();
        assert_eq!(m.field, "message.reserved.header1");
        assert_eq!(m.expected, "0");
        e.a.push(BufferJson::default());
        let m = diff_messages("message", &e, &a).unwrap();
        assert_eq!(m.field, "message.a");
        assert_eq!(m.detail.as_deref(), Some("1 item expected, 0 items found"));
        let mut b = e.clone();
        b.pid = Some(5);
        let m = diff_messages("message", &e, &b).unwrap();
        assert_eq!(
            (m.field.as_str(), m.expected.as_str()),
            ("message.pid", "null")
        );
    }

    #[test]
    fn names_bytes_by_layout() {
        // message-json.md pair 2: pid, one copy, one move, one X, one A, 2 raw, c.
        let bytes = hex::decode(
            "06001100020c008023000000efcdab89674523010180ffff02000100c1f140007056341200200000001000001100000101000000020000009078563412000002",
        )
        .unwrap();
        assert_eq!(byte_field(&bytes, 0), "header.word0");
        assert_eq!(byte_field(&bytes, 7), "header.word1");
        assert_eq!(byte_field(&bytes, 8), "special_header");
        assert_eq!(byte_field(&bytes, 12), "pid");
        assert_eq!(byte_field(&bytes, 20), "copy_handles[0]");
        assert_eq!(byte_field(&bytes, 24), "move_handles[0]");
        assert_eq!(byte_field(&bytes, 28), "x[0].word0");
        assert_eq!(byte_field(&bytes, 33), "x[0].word1");
        assert_eq!(byte_field(&bytes, 44), "a[0].word2");
        assert_eq!(byte_field(&bytes, 52), "raw_words[1]");
        assert_eq!(byte_field(&bytes, 60), "c[0].word1");
        assert_eq!(byte_field(&bytes, 64), "after the message");
        assert_eq!(
            name_byte(&bytes, &bytes, 0x14),
            "bytes[0x14] (copy_handles[0])"
        );
        assert_eq!(byte_field(&[], 9), "after the header");
        assert_eq!(first_difference(&[1, 2], &[1, 2, 3]), Some(2));
        assert_eq!(first_difference(&[1, 2], &[1, 3]), Some(1));
        assert_eq!(first_difference(&[1], &[1]), None);
    }

    #[test]
    fn a_special_header_is_implied_by_a_pid_or_handles() {
        let with = |pid: Option<u64>, copy: Vec<u32>, moves: Vec<u32>, special: bool| MessageJson {
            pid,
            copy_handles: copy,
            move_handles: moves,
            special_header: special,
            ..MessageJson::default()
        };
        for (pid, copy, moves) in [
            (Some(1), vec![], vec![]),
            (None, vec![0x10002], vec![]),
            (None, vec![], vec![0x10002]),
        ] {
            let e = with(pid, copy.clone(), moves.clone(), true);
            let a = with(pid, copy, moves, false);
            assert_eq!(diff_messages("message", &e, &a), None);
        }
        // Without them the key means what it says; absent, it is false.
        let m = diff_messages(
            "message",
            &with(None, vec![], vec![], true),
            &with(None, vec![], vec![], false),
        )
        .unwrap();
        assert_eq!(
            (m.field.as_str(), m.expected.as_str(), m.actual.as_str()),
            ("message.special_header", "true", "false")
        );
    }

    #[test]
    fn bytes_are_named_without_a_layout_and_from_the_side_that_has_them() {
        // Fewer than 8 bytes: no layout, only the header words.
        let short = [0u8; 6];
        assert_eq!(byte_field(&short, 3), "header.word0");
        assert_eq!(byte_field(&short, 4), "header.word1");
        assert_eq!(byte_field(&short, 7), "header.word1");
        assert_eq!(byte_field(&short, 8), "after the header");
        // Two raw words; and a special header with one copy handle.
        let raw = hex::decode("04000000020000001111111122222222").unwrap();
        let copy = hex::decode("04000000000000800200000044444444").unwrap();
        let empty = hex::decode("0400000000000000").unwrap();
        assert_eq!(name_byte(&raw, &copy, 8), "bytes[0x8] (raw_words[0])");
        assert_eq!(name_byte(&copy, &raw, 8), "bytes[0x8] (special_header)");
        // Past the expected message, inside the actual one: named by the actual.
        assert_eq!(name_byte(&empty, &copy, 12), "bytes[0xc] (copy_handles[0])");
        // Just past the expected message: still the actual's layout.
        assert_eq!(name_byte(&empty, &copy, 8), "bytes[0x8] (special_header)");
        // With a layout, the second header word starts at byte 4.
        assert_eq!(byte_field(&raw, 3), "header.word0");
        assert_eq!(byte_field(&raw, 4), "header.word1");
        // Past both: named by the expected.
        assert_eq!(
            name_byte(&empty, &empty, 12),
            "bytes[0xc] (after the message)"
        );
    }

    #[test]
    fn integers_from_ten_show_their_hex() {
        assert_eq!(crate::runner::problem::show_json_int(9), "9");
        assert_eq!(crate::runner::problem::show_json_int(10), "10 (0xa)");
    }
}
