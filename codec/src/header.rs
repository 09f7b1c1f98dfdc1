//! The two header words and the special header word (wire-format.md §1.3, §1.4, §1.8).

use zerocopy::byteorder::little_endian::U32;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::field::{header0, header1, special};
use crate::receive_list::ReceiveListMode;

/// The message header: two little-endian words at the start of every message.
///
/// Every bit is kept; getters read the kernel's fields, [`Header::reserved`] reads
/// the bits no field owns. Setters used by kernels editing in place mask to the
/// field width; the checked way to build a header is [`crate::MessageRepr`].
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
pub struct Header {
    /// Word 0: tag and the four descriptor counts.
    pub word0: U32,
    /// Word 1: raw count, receive-list mode, reserved, receive-list offset, special flag.
    pub word1: U32,
}

impl Header {
    /// Builds a header from its two raw words.
    #[inline]
    pub fn from_words(word0: u32, word1: u32) -> Self {
        Header {
            word0: U32::new(word0),
            word1: U32::new(word1),
        }
    }

    /// Message type / tag (word 0 bits 0..=15). The kernel never reads it; see
    /// [`crate::tag_name`] for the CMIF and TIPC meanings.
    #[inline]
    pub fn tag(&self) -> u16 {
        header0::TAG.get(self.word0.get()) as u16
    }
    /// Number of X descriptors.
    #[inline]
    pub fn x_count(&self) -> usize {
        header0::X_COUNT.get(self.word0.get()) as usize
    }
    /// Number of A descriptors.
    #[inline]
    pub fn a_count(&self) -> usize {
        header0::A_COUNT.get(self.word0.get()) as usize
    }
    /// Number of B descriptors.
    #[inline]
    pub fn b_count(&self) -> usize {
        header0::B_COUNT.get(self.word0.get()) as usize
    }
    /// Number of W descriptors.
    #[inline]
    pub fn w_count(&self) -> usize {
        header0::W_COUNT.get(self.word0.get()) as usize
    }
    /// Raw data size in words.
    #[inline]
    pub fn raw_words(&self) -> usize {
        header1::RAW_COUNT.get(self.word1.get()) as usize
    }
    /// The receive-list count field as written (0..=15).
    #[inline]
    pub fn recv_list_count(&self) -> u8 {
        header1::RECV_LIST_COUNT.get(self.word1.get()) as u8
    }
    /// The receive-list mode the count field selects.
    #[inline]
    pub fn recv_list_mode(&self) -> ReceiveListMode {
        ReceiveListMode::from_count(self.recv_list_count())
    }
    /// Reserved bits 14..=19, in their own positions (as in `reserved.header1`).
    #[inline]
    pub fn reserved(&self) -> u32 {
        self.word1.get() & header1::RESERVED.mask()
    }
    /// Receive-list offset in words (0 = directly after the raw data).
    #[inline]
    pub fn recv_list_offset(&self) -> u16 {
        header1::RECV_LIST_OFFSET.get(self.word1.get()) as u16
    }
    /// Whether a special header follows.
    #[inline]
    pub fn has_special_header(&self) -> bool {
        header1::HAS_SPECIAL_HEADER.get(self.word1.get()) != 0
    }

    /// The header with its tag replaced (the only header field a kernel or server
    /// commonly rewrites). A value, not an edit in place: `msg.header()` is a copy,
    /// so to rewrite a message's tag use [`crate::Message::header_mut`], which
    /// writes the buffer.
    #[must_use = "the header is a copy: use Message::header_mut().set_tag to edit a message"]
    pub fn with_tag(self, tag: u16) -> Self {
        Header {
            word0: U32::new(header0::TAG.set(self.word0.get(), u32::from(tag))),
            ..self
        }
    }
}

/// The special header word (present when header word 1 bit 31 is set).
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
pub struct SpecialHeader {
    /// The word.
    pub word: U32,
}

impl SpecialHeader {
    /// Builds a special header from its raw word.
    #[inline]
    pub fn from_word(word: u32) -> Self {
        SpecialHeader {
            word: U32::new(word),
        }
    }
    /// Whether an 8-byte process id follows.
    #[inline]
    pub fn has_pid(&self) -> bool {
        special::HAS_PID.get(self.word.get()) != 0
    }
    /// Number of copy handles.
    #[inline]
    pub fn copy_count(&self) -> usize {
        special::COPY_COUNT.get(self.word.get()) as usize
    }
    /// Number of move handles.
    #[inline]
    pub fn move_count(&self) -> usize {
        special::MOVE_COUNT.get(self.word.get()) as usize
    }
    /// Reserved bits 9..=31 in their own positions (as in `reserved.special`).
    #[inline]
    pub fn reserved(&self) -> u32 {
        self.word.get() & special::RESERVED.mask()
    }
}
