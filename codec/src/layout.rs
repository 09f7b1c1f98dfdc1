//! Where every section of a message lies: the one place offsets are computed.
//!
//! The kernel derives each section's position from the header alone, through a
//! chain of indices (`GetSpecialDataIndex`, `GetPointerDescriptorIndex`,
//! `GetMapAliasDescriptorIndex`, `GetRawDataIndex`, `GetReceiveListIndex` in
//! mesosphère's `svc_message_buffer.hpp`; wire-format.md §1.2, kernel-semantics.md
//! §2.9). [`Layout`] computes the same chain: the end of the raw data (what the size
//! check needs) when it is made, every other index from the header words when asked.
//! The view, the emitter, the model kernel and the benchmarks all use it; nothing
//! else does offset arithmetic.
//! SunriseOS's running-cursor placement is what put its C entries in the wrong place
//! (wire-format.md §5.1).

use core::ops::Range;

use zerocopy::byteorder::little_endian::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::buffer::BufferDescriptor;
use crate::error::{Error, Section};
use crate::field::{header0, header1};
use crate::header::{Header, SpecialHeader};
use crate::pointer::PointerDescriptor;
use crate::receive_list::{ReceiveListEntry, entry_count};
use crate::repr::{ANY, MessageRepr, PLAIN};

/// Size of a header in bytes.
pub const HEADER_SIZE: usize = 8;
/// Size of the special header in bytes.
pub const SPECIAL_HEADER_SIZE: usize = 4;
/// Size of the process id slot in bytes.
pub const PID_SIZE: usize = 8;
/// Size of a handle word in bytes.
pub const HANDLE_SIZE: usize = 4;
/// Size of an X descriptor in bytes.
pub const POINTER_DESCRIPTOR_SIZE: usize = 8;
/// Size of an A/B/W descriptor in bytes.
pub const BUFFER_DESCRIPTOR_SIZE: usize = 12;
/// Size of a C receive-list entry in bytes.
pub const RECEIVE_LIST_ENTRY_SIZE: usize = 8;

/// The position of every section of a message, computed from its header words.
///
/// Positions are byte ranges from the start of the message buffer. Computing a
/// layout never fails and never panics: it only reads the header. Whether the
/// sections fit a buffer is a separate question, answered by [`Layout::check`].
///
/// ```
/// use hipc::{Header, Layout, SpecialHeader};
/// // kernel-semantics.md §2.9's worked example: PID, one copy handle, one X, one A,
/// // two raw words, receive-list count 2.
/// let header = Header::from_words(4 | 1 << 16 | 1 << 20, 2 | 2 << 10 | 1 << 31);
/// let layout = Layout::new(header, SpecialHeader::from_word(0x3));
/// assert_eq!(layout.pid(), Some(12..20));
/// assert_eq!(layout.x(), 24..32);
/// assert_eq!(layout.raw(), 44..52);
/// assert_eq!(layout.receive_list(), 52..60);
/// assert_eq!(layout.message_size(), 60);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layout {
    // The header words as plain integers (not the wire struct's byte arrays), so the
    // optimizer keeps them in registers.
    word0: u32,
    word1: u32,
    // The word at index 2 when the header declares a special header, else zero.
    special: u32,
    // The byte offset where the raw data ends (the kernel's `E`, times 4): the sum
    // of every section before it, the one offset `check` needs that is not a field
    // of the words. Every other offset of the kernel's chain (kernel-semantics.md
    // §2.9) is derived from the words when asked for (the `*_at` methods), not
    // stored: a `Message` is then 32 bytes, not 56, and `new_checked` computes and
    // writes only what its check needs (benches/README.md, "Against libnx"). At
    // most 8 + 4 + 8 + 4·30 + 8·15 + 12·45 + 4·1023 = 4892 bytes, so it fits u16.
    raw_end: u16,
}

impl Layout {
    /// Computes the layout for a header. `special` is the word at index 2; it is
    /// ignored unless the header's has-special-header bit is set (the kernel then
    /// treats the message as having no PID and no handles, whatever word 2 holds).
    #[inline(always)]
    pub fn new(header: Header, special: SpecialHeader) -> Self {
        let special = if header.has_special_header() {
            special
        } else {
            SpecialHeader::default()
        };
        // Computed in usize from counts of at most 4 bits (raw: 10), so nothing
        // wraps and the sum fits u16 (see the field comment).
        let raw_end = HEADER_SIZE
            + SPECIAL_HEADER_SIZE * usize::from(header.has_special_header())
            + if special.has_pid() { PID_SIZE } else { 0 }
            + HANDLE_SIZE * (special.copy_count() + special.move_count())
            + POINTER_DESCRIPTOR_SIZE * header.x_count()
            + BUFFER_DESCRIPTOR_SIZE * (header.a_count() + header.b_count() + header.w_count())
            + 4 * header.raw_words();
        Layout {
            word0: header.word0.get(),
            word1: header.word1.get(),
            special: special.word.get(),
            raw_end: raw_end as u16,
        }
    }

    /// Reads the header (and the special header, when present) from the start of
    /// `bytes` and computes the layout. Fails only if those words themselves are cut off.
    #[inline(always)]
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let (header, rest) = Header::read_from_prefix(bytes).map_err(|_| Error::Truncated {
            section: Section::Header,
            needed: HEADER_SIZE,
            available: bytes.len(),
        })?;
        let special = if header.has_special_header() {
            SpecialHeader::read_from_prefix(rest)
                .map_err(|_| Error::Truncated {
                    section: Section::SpecialHeader,
                    needed: HEADER_SIZE + SPECIAL_HEADER_SIZE,
                    available: bytes.len(),
                })?
                .0
        } else {
            SpecialHeader::default()
        };
        Ok(Layout::new(header, special))
    }

    // The kernel's chain of offsets (kernel-semantics.md §2.9), in bytes, derived
    // from the words: forward from the header for the special data and the X
    // descriptors, back from the stored end of the raw data for the map-alias
    // descriptors and the raw data (fewer terms either way). Each is a sum of
    // 4-bit counts (10 bits for the raw words) below `raw_end`, so nothing wraps.
    #[inline(always)]
    fn special_data_at(&self) -> usize {
        HEADER_SIZE + SPECIAL_HEADER_SIZE * usize::from(self.header().has_special_header())
    }
    #[inline(always)]
    fn copy_at(&self) -> usize {
        // `special` is zero without a special header, so its PID bit is clear.
        let pid = SpecialHeader::from_word(self.special).has_pid();
        self.special_data_at() + if pid { PID_SIZE } else { 0 }
    }
    #[inline(always)]
    fn moves_at(&self) -> usize {
        self.copy_at() + HANDLE_SIZE * SpecialHeader::from_word(self.special).copy_count()
    }
    #[inline(always)]
    fn pointer_at(&self) -> usize {
        self.moves_at() + HANDLE_SIZE * SpecialHeader::from_word(self.special).move_count()
    }
    #[inline(always)]
    fn send_at(&self) -> usize {
        self.pointer_at() + POINTER_DESCRIPTOR_SIZE * self.header().x_count()
    }
    #[inline(always)]
    fn raw_at(&self) -> usize {
        self.raw_end_at() - 4 * self.header().raw_words()
    }
    #[inline(always)]
    fn exchange_at(&self) -> usize {
        self.raw_at() - BUFFER_DESCRIPTOR_SIZE * self.header().w_count()
    }
    #[inline(always)]
    fn receive_at(&self) -> usize {
        self.exchange_at() - BUFFER_DESCRIPTOR_SIZE * self.header().b_count()
    }
    #[inline(always)]
    fn raw_end_at(&self) -> usize {
        usize::from(self.raw_end)
    }
    /// The receive list's start: at its offset when that is non-zero, else
    /// directly after the raw data (never by running on: wire-format.md §5.1).
    #[inline(always)]
    fn recv_list_at(&self) -> usize {
        match usize::from(self.header().recv_list_offset()) {
            0 => self.raw_end_at(),
            offset => 4 * offset,
        }
    }
    #[inline(always)]
    fn recv_end_at(&self) -> usize {
        self.recv_list_at() + RECEIVE_LIST_ENTRY_SIZE * entry_count(self.header().recv_list_count())
    }

    /// The header the layout was computed from.
    #[inline]
    pub fn header(&self) -> Header {
        Header::from_words(self.word0, self.word1)
    }
    /// The special header, when the header declares one.
    #[inline]
    pub fn special_header(&self) -> Option<SpecialHeader> {
        self.header()
            .has_special_header()
            .then_some(SpecialHeader::from_word(self.special))
    }

    /// Byte range of the special header word, when present.
    #[inline]
    pub fn special_header_range(&self) -> Option<Range<usize>> {
        self.header()
            .has_special_header()
            .then_some(HEADER_SIZE..HEADER_SIZE + SPECIAL_HEADER_SIZE)
    }
    /// Byte range of the PID slot, when the special header has the PID bit. It starts
    /// at byte 12: not 8-byte aligned.
    #[inline]
    pub fn pid(&self) -> Option<Range<usize>> {
        // `special` is zero without a special header, so its PID bit is clear.
        SpecialHeader::from_word(self.special)
            .has_pid()
            .then(|| bytes(self.special_data_at(), self.copy_at()))
    }
    /// Byte range of the copy handles.
    #[inline]
    pub fn copy_handles(&self) -> Range<usize> {
        bytes(self.copy_at(), self.moves_at())
    }
    /// Byte range of the move handles.
    #[inline]
    pub fn move_handles(&self) -> Range<usize> {
        bytes(self.moves_at(), self.pointer_at())
    }
    /// Byte range of the X descriptors.
    #[inline]
    pub fn x(&self) -> Range<usize> {
        bytes(self.pointer_at(), self.send_at())
    }
    /// Byte range of the A descriptors.
    #[inline]
    pub fn a(&self) -> Range<usize> {
        bytes(self.send_at(), self.receive_at())
    }
    /// Byte range of the B descriptors.
    #[inline]
    pub fn b(&self) -> Range<usize> {
        bytes(self.receive_at(), self.exchange_at())
    }
    /// Byte range of the W descriptors.
    #[inline]
    pub fn w(&self) -> Range<usize> {
        bytes(self.exchange_at(), self.raw_at())
    }
    /// Byte range of all map-alias descriptors (A, then B, then W), as the kernel
    /// walks them.
    #[inline]
    pub fn map_alias(&self) -> Range<usize> {
        bytes(self.send_at(), self.raw_at())
    }
    /// Byte range of the raw data.
    #[inline]
    pub fn raw(&self) -> Range<usize> {
        bytes(self.raw_at(), self.raw_end_at())
    }
    /// Byte range of the receive-list entries, at the receive-list offset when it is
    /// non-zero, else directly after the raw data.
    #[inline]
    pub fn receive_list(&self) -> Range<usize> {
        bytes(self.recv_list_at(), self.recv_end_at())
    }
    /// Byte range between the end of the raw data and a receive list (with entries)
    /// placed further on by the receive-list offset; empty otherwise. Not part of any
    /// section.
    pub fn gap(&self) -> Range<usize> {
        if self.recv_list_at() > self.raw_end_at() && self.recv_end_at() > self.recv_list_at() {
            bytes(self.raw_end_at(), self.recv_list_at())
        } else {
            bytes(self.raw_end_at(), self.raw_end_at())
        }
    }

    /// Word index of the special data (PID, then handles): the kernel's `SD`.
    pub fn special_data_index(&self) -> usize {
        self.special_data_at() / 4
    }
    /// Word index of the first X descriptor: the kernel's `P`.
    pub fn pointer_index(&self) -> usize {
        self.pointer_at() / 4
    }
    /// Word index of the first map-alias descriptor: the kernel's `M`.
    pub fn map_alias_index(&self) -> usize {
        self.send_at() / 4
    }
    /// Word index of the raw data: the kernel's `R`.
    pub fn raw_index(&self) -> usize {
        self.raw_at() / 4
    }
    /// Word index where the raw data ends: the kernel's `E`, the "end of message"
    /// used by translation.
    pub fn raw_end_index(&self) -> usize {
        self.raw_end_at() / 4
    }
    /// Word index of the receive list: the kernel's `L`.
    pub fn receive_list_index(&self) -> usize {
        self.recv_list_at() / 4
    }
    /// Number of receive-list entries the count implies.
    pub fn receive_list_entries(&self) -> usize {
        entry_count(self.header().recv_list_count())
    }
    /// Bytes up to the end of the raw data (`4·E`).
    #[inline]
    pub fn raw_end(&self) -> usize {
        self.raw_end_at()
    }
    /// The message size the kernel checks against the buffer: `4·L + 8·n`, the end of
    /// the receive list (kernel-semantics.md §2.9). With a non-zero receive-list offset
    /// and no entries this still reaches the offset.
    #[inline]
    pub fn message_size(&self) -> usize {
        self.recv_end_at()
    }
    /// Where the message's own bytes end (message-json.md): the end of the receive
    /// list when it has entries, else the end of the raw data. This differs from
    /// [`Layout::message_size`] only for a non-zero receive-list offset with no
    /// entries (modes 0 and 1): the words up to the offset then belong to no section,
    /// so they are not part of the message's bytes, though the kernel's size check
    /// still counts them.
    #[inline]
    pub fn end(&self) -> usize {
        if self.recv_end_at() == self.recv_list_at() {
            self.raw_end()
        } else {
            self.message_size()
        }
    }
    /// Whether the receive-list offset is acceptable: zero, or at or after the end of
    /// the raw data (wire-format.md §1.7; the kernel checks this of destination headers).
    #[inline]
    pub fn recv_list_offset_valid(&self) -> bool {
        self.header().recv_list_offset() == 0 || self.recv_list_at() >= self.raw_end_at()
    }

    /// The end of a section, in bytes.
    pub fn section_end(&self, section: Section) -> usize {
        match section {
            Section::Header => HEADER_SIZE,
            Section::SpecialHeader => self.special_data_at(),
            Section::Pid => self.copy_at(),
            Section::CopyHandles => self.copy_handles().end,
            Section::MoveHandles => self.move_handles().end,
            Section::X => self.x().end,
            Section::A => self.a().end,
            Section::B => self.b().end,
            Section::W => self.w().end,
            Section::RawData => self.raw().end,
            Section::ReceiveList => self.end(),
        }
    }

    /// Checks that every declared section fits in `len` bytes and that the
    /// receive-list offset does not point inside the message. On failure, names the
    /// first section (in wire order) that does not fit.
    #[inline(always)]
    pub fn check(&self, len: usize) -> Result<(), Error> {
        // Section ends grow in wire order, so with a valid receive-list offset the
        // end of the raw data and (when it has entries) the end of the receive list
        // bound them all: two comparisons prove every section fits. The walk below
        // only runs to name the first section that does not fit.
        if self.recv_list_offset_valid()
            && self.raw_end() <= len
            && (self.recv_end_at() == self.recv_list_at() || self.message_size() <= len)
        {
            return Ok(());
        }
        (*self).check_sections(len)
    }

    #[cold]
    #[inline(never)]
    fn check_sections(self, len: usize) -> Result<(), Error> {
        const ORDER: [Section; 11] = [
            Section::Header,
            Section::SpecialHeader,
            Section::Pid,
            Section::CopyHandles,
            Section::MoveHandles,
            Section::X,
            Section::A,
            Section::B,
            Section::W,
            Section::RawData,
            Section::ReceiveList,
        ];
        for section in ORDER {
            if section == Section::ReceiveList && !self.recv_list_offset_valid() {
                return Err(Error::RecvListOffsetInsideMessage {
                    offset: self.header().recv_list_offset(),
                    raw_end: self.raw_end_index(),
                });
            }
            let needed = self.section_end(section);
            if needed > len {
                return Err(Error::Truncated {
                    section,
                    needed,
                    available: len,
                });
            }
        }
        Ok(())
    }
}

#[inline(always)]
fn bytes(start: usize, end: usize) -> Range<usize> {
    start..end
}

/// Every section of a checked message as a typed slice of its buffer: what
/// [`Sections::parse`] (or [`crate::Message::sections`]) hands out after its one
/// check, as libnx's `hipcParseRequest` hands out section pointers, but with every
/// section proved inside the buffer (benches/README.md, "Against libnx").
///
/// The sections are cut from the buffer in the kernel's chain order
/// (kernel-semantics.md §2.9: special data, pointer, map-alias, raw data, receive
/// list), each one's size taken from its count, so cutting a section *is* the proof
/// that it fits: nothing is checked again when a section is read. The receive list
/// is placed at its offset when the offset is non-zero, never by running on from
/// the raw data (wire-format.md §5.1). A test checks every position against
/// [`Layout`]'s ranges, which stay the reference.
///
/// ```
/// use hipc::{Sections, Message};
/// // wire-format.md §6 Ex 3: PID, one copy handle, one move handle, CMIF command 3.
/// let bytes = hex("040000000800008023000000510000000000000034120000785600000000000053464349000000000300000000000000000000000000000000000000");
/// let sections = Sections::parse(&bytes)?;
/// assert_eq!(sections.pid(), Some(0x51));
/// assert_eq!(sections.copy_handles()[0].get(), 0x1234);
/// assert_eq!(sections.move_handles()[0].get(), 0x5678);
/// assert_eq!(sections.raw_words()[1].get(), 0x4943_4653); // "SFCI"
/// assert_eq!(Message::new_checked(&bytes[..])?.sections(), sections);
/// # fn hex(s: &str) -> Vec<u8> { (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect() }
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sections<'a> {
    word0: u32,
    word1: u32,
    // Zero without a special header (its PID bit and counts are then clear).
    special: u32,
    pid: Option<u64>,
    handles: &'a [U32],
    copy_handles: &'a [U32],
    move_handles: &'a [U32],
    x: &'a [PointerDescriptor],
    map_alias: &'a [BufferDescriptor],
    a: &'a [BufferDescriptor],
    b: &'a [BufferDescriptor],
    w: &'a [BufferDescriptor],
    raw: &'a [U32],
    receive_list: &'a [ReceiveListEntry],
    end: usize,
}

impl<'a> Sections<'a> {
    /// No message: every section empty, tag 0 (what [`crate::Message::sections`]
    /// would answer if a buffer's `AsRef` changed after its check).
    pub const EMPTY: Sections<'static> = Sections {
        word0: 0,
        word1: 0,
        special: 0,
        pid: None,
        handles: &[],
        copy_handles: &[],
        move_handles: &[],
        x: &[],
        map_alias: &[],
        a: &[],
        b: &[],
        w: &[],
        raw: &[],
        receive_list: &[],
        end: 0,
    };

    /// Checks that the message the header declares fits in `bytes` and cuts every
    /// section out of it: the same check, with the same errors (the first section in
    /// wire order that does not fit, or a receive-list offset inside the message),
    /// as [`crate::Message::new_checked`]. Bytes after the message are allowed.
    #[inline(always)]
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        match Self::split(bytes) {
            Some(sections) => Ok(sections),
            None => Err(Self::error(bytes)),
        }
    }

    /// The error [`Layout::check`] names for a message that does not fit.
    #[cold]
    #[inline(never)]
    fn error(bytes: &[u8]) -> Error {
        match Layout::parse(bytes).and_then(|layout| layout.check(bytes.len())) {
            Err(error) => error,
            // `split` and `Layout::check` accept the same buffers (tested, and
            // fuzzed by the `decode` target), so this is never reached; it answers
            // with the header's truncation rather than panic.
            Ok(()) => Error::Truncated {
                section: Section::Header,
                needed: HEADER_SIZE,
                available: bytes.len(),
            },
        }
    }

    /// The cut itself: `None` when some section does not fit.
    #[inline(always)]
    pub(crate) fn split(bytes: &'a [u8]) -> Option<Self> {
        let (header, rest) = Header::read_from_prefix(bytes).ok()?;
        // The commonest message is a header and nothing else (an empty reply, a
        // control message): no count, no offset, no special header. It needs no
        // cut at all.
        if header.word0.get() & !header0::TAG.mask() == 0
            && header.word1.get() & !header1::RESERVED.mask() == 0
        {
            return Some(Sections {
                word0: header.word0.get(),
                word1: header.word1.get(),
                end: HEADER_SIZE,
                ..Sections::EMPTY
            });
        }
        let (special, rest) = if header.has_special_header() {
            SpecialHeader::read_from_prefix(rest).ok()?
        } else {
            (SpecialHeader::default(), rest)
        };
        let (pid, rest) = if special.has_pid() {
            let (pid, rest) = U64::read_from_prefix(rest).ok()?;
            (Some(pid.get()), rest)
        } else {
            (None, rest)
        };
        let copy_count = special.copy_count();
        let (handles, rest) = cut::<U32>(rest, copy_count + special.move_count())?;
        let (copy_handles, move_handles) = handles.split_at_checked(copy_count)?;
        let (x, rest) = cut::<PointerDescriptor>(rest, header.x_count())?;
        let (a_count, b_count) = (header.a_count(), header.b_count());
        let (map_alias, rest) =
            cut::<BufferDescriptor>(rest, a_count + b_count + header.w_count())?;
        let (a, bw) = map_alias.split_at_checked(a_count)?;
        let (b, w) = bw.split_at_checked(b_count)?;
        let (raw, rest) = cut::<U32>(rest, header.raw_words())?;
        let raw_end = bytes.len() - rest.len();
        let entries = entry_count(header.recv_list_count());
        let (receive_list, end) = match usize::from(header.recv_list_offset()) * 4 {
            0 => (
                cut::<ReceiveListEntry>(rest, entries)?.0,
                raw_end + RECEIVE_LIST_ENTRY_SIZE * entries,
            ),
            start if start < raw_end => return None,
            _ if entries == 0 => (&[][..], raw_end),
            start => (
                cut::<ReceiveListEntry>(bytes.get(start..)?, entries)?.0,
                start + RECEIVE_LIST_ENTRY_SIZE * entries,
            ),
        };
        Some(Sections {
            word0: header.word0.get(),
            word1: header.word1.get(),
            special: special.word.get(),
            pid,
            handles,
            copy_handles,
            move_handles,
            x,
            map_alias,
            a,
            b,
            w,
            raw,
            receive_list,
            end,
        })
    }

    /// The header words.
    #[inline]
    pub fn header(&self) -> Header {
        Header::from_words(self.word0, self.word1)
    }
    /// The special header, when present.
    #[inline]
    pub fn special_header(&self) -> Option<SpecialHeader> {
        self.header()
            .has_special_header()
            .then_some(SpecialHeader::from_word(self.special))
    }
    /// The process id slot's value, when the special header has the PID bit.
    #[inline]
    pub fn pid(&self) -> Option<u64> {
        self.pid
    }
    /// Every handle word: the copy handles, then the move handles (they are
    /// contiguous in the special data, wire-format.md §1.8).
    #[inline]
    pub fn handles(&self) -> &'a [U32] {
        self.handles
    }
    /// The copy handle words.
    #[inline]
    pub fn copy_handles(&self) -> &'a [U32] {
        self.copy_handles
    }
    /// The move handle words.
    #[inline]
    pub fn move_handles(&self) -> &'a [U32] {
        self.move_handles
    }
    /// The X descriptors.
    #[inline]
    pub fn x_descriptors(&self) -> &'a [PointerDescriptor] {
        self.x
    }
    /// The A descriptors.
    #[inline]
    pub fn a_descriptors(&self) -> &'a [BufferDescriptor] {
        self.a
    }
    /// The B descriptors.
    #[inline]
    pub fn b_descriptors(&self) -> &'a [BufferDescriptor] {
        self.b
    }
    /// The W descriptors.
    #[inline]
    pub fn w_descriptors(&self) -> &'a [BufferDescriptor] {
        self.w
    }
    /// All map-alias descriptors in kernel order: A, then B, then W.
    #[inline]
    pub fn map_alias_descriptors(&self) -> &'a [BufferDescriptor] {
        self.map_alias
    }
    /// The raw data as little-endian words.
    #[inline]
    pub fn raw_words(&self) -> &'a [U32] {
        self.raw
    }
    /// The raw data as bytes.
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.raw.as_bytes()
    }
    /// The C receive-list entries (on a delivered message, the receiver's own
    /// leftover words: wire-format.md §1.6).
    #[inline]
    pub fn receive_list(&self) -> &'a [ReceiveListEntry] {
        self.receive_list
    }
    /// Length of the message's bytes, as [`Layout::end`] defines it.
    #[inline]
    pub fn message_len(&self) -> usize {
        self.end
    }
}

/// Cuts `count` items of `E` off the front of `bytes`: the one bounds check of a
/// section (`None` when they do not fit).
#[inline(always)]
fn cut<E: FromBytes + Immutable + KnownLayout>(
    bytes: &[u8],
    count: usize,
) -> Option<(&[E], &[u8])> {
    <[E]>::ref_from_prefix_with_elems(bytes, count).ok()
}

/// Writes the message `repr` describes at the start of `buf` and returns its
/// length ([`Layout::end`]): the mutable counterpart of [`Sections::parse`]'s cut,
/// for [`MessageRepr::emit`], which has checked every field and assembled the
/// header words (`header`: word 0 in the low half, word 1 in the high half;
/// `special`: the special header word, when there is one). The sections go in the
/// kernel's chain order (kernel-semantics.md §2.9), the receive list at its offset
/// when that is non-zero (wire-format.md §1.7); the round-trip tests parse every
/// emitted message back through [`Layout`]. The whole message is proved to fit
/// with one comparison before the first write, so on error `buf` is unchanged; the
/// gap before a receive list placed further on is zeroed. `KIND` is the kind of
/// message [`MessageRepr::emit`] found (`PLAIN`, `SPECIAL_DATA` or `ANY`): the
/// sections it cannot have are taken as empty without being read, which leaves
/// the optimizer fewer values to keep at hand (benches/README.md, "encode").
#[inline(always)]
pub(crate) fn place<const KIND: u8>(
    repr: &MessageRepr<'_>,
    header: u64,
    special: Option<u32>,
    buf: &mut [u8],
) -> Result<usize, Error> {
    // Sizes in bytes, each bounded by its checked count, so nothing wraps. The
    // sections come in groups, each written only when present: the special data
    // (with the special header; a PID or a handle implies it), the descriptors,
    // the raw data and the receive list; most messages skip a group with one test
    // rather than one per section.
    let (copy, moves) = match KIND {
        PLAIN => (0, 0),
        _ => (repr.copy_handles.len(), repr.move_handles.len()),
    };
    let handles = HANDLE_SIZE * (copy + moves);
    let pid = if KIND == PLAIN { None } else { repr.pid };
    let special_len =
        special.map_or(0, |_| SPECIAL_HEADER_SIZE) + pid.map_or(0, |_| PID_SIZE) + handles;
    let (x, a, b, w, c) = match KIND {
        ANY => (
            repr.x.len(),
            repr.a.len(),
            repr.b.len(),
            repr.w.len(),
            repr.c.len(),
        ),
        _ => (0, 0, 0, 0, 0),
    };
    let descriptors = POINTER_DESCRIPTOR_SIZE * x + BUFFER_DESCRIPTOR_SIZE * (a + b + w);
    let raw_end = HEADER_SIZE + special_len + descriptors + repr.raw.len();
    let offset = repr.recv_list_offset;
    let recv_start = match usize::from(offset) * 4 {
        0 => raw_end,
        start if start < raw_end => {
            return Err(Error::RecvListOffsetInsideMessage {
                offset,
                raw_end: raw_end / 4,
            });
        }
        start => start,
    };
    let end = match c {
        0 => raw_end,
        entries => recv_start + RECEIVE_LIST_ENTRY_SIZE * entries,
    };
    let available = buf.len();
    let Some(out) = buf.get_mut(..end) else {
        return Err(Error::BufferTooSmall {
            needed: end,
            available,
        });
    };
    // `out` is cut to the message's length, which counts every section written
    // below, so no cut fails; were one to, nothing more would be written (no panic).
    let Some((head, mut rest)) = out.split_first_chunk_mut::<HEADER_SIZE>() else {
        return Ok(end);
    };
    *head = header.to_le_bytes();
    if let Some(special) = special {
        rest = put(rest, &special.to_le_bytes());
        if let Some(pid) = pid {
            rest = put(rest, &pid.to_le_bytes());
        }
        if handles != 0 {
            rest = put(rest, repr.copy_handles.as_bytes());
            rest = put(rest, repr.move_handles.as_bytes());
        }
    }
    if descriptors != 0 {
        rest = put(rest, repr.x.as_bytes());
        rest = put(rest, repr.a.as_bytes());
        rest = put(rest, repr.b.as_bytes());
        rest = put(rest, repr.w.as_bytes());
    }
    rest = put(rest, repr.raw);
    if c != 0 {
        // The gap, zeroed when the offset places the list further on (there is
        // none otherwise, and no `memset` call is made for it), then the entries.
        let gap = recv_start - raw_end;
        if gap != 0 {
            rest = match rest.split_at_mut_checked(gap) {
                Some((gap, list)) => {
                    gap.fill(0);
                    list
                }
                None => &mut [],
            };
        }
        put(rest, repr.c.as_bytes());
    }
    Ok(end)
}

/// Copies `src` to the front of `out` and returns what follows it; an empty `src`
/// (most sections of most messages) costs one test. `out` was cut to the message's
/// length, which counts `src`, so it is long enough; were it not, nothing more is
/// written (no panic).
#[inline(always)]
fn put<'b>(out: &'b mut [u8], src: &[u8]) -> &'b mut [u8] {
    if src.is_empty() {
        return out;
    }
    match out.split_at_mut_checked(src.len()) {
        Some((dst, rest)) => {
            copy(dst, src);
            rest
        }
        None => &mut [],
    }
}

/// `dst.copy_from_slice(src)` for slices of equal length, without a `memcpy` call
/// for the short ones most sections are (one to four handles or a descriptor or
/// two: 4 to 16 bytes; raw data of a CMIF request with a few arguments: up to 64):
/// two (or four) possibly overlapping loads and stores, as `memcpy` itself does for
/// these sizes, but inline, with no call to save registers around
/// (benches/README.md, "encode").
#[inline(always)]
fn copy(dst: &mut [u8], src: &[u8]) {
    let len = src.len();
    // `len - N <= N` (wrapping) is `N..=2N` in one comparison; the range's
    // `contains` came out dearer (empty 116 → 123, cmif-small 138 → 150).
    if len.wrapping_sub(4) <= 4 {
        copy_ends::<4>(dst, src);
    } else if len.wrapping_sub(8) <= 8 {
        copy_ends::<8>(dst, src);
    } else if len.wrapping_sub(16) <= 16 {
        copy_ends::<16>(dst, src);
    } else if len.wrapping_sub(32) <= 32 {
        copy_ends::<32>(dst, src);
    } else if dst.len() == len {
        dst.copy_from_slice(src);
    }
}

/// Copies the first and the last `N` bytes of `src` (of length `N` to `2N`, so the
/// two cover it all) to `dst`, of the same length.
#[inline(always)]
fn copy_ends<const N: usize>(dst: &mut [u8], src: &[u8]) {
    if let (Some(d), Some(s)) = (dst.first_chunk_mut::<N>(), src.first_chunk::<N>()) {
        *d = *s;
    }
    if let (Some(d), Some(s)) = (dst.last_chunk_mut::<N>(), src.last_chunk::<N>()) {
        *d = *s;
    }
}
