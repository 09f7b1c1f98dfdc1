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
//! * [`cmif`] and [`tipc`] view and build the two command layers inside the raw data.
//! * [`cmif::RequestBuilder`], [`cmif::ResponseBuilder`], [`tipc::RequestBuilder`],
//!   [`tipc::ResponseBuilder`] and [`MessageBuilder`] build a message one call per
//!   item, like libnx's helpers, into fixed-capacity storage; a mistake is an error
//!   naming the field. The readers give typed data (`in_data::<T>()`,
//!   `out_data::<T>()`), handles and object ids; [`cmif::RequestMut`],
//!   [`cmif::ResponseMut`] and [`Message::header_mut`] edit in place.
//! * [`ResultCode`] splits a reply's result into module and description and names
//!   the codes the specification lists.
//!
//! The examples in `codec/examples/` (a CMIF client, a server loop body, a domain
//! session, a TIPC pair, a kernel editing a message) are each compared, line for
//! line, with the libnx C that does the same, in `codec/examples/README.md`.
//!
//! The crate is `no_std`, allocates nothing and contains no `unsafe`: the wire structs
//! are `#[repr(C)]` [zerocopy] types built from little-endian words, so they are
//! `Unaligned` and read straight out of any `&[u8]`.
//!
//! # The format in brief
//!
//! This section is enough to use the crate. The full specification, with every
//! divergence between implementations and worked examples down to the byte, is
//! `docs/spec/wire-format.md` in the hipc repository (what the kernel does with a
//! message: `docs/spec/kernel-semantics.md`); this crate implements specification
//! version `hipc-spec/1`, and its documentation cites it as `wire-format.md §1.10`
//! (a section) or `wire-format.md §6 Ex 4` (a worked example).
//!
//! A message is a sequence of little-endian 32-bit words. Its sections follow one
//! another in a fixed order, and a section whose count is zero takes no space
//! (`wire-format.md §1.1`, §1.2):
//!
//! | # | Section | Size | Present when |
//! |---|---|---|---|
//! | 1 | header | 2 words | always |
//! | 2 | special header | 1 word | header bit "has special header" |
//! | 3 | process ID (PID) | 2 words (`u64`, not 8-byte aligned) | special header PID bit |
//! | 4 | copy handles | 1 word each | special header copy count |
//! | 5 | move handles | 1 word each | special header move count |
//! | 6 | X descriptors | 2 words each | header X count |
//! | 7, 8, 9 | A, then B, then W descriptors | 3 words each | header A, B, W counts |
//! | 10 | raw data | `raw_count` words | header raw count |
//! | 11 | C receive list | 2 words per entry | header receive-list count (mode, below) |
//!
//! The receive list starts at the word index in the header's receive-list offset, or
//! right after the raw data when that field is 0. [`Layout`] computes every offset.
//!
//! **Header** ([`Header`], `wire-format.md §1.3`, §1.4). Word 0: bits 0..=15 the *tag*
//! (the message type, never read by the kernel; see [`tag_name`]), then 4 bits each for
//! the X, A, B and W counts (bits 16..=19, 20..=23, 24..=27, 28..=31). Word 1: bits
//! 0..=9 the raw data size in words, bits 10..=13 the receive-list count, bits 14..=19
//! reserved, bits 20..=30 the receive-list offset in words, bit 31 "has special
//! header". **Special header** ([`SpecialHeader`], `wire-format.md §1.8`): bit 0 "a PID
//! follows", bits 1..=4 the copy-handle count, bits 5..=8 the move-handle count, bits
//! 9..=31 reserved. The kernel writes the sender's real process ID into the PID slot
//! whatever the sender put there; *copy* handles stay valid in the sender, *move*
//! handles are taken from it (and are refused in requests).
//!
//! **Descriptors.** Addresses are 39 bits wide everywhere; reserved bits are kept as
//! written, so decoding and re-encoding any bytes gives the same bytes.
//!
//! * **X**, "pointer" ([`PointerDescriptor`], `wire-format.md §1.9`): up to 0xFFFF bytes
//!   the kernel *copies* from the sender into a buffer the receiver offered in its
//!   receive list; a 4-bit index selects the entry in indexed mode.
//! * **A** ("send"), **B** ("receive") and **W** ("exchange"), map-alias buffers
//!   ([`BufferDescriptor`], `wire-format.md §1.10`): the kernel *maps* the client's memory
//!   into the server, read-only for A, writable for B and W; what the server writes
//!   into B and W is the client's when the reply comes back. Sizes are 36 bits; a 2-bit
//!   attribute picks the memory state ([`BufferAttribute`]: 0 `Ipc`, 1 `NonSecureIpc`,
//!   3 `NonDeviceIpc`; 2 is invalid). A reply may carry no A, B or W.
//! * **C**, receive-list entries ([`ReceiveListEntry`], `wire-format.md §1.11`): an
//!   address and a 16-bit size where the receiver accepts incoming X data. The kernel
//!   always uses the *receiver's* list: the server's buffer for a request, the client's
//!   request buffer for the reply.
//!
//! **Receive-list modes** ([`ReceiveListMode`], `wire-format.md §1.6`), the header's
//! receive-list count:
//!
//! | Count | Mode | C entries | Where incoming X data goes |
//! |---|---|---|---|
//! | 0 | none | 0 | nowhere: an X with a non-zero size fails |
//! | 1 | into the message buffer | 0 | the receiver's own buffer, after the incoming raw data |
//! | 2 | single buffer | 1 | packed into the one entry, each X at the next 16-byte boundary |
//! | 3..=15 | indexed | count − 2 | the X with index `i` at the start of entry `i` |
//!
//! A message lives in a thread's 0x100-byte TLS buffer or a page-aligned user buffer;
//! every count is at most 15, the raw data at most 1023 words (`wire-format.md §1.13`).
//!
//! **CMIF** ([`cmif`], `wire-format.md §2`), the command layer of most services, lives
//! inside the raw data. Its data starts at the first 16-byte boundary from the start
//! of the message (the raw data budgets 16 bytes for this padding, and what the
//! padding does not use is left at the end). A request carries a 16-byte `SFCI` header
//! (magic, version, command id, token) followed by its arguments; a response a `SFCO`
//! header (magic, version, result, token) followed by its out data. Tag 4 is a request,
//! 5 a control request (converting a session to a domain and the like), 6 and 7 the
//! same with a context, 2 closes the session, and replies use 0. A session converted
//! to a *domain* puts a domain header (object id, in-object count) before the `SFCI`
//! header; whether a session is a domain is state the caller knows, not something on
//! the wire.
//!
//! **TIPC** ([`tipc`], `wire-format.md §3`), the lighter protocol of newer services,
//! has none of that: the tag is the method id plus 16 (15 closes the session), the raw
//! data is the arguments from its first word, and a reply repeats the request's tag and
//! starts its raw data with a result word. Requests carry no X, no W and no receive
//! list. Nothing in a message says whether it is CMIF or TIPC: the server knows from
//! the port the session was opened on.
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
//! use hipc::{BufferAttribute, BufferDescriptor, MessageRepr};
//! let a = [BufferDescriptor::new(0x8000_1000, 0x2000, BufferAttribute::Ipc)?];
//! let raw = 7u32.to_le_bytes();
//! let mut buf = [0u8; 0x100];
//! let len = MessageRepr { tag: 4, a: &a, raw: &raw, ..MessageRepr::EMPTY }.emit(&mut buf)?;
//! assert_eq!(len, 8 + 12 + 4);
//! // Values that do not fit are refused with the field's name, never truncated:
//! let err = BufferDescriptor::new(1 << 39, 0, BufferAttribute::Ipc).unwrap_err();
//! assert_eq!(err.to_string(), "a/b/w[?].address: value 0x8000000000 does not fit (largest is 0x7fffffffff)");
//! # Ok::<(), hipc::Error>(())
//! ```
//!
//! # Emit, then parse
//!
//! The example of the crate's README: a request with one X descriptor and one C entry
//! in mode 2, written into a TLS-sized buffer and read back.
//!
//! ```
//! use hipc::{Message, MessageRepr, PointerDescriptor, ReceiveListEntry};
//!
//! let x = [PointerDescriptor::new(0x12_3456_7890, 0x100, 0)?];
//! let c = [ReceiveListEntry::new(0x43_2100_0000, 0x200)?];
//! let raw = [0u8; 32];
//! let mut tls = [0u8; 0x100];
//! let len = MessageRepr { tag: 4, x: &x, raw: &raw, recv_list_count: 2, c: &c, ..MessageRepr::EMPTY }
//!     .emit(&mut tls)?;
//! let msg = Message::new_checked(&tls[..len])?;
//! assert_eq!(msg.x_descriptors()[0].size(), 0x100);
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
mod builder;
pub mod cmif;
mod data;
mod dissect;
mod error;
pub mod field;
mod header;
mod header_mut;
mod layout;
mod message;
mod pointer;
mod receive_list;
mod repr;
mod result_code;
mod tag;
pub mod tipc;

pub use buffer::{BufferAttribute, BufferDescriptor};
pub use builder::MessageBuilder;
pub use dissect::Dissection;
pub use error::{Error, Field, FieldPath, Section};
pub use header::{Header, SpecialHeader};
pub use header_mut::HeaderMut;
pub use layout::{
    BUFFER_DESCRIPTOR_SIZE, HANDLE_SIZE, HEADER_SIZE, Layout, PID_SIZE, POINTER_DESCRIPTOR_SIZE,
    RECEIVE_LIST_ENTRY_SIZE, SPECIAL_HEADER_SIZE, Sections,
};
pub use message::Message;
pub use pointer::PointerDescriptor;
pub use receive_list::{ReceiveListEntry, ReceiveListMode, entry_count};
pub use repr::MessageRepr;
pub use result_code::ResultCode;
pub use tag::{TagName, tag_name};
/// The zerocopy crate the wire types are built on, re-exported so that a struct of
/// typed in-data or out-data can derive its traits (`IntoBytes`, `FromBytes`,
/// `Immutable`, `KnownLayout`) without depending on zerocopy directly: add
/// `#[zerocopy(crate = "hipc::zerocopy")]` next to the derive (see
/// [`cmif::RequestBuilder::in_data`]).
pub use zerocopy;
/// The little-endian integer types the views hand out (re-exported from zerocopy).
pub use zerocopy::byteorder::little_endian::{U32, U64};

/// The crate README's examples (`codec/README.md`, packaged with the crate), compiled
/// and run as doctests. The repository README's codec example is the same code
/// (`conformance/tests/package.rs` checks that).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
