//! The codec's one error type.
//!
//! Every failure names where it happened with the key a user knows from the
//! message JSON (`x[1].address`, `copy_handles`, `recv_list_offset`, ...; see
//! `message-json.md`), what was needed and what was there, in the manner of
//! wasmparser's errors: a kernel developer reading it at 2 a.m. should not have to
//! count bytes.

use core::fmt;

/// A section of a HIPC message, in wire order (wire-format.md §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// The two header words.
    Header,
    /// The special header word.
    SpecialHeader,
    /// The 8-byte process id slot.
    Pid,
    /// Copy handle words.
    CopyHandles,
    /// Move handle words.
    MoveHandles,
    /// X (pointer / send-static) descriptors.
    X,
    /// A (send map-alias) descriptors.
    A,
    /// B (receive map-alias) descriptors.
    B,
    /// W (exchange map-alias) descriptors.
    W,
    /// The raw data words.
    RawData,
    /// C receive-list entries.
    ReceiveList,
}

impl Section {
    /// The section's name as a key of the message JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Section::Header => "header",
            Section::SpecialHeader => "special_header",
            Section::Pid => "pid",
            Section::CopyHandles => "copy_handles",
            Section::MoveHandles => "move_handles",
            Section::X => "x",
            Section::A => "a",
            Section::B => "b",
            Section::W => "w",
            Section::RawData => "raw_words",
            Section::ReceiveList => "c",
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A field whose value can be out of range, named as in the message JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `type`: header word 0 bits 0..=15.
    Type,
    /// `recv_list_count`: header word 1 bits 10..=13.
    RecvListCount,
    /// `recv_list_offset`: header word 1 bits 20..=30.
    RecvListOffset,
    /// `reserved.header1`: header word 1 bits 14..=19.
    HeaderReserved,
    /// `reserved.special`: special header bits 9..=31.
    SpecialReserved,
    /// `index` of an X descriptor (4 bits).
    Index,
    /// `address` of a descriptor (39 bits).
    Address,
    /// `size` of a descriptor (16 bits for X and C, 36 for A/B/W).
    Size,
    /// `mode` (attribute) of an A/B/W descriptor (2 bits).
    Mode,
    /// `reserved` bits of a descriptor.
    Reserved,
}

impl Field {
    /// The field's key in the message JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Field::Type => "type",
            Field::RecvListCount => "recv_list_count",
            Field::RecvListOffset => "recv_list_offset",
            Field::HeaderReserved => "reserved.header1",
            Field::SpecialReserved => "reserved.special",
            Field::Index => "index",
            Field::Address => "address",
            Field::Size => "size",
            Field::Mode => "mode",
            Field::Reserved => "reserved",
        }
    }
}

/// Where a field lives: a message-level field, or a field of the `index`-th item of a
/// descriptor section. Displays as the JSON path, e.g. `x[1].address`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldPath {
    /// The descriptor section, or `None` for a message-level field.
    pub section: Option<Section>,
    /// The item's position within its section, when known.
    pub index: Option<usize>,
    /// The field.
    pub field: Field,
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(section) = self.section {
            f.write_str(section.name())?;
            match self.index {
                Some(i) => write!(f, "[{i}].")?,
                None => f.write_str("[].")?,
            }
        }
        f.write_str(self.field.name())
    }
}

/// Everything that can go wrong when viewing, parsing or emitting a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The buffer ends before a section the header declares ends.
    Truncated {
        /// The first section that does not fit.
        section: Section,
        /// Bytes needed up to the end of that section.
        needed: usize,
        /// Bytes the buffer holds.
        available: usize,
    },
    /// A non-zero receive-list offset points inside the message before the end of
    /// the raw data (the kernel refuses it with InvalidCombination 0xE801; §1.7).
    RecvListOffsetInsideMessage {
        /// The offset, in words.
        offset: u16,
        /// The word index where the raw data ends.
        raw_end: usize,
    },
    /// A value does not fit its field; it is never silently truncated.
    ValueTooLarge {
        /// The field.
        field: FieldPath,
        /// The value given.
        value: u64,
        /// The largest value the field holds.
        max: u64,
    },
    /// Bits were given for a reserved field outside the bits it owns.
    BitsOutsideField {
        /// The field.
        field: FieldPath,
        /// The value given.
        value: u32,
        /// The bits the field owns.
        mask: u32,
    },
    /// More items than a 4-bit count (or the 10-bit raw count) can express.
    TooManyItems {
        /// The section.
        section: Section,
        /// Items given.
        count: usize,
        /// The most the count field holds.
        max: usize,
    },
    /// The raw data is not a whole number of 32-bit words.
    RawDataNotWords {
        /// Bytes given.
        len: usize,
    },
    /// The receive-list entries given do not match what `recv_list_count` implies.
    RecvListEntriesMismatch {
        /// The `recv_list_count` value.
        count: u8,
        /// Entries that count implies.
        expected: usize,
        /// Entries given.
        given: usize,
    },
    /// Special-header reserved bits were given but the message has no special header.
    SpecialReservedWithoutSpecialHeader,
    /// The output buffer is too small for the message.
    BufferTooSmall {
        /// Bytes the message needs.
        needed: usize,
        /// Bytes the buffer holds.
        available: usize,
    },
}

impl Error {
    /// A stable, machine-readable name for the kind of error (used by the conformance
    /// vectors' `error.kind`): `truncated`, `recv_list_offset_inside_message`,
    /// `value_too_large`, `bits_outside_field`, `too_many_items`, `raw_data_not_words`,
    /// `recv_list_entries_mismatch`, `special_reserved_without_special_header`,
    /// `buffer_too_small`.
    pub const fn kind(&self) -> &'static str {
        match self {
            Error::Truncated { .. } => "truncated",
            Error::RecvListOffsetInsideMessage { .. } => "recv_list_offset_inside_message",
            Error::ValueTooLarge { .. } => "value_too_large",
            Error::BitsOutsideField { .. } => "bits_outside_field",
            Error::TooManyItems { .. } => "too_many_items",
            Error::RawDataNotWords { .. } => "raw_data_not_words",
            Error::RecvListEntriesMismatch { .. } => "recv_list_entries_mismatch",
            Error::SpecialReservedWithoutSpecialHeader => "special_reserved_without_special_header",
            Error::BufferTooSmall { .. } => "buffer_too_small",
        }
    }

    /// The section the error is about, when it names one.
    pub const fn section(&self) -> Option<Section> {
        match self {
            Error::Truncated { section, .. } | Error::TooManyItems { section, .. } => {
                Some(*section)
            }
            Error::ValueTooLarge { field, .. } | Error::BitsOutsideField { field, .. } => {
                field.section
            }
            Error::RawDataNotWords { .. } => Some(Section::RawData),
            Error::RecvListEntriesMismatch { .. } | Error::RecvListOffsetInsideMessage { .. } => {
                Some(Section::ReceiveList)
            }
            Error::SpecialReservedWithoutSpecialHeader => Some(Section::SpecialHeader),
            Error::BufferTooSmall { .. } => None,
        }
    }

    /// The field the error is about, when it names one.
    pub const fn field(&self) -> Option<FieldPath> {
        match self {
            Error::ValueTooLarge { field, .. } | Error::BitsOutsideField { field, .. } => {
                Some(*field)
            }
            _ => None,
        }
    }

    /// Attaches an item position to a field error (used when a descriptor built
    /// in isolation turns out to be the `index`-th of its section).
    pub fn at(self, section: Section, index: usize) -> Self {
        match self {
            Error::ValueTooLarge { field, value, max } => Error::ValueTooLarge {
                field: FieldPath {
                    section: Some(section),
                    index: Some(index),
                    ..field
                },
                value,
                max,
            },
            Error::BitsOutsideField { field, value, mask } => Error::BitsOutsideField {
                field: FieldPath {
                    section: Some(section),
                    index: Some(index),
                    ..field
                },
                value,
                mask,
            },
            other => other,
        }
    }

    pub(crate) const fn too_large(
        section: Option<Section>,
        field: Field,
        value: u64,
        max: u64,
    ) -> Self {
        Error::ValueTooLarge {
            field: FieldPath {
                section,
                index: None,
                field,
            },
            value,
            max,
        }
    }

    pub(crate) const fn outside(
        section: Option<Section>,
        field: Field,
        value: u32,
        mask: u32,
    ) -> Self {
        Error::BitsOutsideField {
            field: FieldPath {
                section,
                index: None,
                field,
            },
            value,
            mask,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Truncated {
                section,
                needed,
                available,
            } => write!(
                f,
                "section {section} does not fit: the header declares a message reaching byte {needed:#x} \
                 but the buffer holds {available:#x} bytes"
            ),
            Error::RecvListOffsetInsideMessage { offset, raw_end } => write!(
                f,
                "recv_list_offset {offset} (words) points inside the message: the raw data ends at word {raw_end}"
            ),
            Error::ValueTooLarge { field, value, max } => {
                write!(
                    f,
                    "{field}: value {value:#x} does not fit (largest is {max:#x})"
                )
            }
            Error::BitsOutsideField { field, value, mask } => write!(
                f,
                "{field}: value {value:#010x} sets bits outside the field (allowed bits {mask:#010x})"
            ),
            Error::TooManyItems {
                section,
                count,
                max,
            } => {
                write!(
                    f,
                    "{section}: {count} items given, the count field holds at most {max}"
                )
            }
            Error::RawDataNotWords { len } => {
                write!(
                    f,
                    "raw_words: {len} bytes is not a whole number of 32-bit words"
                )
            }
            Error::RecvListEntriesMismatch {
                count,
                expected,
                given,
            } => write!(
                f,
                "c: recv_list_count {count} implies {expected} receive-list entries, {given} given"
            ),
            Error::SpecialReservedWithoutSpecialHeader => f.write_str(
                "reserved.special: bits given but the message has no special header \
                 (set special_header, pid or handles)",
            ),
            Error::BufferTooSmall { needed, available } => write!(
                f,
                "buffer too small: the message needs {needed:#x} bytes, the buffer holds {available:#x}"
            ),
        }
    }
}

impl core::error::Error for Error {}
