//! `arbitrary::Arbitrary` for the wire structs and [`MessageRepr`] (feature
//! `arbitrary`, used by the fuzz targets in `fuzz/`).
//!
//! Wire structs are any bit pattern (every pattern is a valid view). A
//! [`MessageRepr`] borrows its items straight out of the fuzzer's bytes and is
//! deliberately *not* always emittable: section counts go up to 17 (the fields hold
//! 15), the raw data may be a non-whole number of words or longer than 1023 words,
//! the receive-list count, offset and reserved bits may not fit their fields and the
//! number of C entries may disagree with the count. [`MessageRepr::emit`] must refuse
//! exactly those, never truncate them.

use arbitrary::{Arbitrary, Result, Unstructured};
use zerocopy::byteorder::little_endian::U32;
use zerocopy::{FromBytes, Immutable, KnownLayout, Unaligned};

use crate::buffer::BufferDescriptor;
use crate::field::{header1, special};
use crate::header::{Header, SpecialHeader};
use crate::pointer::PointerDescriptor;
use crate::receive_list::{ReceiveListEntry, entry_count};
use crate::repr::MessageRepr;

/// Borrows `n` items of `T` from the fuzzer's bytes, fewer if the bytes run out.
fn items<'a, T>(u: &mut Unstructured<'a>, n: usize) -> Result<&'a [T]>
where
    T: FromBytes + Immutable + KnownLayout + Unaligned,
{
    let size = core::mem::size_of::<T>();
    let n = n.min(u.len() / size.max(1));
    let bytes = u.bytes(n * size)?;
    <[T]>::ref_from_bytes(bytes).map_err(|_| arbitrary::Error::IncorrectFormat)
}

/// A section length: usually 0..=15, sometimes 16 or 17 (too many).
fn count(u: &mut Unstructured<'_>) -> Result<usize> {
    Ok(if u.ratio(1u8, 16)? {
        u.int_in_range(16..=17)?
    } else {
        u.int_in_range(0..=15)?
    })
}

/// Bits for a reserved field: usually none, often some of the field's own bits,
/// rarely any bits at all.
fn reserved(u: &mut Unstructured<'_>, mask: u32) -> Result<u32> {
    Ok(match u.int_in_range(0u8..=7)? {
        0..=4 => 0,
        5 | 6 => u32::arbitrary(u)? & mask,
        _ => u32::arbitrary(u)?,
    })
}

macro_rules! words_arbitrary {
    ($ty:ty, $n:literal) => {
        impl<'a> Arbitrary<'a> for $ty {
            fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
                let bytes: [u8; $n] = Arbitrary::arbitrary(u)?;
                <$ty>::read_from_bytes(&bytes).map_err(|_| arbitrary::Error::IncorrectFormat)
            }
            fn size_hint(_depth: usize) -> (usize, Option<usize>) {
                ($n, Some($n))
            }
        }
    };
}

words_arbitrary!(PointerDescriptor, 8);
words_arbitrary!(BufferDescriptor, 12);
words_arbitrary!(ReceiveListEntry, 8);
words_arbitrary!(Header, 8);
words_arbitrary!(SpecialHeader, 4);

impl<'a> Arbitrary<'a> for MessageRepr<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let tag = u16::arbitrary(u)?;
        let special_header = bool::arbitrary(u)?;
        let pid = Option::<u64>::arbitrary(u)?;
        let n = count(u)?;
        let copy_handles = items::<U32>(u, n)?;
        let n = count(u)?;
        let move_handles = items::<U32>(u, n)?;
        let n = count(u)?;
        let x = items::<PointerDescriptor>(u, n)?;
        let n = count(u)?;
        let a = items::<BufferDescriptor>(u, n)?;
        let n = count(u)?;
        let b = items::<BufferDescriptor>(u, n)?;
        let n = count(u)?;
        let w = items::<BufferDescriptor>(u, n)?;
        let raw_len = match u.int_in_range(0u8..=15)? {
            // Rarely: more words than the 10-bit count holds, or a partial word.
            0 => u.int_in_range(1020usize..=1026)? * 4,
            1 => u.int_in_range(0usize..=64)? * 4 + u.int_in_range(1usize..=3)?,
            _ => u.int_in_range(0usize..=64)? * 4,
        };
        let raw = items::<u8>(u, raw_len)?;
        let recv_list_count = if u.ratio(1u8, 16)? {
            u8::arbitrary(u)?
        } else {
            u.int_in_range(0..=15)?
        };
        let entries = if u.ratio(1u8, 16)? {
            u.int_in_range(0..=14)?
        } else {
            entry_count(recv_list_count)
        };
        let c = items::<ReceiveListEntry>(u, entries)?;
        let recv_list_offset = match u.int_in_range(0u8..=7)? {
            0..=4 => 0,
            5 | 6 => u.int_in_range(0..=80)?,
            _ => u16::arbitrary(u)?,
        };
        let header_reserved = reserved(u, header1::RESERVED.mask())?;
        let special_reserved = reserved(u, special::RESERVED.mask())?;
        Ok(MessageRepr {
            tag,
            special_header,
            pid,
            copy_handles,
            move_handles,
            x,
            a,
            b,
            w,
            raw,
            recv_list_count,
            recv_list_offset,
            c,
            header_reserved,
            special_reserved,
        })
    }
}
