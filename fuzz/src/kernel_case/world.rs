//! The processes, threads and handles a case runs in, cloned from a cache of
//! built worlds, and what the handle selectors of an input name.

use std::cell::RefCell;

use hipc_conformance::explore::world::{FuzzWorld, FuzzWorldSpec};
use hipc_conformance::kernel::{
    CURRENT_PROCESS, CURRENT_THREAD, Handle, Kernel, ObjectId, ProcessRef, ThreadRef,
};
use hipc_conformance::model::ModelKernel;

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

/// How many worlds with their chosen pages [`world_for`] keeps. A fuzzer mutates
/// the messages far more often than the pages, so most cases find theirs.
const WORLD_CACHE: usize = 64;

/// The model with the world of `spec`, cloned from a cache: building the world was
/// a third of a case's cost and mapping the chosen pages another tenth, a clone is
/// a fraction of either. A world missing from the cache is its base world (one per
/// alias size and handle capacity, kept for good) with the pages mapped; the most
/// recent [`WORLD_CACHE`] of those are kept.
fn world_for(spec: &FuzzWorldSpec) -> (ModelKernel, FuzzWorld) {
    type Cached = Vec<(u128, ModelKernel, FuzzWorld)>;
    thread_local! {
        static BASES: RefCell<Cached> = const { RefCell::new(Vec::new()) };
        static WORLDS: RefCell<Cached> = const { RefCell::new(Vec::new()) };
    }
    let find = |cache: &Cached, key: u128| {
        cache
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, k, w)| (k.clone(), *w))
    };
    let key = spec_key(spec);
    if let Some(hit) = WORLDS.with(|worlds| find(&worlds.borrow(), key)) {
        return hit;
    }
    let base = FuzzWorldSpec {
        pages: Default::default(),
        ..*spec
    };
    let base_key = spec_key(&base);
    let (mut k, w) = BASES.with(|bases| {
        let mut bases = bases.borrow_mut();
        find(&bases, base_key).unwrap_or_else(|| {
            let mut k = ModelKernel::new();
            let w = FuzzWorld::build_base(&mut k, &base).expect("the model builds the fuzz world");
            bases.push((base_key, k.clone(), w));
            (k, w)
        })
    });
    w.map_pages(&mut k, &spec.pages)
        .expect("the model maps the chosen pages");
    WORLDS.with(|worlds| {
        let mut worlds = worlds.borrow_mut();
        if worlds.len() == WORLD_CACHE {
            worlds.remove(0);
        }
        worlds.push((key, k.clone(), w));
    });
    (k, w)
}

/// A world spec as one number (every field in its own bits), so that the cache
/// compares one word an entry instead of eleven bytes: every comparison in the
/// fuzzed binary is a call to libFuzzer's comparison hook, and the byte-wise
/// search was 2% of the target's time (`perf record`, 2026-12-05).
fn spec_key(spec: &FuzzWorldSpec) -> u128 {
    let pages = spec.pages.iter().fold(0u128, |key, p| {
        key << 24
            | u128::from(p.state) << 16
            | u128::from(p.permission) << 8
            | u128::from(p.attributes)
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
}

impl World {
    /// Builds the world for a case.
    pub fn new(case: &KernelCase) -> World {
        let spec = FuzzWorldSpec {
            pages: case.pages,
            small_alias: case.small_alias,
            server_capacity: case.server_capacity.map(|n| n % 4),
        };
        let (k, w) = world_for(&spec);
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

    pub(super) fn known_client_handles(&self) -> Vec<Handle> {
        vec![
            self.ev,
            self.ev2,
            self.irq,
            self.dead,
            self.client_session,
            self.sev,
        ]
    }

    pub(super) fn known_server_handles(&self) -> Vec<Handle> {
        let mut v = vec![
            self.sev,
            self.sev2,
            self.sirq,
            self.sdead,
            self.server_session,
            self.ev,
        ];
        v.extend(self.received);
        v
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
    use hipc_conformance::explore::world::PageConfig;

    /// Every field of a spec has bits of its own in the key: specs that differ in
    /// one field get different keys, equal specs equal keys.
    #[test]
    fn world_specs_differing_in_any_field_have_different_keys() {
        let page = PageConfig {
            state: 3,
            permission: 2,
            attributes: 1,
        };
        let base = FuzzWorldSpec {
            pages: [page; 3],
            small_alias: false,
            server_capacity: None,
        };
        let mut variants = vec![base];
        for i in 0..3 {
            for field in 0..3 {
                let mut v = base;
                let p = &mut v.pages[i];
                match field {
                    0 => p.state ^= 0x80,
                    1 => p.permission ^= 0x80,
                    _ => p.attributes ^= 0x80,
                }
                variants.push(v);
            }
        }
        variants.push(FuzzWorldSpec {
            small_alias: true,
            ..base
        });
        for capacity in [0, 1, 0xFF] {
            variants.push(FuzzWorldSpec {
                server_capacity: Some(capacity),
                ..base
            });
        }
        for (i, a) in variants.iter().enumerate() {
            for (j, b) in variants.iter().enumerate() {
                assert_eq!(spec_key(a) == spec_key(b), i == j, "{a:?} / {b:?}");
            }
        }
    }
}
