//! Property tests (proptest): emit/parse round trips, byte-exact re-emission,
//! truncation, and totality on arbitrary input (wire-format.md §7.1-§7.3;
//! message-json.md "Decoding then encoding any message that decodes gives back the
//! same bytes").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use hipc::field::{buffer, limits, pointer, receive};
use hipc::{
    BufferAttribute, BufferDescriptor, Error, Header, Layout, Message, MessageRepr,
    PointerDescriptor, ReceiveListEntry, SpecialHeader, entry_count,
};
use proptest::collection::vec;
use proptest::prelude::*;
use zerocopy::byteorder::little_endian::U32;

/// An owned message, from which a borrowing `MessageRepr` is made.
#[derive(Debug, Clone)]
struct Owned {
    tag: u16,
    special_header: bool,
    pid: Option<u64>,
    copy: Vec<U32>,
    moves: Vec<U32>,
    x: Vec<PointerDescriptor>,
    a: Vec<BufferDescriptor>,
    b: Vec<BufferDescriptor>,
    w: Vec<BufferDescriptor>,
    raw: Vec<u8>,
    recv_list_count: u8,
    recv_list_offset: u16,
    c: Vec<ReceiveListEntry>,
    header_reserved: u32,
    special_reserved: u32,
}

impl Owned {
    fn repr(&self) -> MessageRepr<'_> {
        MessageRepr {
            tag: self.tag,
            special_header: self.special_header,
            pid: self.pid,
            copy_handles: &self.copy,
            move_handles: &self.moves,
            x: &self.x,
            a: &self.a,
            b: &self.b,
            w: &self.w,
            raw: &self.raw,
            recv_list_count: self.recv_list_count,
            recv_list_offset: self.recv_list_offset,
            c: &self.c,
            header_reserved: self.header_reserved,
            special_reserved: self.special_reserved,
        }
    }
}

fn address() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(limits::ADDRESS_MAX),
        0..=limits::ADDRESS_MAX
    ]
}

fn x_descriptor() -> impl Strategy<Value = PointerDescriptor> {
    (
        0u8..16,
        address(),
        0..=limits::POINTER_SIZE_MAX,
        any::<u32>(),
    )
        .prop_map(|(index, addr, size, reserved)| {
            PointerDescriptor::new(addr, size, index)
                .unwrap()
                .with_reserved(reserved & pointer::RESERVED_MASK)
                .unwrap()
        })
}

fn buffer_descriptor() -> impl Strategy<Value = BufferDescriptor> {
    (address(), 0..=limits::BUFFER_SIZE_MAX, 0u8..4, any::<u32>()).prop_map(
        |(addr, size, mode, reserved)| {
            BufferDescriptor::new(addr, size, BufferAttribute::from_bits(mode).unwrap())
                .unwrap()
                .with_reserved(reserved & buffer::RESERVED_MASK)
                .unwrap()
        },
    )
}

fn receive_entry() -> impl Strategy<Value = ReceiveListEntry> {
    (address(), 0..=limits::POINTER_SIZE_MAX, any::<u32>()).prop_map(|(addr, size, reserved)| {
        ReceiveListEntry::new(addr, size)
            .unwrap()
            .with_reserved(reserved & receive::RESERVED_MASK)
            .unwrap()
    })
}

fn handles() -> impl Strategy<Value = Vec<U32>> {
    vec(any::<u32>().prop_map(U32::new), 0..=15)
}

fn raw_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => vec(any::<u32>(), 0..24),
        1 => vec(any::<u32>(), 0..=limits::RAW_WORDS_MAX),
    ]
    .prop_map(|ws| ws.into_iter().flat_map(u32::to_le_bytes).collect())
}

/// Any representable message: counts within limits, values within field widths,
/// reserved bits within masks, an optional PID, a receive-list count 0..=15 with the
/// matching entries, and an offset of 0 or at/after the end of the raw data.
fn owned_message() -> impl Strategy<Value = Owned> {
    let sections = (
        any::<u16>(),
        any::<bool>(),
        proptest::option::of(any::<u64>()),
        handles(),
        handles(),
        vec(x_descriptor(), 0..=15),
        vec(buffer_descriptor(), 0..=15),
        vec(buffer_descriptor(), 0..=15),
        vec(buffer_descriptor(), 0..=15),
        raw_bytes(),
    );
    let list = (0u8..=15).prop_flat_map(|count| {
        (
            Just(count),
            vec(receive_entry(), entry_count(count)..=entry_count(count)),
        )
    });
    let extras = (any::<bool>(), any::<u16>(), any::<u32>(), any::<u32>());
    (sections, list, extras).prop_map(
        |(
            (tag, special_header, pid, copy, moves, x, a, b, w, raw),
            (recv_list_count, c),
            (use_offset, offset_seed, header_reserved, special_reserved),
        )| {
            let mut m = Owned {
                tag,
                special_header,
                pid,
                copy,
                moves,
                x,
                a,
                b,
                w,
                raw,
                recv_list_count,
                recv_list_offset: 0,
                c,
                header_reserved: header_reserved & 0x000F_C000,
                special_reserved: 0,
            };
            if m.repr().has_special_header() {
                m.special_reserved = special_reserved & 0xFFFF_FE00;
            }
            if use_offset {
                let raw_end = m.repr().layout().unwrap().raw_end_index() as u16;
                let room = limits::RECV_LIST_OFFSET_MAX + 1 - raw_end;
                // Mostly small gaps, sometimes anywhere up to the 11-bit limit.
                let extra = if offset_seed & 1 == 0 {
                    (offset_seed >> 1) % room.min(8)
                } else {
                    (offset_seed >> 1) % room
                };
                m.recv_list_offset = raw_end + extra;
            }
            m
        },
    )
}

/// Byte strings shaped like messages: random header words with moderate raw counts
/// and offsets, followed by random bytes covering the declared length (give or take
/// a few bytes), so that many of them are accepted.
fn message_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        0u32..40,
        (0u8..4, 0u32..80),
        vec(any::<u8>(), 0..1200),
        -8i32..24,
    )
        .prop_map(|(w0, w1, sw, raw, (offset_kind, offset), fill, slack)| {
            let w1 = (w1 & !0x3FF & !(0x7FF << 20)) | raw;
            // Offset 0, just after the raw data (a small gap), or anywhere small
            // (often inside the message, to be rejected).
            let raw_end = Layout::new(Header::from_words(w0, w1), SpecialHeader::from_word(sw))
                .raw_end_index() as u32;
            let offset = match offset_kind {
                0 => 0,
                1 => raw_end + offset % 8,
                2 => offset,
                _ => (raw_end + offset).min(0x7FF),
            };
            let w1 = w1 | offset << 20;
            let layout = Layout::new(Header::from_words(w0, w1), SpecialHeader::from_word(sw));
            let len = (layout.end() as i64 + i64::from(slack)).max(0) as usize;
            let mut bytes = Vec::with_capacity(len.max(12));
            bytes.extend_from_slice(&w0.to_le_bytes());
            bytes.extend_from_slice(&w1.to_le_bytes());
            bytes.extend_from_slice(&sw.to_le_bytes());
            let mut i = 0;
            while bytes.len() < len {
                bytes.push(fill.get(i % fill.len().max(1)).copied().unwrap_or(0));
                i += 1;
            }
            bytes.truncate(len);
            bytes
        })
}

/// Calls every reader of a checked message and the dissection; returns nothing, only
/// proves nothing panics and the pieces agree with the layout.
fn exercise<T: AsRef<[u8]>>(msg: &Message<T>) {
    let l = *msg.layout();
    assert_eq!(msg.message_len(), l.end());
    assert_eq!(msg.as_bytes().len(), msg.message_len());
    assert_eq!(msg.trailing_len(), msg.buffer().len() - msg.message_len());
    let h = msg.header();
    assert_eq!(msg.copy_handles().len(), l.copy_handles().len() / 4);
    assert_eq!(msg.move_handles().len(), l.move_handles().len() / 4);
    assert_eq!(msg.x_descriptors().len(), h.x_count());
    assert_eq!(msg.a_descriptors().len(), h.a_count());
    assert_eq!(msg.b_descriptors().len(), h.b_count());
    assert_eq!(msg.w_descriptors().len(), h.w_count());
    assert_eq!(
        msg.map_alias_descriptors().len(),
        h.a_count() + h.b_count() + h.w_count()
    );
    assert_eq!(msg.raw().len(), 4 * h.raw_words());
    assert_eq!(msg.raw_words().len(), h.raw_words());
    assert_eq!(msg.receive_list().len(), entry_count(h.recv_list_count()));
    assert_eq!(msg.pid().is_some(), l.pid().is_some());
    for x in msg.x_descriptors() {
        let _ = (x.index(), x.address(), x.size(), x.reserved());
    }
    for d in msg.map_alias_descriptors() {
        let _ = (d.address(), d.size(), d.mode(), d.attribute(), d.reserved());
    }
    for c in msg.receive_list() {
        let _ = (c.address(), c.size(), c.reserved());
    }
    let _ = (
        h.tag(),
        h.recv_list_mode(),
        h.reserved(),
        h.recv_list_offset(),
        msg.special_header().map(|s| s.reserved()),
    );
    let text = msg.dissect().to_string();
    assert!(text.starts_with("HIPC message, "));
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    // (a) Any representable message emits and parses back to an equal MessageRepr
    // (wire-format.md §1.2-§1.11 field widths, §1.13 limits).
    #[test]
    fn representable_messages_round_trip(m in owned_message()) {
        let repr = m.repr();
        let len = repr.buffer_len().unwrap();
        let mut bytes = vec![0x5Au8; len + 16];
        prop_assert_eq!(repr.emit(&mut bytes).unwrap(), len);
        prop_assert!(bytes[len..].iter().all(|&b| b == 0x5A));
        let msg = Message::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(msg.message_len(), len);
        prop_assert_eq!(msg.trailing_len(), 16);
        prop_assert_eq!(msg.repr(), repr);
        prop_assert_eq!(msg.gap_is_zero(), true);
        exercise(&msg);
        // Emitting the parsed representation gives the same bytes.
        let mut again = vec![0u8; len];
        prop_assert_eq!(msg.repr().emit(&mut again).unwrap(), len);
        prop_assert_eq!(&again[..], &bytes[..len]);
    }

    // (c) Every prefix shorter than the message is rejected with an error
    // (message-json.md: a shorter byte string is an error naming the section).
    #[test]
    fn every_truncation_is_rejected(m in owned_message()) {
        let repr = m.repr();
        let len = repr.buffer_len().unwrap();
        let mut bytes = vec![0u8; len];
        repr.emit(&mut bytes).unwrap();
        for cut in 0..len {
            match Message::new_checked(&bytes[..cut]) {
                Err(Error::Truncated { needed, available, .. }) => {
                    prop_assert_eq!(available, cut);
                    prop_assert!(needed > cut && needed <= len);
                }
                other => prop_assert!(false, "prefix {} of {}: {:?}", cut, len, other),
            }
        }
        prop_assert!(Message::new_checked(&bytes[..]).is_ok());
    }

    // (b) Any byte string that new_checked accepts re-emits identically up to
    // message_len() when its gap is zero, and with the gap zeroed otherwise
    // (message-json.md rules; wire-format.md §1.7 for the gap).
    #[test]
    fn accepted_bytes_reemit_identically(bytes in message_like_bytes()) {
        if let Ok(msg) = Message::new_checked(&bytes[..]) {
            let len = msg.message_len();
            let mut expected = bytes[..len].to_vec();
            let gap = msg.layout().gap();
            expected[gap].fill(0);
            let repr = msg.repr();
            prop_assert_eq!(repr.buffer_len().unwrap(), len);
            let mut out = vec![0xA5u8; len];
            prop_assert_eq!(repr.emit(&mut out).unwrap(), len);
            prop_assert_eq!(&out, &expected);
            if msg.gap_is_zero() {
                prop_assert_eq!(&out[..], &bytes[..len]);
            }
            exercise(&msg);
        }
    }

    // (d) Arbitrary bytes never panic in new_checked, any accessor or the dissection
    // (wire-format.md §7.3: be total).
    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..300)) {
        if let Ok(msg) = Message::new_checked(&bytes[..]) {
            exercise(&msg);
            let _ = msg.repr().emit(&mut [0u8; 300]);
        }
        let _ = Layout::parse(&bytes).map(|l| l.check(bytes.len()));
    }

    // (d) The same for message-shaped bytes (most of which pass the checks), and
    // every writer of a mutable view.
    #[test]
    fn message_like_bytes_never_panic(mut bytes in message_like_bytes(), pid in any::<u64>()) {
        let len = bytes.len();
        if let Ok(mut msg) = Message::new_checked(&mut bytes[..]) {
            exercise(&msg);
            prop_assert_eq!(msg.set_pid(pid).is_ok(), msg.pid().is_some());
            for h in msg.copy_handles_mut() { *h = U32::new(1); }
            for h in msg.move_handles_mut() { *h = U32::new(2); }
            for x in msg.x_descriptors_mut() { *x = PointerDescriptor::default(); }
            for d in msg.a_descriptors_mut() { *d = BufferDescriptor::default(); }
            for d in msg.b_descriptors_mut() { *d = BufferDescriptor::default(); }
            for d in msg.w_descriptors_mut() { *d = BufferDescriptor::default(); }
            for d in msg.map_alias_descriptors_mut() { *d = BufferDescriptor::default(); }
            msg.raw_mut().fill(0);
            for c in msg.receive_list_mut() { *c = ReceiveListEntry::default(); }
            prop_assert_eq!(msg.buffer_mut().len(), len);
            if msg.layout().pid().is_some() {
                prop_assert_eq!(msg.pid(), Some(pid));
            }
            exercise(&msg);
        }
    }

    // wire-format.md §1.1, §1.2, §1.7. Layout invariants for any header words: sections are contiguous and in wire
    // order; the receive list starts at or after the raw data when the offset is valid.
    #[test]
    fn layout_is_ordered(w0 in any::<u32>(), w1 in any::<u32>(), sw in any::<u32>()) {
        let l = Layout::new(Header::from_words(w0, w1), SpecialHeader::from_word(sw));
        let start = 8 + if l.special_header().is_some() { 4 } else { 0 };
        let pid_end = l.pid().map_or(start, |p| { assert_eq!(p.start, start); p.end });
        prop_assert_eq!(l.copy_handles().start, pid_end);
        prop_assert_eq!(l.move_handles().start, l.copy_handles().end);
        prop_assert_eq!(l.x().start, l.move_handles().end);
        prop_assert_eq!(l.a().start, l.x().end);
        prop_assert_eq!(l.b().start, l.a().end);
        prop_assert_eq!(l.w().start, l.b().end);
        prop_assert_eq!(l.raw().start, l.w().end);
        prop_assert_eq!(l.raw().end, l.raw_end());
        prop_assert_eq!(l.message_size(), l.receive_list().end);
        if l.recv_list_offset_valid() {
            prop_assert!(l.receive_list().start >= l.raw_end());
            if l.receive_list_entries() > 0 {
                prop_assert_eq!(l.gap().start, l.raw_end());
                prop_assert_eq!(l.gap().end, l.receive_list().start);
                prop_assert_eq!(l.end(), l.message_size());
            } else {
                prop_assert!(l.gap().is_empty());
                prop_assert_eq!(l.end(), l.raw_end());
            }
            prop_assert!(l.check(l.end()).is_ok());
        } else {
            prop_assert!(
                matches!(
                    l.check(usize::MAX),
                    Err(Error::RecvListOffsetInsideMessage { .. })
                ),
                "invalid offset accepted"
            );
        }
    }
}

/// Whether the words between the raw data and the receive list are all zero.
trait GapIsZero {
    fn gap_is_zero(&self) -> bool;
}

impl<T: AsRef<[u8]>> GapIsZero for Message<T> {
    fn gap_is_zero(&self) -> bool {
        self.buffer()[self.layout().gap()].iter().all(|&b| b == 0)
    }
}

// Guards the generators' usefulness: a fixed-seed sample of message-shaped bytes is
// mostly accepted, and covers gaps, special headers, PIDs and receive lists.
#[test]
fn message_like_generator_covers_interesting_cases() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = message_like_bytes();
    let (mut accepted, mut gaps, mut nonzero_gaps, mut pids, mut lists, mut trailing) =
        (0, 0, 0, 0, 0, 0);
    for _ in 0..1000 {
        let bytes = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(msg) = Message::new_checked(&bytes[..]) {
            accepted += 1;
            gaps += usize::from(!msg.layout().gap().is_empty());
            nonzero_gaps += usize::from(!msg.gap_is_zero());
            pids += usize::from(msg.pid().is_some());
            lists += usize::from(!msg.receive_list().is_empty());
            trailing += usize::from(msg.trailing_len() > 0);
        }
    }
    println!(
        "accepted {accepted}, gaps {gaps} (non-zero {nonzero_gaps}), pids {pids}, lists {lists}, trailing {trailing}"
    );
    assert!(accepted > 300, "{accepted}");
    for n in [gaps, nonzero_gaps, pids, lists, trailing] {
        assert!(n > 20, "{n}");
    }
}

/// `Sections::parse` accepts exactly what `Message::new_checked` accepts, with the
/// same error, and each of its slices is the accessor's slice at the position
/// `Layout` gives (the cut is checked against the reference chain).
fn sections_agree(bytes: &[u8]) {
    use zerocopy::IntoBytes;
    let parsed = hipc::Sections::parse(bytes);
    let msg = match Message::new_checked(bytes) {
        Ok(msg) => msg,
        Err(error) => {
            assert_eq!(parsed, Err(error));
            return;
        }
    };
    let s = parsed.unwrap();
    assert_eq!(msg.sections(), s);
    let l = *msg.layout();
    let at = |section: &[u8], range: core::ops::Range<usize>| {
        assert_eq!(section.len(), range.len());
        if !section.is_empty() {
            assert_eq!(
                section.as_ptr() as usize - bytes.as_ptr() as usize,
                range.start
            );
        }
    };
    assert_eq!(s.header(), msg.header());
    assert_eq!(s.special_header(), msg.special_header());
    assert_eq!(s.pid(), msg.pid());
    assert_eq!(s.message_len(), msg.message_len());
    at(s.copy_handles().as_bytes(), l.copy_handles());
    at(
        s.handles().as_bytes(),
        l.copy_handles().start..l.move_handles().end,
    );
    at(s.move_handles().as_bytes(), l.move_handles());
    at(s.x_descriptors().as_bytes(), l.x());
    at(s.a_descriptors().as_bytes(), l.a());
    at(s.b_descriptors().as_bytes(), l.b());
    at(s.w_descriptors().as_bytes(), l.w());
    at(s.map_alias_descriptors().as_bytes(), l.map_alias());
    at(s.raw(), l.raw());
    at(s.raw_words().as_bytes(), l.raw());
    at(s.receive_list().as_bytes(), l.receive_list());
    assert_eq!(s.copy_handles(), msg.copy_handles());
    assert_eq!(s.move_handles(), msg.move_handles());
    assert_eq!(s.x_descriptors(), msg.x_descriptors());
    assert_eq!(s.a_descriptors(), msg.a_descriptors());
    assert_eq!(s.b_descriptors(), msg.b_descriptors());
    assert_eq!(s.w_descriptors(), msg.w_descriptors());
    assert_eq!(s.map_alias_descriptors(), msg.map_alias_descriptors());
    assert_eq!(s.raw(), msg.raw());
    assert_eq!(s.receive_list(), msg.receive_list());
}

proptest! {
    #![proptest_config(config(2048))]

    // Sections: the one-check cut agrees with the view and the layout, on
    // message-shaped bytes (mostly accepted), on every truncation of them, and on
    // arbitrary bytes (mostly refused).
    #[test]
    fn sections_agree_with_the_view(bytes in message_like_bytes(), cut in any::<usize>()) {
        sections_agree(&bytes);
        sections_agree(&bytes[..cut % (bytes.len() + 1)]);
    }

    #[test]
    fn sections_agree_on_arbitrary_bytes(bytes in vec(any::<u8>(), 0..300)) {
        sections_agree(&bytes);
    }
}
