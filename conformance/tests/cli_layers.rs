//! End-to-end tests of `hipc decode --cmif/--domain/--tipc` and of `hipc encode` with
//! the layer keys (wire-format.md §2, §3, worked examples of §6).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const EX2: &str = "040000000a000000000000000000000053464349000000000100000000000000efbeadde010000000000000000000000";
const EX6_REQUEST: &str = "11000000020000006673702d73727600";
const EX6_REPLY: &str = "1100000001000080200000000f00010000000000";
const EX7: &str = "040000000e000000000000000000000001011400010000000000000000000000534643490000000002000000000000002a000000050000000000000000000000";
const EX7_CLOSE: &str =
    "04000000080000000000000000000000020000000100000000000000000000000000000000000000";
const EX8: &str = "040000000a0c0000000000000000000053464349000000000a00000000000000070000000000000000000000800000000000402301008000";
const EX9_REQUEST: &str =
    "05000000080000000000000000000000534643490000000000000000000000000000000000000000";
const EX9_REPLY: &str = "000000000800008020000000020001005346434f00000000000000000000000000000000000000000000000000000000";
const EX10: &str = "000000000d0000000000000000000000010000000000000000000000000000005346434f000000000000000000000000020000000000000000000000";
const EMPTY: &str = r#""type": 4, "pid": null, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "recv_list_count": 0, "c": []"#;

fn hipc(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hipc"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hipc");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = hipc(args, None);
    assert!(
        out.status.success(),
        "hipc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fail(args: &[&str]) -> String {
    let out = hipc(args, None);
    assert!(!out.status.success(), "hipc {args:?} should fail");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

/// Decodes with the layer, then encodes the JSON (with raw_words, and again without
/// them) and gets the same bytes.
fn round_trip(flags: &[&str], hex: &str) -> Value {
    let mut args = vec!["decode", "--json"];
    args.extend_from_slice(flags);
    args.push(hex);
    let line = ok(&args);
    assert_eq!(
        ok(&["encode", line.trim_end()]).trim_end(),
        hex,
        "with raw_words"
    );
    let mut value: Value = serde_json::from_str(line.trim_end()).unwrap();
    value.as_object_mut().unwrap().remove("raw_words");
    let text = value.to_string();
    assert_eq!(
        ok(&["encode", &text]).trim_end(),
        hex,
        "without raw_words: {text}"
    );
    value
}

/// wire-format.md §6 Ex 2: the cmif object and the payload to the end of the raw data.
#[test]
fn ex2_cmif_json() {
    let v = round_trip(&["--cmif"], EX2);
    assert_eq!(
        v["cmif"].to_string(),
        r#"{"command_id":1,"magic":1229145683,"payload":"efbeadde010000000000000000000000","token":0,"version":0}"#
    );
    let line = ok(&["decode", "--cmif", "--json", EX2]);
    assert!(line.contains(r#""cmif": {"magic": 1229145683, "version": 0, "command_id": 1, "token": 0, "payload": "efbeadde010000000000000000000000"}"#), "{line}");
}

/// wire-format.md §6 Ex 7: a domain request; the payload is exactly data_size − 16.
#[test]
fn ex7_domain_json() {
    let v = round_trip(&["--cmif", "--domain"], EX7);
    assert_eq!(v["cmif"]["payload"], "2a000000");
    assert_eq!(
        v["cmif"]["domain"].to_string(),
        r#"{"data_size":20,"in_objects":[5],"num_in_objects":1,"object_id":1,"token":0,"type":1}"#
    );
    // Without --domain the domain header is where SFCI should be.
    let err = fail(&["decode", "--cmif", EX7]);
    assert!(
        err.starts_with("error: cmif: bad magic 0x00140101"),
        "{err}"
    );
}

/// wire-format.md §6 Ex 7: the domain Close has only the domain header.
#[test]
fn ex7_domain_close_json() {
    let v = round_trip(&["--cmif", "--domain"], EX7_CLOSE);
    assert_eq!(
        v["cmif"].to_string(),
        r#"{"domain":{"data_size":0,"in_objects":[],"num_in_objects":0,"object_id":1,"token":0,"type":2}}"#
    );
}

/// wire-format.md §6 Ex 8: the size table at R + 36.
#[test]
fn ex8_size_table() {
    let v = round_trip(&["--cmif", "--size-table", "4,1"], EX8);
    assert_eq!(
        v["cmif"]["size_table"].to_string(),
        r#"{"data_size":4,"sizes":[128]}"#
    );
    let text = ok(&["decode", "--cmif", "--size-table", "4,1", EX8]);
    assert!(text.contains("0x002c  size_table       0x80"), "{text}");
    let err = fail(&["decode", "--cmif", "--size-table", "4,3", EX8]);
    assert!(
        err.contains("out-pointer size table (3 u16 at raw-data offset 0x24)"),
        "{err}"
    );
}

/// wire-format.md §6 Ex 9 and Ex 10: a control request (also on a domain session),
/// a reply with a move handle, a domain reply.
#[test]
fn ex9_ex10() {
    for flags in [&["--cmif"][..], &["--cmif", "--domain"][..]] {
        let v = round_trip(flags, EX9_REQUEST);
        assert_eq!(v["cmif"]["command_id"], 0);
        assert!(v["cmif"].get("domain").is_none());
    }
    let text = ok(&["decode", "--cmif", "--domain", EX9_REQUEST]);
    assert!(
        text.contains("command_id=0 (ConvertCurrentObjectToDomain)"),
        "{text}"
    );
    assert!(
        text.contains("control requests carry no domain header"),
        "{text}"
    );
    let v = round_trip(&["--cmif"], EX9_REPLY);
    assert_eq!(v["cmif"]["result"], 0);
    assert!(v["cmif"].get("command_id").is_none());
    let v = round_trip(&["--cmif", "--domain"], EX10);
    assert_eq!(v["cmif"]["domain"].to_string(), r#"{"num_out_objects":1}"#);
    assert_eq!(v["cmif"]["payload"], "020000000000000000000000");
}

/// wire-format.md §6 Ex 6: TIPC request and reply.
#[test]
fn ex6_tipc() {
    let v = round_trip(&["--tipc"], EX6_REQUEST);
    assert_eq!(
        v["tipc"].to_string(),
        r#"{"command_id":1,"payload":"6673702d73727600"}"#
    );
    let v = round_trip(&["--tipc", "--response"], EX6_REPLY);
    assert_eq!(
        v["tipc"].to_string(),
        r#"{"command_id":1,"payload":"","result":0}"#
    );
    let v = round_trip(&["--tipc"], "0f00000000000000");
    assert_eq!(v["tipc"].to_string(), r#"{"close":true}"#);
    let text = ok(&["decode", "--tipc", EX6_REQUEST]);
    assert!(text.contains("TIPC request, tag 17, method 1"), "{text}");
    assert!(
        text.contains("0x0008  payload          66 73 70 2d 73 72 76 00 (8 bytes)"),
        "{text}"
    );
}

/// wire-format.md §3: TIPC's stricter header rules and tags.
#[test]
fn tipc_errors() {
    let err = fail(&["decode", "--tipc", EX2]);
    assert_eq!(
        err,
        "error: tipc: tag 4 is not a TIPC request (methods are tag 16 and above, 15 is CloseSession)\n"
    );
    let err = fail(&["decode", "--tipc", "0f0000000100000000000000"]);
    assert!(err.contains("CloseSession must be exactly"), "{err}");
}

/// The dissection shows both layers with offsets.
#[test]
fn dissection() {
    let text = ok(&["decode", "--cmif", "--domain", EX7]);
    assert!(text.starts_with("HIPC message, 64 bytes"), "{text}");
    for needle in [
        "CMIF request, tag 4 (Request) (domain), data at 0x0010 (raw data at 0x0008, padding 8)",
        "0x0010  domain           type=1 (SendMessage) num_in_objects=1 data_size=0x14 object_id=1 token=0x0",
        "0x0020  sfci             magic=0x49434653 version=0 command_id=2 token=0x0",
        "0x0030  payload          2a 00 00 00 (4 bytes)",
        "0x0034  in_objects       5",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let text = ok(&["decode", "--cmif", "0200000000000000"]);
    assert!(text.contains("CMIF Close (tag 2)"), "{text}");
}

/// Layer errors are the codec's, with their messages; line mode continues.
#[test]
fn errors_and_line_mode() {
    let err = fail(&[
        "decode",
        "--cmif",
        "040000000400000000000000000000000000000000000000",
    ]);
    assert_eq!(
        err,
        "error: cmif: the raw data holds 0x10 bytes, the CMIF headers need 0x20 (16 bytes of padding budget plus the headers)\n"
    );
    let err = fail(&["decode", "--cmif", "0300000000000000"]);
    assert!(
        err.contains("tag 3 (LegacyControl) is not a CMIF request"),
        "{err}"
    );
    let out = hipc(
        &["decode", "--cmif", "--json"],
        Some(&format!("{EX2}\n0300000000000000\n{EX9_REPLY}\n")),
    );
    assert!(!out.status.success());
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].contains(r#""command_id": 1"#));
    assert!(
        lines[1].starts_with(r#"{"error": "cmif: tag 3"#),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(r#""result": 0"#));
    // Flag combinations.
    let err = fail(&["decode", "--response", EX2]);
    assert_eq!(err, "error: --response needs --cmif or --tipc\n");
    assert!(!hipc(&["decode", "--domain", EX2], None).status.success());
    assert!(
        !hipc(&["decode", "--cmif", "--tipc", EX2], None)
            .status
            .success()
    );
    assert!(
        !hipc(&["decode", "--cmif", "--size-table", "4", EX2], None)
            .status
            .success()
    );
}

/// Encode: building from the layer keys, and refusing keys that disagree.
#[test]
fn encode_layers() {
    // Ex 7 built from its fields alone (counts and data_size implied).
    let text = format!(
        r#"{{{EMPTY}, "cmif": {{"command_id": 2, "payload": "2a000000", "domain": {{"object_id": 1, "in_objects": [5]}}}}}}"#
    );
    assert_eq!(ok(&["encode", &text]).trim_end(), EX7);
    // A domain Close from its object id.
    let text = format!(r#"{{{EMPTY}, "cmif": {{"domain": {{"type": 2, "object_id": 1}}}}}}"#);
    assert_eq!(ok(&["encode", &text]).trim_end(), EX7_CLOSE);
    // TIPC from its method id (the tag must agree).
    let text = r#"{"type": 17, "pid": null, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "recv_list_count": 0, "c": [], "tipc": {"command_id": 1, "payload": "6673702d73727600"}}"#;
    assert_eq!(ok(&["encode", text]).trim_end(), EX6_REQUEST);
    let wrong_tag = text.replace(r#""type": 17"#, r#""type": 18"#);
    let err = fail(&["encode", &wrong_tag]);
    assert_eq!(
        err,
        "error: tipc.command_id: 1 disagrees with the raw data, which holds 2 (give raw_words or this key, or make them agree)\n"
    );
    // raw_words and a disagreeing key.
    let decoded = ok(&["decode", "--cmif", "--json", EX2]);
    let err = fail(&["encode", &decoded.replace(r#""token": 0"#, r#""token": 5"#)]);
    assert!(err.starts_with("error: cmif.token: 5 disagrees"), "{err}");
    // A domain header on a control request is refused, as by the codec's builder.
    let text = format!(
        r#"{{{}, "cmif": {{"command_id": 0, "domain": {{"object_id": 1, "in_objects": []}}}}}}"#,
        EMPTY.replace(r#""type": 4"#, r#""type": 5"#)
    );
    assert_eq!(
        fail(&["encode", &text]),
        "error: cmif: a control request (tag 5) never carries a domain header\n"
    );
    // A payload that does not fill whole words.
    let text = format!(r#"{{{EMPTY}, "cmif": {{"command_id": 1, "payload": "ef"}}}}"#);
    assert!(fail(&["encode", &text]).starts_with("error: cmif.payload: 1 bytes"));
    // Shape errors name the key.
    let text = format!(r#"{{{EMPTY}, "cmif": {{"command_id": 1, "payload": "zz"}}}}"#);
    assert!(fail(&["encode", &text]).starts_with("error: cmif.payload: not hex"));
    let text = format!(r#"{{{EMPTY}, "cmif": {{"command": 1}}}}"#);
    assert!(fail(&["encode", &text]).starts_with("error: cmif.command: unknown key"));
    let text = format!(r#"{{{EMPTY}, "cmif": {{"command_id": 1}}, "tipc": {{"command_id": 1}}}}"#);
    assert!(fail(&["encode", &text]).contains("not both"));
    let text = format!(r#"{{{EMPTY}}}"#);
    assert!(fail(&["encode", &text]).contains("raw_words: missing required key"));
    let text = format!(r#"{{{EMPTY}, "cmif": {{"payload": ""}}}}"#);
    assert!(fail(&["encode", &text]).contains("cmif.command_id: missing required key"));
}

/// Issue 13: a CMIF or TIPC message may leave out the HIPC keys (no handles, no
/// descriptors; `type` from the layer), and the unknown-key error lists the layer keys.
#[test]
fn layer_only_messages_and_the_allowed_keys() {
    let text = r#"{"cmif": {"command_id": 1, "payload": "efbeadde010000000000000000000000"}}"#;
    assert_eq!(ok(&["encode", text]).trim_end(), EX2);
    let text = r#"{"tipc": {"command_id": 1, "payload": "6673702d73727600"}}"#;
    assert_eq!(ok(&["encode", text]).trim_end(), EX6_REQUEST);
    let text = r#"{"tipc": {"result": 0}}"#;
    assert!(fail(&["encode", text]).starts_with("error: type: missing required key"));
    let text = r#"{"cmif": {"command_id": 1}, "bogus": 1}"#;
    let err = fail(&["encode", text]);
    assert!(
        err.starts_with("error: bogus: unknown key (allowed keys: type, pid,")
            && err.contains(", cmif, tipc)"),
        "{err}"
    );
}

/// Issue 13: `data` is the in-data alone, laid out as libnx does (wire-format.md §2.1,
/// §2.3): the padding budget and the size table are added, as a libstratosphere server
/// expects; `payload` stays literal.
#[test]
fn cmif_data_is_laid_out_like_libnx() {
    // Ex 2 from its 8 bytes of in-data: the 16-byte budget is there.
    let text = r#"{"cmif": {"command_id": 1, "data": "efbeadde01000000"}}"#;
    assert_eq!(ok(&["encode", text]).trim_end(), EX2);
    // Ex 8 from its in-data and size table, with the C entry given.
    let text = r#"{"recv_list_count": 3, "c": [{"address": 4886364160, "size": 128}], "cmif": {"command_id": 10, "data": "07000000", "size_table": {"data_size": 4, "sizes": [128]}}}"#;
    assert_eq!(ok(&["encode", text]).trim_end(), EX8);
    // Ex 7 (a domain request) from its data.
    let text = r#"{"cmif": {"command_id": 2, "data": "2a000000", "domain": {"object_id": 1, "in_objects": [5]}}}"#;
    assert_eq!(ok(&["encode", text]).trim_end(), EX7);
    // A response from its out-data: the move handle and the budget.
    let text = r#"{"move_handles": [65538], "cmif": {"result": 0, "data": ""}}"#;
    assert_eq!(ok(&["encode", text]).trim_end(), EX9_REPLY);
    let text = r#"{"cmif": {"command_id": 1, "data": "00", "payload": "00"}}"#;
    assert!(fail(&["encode", text]).contains("not both"));
}

/// Issue 13: decoding with the wrong domain-ness says which flag to try; result codes
/// are shown with module, description and name.
#[test]
fn hints_and_result_names() {
    let err = fail(&["decode", "--cmif", EX7]);
    assert!(err.contains("try --domain"), "{err}");
    let err = fail(&["decode", "--cmif", "--domain", EX2]);
    assert!(err.contains("try without --domain"), "{err}");
    let text = ok(&["decode", "--cmif", EX9_REPLY]);
    assert!(text.contains("result=0x0 (success)"), "{text}");
    let reply = ok(&["encode", r#"{"cmif": {"result": 62977, "data": ""}}"#]);
    let text = ok(&["decode", "--cmif", reply.trim_end()]);
    assert!(
        text.contains("result=0xf601 (module 1, description 123: svc::SessionClosed)"),
        "{text}"
    );
    let text = ok(&["decode", "--tipc", "--response", "1100000001000000231e0000"]);
    assert!(
        text.contains("0x1e23 (module 35, description 15: tipc::InvalidMessageFormat)"),
        "{text}"
    );
}
