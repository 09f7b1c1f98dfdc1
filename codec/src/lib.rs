//! A zero-copy codec for the Horizon IPC (HIPC) message format.
//!
//! Horizon, the Nintendo Switch's microkernel, moves a message from client to server
//! and back through a fixed layout: two header words, an optional special header
//! (PID, copy and move handles), X (pointer), A/B/W (map-alias) descriptors, raw data,
//! and a C receive list. SunriseOS, Atmosphère's mesosphère, libnx, Ryujinx and yuzu
//! all speak it, each slightly differently; this crate follows the real kernel's
//! field widths (see `wire-format.md` §1 and §4) and says so where others differ.
//!
//! * [`Message`] is a checked view over any byte buffer: [`Message::new_checked`]
//!   validates once, then every accessor is O(1), borrows from the buffer and
//!   cannot panic. With a mutable buffer the sections are writable in place.
//! * [`MessageRepr`] describes a message and [`MessageRepr::emit`]s it into a
//!   caller's buffer, refusing (never truncating) values that do not fit.
//! * [`Layout`] is the one place where section offsets are computed.
//! * [`Message::dissect`] prints every field with its byte offset.
//!
//! The crate is `no_std`, allocates nothing and contains no `unsafe`: the wire structs
//! are `#[repr(C)]` [zerocopy] types built from little-endian words, so they are
//! `Unaligned` and read straight out of any `&[u8]`.
//!
//! # Parse
//!
//! ```
//! use hipc::{Message, ReceiveListMode};
//! // wire-format.md §6 Ex 4: one X descriptor and one C entry in mode 2.
//! let bytes: [u8; 56] = [
//!     0x04, 0x00, 0x01, 0x00, 0x08, 0x08, 0x00, 0x00, // header
//!     0x40, 0x20, 0x00, 0x01, 0x90, 0x78, 0x56, 0x34, // x[0]
//!     0x53, 0x46, 0x43, 0x49, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, // SFCI, command 5
//!     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // rest of the raw data
//!     0x00, 0x00, 0x00, 0x21, 0x43, 0x00, 0x00, 0x02, // c[0]
//! ];
//! let msg = Message::new_checked(&bytes[..])?;
//! assert_eq!(msg.x_descriptors()[0].address(), 0x12_3456_7890);
//! assert_eq!(msg.x_descriptors()[0].size(), 0x100);
//! assert_eq!(msg.header().recv_list_mode(), ReceiveListMode::SingleBuffer);
//! assert_eq!(msg.receive_list()[0].address(), 0x43_2100_0000);
//! # Ok::<(), hipc::Error>(())
//! ```
//!
//! # Emit
//!
//! ```
//! use hipc::{BufferDescriptor, MessageRepr};
//! let a = [BufferDescriptor::new(0x8000_1000, 0x2000, 0)?];
//! let raw = 7u32.to_le_bytes();
//! let mut buf = [0u8; 0x100];
//! let len = MessageRepr { tag: 4, a: &a, raw: &raw, ..MessageRepr::EMPTY }.emit(&mut buf)?;
//! assert_eq!(len, 8 + 12 + 4);
//! // Values that do not fit are refused with the field's name, never truncated:
//! let err = BufferDescriptor::new(1 << 39, 0, 0).unwrap_err();
//! assert_eq!(err.to_string(), "address: value 0x8000000000 does not fit (largest is 0x7fffffffff)");
//! # Ok::<(), hipc::Error>(())
//! ```
//!
//! Editing in place is shown on [`Message`].
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "arbitrary")]
mod arbitrary;
mod buffer;
pub mod cmif;
mod dissect;
mod error;
pub mod field;
mod header;
mod layout;
mod message;
mod pointer;
mod receive_list;
mod repr;
mod tag;
pub mod tipc;

pub use buffer::{BufferAttribute, BufferDescriptor};
pub use dissect::Dissection;
pub use error::{Error, Field, FieldPath, Section};
pub use header::{Header, SpecialHeader};
pub use layout::{
    BUFFER_DESCRIPTOR_SIZE, HANDLE_SIZE, HEADER_SIZE, Layout, PID_SIZE, POINTER_DESCRIPTOR_SIZE,
    RECEIVE_LIST_ENTRY_SIZE, SPECIAL_HEADER_SIZE,
};
pub use message::Message;
pub use pointer::PointerDescriptor;
pub use receive_list::{ReceiveListEntry, ReceiveListMode, entry_count};
pub use repr::MessageRepr;
pub use tag::{TagName, tag_name};
/// The little-endian integer types the views hand out (re-exported from zerocopy).
pub use zerocopy::byteorder::little_endian::{U32, U64};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
