#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;
use crate::runner::Failure;
use crate::vector::{Test, load_str};

/// message-json.md pair 1.
const PAIR1_HEX: &str = "040000000400000053464349000000001100000000000000";
const PAIR1_JSON: &str = r#"{"type": 4, "pid": null, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "raw_words": [1229145683, 0, 17, 0], "recv_list_count": 0, "c": []}"#;

fn file(tests: &str) -> VectorFile {
    let text = format!(
        r#"{{"schema": "hipc-vectors/1", "kind": "codec", "topic": "t", "description": "d",
           "source": {{"spec": ["message-json.md"]}}, "notes": {{}},
           "groups": [{{"name": "g", "tests": [{tests}]}}]}}"#
    );
    let file = load_str("t.json", &text).unwrap();
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    file
}

fn run(test: &str) -> TestOutcome {
    let file = file(test);
    let Some(Test::Codec(t)) = file.tests().next() else {
        panic!("no codec test")
    };
    run_codec_test(&file, t)
}

fn test(result: &str, keys: &str) -> String {
    format!(r#"{{"id": "t-1", "comment": "c", "flags": [], "result": "{result}", {keys}}}"#)
}

fn failure(o: &TestOutcome) -> &Failure {
    assert_eq!(o.status, Status::Failed, "{o:?}");
    o.failure.as_ref().unwrap()
}

#[test]
fn a_worked_pair_passes() {
    let o = run(&test(
        "valid",
        &format!(r#""bytes": "{PAIR1_HEX}", "message": {PAIR1_JSON}"#),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    assert_eq!(o.id, "t-1");
    assert_eq!(o.file, "t.json");
}

#[test]
fn key_order_and_default_optional_keys_do_not_matter() {
    let json = r#"{"c": [], "recv_list_count": 0, "raw_words": [1229145683, 0, 17, 0], "w": [], "b": [], "a": [], "x": [], "move_handles": [], "copy_handles": [], "pid": null, "type": 4, "special_header": false, "recv_list_offset": 0, "reserved": {"header1": 0}}"#;
    let o = run(&test(
        "valid",
        &format!(r#""bytes": "{PAIR1_HEX}", "message": {json}"#),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
}

#[test]
fn trailing_bytes_are_decoded_and_left_out_of_the_encoding() {
    let json = PAIR1_JSON.replace("\"c\": []", "\"c\": [], \"trailing_bytes\": 4");
    let o = run(&test(
        "valid",
        &format!(r#""bytes": "{PAIR1_HEX}aabbccdd", "message": {json}"#),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    // Omitting trailing_bytes is a mismatch: decoding gives it.
    let o = run(&test(
        "valid",
        &format!(r#""bytes": "{PAIR1_HEX}aabbccdd", "message": {PAIR1_JSON}"#),
    ));
    let f = failure(&o);
    assert_eq!(f.field, "message.trailing_bytes");
    assert_eq!(f.op.as_deref(), Some("decode"));
}

#[test]
fn a_decoded_field_that_differs_is_named() {
    let json = PAIR1_JSON.replace("[1229145683, 0, 17, 0]", "[1229145683, 0, 18, 0]");
    let o = run(&test(
        "valid",
        &format!(r#""bytes": "{PAIR1_HEX}", "message": {json}"#),
    ));
    let f = failure(&o);
    assert_eq!(f.field, "message.raw_words[2]");
    assert_eq!(f.expected, "18 (0x12)");
    assert_eq!(f.actual, "17 (0x11)");
    assert!(
        o.reason
            .as_deref()
            .unwrap()
            .contains("message.raw_words[2]")
    );
}

#[test]
fn an_encoding_that_differs_names_the_byte_and_its_field() {
    let o = run(&test(
        "valid",
        &format!(
            r#""bytes": "{PAIR1_HEX}", "message": {PAIR1_JSON}, "encoded": "040000000400000053464349000000001200000000000000""#
        ),
    ));
    let f = failure(&o);
    assert_eq!(f.op.as_deref(), Some("encode"));
    assert_eq!(f.field, "bytes[0x10] (raw_words[2])");
    assert_eq!((f.expected.as_str(), f.actual.as_str()), ("0x12", "0x11"));
    assert!(f.expected_bytes.is_some() && f.actual_bytes.is_some());
}

#[test]
fn a_valid_test_that_does_not_decode_names_both() {
    let o = run(&test(
        "valid",
        &format!(r#""bytes": "0400000004000000", "message": {PAIR1_JSON}"#),
    ));
    let f = failure(&o);
    assert_eq!(f.field, "error");
    assert!(f.actual.contains("truncated"), "{f:?}");
    assert!(
        f.detail.as_deref().unwrap().contains("\"type\": 4"),
        "{f:?}"
    );
}

#[test]
fn decode_errors_match_kind_and_section() {
    let o = run(&test(
        "invalid",
        r#""bytes": "0400000004000000", "error": {"kind": "truncated", "section": "raw_words"}"#,
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    let o = run(&test(
        "invalid",
        r#""bytes": "0400000004000000", "error": {"kind": "truncated", "section": "c"}"#,
    ));
    let f = failure(&o);
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        ("error.section", "c", "raw_words")
    );
    let o = run(&test(
        "invalid",
        r#""bytes": "0400000004000000", "error": {"kind": "too_many_items"}"#,
    ));
    assert_eq!(failure(&o).field, "error.kind");
}

#[test]
fn an_invalid_test_that_decodes_names_both() {
    let o = run(&test(
        "invalid",
        &format!(r#""bytes": "{PAIR1_HEX}", "error": {{"kind": "truncated"}}"#),
    ));
    let f = failure(&o);
    assert_eq!(f.field, "error.kind");
    assert_eq!(f.actual, "the message decodes");
    assert!(f.detail.as_deref().unwrap().contains("1229145683"), "{f:?}");
    // The detail says which error, with its section and field.
    let o = run(&test(
        "invalid",
        &format!(
            r#""bytes": "{PAIR1_HEX}", "error": {{"kind": "value_too_large", "section": "x", "field": "x[0].size"}}"#
        ),
    ));
    assert!(
        failure(&o).detail.as_deref().unwrap().starts_with(
            "an invalid test: decoding should fail with value_too_large (section x) (field \
             x[0].size), but gives {"
        ),
        "{o:?}"
    );
    // A long message JSON is cut, and says so.
    let words = vec!["1229145683"; 100].join(", ");
    let long = format!("04000000{:02x}000000{}", 100, "53464349".repeat(100));
    let o = run(&test(
        "invalid",
        &format!(r#""bytes": "{long}", "error": {{"kind": "truncated"}}"#),
    ));
    let detail = failure(&o).detail.clone().unwrap();
    let json = detail.split_once("but gives ").unwrap().1;
    assert!(json.ends_with("...") && json.len() == 403, "{json}");
    assert!(json.contains(&words[..40]), "{json}");
}

#[test]
fn encode_errors_match_kind_and_field() {
    let json = PAIR1_JSON.replace(
        "\"x\": []",
        r#""x": [{"index": 0, "address": 549755813888, "size": 0}]"#,
    );
    let o = run(&test(
        "invalid",
        &format!(
            r#""message": {json}, "error": {{"kind": "value_too_large", "field": "x[0].address"}}"#
        ),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    let o = run(&test(
        "invalid",
        &format!(
            r#""message": {json}, "error": {{"kind": "value_too_large", "field": "x[0].size"}}"#
        ),
    ));
    let f = failure(&o);
    assert_eq!(
        (f.field.as_str(), f.actual.as_str()),
        ("error.field", "x[0].address")
    );
}

#[test]
fn json_shape_errors_are_kind_json() {
    let json = PAIR1_JSON.replace("\"type\": 4", "\"type\": -4");
    let o = run(&test(
        "invalid",
        &format!(r#""message": {json}, "error": {{"kind": "json", "field": "type"}}"#),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    let json = PAIR1_JSON.replace("\"x\": []", r#""x": [{"index": 0, "address": 1}]"#);
    let o = run(&test(
        "invalid",
        &format!(
            r#""message": {json}, "error": {{"kind": "json", "section": "x", "field": "x[0].size"}}"#
        ),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
}

#[test]
fn malformed_tests_are_vector_errors() {
    let o = run(&test("valid", r#""bytes": "zz", "message": {}"#));
    assert!(
        o.reason.as_deref().unwrap().contains("vector error"),
        "{o:?}"
    );
    let o = run(&test("valid", &format!(r#""bytes": "{PAIR1_HEX}""#)));
    assert!(
        o.reason.as_deref().unwrap().contains("needs \"message\""),
        "{o:?}"
    );
    let o = run(&test("invalid", &format!(r#""bytes": "{PAIR1_HEX}""#)));
    assert!(
        o.reason.as_deref().unwrap().contains("needs \"error\""),
        "{o:?}"
    );
    let o = run(&test("valid", r#""bytes": "00", "message": {"type": 1}"#));
    assert!(
        o.reason
            .as_deref()
            .unwrap()
            .contains("not a valid message JSON"),
        "{o:?}"
    );
}

/// wire-format.md §6 Ex 7: a domain request with one in-object.
const EX7_HEX: &str = "040000000e000000000000000000000001011400010000000000000000000000534643490000000002000000000000002a000000050000000000000000000000";
const EX7_JSON: &str = r#"{"type": 4, "pid": null, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "raw_words": [0, 0, 1310977, 1, 0, 0, 1229145683, 0, 2, 0, 42, 5, 0, 0], "recv_list_count": 0, "c": [], "cmif": {"magic": 1229145683, "version": 0, "command_id": 2, "token": 0, "payload": "2a000000", "domain": {"type": 1, "num_in_objects": 1, "data_size": 20, "object_id": 1, "token": 0, "in_objects": [5]}}}"#;
const CMIF_DOMAIN: &str = r#""layer": {"protocol": "cmif", "domain": true}"#;

#[test]
fn a_layer_test_passes() {
    let o = run(&test(
        "valid",
        &format!(r#"{CMIF_DOMAIN}, "bytes": "{EX7_HEX}", "message": {EX7_JSON}"#),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    // Without raw_words the raw data is built from the cmif object.
    let built = EX7_JSON.replace(
        r#""raw_words": [0, 0, 1310977, 1, 0, 0, 1229145683, 0, 2, 0, 42, 5, 0, 0], "#,
        "",
    );
    let o = run(&test(
        "valid",
        &format!(r#"{CMIF_DOMAIN}, "bytes": "{EX7_HEX}", "message": {built}"#),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
}

#[test]
fn a_layer_difference_is_named_by_its_path() {
    let json = EX7_JSON.replace(r#""in_objects": [5]"#, r#""in_objects": [6]"#);
    let o = run(&test(
        "valid",
        &format!(r#"{CMIF_DOMAIN}, "bytes": "{EX7_HEX}", "message": {json}"#),
    ));
    let f = failure(&o);
    assert_eq!(f.op.as_deref(), Some("decode"));
    assert_eq!(f.field, "message.cmif.domain.in_objects[0]");
    assert_eq!((f.expected.as_str(), f.actual.as_str()), ("6", "5"));
    // A key decoding gives that the vector leaves out is a difference too.
    let json = EX7_JSON.replace(r#""version": 0, "#, "");
    let o = run(&test(
        "valid",
        &format!(r#"{CMIF_DOMAIN}, "bytes": "{EX7_HEX}", "message": {json}"#),
    ));
    let f = failure(&o);
    assert_eq!(f.field, "message.cmif.version");
    assert_eq!((f.expected.as_str(), f.actual.as_str()), ("absent", "0"));
    // Read on a non-domain session, the domain header is where SFCI should be.
    let o = run(&test(
        "valid",
        &format!(r#""layer": {{"protocol": "cmif"}}, "bytes": "{EX7_HEX}", "message": {EX7_JSON}"#),
    ));
    let f = failure(&o);
    assert_eq!(f.field, "error");
    assert!(f.actual.contains("cmif_bad_magic"), "{f:?}");
    // A message without the layer object: the decoded one is not expected.
    let o = run(&test(
        "valid",
        &format!(r#"{CMIF_DOMAIN}, "bytes": "{PAIR1_HEX}", "message": {PAIR1_JSON}"#),
    ));
    assert_eq!(failure(&o).field, "error");
}

#[test]
fn layer_errors_match_kind_and_section() {
    let bad = EX7_HEX.replacen("53464349", "53464340", 1);
    let o = run(&test(
        "invalid",
        &format!(
            r#"{CMIF_DOMAIN}, "bytes": "{bad}", "error": {{"kind": "cmif_bad_magic", "section": "raw_words"}}"#
        ),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    // The same bytes decode without a layer.
    let o = run(&test(
        "invalid",
        &format!(r#""bytes": "{bad}", "error": {{"kind": "cmif_bad_magic"}}"#),
    ));
    assert_eq!(failure(&o).actual, "the message decodes");
    // Encoding: a layer key that disagrees with the raw data is json, naming it.
    let json = EX7_JSON.replace(r#""command_id": 2"#, r#""command_id": 3"#);
    let o = run(&test(
        "invalid",
        &format!(
            r#"{CMIF_DOMAIN}, "message": {json}, "error": {{"kind": "json", "field": "cmif.command_id"}}"#
        ),
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    let o = run(&test(
        "invalid",
        &format!(
            r#"{CMIF_DOMAIN}, "message": {json}, "error": {{"kind": "json", "field": "cmif.token"}}"#
        ),
    ));
    let f = failure(&o);
    assert_eq!(
        (f.field.as_str(), f.actual.as_str()),
        ("error.field", "cmif.command_id")
    );
}

#[test]
fn layer_keys_need_a_layer_test() {
    // Without "layer", "cmif" is an unknown key of the message JSON.
    let o = run(&test(
        "valid",
        &format!(r#""bytes": "{EX7_HEX}", "message": {EX7_JSON}"#),
    ));
    assert!(
        o.reason
            .as_deref()
            .unwrap()
            .contains("not a valid message JSON"),
        "{o:?}"
    );
    // An unknown key in "layer" is a load error.
    let text = format!(
        r#"{{"schema": "hipc-vectors/1", "kind": "codec", "topic": "t", "description": "d",
           "source": {{"spec": []}}, "notes": {{}},
           "groups": [{{"name": "g", "tests": [{}]}}]}}"#,
        test(
            "valid",
            &format!(
                r#""layer": {{"protocol": "cmif", "domian": true}}, "bytes": "{EX7_HEX}", "message": {EX7_JSON}"#
            )
        )
    );
    let file = load_str("t.json", &text).unwrap();
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
}

/// A request whose receive list is placed two words after its raw data, the two
/// words of the gap not zero: it decodes to `GAP_JSON`, which encodes the gap as
/// zeros (message-json.md).
const GAP_HEX: &str = "0400000001085000" /* header: 1 raw word, recv_list_count 2, offset 5 */;
const GAP_JSON: &str = r#"{"type": 4, "pid": null, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "raw_words": [17], "recv_list_count": 2, "recv_list_offset": 5, "c": [{"address": 0, "size": 0}]}"#;

#[test]
fn an_encoding_that_differs_says_what_it_was_compared_with() {
    let bytes = format!("{GAP_HEX}11000000aaaaaaaabbbbbbbb0000000000000000");
    let detail = |o: &TestOutcome| {
        let f = failure(o);
        assert_eq!(f.op.as_deref(), Some("encode"), "{o:?}");
        f.detail.clone().unwrap()
    };
    let o = run(&test(
        "valid",
        &format!(r#""bytes": "{bytes}", "message": {GAP_JSON}"#),
    ));
    assert_eq!(
        detail(&o),
        "encoding message gives 28 bytes, as expected, but not the bytes of bytes"
    );
    let o = run(&test(
        "valid",
        &format!(
            r#""bytes": "{bytes}ffff", "message": {}"#,
            GAP_JSON.replace("\"c\":", "\"trailing_bytes\": 2, \"c\":")
        ),
    ));
    assert_eq!(
        detail(&o),
        "encoding message gives 28 bytes, as expected, but not the bytes of bytes without \
         their trailing bytes"
    );
    let o = run(&test(
        "valid",
        &format!(
            r#""bytes": "{PAIR1_HEX}", "message": {PAIR1_JSON}, "encoded": "{PAIR1_HEX}00000000""#
        ),
    ));
    assert_eq!(
        detail(&o),
        "encoding message gives 0x18 bytes, encoded has 0x1c"
    );
}
