//! CMIF, the command layer inside the raw data of most Horizon IPC messages
//! (wire-format.md §2), on top of the HIPC view and never mixed into it.
//!
//! * [`Request::new_checked`] and [`Response::new_checked`] view a parsed
//!   [`crate::Message`]'s raw data: the 16-byte SFCI/SFCO header, the domain header
//!   and its object ids, the payload. They borrow from the message's buffer and never
//!   copy; every accessor is O(1) and cannot panic.
//! * [`RequestRepr`], [`DomainCloseRepr`] and [`ResponseRepr`] build a raw data area
//!   the way libnx and libstratosphere do ([`RequestRepr::write_raw`]), or a whole
//!   message through [`crate::MessageRepr`] ([`RequestRepr::emit`]).
//! * [`RequestBuilder`] and [`ResponseBuilder`] build a whole message one call per
//!   item, as libnx's `cmifMakeRequest` and `cmifRequest*` calls do: an out-pointer
//!   (C entry, size-table entry, receive-list mode) is one call, in- and out-data are
//!   typed. [`Request::in_data`] and [`Response::out_data`] read typed data back;
//!   [`Response::success`], [`Response::move_handle`] and [`Response::out_object`]
//!   give the result, handles and object ids.
//! * [`RequestMut`] and [`ResponseMut`] write the headers, payload and object ids in
//!   place.
//!
//! # A server's loop body
//!
//! The request view borrows the message buffer, and so the reply, written into the
//! same buffer, cannot be built while the view is in use. Nothing has to be copied
//! by hand for that: read what the command needs ([`Request::command_id`],
//! [`Request::in_data`] return values, not borrows), then emit the reply; the view's
//! borrow ends at its last use.
//!
//! ```
//! use hipc::{Message, cmif};
//! fn serve(tls: &mut [u8]) -> Result<usize, hipc::Error> {
//!     let msg = Message::new_checked(&tls[..])?;
//!     let req = cmif::Request::new_checked(&msg, cmif::Session::Plain)?;
//!     match req.command_id() {
//!         Some(0) => {
//!             let [a, b]: [u32; 2] = req.in_data()?;
//!             cmif::ResponseBuilder::new().out_data(&(a + b)).emit(tls)
//!         }
//!         _ => cmif::ResponseBuilder::error(0x1BA0A).emit(tls),
//!     }
//! }
//! let mut tls = [0u8; 0x100];
//! cmif::RequestBuilder::new(0).in_data(&[2u32, 3]).emit(&mut tls)?;
//! serve(&mut tls)?;
//! let msg = Message::new_checked(&tls[..])?;
//! assert_eq!(cmif::Response::new_checked(&msg, cmif::Session::Plain)?.out_data::<u32>()?, 5);
//! # Ok::<(), hipc::Error>(())
//! ```
//!
//! # Where the CMIF data lies (§2.1)
//!
//! Let `R` be the byte offset of the raw data from the start of the message. The CMIF
//! data begins at `A = align_up(R, 16)`, **relative to the message start** (libnx,
//! the nx crate, yuzu and SunriseOS; libstratosphere and Ryujinx align the absolute
//! address, which agrees whenever the buffer starts on a 16-byte boundary, as the TLS
//! buffer and page-aligned user buffers always do). The `pad = A − R` bytes before it
//! (0, 4, 8 or 12) are written as zeros and ignored when reading.
//!
//! The raw data always budgets the full 16 bytes of padding: whatever is not used
//! before `A` is left at the end. So the CMIF content (headers, data, object ids) must
//! fit in the first `raw_len − 16` bytes from `A`; this is the region libstratosphere
//! checks (§2.10), and the views check it too ([`Error::CmifRawTooSmall`],
//! [`Error::CmifDomainDataOutOfBounds`], [`Error::CmifDomainObjectsOutOfBounds`]).
//!
//! # Decisions where the specification leaves a choice
//!
//! * **The payload** ([`Request::payload`], [`Response::payload`]) is every byte after
//!   the SFCI/SFCO header up to the end of the raw data: the data, the unused part of
//!   the padding budget, the out-pointer size table. Its own length (`D`) is not on the
//!   wire, except in a domain request, where the payload is exactly
//!   `data_size − 16` bytes.
//! * **Domain-ness is an argument**, never guessed (§2.6): it is session state.
//!   Control requests (tags 5 and 7) never carry a domain header, so on a domain session
//!   they are read as plain requests; building one with a domain header is
//!   [`Error::CmifDomainOnControl`].
//! * **A domain Close** (type 2) has no SFCI header (libnx sends the domain header
//!   alone): [`Request::header`] is `None`, the payload and in-objects are empty, and
//!   `num_in_objects` and `data_size` are reported as written but not checked
//!   (libstratosphere ignores them).
//! * **Requests are told apart from responses by the caller**: [`Request`] requires
//!   tag 4, 5, 6 or 7; [`Response`] accepts any tag (libstratosphere writes 0, SunriseOS
//!   4 or 6; libnx never looks).
//! * **Not checked** (server policy, not wire format): the version (libstratosphere
//!   accepts ≤ 1), the padding bytes, the 8-object limit of libstratosphere, the
//!   command id of a control request (see [`ControlCommand::from_id`]).
//!
//! # Parse (wire-format.md §6 Ex 2)
//!
//! ```
//! use hipc::{Message, cmif};
//! let bytes: [u8; 48] = [
//!     0x04, 0, 0, 0, 0x0a, 0, 0, 0, // tag 4, 10 raw words
//!     0, 0, 0, 0, 0, 0, 0, 0, // padding to the 16-byte boundary
//!     0x53, 0x46, 0x43, 0x49, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, // SFCI, command 1
//!     0xef, 0xbe, 0xad, 0xde, 1, 0, 0, 0, // payload
//!     0, 0, 0, 0, 0, 0, 0, 0, // the rest of the padding budget
//! ];
//! let msg = Message::new_checked(&bytes[..])?;
//! let req = cmif::Request::new_checked(&msg, cmif::Session::Plain)?;
//! assert_eq!(req.command_id(), Some(1));
//! assert_eq!(req.padding(), 8);
//! assert_eq!(&req.payload()[..8], &[0xef, 0xbe, 0xad, 0xde, 1, 0, 0, 0]);
//! assert_eq!(req.payload().len(), 16); // the unused budget is part of it
//! # Ok::<(), hipc::Error>(())
//! ```
//!
//! # Build (wire-format.md §6 Ex 7, a domain request)
//!
//! ```
//! use hipc::{Message, MessageRepr, U32, cmif};
//! let repr = cmif::RequestRepr {
//!     command_id: 2,
//!     payload: &0x2au32.to_le_bytes(),
//!     domain: Some(cmif::DomainRepr { object_id: 1, in_objects: &[U32::new(5)] }),
//!     ..cmif::RequestRepr::EMPTY
//! };
//! let mut buf = [0u8; 0x100];
//! let len = repr.emit(&MessageRepr::EMPTY, &mut buf)?;
//! assert_eq!(len, 64);
//! assert_eq!(&buf[16..20], &[0x01, 0x01, 0x14, 0x00]); // SendMessage, 1 object, data_size 20
//! assert_eq!(&buf[52..56], &[5, 0, 0, 0]); // the in-object id after the data
//!
//! let msg = Message::new_checked(&buf[..len])?;
//! let req = cmif::Request::new_checked(&msg, cmif::Session::Domain)?;
//! let domain = req.domain().expect("a domain request");
//! assert_eq!((domain.object_id(), domain.in_object(0)), (1, Some(5)));
//! assert_eq!(req.payload(), &[0x2a, 0, 0, 0]);
//! # Ok::<(), hipc::Error>(())
//! ```

mod control;
mod domain;
mod header;
mod request;
mod request_builder;
mod request_mut;
mod response;
mod response_builder;
mod response_mut;
mod session;
mod size_table;

pub use control::ControlCommand;
pub use domain::{DomainCloseRepr, DomainRepr, DomainRequest, DomainType};
pub use header::{DomainInHeader, DomainOutHeader, InHeader, OutHeader};
pub use request::{Request, RequestKind, RequestRepr};
pub use request_builder::{IN_OBJECTS_MAX, RequestBuilder};
pub use request_mut::RequestMut;
pub(crate) use response::handle_at;
pub use response::{Response, ResponseRepr};
pub use response_builder::{OUT_OBJECTS_MAX, ResponseBuilder};
pub use response_mut::ResponseMut;
pub use session::Session;
pub use size_table::size_table_offset;
/// The little-endian `u16` of the out-pointer size table (re-exported from zerocopy).
pub use zerocopy::byteorder::little_endian::U16;

use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::error::{Error, Section};
use crate::field::limits;
use crate::layout::Layout;
use crate::repr::MessageRepr;

/// The request magic, "SFCI" (bytes `53 46 43 49`).
pub const IN_MAGIC: u32 = 0x4943_4653;
/// The response magic, "SFCO" (bytes `53 46 43 4f`).
pub const OUT_MAGIC: u32 = 0x4F43_4653;
/// Size of every CMIF header (SFCI, SFCO, domain in and out), in bytes.
pub const HEADER_SIZE: usize = 16;
/// The padding the raw data always budgets before the aligned payload (§2.1).
pub const PADDING_BUDGET: usize = 16;
/// The alignment of the CMIF data, relative to the message start.
pub const ALIGNMENT: usize = 16;

/// The byte offset of the CMIF data from the message start: `align_up(R, 16)`, where
/// `R` is the raw data's offset (wire-format.md §2.1).
///
/// ```
/// use hipc::{Header, Layout, SpecialHeader, cmif};
/// // Ex 3: PID, one copy and one move handle put the raw data at byte 28.
/// let layout = Layout::new(Header::from_words(4, 8 | 1 << 31), SpecialHeader::from_word(0x23));
/// assert_eq!(layout.raw().start, 28);
/// assert_eq!(cmif::aligned_offset(&layout), 32);
/// ```
pub fn aligned_offset(layout: &Layout) -> usize {
    align16(layout.raw().start)
}

/// The padding before the CMIF data: `align_up(R, 16) − R`, 0, 4, 8 or 12 bytes.
pub fn padding(layout: &Layout) -> usize {
    padding_at(layout.raw().start)
}

pub(crate) fn align16(offset: usize) -> usize {
    offset.div_ceil(ALIGNMENT).saturating_mul(ALIGNMENT)
}

pub(crate) fn padding_at(raw_offset: usize) -> usize {
    align16(raw_offset) - raw_offset
}

/// Reads a header struct at `offset` of `bytes`, borrowing it.
pub(crate) fn header_at<H: FromBytes + KnownLayout + Immutable>(
    bytes: &[u8],
    offset: usize,
) -> Option<&H> {
    let rest = bytes.get(offset..)?;
    H::ref_from_prefix(rest).ok().map(|(h, _)| h)
}

/// Views `count` little-endian words at `offset` (any alignment).
pub(crate) fn words_at<E: FromBytes + KnownLayout + Immutable>(
    bytes: &[u8],
    offset: usize,
    count: usize,
) -> Option<&[E]> {
    let len = count.checked_mul(core::mem::size_of::<E>())?;
    let end = offset.checked_add(len)?;
    <[E]>::ref_from_bytes(bytes.get(offset..end)?).ok()
}

/// Where the expected `magic` would be had the caller guessed the session's
/// domain-ness the other way (§2.6): `Some(true)` when it sits after a domain header
/// that was not expected, `Some(false)` when it sits where a domain header was
/// expected. Only used to word a [`Error::CmifBadMagic`].
pub(crate) fn session_hint(raw: &[u8], pad: usize, is_domain: bool, magic: u32) -> Option<bool> {
    let at = if is_domain { pad } else { pad + HEADER_SIZE };
    let word: [u8; 4] = raw.get(at..at + 4)?.try_into().ok()?;
    (u32::from_le_bytes(word) == magic).then_some(!is_domain)
}

/// Copies `src` to `out[offset..]`; callers computed the lengths beforehand.
pub(crate) fn put(out: &mut [u8], offset: usize, src: &[u8]) {
    if let Some(dst) = offset
        .checked_add(src.len())
        .and_then(|end| out.get_mut(offset..end))
    {
        dst.copy_from_slice(src);
    }
}

/// Zeros that stand in for the raw data while the HIPC part of a message is emitted;
/// the layer then writes its raw data in place. As large as the largest raw data.
static ZEROS: [u8; limits::RAW_WORDS_MAX * 4] = [0; limits::RAW_WORDS_MAX * 4];

/// Checks that a raw data area of `raw_len` bytes fits the 10-bit raw count.
pub(crate) fn check_raw_len(raw_len: usize) -> Result<(), Error> {
    if raw_len > ZEROS.len() {
        return Err(Error::TooManyItems {
            section: Section::RawData,
            count: raw_len.div_ceil(4),
            max: limits::RAW_WORDS_MAX,
        });
    }
    Ok(())
}

/// Emits `message` with `tag` and a raw data area of `raw_len` bytes, then lets
/// `fill` write that area in place (given the raw data's offset from the message
/// start). Every check of the HIPC part runs before the first write.
///
/// The layer (`layer`, for the error) owns the tag and the raw data: a `message`
/// that sets either to anything but its `MessageRepr::EMPTY` value (or, for the
/// tag, the very tag the layer writes) is refused rather than silently overridden.
pub(crate) fn emit_with_raw(
    layer: &'static str,
    message: &MessageRepr<'_>,
    tag: u16,
    raw_len: usize,
    buf: &mut [u8],
    fill: impl FnOnce(usize, &mut [u8]),
) -> Result<usize, Error> {
    if message.tag != 0 && message.tag != tag {
        return Err(Error::FieldOwnedByLayer {
            field: "tag",
            layer,
        });
    }
    if !message.raw.is_empty() {
        return Err(Error::FieldOwnedByLayer {
            field: "raw",
            layer,
        });
    }
    check_raw_len(raw_len)?;
    let raw = ZEROS.get(..raw_len).unwrap_or(&[]);
    let repr = MessageRepr {
        tag,
        raw,
        ..*message
    };
    let layout = repr.layout()?;
    let len = repr.emit(buf)?;
    let range = layout.raw();
    let offset = range.start;
    if let Some(area) = buf.get_mut(range) {
        fill(offset, area);
    }
    Ok(len)
}
