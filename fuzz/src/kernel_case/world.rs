//! The processes, threads and handles a case runs in, cloned from a cache of
//! built worlds, and what the handle selectors of an input name.

use std::cell::RefCell;
use std::rc::Rc;

use hipc_conformance::explore::world::{FuzzWorld, FuzzWorldSpec, PERMISSIONS, STATES};
use hipc_conformance::kernel::{
    CURRENT_PROCESS, CURRENT_THREAD, Handle, Kernel, MemoryState, ObjectId, ProcessRef, ThreadRef,
};
use hipc_conformance::model::ModelKernel;

use super::observe::Baseline;
use super::{Buffer, KernelCase};

/// Handle selectors (values below this in a copy/move slot are replaced).
pub const SELECTORS: u32 = 11;

/// Client-side selector meanings, for `make-seeds`.
pub mod client_selector {
    /// An event of C's.
    pub const EV: u32 = 1;
    /// A second event of C's.
    pub const EV2: u32 = 2;
    /// An interrupt event of C's.
    pub const IRQ: u32 = 3;
    /// The client session handle.
    pub const SESSION: u32 = 6;
    /// A handle C closed.
    pub const DEAD: u32 = 7;
    /// S's event handle value (not C's).
    pub const OTHER: u32 = 8;
}

/// Server-side selector meanings, for `make-seeds`.
pub mod server_selector {
    /// An event of S's.
    pub const SEV: u32 = 1;
    /// A second event of S's.
    pub const SEV2: u32 = 2;
    /// An interrupt event of S's.
    pub const SIRQ: u32 = 3;
    /// The server session handle.
    pub const SESSION: u32 = 6;
    /// A handle S closed.
    pub const SDEAD: u32 = 7;
    /// C's event handle value (not S's).
    pub const OTHER: u32 = 8;
    /// The first handle S received in the request.
    pub const RECEIVED: u32 = 9;
}

/// How many worlds with their chosen pages [`world_for`] keeps: a direct-mapped
/// cache, one slot per key hash, so a lookup is one comparison however many
/// worlds are kept. A fuzzer mutates the messages far more often than the pages,
/// so most cases find theirs.
const WORLD_CACHE: usize = 1024;

/// The model with the world of `spec`, cloned from a cache: building the world was
/// a third of a case's cost and mapping the chosen pages another tenth, a clone is
/// a fraction of either. A world missing from the cache is its base world (one per
/// alias size and handle capacity, kept for good) with the pages mapped, kept in
/// its slot as its [`Baseline`] (which holds the model) until a world whose key
/// hashes to the same slot replaces it.
fn world_for(spec: &FuzzWorldSpec) -> (ModelKernel, FuzzWorld, Rc<Baseline>) {
    type Bases = Vec<(u128, ModelKernel, FuzzWorld)>;
    type Slot = Option<(u128, FuzzWorld, Rc<Baseline>)>;
    thread_local! {
        static BASES: RefCell<Bases> = const { RefCell::new(Vec::new()) };
        static WORLDS: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
    }
    let key = spec_key(spec);
    let slot = slot_of(key);
    let hit = WORLDS.with(|worlds| match worlds.borrow().get(slot) {
        Some(Some((k, w, b))) if *k == key => Some((b.model.clone(), *w, Rc::clone(b))),
        _ => None,
    });
    if let Some(hit) = hit {
        return hit;
    }
    let base = FuzzWorldSpec {
        pages: Default::default(),
        ..*spec
    };
    let base_key = spec_key(&base);
    let (mut k, w) = BASES.with(|bases| {
        let mut bases = bases.borrow_mut();
        let found = bases
            .iter()
            .find(|(k, ..)| *k == base_key)
            .map(|(_, k, w)| (k.clone(), *w));
        found.unwrap_or_else(|| {
            let mut k = ModelKernel::new();
            let w = FuzzWorld::build_base(&mut k, &base).expect("the model builds the fuzz world");
            bases.push((base_key, k.clone(), w));
            (k, w)
        })
    });
    w.map_pages(&mut k, &spec.pages)
        .expect("the model maps the chosen pages");
    let baseline = Rc::new(Baseline::new(k.clone(), w));
    WORLDS.with(|worlds| {
        let mut worlds = worlds.borrow_mut();
        if worlds.is_empty() {
            worlds.resize_with(WORLD_CACHE, || None);
        }
        if let Some(entry) = worlds.get_mut(slot) {
            *entry = Some((key, w, Rc::clone(&baseline)));
        }
    });
    (k, w, baseline)
}

/// The cache slot of a key: Fibonacci hashing of its two halves folded, so keys
/// that differ in any field spread over the slots.
fn slot_of(key: u128) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize % WORLD_CACHE
}

/// A world spec as one number (every field in its own bits), so that the cache
/// compares one word an entry instead of eleven bytes: every comparison in the
/// fuzzed binary is a call to libFuzzer's comparison hook. Each page is keyed by
/// what it builds, not by the input's bytes: the state and permission indices
/// modulo their tables, the five attribute bits, and nothing but the state for a
/// page left unmapped (`Free`), so inputs that build the same world share it.
fn spec_key(spec: &FuzzWorldSpec) -> u128 {
    let pages = spec.pages.iter().fold(0u128, |key, p| {
        let state = usize::from(p.state) % STATES.len();
        let (permission, attributes) = if p.state() == MemoryState::Free {
            (0, 0)
        } else {
            (
                usize::from(p.permission) % PERMISSIONS.len(),
                usize::from(p.attributes & 0x1F),
            )
        };
        key << 24 | (state as u128) << 16 | (permission as u128) << 8 | attributes as u128
    });
    let capacity = spec.server_capacity.map_or(0, |c| 0x100 | u128::from(c));
    (pages << 1 | u128::from(spec.small_alias)) << 9 | capacity
}

/// The processes, threads and handles of one case: the shared fuzz world
/// ([`FuzzWorld`], built by the conformance crate) on the model, and the first
/// handle the server received.
pub struct World {
    /// The model.
    pub k: ModelKernel,
    pub(super) c: ProcessRef,
    pub(super) s: ProcessRef,
    pub(super) ct: ThreadRef,
    pub(super) st: ThreadRef,
    pub(super) client_session: Handle,
    pub(super) server_session: Handle,
    pub(super) ev: Handle,
    pub(super) ev2: Handle,
    pub(super) irq: Handle,
    pub(super) dead: Handle,
    pub(super) sev: Handle,
    pub(super) sev2: Handle,
    pub(super) sirq: Handle,
    pub(super) sdead: Handle,
    pub(super) received: Option<Handle>,
    /// The world as observed before any case ran in it.
    pub(super) baseline: Rc<Baseline>,
}

impl World {
    /// Builds the world for a case.
    pub fn new(case: &KernelCase) -> World {
        let spec = FuzzWorldSpec {
            pages: case.pages,
            small_alias: case.small_alias,
            server_capacity: case.server_capacity.map(|n| n % 4),
        };
        let (k, w, baseline) = world_for(&spec);
        World {
            k,
            c: w.c,
            s: w.s,
            ct: w.ct,
            st: w.st,
            client_session: w.client_session,
            server_session: w.server_session,
            ev: w.ev,
            ev2: w.ev2,
            irq: w.irq,
            dead: w.dead,
            sev: w.sev,
            sev2: w.sev2,
            sirq: w.sirq,
            sdead: w.sdead,
            received: None,
            baseline,
        }
    }

    /// What a client-side selector names.
    pub fn client_handle(&self, v: u32) -> u32 {
        match v {
            0 => 0,
            1 => self.ev,
            2 => self.ev2,
            3 => self.irq,
            4 => CURRENT_PROCESS,
            5 => CURRENT_THREAD,
            6 => self.client_session,
            7 => self.dead,
            8 => self.sev,
            9 => self.ev | 0x4000_0000,
            10 => self.ev ^ 0x8000,
            v => v,
        }
    }

    /// What a server-side selector names.
    pub fn server_handle(&self, v: u32) -> u32 {
        match v {
            0 => 0,
            1 => self.sev,
            2 => self.sev2,
            3 => self.sirq,
            4 => CURRENT_PROCESS,
            5 => CURRENT_THREAD,
            6 => self.server_session,
            7 => self.sdead,
            8 => self.ev,
            9 => self.received.unwrap_or(0x0001_2345),
            10 => self.sev | 0x8000_0000,
            v => v,
        }
    }

    pub(super) fn buffer_address(&mut self, client: bool, b: Buffer) -> (u64, u64) {
        match b {
            Buffer::Tls => {
                let t = if client { self.ct } else { self.st };
                (self.k.tls_address(t), 0x100)
            }
            Buffer::User { address, size } => (address, size),
        }
    }

    /// The object a handle of the sender names, as the kernel resolves a copy slot.
    pub(super) fn copy_source(
        &mut self,
        process: ProcessRef,
        thread: ThreadRef,
        h: Handle,
    ) -> Option<ObjectId> {
        match h {
            CURRENT_PROCESS => Some(self.k.process_object(process)),
            CURRENT_THREAD => Some(self.k.thread_object(thread)),
            _ => self.k.handle_object(process, h),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hipc_conformance::explore::world::{PageConfig, attribute_bits};

    /// Two specs share a key exactly when they build the same world: every field
    /// that changes what is mapped (the state, the permission and the attributes
    /// of each page, the alias size, the handle capacity) has bits of its own, and
    /// input bytes that build the same pages (indices past their tables, attribute
    /// bits above the fifth, the permission of a page left unmapped) do not.
    #[test]
    fn specs_share_a_key_exactly_when_they_build_the_same_world() {
        use std::collections::HashMap;
        type Built = (Vec<Option<(MemoryState, u8, u8)>>, bool, Option<u8>);
        let built = |spec: &FuzzWorldSpec| -> Built {
            let pages = spec
                .pages
                .iter()
                .map(|p| {
                    p.region(0).map(|r| {
                        let permission = PERMISSIONS.iter().position(|&x| x == r.permission);
                        let attributes = attribute_bits(r.attributes);
                        (r.state, permission.unwrap_or(9) as u8, attributes)
                    })
                })
                .collect();
            (pages, spec.small_alias, spec.server_capacity)
        };
        let mut specs = Vec::new();
        for position in 0..3 {
            for state in (0..50).chain([0x80, 0xFF]) {
                for permission in [0, 1, 3, 4, 6, 0x83] {
                    for attributes in [0, 1, 0x10, 0x20, 0x81] {
                        let mut spec = FuzzWorldSpec::default();
                        spec.pages[position] = PageConfig {
                            state,
                            permission,
                            attributes,
                        };
                        specs.push(spec);
                    }
                }
            }
        }
        for small_alias in [false, true] {
            for capacity in [None, Some(0), Some(1), Some(3)] {
                specs.push(FuzzWorldSpec {
                    small_alias,
                    server_capacity: capacity,
                    ..FuzzWorldSpec::default()
                });
            }
        }
        let mut by_key: HashMap<u128, Built> = HashMap::new();
        let mut by_world: HashMap<Built, u128> = HashMap::new();
        for spec in &specs {
            let (key, world) = (spec_key(spec), built(spec));
            assert_eq!(by_key.entry(key).or_insert_with(|| world.clone()), &world);
            assert_eq!(*by_world.entry(world).or_insert(key), key, "{spec:?}");
        }
        assert!(by_key.len() > 3 * 22 * 4 * 3, "{} worlds", by_key.len());
    }
}
