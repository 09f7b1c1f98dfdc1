//! Kernel flavours: the model shaped like kernels that are not the model.
//!
//! A real kernel may lack things that are not IPC semantics at all
//! (docs/spec/kernel-semantics.md §1.4): the TLS syscalls or the user-buffer ones, a
//! 64-bit address space, memory attributes, regions in the kernel's, drivers' or
//! newer memory states; and its syscall glue may write an out index where the kernel
//! left it unspecified (§9 **out_index on failure**). A flavour makes the model such
//! a kernel, so that tests can show the corpus running on kernels unlike the model:
//! what a flavour removes is also removed from the capabilities the model declares,
//! and a vector needing it is skipped, never failed.
//!
//! Flavours combine: `hipc serve-model --flavour user-buffer-only,addr32`.

use std::fmt;

use crate::kernel::{Capability, ResultCode};

/// What a syscall the flavour lacks returns: the kernel's NotImplemented (33). It
/// is a placeholder: the refusal is also kept as a kernel error, which the runner
/// reports instead (as it does for an adapter whose kernel lacks an operation).
pub(crate) const UNSUPPORTED: ResultCode = ResultCode(0x4201);

/// One way the model can be unlike itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum FlavourItem {
    /// Only the `...WithUserBuffer` syscalls (SunriseOS dispatches only these).
    UserBufferOnly,
    /// Only the TLS syscalls: no user buffers, hence no async requests either.
    TlsOnly,
    /// A 32-bit address space: thread-local pages and the alias region below
    /// 4 GiB, and no region may be created at or above it.
    Addr32,
    /// No memory attributes: regions cannot be created with one, and queries
    /// report none.
    NoAttributes,
    /// Regions cannot be created in the states a process is not given by its own
    /// memory calls on every kernel ([`MemoryState::is_system`]).
    ///
    /// [`MemoryState::is_system`]: crate::kernel::MemoryState::is_system
    NoSystemStates,
    /// The syscall glue writes 0 to the out index whenever the kernel leaves it
    /// unwritten (SunriseOS zeroes output registers on error), which §9 allows.
    ZeroOutIndex,
}

impl FlavourItem {
    /// Every item, in declaration order.
    pub const ALL: &'static [FlavourItem] = &[
        FlavourItem::UserBufferOnly,
        FlavourItem::TlsOnly,
        FlavourItem::Addr32,
        FlavourItem::NoAttributes,
        FlavourItem::NoSystemStates,
        FlavourItem::ZeroOutIndex,
    ];

    /// The item's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FlavourItem::UserBufferOnly => "user-buffer-only",
            FlavourItem::TlsOnly => "tls-only",
            FlavourItem::Addr32 => "addr32",
            FlavourItem::NoAttributes => "no-attributes",
            FlavourItem::NoSystemStates => "no-system-states",
            FlavourItem::ZeroOutIndex => "zero-out-index",
        }
    }

    /// What the item means, for `--help` and error messages.
    pub fn summary(self) -> &'static str {
        match self {
            FlavourItem::UserBufferOnly => "only the user-buffer IPC syscalls (no TLS ones)",
            FlavourItem::TlsOnly => "only the TLS IPC syscalls (no user buffers, no async)",
            FlavourItem::Addr32 => "a 32-bit address space",
            FlavourItem::NoAttributes => "no memory attributes",
            FlavourItem::NoSystemStates => "no regions in the kernel's, drivers' or newer states",
            FlavourItem::ZeroOutIndex => "out_index written as 0 where the kernel leaves it",
        }
    }
}

/// A set of [`FlavourItem`]s; the default is the model itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Flavour {
    bits: u8,
}

impl Flavour {
    /// The model as it is.
    pub const NONE: Flavour = Flavour { bits: 0 };

    fn bit(item: FlavourItem) -> u8 {
        1 << (item as u8)
    }

    /// Whether `item` is part of the flavour.
    pub fn has(self, item: FlavourItem) -> bool {
        self.bits & Flavour::bit(item) != 0
    }

    /// The flavour with `item` added.
    pub fn with(self, item: FlavourItem) -> Flavour {
        Flavour {
            bits: self.bits | Flavour::bit(item),
        }
    }

    /// Parses a comma-separated list (`user-buffer-only,addr32`); the empty string
    /// is the model itself. `user-buffer-only` and `tls-only` together leave no IPC
    /// syscall, which is refused.
    pub fn parse(text: &str) -> Result<Flavour, String> {
        let mut flavour = Flavour::NONE;
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let item = FlavourItem::ALL
                .iter()
                .copied()
                .find(|i| i.name() == name)
                .ok_or_else(|| {
                    let known: Vec<&str> = FlavourItem::ALL.iter().map(|i| i.name()).collect();
                    format!("unknown flavour {name:?} (known: {})", known.join(", "))
                })?;
            flavour = flavour.with(item);
        }
        if flavour.has(FlavourItem::UserBufferOnly) && flavour.has(FlavourItem::TlsOnly) {
            return Err("user-buffer-only and tls-only together leave no IPC syscall".into());
        }
        Ok(flavour)
    }

    /// Whether the capability survives the flavour.
    pub fn keeps(self, capability: Capability) -> bool {
        match capability {
            Capability::TlsBuffer => !self.has(FlavourItem::UserBufferOnly),
            Capability::UserBuffer | Capability::Async => !self.has(FlavourItem::TlsOnly),
            Capability::AddressSpace64 => !self.has(FlavourItem::Addr32),
            Capability::MemoryAttributes => !self.has(FlavourItem::NoAttributes),
            Capability::MemoryStates => !self.has(FlavourItem::NoSystemStates),
            _ => true,
        }
    }

    /// The items, in declaration order.
    pub fn items(self) -> impl Iterator<Item = FlavourItem> {
        FlavourItem::ALL
            .iter()
            .copied()
            .filter(move |&i| self.has(i))
    }
}

impl fmt::Display for Flavour {
    /// The comma-separated list `parse` reads back (empty for the model itself).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.items().map(FlavourItem::name).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        let f = Flavour::parse("addr32, user-buffer-only").unwrap();
        assert!(f.has(FlavourItem::Addr32) && f.has(FlavourItem::UserBufferOnly));
        assert_eq!(f.to_string(), "user-buffer-only,addr32");
        assert_eq!(Flavour::parse("").unwrap(), Flavour::NONE);
    }

    #[test]
    fn refuses_unknown_and_contradictory() {
        assert!(
            Flavour::parse("tls")
                .unwrap_err()
                .contains("known: user-buffer-only")
        );
        assert!(Flavour::parse("tls-only,user-buffer-only").is_err());
    }

    #[test]
    fn removes_the_capabilities_it_lacks() {
        let f = Flavour::parse("tls-only,addr32,no-attributes").unwrap();
        assert!(f.keeps(Capability::TlsBuffer));
        for c in [
            Capability::UserBuffer,
            Capability::Async,
            Capability::AddressSpace64,
            Capability::MemoryAttributes,
        ] {
            assert!(!f.keeps(c), "{c}");
        }
        assert!(
            !Flavour::parse("user-buffer-only")
                .unwrap()
                .keeps(Capability::TlsBuffer)
        );
    }
}
