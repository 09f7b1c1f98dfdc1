//! What a case observes through the `Kernel` trait to compare before and after a
//! syscall: handle tables, address spaces and buffers. Handle tables and address
//! spaces are compared by the model's digests first and observed through the
//! trait again only when a digest differs (`assert_handles`, `assert_memory`):
//! the verdict and the message are the observation's, the common case costs two
//! numbers (fuzz/README.md, "The kernel target at 100,000").

use std::cell::OnceCell;
use std::fmt;

use hipc_conformance::explore::world::{C_END, C_HEAP, FuzzWorld, S_END, S_HEAP};
use hipc_conformance::kernel::{Handle, Kernel, MemoryInfo, ObjectId, ProcessRef};
use hipc_conformance::model::ModelKernel;

/// What a world looks like before a case's first syscall, taken once per cached
/// world ([`super::world`]) instead of once per case: a case's only change before
/// its syscalls is writing its two buffers, which moves no mapping and no handle,
/// so every case of a world starts from the same state. Kept: the model as
/// cached (every case's world is a clone of it), the digests of both handle
/// tables and address spaces, and the server's handle count. The observation
/// through the trait is made only when a check needs it (a digest differed), on
/// a clone of that model: a world missing from the cache (about one case in ten:
/// the fuzzer mutates the chosen pages too) costs no walk of its address spaces.
#[derive(Debug)]
pub(super) struct Baseline {
    /// The world as built, before any case ran in it.
    pub(super) model: ModelKernel,
    world: FuzzWorld,
    /// C's handles whose objects are compared (the world's, and S's event value).
    pub(super) known_c: Vec<Handle>,
    /// S's handles whose objects are compared (the world's, and C's event value).
    pub(super) known_s: Vec<Handle>,
    c_digest: Option<u64>,
    s_digest: Option<u64>,
    memory_digests: [Option<u64>; 2],
    /// S's handle count.
    pub(super) s_count: usize,
    seen: OnceCell<Seen>,
}

/// A baseline's observation through the trait.
#[derive(Debug)]
struct Seen {
    c_handles: Handles,
    s_handles: Handles,
    memory: Memory,
}

impl Baseline {
    /// The baseline of `world` built on `model`.
    pub(super) fn new(mut model: ModelKernel, world: FuzzWorld) -> Baseline {
        let w = &world;
        let s_count = model.handle_count(w.s);
        Baseline {
            known_c: vec![w.ev, w.ev2, w.irq, w.dead, w.client_session, w.sev],
            known_s: vec![w.sev, w.sev2, w.sirq, w.sdead, w.server_session, w.ev],
            c_digest: model.handle_table_digest(w.c),
            s_digest: model.handle_table_digest(w.s),
            memory_digests: [
                model.address_space_digest(w.c),
                model.address_space_digest(w.s),
            ],
            s_count,
            seen: OnceCell::new(),
            model,
            world,
        }
    }

    /// Asserts that C's handle table is as in this world before the case.
    pub(super) fn assert_client_handles(&self, k: &mut ModelKernel, what: fmt::Arguments<'_>) {
        let before = || &self.seen().c_handles;
        assert_handles(k, self.world.c, &self.known_c, self.c_digest, before, what);
    }

    /// Asserts that S's handle table is as in this world before the case.
    pub(super) fn assert_server_handles(&self, k: &mut ModelKernel, what: fmt::Arguments<'_>) {
        let before = || &self.seen().s_handles;
        assert_handles(k, self.world.s, &self.known_s, self.s_digest, before, what);
    }

    /// Asserts that both address spaces are as in this world before the case.
    pub(super) fn assert_memory(&self, k: &mut ModelKernel, what: fmt::Arguments<'_>) {
        let (c, s) = (self.world.c, self.world.s);
        assert_memory(k, c, s, self.memory_digests, || &self.seen().memory, what);
    }

    /// The world observed through the `Kernel` trait (on a clone of the model:
    /// the trait's observations take the kernel mutably).
    fn seen(&self) -> &Seen {
        self.seen.get_or_init(|| {
            let mut k = self.model.clone();
            let w = &self.world;
            Seen {
                c_handles: handles(&mut k, w.c, &self.known_c),
                s_handles: handles(&mut k, w.s, &self.known_s),
                memory: memory(&mut k, w.c, w.s),
            }
        })
    }
}

/// A handle table as observed through the trait: its size and what known handles
/// name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Handles {
    pub(super) count: usize,
    named: Vec<(Handle, Option<ObjectId>)>,
}

pub(super) fn handles(k: &mut ModelKernel, p: ProcessRef, known: &[Handle]) -> Handles {
    Handles {
        count: k.handle_count(p),
        named: known.iter().map(|&h| (h, k.handle_object(p, h))).collect(),
    }
}

/// Asserts that `p`'s handle table is as it was when its digest
/// ([`ModelKernel::handle_table_digest`]) was `digest` and `before` (called only
/// if needed) observed it. Equal digests say so with one comparison (the fast path of nearly every case); when they differ
/// the table is observed through the trait again and compared with `before`, so
/// the verdict and the message are the observation's: a change the trait cannot
/// see (a handle closed and another made in a slot no known handle names) passes
/// as it always did.
pub(super) fn assert_handles<'b>(
    k: &mut ModelKernel,
    p: ProcessRef,
    known: &[Handle],
    digest: Option<u64>,
    before: impl FnOnce() -> &'b Handles,
    what: fmt::Arguments<'_>,
) {
    if k.handle_table_digest(p) == digest {
        return;
    }
    assert_eq!(&handles(k, p, known), before(), "{what}");
}

/// Mappings and permissions as observed: every page of C's and S's heap spans and
/// every IPC block of both processes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Memory {
    client: Vec<Option<MemoryInfo>>,
    server: Vec<Option<MemoryInfo>>,
    client_ipc: Vec<MemoryInfo>,
    server_ipc: Vec<MemoryInfo>,
}

pub(super) fn memory(k: &mut ModelKernel, c: ProcessRef, s: ProcessRef) -> Memory {
    // Block by block: a block (base, size) describes every page in it, so the
    // walk sees any page whose state, permission or attributes changed (a
    // boundary moves) with one query per block instead of one per page.
    let mut pages = |p: ProcessRef, start: u64, end: u64| {
        let mut blocks = Vec::new();
        let mut at = start;
        while at < end {
            let info = k.query_memory(p, at).ok();
            let next = info.map_or(0, |i| i.base.saturating_add(i.size));
            blocks.push(info);
            at = next.max(at + 0x1000);
        }
        blocks
    };
    let client = pages(c, C_HEAP, C_END);
    let server = pages(s, S_HEAP, S_END);
    Memory {
        client,
        server,
        client_ipc: k.ipc_mappings(c).unwrap(),
        server_ipc: k.ipc_mappings(s).unwrap(),
    }
}

/// Asserts that both address spaces are as they were when their digests
/// ([`ModelKernel::address_space_digest`]) were `digests` and `before` (called only if needed) observed them: the digests
/// first, the observation through the trait only when they differ (as
/// [`assert_handles`]).
fn assert_memory<'b>(
    k: &mut ModelKernel,
    c: ProcessRef,
    s: ProcessRef,
    digests: [Option<u64>; 2],
    before: impl FnOnce() -> &'b Memory,
    what: fmt::Arguments<'_>,
) {
    if [k.address_space_digest(c), k.address_space_digest(s)] == digests {
        return;
    }
    assert_eq!(&memory(k, c, s), before(), "{what}");
}

/// The most of a buffer a case writes or reads back: more than the largest message
/// (0x2000 bytes and a receive list), less than copying a whole user buffer.
pub(super) const BUFFER_IO: u64 = 0x4000;

/// Up to [`BUFFER_IO`] bytes of a buffer, as the kernel's debug read gives them;
/// `None` when a page is not mapped (a fuzzed address often is not).
pub(super) fn read(k: &mut ModelKernel, p: ProcessRef, address: u64, size: u64) -> Option<Vec<u8>> {
    k.peek_memory(p, address, size.min(BUFFER_IO) as usize)
}
