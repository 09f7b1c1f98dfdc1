//! CMIF responses: the view ([`Response`]) and the builder ([`ResponseRepr`])
//! (wire-format.md §2.4, §2.6).

use zerocopy::byteorder::little_endian::U32;
use zerocopy::{FromBytes, IntoBytes};

use super::header::{DomainOutHeader, OutHeader};
use super::session::Session;
use super::{
    HEADER_SIZE, OUT_MAGIC, PADDING_BUDGET, check_raw_len, emit_with_raw, header_at, padding_at,
    put, session_hint, words_at,
};
use crate::data::read_data;
use crate::error::Error;
use crate::message::Message;
use crate::repr::MessageRepr;
use crate::result_code::ResultCode;

/// A checked view of a CMIF response inside a parsed message's raw data.
///
/// The tag is not checked (libstratosphere writes 0, SunriseOS 4 or 6, and libnx
/// never looks). A domain Close gets no response body at all (§2.5): do not parse its
/// reply as a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'a> {
    raw: &'a [u8],
    raw_offset: usize,
    pad: usize,
    domain: Option<&'a DomainOutHeader>,
    header: &'a OutHeader,
    payload_start: usize,
    copy_handles: &'a [U32],
    move_handles: &'a [U32],
}

impl<'a> Response<'a> {
    /// Views the CMIF response in `message`'s raw data; `session` says whether the
    /// session is a domain (then a domain out-header precedes the SFCO header).
    ///
    /// Errors: [`Error::CmifRawTooSmall`] (raw data under `16 + 16` bytes, 16 more with
    /// a domain header), [`Error::CmifBadMagic`] (no "SFCO").
    pub fn new_checked<T: AsRef<[u8]>>(
        message: &'a Message<T>,
        session: Session,
    ) -> Result<Self, Error> {
        let is_domain = session.is_domain();
        let raw = message.raw();
        let raw_offset = message.layout().raw().start;
        let pad = padding_at(raw_offset);
        let headers = if is_domain { 2 } else { 1 };
        let needed = PADDING_BUDGET + headers * HEADER_SIZE;
        let too_small = Error::CmifRawTooSmall {
            needed,
            available: raw.len(),
        };
        if raw.len() < needed {
            return Err(too_small);
        }
        let (domain, header_start) = if is_domain {
            let domain: &DomainOutHeader = header_at(raw, pad).ok_or(too_small)?;
            (Some(domain), pad + HEADER_SIZE)
        } else {
            (None, pad)
        };
        let header: &OutHeader = header_at(raw, header_start).ok_or(too_small)?;
        if header.magic.get() != OUT_MAGIC {
            return Err(Error::CmifBadMagic {
                expected: OUT_MAGIC,
                found: header.magic.get(),
                session_hint: session_hint(raw, pad, is_domain, OUT_MAGIC),
            });
        }
        Ok(Response {
            raw,
            raw_offset,
            pad,
            domain,
            header,
            payload_start: header_start + HEADER_SIZE,
            copy_handles: message.copy_handles(),
            move_handles: message.move_handles(),
        })
    }

    /// The response, when its result is success; otherwise
    /// [`Error::ServiceResult`] (what libnx's `cmifParseResponse` returns then).
    pub fn success(self) -> Result<Self, Error> {
        ResultCode(self.result()).check().map(|()| self)
    }
    /// The `i`-th move handle of the reply (out-objects of a plain session, §2.6).
    /// Errors: [`Error::NoSuchItem`].
    pub fn move_handle(&self, i: usize) -> Result<u32, Error> {
        handle_at(self.move_handles, "move_handles", i)
    }
    /// The `i`-th copy handle of the reply. Errors: [`Error::NoSuchItem`].
    pub fn copy_handle(&self, i: usize) -> Result<u32, Error> {
        handle_at(self.copy_handles, "copy_handles", i)
    }
    /// The SFCO header.
    pub fn header(&self) -> &'a OutHeader {
        self.header
    }
    /// The result (0 = success).
    pub fn result(&self) -> u32 {
        self.header.result.get()
    }
    /// The SFCO version.
    pub fn version(&self) -> u32 {
        self.header.version.get()
    }
    /// The SFCO token (libstratosphere: the interface's debug id).
    pub fn token(&self) -> u32 {
        self.header.token.get()
    }
    /// The domain out-header, on a domain session.
    pub fn domain(&self) -> Option<&'a DomainOutHeader> {
        self.domain
    }
    /// `num_out_objects` of the domain out-header (0 on a non-domain session).
    pub fn num_out_objects(&self) -> u32 {
        self.domain.map_or(0, |d| d.num_out_objects.get())
    }
    /// The payload: every byte after the SFCO header up to the end of the raw data
    /// (out data, then in a domain response the out-object ids, then the unused
    /// padding budget).
    pub fn payload(&self) -> &'a [u8] {
        self.raw.get(self.payload_start..).unwrap_or(&[])
    }
    /// The out-data as a `T`, read from the payload start and copied out. Errors:
    /// [`Error::DataTooSmall`].
    pub fn out_data<T: FromBytes>(&self) -> Result<T, Error> {
        read_data(self.payload())
    }
    /// The padding before the aligned CMIF data.
    pub fn padding(&self) -> usize {
        self.pad
    }
    /// Byte offset of the raw data from the message start (`R`).
    pub fn raw_offset(&self) -> usize {
        self.raw_offset
    }
    /// Byte offset of the aligned CMIF data from the message start (`A`).
    pub fn aligned_offset(&self) -> usize {
        self.raw_offset + self.pad
    }
    /// Byte offset of the SFCO header from the message start.
    pub fn header_offset(&self) -> usize {
        self.raw_offset + self.payload_start - HEADER_SIZE
    }
    /// Byte offset of the payload from the message start.
    pub fn payload_offset(&self) -> usize {
        self.raw_offset + self.payload_start
    }

    /// The out-object ids of a domain response, for a command whose out data is
    /// `out_data_len` bytes: they start right after the **unaligned** out data
    /// (libstratosphere `GetImplOutDataTotalSize`, libnx `cmifParseResponse`), so the
    /// caller must say how long that is (`size_of::<T>()` for the `T` read with
    /// [`Response::out_data`]). Empty on a non-domain session (out objects are then
    /// move handles). An id of 0 means "no object".
    ///
    /// The out-data length is not on the wire, so a wrong `out_data_len` cannot be
    /// detected: the words read are then other bytes of the reply, not ids. Only the
    /// bounds are checked.
    ///
    /// Errors: [`Error::CmifDomainObjectsOutOfBounds`].
    pub fn out_objects(&self, out_data_len: usize) -> Result<&'a [U32], Error> {
        let count = self.num_out_objects();
        if self.domain.is_none() || count == 0 {
            return Ok(&[]);
        }
        // The CMIF region after the domain header, as in a request (§2.1).
        let available = self.raw.len().saturating_sub(PADDING_BUDGET + HEADER_SIZE);
        let needed = (count as usize)
            .saturating_mul(4)
            .saturating_add(HEADER_SIZE)
            .saturating_add(out_data_len);
        let ids = if needed > available {
            None
        } else {
            words_at::<U32>(
                self.raw,
                self.payload_start.saturating_add(out_data_len),
                count as usize,
            )
        };
        ids.ok_or(Error::CmifDomainObjectsOutOfBounds {
            count,
            needed,
            available,
        })
    }

    /// The `i`-th out-object id of a domain response whose out data is
    /// `out_data_len` bytes (see [`Response::out_objects`]). Errors: those of
    /// [`Response::out_objects`], and [`Error::NoSuchItem`] when there is no `i`-th.
    pub fn out_object(&self, out_data_len: usize, i: usize) -> Result<u32, Error> {
        handle_at(self.out_objects(out_data_len)?, "domain.out_objects", i)
    }
}

/// The `i`-th word of `handles` (handles or object ids), or [`Error::NoSuchItem`]
/// naming `field`.
pub(crate) fn handle_at(handles: &[U32], field: &'static str, i: usize) -> Result<u32, Error> {
    handles.get(i).map(|h| h.get()).ok_or(Error::NoSuchItem {
        field,
        index: i,
        count: handles.len(),
    })
}

/// A CMIF response to build, the way libstratosphere's `PrepareForReply` lays it out
/// (§2.4, §2.6): tag 0, SFCO version 0, raw data `align4(16 + out) + 16` bytes, or
/// with a domain `align4(out + 4n) + 32 + 16`.
///
/// ```
/// use hipc::{Message, MessageRepr, U32, cmif};
/// // Ex 9's reply: one move handle, no data.
/// let handles = [U32::new(0x0001_0002)];
/// let mut buf = [0u8; 0x40];
/// let len = cmif::ResponseRepr::EMPTY
///     .emit(&MessageRepr { move_handles: &handles, ..MessageRepr::EMPTY }, &mut buf)?;
/// assert_eq!(len, 48);
/// let msg = Message::new_checked(&buf[..len])?;
/// assert_eq!(cmif::Response::new_checked(&msg, cmif::Session::Plain)?.result(), 0);
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseRepr<'a> {
    /// The result (0 = success).
    pub result: u32,
    /// The SFCO token (libstratosphere writes the interface's debug id).
    pub token: u32,
    /// The out data.
    pub payload: &'a [u8],
    /// On a domain session, the out-object ids (a domain out-header is written, with
    /// this count, even when it is empty).
    pub domain_out_objects: Option<&'a [U32]>,
}

impl<'a> ResponseRepr<'a> {
    /// Success, no data, not a domain.
    pub const EMPTY: ResponseRepr<'static> = ResponseRepr {
        result: 0,
        token: 0,
        payload: &[],
        domain_out_objects: None,
    };

    /// The raw data length in bytes. Errors: [`Error::TooManyItems`] (above 1023
    /// words), [`Error::CmifDomainValueTooLarge`] (more than `u32::MAX` objects).
    pub fn raw_len(&self) -> Result<usize, Error> {
        let align4 = |n: usize| n.saturating_add(3) / 4 * 4;
        let len = match self.domain_out_objects {
            None => align4(HEADER_SIZE.saturating_add(self.payload.len()))
                .saturating_add(PADDING_BUDGET),
            Some(ids) => {
                if u32::try_from(ids.len()).is_err() {
                    return Err(Error::CmifDomainValueTooLarge {
                        field: "domain.num_out_objects",
                        value: ids.len(),
                        max: u32::MAX as usize,
                    });
                }
                align4(
                    self.payload
                        .len()
                        .saturating_add(ids.len().saturating_mul(4)),
                )
                .saturating_add(2 * HEADER_SIZE + PADDING_BUDGET)
            }
        };
        check_raw_len(len)?;
        Ok(len)
    }

    /// Writes the raw data for a message whose raw data starts `raw_offset` bytes
    /// after the message start. Errors: as [`ResponseRepr::raw_len`], and
    /// [`Error::BufferTooSmall`].
    pub fn write_raw(&self, raw_offset: usize, raw: &mut [u8]) -> Result<usize, Error> {
        let len = self.raw_len()?;
        let available = raw.len();
        let area = raw.get_mut(..len).ok_or(Error::BufferTooSmall {
            needed: len,
            available,
        })?;
        self.fill(raw_offset, area);
        Ok(len)
    }

    /// Emits a whole reply (tag 0): `message`'s other sections, this raw data.
    pub fn emit(&self, message: &MessageRepr<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.raw_len()?;
        emit_with_raw("cmif", message, 0, len, buf, |offset, area| {
            self.fill(offset, area)
        })
    }

    fn fill(&self, raw_offset: usize, area: &mut [u8]) {
        area.fill(0);
        let mut at = padding_at(raw_offset);
        if let Some(ids) = self.domain_out_objects {
            let header = DomainOutHeader {
                num_out_objects: U32::new(u32::try_from(ids.len()).unwrap_or(u32::MAX)),
                padding: [U32::new(0); 3],
            };
            put(area, at, header.as_bytes());
            at += HEADER_SIZE;
        }
        put(
            area,
            at,
            OutHeader::new(0, self.result, self.token).as_bytes(),
        );
        at += HEADER_SIZE;
        put(area, at, self.payload);
        at += self.payload.len();
        put(area, at, self.domain_out_objects.unwrap_or(&[]).as_bytes());
    }
}
