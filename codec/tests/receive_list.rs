//! Receive-list modes and the receive-list offset (wire-format.md §1.2, §1.6, §1.7,
//! §1.11; message-json.md `recv_list_count`, `recv_list_offset`, `c`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use common::{emit, hex, words};
use hipc::{Error, Message, MessageRepr, ReceiveListEntry, ReceiveListMode, entry_count};

fn entries(n: usize) -> Vec<ReceiveListEntry> {
    (0..n)
        .map(|i| {
            let i = i as u64;
            ReceiveListEntry::new(0x40_0000_0000 | (i << 20) | (0x10 * i), 0x100 + i).unwrap()
        })
        .collect()
}

// wire-format.md §1.6: 0 → 0 entries, 1 → 0, 2 → 1, 3..=15 → count − 2 (1..=13).
#[test]
fn entry_count_per_mode() {
    let expected = [0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
    for (count, want) in expected.into_iter().enumerate() {
        assert_eq!(entry_count(count as u8), want, "count {count}");
        assert_eq!(
            ReceiveListMode::from_count(count as u8).entry_count(),
            want,
            "count {count}"
        );
    }
    // The branch-free `entry_count` agrees with the mode for every byte, and a byte
    // above the field's 15 is not masked: it reads as count − 2 entries, and the
    // mode gives the byte back.
    for count in 0..=u8::MAX {
        assert_eq!(
            entry_count(count),
            ReceiveListMode::from_count(count).entry_count(),
            "count {count}"
        );
    }
    for count in 0..=u8::MAX {
        assert_eq!(ReceiveListMode::from_count(count).count(), count);
    }
    assert_eq!(entry_count(0x12), 16);
    assert_eq!(ReceiveListMode::from_count(0), ReceiveListMode::None);
    assert_eq!(
        ReceiveListMode::from_count(1),
        ReceiveListMode::ToMessageBuffer
    );
    assert_eq!(
        ReceiveListMode::from_count(2),
        ReceiveListMode::SingleBuffer
    );
    for count in 3..=15u8 {
        assert_eq!(
            ReceiveListMode::from_count(count),
            ReceiveListMode::Indexed { entries: count - 2 }
        );
    }
    assert_eq!(ReceiveListMode::None.name(), "none");
    assert_eq!(ReceiveListMode::ToMessageBuffer.name(), "to message buffer");
    assert_eq!(ReceiveListMode::SingleBuffer.name(), "single buffer");
    assert_eq!(ReceiveListMode::Indexed { entries: 4 }.name(), "indexed");
}

// wire-format.md §1.2 and §1.6: for every mode, the list follows the raw data and
// holds exactly the implied number of entries; emit and parse agree.
#[test]
fn every_mode_emits_and_parses() {
    let raw = words(&[0x1111_1111, 0x2222_2222, 0x3333_3333]);
    for count in 0..=15u8 {
        let c = entries(entry_count(count));
        let repr = MessageRepr {
            tag: 4,
            raw: &raw,
            recv_list_count: count,
            c: &c,
            ..MessageRepr::EMPTY
        };
        let bytes = emit(&repr);
        assert_eq!(bytes.len(), 8 + 12 + 8 * c.len(), "count {count}");
        let w1 = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
        assert_eq!((w1 >> 10) & 0xF, u32::from(count));
        let msg = Message::new_checked(&bytes[..]).unwrap();
        let h = msg.header();
        assert_eq!(h.recv_list_count(), count);
        assert_eq!(h.recv_list_mode(), ReceiveListMode::from_count(count));
        assert_eq!(msg.layout().receive_list_entries(), c.len());
        assert_eq!(msg.layout().receive_list_index(), 5);
        assert_eq!(msg.layout().receive_list(), 20..20 + 8 * c.len());
        assert_eq!(msg.receive_list(), &c[..]);
        for (i, e) in msg.receive_list().iter().enumerate() {
            let i = i as u64;
            assert_eq!(e.address(), 0x40_0000_0000 | (i << 20) | (0x10 * i));
            assert_eq!(e.size(), 0x100 + i);
        }
        assert_eq!(msg.repr(), repr);
    }
}

// wire-format.md §1.6: mode 2 and mode 3 with one entry are distinct encodings.
#[test]
fn mode2_and_mode3_differ_on_the_wire() {
    let c = entries(1);
    let mut out = Vec::new();
    for count in [2u8, 3] {
        let repr = MessageRepr {
            tag: 4,
            recv_list_count: count,
            c: &c,
            ..MessageRepr::EMPTY
        };
        out.push(emit(&repr));
    }
    assert_ne!(out[0], out[1]);
    assert_eq!(out[0][8..], out[1][8..]);
    assert_eq!(out[0][5], 0x08);
    assert_eq!(out[1][5], 0x0C);
}

// wire-format.md §1.7: a non-zero offset places the list at that word; the gap
// between the raw data and the list is zeroed on emit, bytes after are untouched.
#[test]
fn nonzero_offset_places_list_and_zeroes_gap() {
    let raw = words(&[0xAAAA_AAAA, 0xBBBB_BBBB]);
    let c = entries(2);
    let repr = MessageRepr {
        tag: 0x10,
        raw: &raw,
        recv_list_count: 4,
        recv_list_offset: 10,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let mut buf = [0xEEu8; 0x100];
    let len = repr.emit(&mut buf).unwrap();
    // Raw data at words 2..4, gap 4..10, list 10..14.
    assert_eq!(len, 10 * 4 + 16);
    assert_eq!(&buf[16..40], &[0u8; 24], "gap zeroed");
    assert_eq!(&buf[40..56], c_bytes(&c).as_slice());
    assert!(buf[56..].iter().all(|&b| b == 0xEE), "trailing untouched");
    let w1 = u32::from_le_bytes(buf[4..8].try_into().unwrap());
    assert_eq!(w1 >> 20 & 0x7FF, 10);

    let msg = Message::new_checked(&buf[..]).unwrap();
    assert_eq!(msg.header().recv_list_offset(), 10);
    assert_eq!(msg.layout().raw_end_index(), 4);
    assert_eq!(msg.layout().receive_list_index(), 10);
    assert_eq!(msg.layout().gap(), 16..40);
    assert_eq!(msg.receive_list(), &c[..]);
    assert_eq!(msg.message_len(), 56);
    assert_eq!(msg.trailing_len(), 0x100 - 56);
    assert_eq!(msg.as_bytes(), &buf[..56]);
    assert_eq!(msg.repr(), repr);
}

fn c_bytes(c: &[ReceiveListEntry]) -> Vec<u8> {
    c.iter()
        .flat_map(|e| {
            let mut v = e.address_low.get().to_le_bytes().to_vec();
            v.extend(e.word1.get().to_le_bytes());
            v
        })
        .collect()
}

// wire-format.md §1.7: a non-zero gap is carried by the bytes but is not part of
// the representation; re-emitting zeroes it.
#[test]
fn nonzero_gap_is_dropped_on_reemit() {
    // message-json.md pair 3 with garbage in the two gap words.
    let mut bytes =
        hex("10000100014880800000000032000800001000000700000000000000000000000020000000000001");
    bytes[24..32].copy_from_slice(&[0x5A; 8]);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let again = emit(&msg.repr());
    assert_eq!(again[..24], bytes[..24]);
    assert_eq!(again[24..32], [0u8; 8]);
    assert_eq!(again[32..], bytes[32..]);
}

// wire-format.md §1.7: the offset may equal the end of the raw data exactly.
#[test]
fn offset_at_raw_end_is_accepted() {
    let raw = words(&[1, 2]);
    let c = entries(1);
    let with = MessageRepr {
        tag: 4,
        raw: &raw,
        recv_list_count: 2,
        recv_list_offset: 4,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let without = MessageRepr {
        recv_list_offset: 0,
        ..with
    };
    let a = emit(&with);
    let b = emit(&without);
    assert_eq!(a.len(), b.len());
    assert_eq!(a[8..], b[8..]);
    assert_ne!(a[..8], b[..8]);
    let msg = Message::new_checked(&a[..]).unwrap();
    assert!(msg.layout().gap().is_empty());
    assert_eq!(msg.repr(), with);
}

// message-json.md ("The message ends at the end of the receive list, or of the raw
// data where there is no receive list"): with no entries, a non-zero offset does not
// extend the message's bytes, though the kernel's size check (`Layout::message_size`,
// kernel-semantics.md §2.9) still reaches the offset.
#[test]
fn offset_without_entries() {
    let raw = words(&[9]);
    let repr = MessageRepr {
        tag: 4,
        raw: &raw,
        recv_list_count: 1,
        recv_list_offset: 6,
        ..MessageRepr::EMPTY
    };
    let bytes = emit(&repr);
    assert_eq!(bytes.len(), 12);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_eq!(msg.message_len(), 12);
    assert_eq!(msg.layout().message_size(), 24);
    assert!(msg.receive_list().is_empty());
    assert_eq!(msg.repr(), repr);
    assert!(matches!(
        Message::new_checked(&bytes[..11]),
        Err(Error::Truncated {
            section: hipc::Section::RawData,
            needed: 12,
            available: 11
        })
    ));
}

// wire-format.md §1.7 / §1.14 check 2: an offset inside the raw data is rejected by
// the emitter and by the parser.
#[test]
fn offset_inside_raw_data_is_rejected() {
    let raw = words(&[1, 2, 3, 4]);
    let c = entries(1);
    for offset in 1..6u16 {
        let repr = MessageRepr {
            tag: 4,
            raw: &raw,
            recv_list_count: 2,
            recv_list_offset: offset,
            c: &c,
            ..MessageRepr::EMPTY
        };
        let err = repr.emit(&mut [0u8; 0x100]).unwrap_err();
        assert_eq!(
            err,
            Error::RecvListOffsetInsideMessage { offset, raw_end: 6 },
            "offset {offset}"
        );
        assert!(err.to_string().contains("recv_list_offset"));
        assert_eq!(repr.layout().unwrap_err(), err);
        assert_eq!(repr.buffer_len().unwrap_err(), err);
    }
    // The same on the parsing side: patch offset 3 into a valid message.
    let repr = MessageRepr {
        tag: 4,
        raw: &raw,
        recv_list_count: 2,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let mut bytes = emit(&repr);
    let w1 = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) | 3 << 20;
    bytes[4..8].copy_from_slice(&w1.to_le_bytes());
    bytes.resize(0x100, 0);
    let err = Message::new_checked(&bytes[..]).unwrap_err();
    assert_eq!(
        err,
        Error::RecvListOffsetInsideMessage {
            offset: 3,
            raw_end: 6
        }
    );
}

// wire-format.md §1.13: the largest offset, 2047 words, works with a large buffer.
#[test]
fn largest_offset() {
    let c = entries(13);
    let repr = MessageRepr {
        tag: 4,
        recv_list_count: 15,
        recv_list_offset: 2047,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let len = repr.buffer_len().unwrap();
    assert_eq!(len, 2047 * 4 + 13 * 8);
    let mut buf = vec![0xFFu8; len];
    assert_eq!(repr.emit(&mut buf).unwrap(), len);
    assert!(buf[8..2047 * 4].iter().all(|&b| b == 0));
    let msg = Message::new_checked(&buf[..]).unwrap();
    assert_eq!(msg.receive_list(), &c[..]);
    assert_eq!(msg.repr(), repr);
    assert!(matches!(
        repr.emit(&mut [0u8; 0x100]),
        Err(Error::BufferTooSmall {
            needed,
            available: 0x100
        }) if needed == len
    ));
}

// wire-format.md §1.11: C reserved bits (word 1 bits 7..=15) are kept.
#[test]
fn entry_reserved_bits_kept() {
    let c = [ReceiveListEntry::new(0x7F_FFFF_FFFF, 0xFFFF)
        .unwrap()
        .with_reserved(0xFF80)
        .unwrap()];
    assert_eq!(c[0].word1.get(), 0xFFFF_FFFF);
    assert_eq!(c[0].address(), 0x7F_FFFF_FFFF);
    assert_eq!(c[0].size(), 0xFFFF);
    assert_eq!(c[0].reserved(), 0xFF80);
    let repr = MessageRepr {
        recv_list_count: 2,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let bytes = emit(&repr);
    assert_eq!(bytes[8..], [0xFF; 8]);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_eq!(msg.receive_list()[0].reserved(), 0xFF80);
    assert_eq!(emit(&msg.repr()), bytes);
}

// wire-format.md §1.6: the receiver can rewrite its own list in place.
#[test]
fn receive_list_mut_edits_in_place() {
    let c = entries(3);
    let repr = MessageRepr {
        tag: 4,
        recv_list_count: 5,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let mut buf = [0u8; 0x100];
    let len = repr.emit(&mut buf).unwrap();
    let replacement = ReceiveListEntry::new(0x1234_5000, 0x40).unwrap();
    {
        let mut msg = Message::new_checked(&mut buf[..]).unwrap();
        assert_eq!(msg.receive_list_mut().len(), 3);
        msg.receive_list_mut()[1] = replacement;
    }
    let msg = Message::new_checked(&buf[..len]).unwrap();
    assert_eq!(msg.receive_list(), &[c[0], replacement, c[2]]);
}
