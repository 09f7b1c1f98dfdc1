//! Memory: per-process address spaces over shared physical page frames.
//!
//! Physical memory is a set of 0x1000-byte frames, allocated lazily (a frame nobody
//! wrote reads as zeros). An address space maps page-aligned virtual addresses to
//! [`Page`]s: a frame plus the block state, user permission and attributes of
//! kernel-semantics.md §1.2 and §4.4. Two address spaces naming the same frame share
//! its bytes, which is how the fully covered pages of an A/B/W buffer are shared
//! between client and server (§4.4 step 5); a partial head or tail page of such a
//! buffer is a fresh frame in the server.
//!
//! Addresses are 39-bit (the width of descriptor addresses): the address space of
//! every process is `[0, 2^39)`.

use std::cell::Cell;

use super::dense_index;
use crate::kernel::{MemoryAttributes, MemoryInfo, MemoryState, Permission};

/// The page size.
pub(crate) const PAGE_SIZE: u64 = 0x1000;
/// One past the last address of every address space.
pub(crate) const ADDRESS_SPACE_END: u64 = 1 << 39;

/// `AlignDown(x, 0x1000)`.
pub(crate) fn align_down(x: u64) -> u64 {
    x & !(PAGE_SIZE - 1)
}

/// `AlignUp(x, 0x1000)`, `None` on overflow.
pub(crate) fn align_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE_SIZE - 1).map(align_down)
}

/// Identifies a physical frame.
pub(crate) type FrameId = u64;

/// The bytes of a written frame.
#[derive(Clone, Debug)]
enum Frame {
    /// Every byte is this value (a fresh frame: zero; a page of a region set up
    /// with a fill byte: most set-up pages), kept without storing 0x1000 copies
    /// of it.
    Uniform(u8),
    /// Any bytes.
    Bytes(Box<[u8]>),
}

/// Whether every byte of `data` is `value`. Blocks of 64 bytes are folded without
/// an early exit, so the compiler vectorizes them; the exit is between blocks.
fn all_equal(data: &[u8], value: u8) -> bool {
    let differs = |block: &[u8]| block.iter().fold(0u8, |acc, &b| acc | (b ^ value)) != 0;
    let blocks = data.chunks_exact(64);
    let rest = blocks.remainder();
    for block in blocks {
        if differs(block) {
            return false;
        }
    }
    !differs(rest)
}

/// Part of a frame, as [`PhysicalMemory::part`] finds it.
enum Part<'a> {
    /// The frame's own bytes.
    Bytes(&'a [u8]),
    /// As many of this value as were asked for.
    Fill(u8),
}

/// Physical memory: frames numbered from 1 in allocation order and never freed,
/// so frame `n` is entry `n - 1` ([`dense_index`]); a fresh frame is
/// [`Frame::Uniform`] zero and costs no page of bytes.
#[derive(Clone, Debug, Default)]
pub(crate) struct PhysicalMemory {
    frames: Vec<Frame>,
}

impl PhysicalMemory {
    /// A fresh zero-filled frame.
    pub(crate) fn allocate(&mut self) -> FrameId {
        self.frames.push(Frame::Uniform(0));
        self.frames.len() as FrameId
    }

    /// The `len` bytes of `frame` from `offset`: its own bytes, or one value
    /// repeated (a uniform frame; zeros for a frame that does not exist, which no
    /// page names).
    fn part(&self, frame: FrameId, offset: usize, len: usize) -> Part<'_> {
        match dense_index(frame).and_then(|i| self.frames.get(i)) {
            Some(Frame::Bytes(bytes)) => bytes
                .get(offset..offset.saturating_add(len))
                .map_or(Part::Fill(0), Part::Bytes),
            Some(Frame::Uniform(value)) => Part::Fill(*value),
            None => Part::Fill(0),
        }
    }

    /// Copies `out.len()` bytes from `frame` at `offset`.
    fn read(&self, frame: FrameId, offset: usize, out: &mut [u8]) {
        match self.part(frame, offset, out.len()) {
            Part::Bytes(src) => out.copy_from_slice(src),
            Part::Fill(value) => out.fill(value),
        }
    }

    /// Appends `len` bytes of `frame` from `offset` to `out`.
    fn append(&self, frame: FrameId, offset: usize, len: usize, out: &mut Vec<u8>) {
        match self.part(frame, offset, len) {
            Part::Bytes(src) => out.extend_from_slice(src),
            Part::Fill(value) => out.resize(out.len() + len, value),
        }
    }

    /// Writes `data` into `frame` at `offset` (which the caller keeps inside the page).
    /// A frame stays [`Frame::Uniform`] while what is written leaves every byte
    /// equal; it gets its own bytes at the first write that does not.
    fn write(&mut self, frame: FrameId, offset: usize, data: &[u8]) {
        let page = PAGE_SIZE as usize;
        let Some(frame) = dense_index(frame).and_then(|i| self.frames.get_mut(i)) else {
            return;
        };
        if let Frame::Uniform(value) = *frame {
            if data.len() == page && offset == 0 {
                *frame = match data.first() {
                    Some(&first) if all_equal(data, first) => Frame::Uniform(first),
                    _ => Frame::Bytes(data.into()),
                };
                return;
            }
            if all_equal(data, value) {
                return;
            }
            *frame = Frame::Bytes(vec![value; page].into_boxed_slice());
        }
        if let Frame::Bytes(bytes) = frame {
            if let Some(dst) = bytes.get_mut(offset..offset.saturating_add(data.len())) {
                dst.copy_from_slice(data);
            }
        }
    }
}

/// One mapped page of an address space.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Page {
    /// The physical frame behind it.
    pub(crate) frame: FrameId,
    /// The memory block state.
    pub(crate) state: MemoryState,
    /// Current user permission.
    pub(crate) permission: Permission,
    /// Current attributes.
    pub(crate) attributes: MemoryAttributes,
    /// How many IPC requests have this page lent (the IpcLocked attribute is set
    /// while this is non-zero).
    pub(crate) ipc_lock_count: u32,
    /// The permission to restore when the last lock (IPC or user buffer) goes away.
    pub(crate) saved_permission: Permission,
}

impl Page {
    /// A page with no attributes.
    pub(crate) fn new(frame: FrameId, state: MemoryState, permission: Permission) -> Self {
        Page {
            frame,
            state,
            permission,
            attributes: MemoryAttributes::default(),
            ipc_lock_count: 0,
            saved_permission: permission,
        }
    }

    /// The state, permission and attributes that make up a memory block.
    fn block_key(&self) -> (MemoryState, Permission, MemoryAttributes) {
        (self.state, self.permission, self.attributes)
    }
}

/// A process's address space.
#[derive(Clone, Debug)]
pub(crate) struct AddressSpace {
    /// The mapped pages by address, sorted: a few dozen in any vector or fuzz
    /// case, so a sorted vector (binary search; cloned and dropped as one block)
    /// serves better than a tree.
    pages: Vec<(u64, Page)>,
    /// Where in `pages` the last range [`AddressSpace::covering`] looked up
    /// started: a guess, checked before use, so never stale in effect. The kernel
    /// reads a message word by word, each read a lookup of the same page; with
    /// the guess most lookups are one comparison instead of a binary search (in a
    /// fuzzing build every comparison is a call to the fuzzer's hook).
    hint: Cell<usize>,
    /// Start of the region where received A/B/W buffers are mapped.
    pub(crate) alias_base: u64,
    /// Size of that region.
    pub(crate) alias_size: u64,
}

impl AddressSpace {
    /// An empty address space with the given alias region.
    pub(crate) fn new(alias_base: u64, alias_size: u64) -> Self {
        AddressSpace {
            pages: Vec::new(),
            hint: Cell::new(0),
            alias_base,
            alias_size,
        }
    }

    /// The page at page-aligned `va`.
    pub(crate) fn page(&self, va: u64) -> Option<&Page> {
        self.find(va)
            .ok()
            .and_then(|i| self.pages.get(i))
            .map(|(_, p)| p)
    }

    /// Where `va` is in `pages` (`Err`: where it would go).
    fn find(&self, va: u64) -> Result<usize, usize> {
        self.pages.binary_search_by_key(&va, |&(at, _)| at)
    }

    /// The mapped pages of `[start, end)`, in address order.
    fn pages_in(&self, start: u64, end: u64) -> &[(u64, Page)] {
        self.pages.get(self.indices(start, end)).unwrap_or_default()
    }

    /// The index in `pages` of the first page at or above `va`.
    fn first_from(&self, va: u64) -> usize {
        self.pages.partition_point(|&(at, _)| at < va)
    }

    /// The indices in `pages` of the pages of `[start, end)`.
    fn indices(&self, start: u64, end: u64) -> std::ops::Range<usize> {
        let from = self.first_from(start);
        from..self.first_from(end).max(from)
    }

    /// Every mapped page with its address, in address order.
    pub(crate) fn mapped(&self) -> impl Iterator<Item = (u64, &Page)> + '_ {
        self.pages.iter().map(|(va, page)| (*va, page))
    }

    /// Maps a page at page-aligned `va` (replacing nothing: callers check freeness).
    pub(crate) fn insert(&mut self, va: u64, page: Page) {
        match self.find(va) {
            Ok(i) => {
                if let Some(slot) = self.pages.get_mut(i) {
                    slot.1 = page;
                }
            }
            Err(i) => self.pages.insert(i, (va, page)),
        }
    }

    /// Maps a run of pages, in address order, over free addresses (callers check
    /// freeness): one splice, however many pages the run holds and follow it.
    pub(crate) fn insert_run(&mut self, run: Vec<(u64, Page)>) {
        let Some(&(first, _)) = run.first() else {
            return;
        };
        let at = self.first_from(first);
        self.pages.splice(at..at, run);
    }

    /// Unmaps every page of `[start, end)`: one drain.
    pub(crate) fn remove_range(&mut self, start: u64, end: u64) {
        let range = self.indices(start, end);
        self.pages.drain(range);
    }

    /// Whether no page of `[start, end)` is mapped.
    pub(crate) fn is_free(&self, start: u64, end: u64) -> bool {
        start >= end || self.pages_in(start, end).is_empty()
    }

    /// The pages covering `[address, address + len)`: `None` if the range wraps or
    /// leaves the address space. An empty range covers no page.
    pub(crate) fn span(address: u64, len: u64) -> Option<(u64, u64)> {
        let end = address.checked_add(len)?;
        if end > ADDRESS_SPACE_END {
            return None;
        }
        if len == 0 {
            return Some((address, address));
        }
        Some((align_down(address), align_up(end)?))
    }

    /// The pages covering `[address, address + len)` when every one of them is
    /// mapped: one search, since the pages are sorted and unique (the run is whole
    /// exactly when its last page is the span's). `None` if a page is
    /// missing or the range wraps or leaves the address space.
    ///
    /// The arithmetic here and in [`AddressSpace::chunks`] wraps instead of
    /// checking: `span` has proven `start <= end < 2^39`, so nothing can overflow,
    /// and in a fuzzing build (debug assertions on) each checked subtraction is a
    /// comparison, a call to the fuzzer's hook, on the path of every memory access.
    fn covering(&self, address: u64, len: u64) -> Option<&[(u64, Page)]> {
        let (start, end) = Self::span(address, len)?;
        let count = (end.wrapping_sub(start) / PAGE_SIZE) as usize;
        let hint = self.hint.get();
        let from = match self.pages.get(hint) {
            Some(&(at, _)) if at == start => hint,
            _ => {
                let from = self.first_from(start);
                self.hint.set(from);
                from
            }
        };
        let run = self.pages.get(from..from.wrapping_add(count))?;
        // The run's `count` pages are sorted, unique and at or above `start`; the
        // span has exactly `count` pages, so the run is the span's when its last
        // page is the span's last (its first is then `start`).
        match run.last() {
            Some(&(last, _)) if last != end.wrapping_sub(PAGE_SIZE) => None,
            _ => Some(run),
        }
    }

    /// Whether every page covering `[address, address + len)` is mapped and passes
    /// `ok`. False if the range wraps or leaves the address space.
    pub(crate) fn check(&self, address: u64, len: u64, ok: impl Fn(&Page) -> bool) -> bool {
        self.covering(address, len)
            .is_some_and(|run| run.iter().all(|(_, page)| ok(page)))
    }

    /// Each page of `[address, address + len)` with the part of the range in it:
    /// (frame, offset in the page, offset in the range, length). `None` unless every
    /// page is mapped.
    fn chunks(
        &self,
        address: u64,
        len: u64,
    ) -> Option<impl Iterator<Item = (FrameId, usize, usize, usize)> + '_> {
        let run = self.covering(address, len)?;
        // Wrapping, not checked (see `covering`): the run covers the range, so
        // `va <= from <= to <= end` and every difference is at most a page.
        let end = address.wrapping_add(len);
        Some(run.iter().map(move |&(va, ref page)| {
            let from = va.max(address);
            let to = va.wrapping_add(PAGE_SIZE).min(end);
            (
                page.frame,
                from.wrapping_sub(va) as usize,
                from.wrapping_sub(address) as usize,
                to.wrapping_sub(from) as usize,
            )
        }))
    }

    /// Applies `f` to every mapped page of `[start, end)` (page-aligned bounds).
    pub(crate) fn update(&mut self, start: u64, end: u64, mut f: impl FnMut(&mut Page)) {
        let range = self.indices(start, end);
        for (_, page) in self.pages.get_mut(range).unwrap_or_default() {
            f(page);
        }
    }

    /// Reads `len` bytes as the kernel would: every page must be mapped, permissions
    /// are not checked.
    pub(crate) fn read(&self, phys: &PhysicalMemory, address: u64, len: u64) -> Option<Vec<u8>> {
        // Built by appending each page's part: one pass over the bytes, not a
        // zeroed buffer then overwritten (a fuzz case reads whole user buffers of
        // several pages a few times).
        let mut out = Vec::with_capacity(usize::try_from(len).ok()?);
        for (frame, in_page, _, n) in self.chunks(address, len)? {
            phys.append(frame, in_page, n, &mut out);
        }
        Some(out)
    }

    /// Reads `out.len()` bytes at `address` into `out`, as [`AddressSpace::read`]
    /// does, without allocating. `None` (and `out` partly written) unless every
    /// page is mapped.
    pub(crate) fn read_into(
        &self,
        phys: &PhysicalMemory,
        address: u64,
        out: &mut [u8],
    ) -> Option<()> {
        for (frame, in_page, at, n) in self.chunks(address, out.len() as u64)? {
            phys.read(frame, in_page, out.get_mut(at..at + n)?);
        }
        Some(())
    }

    /// Writes `data` as the kernel would (every page mapped, permissions ignored).
    /// Nothing is written unless every page is mapped.
    pub(crate) fn write(&self, phys: &mut PhysicalMemory, address: u64, data: &[u8]) -> Option<()> {
        for (frame, in_page, at, n) in self.chunks(address, data.len() as u64)? {
            phys.write(frame, in_page, data.get(at..at + n)?);
        }
        Some(())
    }

    /// What `svcQueryMemory` reports for `address`: the largest run of contiguous
    /// pages with the same state, permission and attributes (a free block for
    /// unmapped addresses). `None` outside the address space.
    pub(crate) fn query(&self, address: u64) -> Option<MemoryInfo> {
        if address >= ADDRESS_SPACE_END {
            return None;
        }
        let va = align_down(address);
        let at = self.find(va);
        let Some((_, page)) = at.ok().and_then(|i| self.pages.get(i)) else {
            let i = at.unwrap_or_else(|i| i);
            let before = i.checked_sub(1).and_then(|j| self.pages.get(j));
            let base = before.map_or(0, |&(prev, _)| prev + PAGE_SIZE);
            let end = self
                .pages
                .get(i)
                .map_or(ADDRESS_SPACE_END, |&(next, _)| next);
            return Some(MemoryInfo {
                base,
                size: end - base,
                state: MemoryState::Free,
                permission: Permission::None,
                attributes: MemoryAttributes::default(),
            });
        };
        let key = page.block_key();
        let i = at.unwrap_or_default();
        let mut base = va;
        for &(prev, p) in self.pages.get(..i).unwrap_or_default().iter().rev() {
            if prev + PAGE_SIZE != base || p.block_key() != key {
                break;
            }
            base = prev;
        }
        let mut end = va + PAGE_SIZE;
        for &(next, p) in self.pages.get(i + 1..).unwrap_or_default() {
            if next != end || p.block_key() != key {
                break;
            }
            end += PAGE_SIZE;
        }
        Some(MemoryInfo {
            base,
            size: end - base,
            state: page.state,
            permission: page.permission,
            attributes: page.attributes,
        })
    }

    /// Every block in an IPC mapping state, in address order.
    pub(crate) fn ipc_blocks(&self) -> Vec<MemoryInfo> {
        let mut blocks: Vec<MemoryInfo> = Vec::new();
        for &(va, ref page) in &self.pages {
            if !matches!(
                page.state,
                MemoryState::Ipc | MemoryState::NonSecureIpc | MemoryState::NonDeviceIpc
            ) {
                continue;
            }
            if let Some(last) = blocks.last_mut() {
                if last.base + last.size == va
                    && (last.state, last.permission, last.attributes) == page.block_key()
                {
                    last.size += PAGE_SIZE;
                    continue;
                }
            }
            blocks.push(MemoryInfo {
                base: va,
                size: PAGE_SIZE,
                state: page.state,
                permission: page.permission,
                attributes: page.attributes,
            });
        }
        blocks
    }

    /// The lowest free place for `len` bytes (a page multiple) in the alias region,
    /// with a free guard page on each side: deterministic, unlike the real kernel's
    /// randomized placement (kernel-semantics.md §9).
    pub(crate) fn find_alias_area(&self, len: u64) -> Option<u64> {
        let region_end = self
            .alias_base
            .checked_add(self.alias_size)?
            .min(ADDRESS_SPACE_END);
        let mut candidate = self.alias_base.checked_add(PAGE_SIZE)?;
        loop {
            let guarded_end = candidate.checked_add(len)?.checked_add(PAGE_SIZE)?;
            if guarded_end > region_end {
                return None;
            }
            match self.pages_in(candidate - PAGE_SIZE, guarded_end).first() {
                None => return Some(candidate),
                Some(&(used, _)) => candidate = used.checked_add(2 * PAGE_SIZE)?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]

    use super::*;

    fn read(phys: &PhysicalMemory, frame: FrameId, offset: usize, len: usize) -> Vec<u8> {
        let mut out = vec![0xA5; len];
        phys.read(frame, offset, &mut out);
        out
    }

    fn run(start: u64, pages: u64, state: MemoryState) -> Vec<(u64, Page)> {
        (0..pages)
            .map(|i| (start + i * PAGE_SIZE, Page::new(i, state, Permission::Rw)))
            .collect()
    }

    fn block(space: &AddressSpace, va: u64) -> (u64, u64, MemoryState) {
        let info = space.query(va).unwrap();
        (info.base, info.size, info.state)
    }

    #[test]
    fn runs_map_and_unmap_in_any_order_and_blocks_follow() {
        let mut space = AddressSpace::new(0, 0);
        // A run above, then one below it, then one in the gap between them.
        space.insert_run(run(0x20000, 4, MemoryState::Normal));
        space.insert_run(run(0x1000, 2, MemoryState::Normal));
        space.insert_run(run(0x10000, 3, MemoryState::Shared));
        assert_eq!(block(&space, 0), (0, 0x1000, MemoryState::Free));
        assert_eq!(block(&space, 0x1800), (0x1000, 0x2000, MemoryState::Normal));
        assert_eq!(block(&space, 0x3000), (0x3000, 0xd000, MemoryState::Free));
        assert_eq!(
            block(&space, 0x11000),
            (0x10000, 0x3000, MemoryState::Shared)
        );
        assert_eq!(block(&space, 0x13000), (0x13000, 0xd000, MemoryState::Free));
        assert_eq!(
            block(&space, 0x23fff),
            (0x20000, 0x4000, MemoryState::Normal)
        );
        assert_eq!(
            block(&space, 0x24000),
            (0x24000, ADDRESS_SPACE_END - 0x24000, MemoryState::Free)
        );
        assert!(space.is_free(0x3000, 0x10000));
        assert!(!space.is_free(0x3000, 0x10001));
        // The run adjoining another of the same block joins it.
        space.insert_run(run(0x13000, 2, MemoryState::Shared));
        assert_eq!(
            block(&space, 0x10000),
            (0x10000, 0x5000, MemoryState::Shared)
        );
        // Unmapping the middle of a run splits it; unmapping what is not mapped
        // changes nothing.
        space.remove_range(0x11000, 0x12000);
        space.remove_range(0x30000, 0x40000);
        assert_eq!(
            block(&space, 0x10000),
            (0x10000, 0x1000, MemoryState::Shared)
        );
        assert_eq!(block(&space, 0x11000), (0x11000, 0x1000, MemoryState::Free));
        assert_eq!(
            block(&space, 0x12000),
            (0x12000, 0x3000, MemoryState::Shared)
        );
        let mapped: Vec<u64> = space.pages.iter().map(|&(va, _)| va).collect();
        let mut sorted = mapped.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(mapped, sorted, "pages stay sorted and unique");
    }

    #[test]
    fn a_large_run_below_another_is_one_splice() {
        // 256 MiB (what a fill-form region may hold) below and above: each run is
        // inserted whole, not page by page behind the other's pages.
        let pages = 0x1000_0000 / PAGE_SIZE;
        let mut space = AddressSpace::new(0, 0);
        space.insert_run(run(0x4000_0000, pages, MemoryState::Normal));
        space.insert_run(run(0x1000_0000, pages, MemoryState::Shared));
        assert_eq!(block(&space, 0x1000_0000).1, 0x1000_0000);
        assert_eq!(block(&space, 0x4000_0000).1, 0x1000_0000);
        space.remove_range(0x1000_0000, 0x2000_0000);
        assert_eq!(space.pages.len() as u64, pages);
    }

    #[test]
    fn frames_read_back_what_was_written_however_stored() {
        let page = PAGE_SIZE as usize;
        let mut phys = PhysicalMemory::default();
        let (zero, uniform, mixed) = (phys.allocate(), phys.allocate(), phys.allocate());
        // Zeros into an untouched frame, a uniform page, a page of mixed bytes.
        phys.write(zero, 16, &[0; 32]);
        phys.write(uniform, 0, &vec![0xEE; page]);
        let bytes: Vec<u8> = (0..page).map(|i| i as u8).collect();
        phys.write(mixed, 0, &bytes);
        assert_eq!(read(&phys, zero, 0, page), vec![0; page]);
        assert_eq!(read(&phys, uniform, 0, page), vec![0xEE; page]);
        assert_eq!(read(&phys, mixed, 0, page), bytes);
        // Equal bytes keep a uniform frame; others give it its own bytes.
        phys.write(uniform, 100, &[0xEE; 8]);
        assert_eq!(read(&phys, uniform, 96, 16), vec![0xEE; 16]);
        phys.write(uniform, 100, &[1, 2]);
        let mut want = vec![0xEE; page];
        want[100] = 1;
        want[101] = 2;
        assert_eq!(read(&phys, uniform, 0, page), want);
        // A partial non-zero write into an untouched frame keeps zeros elsewhere.
        let fresh = phys.allocate();
        phys.write(fresh, 0xFFE, &[7, 8]);
        let mut want = vec![0; page];
        want[0xFFE] = 7;
        want[0xFFF] = 8;
        assert_eq!(read(&phys, fresh, 0, page), want);
        // A whole page over a uniform frame replaces it.
        phys.write(zero, 0, &bytes);
        assert_eq!(read(&phys, zero, 0, page), bytes);
    }
}
