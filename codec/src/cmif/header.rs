//! The 16-byte CMIF headers (wire-format.md §2.2, §2.5, §2.6), as little-endian
//! `#[repr(C)]` zerocopy structs: `Unaligned`, so they are read straight out of any
//! `&[u8]` at any offset.

use zerocopy::byteorder::little_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// The request header `CmifInHeader` ("SFCI"), at the aligned payload start (after
/// the domain header in a domain message). wire-format.md §2.2.
#[derive(
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Debug,
)]
#[repr(C)]
pub struct InHeader {
    /// `magic`: [`super::IN_MAGIC`] (bytes `53 46 43 49`, "SFCI").
    pub magic: U32,
    /// `version`: 0, or 1 with a context (tags 6 and 7; §2.8).
    pub version: U32,
    /// `command_id`.
    pub command_id: U32,
    /// `token`: 0 unless the request has a context, and 0 in domain messages (§2.8).
    pub token: U32,
}

impl InHeader {
    /// A request header with the SFCI magic.
    pub fn new(version: u32, command_id: u32, token: u32) -> Self {
        InHeader {
            magic: U32::new(super::IN_MAGIC),
            version: U32::new(version),
            command_id: U32::new(command_id),
            token: U32::new(token),
        }
    }
}

/// The response header `CmifOutHeader` ("SFCO"). wire-format.md §2.2, §2.4.
#[derive(
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Debug,
)]
#[repr(C)]
pub struct OutHeader {
    /// `magic`: [`super::OUT_MAGIC`] (bytes `53 46 43 4f`, "SFCO").
    pub magic: U32,
    /// `version` (Atmosphère writes 0).
    pub version: U32,
    /// `result`: 0 on success.
    pub result: U32,
    /// `token`: Atmosphère writes a per-interface debug id here, not an echo.
    pub token: U32,
}

impl OutHeader {
    /// A response header with the SFCO magic.
    pub fn new(version: u32, result: u32, token: u32) -> Self {
        OutHeader {
            magic: U32::new(super::OUT_MAGIC),
            version: U32::new(version),
            result: U32::new(result),
            token: U32::new(token),
        }
    }
}

/// The domain request header `CmifDomainInHeader` (wire-format.md §2.5), at the
/// aligned payload start of a tag 4/6 request on a domain session.
#[derive(
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Debug,
)]
#[repr(C)]
pub struct DomainInHeader {
    /// `type`: 1 SendMessage, 2 Close (see [`super::DomainType`]).
    pub kind: u8,
    /// `num_in_objects`: in-object ids after the data.
    pub num_in_objects: u8,
    /// `data_size`: bytes of SFCI header plus payload, object ids not counted.
    pub data_size: U16,
    /// `object_id`: the target object (ids are allocated from 1).
    pub object_id: U32,
    /// Padding word (written 0).
    pub padding: U32,
    /// `token`: the context token of a domain request (libnx; the SFCI token is 0).
    pub token: U32,
}

/// The domain response header `CmifDomainOutHeader` (wire-format.md §2.6).
#[derive(
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Debug,
)]
#[repr(C)]
pub struct DomainOutHeader {
    /// `num_out_objects`: out-object ids after the out data.
    pub num_out_objects: U32,
    /// Padding words (written 0).
    pub padding: [U32; 3],
}
