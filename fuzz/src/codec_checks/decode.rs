//! The `decode` target's properties: everything a decoded message must agree on.

use std::fmt::Write as _;

use hipc::{
    BufferDescriptor, Error, Message, PointerDescriptor, ReceiveListEntry, Sections, entry_count,
};
use hipc_conformance::message_json::MessageJson;

use super::layers::check_writable_layers;
use super::{check_layers, expected_reemit, formatting_sampled};

/// `decode`: any bytes as a message buffer. Never panics in the codec; when they
/// decode, every accessor agrees with the layout, the layers never panic, and
/// re-emitting from the view gives the same bytes. On the inputs
/// [`formatting_sampled`] picks (and on all of them with `HIPC_FUZZ_FULL=1`), also:
/// the error renders, the dissection renders, and the message JSON encodes to the
/// same bytes and reads back.
pub fn check_decode(bytes: &[u8]) {
    let formatting = formatting_sampled(bytes);
    let msg = match Message::new_checked(bytes) {
        Ok(msg) => msg,
        Err(e) => {
            // The error renders; the typed-slice parse refuses the same bytes with
            // the same error.
            if formatting {
                let _ = e.to_string();
            }
            assert_eq!(
                Sections::parse(bytes),
                Err(e),
                "Sections::parse and new_checked disagree"
            );
            return;
        }
    };
    check_sections_agree(&msg);
    check_accessors(&msg);
    if formatting {
        check_dissection(&msg);
    }
    let expected = expected_reemit(&msg);
    check_reemit(&msg, &expected);
    if formatting {
        check_decoded_json(bytes, &msg, &expected);
    }
    check_writable(bytes, &msg);
    check_layers(&msg);
}

/// Every accessor agrees with the header's counts, and every item rebuilds
/// through its checked constructor.
fn check_accessors(msg: &Message<&[u8]>) {
    let bytes = msg.buffer();
    let layout = *msg.layout();
    let len = msg.message_len();
    assert!(len <= bytes.len());
    assert_eq!(msg.as_bytes(), &bytes[..len]);
    assert_eq!(msg.trailing_len(), bytes.len() - len);
    let header = msg.header();
    assert_eq!(
        msg.copy_handles().len(),
        msg.special_header().map_or(0, |s| s.copy_count())
    );
    assert_eq!(
        msg.move_handles().len(),
        msg.special_header().map_or(0, |s| s.move_count())
    );
    assert_eq!(msg.x_descriptors().len(), header.x_count());
    assert_eq!(msg.a_descriptors().len(), header.a_count());
    assert_eq!(msg.b_descriptors().len(), header.b_count());
    assert_eq!(msg.w_descriptors().len(), header.w_count());
    assert_eq!(
        msg.map_alias_descriptors().len(),
        header.a_count() + header.b_count() + header.w_count()
    );
    assert_eq!(msg.raw_words().len(), header.raw_words());
    assert_eq!(msg.raw().len(), 4 * header.raw_words());
    assert_eq!(
        msg.receive_list().len(),
        entry_count(header.recv_list_count())
    );
    assert_eq!(
        msg.pid().is_some(),
        msg.special_header().is_some_and(|s| s.has_pid())
    );
    for x in msg.x_descriptors() {
        let rebuilt = PointerDescriptor::new(x.address(), x.size(), x.index())
            .and_then(|d| d.with_reserved(x.reserved()))
            .expect("a decoded X descriptor rebuilds");
        assert_eq!(&rebuilt, x);
    }
    for d in msg.map_alias_descriptors() {
        let _ = d.attribute();
        let rebuilt = BufferDescriptor::new(d.address(), d.size(), d.attribute())
            .and_then(|b| b.with_reserved(d.reserved()))
            .expect("a decoded A/B/W descriptor rebuilds");
        assert_eq!(&rebuilt, d);
    }
    for c in msg.receive_list() {
        let rebuilt = ReceiveListEntry::new(c.address(), c.size())
            .and_then(|e| e.with_reserved(c.reserved()))
            .expect("a decoded C entry rebuilds");
        assert_eq!(&rebuilt, c);
    }
    let _ = (
        layout.message_size(),
        layout.special_data_index(),
        layout.pointer_index(),
        layout.map_alias_index(),
        layout.raw_index(),
        layout.receive_list_index(),
        header.recv_list_mode().name(),
        hipc::tag_name(header.tag()),
    );
}

/// The dissection renders (through a fmt::Write that is not a String too).
fn check_dissection(msg: &Message<&[u8]>) {
    let text = msg.dissect().to_string();
    assert!(!text.is_empty());
    let mut sink = String::new();
    let _ = write!(sink, "{:>80}", msg.dissect());
}

/// Re-emitting from the view gives the same bytes, gap zeroed; the buffer is
/// written only up to the message's end; a short buffer is refused untouched.
fn check_reemit(msg: &Message<&[u8]>, expected: &[u8]) {
    let len = msg.message_len();
    let repr = msg.repr();
    assert_eq!(repr.buffer_len(), Ok(len));
    let mut out = vec![0xA5u8; len + 3];
    let n = repr.emit(&mut out).expect("a decoded message re-emits");
    assert_eq!(n, len);
    assert_eq!(&out[..n], expected);
    assert_eq!(&out[n..], &[0xA5; 3]);
    if len > 0 {
        let mut short = vec![0x5Au8; len - 1];
        assert!(matches!(
            repr.emit(&mut short),
            Err(Error::BufferTooSmall { .. })
        ));
        assert!(short.iter().all(|&b| b == 0x5A), "a refused emit wrote");
    }
    let again = Message::new_checked(&out[..n]).expect("the re-emitted message parses");
    assert_eq!(again.repr(), repr);
}

/// The message JSON: encoding it gives the same bytes; its text reads back.
fn check_decoded_json(bytes: &[u8], msg: &Message<&[u8]>, expected: &[u8]) {
    let json = MessageJson::from_message(msg);
    assert_eq!(json.trailing_bytes, msg.trailing_len() as u64);
    assert_eq!(
        json.to_bytes().expect("a decoded message's JSON encodes"),
        expected
    );
    let text = json.to_json();
    let back = MessageJson::from_json(&text)
        .unwrap_or_else(|e| panic!("decode's JSON does not read back: {e}\n{text}"));
    assert_eq!(back.to_bytes().ok(), Some(expected.to_vec()));
    assert_eq!(MessageJson::decode(bytes).as_ref(), Ok(&json));
}

/// Writable view: editing in place lands where the read view says.
fn check_writable(bytes: &[u8], msg: &Message<&[u8]>) {
    let mut buf = bytes.to_vec();
    let mut m = Message::new_checked(&mut buf[..]).expect("same bytes, same verdict");
    assert_eq!(
        m.set_pid(0x0123_4567_89AB_CDEF).is_ok(),
        m.pid().is_some(),
        "set_pid succeeds exactly when there is a PID slot"
    );
    if let Some(h) = m.copy_handles_mut().first_mut() {
        *h = hipc::U32::new(0xDEAD_BEEF);
    }
    let _ = (
        m.move_handles_mut().len(),
        m.x_descriptors_mut().len(),
        m.a_descriptors_mut().len(),
        m.b_descriptors_mut().len(),
        m.w_descriptors_mut().len(),
        m.map_alias_descriptors_mut().len(),
        m.raw_mut().len(),
        m.receive_list_mut().len(),
        m.buffer_mut().len(),
    );
    let pid = m.pid();
    let first_copy = m.copy_handles().first().map(|h| h.get());
    assert_eq!(pid.is_some(), msg.pid().is_some());
    if pid.is_some() {
        assert_eq!(pid, Some(0x0123_4567_89AB_CDEF));
    }
    if first_copy.is_some() {
        assert_eq!(first_copy, Some(0xDEAD_BEEF));
    }
    let tag = m.header().tag();
    m.header_mut().set_tag(tag ^ 1);
    assert_eq!(m.header().tag(), tag ^ 1);
    check_writable_layers(bytes);
}

/// `decode`'s check that the two checked parses agree on a message both accept:
/// [`Sections::parse`] cuts every section where [`Message`]'s accessors place it
/// (compared by position, not by content: all are slices of the same bytes), as
/// long as its header count says, and [`Message::sections`] is the same cut.
/// Refusals are compared error for error where `new_checked` refuses.
pub fn check_sections_agree(msg: &Message<&[u8]>) {
    let bytes = msg.buffer();
    let s = match Sections::parse(bytes) {
        Ok(s) => s,
        Err(e) => panic!("new_checked accepts what Sections::parse refuses: {e:?}"),
    };
    assert_eq!(msg.sections(), s);
    let header = msg.header();
    assert_eq!(s.header(), header);
    assert_eq!(s.special_header(), msg.special_header());
    assert_eq!(s.pid(), msg.pid());
    assert_eq!(s.message_len(), msg.message_len());
    let special = msg.special_header().unwrap_or_default();
    let same = |a: &[u8], b: &[u8], n: usize| {
        assert!(core::ptr::eq(a, b) || (a.is_empty() && b.is_empty()));
        assert_eq!(a.len(), n);
    };
    use zerocopy::IntoBytes;
    same(
        s.copy_handles().as_bytes(),
        msg.copy_handles().as_bytes(),
        4 * special.copy_count(),
    );
    same(
        s.move_handles().as_bytes(),
        msg.move_handles().as_bytes(),
        4 * special.move_count(),
    );
    assert_eq!(
        s.handles().len(),
        special.copy_count() + special.move_count()
    );
    same(
        s.x_descriptors().as_bytes(),
        msg.x_descriptors().as_bytes(),
        8 * header.x_count(),
    );
    same(
        s.a_descriptors().as_bytes(),
        msg.a_descriptors().as_bytes(),
        12 * header.a_count(),
    );
    same(
        s.b_descriptors().as_bytes(),
        msg.b_descriptors().as_bytes(),
        12 * header.b_count(),
    );
    same(
        s.w_descriptors().as_bytes(),
        msg.w_descriptors().as_bytes(),
        12 * header.w_count(),
    );
    same(
        s.map_alias_descriptors().as_bytes(),
        msg.map_alias_descriptors().as_bytes(),
        12 * (header.a_count() + header.b_count() + header.w_count()),
    );
    same(s.raw(), msg.raw(), 4 * header.raw_words());
    same(
        s.raw_words().as_bytes(),
        msg.raw_words().as_bytes(),
        4 * header.raw_words(),
    );
    same(
        s.receive_list().as_bytes(),
        msg.receive_list().as_bytes(),
        8 * entry_count(header.recv_list_count()),
    );
}
