//! Where every section of a message lies: the one place offsets are computed.
//!
//! The kernel derives each section's position from the header alone, through a
//! chain of indices (`GetSpecialDataIndex`, `GetPointerDescriptorIndex`,
//! `GetMapAliasDescriptorIndex`, `GetRawDataIndex`, `GetReceiveListIndex` in
//! mesosphère's `svc_message_buffer.hpp`; wire-format.md §1.2, kernel-semantics.md
//! §2.9). [`Layout`] computes the same chain once. The view, the emitter, the model
//! kernel and the benchmarks all use it; nothing else does offset arithmetic.
//! SunriseOS's running-cursor placement is what put its C entries in the wrong place
//! (wire-format.md §5.1).

use core::ops::Range;

use zerocopy::FromBytes;

use crate::error::{Error, Section};
use crate::header::{Header, SpecialHeader};
use crate::receive_list::entry_count;

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
    header: Header,
    special: Option<SpecialHeader>,
    // Word indices of the kernel's chain (kernel-semantics.md §2.9).
    special_data: usize,
    copy: usize,
    moves: usize,
    pointer: usize,
    send: usize,
    receive: usize,
    exchange: usize,
    raw: usize,
    raw_end: usize,
    recv_list: usize,
    recv_entries: usize,
}

impl Layout {
    /// Computes the layout for a header. `special` is the word at index 2; it is
    /// ignored unless the header's has-special-header bit is set (the kernel then
    /// treats the message as having no PID and no handles, whatever word 2 holds).
    pub fn new(header: Header, special: SpecialHeader) -> Self {
        let special = header.has_special_header().then_some(special);
        let (pid, ncopy, nmove) = match special {
            Some(s) => (s.has_pid(), s.copy_count(), s.move_count()),
            None => (false, 0, 0),
        };
        let special_data = 2 + usize::from(special.is_some());
        let copy = special_data + if pid { 2 } else { 0 };
        let moves = copy + ncopy;
        let pointer = moves + nmove;
        let send = pointer + 2 * header.x_count();
        let receive = send + 3 * header.a_count();
        let exchange = receive + 3 * header.b_count();
        let raw = exchange + 3 * header.w_count();
        let raw_end = raw + header.raw_words();
        let recv_list = match header.recv_list_offset() {
            0 => raw_end,
            offset => usize::from(offset),
        };
        Layout {
            header,
            special,
            special_data,
            copy,
            moves,
            pointer,
            send,
            receive,
            exchange,
            raw,
            raw_end,
            recv_list,
            recv_entries: entry_count(header.recv_list_count()),
        }
    }

    /// Reads the header (and the special header, when present) from the start of
    /// `bytes` and computes the layout. Fails only if those words themselves are cut off.
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

    /// The header the layout was computed from.
    pub fn header(&self) -> Header {
        self.header
    }
    /// The special header, when the header declares one.
    pub fn special_header(&self) -> Option<SpecialHeader> {
        self.special
    }

    /// Byte range of the special header word, when present.
    pub fn special_header_range(&self) -> Option<Range<usize>> {
        self.special
            .map(|_| HEADER_SIZE..HEADER_SIZE + SPECIAL_HEADER_SIZE)
    }
    /// Byte range of the PID slot, when the special header has the PID bit. It starts
    /// at byte 12: not 8-byte aligned.
    pub fn pid(&self) -> Option<Range<usize>> {
        match self.special {
            Some(s) if s.has_pid() => Some(words(self.special_data, self.copy)),
            _ => None,
        }
    }
    /// Byte range of the copy handles.
    pub fn copy_handles(&self) -> Range<usize> {
        words(self.copy, self.moves)
    }
    /// Byte range of the move handles.
    pub fn move_handles(&self) -> Range<usize> {
        words(self.moves, self.pointer)
    }
    /// Byte range of the X descriptors.
    pub fn x(&self) -> Range<usize> {
        words(self.pointer, self.send)
    }
    /// Byte range of the A descriptors.
    pub fn a(&self) -> Range<usize> {
        words(self.send, self.receive)
    }
    /// Byte range of the B descriptors.
    pub fn b(&self) -> Range<usize> {
        words(self.receive, self.exchange)
    }
    /// Byte range of the W descriptors.
    pub fn w(&self) -> Range<usize> {
        words(self.exchange, self.raw)
    }
    /// Byte range of all map-alias descriptors (A, then B, then W), as the kernel
    /// walks them.
    pub fn map_alias(&self) -> Range<usize> {
        words(self.send, self.raw)
    }
    /// Byte range of the raw data.
    pub fn raw(&self) -> Range<usize> {
        words(self.raw, self.raw_end)
    }
    /// Byte range of the receive-list entries, at the receive-list offset when it is
    /// non-zero, else directly after the raw data.
    pub fn receive_list(&self) -> Range<usize> {
        let start = self.recv_list * 4;
        start..start + self.recv_entries * RECEIVE_LIST_ENTRY_SIZE
    }
    /// Byte range between the end of the raw data and a receive list (with entries)
    /// placed further on by the receive-list offset; empty otherwise. Not part of any
    /// section.
    pub fn gap(&self) -> Range<usize> {
        if self.recv_list > self.raw_end && self.recv_entries > 0 {
            words(self.raw_end, self.recv_list)
        } else {
            self.raw_end * 4..self.raw_end * 4
        }
    }

    /// Word index of the special data (PID, then handles): the kernel's `SD`.
    pub fn special_data_index(&self) -> usize {
        self.special_data
    }
    /// Word index of the first X descriptor: the kernel's `P`.
    pub fn pointer_index(&self) -> usize {
        self.pointer
    }
    /// Word index of the first map-alias descriptor: the kernel's `M`.
    pub fn map_alias_index(&self) -> usize {
        self.send
    }
    /// Word index of the raw data: the kernel's `R`.
    pub fn raw_index(&self) -> usize {
        self.raw
    }
    /// Word index where the raw data ends: the kernel's `E`, the "end of message"
    /// used by translation.
    pub fn raw_end_index(&self) -> usize {
        self.raw_end
    }
    /// Word index of the receive list: the kernel's `L`.
    pub fn receive_list_index(&self) -> usize {
        self.recv_list
    }
    /// Number of receive-list entries the count implies.
    pub fn receive_list_entries(&self) -> usize {
        self.recv_entries
    }
    /// Bytes up to the end of the raw data (`4·E`).
    pub fn raw_end(&self) -> usize {
        self.raw_end * 4
    }
    /// The message size the kernel checks against the buffer: `4·L + 8·n`, the end of
    /// the receive list (kernel-semantics.md §2.9). With a non-zero receive-list offset
    /// and no entries this still reaches the offset.
    pub fn message_size(&self) -> usize {
        self.receive_list().end
    }
    /// Where the message's own bytes end (message-json.md): the end of the receive
    /// list when it has entries, else the end of the raw data. This differs from
    /// [`Layout::message_size`] only for a non-zero receive-list offset with no
    /// entries (modes 0 and 1): the words up to the offset then belong to no section,
    /// so they are not part of the message's bytes, though the kernel's size check
    /// still counts them.
    pub fn end(&self) -> usize {
        if self.recv_entries == 0 {
            self.raw_end()
        } else {
            self.message_size()
        }
    }
    /// Whether the receive-list offset is acceptable: zero, or at or after the end of
    /// the raw data (wire-format.md §1.7; the kernel checks this of destination headers).
    pub fn recv_list_offset_valid(&self) -> bool {
        self.header.recv_list_offset() == 0 || self.recv_list >= self.raw_end
    }

    /// The end of a section, in bytes.
    pub fn section_end(&self, section: Section) -> usize {
        match section {
            Section::Header => HEADER_SIZE,
            Section::SpecialHeader => self.special_data * 4,
            Section::Pid => self.copy * 4,
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
    pub fn check(&self, len: usize) -> Result<(), Error> {
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
                    offset: self.header.recv_list_offset(),
                    raw_end: self.raw_end,
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

fn words(start: usize, end: usize) -> Range<usize> {
    start * 4..end * 4
}
