//! The descriptor constructors: they accept exactly the values that fit.

use hipc::field::limits;
use hipc::{BufferDescriptor, PointerDescriptor, ReceiveListEntry};

/// Descriptor fields as a caller gives them, possibly out of range.
#[derive(Debug, Clone, Copy, arbitrary::Arbitrary)]
pub struct FieldValues {
    /// Index (X).
    pub index: u8,
    /// Address.
    pub address: u64,
    /// Size.
    pub size: u64,
    /// Mode (A/B/W).
    pub mode: u8,
    /// Reserved bits.
    pub reserved: u32,
    /// Which of the bits to keep in range (so that most values fit).
    pub narrow: u8,
}

impl FieldValues {
    /// Narrows some fields into range so both outcomes are common.
    pub fn narrowed(mut self) -> Self {
        if self.narrow & 1 != 0 {
            self.index &= 0xF;
        }
        if self.narrow & 2 != 0 {
            self.address &= limits::ADDRESS_MAX;
        }
        if self.narrow & 4 != 0 {
            self.size &= limits::BUFFER_SIZE_MAX;
        }
        if self.narrow & 8 != 0 {
            self.size &= limits::POINTER_SIZE_MAX;
        }
        if self.narrow & 16 != 0 {
            self.mode &= 3;
        }
        if self.narrow & 32 != 0 {
            self.reserved &= hipc::field::pointer::RESERVED_MASK
                | hipc::field::buffer::RESERVED_MASK
                | hipc::field::receive::RESERVED_MASK;
        }
        self
    }
}

/// The descriptor constructors accept exactly the values that fit their fields, and
/// the getters give those values back.
pub fn check_constructors(v: FieldValues) {
    let v = v.narrowed();
    let addr_ok = v.address <= limits::ADDRESS_MAX;
    // X.
    let fits = v.index <= 15 && addr_ok && v.size <= limits::POINTER_SIZE_MAX;
    match PointerDescriptor::new(v.address, v.size, v.index) {
        Ok(x) => {
            assert!(fits, "X accepted {v:?}");
            assert_eq!(
                (x.index(), x.address(), x.size(), x.reserved()),
                (v.index, v.address, v.size, 0)
            );
            let mask = hipc::field::pointer::RESERVED_MASK;
            match x.with_reserved(v.reserved) {
                Ok(r) => {
                    assert_eq!(v.reserved & !mask, 0);
                    assert_eq!(
                        (r.index(), r.address(), r.size(), r.reserved()),
                        (x.index(), x.address(), x.size(), v.reserved)
                    );
                }
                Err(_) => assert_ne!(v.reserved & !mask, 0),
            }
        }
        Err(_) => assert!(!fits, "X refused {v:?}"),
    }
    // A/B/W.
    let fits = addr_ok && v.size <= limits::BUFFER_SIZE_MAX && v.mode <= 3;
    match hipc::BufferAttribute::from_bits(v.mode)
        .and_then(|m| BufferDescriptor::new(v.address, v.size, m))
    {
        Ok(b) => {
            assert!(fits, "A/B/W accepted {v:?}");
            assert_eq!(
                (b.address(), b.size(), b.mode(), b.reserved()),
                (v.address, v.size, v.mode, 0)
            );
            let mask = hipc::field::buffer::RESERVED_MASK;
            match b.with_reserved(v.reserved) {
                Ok(r) => {
                    assert_eq!(v.reserved & !mask, 0);
                    assert_eq!(
                        (r.address(), r.size(), r.mode(), r.reserved()),
                        (b.address(), b.size(), b.mode(), v.reserved)
                    );
                }
                Err(_) => assert_ne!(v.reserved & !mask, 0),
            }
        }
        Err(_) => assert!(!fits, "A/B/W refused {v:?}"),
    }
    // C.
    let fits = addr_ok && v.size <= limits::POINTER_SIZE_MAX;
    match ReceiveListEntry::new(v.address, v.size) {
        Ok(c) => {
            assert!(fits, "C accepted {v:?}");
            assert_eq!(
                (c.address(), c.size(), c.reserved()),
                (v.address, v.size, 0)
            );
            let mask = hipc::field::receive::RESERVED_MASK;
            match c.with_reserved(v.reserved) {
                Ok(r) => {
                    assert_eq!(v.reserved & !mask, 0);
                    assert_eq!(
                        (r.address(), r.size(), r.reserved()),
                        (c.address(), c.size(), v.reserved)
                    );
                }
                Err(_) => assert_ne!(v.reserved & !mask, 0),
            }
        }
        Err(_) => assert!(!fits, "C refused {v:?}"),
    }
}
