//! C receive-list entries and the receive-list modes (wire-format.md §1.6, §1.11).

use zerocopy::byteorder::little_endian::U32;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::error::{Error, Field, Section};
use crate::field::{limits, receive};

/// What header word 1's receive-list count means (wire-format.md §1.6).
///
/// Modes 2 and 3 with one entry are *not* the same thing to the kernel: mode 2
/// packs successive X buffers at 16-byte boundaries and ignores their index, mode 3
/// places each at the exact start of the entry its index names. libnx encodes one
/// client buffer as 3, SunriseOS as 2; choose deliberately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceiveListMode {
    /// 0: no receive list; any X with a non-zero size fails (OutOfResource).
    None,
    /// 1: X data goes into the receiver's own message buffer after the incoming raw data.
    ToMessageBuffer,
    /// 2: one entry; X buffers are packed into it sequentially, 16-byte aligned.
    SingleBuffer,
    /// 3..=15: `entries` = count − 2 entries, addressed by the X index.
    Indexed {
        /// Number of entries, 1..=13.
        entries: u8,
    },
}

impl ReceiveListMode {
    /// The mode for a count field value. The field is 4 bits wide; a value above 15
    /// is not masked but read as `Indexed { entries: count − 2 }`, so that
    /// [`ReceiveListMode::count`] gives it back and the emitter refuses it by name.
    #[inline]
    pub const fn from_count(count: u8) -> Self {
        match count {
            0 => ReceiveListMode::None,
            1 => ReceiveListMode::ToMessageBuffer,
            2 => ReceiveListMode::SingleBuffer,
            c => ReceiveListMode::Indexed { entries: c - 2 },
        }
    }

    /// The count field value for this mode: the inverse of
    /// [`ReceiveListMode::from_count`] (`Indexed { entries }` is `entries + 2`).
    ///
    /// An `Indexed` mode with more than 13 entries gives a count above 15, which
    /// [`crate::MessageRepr::emit`] refuses (naming `recv_list_count`) rather than
    /// truncating.
    ///
    /// ```
    /// use hipc::ReceiveListMode;
    /// for count in 0..=15 {
    ///     assert_eq!(ReceiveListMode::from_count(count).count(), count);
    /// }
    /// ```
    #[inline]
    pub const fn count(self) -> u8 {
        match self {
            ReceiveListMode::None => 0,
            ReceiveListMode::ToMessageBuffer => 1,
            ReceiveListMode::SingleBuffer => 2,
            ReceiveListMode::Indexed { entries } => entries.saturating_add(2),
        }
    }

    /// How many C entries the message carries in this mode.
    #[inline]
    pub const fn entry_count(self) -> usize {
        match self {
            ReceiveListMode::None | ReceiveListMode::ToMessageBuffer => 0,
            ReceiveListMode::SingleBuffer => 1,
            ReceiveListMode::Indexed { entries } => entries as usize,
        }
    }

    /// A short human name, for dissections.
    pub const fn name(self) -> &'static str {
        match self {
            ReceiveListMode::None => "none",
            ReceiveListMode::ToMessageBuffer => "to message buffer",
            ReceiveListMode::SingleBuffer => "single buffer",
            ReceiveListMode::Indexed { .. } => "indexed",
        }
    }
}

/// Number of C entries a receive-list count implies: 0→0, 1→0, 2→1, c≥3→c−2.
///
/// Computed without a branch or a table (it runs on every decode and emit): one
/// entry for count 2, `count - 2` from 3 on; agrees with
/// [`ReceiveListMode::entry_count`] for every `u8` (a value above the 4-bit field's 15
/// is not masked; the emitter refuses it).
#[inline]
pub const fn entry_count(count: u8) -> usize {
    let c = count as usize;
    c.saturating_sub(2) + (c == 2) as usize
}

/// A C receive-list entry, 8 bytes: a buffer of the receiver's where the kernel may
/// copy incoming X data.
///
/// Widths are the kernel's: a 39-bit address (word 1 bits 0..=6 hold bits 32..=38),
/// a 16-bit size. Word 1 bits 7..=15 are reserved; libnx, SunriseOS, yuzu and Ryujinx
/// read them as address bits. They are kept and readable through
/// [`ReceiveListEntry::reserved`].
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
pub struct ReceiveListEntry {
    /// Address bits 0..=31.
    pub address_low: U32,
    /// Address bits 32..=38, reserved bits, size.
    pub word1: U32,
}

impl ReceiveListEntry {
    /// Builds an entry, refusing values that do not fit the kernel's fields.
    ///
    /// ```
    /// let c = hipc::ReceiveListEntry::new(0x43_2100_0000, 0x200)?;
    /// assert_eq!((c.address(), c.size()), (0x43_2100_0000, 0x200));
    /// assert!(hipc::ReceiveListEntry::new(1 << 39, 0).is_err());
    /// # Ok::<(), hipc::Error>(())
    /// ```
    pub fn new(address: u64, size: u64) -> Result<Self, Error> {
        let c = Some(Section::ReceiveList);
        if address > limits::ADDRESS_MAX {
            return Err(Error::too_large(
                c,
                Field::Address,
                address,
                limits::ADDRESS_MAX,
            ));
        }
        if size > limits::POINTER_SIZE_MAX {
            return Err(Error::too_large(
                c,
                Field::Size,
                size,
                limits::POINTER_SIZE_MAX,
            ));
        }
        let mut word1 = receive::ADDRESS_HIGH.set(0, ((address >> 32) & 0x7F) as u32);
        word1 = receive::SIZE.set(word1, size as u32);
        Ok(ReceiveListEntry {
            address_low: U32::new(address as u32),
            word1: U32::new(word1),
        })
    }

    /// Returns the entry with its reserved bits (word 1 bits 7..=15, in their own
    /// positions) set to `reserved`. Other bits are refused.
    pub fn with_reserved(self, reserved: u32) -> Result<Self, Error> {
        if reserved & !receive::RESERVED_MASK != 0 {
            return Err(Error::outside(
                Some(Section::ReceiveList),
                Field::Reserved,
                reserved,
                receive::RESERVED_MASK,
            ));
        }
        let word1 = (self.word1.get() & !receive::RESERVED_MASK) | reserved;
        Ok(ReceiveListEntry {
            word1: U32::new(word1),
            ..self
        })
    }

    /// The 39-bit address.
    #[inline]
    pub fn address(&self) -> u64 {
        u64::from(self.address_low.get())
            | u64::from(receive::ADDRESS_HIGH.get(self.word1.get())) << 32
    }
    /// Size in bytes (a 16-bit field, returned as `u64` like every descriptor size,
    /// so that what [`ReceiveListEntry::new`] takes is what this gives back).
    #[inline]
    pub fn size(&self) -> u64 {
        u64::from(receive::SIZE.get(self.word1.get()))
    }
    /// Reserved bits of word 1, in their own positions.
    #[inline]
    pub fn reserved(&self) -> u32 {
        self.word1.get() & receive::RESERVED_MASK
    }
}
