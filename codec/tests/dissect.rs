//! The dissection (`Message::dissect`): one line per field with its byte offset
//! (wire-format.md §6 Ex 4 and message-json.md pair 3).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use common::hex;
use hipc::Message;

const EX4: &str = "0400010008080000402000019078563453464349000000000500000000000000000000000000000000000000000000000000002143000002";

/// The line of `text` that starts with `offset` and then the field `name`.
fn line_for<'t>(text: &'t str, offset: &str, name: &str) -> &'t str {
    text.lines()
        .find(|l| {
            let mut parts = l.split_whitespace();
            parts.next() == Some(offset) && parts.next() == Some(name)
        })
        .unwrap_or_else(|| panic!("no line `{offset} {name}` in:\n{text}"))
}

// wire-format.md §6 Ex 4: every field line with its byte offset and bytes.
#[test]
fn ex4_dissection_lines() {
    let bytes = hex(EX4);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let text = msg.dissect().to_string();
    println!("{text}");
    assert!(
        text.starts_with("HIPC message, 56 bytes (0x38)\n"),
        "{text}"
    );

    let l = line_for(&text, "0x0000", "header.word0");
    assert!(l.contains("04 00 01 00"), "{l}");
    assert!(l.contains("type=4 (Request) x=1 a=0 b=0 w=0"), "{l}");

    let l = line_for(&text, "0x0004", "header.word1");
    assert!(l.contains("08 08 00 00"), "{l}");
    assert!(l.contains("raw_words=8"), "{l}");
    assert!(l.contains("recv_list_count=2 (single buffer)"), "{l}");
    assert!(l.contains("recv_list_offset=0"), "{l}");
    assert!(l.contains("special_header=false"), "{l}");

    let l = line_for(&text, "0x0008", "x[0]");
    assert!(l.contains("40 20 00 01 90 78 56 34"), "{l}");
    assert!(
        l.contains("index=0 address=0x1234567890 size=0x100 reserved=0x0"),
        "{l}"
    );

    let l = line_for(&text, "0x0010", "raw_words[0]");
    assert!(l.contains("0x49434653 \"SFCI\""), "{l}");
    let l = line_for(&text, "0x0018", "raw_words[2]");
    assert!(l.contains("0x00000005"), "{l}");
    for i in 0..8 {
        line_for(
            &text,
            &format!("{:#06x}", 0x10 + 4 * i),
            &format!("raw_words[{i}]"),
        );
    }

    let l = line_for(&text, "0x0030", "c[0]");
    assert!(l.contains("00 00 00 21 43 00 00 02"), "{l}");
    assert!(
        l.contains("address=0x4321000000 size=0x200 reserved=0x0"),
        "{l}"
    );

    // Columns: offset, name padded to 16, bytes padded to 36, then the decoded
    // fields, always separated by whitespace and starting at the same column.
    let tokens: Vec<_> = line_for(&text, "0x0000", "header.word0")
        .split_whitespace()
        .collect();
    assert_eq!(tokens[2..6], ["04", "00", "01", "00"]);
    assert_eq!(tokens[6], "type=4");
    for l in text.lines().skip(1) {
        assert_eq!(l.find("  "), Some(6), "{l}");
        let decoded = &l[62..];
        assert!(
            !decoded.starts_with(' ') && l[..62].ends_with(' '),
            "decoded fields not at column 62: {l:?}"
        );
    }

    // No special header, PID, handles, A/B/W, gap or trailing lines.
    for absent in [
        "special_header ",
        "pid ",
        "copy_handles",
        "a[0]",
        "gap",
        "trailing",
    ] {
        assert!(
            !text
                .lines()
                .skip(1)
                .any(|l| l.split_whitespace().nth(1) == Some(absent.trim())),
            "unexpected `{absent}` line in:\n{text}"
        );
    }
    // 1 title + 2 header + 1 X + 8 raw + 1 C.
    assert_eq!(text.lines().count(), 13, "{text}");
}

// message-json.md pair 3, inside a padded buffer: special header, gap and trailing
// lines, reserved bits shown.
#[test]
fn pair3_dissection_with_gap_and_trailing() {
    let mut bytes =
        hex("10000100014880800000000032000800001000000700000000000000000000000020000000000001");
    bytes.resize(0x30, 0xFF);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let text = msg.dissect().to_string();
    println!("{text}");
    let l = line_for(&text, "0x0000", "header.word0");
    assert!(l.contains("type=16 (TIPC method 0)"), "{l}");
    let l = line_for(&text, "0x0004", "header.word1");
    assert!(
        l.contains("recv_list_offset=8 reserved=0x4000 special_header=true"),
        "{l}"
    );
    let l = line_for(&text, "0x0008", "special_header");
    assert!(l.contains("pid=false copy=0 move=0 reserved=0x0"), "{l}");
    let l = line_for(&text, "0x000c", "x[0]");
    assert!(
        l.contains("index=2 address=0x1000 size=0x8 reserved=0x30"),
        "{l}"
    );
    line_for(&text, "0x0014", "raw_words[0]");
    let l = line_for(&text, "0x0018", "gap");
    assert!(l.contains("8 bytes before the receive list"), "{l}");
    let l = line_for(&text, "0x0020", "c[0]");
    assert!(l.contains("address=0x2000 size=0x100"), "{l}");
    let l = line_for(&text, "0x0028", "trailing:");
    assert!(l.contains("8 bytes after the end of the message"), "{l}");
}

// wire-format.md §6 Ex 3: PID and handle lines.
#[test]
fn ex3_dissection_pid_and_handles() {
    let bytes = hex(
        "040000000800008023000000510000000000000034120000785600000000000053464349000000000300000000000000000000000000000000000000",
    );
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let text = msg.dissect().to_string();
    let l = line_for(&text, "0x0008", "special_header");
    assert!(l.contains("pid=true copy=1 move=1"), "{l}");
    let l = line_for(&text, "0x000c", "pid");
    assert!(l.contains("51 00 00 00 00 00 00 00"), "{l}");
    assert!(l.contains("81 (0x51)"), "{l}");
    let l = line_for(&text, "0x0014", "copy_handles[0]");
    assert!(l.contains("0x00001234"), "{l}");
    let l = line_for(&text, "0x0018", "move_handles[0]");
    assert!(l.contains("0x00005678"), "{l}");
}

// wire-format.md §6 Ex 5: A/B/W lines with attributes.
#[test]
fn ex5_dissection_map_alias() {
    let bytes = hex(
        "040010110800000000100000006045231c00001100200000000000800100005000f0ffff000000001300000f0000000053464349000000000700000000000000000000000000000000000000",
    );
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let text = msg.dissect().to_string();
    let l = line_for(&text, "0x0008", "a[0]");
    assert!(
        l.contains("address=0x7123456000 size=0x100001000 mode=0 (Ipc)"),
        "{l}"
    );
    let l = line_for(&text, "0x0014", "b[0]");
    assert!(l.contains("mode=1 (NonSecureIpc)"), "{l}");
    let l = line_for(&text, "0x0020", "w[0]");
    assert!(l.contains("size=0xffffff000 mode=3 (NonDeviceIpc)"), "{l}");
}
