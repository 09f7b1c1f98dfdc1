//! End-to-end tests of the `hipc` command (decode and encode).
//!
//! Plain `std::process::Command` on the binary Cargo built for this test
//! (`CARGO_BIN_EXE_hipc`): feeding stdin and reading stdout, stderr and the exit
//! status is all these tests need, so `assert_cmd` would add dependencies for nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const PAIR1_HEX: &str = "040000000400000053464349000000001100000000000000";
const PAIR1_JSON: &str = r#"{"type": 4, "pid": null, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "raw_words": [1229145683, 0, 17, 0], "recv_list_count": 0, "c": []}"#;
const PAIR2_HEX: &str = "06001100020c008023000000efcdab89674523010180ffff02000100c1f140007056341200200000001000001100000101000000020000009078563412000002";
const PAIR2_JSON: &str = r#"{"type": 6, "pid": 81985529216486895, "copy_handles": [4294934529], "move_handles": [65538], "x": [{"index": 1, "address": 545766266480, "size": 64}], "a": [{"address": 274877911040, "size": 4294975488, "mode": 1}], "b": [], "w": [], "raw_words": [1, 2], "recv_list_count": 3, "c": [{"address": 78187493520, "size": 512}]}"#;
const PAIR3_HEX: &str =
    "10000100014880800000000032000800001000000700000000000000000000000020000000000001";
const PAIR3_JSON: &str = r#"{"type": 16, "pid": null, "copy_handles": [], "move_handles": [], "x": [{"index": 2, "address": 4096, "size": 8, "reserved": 48}], "a": [], "b": [], "w": [], "raw_words": [7], "recv_list_count": 2, "c": [{"address": 8192, "size": 256}], "special_header": true, "recv_list_offset": 8, "reserved": {"header1": 16384}}"#;

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
        let mut pipe = child.stdin.take().unwrap();
        let text = text.to_owned();
        // Write from a thread so a large input cannot deadlock against a full stdout.
        std::thread::spawn(move || pipe.write_all(text.as_bytes()).unwrap());
    }
    child.wait_with_output().expect("wait for hipc")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}
fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn decode_prints_the_dissection() {
    let o = hipc(&["decode", PAIR2_HEX], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("HIPC message, 64 bytes (0x40)\n"), "{out}");
    assert!(out.contains("type=6 (RequestWithContext)"), "{out}");
    assert!(
        out.contains("81985529216486895 (0x123456789abcdef)"),
        "{out}"
    );
    assert!(out.contains("c[0]"), "{out}");
    assert!(out.ends_with("size=0x200 reserved=0x0\n"), "{out}");
    assert_eq!(stderr(&o), "");
}

#[test]
fn decode_reports_trailing_bytes() {
    let padded = format!("{PAIR1_HEX}{}", "00".repeat(8));
    let o = hipc(&["decode", &padded], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("trailing: 8 bytes after the end of the message"),
        "{}",
        stdout(&o)
    );
    let o = hipc(&["decode", "--json", &padded], None);
    assert_eq!(
        stdout(&o),
        format!(
            "{}, \"trailing_bytes\": 8}}\n",
            &PAIR1_JSON[..PAIR1_JSON.len() - 1]
        )
    );
}

#[test]
fn decode_json_prints_the_spec_json() {
    for (hex, json) in [
        (PAIR1_HEX, PAIR1_JSON),
        (PAIR2_HEX, PAIR2_JSON),
        (PAIR3_HEX, PAIR3_JSON),
    ] {
        let o = hipc(&["decode", "--json", hex], None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(stdout(&o), format!("{json}\n"));
        // The flag may follow the argument too.
        let o = hipc(&["decode", hex, "--json"], None);
        assert_eq!(stdout(&o), format!("{json}\n"));
    }
}

#[test]
fn encode_prints_lowercase_hex() {
    for (hex, json) in [
        (PAIR1_HEX, PAIR1_JSON),
        (PAIR2_HEX, PAIR2_JSON),
        (PAIR3_HEX, PAIR3_JSON),
    ] {
        let o = hipc(&["encode", json], None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(stdout(&o), format!("{hex}\n"));
    }
}

#[test]
fn whitespace_and_prefix_are_tolerated() {
    let o = hipc(
        &[
            "decode",
            "--json",
            "  0x0400 0000\t04 00 00 00\n53464349000000001100000000000000 ",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("{PAIR1_JSON}\n"));
    let o = hipc(&["decode", "--json", &PAIR1_HEX.to_uppercase()], None);
    assert_eq!(stdout(&o), format!("{PAIR1_JSON}\n"));
}

#[test]
fn odd_length_is_an_error_on_stderr() {
    let o = hipc(&["decode", "04000"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "error: odd number of hex digits (5): the last byte is incomplete\n"
    );
    // The same form with --json.
    let o = hipc(&["decode", "--json", "04000"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).starts_with("error: odd number of hex digits"));
}

#[test]
fn single_argument_errors() {
    let o = hipc(&["decode", "04zz"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: invalid hex character 'z' at byte offset 2"),
        "{}",
        stderr(&o)
    );
    let o = hipc(&["decode", "04000000"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error: section header does not fit"));
    let o = hipc(&["decode", ""], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "error: empty input\n");
    let bad = PAIR2_JSON.replace("545766266480", "549755813888");
    let o = hipc(&["encode", &bad], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "error: x[0].address: value 0x8000000000 does not fit (largest is 0x7fffffffff)\n"
    );
    let o = hipc(&["encode", "{"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error: malformed JSON: "));
}

#[test]
fn decode_json_stdin_keeps_order_and_continues_after_failures() {
    let input = format!("{PAIR1_HEX}\nnot hex\n{PAIR2_HEX}\r\n\n0x{PAIR3_HEX}\n04000000");
    let o = hipc(&["decode", "--json"], Some(&input));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}");
    assert_eq!(lines[0], PAIR1_JSON);
    assert_eq!(
        lines[1],
        r#"{"error": "invalid hex character 'n' at byte offset 0 (expected 0-9, a-f, A-F or whitespace)"}"#
    );
    assert_eq!(lines[2], PAIR2_JSON);
    assert_eq!(lines[3], r#"{"error": "empty input"}"#);
    assert_eq!(lines[4], PAIR3_JSON);
    let last: serde_json::Value = serde_json::from_str(lines[5]).unwrap();
    assert!(
        last["error"]
            .as_str()
            .unwrap()
            .starts_with("section header does not fit")
    );
}

#[test]
fn encode_stdin_keeps_order_and_continues_after_failures() {
    let bad = PAIR2_JSON.replace(r#""mode": 1"#, r#""mode": 4"#);
    let input = format!("{PAIR1_JSON}\n{bad}\n{PAIR2_JSON}\n{{\"type\": -1}}\n{PAIR3_JSON}\n");
    let o = hipc(&["encode"], Some(&input));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        format!(
            "{PAIR1_HEX}\nerror: a[0].mode: value 0x4 does not fit (largest is 0x3)\n{PAIR2_HEX}\nerror: type: negative value -1: the field is an unsigned integer\n{PAIR3_HEX}\n"
        )
    );
}

#[test]
fn stdin_all_good_exits_zero() {
    let input = format!("{PAIR1_JSON}\n{PAIR2_JSON}\n{PAIR3_JSON}\n");
    let o = hipc(&["encode"], Some(&input));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("{PAIR1_HEX}\n{PAIR2_HEX}\n{PAIR3_HEX}\n")
    );
    let o = hipc(&["decode", "--json"], Some(&stdout(&o)));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), input);
    let o = hipc(&["decode"], Some(""));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn decode_stdin_dissections_are_separated_by_blank_lines() {
    let input = format!("{PAIR1_HEX}\n123\n{PAIR3_HEX}\n");
    let o = hipc(&["decode"], Some(&input));
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let blocks: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(blocks.len(), 4, "{out}"); // three blocks and the empty rest
    assert!(blocks[0].starts_with("HIPC message, 24 bytes"), "{out}");
    assert_eq!(
        blocks[1],
        "error: odd number of hex digits (3): the last byte is incomplete"
    );
    assert!(blocks[2].starts_with("HIPC message, 40 bytes"), "{out}");
    assert!(blocks[2].contains("gap"), "{out}");
    assert_eq!(blocks[3], "");
    // Each block is exactly the single-argument output.
    let single = hipc(&["decode", PAIR3_HEX], None);
    assert_eq!(format!("{}\n", blocks[2]), stdout(&single));
}

#[test]
fn usage_errors_exit_two() {
    let o = hipc(&[], None);
    assert_eq!(o.status.code(), Some(2));
    let o = hipc(&["decode", "--bogus"], None);
    assert_eq!(o.status.code(), Some(2));
    let o = hipc(&["decode", "--help"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("empty input"));
}

/// Line mode answers each line as soon as it is read, even when stdout is a pipe: a
/// co-process that writes one line and waits for the answer gets it (issue 13).
#[test]
fn line_mode_answers_each_line_before_the_next_is_written() {
    use std::io::{BufRead, BufReader};
    for (command, line, answer) in [
        ("decode", PAIR1_HEX, None),
        ("encode", PAIR1_JSON, Some(PAIR1_HEX)),
    ] {
        let mut args = vec![command];
        if command == "decode" {
            args.push("--json");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_hipc"))
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run hipc");
        let mut stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        for _ in 0..2 {
            // stdin stays open: without a flush per line this read would wait forever.
            writeln!(stdin, "{line}").unwrap();
            stdin.flush().unwrap();
            let mut got = String::new();
            out.read_line(&mut got).unwrap();
            match answer {
                Some(hex) => assert_eq!(got.trim_end(), hex),
                None => assert_eq!(got.trim_end(), PAIR1_JSON),
            }
        }
        drop(stdin);
        assert!(child.wait().unwrap().success());
    }
}
