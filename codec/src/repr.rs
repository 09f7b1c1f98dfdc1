//! A high-level representation of a message and its checked emitter
//! (smoltcp's `Repr::emit` pattern).

use zerocopy::byteorder::little_endian::U32;

use crate::buffer::BufferDescriptor;
use crate::error::{Error, Field, Section};
use crate::field::{header0, header1, limits, special};
use crate::header::{Header, SpecialHeader};
use crate::layout::{self, Layout};
use crate::pointer::PointerDescriptor;
use crate::receive_list::{ReceiveListEntry, entry_count};

// The kinds of message `MessageRepr::emit` tells apart (the `KIND` of `emit_as`
// and of `layout::place`), so that each is emitted by the same code with what it
// cannot have known to be empty.
/// A header and raw data, nothing else: no special header, no descriptor, no
/// receive-list entry.
pub(crate) const PLAIN: u8 = 0;
/// A special header (with a PID or handles, or asked for), no descriptor and no
/// receive-list entry.
pub(crate) const SPECIAL_DATA: u8 = 1;
/// Any message.
pub(crate) const ANY: u8 = 2;

/// Every field of a message, borrowing its items.
///
/// Items are the wire structs themselves (built with their checked constructors, or
/// borrowed from a parsed [`crate::Message`] through [`crate::Message::repr`]), so a
/// representation costs nothing to make and emitting a parsed message gives its bytes
/// back, reserved bits included.
///
/// ```
/// use hipc::{Message, MessageRepr, PointerDescriptor, ReceiveListEntry};
/// // wire-format.md §6 Ex 4: one X, one C in mode 2, CMIF command 5.
/// let x = [PointerDescriptor::new(0x12_3456_7890, 0x100, 0)?];
/// let c = [ReceiveListEntry::new(0x43_2100_0000, 0x200)?];
/// let mut raw = [0u8; 32];
/// raw[..4].copy_from_slice(b"SFCI");
/// raw[8] = 5;
/// let repr = MessageRepr { tag: 4, x: &x, raw: &raw, recv_list_count: 2, c: &c, ..MessageRepr::EMPTY };
/// let mut buf = [0u8; 0x100];
/// let len = repr.emit(&mut buf)?;
/// assert_eq!(len, 56);
/// assert_eq!(Message::new_checked(&buf[..len])?.repr(), repr);
/// # Ok::<(), hipc::Error>(())
/// ```
///
/// Equality (and hashing) compares what is emitted: `special_header` counts through
/// [`MessageRepr::has_special_header`], so a representation that leaves it `false`
/// while giving a PID or handles equals the one a parsed message returns (which
/// reports `true` whenever the special header is present).
#[derive(Debug, Clone, Copy)]
pub struct MessageRepr<'a> {
    /// Header word 0 bits 0..=15.
    pub tag: u16,
    /// Emit a special header even when there is no PID and no handle (the kernel
    /// accepts the has-special bit with every count zero). Implied by `pid` or handles.
    pub special_header: bool,
    /// The PID slot's value, when the message carries one. The kernel replaces it.
    pub pid: Option<u64>,
    /// Copy handle words (at most 15).
    pub copy_handles: &'a [U32],
    /// Move handle words (at most 15).
    pub move_handles: &'a [U32],
    /// X descriptors (at most 15).
    pub x: &'a [PointerDescriptor],
    /// A descriptors (at most 15).
    pub a: &'a [BufferDescriptor],
    /// B descriptors (at most 15).
    pub b: &'a [BufferDescriptor],
    /// W descriptors (at most 15).
    pub w: &'a [BufferDescriptor],
    /// Raw data bytes: a whole number of words, at most 1023 of them.
    pub raw: &'a [u8],
    /// Header word 1 bits 10..=13, as written (0..=15).
    pub recv_list_count: u8,
    /// Header word 1 bits 20..=30 (0 = receive list directly after the raw data).
    pub recv_list_offset: u16,
    /// Receive-list entries: exactly as many as `recv_list_count` implies.
    pub c: &'a [ReceiveListEntry],
    /// Header word 1 bits 14..=19, in their own positions.
    pub header_reserved: u32,
    /// Special header bits 9..=31, in their own positions.
    pub special_reserved: u32,
}

impl PartialEq for MessageRepr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag
            && self.has_special_header() == other.has_special_header()
            && self.pid == other.pid
            && self.copy_handles == other.copy_handles
            && self.move_handles == other.move_handles
            && self.x == other.x
            && self.a == other.a
            && self.b == other.b
            && self.w == other.w
            && self.raw == other.raw
            && self.recv_list_count == other.recv_list_count
            && self.recv_list_offset == other.recv_list_offset
            && self.c == other.c
            && self.header_reserved == other.header_reserved
            && self.special_reserved == other.special_reserved
    }
}

impl Eq for MessageRepr<'_> {}

impl core::hash::Hash for MessageRepr<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.tag.hash(state);
        self.has_special_header().hash(state);
        self.pid.hash(state);
        self.copy_handles.hash(state);
        self.move_handles.hash(state);
        self.x.hash(state);
        self.a.hash(state);
        self.b.hash(state);
        self.w.hash(state);
        self.raw.hash(state);
        self.recv_list_count.hash(state);
        self.recv_list_offset.hash(state);
        self.c.hash(state);
        self.header_reserved.hash(state);
        self.special_reserved.hash(state);
    }
}

impl<'a> MessageRepr<'a> {
    /// A message with tag 0 and nothing else, for `..MessageRepr::EMPTY` updates.
    pub const EMPTY: MessageRepr<'static> = MessageRepr {
        tag: 0,
        special_header: false,
        pid: None,
        copy_handles: &[],
        move_handles: &[],
        x: &[],
        a: &[],
        b: &[],
        w: &[],
        raw: &[],
        recv_list_count: 0,
        recv_list_offset: 0,
        c: &[],
        header_reserved: 0,
        special_reserved: 0,
    };

    /// Whether the message carries a special header.
    pub fn has_special_header(&self) -> bool {
        self.special_header
            || self.pid.is_some()
            || !self.copy_handles.is_empty()
            || !self.move_handles.is_empty()
    }

    /// Checks every field and computes the header words. Nothing is truncated:
    /// any value that does not fit is an error naming its field.
    #[inline(always)]
    pub fn header(&self) -> Result<(Header, SpecialHeader), Error> {
        // Every field is checked by one branch-free test (the common case, and what
        // `encode/hipc` times: benches/README.md); only when it fails does the
        // field-by-field walk run, to name the first field that does not fit.
        if !self.fields_fit() {
            self.check_fields()?;
        }
        Ok(self.header_words())
    }

    /// Whether every field fits its wire field: the conjunction of the checks
    /// [`MessageRepr::check_fields`] makes one by one, evaluated without branches.
    #[inline(always)]
    fn fields_fit(&self) -> bool {
        // A count above 15 has a bit above bit 3, so it shows in the union.
        let counts = self.copy_handles.len()
            | self.move_handles.len()
            | self.x.len()
            | self.a.len()
            | self.b.len()
            | self.w.len();
        (counts <= limits::COUNT_MAX)
            & (self.raw.len() % 4 == 0)
            & (self.raw.len() <= 4 * limits::RAW_WORDS_MAX)
            & (u32::from(self.recv_list_count) <= header1::RECV_LIST_COUNT.max())
            & (self.recv_list_offset <= limits::RECV_LIST_OFFSET_MAX)
            & (self.c.len() == entry_count(self.recv_list_count))
            & (self.header_reserved & !header1::RESERVED.mask() == 0)
            & (self.special_reserved & !special::RESERVED.mask() == 0)
            & ((self.special_reserved == 0) | self.has_special_header())
    }

    /// The field-by-field checks, in wire order, naming the first field that does
    /// not fit. Cold: [`MessageRepr::fields_fit`] answers for valid fields.
    #[cold]
    #[inline(never)]
    fn check_fields(&self) -> Result<(), Error> {
        let count = |section: Section, n: usize| {
            if n > limits::COUNT_MAX {
                Err(Error::TooManyItems {
                    section,
                    count: n,
                    max: limits::COUNT_MAX,
                })
            } else {
                Ok(())
            }
        };
        count(Section::CopyHandles, self.copy_handles.len())?;
        count(Section::MoveHandles, self.move_handles.len())?;
        count(Section::X, self.x.len())?;
        count(Section::A, self.a.len())?;
        count(Section::B, self.b.len())?;
        count(Section::W, self.w.len())?;
        if self.raw.len() % 4 != 0 {
            return Err(Error::RawDataNotWords {
                len: self.raw.len(),
            });
        }
        let raw_words = self.raw.len() / 4;
        if raw_words > limits::RAW_WORDS_MAX {
            return Err(Error::TooManyItems {
                section: Section::RawData,
                count: raw_words,
                max: limits::RAW_WORDS_MAX,
            });
        }
        if u32::from(self.recv_list_count) > header1::RECV_LIST_COUNT.max() {
            return Err(Error::too_large(
                None,
                Field::RecvListCount,
                u64::from(self.recv_list_count),
                u64::from(header1::RECV_LIST_COUNT.max()),
            ));
        }
        if self.recv_list_offset > limits::RECV_LIST_OFFSET_MAX {
            return Err(Error::too_large(
                None,
                Field::RecvListOffset,
                u64::from(self.recv_list_offset),
                u64::from(limits::RECV_LIST_OFFSET_MAX),
            ));
        }
        let expected = entry_count(self.recv_list_count);
        if self.c.len() != expected {
            return Err(Error::RecvListEntriesMismatch {
                count: self.recv_list_count,
                expected,
                given: self.c.len(),
            });
        }
        if self.header_reserved & !header1::RESERVED.mask() != 0 {
            return Err(Error::outside(
                None,
                Field::HeaderReserved,
                self.header_reserved,
                header1::RESERVED.mask(),
            ));
        }
        if self.special_reserved & !special::RESERVED.mask() != 0 {
            return Err(Error::outside(
                None,
                Field::SpecialReserved,
                self.special_reserved,
                special::RESERVED.mask(),
            ));
        }
        if self.special_reserved != 0 && !self.has_special_header() {
            return Err(Error::SpecialReservedWithoutSpecialHeader);
        }
        Ok(())
    }

    /// The header words of checked fields (bits beyond a field's width would be
    /// discarded by [`crate::field::Bits::set`], but the checks leave none).
    #[inline(always)]
    fn header_words(&self) -> (Header, SpecialHeader) {
        let mut w0 = header0::TAG.set(0, u32::from(self.tag));
        w0 = header0::X_COUNT.set(w0, self.x.len() as u32);
        w0 = header0::A_COUNT.set(w0, self.a.len() as u32);
        w0 = header0::B_COUNT.set(w0, self.b.len() as u32);
        w0 = header0::W_COUNT.set(w0, self.w.len() as u32);
        let mut w1 = header1::RAW_COUNT.set(0, (self.raw.len() / 4) as u32);
        w1 = header1::RECV_LIST_COUNT.set(w1, u32::from(self.recv_list_count));
        w1 |= self.header_reserved;
        w1 = header1::RECV_LIST_OFFSET.set(w1, u32::from(self.recv_list_offset));
        w1 = header1::HAS_SPECIAL_HEADER.set(w1, u32::from(self.has_special_header()));
        let mut sw = special::HAS_PID.set(0, u32::from(self.pid.is_some()));
        sw = special::COPY_COUNT.set(sw, self.copy_handles.len() as u32);
        sw = special::MOVE_COUNT.set(sw, self.move_handles.len() as u32);
        sw |= self.special_reserved;
        (Header::from_words(w0, w1), SpecialHeader::from_word(sw))
    }

    /// The layout the message will have. Fails as [`MessageRepr::header`] does, and
    /// when a non-zero receive-list offset points inside the message.
    #[inline(always)]
    pub fn layout(&self) -> Result<Layout, Error> {
        let (header, special) = self.header()?;
        let layout = Layout::new(header, special);
        if !layout.recv_list_offset_valid() {
            return Err(Error::RecvListOffsetInsideMessage {
                offset: self.recv_list_offset,
                raw_end: layout.raw_end_index(),
            });
        }
        Ok(layout)
    }

    /// Length in bytes of the emitted message.
    pub fn buffer_len(&self) -> Result<usize, Error> {
        Ok(self.layout()?.end())
    }

    /// Writes the message at the start of `buf` and returns its length. Bytes of
    /// `buf` after the message are not touched; the gap between the raw data and a
    /// receive list placed further on is zeroed. Every check runs before the first
    /// write, so on error `buf` is unchanged.
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        // Messages come in three kinds, and each takes the same code below with
        // what it cannot have known to be empty, so that only the fields it has are
        // kept at hand (benches/README.md, "encode"): a header and raw data and
        // nothing else (an empty reply, a CMIF request or reply with no handle and
        // no buffer), a special header with no descriptor and no receive list (a
        // request sending a PID or handles), and any other.
        let descriptors = self.x.len() | self.a.len() | self.b.len() | self.w.len() | self.c.len();
        let handles = self.copy_handles.len() | self.move_handles.len();
        if descriptors != 0 {
            self.emit_as::<ANY>(buf)
        } else if handles == 0 && !self.special_header && self.pid.is_none() {
            self.emit_as::<PLAIN>(buf)
        } else {
            self.emit_as::<SPECIAL_DATA>(buf)
        }
    }

    /// [`MessageRepr::emit`]'s work for the kind of message `KIND` names.
    #[inline(always)]
    fn emit_as<const KIND: u8>(&self, buf: &mut [u8]) -> Result<usize, Error> {
        // Every field is read once. One test proves every field fits its wire field
        // (the walk naming the culprit runs only when it fails): the excess bits of
        // every field OR-ed together (a count above 15 has a bit above bit 3; a raw
        // length not whole words or above 4·1023 has a bit outside 0xFFC), so the
        // header words are assembled without masking. `layout::place` then proves
        // the whole message fits `buf` with one comparison and writes each present
        // section in the kernel's chain order (layout.rs keeps the placement beside
        // `Layout`, which the round-trip tests hold it to).
        let special_data = |n: usize| if KIND == PLAIN { 0 } else { n };
        let descriptor = |n: usize| if KIND == ANY { n } else { 0 };
        let (copy, moves) = (
            special_data(self.copy_handles.len()),
            special_data(self.move_handles.len()),
        );
        let (x, a, b, w) = (
            descriptor(self.x.len()),
            descriptor(self.a.len()),
            descriptor(self.b.len()),
            descriptor(self.w.len()),
        );
        let (raw, c) = (self.raw.len(), descriptor(self.c.len()));
        let (count, offset) = (self.recv_list_count, self.recv_list_offset);
        let (header_reserved, special_reserved) = (self.header_reserved, self.special_reserved);
        let pid = KIND != PLAIN && self.pid.is_some();
        let special = match KIND {
            PLAIN => false,
            SPECIAL_DATA => true,
            _ => self.special_header | pid | ((copy | moves) != 0),
        };
        let excess = ((copy | moves | x | a | b | w | usize::from(count)) >> 4)
            | (raw & !(4 * limits::RAW_WORDS_MAX))
            | usize::from(offset > limits::RECV_LIST_OFFSET_MAX)
            | ((header_reserved & !header1::RESERVED.mask())
                | (special_reserved & !special::RESERVED.mask())) as usize
            | usize::from(c != entry_count(count))
            | usize::from((special_reserved != 0) & !special);
        if excess != 0 {
            // Returned whatever the walk says (it names the field; it cannot pass
            // what the test refused), so that from here on the optimizer knows the
            // test passed.
            return Err(self.refusal());
        }
        let word0 = u32::from(self.tag)
            | (x as u32) << header0::X_COUNT.shift
            | (a as u32) << header0::A_COUNT.shift
            | (b as u32) << header0::B_COUNT.shift
            | (w as u32) << header0::W_COUNT.shift;
        let word1 = (raw / 4) as u32
            | u32::from(count) << header1::RECV_LIST_COUNT.shift
            | header_reserved
            | u32::from(offset) << header1::RECV_LIST_OFFSET.shift
            | u32::from(special) << header1::HAS_SPECIAL_HEADER.shift;
        let header = u64::from(word0) | u64::from(word1) << 32;
        let special_word = u32::from(pid)
            | (copy as u32) << special::COPY_COUNT.shift
            | (moves as u32) << special::MOVE_COUNT.shift
            | special_reserved;
        layout::place::<KIND>(self, header, special.then_some(special_word), buf)
    }

    /// The error of fields [`MessageRepr::emit`]'s one test refused: the first
    /// [`MessageRepr::check_fields`] names. The test and the walk refuse the same
    /// fields (the error tests pin both), so the fallback is never reached.
    #[cold]
    #[inline(never)]
    fn refusal(&self) -> Error {
        match self.check_fields() {
            Err(error) => error,
            Ok(()) => Error::SpecialReservedWithoutSpecialHeader,
        }
    }
}
