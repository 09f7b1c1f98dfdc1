#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;
use crate::hex;

/// message-json.md, read at compile time: the worked pairs are taken from it, so
/// the specification and these tests cannot drift apart.
const MESSAGE_JSON_MD: &str = include_str!("../../../docs/spec/message-json.md");

/// wire-format.md, read at compile time for the `Hex:` lines of its §6.
const WIRE_FORMAT_MD: &str = include_str!("../../../docs/spec/wire-format.md");

/// The three worked pairs of message-json.md, as `(hex, json)`, in the document's
/// order (`pairs()[1]` is "message-json.md pair 2").
fn pairs() -> [(&'static str, &'static str); 3] {
    [json_pair(1), json_pair(2), json_pair(3)]
}

/// Worked pair `n` (1-based) of the `## ` section of message-json.md whose heading
/// mentions "worked pairs": the item `n. …` and, on its indented lines, the first
/// two backticked values (the hex, then the JSON).
fn json_pair(n: usize) -> (&'static str, &'static str) {
    let mut lines = MESSAGE_JSON_MD
        .lines()
        .skip_while(|l| !(l.starts_with("## ") && l.contains("worked pairs")));
    assert!(
        lines.next().is_some(),
        "message-json.md has no `## ` heading containing \"worked pairs\""
    );
    let marker = format!("{n}. ");
    let mut item = lines
        .take_while(|l| !l.starts_with("## "))
        .skip_while(|l| !l.starts_with(&marker));
    assert!(
        item.next().is_some(),
        "message-json.md: no worked pair numbered {n}"
    );
    let mut code = item
        .take_while(|l| l.starts_with(' '))
        .filter_map(|l| l.trim().strip_prefix('`')?.strip_suffix('`'));
    match (code.next(), code.next()) {
        (Some(hex_text), Some(json)) => (hex_text, json),
        _ => panic!("message-json.md pair {n}: expected a backticked hex line and a JSON line"),
    }
}

/// Every `Hex:` value under the heading `### Ex {example}:` of wire-format.md §6.
fn ex_hexes(example: u32) -> Vec<&'static str> {
    let heading = format!("### Ex {example}:");
    let mut lines = WIRE_FORMAT_MD
        .lines()
        .skip_while(|l| !l.starts_with(&heading));
    assert!(
        lines.next().is_some(),
        "wire-format.md has no heading `{heading}`"
    );
    let hexes: Vec<&str> = lines
        .take_while(|l| !l.starts_with("## ") && !l.starts_with("### "))
        .filter_map(|l| l.strip_prefix("Hex: `"))
        .map(|rest| match rest.split_once('`') {
            Some((hex_text, _)) => hex_text,
            None => panic!("wire-format.md §6 Ex {example}: unterminated `Hex:` value"),
        })
        .collect();
    assert!(
        !hexes.is_empty(),
        "wire-format.md §6 Ex {example} has no `Hex:` line"
    );
    hexes
}

/// The `k`-th (0-based) `Hex:` value of wire-format.md §6 Ex `example`.
fn ex_hex(example: u32, k: usize) -> &'static str {
    match ex_hexes(example).get(k) {
        Some(hex_text) => hex_text,
        None => panic!("wire-format.md §6 Ex {example} has no `Hex:` value number {k}"),
    }
}

/// Every hex of wire-format.md §6 (Ex 1 to Ex 10), in document order.
fn worked_examples() -> Vec<&'static str> {
    (1..=10).flat_map(ex_hexes).collect()
}

fn decode_hex(text: &str) -> MessageJson {
    MessageJson::decode(&hex::decode(text).unwrap()).unwrap()
}

/// Reads and encodes `json`, returning the error's text.
fn encode_err(json: &str) -> String {
    match MessageJson::from_json(json).and_then(|m| m.to_bytes()) {
        Ok(bytes) => panic!("{json} encoded to {}", hex::encode(&bytes)),
        Err(e) => e.to_string(),
    }
}

/// A message with one item in every section, so that every field can be varied.
fn full() -> MessageJson {
    MessageJson {
        tag: 4,
        pid: Some(1),
        copy_handles: vec![1],
        move_handles: vec![2],
        x: vec![
            PointerJson {
                index: 0,
                address: 0x1000,
                size: 0x10,
                reserved: 0,
            };
            2
        ],
        a: vec![BufferJson::default(); 2],
        b: vec![BufferJson::default(); 2],
        w: vec![BufferJson::default(); 2],
        raw_words: vec![1, 2],
        recv_list_count: 4,
        c: vec![ReceiveJson::default(); 2],
        ..MessageJson::default()
    }
}

fn codec_err(m: &MessageJson) -> String {
    m.to_bytes().unwrap_err().to_string()
}

#[test]
fn pairs_decode_to_the_spec_json_exactly() {
    for (hex_text, json) in pairs() {
        assert_eq!(decode_hex(hex_text).to_json(), json);
    }
}

#[test]
fn pairs_encode_to_the_spec_bytes_exactly() {
    for (hex_text, json) in pairs() {
        let bytes = MessageJson::from_json(json).unwrap().to_bytes().unwrap();
        assert_eq!(hex::encode(&bytes), hex_text);
    }
}

#[test]
fn pair_values_are_read_as_exact_u64() {
    let m = MessageJson::from_json(pairs()[1].1).unwrap();
    assert_eq!(m.pid, Some(0x0123_4567_89ab_cdef));
    assert_eq!(m.copy_handles, vec![0xffff_8001]);
    let m = MessageJson::from_json(r#"{"type": 4, "pid": 18446744073709551615, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "raw_words": [], "recv_list_count": 0, "c": []}"#).unwrap();
    assert_eq!(m.pid, Some(u64::MAX));
    // 2^53 + 1 is not representable as an f64: it survives only if no float is involved.
    let m = MessageJson::from_json(r#"{"type": 4, "pid": 9007199254740993, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "raw_words": [], "recv_list_count": 0, "c": []}"#).unwrap();
    assert_eq!(m.pid, Some(9_007_199_254_740_993));
    assert_eq!(
        hex::encode(&m.to_bytes().unwrap()),
        "0400000000000080010000000100000000002000"
    );
}

#[test]
fn worked_examples_round_trip() {
    let all = worked_examples();
    assert_eq!(all.len(), 14, "Hex: lines in wire-format.md §6");
    for text in all {
        let bytes = hex::decode(text).unwrap();
        let json = MessageJson::decode(&bytes).unwrap();
        assert_eq!(json.trailing_bytes, 0, "{text}");
        assert_eq!(json.to_bytes().unwrap(), bytes, "{text}");
        // And through the text form.
        let again = MessageJson::from_json(&json.to_json()).unwrap();
        assert_eq!(again, json, "{text}");
        assert_eq!(again.to_bytes().unwrap(), bytes, "{text}");
    }
}

#[test]
fn worked_example_fields() {
    // Ex 5: A + B + W with high address bits and size_high.
    let m = decode_hex(ex_hex(5, 0));
    assert_eq!(m.a[0].address, 0x71_2345_6000);
    assert_eq!(m.a[0].size, 0x1_0000_1000);
    assert_eq!(m.b[0].mode, 1);
    assert_eq!(m.w[0].size, 0xF_FFFF_F000);
    assert_eq!(m.w[0].mode, 3);
    // Ex 6 reply: one move handle.
    let m = decode_hex(ex_hex(6, 1));
    assert_eq!(m.move_handles, vec![0x0001_000f]);
    assert!(!m.special_header, "implied by the handle, so omitted");
    assert!(!m.to_json().contains("special_header"));
}

#[test]
fn trailing_bytes_reported_and_ignored_by_encode() {
    let mut bytes = hex::decode(ex_hex(1, 0)).unwrap();
    bytes.resize(0x100, 0);
    let m = MessageJson::decode(&bytes).unwrap();
    assert_eq!(m.trailing_bytes, 0xf8);
    assert!(m.to_json().ends_with(r#""c": [], "trailing_bytes": 248}"#));
    assert_eq!(hex::encode(&m.to_bytes().unwrap()), ex_hex(1, 0));
}

#[test]
fn truncated_bytes_name_the_section() {
    let mut bytes = hex::decode(ex_hex(4, 0)).unwrap();
    bytes.truncate(bytes.len() - 1);
    let err = MessageJson::decode(&bytes).unwrap_err();
    assert!(
        err.to_string().starts_with("section c does not fit"),
        "{err}"
    );
}

#[test]
fn key_order_and_optional_defaults() {
    let json = r#"{"c": [], "recv_list_count": 0, "raw_words": [7], "w": [], "b": [], "a": [],
        "x": [{"size": 1, "address": 2, "index": 3, "reserved": 0}],
        "move_handles": [], "copy_handles": [], "pid": null, "type": 9,
        "special_header": false, "recv_list_offset": 0, "trailing_bytes": 0,
        "reserved": {"header1": 0, "special": 0}}"#;
    let m = MessageJson::from_json(json).unwrap();
    assert_eq!(m.tag, 9);
    assert_eq!(
        m.to_json(),
        r#"{"type": 9, "pid": null, "copy_handles": [], "move_handles": [], "x": [{"index": 3, "address": 2, "size": 1}], "a": [], "b": [], "w": [], "raw_words": [7], "recv_list_count": 0, "c": []}"#
    );
    // An empty reserved object is accepted too.
    let json = pairs()[0]
        .1
        .replace(r#""c": []"#, r#""c": [], "reserved": {}"#);
    assert!(MessageJson::from_json(&json).is_ok());
}

#[test]
fn trailing_bytes_in_input_is_ignored() {
    let json = pairs()[0]
        .1
        .replace(r#""c": []"#, r#""c": [], "trailing_bytes": 12"#);
    let bytes = MessageJson::from_json(&json).unwrap().to_bytes().unwrap();
    assert_eq!(hex::encode(&bytes), pairs()[0].0);
    let json = pairs()[0]
        .1
        .replace(r#""c": []"#, r#""c": [], "trailing_bytes": -1"#);
    assert!(encode_err(&json).starts_with("trailing_bytes: negative value -1"));
}

#[test]
fn special_header_explicit_false_with_handles_is_implied_true() {
    let json = pairs()[1]
        .1
        .replace(r#""c": [{"#, r#""special_header": false, "c": [{"#);
    let bytes = MessageJson::from_json(&json).unwrap().to_bytes().unwrap();
    assert_eq!(hex::encode(&bytes), pairs()[1].0);
}

#[test]
fn gap_is_zeroed_and_non_zero_gap_does_not_round_trip() {
    let mut bytes = hex::decode(pairs()[2].0).unwrap();
    bytes[24] = 0xAA; // first gap word
    let m = MessageJson::decode(&bytes).unwrap();
    assert_eq!(hex::encode(&m.to_bytes().unwrap()), pairs()[2].0);
}

#[test]
fn serde_deserialize_uses_the_same_rules() {
    let m: MessageJson = serde_json::from_str(pairs()[1].1).unwrap();
    assert_eq!(hex::encode(&m.to_bytes().unwrap()), pairs()[1].0);
    let bad = pairs()[1].1.replace(r#""size": 64"#, r#""size": -64"#);
    let err = serde_json::from_str::<MessageJson>(&bad).unwrap_err();
    assert!(
        err.to_string().starts_with("x[0].size: negative value -64"),
        "{err}"
    );
    // Works from a serde_json::Value too (for vector files that embed it).
    let value: serde_json::Value = serde_json::from_str(pairs()[2].1).unwrap();
    let m = MessageJson::deserialize(&value).unwrap();
    assert_eq!(hex::encode(&m.to_bytes().unwrap()), pairs()[2].0);
    // And serializes back to the same value.
    assert_eq!(serde_json::to_value(&m).unwrap(), value);
}

// --- values that do not fit their field, through the codec (to_bytes) ---

#[test]
fn out_of_range_fields_are_named_by_the_codec() {
    type Case = (fn(&mut MessageJson), &'static str);
    let cases: &[Case] = &[
        (
            |m| m.x[1].index = 16,
            "x[1].index: value 0x10 does not fit (largest is 0xf)",
        ),
        (
            |m| m.x[1].address = 1 << 39,
            "x[1].address: value 0x8000000000 does not fit (largest is 0x7fffffffff)",
        ),
        (
            |m| m.x[0].size = 0x1_0000,
            "x[0].size: value 0x10000 does not fit (largest is 0xffff)",
        ),
        (
            |m| m.x[1].reserved = 1,
            "x[1].reserved: value 0x00000001 sets bits outside the field (allowed bits 0x00000e30)",
        ),
        (
            |m| m.a[1].address = u64::MAX,
            "a[1].address: value 0xffffffffffffffff does not fit (largest is 0x7fffffffff)",
        ),
        (
            |m| m.a[0].size = 1 << 36,
            "a[0].size: value 0x1000000000 does not fit (largest is 0xfffffffff)",
        ),
        (
            |m| m.b[1].mode = 4,
            "b[1].mode: value 0x4 does not fit (largest is 0x3)",
        ),
        (
            |m| m.w[1].reserved = 0x10,
            "w[1].reserved: value 0x00000010 sets bits outside the field (allowed bits 0x00ffffe0)",
        ),
        (
            |m| m.w[0].address = 1 << 40,
            "w[0].address: value 0x10000000000 does not fit (largest is 0x7fffffffff)",
        ),
        (
            |m| m.c[1].address = 1 << 39,
            "c[1].address: value 0x8000000000 does not fit (largest is 0x7fffffffff)",
        ),
        (
            |m| m.c[0].size = 0x1_0000,
            "c[0].size: value 0x10000 does not fit (largest is 0xffff)",
        ),
        (
            |m| m.c[1].reserved = 0x1_0000,
            "c[1].reserved: value 0x00010000 sets bits outside the field (allowed bits 0x0000ff80)",
        ),
        (
            |m| m.recv_list_count = 16,
            "recv_list_count: value 0x10 does not fit (largest is 0xf)",
        ),
        (
            |m| m.recv_list_offset = 2048,
            "recv_list_offset: value 0x800 does not fit (largest is 0x7ff)",
        ),
        (
            |m| m.recv_list_offset = 3,
            "recv_list_offset 3 (words) points inside the message",
        ),
        (
            |m| m.reserved.header1 = 1,
            "reserved.header1: value 0x00000001 sets bits outside the field (allowed bits 0x000fc000)",
        ),
        (
            |m| m.reserved.special = 0x100,
            "reserved.special: value 0x00000100 sets bits outside the field (allowed bits 0xfffffe00)",
        ),
        (
            |m| m.x = vec![PointerJson::default(); 16],
            "x: 16 items given, the count field holds at most 15",
        ),
        (
            |m| m.copy_handles = vec![0; 16],
            "copy_handles: 16 items given, the count field holds at most 15",
        ),
        (
            |m| m.raw_words = vec![0; 1024],
            "raw_words: 1024 items given, the count field holds at most 1023",
        ),
        (
            |m| m.c.push(ReceiveJson::default()),
            "c: recv_list_count 4 implies 2 receive-list entries, 3 given",
        ),
        (
            |m| {
                m.pid = None;
                m.copy_handles.clear();
                m.move_handles.clear();
                m.reserved.special = 0x200;
            },
            "reserved.special: bits given but the message has no special header",
        ),
    ];
    assert!(full().to_bytes().is_ok());
    for (change, expected) in cases {
        let mut m = full();
        change(&mut m);
        let err = codec_err(&m);
        assert!(
            err.starts_with(expected),
            "{err:?} does not start with {expected:?}"
        );
    }
}

#[test]
fn largest_values_fit() {
    let mut m = full();
    m.tag = u16::MAX;
    m.pid = Some(u64::MAX);
    m.copy_handles = vec![u32::MAX; 15];
    m.x[0] = PointerJson {
        index: 15,
        address: (1 << 39) - 1,
        size: 0xffff,
        reserved: 0xe30,
    };
    m.a[0] = BufferJson {
        address: (1 << 39) - 1,
        size: (1 << 36) - 1,
        mode: 3,
        reserved: 0x00ff_ffe0,
    };
    m.c[0] = ReceiveJson {
        address: (1 << 39) - 1,
        size: 0xffff,
        reserved: 0xff80,
    };
    m.reserved = ReservedJson {
        header1: 0xf_c000,
        special: 0xffff_fe00,
    };
    m.recv_list_offset = 2047;
    let bytes = m.to_bytes().unwrap();
    let back = MessageJson::decode(&bytes).unwrap();
    assert_eq!(back, m);
}

// --- the text form: shape errors ---

/// Example 2 with `from` replaced by `to` (which must occur).
fn pair2_with(from: &str, to: &str) -> String {
    assert!(pairs()[1].1.contains(from), "{from}");
    pairs()[1].1.replacen(from, to, 1)
}

#[test]
fn out_of_range_in_text_are_named() {
    let cases = [
        (
            r#""type": 6"#,
            r#""type": 65536"#,
            "type: value 0x10000 does not fit (largest is 0xffff)",
        ),
        (
            r#""copy_handles": [4294934529]"#,
            r#""copy_handles": [4294967296]"#,
            "copy_handles[0]: value 0x100000000 does not fit (largest is 0xffffffff)",
        ),
        (
            r#""move_handles": [65538]"#,
            r#""move_handles": [1, 4294967296]"#,
            "move_handles[1]: value 0x100000000 does not fit",
        ),
        (
            r#""raw_words": [1, 2]"#,
            r#""raw_words": [1, 99999999999]"#,
            "raw_words[1]: value 0x174876e7ff does not fit (largest is 0xffffffff)",
        ),
        (
            r#""index": 1"#,
            r#""index": 256"#,
            "x[0].index: value 0x100 does not fit (largest is 0xf)",
        ),
        (
            r#""index": 1"#,
            r#""index": 16"#,
            "x[0].index: value 0x10 does not fit (largest is 0xf)",
        ),
        (
            r#""mode": 1"#,
            r#""mode": 1000"#,
            "a[0].mode: value 0x3e8 does not fit (largest is 0x3)",
        ),
        (
            r#""recv_list_count": 3"#,
            r#""recv_list_count": 300"#,
            "recv_list_count: value 0x12c does not fit (largest is 0xf)",
        ),
        (
            r#""c": [{"#,
            r#""recv_list_offset": 65536, "c": [{"#,
            "recv_list_offset: value 0x10000 does not fit (largest is 0x7ff)",
        ),
        (
            r#""size": 64"#,
            r#""size": 64, "reserved": 4294967296"#,
            "x[0].reserved: value 0x100000000 sets bits outside the field (allowed bits 0x00000e30)",
        ),
        (
            r#""c": [{"#,
            r#""reserved": {"header1": 4294967296}, "c": [{"#,
            "reserved.header1: value 0x100000000 sets bits outside the field",
        ),
        (
            r#""address": 78187493520"#,
            r#""address": 549755813888"#,
            "c[0].address: value 0x8000000000 does not fit (largest is 0x7fffffffff)",
        ),
    ];
    for (from, to, expected) in cases {
        let err = encode_err(&pair2_with(from, to));
        assert!(
            err.starts_with(expected),
            "{err:?} does not start with {expected:?}"
        );
    }
}

#[test]
fn negative_numbers_are_refused() {
    let err = encode_err(&pair2_with(
        r#""address": 545766266480"#,
        r#""address": -1"#,
    ));
    assert_eq!(
        err,
        "x[0].address: negative value -1: the field is an unsigned integer"
    );
    let err = encode_err(&pair2_with(r#""type": 6"#, r#""type": -6"#));
    assert!(err.starts_with("type: negative value -6"), "{err}");
    // Below i64::MIN serde_json reads a float; still negative.
    let err = encode_err(&pair2_with(
        r#""pid": 81985529216486895"#,
        r#""pid": -99999999999999999999"#,
    ));
    assert!(err.starts_with("pid: negative value"), "{err}");
}

#[test]
fn floats_are_refused() {
    for float in ["1.5", "1.0", "1e3", "0.0", "2E1"] {
        let err = encode_err(&pair2_with(
            r#""size": 512"#,
            &format!(r#""size": {float}"#),
        ));
        assert!(err.starts_with("c[0].size: "), "{err}");
        assert!(err.contains("is not an integer"), "{err}");
    }
}

#[test]
fn values_above_u64_are_refused() {
    for big in ["18446744073709551616", "99999999999999999999999", "1e30"] {
        let err = encode_err(&pair2_with(
            r#""pid": 81985529216486895"#,
            &format!(r#""pid": {big}"#),
        ));
        assert!(err.starts_with("pid: value "), "{err}");
        assert!(err.contains("does not fit in 64 bits"), "{err}");
    }
    let err = encode_err(&pair2_with(
        r#""address": 274877911040"#,
        r#""address": 18446744073709551616"#,
    ));
    assert!(
        err.starts_with("a[0].address: value 18446744073709552000 does not fit in 64 bits"),
        "{err}"
    );
}

#[test]
fn malformed_json_is_refused() {
    for text in [
        "",
        "{",
        r#"{"type": 4,}"#,
        "not json",
        &pairs()[0].1[..pairs()[0].1.len() - 1],
        &format!("{} {{}}", pairs()[0].1),
    ] {
        let err = MessageJson::from_json(text).unwrap_err();
        assert!(matches!(err, JsonError::Syntax(_)), "{text}: {err:?}");
        assert!(err.to_string().starts_with("malformed JSON: "), "{err}");
    }
}

#[test]
fn unknown_keys_are_refused() {
    let err = encode_err(&pair2_with(r#""type": 6"#, r#""type": 6, "tag": 6"#));
    assert!(
        err.starts_with(r#"tag: unknown key (allowed keys: type, pid, "#),
        "{err}"
    );
    let err = encode_err(&pair2_with(r#""size": 64"#, r#""size": 64, "counter": 1"#));
    assert_eq!(
        err,
        r#"x[0].counter: unknown key (allowed keys: index, address, size, reserved)"#
    );
    let err = encode_err(&pair2_with(r#""mode": 1"#, r#""mode": 1, "index": 0"#));
    assert!(err.starts_with(r#"a[0].index: unknown key"#), "{err}");
    let err = encode_err(&pair2_with(
        r#""c": [{"#,
        r#""reserved": {"header0": 1}, "c": [{"#,
    ));
    assert_eq!(
        err,
        r#"reserved.header0: unknown key (allowed keys: header1, special)"#
    );
}

#[test]
fn duplicate_keys_are_refused() {
    let err = encode_err(&pair2_with(r#""type": 6"#, r#""type": 6, "type": 7"#));
    assert_eq!(err, "type: duplicate key");
}

#[test]
fn missing_keys_are_named() {
    for key in [
        "type",
        "pid",
        "copy_handles",
        "move_handles",
        "x",
        "a",
        "b",
        "w",
        "raw_words",
        "recv_list_count",
        "c",
    ] {
        let mut value: serde_json::Value = serde_json::from_str(pairs()[0].1).unwrap();
        value.as_object_mut().unwrap().remove(key);
        let err = encode_err(&value.to_string());
        assert_eq!(err, format!("{key}: missing required key"));
    }
    let err = encode_err(&pair2_with(r#""size": 64"#, r#""sise": 64"#));
    assert!(err.starts_with(r#"x[0].sise: unknown key"#), "{err}");
    let err = encode_err(&pair2_with(r#", "mode": 1"#, ""));
    assert_eq!(err, "a[0].mode: missing required key");
}

#[test]
fn wrong_kinds_are_named() {
    let cases = [
        (
            r#""type": 6"#,
            r#""type": "6""#,
            "type: expected an unsigned integer, found a string",
        ),
        (
            r#""pid": 81985529216486895"#,
            r#""pid": true"#,
            "pid: expected an unsigned integer, found a boolean",
        ),
        (
            r#""b": []"#,
            r#""b": {}"#,
            "b: expected an array, found an object",
        ),
        (
            r#""b": []"#,
            r#""b": [7]"#,
            "b[0]: expected an object, found an integer",
        ),
        (
            r#""raw_words": [1, 2]"#,
            r#""raw_words": [1, null]"#,
            "raw_words[1]: expected an unsigned integer, found null",
        ),
        (
            r#""c": [{"#,
            r#""special_header": 1, "c": [{"#,
            "special_header: expected true or false, found an integer",
        ),
        (
            r#""c": [{"#,
            r#""reserved": [], "c": [{"#,
            "reserved: expected an object, found an array",
        ),
    ];
    for (from, to, expected) in cases {
        assert_eq!(encode_err(&pair2_with(from, to)), expected);
    }
    assert_eq!(encode_err("[]"), "expected an object, found an array");
}

#[test]
fn offset_without_entries_ends_at_the_raw_data() {
    // recv_list_offset 8 but count 1 (no entries): the message ends at the raw data,
    // so the word after it is trailing, and encoding gives the shorter bytes back.
    let m = decode_hex("040000000104800007000000aaaaaaaa");
    assert_eq!(m.recv_list_offset, 8);
    assert_eq!(m.trailing_bytes, 4);
    assert_eq!(
        hex::encode(&m.to_bytes().unwrap()),
        "040000000104800007000000"
    );
}

/// Reads and encodes `json`, returning the error.
fn encode_error(json: &str) -> JsonError {
    match MessageJson::from_json(json).and_then(|m| m.to_bytes()) {
        Ok(bytes) => panic!("{json} encoded to {}", hex::encode(&bytes)),
        Err(e) => e,
    }
}

#[test]
fn values_too_large_for_the_rust_type_are_the_codecs_errors() {
    use hipc::{Field, FieldPath, Section};
    // (the value too large for the Rust type, one that fits the type but not the field)
    let cases = [
        (r#""type": 6"#, r#""type": 65536"#, None),
        (r#""index": 1"#, r#""index": 256"#, Some(r#""index": 16"#)),
        (r#""mode": 1"#, r#""mode": 256"#, Some(r#""mode": 4"#)),
        (
            r#""recv_list_count": 3"#,
            r#""recv_list_count": 256"#,
            Some(r#""recv_list_count": 16"#),
        ),
        (
            r#""c": [{"#,
            r#""recv_list_offset": 65536, "c": [{"#,
            Some(r#""recv_list_offset": 2048, "c": [{"#),
        ),
    ];
    for (from, wide, narrow) in cases {
        let JsonError::Codec(wide_err) = encode_error(&pair2_with(from, wide)) else {
            panic!("{wide}: not a codec error")
        };
        assert_eq!(wide_err.kind(), "value_too_large", "{wide}");
        if let Some(narrow) = narrow {
            let JsonError::Codec(narrow_err) = encode_error(&pair2_with(from, narrow)) else {
                panic!("{narrow}: not a codec error")
            };
            // The same field, section and largest value as the codec says.
            assert_eq!(wide_err.field(), narrow_err.field(), "{wide}");
            assert_eq!(wide_err.section(), narrow_err.section(), "{wide}");
            let (Error::ValueTooLarge { max: a, .. }, Error::ValueTooLarge { max: b, .. }) =
                (wide_err, narrow_err)
            else {
                panic!("{wide}: {wide_err:?} / {narrow_err:?}")
            };
            assert_eq!(a, b, "{wide}");
        }
    }
    let JsonError::Codec(e) = encode_error(&pair2_with(r#""mode": 1"#, r#""mode": 256"#)) else {
        panic!()
    };
    assert_eq!(
        e.field(),
        Some(FieldPath {
            section: Some(Section::A),
            index: Some(0),
            field: Field::Mode
        })
    );
    // Reserved bits above bit 31: the codec's BitsOutsideField, the value as given.
    let err = encode_error(&pair2_with(
        r#""size": 64"#,
        r#""size": 64, "reserved": 4294967312"#,
    ));
    let JsonError::Wide { error, value } = err.clone() else {
        panic!("{err:?}")
    };
    assert_eq!(value, 0x1_0000_0010);
    assert_eq!(error.kind(), "bits_outside_field");
    assert_eq!(
        error.field().map(|f| f.to_string()).as_deref(),
        Some("x[0].reserved")
    );
    assert_eq!(
        err.to_string(),
        "x[0].reserved: value 0x100000010 sets bits outside the field (allowed bits 0x00000e30)"
    );
    // A handle word: named by its path.
    let err = encode_error(&pair2_with(
        r#""copy_handles": [4294934529]"#,
        r#""copy_handles": [4294967296]"#,
    ));
    assert!(
        matches!(&err, JsonError::WordTooLarge { path, section: Section::CopyHandles, value: 0x1_0000_0000 } if path == "copy_handles[0]"),
        "{err:?}"
    );
}
