//! The byte-string generator for decoders: from [`Choices`], a valid HIPC message
//! (every section, values across each field's full width: wire-format.md §1), a
//! near-valid one (a valid message with one bit flipped, a word cut off, a count
//! off by one, reserved bits set), or random bytes.
//!
//! Zero bytes give the simplest case (an empty valid message: the two header
//! words), so the shrinker ([`super::shrink`]) turns a diverging case into the
//! smallest message that still diverges.

use super::choices::Choices;
use hipc::{
    BufferAttribute, BufferDescriptor, MessageRepr, PointerDescriptor, ReceiveListEntry, U32,
};
use zerocopy::{FromZeros, IntoBytes};

#[cfg(test)]
use crate::message_json::MessageJson;
use crate::message_json::emit_vec;

/// A byte string for a decoder.
pub fn generate(bytes: &[u8]) -> Vec<u8> {
    let mut ch = Choices::new(bytes);
    match ch.below(8) {
        0..=3 => valid(&mut ch),
        4..=6 => {
            let mut message = valid(&mut ch);
            near_valid(&mut ch, &mut message);
            message
        }
        _ => {
            let n = ch.below(64) as usize;
            (0..n).map(|_| ch.byte()).collect()
        }
    }
}

/// A value of `bits` bits: small, at the top of the field, or any.
fn value(ch: &mut Choices<'_>, bits: u32) -> u64 {
    let max = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    match ch.below(4) {
        0 => 0,
        1 => u64::from(ch.byte()) << (u64::from(ch.below(bits.max(1))).min(56)) & max,
        2 => max - u64::from(ch.byte()).min(max),
        _ => {
            let wide = u64::from(ch.u32()) | u64::from(ch.u32()) << 32;
            wide & max
        }
    }
}

fn count(ch: &mut Choices<'_>, max: u32) -> usize {
    if ch.flag(100) {
        1 + ch.below(max) as usize
    } else {
        0
    }
}

/// At most `N` values, drawn in order: the sections of a generated message hold a
/// handful of entries each, so they live in arrays, not vectors (the `kernel` fuzz
/// target draws three messages an exec, and eight vectors a message were a third
/// of the allocations of such an exec).
struct Few<T, const N: usize> {
    items: [T; N],
    len: usize,
}

impl<T: Copy, const N: usize> Few<T, N> {
    /// Draws `n` (at most `N`) values with `draw`, keeping those it returns.
    fn draw(n: usize, empty: T, mut draw: impl FnMut() -> Option<T>) -> Self {
        let mut few = Few {
            items: [empty; N],
            len: 0,
        };
        for _ in 0..n.min(N) {
            if let Some(item) = draw() {
                if let Some(slot) = few.items.get_mut(few.len) {
                    *slot = item;
                    few.len += 1;
                }
            }
        }
        few
    }

    fn as_slice(&self) -> &[T] {
        self.items.get(..self.len).unwrap_or_default()
    }
}

/// A valid message, encoded. Every value is drawn within its field's width, so the
/// codec's checked constructors accept it; the message is built as the codec's
/// [`MessageRepr`] and emitted, without a message JSON in between (the `kernel`
/// fuzz target draws three of these an exec). The choices are drawn in one fixed
/// order, so the same choice bytes give the same message.
fn valid(ch: &mut Choices<'_>) -> Vec<u8> {
    let tag = value(ch, 16) as u16;
    let pid = ch.flag(60).then(|| value(ch, 64));
    let handle = |ch: &mut Choices<'_>| Some(U32::new(value(ch, 32) as u32));
    let n = count(ch, 3);
    let copy_handles = Few::<U32, 3>::draw(n, U32::ZERO, || handle(ch));
    let n = count(ch, 2);
    let move_handles = Few::<U32, 2>::draw(n, U32::ZERO, || handle(ch));
    let n = count(ch, 2);
    let x = Few::<PointerDescriptor, 2>::draw(n, PointerDescriptor::new_zeroed(), || {
        let index = value(ch, 4) as u8;
        let address = value(ch, 39);
        PointerDescriptor::new(address, value(ch, 16), index).ok()
    });
    let mut buffers = || {
        let n = count(ch, 2);
        Few::<BufferDescriptor, 2>::draw(n, BufferDescriptor::new_zeroed(), || {
            let address = value(ch, 39);
            let size = value(ch, 36);
            let mode = BufferAttribute::from_bits(ch.below(4) as u8).ok()?;
            BufferDescriptor::new(address, size, mode).ok()
        })
    };
    let (a, b, w) = (buffers(), buffers(), buffers());
    let n = ch.below(5) as usize;
    let raw = Few::<U32, 4>::draw(n, U32::ZERO, || handle(ch));
    let mut recv_list_count = 0;
    let mut c = Few::<ReceiveListEntry, 4>::draw(0, ReceiveListEntry::new_zeroed(), || None);
    if ch.flag(70) {
        let mode = ch.below(16) as u8;
        let entries = match mode {
            0 | 1 => 0,
            2 => 1,
            n => usize::from(n) - 2,
        };
        recv_list_count = mode;
        c = Few::draw(entries, ReceiveListEntry::new_zeroed(), || {
            let address = value(ch, 39);
            ReceiveListEntry::new(address, value(ch, 16)).ok()
        });
        if entries > 4 {
            recv_list_count = 6;
        }
    }
    let repr = MessageRepr {
        tag,
        special_header: ch.flag(30),
        pid,
        copy_handles: copy_handles.as_slice(),
        move_handles: move_handles.as_slice(),
        x: x.as_slice(),
        a: a.as_slice(),
        b: b.as_slice(),
        w: w.as_slice(),
        raw: raw.as_slice().as_bytes(),
        recv_list_count,
        c: c.as_slice(),
        ..MessageRepr::EMPTY
    };
    // Values drawn within their fields: the codec never refuses the message.
    let mut bytes = emit_vec(&repr).unwrap_or_default();
    if ch.flag(20) {
        let n = ch.below(8) as usize;
        bytes.extend((0..n).map(|_| ch.byte()));
    }
    bytes
}

/// One of the near misses a decoder must get exactly right.
fn near_valid(ch: &mut Choices<'_>, bytes: &mut Vec<u8>) {
    let words = bytes.len() / 4;
    match ch.below(5) {
        // A bit flipped anywhere: a field past its width, a reserved bit, a flag.
        0 | 1 => {
            let bit = ch.below(u32::try_from(bytes.len() * 8).unwrap_or(0).max(1)) as usize;
            if let Some(b) = bytes.get_mut(bit / 8) {
                *b ^= 1 << (bit % 8);
            }
        }
        // Truncated by a word.
        2 => bytes.truncate(words.saturating_sub(1) * 4),
        // A count off by one: one of the header's count fields plus or minus one.
        3 => {
            let (word, shift, width) = ch
                .pick(&[
                    (0usize, 16u32, 4u32),
                    (0, 20, 4),
                    (0, 24, 4),
                    (0, 28, 4),
                    (1, 0, 10),
                    (1, 10, 4),
                ])
                .unwrap_or((0, 16, 4));
            adjust(bytes, word, shift, width, ch.flag(128));
        }
        // Reserved bits set: header word 1 bits 14..=19.
        _ => {
            if let Some(b) = bytes.get_mut(5) {
                *b |= 0x40;
            }
        }
    }
}

/// Adds or subtracts one to the `width`-bit field at `shift` of word `word`.
fn adjust(bytes: &mut [u8], word: usize, shift: u32, width: u32, up: bool) {
    let Some(w) = bytes.get_mut(word * 4..word * 4 + 4) else {
        return;
    };
    let Ok(word) = <[u8; 4]>::try_from(&*w) else {
        return;
    };
    let mut v = u32::from_le_bytes(word);
    let mask = ((1u32 << width) - 1) << shift;
    let field = (v & mask) >> shift;
    let field = if up {
        field.wrapping_add(1)
    } else {
        field.wrapping_sub(1)
    };
    v = (v & !mask) | ((field << shift) & mask);
    w.copy_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_bytes_give_the_empty_message() {
        assert_eq!(generate(&[]), vec![0; 8]);
    }

    #[test]
    fn most_random_cases_are_messages_the_codec_reads() {
        let decoded = (0..200u64)
            .filter(|i| {
                let bytes = super::super::choices::case_bytes(3, *i, 128);
                MessageJson::decode(&generate(&bytes)).is_ok()
            })
            .count();
        assert!(decoded > 60, "{decoded} of 200 decode");
    }
}
