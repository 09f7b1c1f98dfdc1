//! What a case observes through the `Kernel` trait to compare before and after a
//! syscall: handle tables, address spaces and buffers.

use hipc_conformance::explore::world::{C_END, C_HEAP, S_END, S_HEAP};
use hipc_conformance::kernel::{Handle, Kernel, MemoryInfo, ObjectId, ProcessRef};
use hipc_conformance::model::ModelKernel;

use super::World;

/// A handle table as observed through the trait: its size and what known handles name.
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

/// Mappings and permissions as observed: every page of C's and S's heap spans and
/// every IPC block of both processes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Memory {
    client: Vec<Option<MemoryInfo>>,
    server: Vec<Option<MemoryInfo>>,
    client_ipc: Vec<MemoryInfo>,
    server_ipc: Vec<MemoryInfo>,
}

pub(super) fn memory(w: &mut World) -> Memory {
    // Block by block: a block (base, size) describes every page in it, so the
    // walk sees any page whose state, permission or attributes changed (a
    // boundary moves) with one query per block instead of one per page.
    let mut pages = |p: ProcessRef, start: u64, end: u64| {
        let mut blocks = Vec::new();
        let mut at = start;
        while at < end {
            let info = w.k.query_memory(p, at).ok();
            let next = info.map_or(0, |i| i.base.saturating_add(i.size));
            blocks.push(info);
            at = next.max(at + 0x1000);
        }
        blocks
    };
    let client = pages(w.c, C_HEAP, C_END);
    let server = pages(w.s, S_HEAP, S_END);
    Memory {
        client,
        server,
        client_ipc: w.k.ipc_mappings(w.c).unwrap(),
        server_ipc: w.k.ipc_mappings(w.s).unwrap(),
    }
}

/// The most of a buffer a case writes or reads back: more than the largest message
/// (0x2000 bytes and a receive list), less than copying a whole user buffer.
pub(super) const BUFFER_IO: u64 = 0x4000;

pub(super) fn read(k: &mut ModelKernel, p: ProcessRef, address: u64, size: u64) -> Option<Vec<u8>> {
    k.read_memory(p, address, size.min(BUFFER_IO) as usize).ok()
}
