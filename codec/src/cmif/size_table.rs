//! The u16 out-pointer size table of a CMIF request (wire-format.md §2.3).
//!
//! Its position is the bug-prone part: it is measured from the **raw data start**
//! `R`, not from the aligned payload start `A`, and it counts the whole 16-byte
//! padding budget, the domain header with its object ids, the SFCI header and the
//! in-data rounded up to an even size. SunriseOS forgets the rounding and the domain
//! case (§5); libnx, libstratosphere and the nx crate agree with the formula here.

use zerocopy::byteorder::little_endian::U16;

use super::{HEADER_SIZE, PADDING_BUDGET, words_at};
use crate::error::Error;

/// The table's byte offset from the raw data start:
/// `T = 16 + [16 + 4k] + 16 + round_up(D, 2)`, with `in_objects = Some(k)` in a domain
/// message and `data_len = D`.
///
/// ```
/// // Ex 8: no domain, 4 bytes of data: the table is 36 bytes after R.
/// assert_eq!(hipc::cmif::size_table_offset(None, 4), 36);
/// // An odd data size is rounded up (SunriseOS would say 35).
/// assert_eq!(hipc::cmif::size_table_offset(None, 3), 36);
/// // A domain message with two in-objects.
/// assert_eq!(hipc::cmif::size_table_offset(Some(2), 4), 60);
/// ```
pub fn size_table_offset(in_objects: Option<usize>, data_len: usize) -> usize {
    let domain = match in_objects {
        Some(k) => HEADER_SIZE.saturating_add(k.saturating_mul(4)),
        None => 0,
    };
    PADDING_BUDGET
        .saturating_add(domain)
        .saturating_add(HEADER_SIZE)
        .saturating_add(data_len.saturating_add(data_len % 2))
}

/// Views `count` entries at `offset` of `raw`.
pub(crate) fn read_size_table(raw: &[u8], offset: usize, count: usize) -> Result<&[U16], Error> {
    words_at::<U16>(raw, offset, count).ok_or(Error::CmifSizeTableOutOfBounds {
        offset,
        count,
        available: raw.len(),
    })
}
