//! CMIF requests: the view ([`Request`]) and the builder ([`RequestRepr`])
//! (wire-format.md §2.1-§2.3, §2.5, §2.7, §2.8).

use zerocopy::byteorder::little_endian::{U16, U32};
use zerocopy::{FromBytes, IntoBytes};

use super::domain::{DomainRepr, DomainRequest, DomainType};
use super::header::{DomainInHeader, InHeader};
use super::response::handle_at;
use super::session::Session;
use super::size_table::{read_size_table, size_table_offset};
use super::{
    ControlCommand, HEADER_SIZE, IN_MAGIC, PADDING_BUDGET, check_raw_len, emit_with_raw, header_at,
    padding_at, put, session_hint,
};
use crate::data::read_data;
use crate::error::Error;
use crate::message::Message;
use crate::repr::MessageRepr;

/// What a request tag means to CMIF (wire-format.md §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// Tag 4: an ordinary request (also every domain message, domain Close included).
    Request,
    /// Tag 5: an IHipcManager control request (§2.7).
    Control,
    /// Tag 6: a request with a context (SFCI version 1 and a token; §2.8).
    RequestWithContext,
    /// Tag 7: a control request with a context.
    ControlWithContext,
}

impl RequestKind {
    /// The kind a tag selects, or `None` for a tag that is not a CMIF request.
    pub const fn from_tag(tag: u16) -> Option<Self> {
        match tag {
            4 => Some(RequestKind::Request),
            5 => Some(RequestKind::Control),
            6 => Some(RequestKind::RequestWithContext),
            7 => Some(RequestKind::ControlWithContext),
            _ => None,
        }
    }
    /// The tag.
    pub const fn tag(self) -> u16 {
        match self {
            RequestKind::Request => 4,
            RequestKind::Control => 5,
            RequestKind::RequestWithContext => 6,
            RequestKind::ControlWithContext => 7,
        }
    }
    /// Whether this is a control request (tag 5 or 7).
    pub const fn is_control(self) -> bool {
        matches!(self, RequestKind::Control | RequestKind::ControlWithContext)
    }
    /// Whether the request carries a context (tag 6 or 7).
    pub const fn has_context(self) -> bool {
        matches!(
            self,
            RequestKind::RequestWithContext | RequestKind::ControlWithContext
        )
    }
}

/// A checked view of a CMIF request inside a parsed message's raw data.
///
/// Borrowed from the message's buffer; nothing is copied. See the [module
/// documentation](super) for where the data lies and what is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    kind: RequestKind,
    raw: &'a [u8],
    raw_offset: usize,
    pad: usize,
    domain: Option<DomainRequest<'a>>,
    header: Option<&'a InHeader>,
    payload_start: usize,
    payload_end: usize,
    pid: Option<u64>,
    copy_handles: &'a [U32],
    move_handles: &'a [U32],
}

impl<'a> Request<'a> {
    /// Views the CMIF request in `message`'s raw data. `session` says whether the
    /// session has been converted to a domain (session state, not on the wire); a
    /// control request never carries a domain header, so on a domain session it is
    /// read as on a plain one (§2.7).
    ///
    /// Errors, in the order checked: [`Error::CmifBadTag`] (tag not 4..=7),
    /// [`Error::CmifRawTooSmall`] (raw data under `16 + 16` bytes, `16 + 16` more
    /// with a domain header), and for a domain request
    /// [`Error::CmifDomainUnknownType`], [`Error::CmifDomainDataTooSmall`],
    /// [`Error::CmifDomainDataOutOfBounds`], [`Error::CmifDomainObjectsOutOfBounds`];
    /// then [`Error::CmifBadMagic`] (no "SFCI").
    pub fn new_checked<T: AsRef<[u8]>>(
        message: &'a Message<T>,
        session: Session,
    ) -> Result<Self, Error> {
        let tag = message.header().tag();
        let kind = RequestKind::from_tag(tag).ok_or(Error::CmifBadTag { tag })?;
        let raw = message.raw();
        let raw_offset = message.layout().raw().start;
        let pad = padding_at(raw_offset);
        let is_domain = session.is_domain() && !kind.is_control();
        let needed = PADDING_BUDGET + HEADER_SIZE;
        if raw.len() < needed {
            return Err(Error::CmifRawTooSmall {
                needed: if is_domain {
                    needed + HEADER_SIZE
                } else {
                    needed
                },
                available: raw.len(),
            });
        }
        let (domain, header_start) = if is_domain {
            let domain = DomainRequest::parse(raw, pad)?;
            if domain.kind() == DomainType::Close {
                let start = pad + HEADER_SIZE;
                return Ok(Request {
                    kind,
                    raw,
                    raw_offset,
                    pad,
                    domain: Some(domain),
                    header: None,
                    payload_start: start,
                    payload_end: start,
                    pid: message.pid(),
                    copy_handles: message.copy_handles(),
                    move_handles: message.move_handles(),
                });
            }
            (Some(domain), pad + HEADER_SIZE)
        } else {
            (None, pad)
        };
        let header: &InHeader = header_at(raw, header_start).ok_or(Error::CmifRawTooSmall {
            needed,
            available: raw.len(),
        })?;
        if header.magic.get() != IN_MAGIC {
            return Err(Error::CmifBadMagic {
                expected: IN_MAGIC,
                found: header.magic.get(),
                // A control request never has a domain header (§2.7): no hint there.
                session_hint: session_hint(raw, pad, domain.is_some(), IN_MAGIC)
                    .filter(|_| !kind.is_control()),
            });
        }
        let payload_start = header_start + HEADER_SIZE;
        let payload_end = match &domain {
            Some(d) => header_start + usize::from(d.data_size()),
            None => raw.len(),
        };
        Ok(Request {
            kind,
            raw,
            raw_offset,
            pad,
            domain,
            header: Some(header),
            payload_start,
            payload_end,
            pid: message.pid(),
            copy_handles: message.copy_handles(),
            move_handles: message.move_handles(),
        })
    }

    /// The request's kind (its tag).
    pub fn kind(&self) -> RequestKind {
        self.kind
    }
    /// The tag: 4, 5, 6 or 7.
    pub fn tag(&self) -> u16 {
        self.kind.tag()
    }
    /// Whether this is a control request (tag 5 or 7).
    pub fn is_control(&self) -> bool {
        self.kind.is_control()
    }
    /// The SFCI header; `None` only for a domain Close, which has none.
    pub fn header(&self) -> Option<&'a InHeader> {
        self.header
    }
    /// The command id (SFCI +8); `None` for a domain Close.
    pub fn command_id(&self) -> Option<u32> {
        self.header.map(|h| h.command_id.get())
    }
    /// The SFCI version; `None` for a domain Close.
    pub fn version(&self) -> Option<u32> {
        self.header.map(|h| h.version.get())
    }
    /// The context token: the domain header's token in a domain message (libnx writes
    /// it there and 0 in the SFCI token), otherwise the SFCI token (§2.8).
    pub fn token(&self) -> u32 {
        match (&self.domain, self.header) {
            (Some(d), _) => d.token(),
            (None, Some(h)) => h.token.get(),
            (None, None) => 0,
        }
    }
    /// The control command of a control request, when its id is one of 0..=4.
    pub fn control_command(&self) -> Option<ControlCommand> {
        if self.is_control() {
            self.command_id().and_then(ControlCommand::from_id)
        } else {
            None
        }
    }
    /// The domain header and in-object ids, in a domain message.
    pub fn domain(&self) -> Option<&DomainRequest<'a>> {
        self.domain.as_ref()
    }
    /// The payload: the bytes after the SFCI header up to the end of the raw data, or
    /// exactly `data_size − 16` bytes in a domain SendMessage; empty for a domain Close.
    pub fn payload(&self) -> &'a [u8] {
        self.raw
            .get(self.payload_start..self.payload_end)
            .unwrap_or(&[])
    }
    /// The in-data as a `T`, read from the payload start and copied out, so that the
    /// message buffer is free for the reply once the view is dropped (the server
    /// pattern: read everything the command needs, then build the reply into the
    /// same buffer). Errors: [`Error::DataTooSmall`] when the payload (exactly
    /// `data_size − 16` bytes in a domain request) is shorter than `T`.
    pub fn in_data<T: FromBytes>(&self) -> Result<T, Error> {
        read_data(self.payload())
    }
    /// The sender's process id, when the request carries a PID slot (the kernel wrote
    /// it, §1.3).
    pub fn pid(&self) -> Option<u64> {
        self.pid
    }
    /// The `i`-th copy handle (in-handles of the command). Errors:
    /// [`Error::NoSuchItem`].
    pub fn copy_handle(&self, i: usize) -> Result<u32, Error> {
        handle_at(self.copy_handles, "copy_handles", i)
    }
    /// The `i`-th move handle. Errors: [`Error::NoSuchItem`].
    pub fn move_handle(&self, i: usize) -> Result<u32, Error> {
        handle_at(self.move_handles, "move_handles", i)
    }
    /// The whole raw data.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }
    /// The padding before the aligned CMIF data (0, 4, 8 or 12 bytes).
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
    /// Byte offset of the SFCI header from the message start, when there is one.
    pub fn header_offset(&self) -> Option<usize> {
        self.header
            .map(|_| self.raw_offset + self.payload_start - HEADER_SIZE)
    }
    /// Byte offset of the payload from the message start.
    pub fn payload_offset(&self) -> usize {
        self.raw_offset + self.payload_start
    }

    /// The u16 out-pointer size table (§2.3), `count` entries, for a command whose
    /// in-data is `data_len` bytes (`D`; in a domain SendMessage that is
    /// `data_size − 16`). It starts `T = 16 + [16 + 4k] + 16 + round_up(D, 2)` bytes
    /// after the **raw data start** `R` (not after the aligned start `A`), which puts
    /// it `16 − pad` bytes after the data. The entries may be unaligned.
    ///
    /// Errors: [`Error::CmifSizeTableOutOfBounds`] when the table passes the end of
    /// the raw data.
    pub fn out_pointer_sizes(&self, data_len: usize, count: usize) -> Result<&'a [U16], Error> {
        let in_objects = self
            .domain
            .as_ref()
            .map(|d| usize::from(d.num_in_objects()));
        read_size_table(self.raw, size_table_offset(in_objects, data_len), count)
    }
}

/// A CMIF request to build, the way libnx's `cmifMakeRequest` lays it out (§2.3).
///
/// The raw data is `16` (padding budget) `+ [16 + 4k]` (domain header and in-object
/// ids) `+ 16` (SFCI) `+ round_up(D, 2) + 2n` bytes, rounded up to a whole word:
/// zero padding up to the 16-byte boundary, the headers, the payload, the in-object
/// ids right after it (unaligned when `D` is not a multiple of 4), the size table at
/// `R + T`, zeros elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestRepr<'a> {
    /// The command id (for a control request, see [`ControlCommand::id`]).
    pub command_id: u32,
    /// A control request (tag 5, or 7 with a token).
    pub control: bool,
    /// A context token: makes the tag 6 (or 7) and the SFCI version 1. The token goes
    /// in the SFCI header, or in the domain header (SFCI token 0) in a domain message.
    pub token: Option<u32>,
    /// A domain SendMessage to this object, with these in-objects.
    pub domain: Option<DomainRepr<'a>>,
    /// The in-data (`D` bytes).
    pub payload: &'a [u8],
    /// The sizes of the non-fixed-size out pointers, in declaration order.
    pub out_pointer_sizes: &'a [u16],
}

impl<'a> RequestRepr<'a> {
    /// Command 0, no payload, nothing else: for `..RequestRepr::EMPTY` updates.
    pub const EMPTY: RequestRepr<'static> = RequestRepr {
        command_id: 0,
        control: false,
        token: None,
        domain: None,
        payload: &[],
        out_pointer_sizes: &[],
    };

    /// The tag: 4, 5, 6 or 7.
    pub fn tag(&self) -> u16 {
        match (self.control, self.token.is_some()) {
            (false, false) => 4,
            (true, false) => 5,
            (false, true) => 6,
            (true, true) => 7,
        }
    }

    /// Checks the fields and returns the raw data length in bytes.
    ///
    /// Errors: [`Error::CmifDomainOnControl`], [`Error::CmifDomainValueTooLarge`]
    /// (more than 255 in-objects, `16 + D` above 0xFFFF), [`Error::TooManyItems`]
    /// (raw data above 1023 words).
    pub fn raw_len(&self) -> Result<usize, Error> {
        let in_objects = match &self.domain {
            Some(domain) => {
                if self.control {
                    return Err(Error::CmifDomainOnControl { tag: self.tag() });
                }
                domain.check(self.payload.len())?;
                Some(domain.in_objects.len())
            }
            None => None,
        };
        let table = size_table_offset(in_objects, self.payload.len());
        let len = table
            .saturating_add(self.out_pointer_sizes.len().saturating_mul(2))
            .div_ceil(4)
            .saturating_mul(4);
        check_raw_len(len)?;
        Ok(len)
    }

    /// Writes the raw data into `raw` for a message whose raw data starts
    /// `raw_offset` bytes after the message start (that fixes the padding). Returns
    /// its length; bytes of `raw` after it are not touched. Every check runs first.
    ///
    /// Errors: as [`RequestRepr::raw_len`], and [`Error::BufferTooSmall`].
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

    /// Emits a whole message: `message`'s handles, descriptors and receive list, with
    /// this request's tag and raw data (the `tag` and `raw` of `message` must be left at their `MessageRepr::EMPTY` values: [`Error::FieldOwnedByLayer`]).
    /// Returns the message length.
    ///
    /// Errors: as [`RequestRepr::raw_len`] and [`MessageRepr::emit`].
    pub fn emit(&self, message: &MessageRepr<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.raw_len()?;
        emit_with_raw("cmif", message, self.tag(), len, buf, |offset, area| {
            self.fill(offset, area);
        })
    }

    /// Writes the checked request into `area` (exactly the raw data).
    fn fill(&self, raw_offset: usize, area: &mut [u8]) {
        area.fill(0);
        let pad = padding_at(raw_offset);
        let version = u32::from(self.token.is_some());
        let token = self.token.unwrap_or(0);
        let mut at = pad;
        let sfci_token = match &self.domain {
            Some(domain) => {
                // `raw_len` checked both narrowings.
                let header = DomainInHeader {
                    kind: DomainType::SendMessage.value(),
                    num_in_objects: u8::try_from(domain.in_objects.len()).unwrap_or(u8::MAX),
                    data_size: U16::new(
                        u16::try_from(HEADER_SIZE + self.payload.len()).unwrap_or(u16::MAX),
                    ),
                    object_id: U32::new(domain.object_id),
                    padding: U32::new(0),
                    token: U32::new(token),
                };
                put(area, at, header.as_bytes());
                at += HEADER_SIZE;
                0
            }
            None => token,
        };
        put(
            area,
            at,
            InHeader::new(version, self.command_id, sfci_token).as_bytes(),
        );
        at += HEADER_SIZE;
        put(area, at, self.payload);
        at += self.payload.len();
        if let Some(domain) = &self.domain {
            put(area, at, domain.in_objects.as_bytes());
        }
        let in_objects = self.domain.as_ref().map(|d| d.in_objects.len());
        let mut table = size_table_offset(in_objects, self.payload.len());
        for size in self.out_pointer_sizes {
            put(area, table, &size.to_le_bytes());
            table += 2;
        }
    }
}
