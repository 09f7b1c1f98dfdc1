//! X descriptors: "pointer" or "send static" buffers (wire-format.md §1.9).

use zerocopy::byteorder::little_endian::U32;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::error::{Error, Field, Section};
use crate::field::{limits, pointer};

/// An X descriptor, 8 bytes: a buffer whose bytes the kernel copies into the
/// receiver's receive list.
///
/// Widths are the kernel's: a 4-bit index, a 39-bit address, a 16-bit size. Bits
/// 4..=5 and 9..=11 of word 0 are reserved; libnx reads them as index and address
/// bits, Ryujinx and yuzu as a "counter". They are kept and readable through
/// [`PointerDescriptor::reserved`], so re-emitting a parsed descriptor is lossless.
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
pub struct PointerDescriptor {
    /// Index, address bits 32..=38, size, reserved bits.
    pub word0: U32,
    /// Address bits 0..=31.
    pub address_low: U32,
}

impl PointerDescriptor {
    /// Builds a descriptor, refusing values that do not fit the kernel's fields.
    /// Arguments are in the order of every descriptor constructor: address, size,
    /// then what is particular to the kind (here the receive-list index).
    ///
    /// ```
    /// let x = hipc::PointerDescriptor::new(0x12_3456_7890, 0x100, 1)?;
    /// assert_eq!((x.address(), x.size(), x.index()), (0x12_3456_7890, 0x100, 1));
    /// let err = hipc::PointerDescriptor::new(0, 0, 16).unwrap_err(); // index is 4 bits
    /// assert_eq!(err.to_string(), "x[?].index: value 0x10 does not fit (largest is 0xf)");
    /// # Ok::<(), hipc::Error>(())
    /// ```
    pub fn new(address: u64, size: u64, index: u8) -> Result<Self, Error> {
        let x = Some(Section::X);
        if u32::from(index) > pointer::INDEX.max() {
            return Err(Error::too_large(
                x,
                Field::Index,
                u64::from(index),
                u64::from(pointer::INDEX.max()),
            ));
        }
        if address > limits::ADDRESS_MAX {
            return Err(Error::too_large(
                x,
                Field::Address,
                address,
                limits::ADDRESS_MAX,
            ));
        }
        if size > limits::POINTER_SIZE_MAX {
            return Err(Error::too_large(
                x,
                Field::Size,
                size,
                limits::POINTER_SIZE_MAX,
            ));
        }
        let mut word0 = pointer::INDEX.set(0, u32::from(index));
        word0 = pointer::ADDRESS_MID.set(word0, ((address >> 32) & 0xF) as u32);
        word0 = pointer::ADDRESS_HIGH.set(word0, ((address >> 36) & 0x7) as u32);
        word0 = pointer::SIZE.set(word0, size as u32);
        Ok(PointerDescriptor {
            word0: U32::new(word0),
            address_low: U32::new(address as u32),
        })
    }

    /// Returns the descriptor with its reserved bits set to `reserved` (bits in their
    /// own positions: word 0 bits 4..=5 and 9..=11). Other bits are refused.
    pub fn with_reserved(self, reserved: u32) -> Result<Self, Error> {
        if reserved & !pointer::RESERVED_MASK != 0 {
            return Err(Error::outside(
                Some(Section::X),
                Field::Reserved,
                reserved,
                pointer::RESERVED_MASK,
            ));
        }
        let word0 = (self.word0.get() & !pointer::RESERVED_MASK) | reserved;
        Ok(PointerDescriptor {
            word0: U32::new(word0),
            ..self
        })
    }

    /// Receive-list index (used only when the receiver's list is indexed, mode ≥ 3).
    #[inline]
    pub fn index(&self) -> u8 {
        pointer::INDEX.get(self.word0.get()) as u8
    }
    /// The 39-bit address.
    #[inline]
    pub fn address(&self) -> u64 {
        let w0 = self.word0.get();
        u64::from(self.address_low.get())
            | u64::from(pointer::ADDRESS_MID.get(w0)) << 32
            | u64::from(pointer::ADDRESS_HIGH.get(w0)) << 36
    }
    /// Size in bytes (a 16-bit field, returned as `u64` like every descriptor size).
    #[inline]
    pub fn size(&self) -> u64 {
        u64::from(pointer::SIZE.get(self.word0.get()))
    }
    /// Reserved bits of word 0, in their own positions.
    #[inline]
    pub fn reserved(&self) -> u32 {
        self.word0.get() & pointer::RESERVED_MASK
    }
}
