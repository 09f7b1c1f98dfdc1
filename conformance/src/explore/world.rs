//! The plausible world shared by every generator of kernel cases: the memory
//! states, permissions and attributes a page may have (kernel-semantics.md §1.2,
//! §4.4), the addresses of the scenario world ([`super::scenario`], which `hipc
//! explore` and the cargo-fuzz `scenario` target run), and the two-process world
//! of the cargo-fuzz `kernel` target (client C and server S, one session, events
//! in both of which one is an interrupt event and one closed again, the heap
//! addresses the vectors use, and pages whose state, permission and attributes a
//! case chooses), built on any [`Kernel`].
//!
//! `hipc explore`'s scenarios draw their chosen page from the same tables; the
//! `kernel` target and `make-seeds` use [`FuzzWorld`] and [`PageConfig`] from here,
//! so one place knows what a world may look like.

use crate::kernel::{
    EventKind, Handle, Kernel, KernelError, MemoryAttributes, MemoryRegion, MemoryState,
    Permission, ProcessRef, ProcessSpec, ThreadRef,
};

/// States a chosen page can have (index 0, Normal, is what zero bytes give; `Free`
/// leaves the page unmapped).
pub const STATES: [MemoryState; 23] = [
    MemoryState::Normal,
    MemoryState::CodeData,
    MemoryState::Code,
    MemoryState::AliasCode,
    MemoryState::AliasCodeData,
    MemoryState::Ipc,
    MemoryState::Stack,
    MemoryState::Transfered,
    MemoryState::SharedTransfered,
    MemoryState::SharedCode,
    MemoryState::NonSecureIpc,
    MemoryState::Insecure,
    MemoryState::NonDeviceIpc,
    MemoryState::Shared,
    MemoryState::ThreadLocal,
    MemoryState::GeneratedCode,
    MemoryState::CodeOut,
    MemoryState::Free,
    MemoryState::Io,
    MemoryState::Static,
    MemoryState::Inaccessible,
    MemoryState::Kernel,
    MemoryState::Coverage,
];

/// Permissions a chosen page can have.
pub const PERMISSIONS: [Permission; 4] = [
    Permission::Rw,
    Permission::R,
    Permission::None,
    Permission::Rx,
];

/// The attributes of bits 0..=4 ([`MemoryAttributes::from_bits`]).
pub fn attributes(bits: u8) -> MemoryAttributes {
    MemoryAttributes::from_bits(bits)
}

/// The bits of [`attributes`] for a set of attributes ([`MemoryAttributes::bits`]).
pub fn attribute_bits(a: MemoryAttributes) -> u8 {
    a.bits()
}

/// A chosen page: indices into [`STATES`] and [`PERMISSIONS`] (taken modulo their
/// lengths), and attribute bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PageConfig {
    /// State index.
    pub state: u8,
    /// Permission index.
    pub permission: u8,
    /// Attribute bits.
    pub attributes: u8,
}

impl PageConfig {
    /// The configuration for a state, permission and attributes.
    pub fn new(state: MemoryState, permission: Permission, attributes: MemoryAttributes) -> Self {
        let index = |s| STATES.iter().position(|&x| x == s).unwrap_or(0) as u8;
        let p = PERMISSIONS
            .iter()
            .position(|&x| x == permission)
            .unwrap_or(0) as u8;
        PageConfig {
            state: index(state),
            permission: p,
            attributes: attribute_bits(attributes),
        }
    }

    /// The state.
    pub fn state(self) -> MemoryState {
        STATES
            .get(usize::from(self.state) % STATES.len())
            .copied()
            .unwrap_or(MemoryState::Normal)
    }

    /// The permission.
    pub fn permission(self) -> Permission {
        PERMISSIONS
            .get(usize::from(self.permission) % PERMISSIONS.len())
            .copied()
            .unwrap_or(Permission::Rw)
    }

    /// The page at `address` (`None` for the state `Free`: left unmapped).
    pub fn region(self, address: u64) -> Option<MemoryRegion> {
        let state = self.state();
        (state != MemoryState::Free).then(|| MemoryRegion {
            address,
            size: 0x1000,
            state,
            permission: self.permission(),
            attributes: attributes(self.attributes),
            // The whole page, as `hipc explore`'s scenarios fill it ("fill": "0x77"),
            // and a uniform frame in the model (see `heap`).
            contents: vec![0x77; 0x1000],
        })
    }
}

/// Client heap, in both worlds: C's Normal read-write memory at the address the
/// corpus uses.
pub const C_HEAP: u64 = 0x1000_0000;
/// Server heap, in both worlds.
pub const S_HEAP: u64 = 0x2000_0000;
/// The scenario world's page of C whose state, permission and attributes a
/// scenario chooses ([`super::scenario`]).
pub const C_SPECIAL: u64 = 0x1000_8000;
/// The scenario world's page of C for user message buffers.
pub const C_USER: u64 = 0x1001_0000;
/// The scenario world's page of S for user message buffers.
pub const S_USER: u64 = 0x2001_0000;
/// The chosen pages: (in the client?, address): two in C, one in S.
pub const SPECIAL_PAGES: [(bool, u64); 3] = [
    (true, 0x1000_2000),
    (true, 0x1001_0000),
    (false, 0x2000_2000),
];
/// The end (exclusive) of C's heap span.
pub const C_END: u64 = 0x1001_1000;
/// The end (exclusive) of S's heap span.
pub const S_END: u64 = 0x2000_3000;

/// What a fuzz world is made of beyond its fixed shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FuzzWorldSpec {
    /// The chosen pages ([`SPECIAL_PAGES`]).
    pub pages: [PageConfig; 3],
    /// S's alias region is 0x10000 bytes.
    pub small_alias: bool,
    /// S's handle capacity (5 + n % 4), when limited.
    pub server_capacity: Option<u8>,
}

/// The processes, threads and handles of a fuzz world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuzzWorld {
    /// Client process and its thread.
    pub c: ProcessRef,
    /// Server process.
    pub s: ProcessRef,
    /// Client thread.
    pub ct: ThreadRef,
    /// Server thread.
    pub st: ThreadRef,
    /// The client's session handle.
    pub client_session: Handle,
    /// The server's session handle.
    pub server_session: Handle,
    /// C's events: two ordinary, an interrupt event, and one closed.
    pub ev: Handle,
    /// See `ev`.
    pub ev2: Handle,
    /// See `ev`.
    pub irq: Handle,
    /// See `ev`.
    pub dead: Handle,
    /// S's events, as C's.
    pub sev: Handle,
    /// See `sev`.
    pub sev2: Handle,
    /// See `sev`.
    pub sirq: Handle,
    /// See `sev`.
    pub sdead: Handle,
}

/// A heap region filled with 0xC5 from end to end. Whole pages of one value are
/// what the model stores without a page of bytes (a uniform frame), so the world a
/// fuzz case clones holds no page data to allocate, copy and free: 16 bytes of 0xC5
/// at the start of each region (as before) cost the `kernel` target about 12% of
/// its throughput (fuzz/README.md).
fn heap(address: u64, pages: u64) -> MemoryRegion {
    MemoryRegion {
        address,
        size: pages * 0x1000,
        state: MemoryState::Normal,
        permission: Permission::Rw,
        attributes: MemoryAttributes::default(),
        contents: vec![0xC5; (pages * 0x1000) as usize],
    }
}

impl FuzzWorld {
    /// Builds the world on `k` (reset first by the caller).
    pub fn build(k: &mut dyn Kernel, spec: &FuzzWorldSpec) -> Result<FuzzWorld, KernelError> {
        let world = FuzzWorld::build_base(k, spec)?;
        world.map_pages(k, &spec.pages)?;
        Ok(world)
    }

    /// The world without its chosen pages: what depends only on
    /// [`FuzzWorldSpec::small_alias`] and [`FuzzWorldSpec::server_capacity`], so
    /// that a fuzz target can build it once per pair and clone it ([`FuzzWorld::
    /// map_pages`] then adds the pages).
    pub fn build_base(k: &mut dyn Kernel, spec: &FuzzWorldSpec) -> Result<FuzzWorld, KernelError> {
        let c = k.create_process(&ProcessSpec {
            name: "C".into(),
            ..Default::default()
        })?;
        let s = k.create_process(&ProcessSpec {
            name: "S".into(),
            handle_capacity: spec.server_capacity.map(|n| 5 + usize::from(n % 4)),
            alias_region_size: spec.small_alias.then_some(0x10000),
            ..Default::default()
        })?;
        let ct = k.main_thread(c)?;
        let st = k.main_thread(s)?;
        k.map_memory(c, &heap(C_HEAP, 2))?;
        k.map_memory(c, &heap(C_HEAP + 0x3000, 13))?;
        k.map_memory(s, &heap(S_HEAP, 2))?;
        let session = k.create_session(s, c)?;
        let mut event = |p, kind| k.create_event(p, kind);
        let ev = event(c, EventKind::Event)?;
        let ev2 = event(c, EventKind::Event)?;
        let irq = event(c, EventKind::InterruptEvent)?;
        let dead = event(c, EventKind::Event)?;
        let sev = event(s, EventKind::Event)?;
        let sev2 = event(s, EventKind::Event)?;
        let sirq = event(s, EventKind::InterruptEvent)?;
        let sdead = event(s, EventKind::Event)?;
        for (p, h) in [(c, dead), (s, sdead)] {
            let closed = k.close_handle(p, h);
            if !closed.is_success() {
                return Err(KernelError(format!("closing a fresh event: {closed}")));
            }
        }
        Ok(FuzzWorld {
            c,
            s,
            ct,
            st,
            client_session: session.client,
            server_session: session.server,
            ev,
            ev2,
            irq,
            dead,
            sev,
            sev2,
            sirq,
            sdead,
        })
    }

    /// Maps the chosen pages ([`SPECIAL_PAGES`]) of a world built by
    /// [`FuzzWorld::build_base`].
    pub fn map_pages(
        &self,
        k: &mut dyn Kernel,
        pages: &[PageConfig; 3],
    ) -> Result<(), KernelError> {
        for (config, (client, address)) in pages.iter().zip(SPECIAL_PAGES) {
            if let Some(r) = config.region(address) {
                k.map_memory(if client { self.c } else { self.s }, &r)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelKernel;

    #[test]
    fn page_configs_round_trip_and_free_is_unmapped() {
        let a = attributes(0b10110);
        let p = PageConfig::new(MemoryState::Shared, Permission::R, a);
        let r = p.region(0x1000).unwrap_or_else(|| unreachable!());
        assert_eq!(
            (r.state, r.permission, r.attributes),
            (MemoryState::Shared, Permission::R, a)
        );
        assert_eq!(
            PageConfig::new(MemoryState::Free, Permission::Rw, a).region(0),
            None
        );
    }

    #[test]
    fn the_fuzz_world_builds_on_the_model() {
        let mut k = ModelKernel::new();
        let w = FuzzWorld::build(&mut k, &FuzzWorldSpec::default());
        let w = w.unwrap_or_else(|e| unreachable!("{e}"));
        assert!(k.handle_object(w.c, w.ev).is_some());
        assert!(k.handle_object(w.c, w.dead).is_none());
    }
}
