//! Digests of what a process's handle table and address space hold: one number
//! each, which changes whenever anything the [`Kernel`](crate::kernel::Kernel)
//! trait observes of them changes (`handle_count` and `handle_object`;
//! `query_memory` and `ipc_mappings`).
//!
//! Why: the `kernel` fuzz target checks after every failure that both processes'
//! handle tables and address spaces are as before (kernel-semantics.md §4.7,
//! §5.4). Observing them through the trait (a `query_memory` per block, a lookup
//! per handle) and comparing the observations field by field was about a fifth
//! of the comparisons an exec made, and in a fuzzing build every comparison is a
//! call to the fuzzer's comparison hook. Comparing two digests is one; the
//! target observes through the trait only when they differ, so its verdict and
//! its failure messages are those of the observation (fuzz/README.md).

use super::ModelKernel;
use super::handles::HandleTable;
use super::memory::AddressSpace;
use crate::kernel::ProcessRef;

/// Folds `word` into `digest`: a multiply and a shift, no comparison. Any change
/// to one word changes the result (the multiplier is odd), and the shift carries
/// the high bits down so that later words mix with all of it.
fn mix(digest: u64, word: u64) -> u64 {
    let x = (digest ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 29)
}

impl ModelKernel {
    /// A digest of `process`'s handle table: the index, linear ID and object of
    /// every occupied slot. Tables that differ in any handle a lookup could
    /// observe have different digests (but for a 64-bit collision); `None` for an
    /// unknown process.
    pub fn handle_table_digest(&self, process: ProcessRef) -> Option<u64> {
        self.process(process).map(|p| p.handles.digest())
    }

    /// A digest of `process`'s address space: the address, state, permission and
    /// attributes of every mapped page (what `svcQueryMemory` reports is made of
    /// these). `None` for an unknown process.
    pub fn address_space_digest(&self, process: ProcessRef) -> Option<u64> {
        self.space(process).map(AddressSpace::digest)
    }
}

impl HandleTable {
    /// See [`ModelKernel::handle_table_digest`].
    pub(crate) fn digest(&self) -> u64 {
        self.occupied().fold(0, |d, (index, linear_id, object)| {
            mix(mix(d, index as u64), u64::from(linear_id) << 32 | object.0)
        })
    }
}

impl AddressSpace {
    /// See [`ModelKernel::address_space_digest`].
    pub(crate) fn digest(&self) -> u64 {
        self.mapped().fold(0, |d, (va, page)| {
            let attributes = u64::from(page.attributes.bits());
            let block = (page.state as u64) << 16 | (page.permission as u64) << 8 | attributes;
            mix(mix(d, va), block)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::kernel::{
        EventKind, Kernel, MemoryAttributes, MemoryRegion, MemoryState, Permission, ProcessSpec,
    };

    fn region(address: u64, state: MemoryState, permission: Permission) -> MemoryRegion {
        MemoryRegion {
            address,
            size: 0x2000,
            state,
            permission,
            attributes: MemoryAttributes::default(),
            contents: Vec::new(),
        }
    }

    /// Each change the trait can observe changes a digest; writing memory (which
    /// the trait's memory queries do not see) and looking things up do not.
    #[test]
    fn digests_change_with_what_the_trait_observes() {
        let mut k = ModelKernel::new();
        let p = k.create_process(&ProcessSpec::default()).unwrap();
        k.map_memory(p, &region(0x1000_0000, MemoryState::Normal, Permission::Rw))
            .unwrap();
        let digests = |k: &ModelKernel| {
            (
                k.handle_table_digest(p).unwrap(),
                k.address_space_digest(p).unwrap(),
            )
        };
        let (h0, m0) = digests(&k);

        k.write_memory(p, 0x1000_0010, &[1, 2, 3]).unwrap();
        let _ = k.query_memory(p, 0x1000_0000).unwrap();
        assert_eq!(digests(&k), (h0, m0), "writes and queries change nothing");

        k.map_memory(p, &region(0x1000_2000, MemoryState::Normal, Permission::Rw))
            .unwrap();
        let (h1, m1) = digests(&k);
        assert_eq!(h1, h0);
        assert_ne!(m1, m0, "a mapped page");

        let mut other = ModelKernel::new();
        let q = other.create_process(&ProcessSpec::default()).unwrap();
        for (state, permission) in [
            (MemoryState::Normal, Permission::R),
            (MemoryState::Shared, Permission::Rw),
        ] {
            other
                .map_memory(q, &region(0x1000_0000, state, permission))
                .unwrap();
            assert_ne!(
                other.address_space_digest(q).unwrap(),
                m0,
                "{state:?} {permission:?}"
            );
            other = ModelKernel::new();
            let _ = other.create_process(&ProcessSpec::default()).unwrap();
        }

        let event = k.create_event(p, EventKind::Event).unwrap();
        let (h2, m2) = digests(&k);
        assert_ne!(h2, h1, "a new handle");
        assert_eq!(m2, m1);
        assert!(k.close_handle(p, event).is_success());
        assert_eq!(digests(&k), (h1, m1), "closed again: the table as before");
    }
}
