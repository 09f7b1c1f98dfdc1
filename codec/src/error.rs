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
    /// Whether the field belongs to an A/B/W descriptor when no section names it
    /// (only `BufferDescriptor` reports fields without a section).
    pub(crate) const fn is_buffer_field(self) -> bool {
        matches!(
            self,
            Field::Address | Field::Size | Field::Mode | Field::Reserved
        )
    }

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
        // A field of a descriptor built on its own (`PointerDescriptor::new`) does not
        // know its position yet: `[?]` says so (`Error::at` fills it in). A map-alias
        // descriptor does not know its section either: it may become an A, B or W.
        match (self.section, self.index) {
            (Some(section), Some(i)) => write!(f, "{}[{i}].", section.name())?,
            (Some(section), None) => write!(f, "{}[?].", section.name())?,
            (None, _) if self.field.is_buffer_field() => f.write_str("a/b/w[?].")?,
            (None, _) => {}
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
    /// CMIF (wire-format.md §2.1, §2.10): the raw data is too small for the CMIF
    /// headers. The raw data always budgets 16 bytes of padding, so a CMIF message
    /// needs `16 + 16` bytes of raw data (`16 + 16 + 16` with a domain header),
    /// whatever the padding before the aligned payload start actually is.
    CmifRawTooSmall {
        /// Raw-data bytes needed (padding budget plus headers).
        needed: usize,
        /// Raw-data bytes the message holds.
        available: usize,
    },
    /// CMIF (§2.2): the header at the aligned payload start does not carry the
    /// expected magic (`SFCI` in a request, `SFCO` in a response).
    CmifBadMagic {
        /// The magic expected (0x49434653 "SFCI" or 0x4F434653 "SFCO").
        expected: u32,
        /// The word found there.
        found: u32,
        /// `Some(true)` when the expected magic sits one domain header (16 bytes)
        /// later, so the session is probably a domain; `Some(false)` when it sits at
        /// the aligned start where a domain header was expected, so the session is
        /// probably not one; `None` otherwise. Domain-ness is session state the
        /// caller passes in (§2.6), and getting it wrong is the usual cause.
        session_hint: Option<bool>,
    },
    /// CMIF (§1.5): a request's tag is not 4, 5, 6 or 7 (Request, Control and their
    /// with-context forms). Tag 2 (Close) has no CMIF body.
    CmifBadTag {
        /// The tag.
        tag: u16,
    },
    /// CMIF domain (§2.5): the domain header's type is neither 1 (SendMessage) nor
    /// 2 (Close).
    CmifDomainUnknownType {
        /// The type byte.
        value: u8,
    },
    /// CMIF domain (§2.5): a SendMessage's `data_size` is below 16, too small for the
    /// SFCI header it must hold.
    CmifDomainDataTooSmall {
        /// The `data_size` field.
        data_size: u16,
    },
    /// CMIF domain (§2.5): `data_size` reaches past the CMIF region of the raw data
    /// (the raw data minus its 16-byte padding budget, after the domain header).
    CmifDomainDataOutOfBounds {
        /// The `data_size` field.
        data_size: u16,
        /// Bytes available after the domain header.
        available: usize,
    },
    /// CMIF domain (§2.5, §2.6): the object ids (in-objects after `data_size`, or a
    /// response's out-objects after its out data) reach past the CMIF region.
    CmifDomainObjectsOutOfBounds {
        /// The number of object ids.
        count: u32,
        /// Bytes needed after the domain header (data and ids).
        needed: usize,
        /// Bytes available after the domain header.
        available: usize,
    },
    /// CMIF (§2.6, §2.7): a domain header was asked for on a control request (tag 5
    /// or 7); control requests never carry one, even on a domain session.
    CmifDomainOnControl {
        /// The tag.
        tag: u16,
    },
    /// CMIF domain (§2.5): a value given to the builder does not fit its domain
    /// header field (`domain.num_in_objects` is a u8, `domain.data_size` a u16).
    CmifDomainValueTooLarge {
        /// The field, as in the message JSON (`domain.data_size`).
        field: &'static str,
        /// The value needed.
        value: usize,
        /// The largest value the field holds.
        max: usize,
    },
    /// CMIF (§2.3): the u16 out-pointer size table reaches past the end of the raw
    /// data.
    CmifSizeTableOutOfBounds {
        /// The table's byte offset from the start of the raw data (`T`).
        offset: usize,
        /// Entries asked for.
        count: usize,
        /// Raw-data bytes the message holds.
        available: usize,
    },
    /// TIPC (§3, §1.5): a request's tag is below 15: tags 16 and above are methods
    /// (`tag − 16`), 15 is CloseSession.
    TipcBadTag {
        /// The tag.
        tag: u16,
    },
    /// TIPC (§3): a method id above 0xFFEF, whose tag (`id + 16`) would not fit 16 bits.
    TipcCommandIdTooLarge {
        /// The method id given.
        command_id: u32,
    },
    /// TIPC (§3): a section a TIPC request never carries (X descriptors, W
    /// descriptors, a receive list); the libstratosphere server compares the header
    /// exactly and refuses it with InvalidMessageFormat 0x1E23.
    TipcSectionNotAllowed {
        /// The section (`x`, `w` or `c`).
        section: Section,
        /// Its count (for `c`, the `recv_list_count` field).
        count: usize,
    },
    /// TIPC (§3): a header field that must be zero in a TIPC request
    /// (`recv_list_offset`, `reserved.header1`, `reserved.special`).
    TipcFieldNotZero {
        /// The field.
        field: Field,
        /// Its value (reserved bits in their own positions).
        value: u32,
    },
    /// TIPC (§3, §1.5): a CloseSession (tag 15) whose header is not exactly
    /// `{tag 15, everything else 0}`.
    TipcCloseNotBare {
        /// Header word 0.
        word0: u32,
        /// Header word 1.
        word1: u32,
    },
    /// TIPC (§3): a reply's raw data has no result word.
    TipcRawTooSmall {
        /// Raw-data bytes the reply holds.
        available: usize,
    },
    /// A layer's `emit` (CMIF §2, TIPC §3) writes this field of the
    /// [`crate::MessageRepr`] itself, and the one passed in sets it to something
    /// else: leave it at its `MessageRepr::EMPTY` value rather than have it ignored.
    FieldOwnedByLayer {
        /// `tag` or `raw`.
        field: &'static str,
        /// `cmif` or `tipc`.
        layer: &'static str,
    },
    /// `Message::set_pid` on a message without a PID slot (§1.3): nothing to write.
    NoPidSlot,
    /// Typed in-data or out-data (CMIF §2.3, §2.4; TIPC §3) longer than the bytes the
    /// message carries for it.
    DataTooSmall {
        /// Bytes the type needs.
        needed: usize,
        /// Bytes the message holds there.
        available: usize,
    },
    /// CMIF (§2.5, §2.6): object ids given for a message that is not a domain
    /// message; on a plain session objects travel as handles.
    CmifObjectsWithoutDomain {
        /// The number of object ids given.
        count: usize,
    },
    /// A builder was given a single-valued item twice (`in_data`, `token`, `domain`,
    /// `raw`, ...): the second would silently replace the first, so it is refused.
    GivenTwice {
        /// The item, as the builder method names it.
        field: &'static str,
    },
    /// A reply's result is not success: what libnx's `cmifParseResponse` and
    /// `tipcParseResponse` return in that case, as a value (§2.4, §3).
    ServiceResult {
        /// The result code.
        result: crate::ResultCode,
    },
    /// A handle or object id asked for by position is not in the message (§1.3,
    /// §2.6).
    NoSuchItem {
        /// `copy_handles`, `move_handles` or `domain.out_objects`.
        field: &'static str,
        /// The position asked for.
        index: usize,
        /// The items the message carries there.
        count: usize,
    },
    /// A builder (`cmif::RequestBuilder`, `tipc::RequestBuilder`, ...) was given more
    /// items of one kind than it holds (its capacity is the wire limit, or for domain
    /// object ids libstratosphere's limit of 8; §2.5, §2.10).
    BuilderFull {
        /// What overflowed, as in the message JSON (`x`, `copy_handles`,
        /// `domain.in_objects`, ...).
        field: &'static str,
        /// The capacity.
        max: usize,
    },
}

impl Error {
    /// A stable, machine-readable name for the kind of error (used by the conformance
    /// vectors' `error.kind`): `truncated`, `recv_list_offset_inside_message`,
    /// `value_too_large`, `bits_outside_field`, `too_many_items`, `raw_data_not_words`,
    /// `recv_list_entries_mismatch`, `special_reserved_without_special_header`,
    /// `buffer_too_small`; for the layers above HIPC (modules [`crate::cmif`] and
    /// [`crate::tipc`]): `cmif_raw_too_small`, `cmif_bad_magic`, `cmif_bad_tag`,
    /// `cmif_domain_unknown_type`, `cmif_domain_data_too_small`,
    /// `cmif_domain_data_out_of_bounds`, `cmif_domain_objects_out_of_bounds`,
    /// `cmif_domain_on_control`, `cmif_domain_value_too_large`,
    /// `cmif_size_table_out_of_bounds`, `tipc_bad_tag`, `tipc_command_id_too_large`,
    /// `tipc_section_not_allowed`, `tipc_field_not_zero`, `tipc_close_not_bare`,
    /// `tipc_raw_too_small`; for the builders and in-place editing:
    /// `field_owned_by_layer`, `no_pid_slot`, `data_too_small`,
    /// `cmif_objects_without_domain`, `builder_full`, `service_result`, `no_such_item`, `given_twice`.
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
            Error::CmifRawTooSmall { .. } => "cmif_raw_too_small",
            Error::CmifBadMagic { .. } => "cmif_bad_magic",
            Error::CmifBadTag { .. } => "cmif_bad_tag",
            Error::CmifDomainUnknownType { .. } => "cmif_domain_unknown_type",
            Error::CmifDomainDataTooSmall { .. } => "cmif_domain_data_too_small",
            Error::CmifDomainDataOutOfBounds { .. } => "cmif_domain_data_out_of_bounds",
            Error::CmifDomainObjectsOutOfBounds { .. } => "cmif_domain_objects_out_of_bounds",
            Error::CmifDomainOnControl { .. } => "cmif_domain_on_control",
            Error::CmifDomainValueTooLarge { .. } => "cmif_domain_value_too_large",
            Error::CmifSizeTableOutOfBounds { .. } => "cmif_size_table_out_of_bounds",
            Error::TipcBadTag { .. } => "tipc_bad_tag",
            Error::TipcCommandIdTooLarge { .. } => "tipc_command_id_too_large",
            Error::TipcSectionNotAllowed { .. } => "tipc_section_not_allowed",
            Error::TipcFieldNotZero { .. } => "tipc_field_not_zero",
            Error::TipcCloseNotBare { .. } => "tipc_close_not_bare",
            Error::TipcRawTooSmall { .. } => "tipc_raw_too_small",
            Error::FieldOwnedByLayer { .. } => "field_owned_by_layer",
            Error::NoPidSlot => "no_pid_slot",
            Error::DataTooSmall { .. } => "data_too_small",
            Error::CmifObjectsWithoutDomain { .. } => "cmif_objects_without_domain",
            Error::BuilderFull { .. } => "builder_full",
            Error::ServiceResult { .. } => "service_result",
            Error::GivenTwice { .. } => "given_twice",
            Error::NoSuchItem { .. } => "no_such_item",
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
            Error::CmifRawTooSmall { .. }
            | Error::CmifBadMagic { .. }
            | Error::CmifDomainUnknownType { .. }
            | Error::CmifDomainDataTooSmall { .. }
            | Error::CmifDomainDataOutOfBounds { .. }
            | Error::CmifDomainObjectsOutOfBounds { .. }
            | Error::CmifDomainValueTooLarge { .. }
            | Error::CmifSizeTableOutOfBounds { .. }
            | Error::TipcRawTooSmall { .. }
            | Error::DataTooSmall { .. }
            | Error::CmifObjectsWithoutDomain { .. } => Some(Section::RawData),
            Error::FieldOwnedByLayer { field, .. } => {
                if matches!(field.as_bytes(), b"raw") {
                    Some(Section::RawData)
                } else {
                    Some(Section::Header)
                }
            }
            Error::NoPidSlot => Some(Section::Pid),
            Error::BuilderFull { .. }
            | Error::ServiceResult { .. }
            | Error::NoSuchItem { .. }
            | Error::GivenTwice { .. } => None,
            Error::CmifBadTag { .. }
            | Error::CmifDomainOnControl { .. }
            | Error::TipcBadTag { .. }
            | Error::TipcCommandIdTooLarge { .. }
            | Error::TipcCloseNotBare { .. } => Some(Section::Header),
            Error::TipcSectionNotAllowed { section, .. } => Some(*section),
            Error::TipcFieldNotZero { field, .. } => match field {
                Field::SpecialReserved => Some(Section::SpecialHeader),
                _ => Some(Section::Header),
            },
        }
    }

    /// The field the error is about, when it names one.
    pub const fn field(&self) -> Option<FieldPath> {
        match self {
            Error::ValueTooLarge { field, .. } | Error::BitsOutsideField { field, .. } => {
                Some(*field)
            }
            Error::TipcFieldNotZero { field, .. } => Some(FieldPath {
                section: None,
                index: None,
                field: *field,
            }),
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
            Error::CmifRawTooSmall { needed, available } => write!(
                f,
                "cmif: the raw data holds {available:#x} bytes, the CMIF headers need {needed:#x} \
                 (16 bytes of padding budget plus the headers)"
            ),
            Error::CmifBadMagic {
                expected,
                found,
                session_hint,
            } => write!(
                f,
                "cmif: bad magic {found:#010x} {} at the aligned payload start, expected {expected:#010x} {}{}{}",
                MagicText(found),
                MagicText(expected),
                match (expected, found) {
                    (crate::cmif::IN_MAGIC, crate::cmif::OUT_MAGIC) =>
                        " (this looks like a response)",
                    (crate::cmif::OUT_MAGIC, crate::cmif::IN_MAGIC) =>
                        " (this looks like a request)",
                    _ => "",
                },
                match session_hint {
                    Some(true) =>
                        " (the magic follows a domain header: is the session a domain? try --domain)",
                    Some(false) =>
                        " (the magic is where the domain header should be: is the session a domain at all? try without --domain)",
                    None => "",
                }
            ),
            Error::CmifBadTag { tag } => write!(
                f,
                "cmif: tag {tag} ({}) is not a CMIF request (expected 4, 5, 6 or 7)",
                crate::tag_name(tag)
            ),
            Error::CmifDomainUnknownType { value } => write!(
                f,
                "cmif: domain.type {value} is neither 1 (SendMessage) nor 2 (Close){}",
                if value == b'S' {
                    " (0x53 is the first byte of \"SFCI\": is the session a domain at all? try without --domain)"
                } else {
                    ""
                }
            ),
            Error::CmifDomainDataTooSmall { data_size } => write!(
                f,
                "cmif: domain.data_size {data_size} is too small for the 16-byte SFCI header of a SendMessage"
            ),
            Error::CmifDomainDataOutOfBounds {
                data_size,
                available,
            } => write!(
                f,
                "cmif: domain.data_size {data_size:#x} reaches past the raw data: {available:#x} bytes \
                 follow the domain header (padding budget excluded)"
            ),
            Error::CmifDomainObjectsOutOfBounds {
                count,
                needed,
                available,
            } => write!(
                f,
                "cmif: {count} domain object ids reach past the raw data: data and ids need {needed:#x} bytes \
                 after the domain header, {available:#x} are there (padding budget excluded)"
            ),
            Error::CmifDomainOnControl { tag } => write!(
                f,
                "cmif: a control request (tag {tag}) never carries a domain header"
            ),
            Error::CmifDomainValueTooLarge { field, value, max } => write!(
                f,
                "cmif: {field}: value {value:#x} does not fit (largest is {max:#x})"
            ),
            Error::CmifSizeTableOutOfBounds {
                offset,
                count,
                available,
            } => write!(
                f,
                "cmif: the out-pointer size table ({count} u16 at raw-data offset {offset:#x}) reaches past \
                 the raw data ({available:#x} bytes)"
            ),
            Error::TipcBadTag { tag } => write!(
                f,
                "tipc: tag {tag} is not a TIPC request (methods are tag 16 and above, 15 is CloseSession)"
            ),
            Error::TipcCommandIdTooLarge { command_id } => write!(
                f,
                "tipc: command_id {command_id:#x} does not fit (the tag is command_id + 16; largest is 0xffef)"
            ),
            Error::TipcSectionNotAllowed { section, count } => write!(
                f,
                "tipc: a TIPC request carries no {section} (count {count}; the server compares the header exactly)"
            ),
            Error::TipcFieldNotZero { field, value } => write!(
                f,
                "tipc: {} must be 0 in a TIPC request, found {value:#x}",
                field.name()
            ),
            Error::TipcCloseNotBare { word0, word1 } => write!(
                f,
                "tipc: a CloseSession must be exactly the header words 0x0000000f 0x00000000, found \
                 {word0:#010x} {word1:#010x}"
            ),
            Error::TipcRawTooSmall { available } => write!(
                f,
                "tipc: a reply needs a result word, the raw data holds {available} bytes"
            ),
            Error::FieldOwnedByLayer { field, layer } => write!(
                f,
                "{field}: the {layer} layer writes it; leave it at MessageRepr::EMPTY's value \
                 in the MessageRepr given to emit"
            ),
            Error::NoPidSlot => {
                f.write_str("pid: the message has no PID slot (special header without the PID bit)")
            }
            Error::DataTooSmall { needed, available } => write!(
                f,
                "data: the type needs {needed:#x} bytes, the message holds {available:#x} there"
            ),
            Error::CmifObjectsWithoutDomain { count } => write!(
                f,
                "cmif: {count} domain object ids given, but the message is not a domain message \
                 (call .domain(object_id) / .domain(); on a plain session objects are handles)"
            ),
            Error::BuilderFull { field, max } => {
                write!(f, "{field}: the builder holds at most {max}")
            }
            Error::ServiceResult { result } => write!(f, "the reply's result is {result}"),
            Error::GivenTwice { field } => write!(
                f,
                "{field}: given twice (a message holds one; the first is not replaced)"
            ),
            Error::NoSuchItem {
                field,
                index,
                count,
            } => write!(f, "{field}[{index}]: the message carries {count} of them"),
        }
    }
}

impl core::error::Error for Error {}

/// A magic word as its four ASCII characters, quoted, when printable.
struct MagicText(u32);

impl fmt::Display for MagicText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0.to_le_bytes();
        if bytes.iter().all(|b| b.is_ascii_graphic()) {
            f.write_str("\"")?;
            for b in bytes {
                write!(f, "{}", char::from(b))?;
            }
            f.write_str("\"")
        } else {
            f.write_str("(not ASCII)")
        }
    }
}
