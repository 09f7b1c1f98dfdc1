//! TIPC, the lighter protocol of newer Horizon services (wire-format.md §3), on top
//! of the HIPC view and never mixed into it.
//!
//! No CMIF anything: no padding, no SFCI/SFCO header, no domains, no control
//! requests. The tag is the method id plus 16 (15 closes the session), the raw data
//! is the in-arguments, and a reply echoes the request's tag and starts its raw data
//! with a result word.
//!
//! # Decisions where the specification leaves a choice
//!
//! * **The stricter header rules** of the only TIPC server (libstratosphere compares
//!   the two header words as one 64-bit value, and the special header word, with the
//!   header it expects) are checked by [`Request::new_checked`] as far as they do not
//!   depend on the method's signature: no X and no W descriptors, receive-list count
//!   0, receive-list offset 0, reserved bits 0 ([`Error::TipcSectionNotAllowed`],
//!   [`Error::TipcFieldNotZero`]). The counts a signature fixes (PID bit, copy handles,
//!   A, B, raw size) are the server's business. [`RequestRepr::emit`] refuses the same
//!   things.
//! * **CloseSession** (tag 15) must be exactly the two header words `0x0000000f
//!   0x00000000` ([`Error::TipcCloseNotBare`]).
//! * **A reply** is viewed by [`Response::new_checked`]: any tag (libnx ignores it),
//!   at least one raw word (the result). Handles and the PID bit are not checked
//!   (libstratosphere never sets the PID bit in a reply; the kernel forbids A/B/W).
//! * The method id is a `u16` on the wire (`tag − 16`), at most 0xFFEF.
//!
//! ```
//! use hipc::{Message, MessageRepr, tipc};
//! // wire-format.md §6 Ex 6: sm GetServiceHandle("fsp-srv"), method 1.
//! let mut buf = [0u8; 0x20];
//! let len = tipc::RequestRepr { command_id: 1, payload: b"fsp-srv\0" }
//!     .emit(&MessageRepr::EMPTY, &mut buf)?;
//! assert_eq!(&buf[..len], &[0x11, 0, 0, 0, 2, 0, 0, 0, b'f', b's', b'p', b'-', b's', b'r', b'v', 0]);
//! let msg = Message::new_checked(&buf[..len])?;
//! let req = tipc::Request::new_checked(&msg)?;
//! assert_eq!(req.command_id(), Some(1));
//! assert_eq!(req.payload(), b"fsp-srv\0");
//! # Ok::<(), hipc::Error>(())
//! ```

mod request_builder;
mod response_builder;

pub use request_builder::RequestBuilder;
pub use response_builder::ResponseBuilder;

use zerocopy::FromBytes;

use zerocopy::byteorder::little_endian::U32;

use crate::cmif::{check_raw_len, emit_with_raw, handle_at, put};
use crate::data::read_data;
use crate::error::{Error, Field, Section};
use crate::layout::HEADER_SIZE;
use crate::message::Message;
use crate::repr::MessageRepr;
use crate::result_code::ResultCode;

/// The CloseSession tag.
pub const CLOSE_TAG: u16 = 15;
/// Method tags are the method id plus this.
pub const METHOD_TAG_OFFSET: u16 = 16;
/// The largest method id (its tag is 0xFFFF).
pub const COMMAND_ID_MAX: u32 = (u16::MAX - METHOD_TAG_OFFSET) as u32;

/// A checked view of a TIPC request: a method call, or CloseSession.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    tag: u16,
    payload: &'a [u8],
    pid: Option<u64>,
    copy_handles: &'a [U32],
}

impl<'a> Request<'a> {
    /// Views `message` as a TIPC request.
    ///
    /// Errors: [`Error::TipcBadTag`] (tag below 15), [`Error::TipcCloseNotBare`],
    /// [`Error::TipcSectionNotAllowed`] (X, W, receive list),
    /// [`Error::TipcFieldNotZero`] (receive-list offset, reserved bits), in that order.
    pub fn new_checked<T: AsRef<[u8]>>(message: &'a Message<T>) -> Result<Self, Error> {
        let header = message.header();
        let tag = header.tag();
        if tag < CLOSE_TAG {
            return Err(Error::TipcBadTag { tag });
        }
        if tag == CLOSE_TAG {
            let (word0, word1) = (header.word0.get(), header.word1.get());
            if word0 != u32::from(CLOSE_TAG) || word1 != 0 {
                return Err(Error::TipcCloseNotBare { word0, word1 });
            }
            return Ok(Request {
                tag,
                payload: &[],
                pid: None,
                copy_handles: &[],
            });
        }
        let special_reserved = message.special_header().map_or(0, |s| s.reserved());
        check_strict(
            header.x_count(),
            header.w_count(),
            header.recv_list_count(),
            header.recv_list_offset(),
            header.reserved(),
            special_reserved,
        )?;
        Ok(Request {
            tag,
            payload: message.raw(),
            pid: message.pid(),
            copy_handles: message.copy_handles(),
        })
    }

    /// The tag.
    pub fn tag(&self) -> u16 {
        self.tag
    }
    /// Whether this is CloseSession (tag 15).
    pub fn is_close(&self) -> bool {
        self.tag == CLOSE_TAG
    }
    /// The method id (`tag − 16`); `None` for CloseSession.
    pub fn command_id(&self) -> Option<u16> {
        self.tag.checked_sub(METHOD_TAG_OFFSET)
    }
    /// The in-arguments: the whole raw data (empty for CloseSession).
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
    /// The sender's process id, when the request carries a PID slot (§3: the PID
    /// travels only there).
    pub fn pid(&self) -> Option<u64> {
        self.pid
    }
    /// The `i`-th copy handle. Errors: [`Error::NoSuchItem`].
    pub fn copy_handle(&self, i: usize) -> Result<u32, Error> {
        handle_at(self.copy_handles, "copy_handles", i)
    }
    /// The in-arguments as a `T` (a copy, so the buffer is free for the reply), read
    /// from the start of the raw data. Errors: [`Error::DataTooSmall`].
    pub fn in_data<T: FromBytes>(&self) -> Result<T, Error> {
        read_data(self.payload)
    }
}

/// The header rules of a TIPC method request (§3), in a fixed order.
fn check_strict(
    x: usize,
    w: usize,
    recv_list_count: u8,
    recv_list_offset: u16,
    header_reserved: u32,
    special_reserved: u32,
) -> Result<(), Error> {
    if x != 0 {
        return Err(Error::TipcSectionNotAllowed {
            section: Section::X,
            count: x,
        });
    }
    if w != 0 {
        return Err(Error::TipcSectionNotAllowed {
            section: Section::W,
            count: w,
        });
    }
    if recv_list_count != 0 {
        return Err(Error::TipcSectionNotAllowed {
            section: Section::ReceiveList,
            count: usize::from(recv_list_count),
        });
    }
    let fields = [
        (Field::RecvListOffset, u32::from(recv_list_offset)),
        (Field::HeaderReserved, header_reserved),
        (Field::SpecialReserved, special_reserved),
    ];
    for (field, value) in fields {
        if value != 0 {
            return Err(Error::TipcFieldNotZero { field, value });
        }
    }
    Ok(())
}

/// A checked view of a TIPC reply: the result word, then the out data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'a> {
    tag: u16,
    result: u32,
    payload: &'a [u8],
    copy_handles: &'a [U32],
    move_handles: &'a [U32],
}

impl<'a> Response<'a> {
    /// Views `message` as a TIPC reply. Errors: [`Error::TipcRawTooSmall`] (no result
    /// word).
    pub fn new_checked<T: AsRef<[u8]>>(message: &'a Message<T>) -> Result<Self, Error> {
        let raw = message.raw();
        let (result, payload) = match raw.split_first_chunk::<4>() {
            Some((result, payload)) => (u32::from_le_bytes(*result), payload),
            None => {
                return Err(Error::TipcRawTooSmall {
                    available: raw.len(),
                });
            }
        };
        Ok(Response {
            tag: message.header().tag(),
            result,
            payload,
            copy_handles: message.copy_handles(),
            move_handles: message.move_handles(),
        })
    }
    /// The tag (the request's, echoed).
    pub fn tag(&self) -> u16 {
        self.tag
    }
    /// The method id the tag names (`tag − 16`), when the tag is 16 or more.
    pub fn command_id(&self) -> Option<u16> {
        self.tag.checked_sub(METHOD_TAG_OFFSET)
    }
    /// The result (raw word 0).
    pub fn result(&self) -> u32 {
        self.result
    }
    /// The reply, when its result is success; otherwise [`Error::ServiceResult`]
    /// (what libnx's `tipcParseResponse` returns then).
    pub fn success(self) -> Result<Self, Error> {
        ResultCode(self.result).check().map(|()| self)
    }
    /// The `i`-th move handle (out-objects are move handles in TIPC). Errors:
    /// [`Error::NoSuchItem`].
    pub fn move_handle(&self, i: usize) -> Result<u32, Error> {
        handle_at(self.move_handles, "move_handles", i)
    }
    /// The `i`-th copy handle. Errors: [`Error::NoSuchItem`].
    pub fn copy_handle(&self, i: usize) -> Result<u32, Error> {
        handle_at(self.copy_handles, "copy_handles", i)
    }
    /// The out data: the raw data after the result word.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
    /// The out data as a `T` (a copy), read right after the result word. Errors:
    /// [`Error::DataTooSmall`].
    pub fn out_data<T: FromBytes>(&self) -> Result<T, Error> {
        read_data(self.payload)
    }
}

/// A TIPC method request to build: tag `command_id + 16`, raw data = the payload
/// padded with zeros to whole words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestRepr<'a> {
    /// The method id (at most 0xFFEF), a `u16` as in the view
    /// ([`Request::command_id`]).
    pub command_id: u16,
    /// The in-arguments.
    pub payload: &'a [u8],
}

impl RequestRepr<'_> {
    /// The tag. Errors: [`Error::TipcCommandIdTooLarge`].
    pub fn tag(&self) -> Result<u16, Error> {
        self.command_id
            .checked_add(METHOD_TAG_OFFSET)
            .ok_or(Error::TipcCommandIdTooLarge {
                command_id: u32::from(self.command_id),
            })
    }

    /// Emits a whole message: `message`'s handles and A/B descriptors, this tag and raw
    /// data (the `tag` and `raw` of `message` must be left at their `MessageRepr::EMPTY` values: [`Error::FieldOwnedByLayer`]). Errors:
    /// [`Error::TipcCommandIdTooLarge`], the header rules of [`Request::new_checked`]
    /// ([`Error::TipcSectionNotAllowed`], [`Error::TipcFieldNotZero`]), then those of
    /// [`MessageRepr::emit`].
    pub fn emit(&self, message: &MessageRepr<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        let tag = self.tag()?;
        check_strict(
            message.x.len(),
            message.w.len(),
            message.recv_list_count,
            message.recv_list_offset,
            message.header_reserved,
            message.special_reserved,
        )?;
        let raw_len = self.payload.len().div_ceil(4).saturating_mul(4);
        check_raw_len(raw_len)?;
        emit_with_raw("tipc", message, tag, raw_len, buf, |_, area| {
            area.fill(0);
            put(area, 0, self.payload);
        })
    }
}

/// CloseSession: the two header words `0x0000000f 0x00000000`, nothing else.
///
/// ```
/// let mut buf = [0xffu8; 8];
/// assert_eq!(hipc::tipc::emit_close(&mut buf)?, 8);
/// assert_eq!(buf, [15, 0, 0, 0, 0, 0, 0, 0]);
/// # Ok::<(), hipc::Error>(())
/// ```
pub fn emit_close(buf: &mut [u8]) -> Result<usize, Error> {
    let available = buf.len();
    let out = buf.get_mut(..HEADER_SIZE).ok_or(Error::BufferTooSmall {
        needed: HEADER_SIZE,
        available,
    })?;
    out.fill(0);
    put(out, 0, &u32::from(CLOSE_TAG).to_le_bytes());
    Ok(HEADER_SIZE)
}

/// A TIPC reply to build: the result word, then the out data padded to whole words.
///
/// ```
/// use hipc::{Message, MessageRepr, tipc};
/// let mut buf = [0u8; 0x20];
/// let reply = tipc::ResponseRepr { tag: 17, result: 0, payload: &7u32.to_le_bytes() };
/// let len = reply.emit(&MessageRepr::EMPTY, &mut buf)?;
/// let msg = Message::new_checked(&buf[..len])?;
/// assert_eq!(tipc::Response::new_checked(&msg)?.out_data::<u32>()?, 7);
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseRepr<'a> {
    /// The tag: the request's, echoed (libstratosphere does; libnx does not check).
    /// A field like every other, so that `emit` has the same signature as
    /// [`RequestRepr::emit`] and CMIF's.
    pub tag: u16,
    /// The result (0 = success).
    pub result: u32,
    /// The out data.
    pub payload: &'a [u8],
}

impl ResponseRepr<'_> {
    /// Emits a whole reply: `message`'s handles (out objects are move handles), this
    /// tag and raw data. Errors: [`Error::FieldOwnedByLayer`] (a `tag` or `raw` in
    /// `message`), those of [`MessageRepr::emit`], and [`Error::TooManyItems`] for too
    /// much data.
    pub fn emit(&self, message: &MessageRepr<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        let tag = self.tag;
        let raw_len = self
            .payload
            .len()
            .div_ceil(4)
            .saturating_mul(4)
            .saturating_add(4);
        check_raw_len(raw_len)?;
        emit_with_raw("tipc", message, tag, raw_len, buf, |_, area| {
            area.fill(0);
            put(area, 0, &self.result.to_le_bytes());
            put(area, 4, self.payload);
        })
    }
}
