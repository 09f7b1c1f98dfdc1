//! One test per section of a HIPC message (wire-format.md §1.1-§1.12): offsets,
//! the special header, the unaligned PID, reserved bits, in-place editing through
//! the `_mut` accessors, and messages inside larger buffers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use common::{emit, handles, raw_u32s, u32s, words};
use hipc::field::limits::TLS_BUFFER_SIZE;
use hipc::{
    BufferAttribute, BufferDescriptor, Error, Header, Layout, Message, MessageRepr,
    PointerDescriptor, ReceiveListEntry, Section, SpecialHeader,
};
use zerocopy::byteorder::little_endian::U32;

fn x(i: u64) -> PointerDescriptor {
    PointerDescriptor::new(0x10_0000 + i * 0x1000, 0x10 + i, (i % 16) as u8).unwrap()
}
fn buf(i: u64) -> BufferDescriptor {
    BufferDescriptor::new(
        0x20_0000_0000 + i * 0x1000,
        0x1_0000_0000 + i,
        BufferAttribute::from_bits((i % 4) as u8).unwrap(),
    )
    .unwrap()
}

// wire-format.md §1.1 and §1.2: every section present, each at the word index the
// offset chain gives.
#[test]
fn every_section_at_its_offset() {
    let copy = handles(&[0xC0, 0xC1]);
    let moves = handles(&[0xD0, 0xD1, 0xD2]);
    let xs = [x(0), x(1)];
    let a = [buf(0)];
    let b = [buf(1), buf(2)];
    let w = [buf(3)];
    let raw = words(&[0xAAAA_0000, 0xAAAA_0001, 0xAAAA_0002]);
    let c = [ReceiveListEntry::new(0x5000, 0x40).unwrap()];
    let repr = MessageRepr {
        tag: 0x1234,
        pid: Some(0x1122_3344_5566_7788),
        copy_handles: &copy,
        move_handles: &moves,
        x: &xs,
        a: &a,
        b: &b,
        w: &w,
        raw: &raw,
        recv_list_count: 2,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let bytes = emit(&repr);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let l = msg.layout();
    // S = 1, P = 1, Nc = 2, Nm = 3 → X at 2 + 1 + 2 + 2 + 3 = 10.
    assert_eq!(l.special_header_range(), Some(8..12));
    assert_eq!(l.special_data_index(), 3);
    assert_eq!(l.pid(), Some(12..20));
    assert_eq!(l.copy_handles(), 20..28);
    assert_eq!(l.move_handles(), 28..40);
    assert_eq!(l.pointer_index(), 10);
    assert_eq!(l.x(), 40..56);
    assert_eq!(l.map_alias_index(), 14);
    assert_eq!(l.a(), 56..68);
    assert_eq!(l.b(), 68..92);
    assert_eq!(l.w(), 92..104);
    assert_eq!(l.map_alias(), 56..104);
    assert_eq!(l.raw_index(), 26);
    assert_eq!(l.raw(), 104..116);
    assert_eq!(l.raw_end_index(), 29);
    assert_eq!(l.raw_end(), 116);
    assert_eq!(l.receive_list_index(), 29);
    assert_eq!(l.receive_list(), 116..124);
    assert!(l.gap().is_empty());
    assert_eq!(l.message_size(), 124);
    assert_eq!(bytes.len(), 124);

    assert_eq!(msg.header().tag(), 0x1234);
    assert_eq!(msg.pid(), Some(0x1122_3344_5566_7788));
    assert_eq!(u32s(msg.copy_handles()), [0xC0, 0xC1]);
    assert_eq!(u32s(msg.move_handles()), [0xD0, 0xD1, 0xD2]);
    assert_eq!(msg.x_descriptors(), &xs);
    assert_eq!(msg.a_descriptors(), &a);
    assert_eq!(msg.b_descriptors(), &b);
    assert_eq!(msg.w_descriptors(), &w);
    assert_eq!(msg.map_alias_descriptors(), &[a[0], b[0], b[1], w[0]]);
    assert_eq!(raw_u32s(&msg), [0xAAAA_0000, 0xAAAA_0001, 0xAAAA_0002]);
    assert_eq!(msg.receive_list(), &c);
    assert_eq!(msg.repr(), repr);
    // Layout::parse on the bytes gives the same layout as the view.
    assert_eq!(&Layout::parse(&bytes).unwrap(), l);
}

// wire-format.md §1.3, §1.13: 15 items in each of the six counted sections.
#[test]
fn fifteen_of_everything() {
    let copy = handles(&[7; 15]);
    let moves = handles(&[8; 15]);
    let xs: Vec<_> = (0..15).map(x).collect();
    let bufs: Vec<_> = (0..15).map(buf).collect();
    let raw = words(&[0x5555_5555; 20]);
    let repr = MessageRepr {
        tag: u16::MAX,
        pid: Some(u64::MAX),
        copy_handles: &copy,
        move_handles: &moves,
        x: &xs,
        a: &bufs,
        b: &bufs,
        w: &bufs,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let bytes = emit(&repr);
    assert_eq!(bytes.len(), 4 * (2 + 1 + 2 + 15 + 15 + 30 + 3 * 45 + 20));
    assert_eq!(&bytes[0..4], &[0xFF, 0xFF, 0xFF, 0xFF]);
    assert_eq!(bytes[8], 0x1 | 0xF << 1 | 0xE0);
    assert_eq!(bytes[9] & 1, 1);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let h = msg.header();
    assert_eq!(
        (h.x_count(), h.a_count(), h.b_count(), h.w_count()),
        (15, 15, 15, 15)
    );
    let s = msg.special_header().unwrap();
    assert_eq!((s.copy_count(), s.move_count()), (15, 15));
    assert_eq!(msg.repr(), repr);
}

// wire-format.md §1.8: the has-special bit with every count zero gives one word of
// zeros (message-json.md `special_header: true`).
#[test]
fn special_header_with_all_counts_zero() {
    let raw = words(&[0xFEED]);
    let repr = MessageRepr {
        tag: 4,
        special_header: true,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    assert!(repr.has_special_header());
    let bytes = emit(&repr);
    assert_eq!(
        bytes,
        [4, 0, 0, 0, 1, 0, 0, 0x80, 0, 0, 0, 0, 0xED, 0xFE, 0, 0]
    );
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let s = msg.special_header().unwrap();
    assert_eq!(s.word.get(), 0);
    assert!(!s.has_pid());
    assert_eq!(msg.pid(), None);
    assert!(msg.copy_handles().is_empty() && msg.move_handles().is_empty());
    assert_eq!(msg.layout().raw_index(), 3);
    assert!(msg.repr().special_header);
    assert_eq!(msg.repr(), repr);
    // Without the flag the same message is shorter and not equal.
    let plain = MessageRepr {
        special_header: false,
        ..repr
    };
    assert_ne!(plain, repr);
    assert_eq!(emit(&plain).len(), 12);
}

// wire-format.md §1.8: a special header implied by a PID or handles; the explicit
// flag makes no difference to the bytes, and the representations compare equal.
#[test]
fn implied_special_header() {
    let copy = handles(&[1]);
    let implied = MessageRepr {
        copy_handles: &copy,
        ..MessageRepr::EMPTY
    };
    let explicit = MessageRepr {
        special_header: true,
        ..implied
    };
    assert!(implied.has_special_header());
    assert_eq!(emit(&implied), emit(&explicit));
    assert_eq!(implied, explicit);
    let parsed_bytes = emit(&implied);
    let msg = Message::new_checked(&parsed_bytes[..]).unwrap();
    assert_eq!(msg.repr(), implied);
    assert_eq!(msg.repr(), explicit);
    use std::hash::{BuildHasher, RandomState};
    let state = RandomState::new();
    assert_eq!(state.hash_one(implied), state.hash_one(explicit));
}

// wire-format.md §1.2: with a special header the PID is at byte 12, which is not
// 8-byte aligned; the view reads it unaligned, from a buffer at any address.
#[test]
fn pid_at_unaligned_byte_12() {
    let repr = MessageRepr {
        tag: 4,
        pid: Some(0x0807_0605_0403_0201),
        ..MessageRepr::EMPTY
    };
    let bytes = emit(&repr);
    assert_eq!(bytes.len(), 20);
    assert_eq!(&bytes[12..20], &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 1);
    // Place the message at every offset 0..8 inside a larger buffer.
    for shift in 0..8 {
        let mut storage = vec![0u8; shift];
        storage.extend_from_slice(&bytes);
        let msg = Message::new_checked(&storage[shift..]).unwrap();
        assert_eq!(msg.layout().pid(), Some(12..20));
        assert_eq!(msg.pid(), Some(0x0807_0605_0403_0201), "shift {shift}");
    }
    // The special header without the PID bit: no PID, handles start at word 3.
    let copy = handles(&[0xAB]);
    let no_pid = MessageRepr {
        copy_handles: &copy,
        ..MessageRepr::EMPTY
    };
    let bytes = emit(&no_pid);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_eq!(msg.pid(), None);
    assert_eq!(msg.layout().pid(), None);
    assert_eq!(msg.layout().copy_handles(), 12..16);
}

// wire-format.md §1.2: when header word 1 bit 31 is clear, word 2 is not a special
// header whatever it holds; the raw data starts there.
#[test]
fn word2_ignored_without_special_bit() {
    let bytes = [4, 0, 0, 0, 1, 0, 0, 0, 0x23, 0, 0, 0];
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert!(msg.special_header().is_none());
    assert_eq!(msg.pid(), None);
    assert!(msg.copy_handles().is_empty() && msg.move_handles().is_empty());
    assert_eq!(raw_u32s(&msg), [0x23]);
    let layout = Layout::new(
        Header::from_words(4, 1),
        SpecialHeader::from_word(0xFFFF_FFFF),
    );
    assert_eq!(layout.special_header(), None);
    assert_eq!(layout.raw_index(), 2);
}

// wire-format.md §1.4 (header word 1 bits 14..=19), §1.8 (special bits 9..=31),
// §1.9 (X word 0 bits 4..=5, 9..=11), §1.10 (A/B/W word 2 bits 5..=23), §1.11
// (C word 1 bits 7..=15): reserved bits are kept and re-emitted.
#[test]
fn reserved_bits_everywhere_round_trip() {
    let xs = [PointerDescriptor::new(0x7F_FFFF_FFFF, 0xFFFF, 0xF)
        .unwrap()
        .with_reserved(0x0E30)
        .unwrap()];
    let bufs =
        [
            BufferDescriptor::new(0x7F_FFFF_FFFF, 0xF_FFFF_FFFF, BufferAttribute::NonDeviceIpc)
                .unwrap()
                .with_reserved(0x00FF_FFE0)
                .unwrap(),
        ];
    let c = [ReceiveListEntry::new(0, 0)
        .unwrap()
        .with_reserved(0xFF80)
        .unwrap()];
    assert_eq!(xs[0].word0.get(), 0xFFFF_FFFF);
    assert_eq!(bufs[0].word2.get(), 0xFFFF_FFFF);
    assert_eq!(c[0].word1.get(), 0x0000_FF80);
    let repr = MessageRepr {
        tag: 0xFFFF,
        special_header: true,
        x: &xs,
        a: &bufs,
        b: &bufs,
        w: &bufs,
        recv_list_count: 2,
        c: &c,
        header_reserved: 0x000F_C000,
        special_reserved: 0xFFFF_FE00,
        ..MessageRepr::EMPTY
    };
    let bytes = emit(&repr);
    let w1 = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
    assert_eq!(w1, 0x800F_C800);
    let sw = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
    assert_eq!(sw, 0xFFFF_FE00);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_eq!(msg.header().reserved(), 0x000F_C000);
    assert_eq!(msg.special_header().unwrap().reserved(), 0xFFFF_FE00);
    assert_eq!(msg.special_header().unwrap().copy_count(), 0);
    let xd = msg.x_descriptors()[0];
    assert_eq!(
        (xd.index(), xd.address(), xd.size(), xd.reserved()),
        (0xF, 0x7F_FFFF_FFFF, 0xFFFF, 0x0E30)
    );
    for d in msg.map_alias_descriptors() {
        assert_eq!(
            (d.address(), d.size(), d.mode(), d.reserved()),
            (0x7F_FFFF_FFFF, 0xF_FFFF_FFFF, 3, 0x00FF_FFE0)
        );
    }
    assert_eq!(msg.receive_list()[0].reserved(), 0xFF80);
    let repr2 = msg.repr();
    assert_eq!(repr2, repr);
    assert_eq!(emit(&repr2), bytes);
}

// wire-format.md §1.9: the 39-bit X address splits into low, mid (bits 32..=35 at
// word 0 bits 12..=15) and high (bits 36..=38 at bits 6..=8).
#[test]
fn pointer_descriptor_fields() {
    let d = PointerDescriptor::new(0x5A_BCDE_F012, 0x1234, 3).unwrap();
    assert_eq!(d.address_low.get(), 0xBCDE_F012);
    assert_eq!(d.word0.get(), 0x1234 << 16 | 0xA << 12 | 0x5 << 6 | 3);
    assert_eq!(
        (d.index(), d.address(), d.size()),
        (3, 0x5A_BCDE_F012, 0x1234)
    );
    let r = d
        .with_reserved(0x30)
        .unwrap()
        .with_reserved(0x0200)
        .unwrap();
    assert_eq!(r.reserved(), 0x0200, "with_reserved replaces");
    assert_eq!(r.address(), d.address());
}

// wire-format.md §1.10: A/B/W fields, including attribute 2 (representable, refused
// by the kernel, not by the wire format).
#[test]
fn buffer_descriptor_fields() {
    let d = BufferDescriptor::new(0x6B_1234_5678, 0xC_8765_4321, BufferAttribute::Invalid).unwrap();
    assert_eq!(d.size_low.get(), 0x8765_4321);
    assert_eq!(d.address_low.get(), 0x1234_5678);
    assert_eq!(d.word2.get(), 0xB << 28 | 0xC << 24 | 0x6 << 2 | 2);
    assert_eq!(d.attribute(), BufferAttribute::Invalid);
    for bits in 0..4u8 {
        assert_eq!(BufferAttribute::from_bits(bits).unwrap().bits(), bits);
    }
    // A value above 3 is refused, not masked.
    assert!(BufferAttribute::from_bits(7).is_err());
    // with_reserved replaces the reserved bits (word 2 bits 5..=23) and keeps the
    // address, size and attribute around them.
    let r = d
        .with_reserved(0x00FF_FFE0)
        .unwrap()
        .with_reserved(0x20)
        .unwrap();
    assert_eq!(r.reserved(), 0x20, "with_reserved replaces");
    assert_eq!(
        (r.address(), r.size(), r.attribute()),
        (d.address(), d.size(), d.attribute())
    );
    assert_eq!(r.word2.get(), d.word2.get() | 0x20);
    // Size 0 and address 0 are legal.
    let z = BufferDescriptor::new(0, 0, BufferAttribute::Ipc).unwrap();
    assert_eq!(
        (z.address(), z.size(), z.mode(), z.reserved()),
        (0, 0, 0, 0)
    );
}

// wire-format.md §1.11: C address bits 32..=38 at word 1 bits 0..=6.
#[test]
fn receive_list_entry_fields() {
    let e = ReceiveListEntry::new(0x7F_0000_0001, 0xFFFF).unwrap();
    assert_eq!(e.address_low.get(), 1);
    assert_eq!(e.word1.get(), 0xFFFF_007F);
    assert_eq!(
        (e.address(), e.size(), e.reserved()),
        (0x7F_0000_0001, 0xFFFF, 0)
    );
}

// wire-format.md §1.14 (what a kernel rewrites): PID substitution, handle
// translation, descriptor rewriting and raw edits through the `_mut` accessors.
#[test]
fn in_place_editing() {
    let copy = handles(&[1, 2]);
    let moves = handles(&[3]);
    let xs = [x(1)];
    let a = [buf(1)];
    let b = [buf(2)];
    let w = [buf(3)];
    let raw = words(&[10, 11]);
    let c = [ReceiveListEntry::new(0x9000, 0x10).unwrap()];
    let repr = MessageRepr {
        tag: 4,
        pid: Some(0),
        copy_handles: &copy,
        move_handles: &moves,
        x: &xs,
        a: &a,
        b: &b,
        w: &w,
        raw: &raw,
        recv_list_count: 3,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let mut tls = [0u8; TLS_BUFFER_SIZE];
    let len = repr.emit(&mut tls).unwrap();
    let new_x = PointerDescriptor::new(0x7000_0000, 0x10, 0).unwrap();
    let new_buf = BufferDescriptor::new(0x8000_0000, 0x1000, BufferAttribute::Ipc).unwrap();
    {
        let mut msg = Message::new_checked(&mut tls[..]).unwrap();
        msg.set_pid(0x51).unwrap();
        for (i, h) in msg.copy_handles_mut().iter_mut().enumerate() {
            *h = U32::new(0x100 + i as u32);
        }
        msg.move_handles_mut()[0] = U32::new(0x200);
        msg.x_descriptors_mut()[0] = new_x;
        msg.a_descriptors_mut()[0] = new_buf;
        msg.b_descriptors_mut()[0] = new_buf;
        msg.w_descriptors_mut()[0] = new_buf;
        assert_eq!(msg.map_alias_descriptors_mut().len(), 3);
        msg.map_alias_descriptors_mut()[2] =
            BufferDescriptor::new(0x9000, 1, BufferAttribute::NonSecureIpc).unwrap();
        msg.raw_mut()[0..4].copy_from_slice(&99u32.to_le_bytes());
        msg.receive_list_mut()[0] = ReceiveListEntry::new(0xA000, 0x20).unwrap();
        assert_eq!(msg.buffer_mut().len(), TLS_BUFFER_SIZE);
        // Reads through the same view see the edits.
        assert_eq!(msg.pid(), Some(0x51));
    }
    let msg = Message::new_checked(&tls[..]).unwrap();
    assert_eq!(msg.message_len(), len);
    assert_eq!(msg.pid(), Some(0x51));
    assert_eq!(u32s(msg.copy_handles()), [0x100, 0x101]);
    assert_eq!(u32s(msg.move_handles()), [0x200]);
    assert_eq!(msg.x_descriptors(), &[new_x]);
    assert_eq!(msg.a_descriptors(), &[new_buf]);
    assert_eq!(msg.b_descriptors(), &[new_buf]);
    assert_eq!(msg.w_descriptors()[0].address(), 0x9000);
    assert_eq!(msg.w_descriptors()[0].mode(), 1);
    assert_eq!(raw_u32s(&msg), [99, 11]);
    assert_eq!(msg.receive_list()[0].address(), 0xA000);
    // Header untouched by the edits.
    assert_eq!(msg.header(), Layout::parse(&emit(&repr)).unwrap().header());
}

// wire-format.md §1.8: set_pid on a message without a PID slot writes nothing.
#[test]
fn set_pid_without_slot_is_a_no_op() {
    let raw = words(&[1, 2]);
    let repr = MessageRepr {
        tag: 4,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let mut bytes = emit(&repr);
    let before = bytes.clone();
    let mut msg = Message::new_checked(&mut bytes[..]).unwrap();
    // No PID slot: set_pid says so instead of doing nothing.
    assert_eq!(msg.set_pid(0xFFFF_FFFF_FFFF_FFFF), Err(Error::NoPidSlot));
    assert_eq!(msg.pid(), None);
    assert!(msg.copy_handles_mut().is_empty());
    assert!(msg.x_descriptors_mut().is_empty());
    assert!(msg.receive_list_mut().is_empty());
    assert_eq!(msg.into_inner(), &before[..]);
}

// wire-format.md §1.3: with_tag rewrites only the tag bits.
#[test]
fn header_with_tag() {
    let h = Header::from_words(0xFFFF_0004, 0x8000_0001).with_tag(0x11);
    assert_eq!(h.word0.get(), 0xFFFF_0011);
    assert_eq!(h.word1.get(), 0x8000_0001);
    assert_eq!(h.tag(), 0x11);
}

// wire-format.md §0.3, message-json.md "Decoding a byte string that is longer":
// a 0x100-byte TLS buffer holding a shorter message; trailing bytes are reported
// and never part of the message.
#[test]
fn tls_buffer_with_shorter_message() {
    let raw = words(&[0x4943_4653, 0, 1, 0]);
    let repr = MessageRepr {
        tag: 4,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let mut tls = [0xCCu8; TLS_BUFFER_SIZE];
    let len = repr.emit(&mut tls).unwrap();
    assert_eq!(len, 24);
    assert!(
        tls[24..].iter().all(|&b| b == 0xCC),
        "emit writes nothing after the message"
    );
    let msg = Message::new_checked(&tls[..]).unwrap();
    assert_eq!(msg.message_len(), 24);
    assert_eq!(msg.trailing_len(), TLS_BUFFER_SIZE - 24);
    assert_eq!(msg.as_bytes(), &tls[..24]);
    assert_eq!(msg.buffer().len(), TLS_BUFFER_SIZE);
    assert_eq!(msg.repr(), repr);
    // Exactly-sized buffer: no trailing bytes.
    let exact = Message::new_checked(&tls[..24]).unwrap();
    assert_eq!(exact.trailing_len(), 0);
    // Owned buffers work as well.
    let owned = Message::new_checked(tls.to_vec()).unwrap();
    assert_eq!(owned.trailing_len(), TLS_BUFFER_SIZE - 24);
    assert_eq!(owned.into_inner().len(), TLS_BUFFER_SIZE);
}

// wire-format.md §1.5: the tag stays a raw u16; the classifier names it.
#[test]
fn tag_names() {
    let names = [
        (0, "Invalid (CMIF reply)"),
        (1, "LegacyRequest"),
        (2, "Close"),
        (3, "LegacyControl"),
        (4, "Request"),
        (5, "Control"),
        (6, "RequestWithContext"),
        (7, "ControlWithContext"),
        (8, "unassigned"),
        (14, "unassigned"),
        (15, "TIPC CloseSession"),
        (16, "TIPC method 0"),
        (u16::MAX, "TIPC method 65519"),
    ];
    for (tag, name) in names {
        assert_eq!(hipc::tag_name(tag).to_string(), name);
    }
}

// wire-format.md §1.3, §1.4: a message of the header alone (no count, no offset, no
// special header; the tag and the reserved bits of word 1 are anything) is the
// 8 bytes of its header, kept as they are. Any count, offset or special-header bit
// declares more, which 8 bytes do not hold (or, for an offset of 1, a receive
// list inside the header, §1.7). `Sections::parse` and `Message::new_checked`
// agree on each.
#[test]
fn header_only_and_one_bit_more() {
    fn check(word0: u32, word1: u32) -> Result<usize, Error> {
        let bytes = words(&[word0, word1]);
        let parsed = hipc::Sections::parse(&bytes);
        match Message::new_checked(&bytes[..]) {
            Err(error) => {
                assert_eq!(parsed, Err(error), "{word0:#x} {word1:#x}");
                Err(error)
            }
            Ok(msg) => {
                let s = parsed.unwrap();
                assert_eq!(s.header(), msg.header());
                assert_eq!(s.message_len(), msg.message_len());
                assert_eq!(s, msg.sections());
                Ok(s.message_len())
            }
        }
    }
    for tag in [0, 4, 0x1234, 0xFFFF] {
        for reserved in [0, 0x4000, 0x000F_C000] {
            assert_eq!(check(tag, reserved), Ok(8));
            let bytes = words(&[tag, reserved]);
            let s = hipc::Sections::parse(&bytes).unwrap();
            assert_eq!(s.header(), Header::from_words(tag, reserved));
            assert_eq!(s.header().tag(), tag as u16);
            assert_eq!(s.header().reserved(), reserved);
            assert_eq!(s.message_len(), 8);
            assert_eq!(s.special_header(), None);
            // Every count, offset and special-header bit on its own.
            for bit in 16..32 {
                let section = [Section::X, Section::A, Section::B, Section::W][(bit - 16) / 4];
                let size = if bit < 20 { 8 } else { 12 };
                assert_eq!(
                    check(tag | 1 << bit, reserved),
                    Err(Error::Truncated {
                        section,
                        needed: 8 + size * (1 << (bit % 4)),
                        available: 8
                    })
                );
            }
            for bit in (0..14).chain(20..32) {
                let expected = match bit {
                    0..=9 => Err(Error::Truncated {
                        section: Section::RawData,
                        needed: 8 + 4 * (1 << bit),
                        available: 8,
                    }),
                    // Receive-list count 1 (to the message buffer): no entries.
                    10 => Ok(8),
                    // Counts 2, 4, 8: 1, 2 and 6 entries right after the header.
                    11..=13 => Err(Error::Truncated {
                        section: Section::ReceiveList,
                        needed: 8 + 8 * hipc::entry_count(1 << (bit - 10)),
                        available: 8,
                    }),
                    20 => Err(Error::RecvListOffsetInsideMessage {
                        offset: 1,
                        raw_end: 2,
                    }),
                    // An offset past the header with no entries: nothing to place.
                    21..=30 => Ok(8),
                    _ => Err(Error::Truncated {
                        section: Section::SpecialHeader,
                        needed: 12,
                        available: 8,
                    }),
                };
                assert_eq!(check(tag, reserved | 1 << bit), expected, "bit {bit}");
            }
        }
    }
    // Every count at 15, or every bit of word 1 outside the reserved ones.
    assert_eq!(
        check(0xFFFF_0000, 0),
        Err(Error::Truncated {
            section: Section::X,
            needed: 8 + 15 * 8,
            available: 8
        })
    );
    assert_eq!(
        check(0, !0x000F_C000),
        Err(Error::Truncated {
            section: Section::SpecialHeader,
            needed: 12,
            available: 8
        })
    );
}

// wire-format.md §1.1, §1.2: a message whose raw data is as many bytes as it has
// descriptors (or handles) is emitted whole, every section at its place.
#[test]
fn counts_beside_raw_lengths() {
    let hs = handles(&[7; 15]);
    let xs: Vec<_> = (0..15).map(x).collect();
    let bs: Vec<_> = (0..15).map(buf).collect();
    let raw: Vec<u8> = (0..60).collect();
    for n in 0..=15 {
        for raw_len in (0..=60).step_by(4) {
            for section in 0..6 {
                let mut repr = MessageRepr {
                    tag: 4,
                    raw: &raw[..raw_len],
                    ..MessageRepr::EMPTY
                };
                match section {
                    0 => repr.copy_handles = &hs[..n],
                    1 => repr.move_handles = &hs[..n],
                    2 => repr.x = &xs[..n],
                    3 => repr.a = &bs[..n],
                    4 => repr.b = &bs[..n],
                    _ => repr.w = &bs[..n],
                }
                let bytes = emit(&repr);
                let item = [4, 4, 8, 12, 12, 12][section];
                let special = if section < 2 && n > 0 { 4 } else { 0 };
                assert_eq!(bytes.len(), 8 + special + item * n + raw_len);
                let msg = Message::new_checked(&bytes[..]).unwrap();
                assert_eq!(msg.repr(), repr);
                assert_eq!(msg.raw(), &raw[..raw_len]);
            }
        }
    }
}

// wire-format.md §1.3, §1.4, §1.10: a message whose descriptor counts equal its
// receive-list entry count (one X, or one W, and a mode-2 list of one entry) is
// emitted with every descriptor and entry, and parses back to the same fields:
// the emitter's choice of path must not let equal counts cancel out.
#[test]
fn descriptor_counts_equal_to_the_entry_count() {
    let xs = [x(0)];
    let ws = [buf(1)];
    let c = [ReceiveListEntry::new(0x5000, 0x40).unwrap()];
    let only_x = MessageRepr {
        tag: 4,
        x: &xs,
        recv_list_count: 2,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let only_w = MessageRepr {
        tag: 4,
        w: &ws,
        recv_list_count: 2,
        c: &c,
        ..MessageRepr::EMPTY
    };
    for repr in [only_x, only_w] {
        let bytes = emit(&repr);
        let msg = Message::new_checked(&bytes[..]).unwrap();
        assert_eq!(msg.repr(), repr);
        assert_eq!(msg.receive_list(), &c);
    }
}
