//! Typed in-data and out-data: a `T` read from the front of a layer's payload
//! (CMIF wire-format.md §2.3, §2.4; TIPC §3).
//!
//! A payload's own length is mostly not on the wire (a plain CMIF request's payload
//! runs on into the unused padding budget and the size table, §2.1), so the reader
//! takes the type's size from the type, copies the value out (so the caller's buffer
//! is free again, e.g. for a reply written in place) and refuses a payload shorter
//! than the type, never padding it.

use zerocopy::FromBytes;

use crate::error::Error;

/// Reads a `T` from the start of `payload`. Errors: [`Error::DataTooSmall`].
pub(crate) fn read_data<T: FromBytes>(payload: &[u8]) -> Result<T, Error> {
    T::read_from_prefix(payload)
        .map(|(value, _)| value)
        .map_err(|_| Error::DataTooSmall {
            needed: core::mem::size_of::<T>(),
            available: payload.len(),
        })
}
