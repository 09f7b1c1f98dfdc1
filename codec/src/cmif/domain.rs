//! CMIF domain messages (wire-format.md §2.5, §2.6): the domain request header and
//! its in-object ids, the domain Close, and their builders.

use zerocopy::IntoBytes;
use zerocopy::byteorder::little_endian::{U16, U32};

use super::header::DomainInHeader;
use super::{HEADER_SIZE, PADDING_BUDGET, emit_with_raw, header_at, padding_at, put, words_at};
use crate::error::Error;
use crate::repr::MessageRepr;

/// The type byte of a domain request header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DomainType {
    /// 1: a command to one object of the domain; SFCI, payload and in-objects follow.
    SendMessage,
    /// 2: close one object of the domain; nothing follows, and libstratosphere sends no
    /// reply body.
    Close,
}

impl DomainType {
    /// The type a byte names: 1 or 2 (0 is "Invalid", refused like any other value).
    pub const fn from_value(value: u8) -> Option<Self> {
        match value {
            1 => Some(DomainType::SendMessage),
            2 => Some(DomainType::Close),
            _ => None,
        }
    }
    /// The byte.
    pub const fn value(self) -> u8 {
        match self {
            DomainType::SendMessage => 1,
            DomainType::Close => 2,
        }
    }
    /// `SendMessage` or `Close`.
    pub const fn name(self) -> &'static str {
        match self {
            DomainType::SendMessage => "SendMessage",
            DomainType::Close => "Close",
        }
    }
}

/// The domain part of a request on a domain session: the 16-byte header at the
/// aligned payload start and the in-object ids after the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainRequest<'a> {
    header: &'a DomainInHeader,
    kind: DomainType,
    in_objects: &'a [U32],
    in_objects_start: usize,
}

impl<'a> DomainRequest<'a> {
    /// Reads the domain header at `pad` of `raw` (which holds at least 32 bytes) and,
    /// for a SendMessage, checks that the data and the ids lie in the CMIF region.
    pub(crate) fn parse(raw: &'a [u8], pad: usize) -> Result<Self, Error> {
        let header: &DomainInHeader = header_at(raw, pad).ok_or(Error::CmifRawTooSmall {
            needed: PADDING_BUDGET + HEADER_SIZE,
            available: raw.len(),
        })?;
        // The CMIF region after the domain header: the raw data minus the padding
        // budget and the header (§2.1; libstratosphere's check, §2.10).
        let available = raw.len().saturating_sub(PADDING_BUDGET + HEADER_SIZE);
        let kind = DomainType::from_value(header.kind)
            .ok_or(Error::CmifDomainUnknownType { value: header.kind })?;
        let data_start = pad + HEADER_SIZE;
        if kind == DomainType::Close {
            return Ok(DomainRequest {
                header,
                kind,
                in_objects: &[],
                in_objects_start: data_start,
            });
        }
        if available < HEADER_SIZE {
            return Err(Error::CmifRawTooSmall {
                needed: PADDING_BUDGET + 2 * HEADER_SIZE,
                available: raw.len(),
            });
        }
        let data_size = header.data_size.get();
        if usize::from(data_size) < HEADER_SIZE {
            return Err(Error::CmifDomainDataTooSmall { data_size });
        }
        if usize::from(data_size) > available {
            return Err(Error::CmifDomainDataOutOfBounds {
                data_size,
                available,
            });
        }
        let count = usize::from(header.num_in_objects);
        let needed = usize::from(data_size) + 4 * count;
        let objects_start = data_start + usize::from(data_size);
        let in_objects = if needed > available {
            None
        } else {
            words_at::<U32>(raw, objects_start, count)
        };
        let Some(in_objects) = in_objects else {
            return Err(Error::CmifDomainObjectsOutOfBounds {
                count: u32::from(header.num_in_objects),
                needed,
                available,
            });
        };
        Ok(DomainRequest {
            header,
            kind,
            in_objects,
            in_objects_start: objects_start,
        })
    }

    /// The header as on the wire.
    pub fn header(&self) -> &'a DomainInHeader {
        self.header
    }
    /// SendMessage or Close.
    pub fn kind(&self) -> DomainType {
        self.kind
    }
    /// The `num_in_objects` byte, as written (for a Close, not checked).
    pub fn num_in_objects(&self) -> u8 {
        self.header.num_in_objects
    }
    /// The `data_size` field, as written (for a Close, not checked).
    pub fn data_size(&self) -> u16 {
        self.header.data_size.get()
    }
    /// The target object id.
    pub fn object_id(&self) -> u32 {
        self.header.object_id.get()
    }
    /// The domain header's token (§2.8).
    pub fn token(&self) -> u32 {
        self.header.token.get()
    }
    /// The in-object ids of a SendMessage (empty for a Close), at the domain header
    /// + 16 + `data_size`: unaligned when the data size is not a multiple of 4.
    pub fn in_objects(&self) -> &'a [U32] {
        self.in_objects
    }
    /// The `i`-th in-object id.
    pub fn in_object(&self, i: usize) -> Option<u32> {
        self.in_objects.get(i).map(|id| id.get())
    }
    /// Byte offset of the in-object ids from the start of the raw data.
    pub fn in_objects_raw_offset(&self) -> usize {
        self.in_objects_start
    }
}

/// The domain part of a [`super::RequestRepr`]: a SendMessage to `object_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DomainRepr<'a> {
    /// The target object.
    pub object_id: u32,
    /// The in-object ids (at most 255), little-endian words like every id and handle
    /// the views hand out.
    pub in_objects: &'a [U32],
}

impl DomainRepr<'_> {
    /// Checks that the counts fit their header fields for `data_len` payload bytes.
    pub(crate) fn check(&self, data_len: usize) -> Result<(), Error> {
        if self.in_objects.len() > usize::from(u8::MAX) {
            return Err(Error::CmifDomainValueTooLarge {
                field: "domain.num_in_objects",
                value: self.in_objects.len(),
                max: usize::from(u8::MAX),
            });
        }
        let data_size = data_len.saturating_add(HEADER_SIZE);
        if data_size > usize::from(u16::MAX) {
            return Err(Error::CmifDomainValueTooLarge {
                field: "domain.data_size",
                value: data_size,
                max: usize::from(u16::MAX),
            });
        }
        Ok(())
    }
}

/// A domain Close of one object (§2.5): tag 4, the domain header alone (type 2,
/// no objects, `data_size` 0), 8 raw words, as libnx's `cmifMakeCloseRequest` sends it.
///
/// ```
/// use hipc::{MessageRepr, cmif};
/// let mut buf = [0u8; 0x40];
/// let len = cmif::DomainCloseRepr { object_id: 1 }.emit(&MessageRepr::EMPTY, &mut buf)?;
/// assert_eq!(len, 40);
/// assert_eq!(&buf[..24], &[4, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]);
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DomainCloseRepr {
    /// The object to close.
    pub object_id: u32,
}

impl DomainCloseRepr {
    /// The raw data length: the 16-byte budget plus the domain header.
    pub const RAW_LEN: usize = PADDING_BUDGET + HEADER_SIZE;

    /// Writes the raw data for a message whose raw data starts `raw_offset` bytes
    /// after the message start. Errors: [`Error::BufferTooSmall`].
    pub fn write_raw(&self, raw_offset: usize, raw: &mut [u8]) -> Result<usize, Error> {
        let available = raw.len();
        let area = raw.get_mut(..Self::RAW_LEN).ok_or(Error::BufferTooSmall {
            needed: Self::RAW_LEN,
            available,
        })?;
        self.fill(raw_offset, area);
        Ok(Self::RAW_LEN)
    }

    /// Emits a whole message (tag 4): `message`'s other sections, this raw data.
    pub fn emit(&self, message: &MessageRepr<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        emit_with_raw("cmif", message, 4, Self::RAW_LEN, buf, |offset, area| {
            self.fill(offset, area);
        })
    }

    fn fill(&self, raw_offset: usize, area: &mut [u8]) {
        area.fill(0);
        let header = DomainInHeader {
            kind: DomainType::Close.value(),
            num_in_objects: 0,
            data_size: U16::new(0),
            object_id: U32::new(self.object_id),
            padding: U32::new(0),
            token: U32::new(0),
        };
        put(area, padding_at(raw_offset), header.as_bytes());
    }
}
