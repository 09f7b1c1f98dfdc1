//! A, B and W descriptors: map-alias buffers (wire-format.md §1.10).

use zerocopy::byteorder::little_endian::U32;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::error::{Error, Field};
use crate::field::{buffer, limits};

/// The memory attribute of a map-alias buffer (libnx calls it the "mode").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BufferAttribute {
    /// 0: mapped with memory state `Ipc`.
    Ipc,
    /// 1: mapped with memory state `NonSecureIpc`.
    NonSecureIpc,
    /// 2: not a valid attribute; the kernel refuses it with InvalidCombination 0xE801
    /// even for a size-0 buffer (kernel-semantics.md §4.4). The codec still represents
    /// it, because decoding then re-encoding any bytes must give the same bytes.
    Invalid,
    /// 3: mapped with memory state `NonDeviceIpc`.
    NonDeviceIpc,
}

impl BufferAttribute {
    /// The attribute a 2-bit field value names; a value above 3 is refused (naming
    /// `mode`, the JSON name of the field), never masked.
    ///
    /// ```
    /// use hipc::BufferAttribute;
    /// assert_eq!(BufferAttribute::from_bits(1)?, BufferAttribute::NonSecureIpc);
    /// assert!(BufferAttribute::from_bits(4).is_err());
    /// # Ok::<(), hipc::Error>(())
    /// ```
    #[inline]
    pub const fn from_bits(bits: u8) -> Result<Self, Error> {
        match bits {
            0 => Ok(BufferAttribute::Ipc),
            1 => Ok(BufferAttribute::NonSecureIpc),
            2 => Ok(BufferAttribute::Invalid),
            3 => Ok(BufferAttribute::NonDeviceIpc),
            _ => Err(Error::too_large(
                None,
                Field::Mode,
                bits as u64,
                buffer::ATTRIBUTE.max() as u64,
            )),
        }
    }
    /// The 2-bit field value.
    #[inline]
    pub const fn bits(self) -> u8 {
        match self {
            BufferAttribute::Ipc => 0,
            BufferAttribute::NonSecureIpc => 1,
            BufferAttribute::Invalid => 2,
            BufferAttribute::NonDeviceIpc => 3,
        }
    }
}

/// An A, B or W descriptor, 12 bytes: a range of the sender's memory that the kernel
/// maps into the receiver.
///
/// Widths are the kernel's: a 39-bit address, a 36-bit size, a 2-bit attribute.
/// Word 2 bits 5..=23 are reserved (libnx reads bits 2..=23 as address bits); they
/// are kept and readable through [`BufferDescriptor::reserved`].
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
pub struct BufferDescriptor {
    /// Size bits 0..=31.
    pub size_low: U32,
    /// Address bits 0..=31.
    pub address_low: U32,
    /// Attribute, address bits 32..=38, size bits 32..=35, reserved bits.
    pub word2: U32,
}

impl BufferDescriptor {
    /// Builds a descriptor, refusing values that do not fit the kernel's fields.
    /// [`BufferAttribute::Invalid`] fits the field and is accepted here (the kernel,
    /// not the wire format, refuses it).
    ///
    /// ```
    /// use hipc::{BufferAttribute, BufferDescriptor};
    /// let a = BufferDescriptor::new(0x71_2345_6000, 0x1_0000_1000, BufferAttribute::Ipc)?;
    /// assert_eq!((a.address(), a.size()), (0x71_2345_6000, 0x1_0000_1000));
    /// let err = BufferDescriptor::new(0, 1 << 36, BufferAttribute::Ipc).unwrap_err();
    /// assert_eq!(err.to_string(), "a/b/w[?].size: value 0x1000000000 does not fit (largest is 0xfffffffff)");
    /// # Ok::<(), hipc::Error>(())
    /// ```
    pub fn new(address: u64, size: u64, attribute: BufferAttribute) -> Result<Self, Error> {
        if address > limits::ADDRESS_MAX {
            return Err(Error::too_large(
                None,
                Field::Address,
                address,
                limits::ADDRESS_MAX,
            ));
        }
        if size > limits::BUFFER_SIZE_MAX {
            return Err(Error::too_large(
                None,
                Field::Size,
                size,
                limits::BUFFER_SIZE_MAX,
            ));
        }
        let mut word2 = buffer::ATTRIBUTE.set(0, u32::from(attribute.bits()));
        word2 = buffer::ADDRESS_HIGH.set(word2, ((address >> 36) & 0x7) as u32);
        word2 = buffer::SIZE_HIGH.set(word2, ((size >> 32) & 0xF) as u32);
        word2 = buffer::ADDRESS_MID.set(word2, ((address >> 32) & 0xF) as u32);
        Ok(BufferDescriptor {
            size_low: U32::new(size as u32),
            address_low: U32::new(address as u32),
            word2: U32::new(word2),
        })
    }

    /// Returns the descriptor with its reserved bits (word 2 bits 5..=23, in their own
    /// positions) set to `reserved`. Other bits are refused.
    pub fn with_reserved(self, reserved: u32) -> Result<Self, Error> {
        if reserved & !buffer::RESERVED_MASK != 0 {
            return Err(Error::outside(
                None,
                Field::Reserved,
                reserved,
                buffer::RESERVED_MASK,
            ));
        }
        let word2 = (self.word2.get() & !buffer::RESERVED_MASK) | reserved;
        Ok(BufferDescriptor {
            word2: U32::new(word2),
            ..self
        })
    }

    /// The 39-bit address.
    #[inline]
    pub fn address(&self) -> u64 {
        let w2 = self.word2.get();
        u64::from(self.address_low.get())
            | u64::from(buffer::ADDRESS_MID.get(w2)) << 32
            | u64::from(buffer::ADDRESS_HIGH.get(w2)) << 36
    }
    /// The 36-bit size.
    #[inline]
    pub fn size(&self) -> u64 {
        u64::from(self.size_low.get()) | u64::from(buffer::SIZE_HIGH.get(self.word2.get())) << 32
    }
    /// The 2-bit attribute value (JSON `mode`).
    #[inline]
    pub fn mode(&self) -> u8 {
        buffer::ATTRIBUTE.get(self.word2.get()) as u8
    }
    /// The attribute, named.
    #[inline]
    pub fn attribute(&self) -> BufferAttribute {
        // The field is 2 bits wide, so every value it holds names an attribute.
        BufferAttribute::from_bits(self.mode()).unwrap_or(BufferAttribute::Invalid)
    }
    /// Reserved bits of word 2, in their own positions.
    #[inline]
    pub fn reserved(&self) -> u32 {
        self.word2.get() & buffer::RESERVED_MASK
    }
}
