//! Bit positions of every field, as the real kernel defines them.
//!
//! Following smoltcp's `wire` modules, the positions live in one place and every
//! accessor reads them from here. Each constant is a `(shift, width)` pair within a
//! 32-bit little-endian word, or a mask of the bits no field owns.
//!
//! Source: wire-format.md §1.3, §1.4, §1.8-§1.11 (mesosphère's
//! `svc_message_buffer.hpp`, the kernel's own widths; libnx's wider bit fields are
//! *not* followed, see wire-format.md §4).

/// A bit field inside one 32-bit word: the position of its lowest bit and its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bits {
    /// Position of the field's least-significant bit within the word.
    pub shift: u32,
    /// Number of bits in the field.
    pub width: u32,
}

impl Bits {
    /// Builds a field descriptor.
    #[inline]
    pub const fn new(shift: u32, width: u32) -> Self {
        Bits { shift, width }
    }

    /// The largest value the field holds.
    #[inline]
    pub const fn max(self) -> u32 {
        if self.width >= 32 {
            u32::MAX
        } else {
            (1u32 << self.width) - 1
        }
    }

    /// The field's bits within the word.
    #[inline]
    pub const fn mask(self) -> u32 {
        self.max() << self.shift
    }

    /// Reads the field out of `word`.
    #[inline]
    pub const fn get(self, word: u32) -> u32 {
        (word >> self.shift) & self.max()
    }

    /// Returns `word` with the field replaced by `value` (which the caller has
    /// already checked fits: bits above the width are discarded here).
    #[inline]
    pub const fn set(self, word: u32, value: u32) -> u32 {
        (word & !self.mask()) | ((value & self.max()) << self.shift)
    }
}

/// Header word 0 (wire-format.md §1.3).
pub mod header0 {
    use super::Bits;
    /// Message type / tag. The kernel never reads it.
    pub const TAG: Bits = Bits::new(0, 16);
    /// Number of X (pointer) descriptors.
    pub const X_COUNT: Bits = Bits::new(16, 4);
    /// Number of A (send) descriptors.
    pub const A_COUNT: Bits = Bits::new(20, 4);
    /// Number of B (receive) descriptors.
    pub const B_COUNT: Bits = Bits::new(24, 4);
    /// Number of W (exchange) descriptors.
    pub const W_COUNT: Bits = Bits::new(28, 4);
}

/// Header word 1 (wire-format.md §1.4).
pub mod header1 {
    use super::Bits;
    /// Raw data size in 32-bit words.
    pub const RAW_COUNT: Bits = Bits::new(0, 10);
    /// Receive-list mode / count (wire-format.md §1.6).
    pub const RECV_LIST_COUNT: Bits = Bits::new(10, 4);
    /// Reserved bits 14..=19: copied verbatim by the kernel.
    pub const RESERVED: Bits = Bits::new(14, 6);
    /// Word index of the receive list, 0 = directly after the raw data (§1.7).
    pub const RECV_LIST_OFFSET: Bits = Bits::new(20, 11);
    /// A special header follows the header.
    pub const HAS_SPECIAL_HEADER: Bits = Bits::new(31, 1);
}

/// Special header (wire-format.md §1.8).
pub mod special {
    use super::Bits;
    /// A 64-bit process id follows.
    pub const HAS_PID: Bits = Bits::new(0, 1);
    /// Number of copy handles.
    pub const COPY_COUNT: Bits = Bits::new(1, 4);
    /// Number of move handles.
    pub const MOVE_COUNT: Bits = Bits::new(5, 4);
    /// Reserved bits 9..=31: copied verbatim by the kernel.
    pub const RESERVED: Bits = Bits::new(9, 23);
}

/// X descriptor word 0 (wire-format.md §1.9). Word 1 is address bits 0..=31.
pub mod pointer {
    use super::Bits;
    /// Receive-list index (kernel: 4 bits; libnx reads 6).
    pub const INDEX: Bits = Bits::new(0, 4);
    /// Reserved bits 4..=5.
    pub const RESERVED0: Bits = Bits::new(4, 2);
    /// Address bits 36..=38.
    pub const ADDRESS_HIGH: Bits = Bits::new(6, 3);
    /// Reserved bits 9..=11.
    pub const RESERVED1: Bits = Bits::new(9, 3);
    /// Address bits 32..=35.
    pub const ADDRESS_MID: Bits = Bits::new(12, 4);
    /// Size in bytes.
    pub const SIZE: Bits = Bits::new(16, 16);
    /// Every reserved bit of word 0.
    pub const RESERVED_MASK: u32 = RESERVED0.mask() | RESERVED1.mask();
}

/// A/B/W descriptor word 2 (wire-format.md §1.10). Word 0 is size bits 0..=31,
/// word 1 address bits 0..=31.
pub mod buffer {
    use super::Bits;
    /// Memory attribute (libnx "mode"): 0, 1 or 3; 2 is refused by the kernel.
    pub const ATTRIBUTE: Bits = Bits::new(0, 2);
    /// Address bits 36..=38.
    pub const ADDRESS_HIGH: Bits = Bits::new(2, 3);
    /// Reserved bits 5..=23 (libnx treats 2..=23 as address bits).
    pub const RESERVED: Bits = Bits::new(5, 19);
    /// Size bits 32..=35.
    pub const SIZE_HIGH: Bits = Bits::new(24, 4);
    /// Address bits 32..=35.
    pub const ADDRESS_MID: Bits = Bits::new(28, 4);
    /// Every reserved bit of word 2.
    pub const RESERVED_MASK: u32 = RESERVED.mask();
}

/// C receive-list entry word 1 (wire-format.md §1.11). Word 0 is address bits 0..=31.
pub mod receive {
    use super::Bits;
    /// Address bits 32..=38.
    pub const ADDRESS_HIGH: Bits = Bits::new(0, 7);
    /// Reserved bits 7..=15 (libnx and others read them as address bits).
    pub const RESERVED: Bits = Bits::new(7, 9);
    /// Size in bytes.
    pub const SIZE: Bits = Bits::new(16, 16);
    /// Every reserved bit of word 1.
    pub const RESERVED_MASK: u32 = RESERVED.mask();
}

/// Widths of whole values (wire-format.md §1.13).
pub mod limits {
    /// Addresses are 39 bits in every descriptor.
    pub const ADDRESS_MAX: u64 = (1 << 39) - 1;
    /// A/B/W sizes are 36 bits.
    pub const BUFFER_SIZE_MAX: u64 = (1 << 36) - 1;
    /// X and C sizes are 16 bits.
    pub const POINTER_SIZE_MAX: u64 = 0xFFFF;
    /// Each of the six item counts is a 4-bit field.
    pub const COUNT_MAX: usize = 15;
    /// The raw-data count is a 10-bit field (words).
    pub const RAW_WORDS_MAX: usize = 1023;
    /// The receive-list offset is an 11-bit field (words).
    pub const RECV_LIST_OFFSET_MAX: u16 = 2047;
    /// Receive-list entries in the largest indexed mode (15 − 2).
    pub const RECV_ENTRIES_MAX: usize = 13;
    /// Size of the thread-local message buffer (wire-format.md §0.3).
    pub const TLS_BUFFER_SIZE: usize = 0x100;
}
