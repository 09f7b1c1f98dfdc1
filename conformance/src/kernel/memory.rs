//! The memory vocabulary vectors and kernels share: states, permissions, attributes
//! (kernel-semantics.md §1.2 and §4.4, from mesosphère's `kern_k_memory_block.hpp`).

use serde::{Deserialize, Serialize};

/// A memory block state. Only the states the IPC rules distinguish are named; the
/// table of which state allows what is kernel-semantics.md §4.4.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, PartialOrd, Ord)]
pub enum MemoryState {
    /// 0x00: not mapped.
    Free,
    /// 0x01: device memory.
    Io,
    /// 0x02: static mapping.
    Static,
    /// 0x03: code.
    Code,
    /// 0x04: code data.
    CodeData,
    /// 0x05: heap ("Normal").
    Normal,
    /// 0x06: shared memory (MapSharedMemory): no IPC flags, linear-mapped.
    Shared,
    /// 0x08: alias code.
    AliasCode,
    /// 0x09: alias code data.
    AliasCodeData,
    /// 0x0A: a server-side IPC mapping with attribute 0.
    Ipc,
    /// 0x0B: stack.
    Stack,
    /// 0x0C: thread-local region (TLS message buffers live here).
    ThreadLocal,
    /// 0x0D: transfer memory.
    Transfered,
    /// 0x0E: shared transfer memory.
    SharedTransfered,
    /// 0x0F: shared code.
    SharedCode,
    /// 0x10: inaccessible.
    Inaccessible,
    /// 0x11: a server-side IPC mapping with attribute 1.
    NonSecureIpc,
    /// 0x12: a server-side IPC mapping with attribute 3.
    NonDeviceIpc,
    /// 0x13: kernel.
    Kernel,
    /// 0x14: generated code.
    GeneratedCode,
    /// 0x15: code out.
    CodeOut,
    /// 0x16: coverage.
    Coverage,
    /// 0x17: insecure.
    Insecure,
}

impl MemoryState {
    /// `FlagCanUseIpc`: may back an A/B/W buffer with attribute 0.
    pub fn can_use_ipc(self) -> bool {
        use MemoryState::*;
        matches!(
            self,
            Code | CodeData | Normal | AliasCode | AliasCodeData | Ipc | Stack | Transfered
        )
    }
    /// `FlagCanUseNonSecureIpc`: may back an A/B/W buffer with attribute 1.
    pub fn can_use_non_secure_ipc(self) -> bool {
        use MemoryState::*;
        self.can_use_ipc()
            || matches!(
                self,
                SharedTransfered | SharedCode | NonSecureIpc | Insecure
            )
    }
    /// `FlagCanUseNonDeviceIpc`: may back an A/B/W buffer with attribute 3.
    pub fn can_use_non_device_ipc(self) -> bool {
        self.can_use_non_secure_ipc() || self == MemoryState::NonDeviceIpc
    }
    /// `FlagLinearMapped`: may be the source or destination of X data.
    pub fn linear_mapped(self) -> bool {
        use MemoryState::*;
        self.can_use_non_device_ipc()
            || matches!(self, Shared | ThreadLocal | GeneratedCode | CodeOut)
    }
    /// `FlagCanIpcUserBuffer` and `FlagReferenceCounted`: may hold a user message buffer.
    pub fn can_hold_user_buffer(self) -> bool {
        matches!(
            self,
            MemoryState::Normal | MemoryState::CodeData | MemoryState::AliasCodeData
        )
    }
    /// A state a process is not given by its own memory calls on every kernel: the
    /// kernel's own (`Kernel`, `Static`, `Inaccessible`), a driver's (`Io`), a
    /// debugger's (`Coverage`), or one that only newer Horizon versions have
    /// (`SharedCode`, `GeneratedCode`, `CodeOut`, `Insecure`). A kernel's adapter may
    /// be unable to create a region in one, so a vector that does needs the
    /// `memory-states` capability (kernel-semantics.md §1.4). `Free` is not a region
    /// state at all (the model refuses it), so it is not counted here.
    pub fn is_system(self) -> bool {
        use MemoryState::*;
        matches!(
            self,
            Io | Static
                | Inaccessible
                | Kernel
                | SharedCode
                | GeneratedCode
                | CodeOut
                | Coverage
                | Insecure
        )
    }
    /// The IPC state a map-alias attribute maps with (kernel-semantics.md §4.4 step 1);
    /// `None` for the invalid attribute 2.
    pub fn for_attribute(attribute: u8) -> Option<MemoryState> {
        match attribute {
            0 => Some(MemoryState::Ipc),
            1 => Some(MemoryState::NonSecureIpc),
            3 => Some(MemoryState::NonDeviceIpc),
            _ => None,
        }
    }
}

/// User permission on a range. "Kernel-only" pages (locked user buffers, B/W pages
/// lent to a server) have user permission `None`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    /// No user access.
    None,
    /// Read only.
    R,
    /// Read and write.
    Rw,
    /// Read and execute.
    Rx,
}

impl Permission {
    /// Whether user mode may read.
    pub fn readable(self) -> bool {
        !matches!(self, Permission::None)
    }
    /// Whether user mode may write.
    pub fn writable(self) -> bool {
        matches!(self, Permission::Rw)
    }
}

/// Memory attributes (kernel-semantics.md §1.2, §4.4 step 3).
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize, PartialOrd, Ord,
)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryAttributes {
    /// Locked (user buffer in use by a syscall).
    pub locked: bool,
    /// IPC-locked (lent to a server).
    pub ipc_locked: bool,
    /// Device-shared.
    pub device_shared: bool,
    /// Uncached.
    pub uncached: bool,
    /// Permission-locked.
    pub permission_locked: bool,
}

impl MemoryAttributes {
    /// No attribute set.
    pub fn is_empty(&self) -> bool {
        *self == MemoryAttributes::default()
    }

    /// The attributes of bits 0..=4 (locked, ipc_locked, device_shared, uncached,
    /// permission_locked); higher bits are ignored.
    pub fn from_bits(bits: u8) -> MemoryAttributes {
        MemoryAttributes {
            locked: bits & 1 != 0,
            ipc_locked: bits & 2 != 0,
            device_shared: bits & 4 != 0,
            uncached: bits & 8 != 0,
            permission_locked: bits & 16 != 0,
        }
    }

    /// The bits of [`MemoryAttributes::from_bits`] for these attributes.
    pub fn bits(&self) -> u8 {
        u8::from(self.locked)
            | u8::from(self.ipc_locked) << 1
            | u8::from(self.device_shared) << 2
            | u8::from(self.uncached) << 3
            | u8::from(self.permission_locked) << 4
    }
}

/// A range of a process's address space to create at set-up.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MemoryRegion {
    /// Start address (page-aligned).
    pub address: u64,
    /// Size in bytes (a page multiple).
    pub size: u64,
    /// Memory state.
    pub state: MemoryState,
    /// User permission.
    pub permission: Permission,
    /// Attributes.
    pub attributes: MemoryAttributes,
    /// Initial contents from `address`; the rest of the region is zero.
    pub contents: Vec<u8>,
}

/// What a kernel reports for one address (like `svcQueryMemory`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct MemoryInfo {
    /// Start of the block holding the address.
    pub base: u64,
    /// Size of that block.
    pub size: u64,
    /// Its state.
    pub state: MemoryState,
    /// Its user permission.
    pub permission: Permission,
    /// Its attributes.
    pub attributes: MemoryAttributes,
}
