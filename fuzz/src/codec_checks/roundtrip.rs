//! The `roundtrip` target's emit-then-parse properties, with the emitter's
//! expected refusals computed independently of the codec.

use hipc::field::{header1, limits, special};
use hipc::{Error, Message, MessageRepr, entry_count};
use hipc_conformance::message_json::MessageJson;

/// Whether the emitter must accept `repr`, and if not, why (computed here from the
/// wire format's field widths, independently of the codec).
pub fn repr_problem(repr: &MessageRepr<'_>) -> Option<&'static str> {
    let counts = [
        repr.copy_handles.len(),
        repr.move_handles.len(),
        repr.x.len(),
        repr.a.len(),
        repr.b.len(),
        repr.w.len(),
    ];
    if counts.iter().any(|&n| n > 15) {
        return Some("too many items");
    }
    if !repr.raw.len().is_multiple_of(4) {
        return Some("raw data not words");
    }
    let raw_words = repr.raw.len() / 4;
    if raw_words > limits::RAW_WORDS_MAX {
        return Some("too many raw words");
    }
    if repr.recv_list_count > 15 {
        return Some("recv_list_count too large");
    }
    if repr.recv_list_offset > 2047 {
        return Some("recv_list_offset too large");
    }
    if repr.c.len() != entry_count(repr.recv_list_count) {
        return Some("C entries disagree with the count");
    }
    if repr.header_reserved & !header1::RESERVED.mask() != 0 {
        return Some("header reserved outside its bits");
    }
    if repr.special_reserved & !special::RESERVED.mask() != 0 {
        return Some("special reserved outside its bits");
    }
    let has_special = repr.special_header
        || repr.pid.is_some()
        || !repr.copy_handles.is_empty()
        || !repr.move_handles.is_empty();
    if repr.special_reserved != 0 && !has_special {
        return Some("special reserved without a special header");
    }
    let words = 2
        + usize::from(has_special)
        + if repr.pid.is_some() { 2 } else { 0 }
        + counts[0]
        + counts[1]
        + 2 * counts[2]
        + 3 * (counts[3] + counts[4] + counts[5])
        + raw_words;
    if repr.recv_list_offset != 0 && usize::from(repr.recv_list_offset) < words {
        return Some("recv_list_offset inside the message");
    }
    None
}

/// The length an acceptable representation emits to.
pub fn repr_len(repr: &MessageRepr<'_>) -> usize {
    let has_special = repr.has_special_header();
    let raw_end = 4
        * (2 + usize::from(has_special)
            + if repr.pid.is_some() { 2 } else { 0 }
            + repr.copy_handles.len()
            + repr.move_handles.len()
            + 2 * repr.x.len()
            + 3 * (repr.a.len() + repr.b.len() + repr.w.len())
            + repr.raw.len() / 4);
    if repr.c.is_empty() {
        raw_end
    } else if repr.recv_list_offset == 0 {
        raw_end + 8 * repr.c.len()
    } else {
        4 * usize::from(repr.recv_list_offset) + 8 * repr.c.len()
    }
}

/// `roundtrip`: emit then parse gives the representation back; values that do not
/// fit are refused (never truncated), and a refusal writes nothing.
pub fn check_roundtrip(repr: &MessageRepr<'_>, spare: usize) {
    let problem = repr_problem(repr);
    let needed = repr_len(repr);
    let mut buf = vec![0xC3u8; needed.saturating_add(spare % 64)];
    match (repr.emit(&mut buf), problem) {
        (Ok(n), None) => {
            assert_eq!(n, needed);
            assert!(
                buf[n..].iter().all(|&b| b == 0xC3),
                "emit wrote past the message"
            );
            let msg = Message::new_checked(&buf[..n]).expect("an emitted message parses");
            assert_eq!(msg.repr(), *repr, "emit then parse changed the message");
            assert_eq!(msg.message_len(), n);
            assert_eq!(msg.pid(), repr.pid);
            assert_eq!(msg.special_header().is_some(), repr.has_special_header());
            // The message JSON describes it and encodes to the same bytes.
            let json = MessageJson::from_message(&msg);
            assert_eq!(json.to_bytes().ok().as_deref(), Some(&buf[..n]));
            // One byte short is refused without writing.
            if n > 0 {
                let mut short = vec![0x3Cu8; n - 1];
                assert!(matches!(
                    repr.emit(&mut short),
                    Err(Error::BufferTooSmall { .. })
                ));
                assert!(short.iter().all(|&b| b == 0x3C));
            }
        }
        (Ok(n), Some(why)) => panic!("emit accepted an invalid message ({why}), {n} bytes"),
        (Err(e), None) => panic!("emit refused a valid message: {e}"),
        (Err(e), Some(_)) => {
            let _ = e.to_string();
            assert!(buf.iter().all(|&b| b == 0xC3), "a refused emit wrote");
        }
    }
}
