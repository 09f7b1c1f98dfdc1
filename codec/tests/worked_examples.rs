//! Every worked example of wire-format.md §6 (Ex 1 through Ex 10) and the three
//! pairs of message-json.md, byte for byte in both directions: built with
//! `MessageRepr` and the descriptor constructors, `emit` must give exactly the
//! spec's hex; parsed from the spec's hex with `Message::new_checked`, every field
//! must read back as the spec states. The hex is read from the documents in
//! `docs/spec/` themselves (their `Hex:` lines and worked pairs), not from copies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use common::{SFCI, SFCO, emit, handles, hex, raw_u32s, to_hex, u32s, words};
use hipc::{
    BufferAttribute, BufferDescriptor, Message, MessageRepr, PointerDescriptor, ReceiveListEntry,
    ReceiveListMode,
};

/// wire-format.md, read at compile time: the expected bytes of §6 come from it.
const WIRE_FORMAT_MD: &str = include_str!("../../docs/spec/wire-format.md");

/// message-json.md, read at compile time: the worked pairs come from it.
const MESSAGE_JSON_MD: &str = include_str!("../../docs/spec/message-json.md");

/// The `k`-th (0-based) `Hex:` value under the heading `### Ex {example}:` of
/// wire-format.md §6 (the section ends at the next `##`/`###` heading). Panics,
/// naming the example, if the heading or that hex is missing.
fn ex_hex(example: u32, k: usize) -> &'static str {
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
    match hexes.get(k) {
        Some(hex_text) => {
            assert!(
                !hex_text.is_empty()
                    && hex_text
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "wire-format.md §6 Ex {example}: `Hex:` value {k} is not lowercase hex"
            );
            hex_text
        }
        None => panic!(
            "wire-format.md §6 Ex {example} has {} `Hex:` line(s), no value number {k}",
            hexes.len()
        ),
    }
}

/// The hex of worked pair `n` (1-based) of message-json.md: the first backticked
/// line of item `n. ` in the `## ` section whose heading mentions "worked pairs".
fn json_pair_hex(n: usize) -> &'static str {
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
    let first_code = item
        .take_while(|l| l.starts_with(' '))
        .find_map(|l| l.trim().strip_prefix('`')?.strip_suffix('`'));
    match first_code {
        Some(hex_text) => hex_text,
        None => panic!("message-json.md pair {n}: no backticked hex line"),
    }
}

/// Emits `repr`, compares with `expected_hex`, then parses the hex and checks that
/// the parsed message gives the same representation back and re-emits the same bytes.
fn check_both_ways(repr: &MessageRepr<'_>, expected_hex: &str) -> Vec<u8> {
    let bytes = emit(repr);
    assert_eq!(to_hex(&bytes), expected_hex, "emit differs from the spec");
    let spec = hex(expected_hex);
    let msg = Message::new_checked(&spec[..]).unwrap();
    assert_eq!(msg.message_len(), spec.len());
    assert_eq!(msg.trailing_len(), 0);
    assert_eq!(&msg.repr(), repr, "parsed repr differs");
    assert_eq!(emit(&msg.repr()), spec, "re-emit differs");
    spec
}

/// Common checks of a message with no special header, descriptors or receive list.
fn assert_plain<T: AsRef<[u8]>>(msg: &Message<T>) {
    assert!(msg.special_header().is_none());
    assert!(!msg.header().has_special_header());
    assert_eq!(msg.pid(), None);
    assert!(msg.copy_handles().is_empty());
    assert!(msg.move_handles().is_empty());
    assert!(msg.x_descriptors().is_empty());
    assert!(msg.a_descriptors().is_empty());
    assert!(msg.b_descriptors().is_empty());
    assert!(msg.w_descriptors().is_empty());
    assert!(msg.receive_list().is_empty());
    assert_eq!(msg.header().recv_list_count(), 0);
    assert_eq!(msg.header().recv_list_offset(), 0);
    assert_eq!(msg.header().reserved(), 0);
}

// wire-format.md §6 Ex 1: empty request, and the bare HIPC Close (tag 2).
#[test]
fn ex1_empty_request_and_bare_close() {
    let repr = MessageRepr {
        tag: 4,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(1, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_eq!(msg.header().tag(), 4);
    assert_eq!(msg.header().raw_words(), 0);
    assert!(msg.raw().is_empty());
    assert_plain(&msg);
    assert_eq!(msg.message_len(), 8);

    let close = MessageRepr {
        tag: 2,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&close, ex_hex(1, 1));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_eq!(msg.header().tag(), 2);
    assert_plain(&msg);
}

// wire-format.md §6 Ex 2: CMIF request, command 1, 8-byte payload, 10 raw words.
#[test]
fn ex2_cmif_request_with_payload() {
    let raw_words = [0, 0, SFCI, 0, 1, 0, 0xDEAD_BEEF, 1, 0, 0];
    let raw = words(&raw_words);
    let repr = MessageRepr {
        tag: 4,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(2, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_plain(&msg);
    assert_eq!(msg.header().tag(), 4);
    assert_eq!(msg.header().raw_words(), 10);
    assert_eq!(msg.layout().raw_index(), 2);
    assert_eq!(msg.layout().raw(), 8..48);
    assert_eq!(raw_u32s(&msg), raw_words);
    assert_eq!(msg.message_len(), 48);
}

// wire-format.md §6 Ex 3: PID + 1 copy + 1 move handle, CMIF command 3.
#[test]
fn ex3_pid_copy_move() {
    let copy = handles(&[0x1234]);
    let moves = handles(&[0x5678]);
    let raw_words = [0, SFCI, 0, 3, 0, 0, 0, 0];
    let raw = words(&raw_words);
    let repr = MessageRepr {
        tag: 4,
        pid: Some(0x51),
        copy_handles: &copy,
        move_handles: &moves,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(3, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let h = msg.header();
    assert_eq!(h.tag(), 4);
    assert!(h.has_special_header());
    assert_eq!(h.raw_words(), 8);
    assert_eq!(h.word1.get(), 0x8000_0008);
    let s = msg.special_header().unwrap();
    assert_eq!(s.word.get(), 0x23);
    assert!(s.has_pid());
    assert_eq!((s.copy_count(), s.move_count(), s.reserved()), (1, 1, 0));
    assert_eq!(msg.layout().pid(), Some(12..20), "PID at unaligned byte 12");
    assert_eq!(msg.pid(), Some(0x51));
    assert_eq!(u32s(msg.copy_handles()), [0x1234]);
    assert_eq!(u32s(msg.move_handles()), [0x5678]);
    assert_eq!(msg.layout().raw_index(), 7);
    assert_eq!(raw_u32s(&msg), raw_words);
    assert!(msg.x_descriptors().is_empty() && msg.receive_list().is_empty());
    assert_eq!(msg.message_len(), 60);
}

// wire-format.md §6 Ex 4: one X + one C (mode 2), CMIF command 5.
#[test]
fn ex4_x_and_c_mode2() {
    let x = [PointerDescriptor::new(0x12_3456_7890, 0x100, 0).unwrap()];
    let c = [ReceiveListEntry::new(0x43_2100_0000, 0x200).unwrap()];
    let raw_words = [SFCI, 0, 5, 0, 0, 0, 0, 0];
    let raw = words(&raw_words);
    let repr = MessageRepr {
        tag: 4,
        x: &x,
        raw: &raw,
        recv_list_count: 2,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(4, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let h = msg.header();
    assert_eq!((h.word0.get(), h.word1.get()), (0x0001_0004, 0x0000_0808));
    assert_eq!(h.x_count(), 1);
    assert_eq!(h.recv_list_count(), 2);
    assert_eq!(h.recv_list_mode(), ReceiveListMode::SingleBuffer);
    let xd = msg.x_descriptors()[0];
    assert_eq!(xd.word0.get(), 0x0100_2040);
    assert_eq!(xd.address_low.get(), 0x3456_7890);
    assert_eq!(
        (xd.index(), xd.address(), xd.size(), xd.reserved()),
        (0, 0x12_3456_7890, 0x100, 0)
    );
    assert_eq!(raw_u32s(&msg), raw_words);
    assert_eq!(msg.layout().receive_list_index(), 12);
    assert_eq!(msg.layout().receive_list(), 48..56);
    let cd = msg.receive_list()[0];
    assert_eq!(
        (cd.address_low.get(), cd.word1.get()),
        (0x2100_0000, 0x0200_0043)
    );
    assert_eq!(
        (cd.address(), cd.size(), cd.reserved()),
        (0x43_2100_0000, 0x200, 0)
    );
    assert_eq!(msg.message_len(), 56);
}

// wire-format.md §6 Ex 5: A + B + W with high address bits and size_high, command 7.
#[test]
fn ex5_a_b_w_high_bits() {
    let a = [BufferDescriptor::new(0x71_2345_6000, 0x1_0000_1000, BufferAttribute::Ipc).unwrap()];
    let b = [BufferDescriptor::new(0x05_8000_0000, 0x2000, BufferAttribute::NonSecureIpc).unwrap()];
    let w = [
        BufferDescriptor::new(0x40_0000_0000, 0xF_FFFF_F000, BufferAttribute::NonDeviceIpc)
            .unwrap(),
    ];
    let raw_words = [0, SFCI, 0, 7, 0, 0, 0, 0];
    let raw = words(&raw_words);
    let repr = MessageRepr {
        tag: 4,
        a: &a,
        b: &b,
        w: &w,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(5, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let h = msg.header();
    assert_eq!(h.word0.get(), 0x1110_0004);
    assert_eq!((h.a_count(), h.b_count(), h.w_count()), (1, 1, 1));
    let ad = msg.a_descriptors()[0];
    assert_eq!(
        (ad.size_low.get(), ad.address_low.get(), ad.word2.get()),
        (0x1000, 0x2345_6000, 0x1100_001C)
    );
    assert_eq!(
        (ad.address(), ad.size(), ad.mode(), ad.reserved()),
        (0x71_2345_6000, 0x1_0000_1000, 0, 0)
    );
    assert_eq!(ad.attribute(), BufferAttribute::Ipc);
    let bd = msg.b_descriptors()[0];
    assert_eq!(bd.word2.get(), 0x5000_0001);
    assert_eq!(
        (bd.address(), bd.size(), bd.mode()),
        (0x05_8000_0000, 0x2000, 1)
    );
    assert_eq!(bd.attribute(), BufferAttribute::NonSecureIpc);
    let wd = msg.w_descriptors()[0];
    assert_eq!(wd.word2.get(), 0x0F00_0013);
    assert_eq!(
        (wd.address(), wd.size(), wd.mode()),
        (0x40_0000_0000, 0xF_FFFF_F000, 3)
    );
    assert_eq!(wd.attribute(), BufferAttribute::NonDeviceIpc);
    assert_eq!(msg.map_alias_descriptors(), [ad, bd, wd]);
    assert_eq!(msg.layout().raw_index(), 11);
    assert_eq!(raw_u32s(&msg), raw_words);
    assert_eq!(msg.message_len(), 76);
}

// wire-format.md §6 Ex 6: TIPC request (sm GetServiceHandle, method 1).
#[test]
fn ex6_tipc_request() {
    let raw = *b"fsp-srv\0";
    let repr = MessageRepr {
        tag: 17,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(6, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_plain(&msg);
    assert_eq!(msg.header().tag(), 17);
    assert_eq!(hipc::tag_name(17).to_string(), "TIPC method 1");
    assert_eq!(raw_u32s(&msg), [0x2D70_7366, 0x0076_7273]);
    assert_eq!(msg.raw(), b"fsp-srv\0");
}

// wire-format.md §6 Ex 6: the TIPC reply (tag echoed, one move handle, result 0).
#[test]
fn ex6_tipc_reply() {
    let moves = handles(&[0x0001_000F]);
    let raw = words(&[0]);
    let repr = MessageRepr {
        tag: 17,
        move_handles: &moves,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(6, 1));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let h = msg.header();
    assert_eq!(
        (h.tag(), h.raw_words(), h.has_special_header()),
        (17, 1, true)
    );
    let s = msg.special_header().unwrap();
    assert_eq!(s.word.get(), 0x20);
    assert!(!s.has_pid());
    assert_eq!(msg.pid(), None);
    assert!(msg.copy_handles().is_empty());
    assert_eq!(u32s(msg.move_handles()), [0x0001_000F]);
    assert_eq!(msg.layout().raw_index(), 4);
    assert_eq!(raw_u32s(&msg), [0]);
}

// wire-format.md §6 Ex 7: CMIF domain request (object 1, one in-object, command 2).
#[test]
fn ex7_domain_request() {
    let raw_words = [0, 0, 0x0014_0101, 1, 0, 0, SFCI, 0, 2, 0, 0x2A, 5, 0, 0];
    let raw = words(&raw_words);
    let repr = MessageRepr {
        tag: 4,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(7, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_plain(&msg);
    assert_eq!(msg.header().raw_words(), 14);
    assert_eq!(raw_u32s(&msg), raw_words);
    assert_eq!(msg.message_len(), 64);
}

// wire-format.md §6 Ex 7 (last paragraph): domain Close of object 1, libnx layout.
#[test]
fn ex7_domain_close() {
    let raw_words = [0, 0, 2, 1, 0, 0, 0, 0];
    let raw = words(&raw_words);
    let repr = MessageRepr {
        tag: 4,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    // The spec's word list: tag 4, raw_count 8, w4 = 2, w5 = 1, all else 0.
    let bytes = check_both_ways(&repr, ex_hex(7, 1));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_plain(&msg);
    assert_eq!(msg.header().tag(), 4);
    assert_eq!(msg.header().raw_words(), 8);
    assert_eq!(raw_u32s(&msg), raw_words);
    assert_eq!(msg.message_len(), 40);
}

// wire-format.md §6 Ex 8: out pointer with u16 size table, receive-list mode 3.
#[test]
fn ex8_size_table_mode3() {
    let raw_words = [0, 0, SFCI, 0, 10, 0, 7, 0, 0, 0x80];
    let raw = words(&raw_words);
    let c = [ReceiveListEntry::new(0x1_2340_0000, 0x80).unwrap()];
    let repr = MessageRepr {
        tag: 4,
        raw: &raw,
        recv_list_count: 3,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(8, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let h = msg.header();
    assert_eq!(h.word1.get(), 0x0000_0C0A);
    assert_eq!(h.recv_list_count(), 3);
    assert_eq!(h.recv_list_mode(), ReceiveListMode::Indexed { entries: 1 });
    assert_eq!(raw_u32s(&msg), raw_words);
    // The u16 table at byte R + 36 = 44.
    assert_eq!(&bytes[44..46], &0x80u16.to_le_bytes());
    assert_eq!(msg.layout().receive_list_index(), 12);
    let cd = msg.receive_list()[0];
    assert_eq!(
        (cd.address_low.get(), cd.word1.get()),
        (0x2340_0000, 0x0080_0001)
    );
    assert_eq!((cd.address(), cd.size()), (0x1_2340_0000, 0x80));
    assert_eq!(msg.message_len(), 56);
}

// wire-format.md §6 Ex 9: control request ConvertCurrentObjectToDomain.
#[test]
fn ex9_control_request() {
    let raw_words = [0, 0, SFCI, 0, 0, 0, 0, 0];
    let raw = words(&raw_words);
    let repr = MessageRepr {
        tag: 5,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(9, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_plain(&msg);
    assert_eq!(msg.header().tag(), 5);
    assert_eq!(raw_u32s(&msg), raw_words);
    assert_eq!(msg.message_len(), 40);
}

// wire-format.md §6 Ex 9: the control reply carrying one move handle (tag 0, SFCO).
#[test]
fn ex9_control_reply() {
    let moves = handles(&[0x0001_0002]);
    let raw_words = [SFCO, 0, 0, 0, 0, 0, 0, 0];
    let raw = words(&raw_words);
    let repr = MessageRepr {
        tag: 0,
        move_handles: &moves,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(9, 1));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let h = msg.header();
    assert_eq!((h.tag(), h.word1.get()), (0, 0x8000_0008));
    assert_eq!(msg.special_header().unwrap().word.get(), 0x20);
    assert_eq!(msg.pid(), None);
    assert!(msg.copy_handles().is_empty());
    assert_eq!(u32s(msg.move_handles()), [0x0001_0002]);
    assert_eq!(msg.layout().raw_index(), 4);
    assert_eq!(raw_u32s(&msg), raw_words);
    assert_eq!(msg.message_len(), 48);
}

// wire-format.md §6 Ex 10: domain reply with one out-object (13 raw words).
#[test]
fn ex10_domain_reply() {
    let raw_words = [0, 0, 1, 0, 0, 0, SFCO, 0, 0, 0, 2, 0, 0];
    let raw = words(&raw_words);
    let repr = MessageRepr {
        tag: 0,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, ex_hex(10, 0));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_plain(&msg);
    assert_eq!(msg.header().raw_words(), 13);
    assert_eq!(raw_u32s(&msg), raw_words);
    assert_eq!(msg.message_len(), 60);
}

// message-json.md, worked pair 1: a CMIF-shaped request, nothing but raw data.
#[test]
fn json_pair1_raw_only() {
    let raw = words(&[1_229_145_683, 0, 17, 0]);
    let repr = MessageRepr {
        tag: 4,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, json_pair_hex(1));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_plain(&msg);
    assert_eq!(msg.header().tag(), 4);
    assert_eq!(raw_u32s(&msg), [1_229_145_683, 0, 17, 0]);
}

// message-json.md, worked pair 2: PID, copy + move handle, X with high address bits,
// A with a 33-bit size and mode 1, two raw words, one indexed C entry (count 3).
#[test]
fn json_pair2_everything() {
    let copy = handles(&[4_294_934_529]);
    let moves = handles(&[65538]);
    let x = [PointerDescriptor::new(545_766_266_480, 64, 1).unwrap()];
    let a = [BufferDescriptor::new(
        274_877_911_040,
        4_294_975_488,
        BufferAttribute::NonSecureIpc,
    )
    .unwrap()];
    let raw = words(&[1, 2]);
    let c = [ReceiveListEntry::new(78_187_493_520, 512).unwrap()];
    let repr = MessageRepr {
        tag: 6,
        pid: Some(81_985_529_216_486_895),
        copy_handles: &copy,
        move_handles: &moves,
        x: &x,
        a: &a,
        raw: &raw,
        recv_list_count: 3,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, json_pair_hex(2));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let h = msg.header();
    assert_eq!(h.tag(), 6);
    assert_eq!(
        (h.x_count(), h.a_count(), h.b_count(), h.w_count()),
        (1, 1, 0, 0)
    );
    assert_eq!((h.raw_words(), h.recv_list_count()), (2, 3));
    assert_eq!((h.recv_list_offset(), h.reserved()), (0, 0));
    assert_eq!(msg.pid(), Some(81_985_529_216_486_895));
    assert_eq!(msg.pid(), Some(0x0123_4567_89AB_CDEF));
    assert_eq!(msg.special_header().unwrap().reserved(), 0);
    assert_eq!(u32s(msg.copy_handles()), [4_294_934_529]);
    assert_eq!(u32s(msg.move_handles()), [65538]);
    let xd = msg.x_descriptors()[0];
    assert_eq!(
        (xd.index(), xd.address(), xd.size(), xd.reserved()),
        (1, 545_766_266_480, 64, 0)
    );
    let ad = msg.a_descriptors()[0];
    assert_eq!(
        (ad.address(), ad.size(), ad.mode(), ad.reserved()),
        (274_877_911_040, 4_294_975_488, 1, 0)
    );
    assert!(msg.b_descriptors().is_empty() && msg.w_descriptors().is_empty());
    assert_eq!(raw_u32s(&msg), [1, 2]);
    let cd = msg.receive_list()[0];
    assert_eq!(
        (cd.address(), cd.size(), cd.reserved()),
        (78_187_493_520, 512, 0)
    );
    assert_eq!(msg.message_len(), 64);
}

// message-json.md, worked pair 3: empty special header, reserved bits in header
// word 1 and in an X descriptor, a single-buffer receive list at word 8 (gap of two
// zero words after the raw data).
#[test]
fn json_pair3_reserved_and_offset() {
    let x = [PointerDescriptor::new(4096, 8, 2)
        .unwrap()
        .with_reserved(48)
        .unwrap()];
    let raw = words(&[7]);
    let c = [ReceiveListEntry::new(8192, 256).unwrap()];
    let repr = MessageRepr {
        tag: 16,
        special_header: true,
        x: &x,
        raw: &raw,
        recv_list_count: 2,
        recv_list_offset: 8,
        c: &c,
        header_reserved: 16384,
        ..MessageRepr::EMPTY
    };
    let bytes = check_both_ways(&repr, json_pair_hex(3));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let h = msg.header();
    assert_eq!(h.tag(), 16);
    assert!(h.has_special_header());
    assert_eq!(h.reserved(), 16384);
    assert_eq!(h.recv_list_offset(), 8);
    assert_eq!(h.recv_list_count(), 2);
    let s = msg.special_header().unwrap();
    assert_eq!(s.word.get(), 0);
    assert_eq!(msg.pid(), None);
    assert!(msg.copy_handles().is_empty() && msg.move_handles().is_empty());
    let xd = msg.x_descriptors()[0];
    assert_eq!(
        (xd.index(), xd.address(), xd.size(), xd.reserved()),
        (2, 4096, 8, 48)
    );
    assert_eq!(raw_u32s(&msg), [7]);
    assert_eq!(msg.layout().raw_end_index(), 6);
    assert_eq!(msg.layout().gap(), 24..32);
    assert_eq!(&bytes[24..32], &[0u8; 8]);
    let cd = msg.receive_list()[0];
    assert_eq!((cd.address(), cd.size(), cd.reserved()), (8192, 256, 0));
    assert_eq!(msg.message_len(), 40);
}
