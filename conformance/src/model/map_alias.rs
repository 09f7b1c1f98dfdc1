//! A/B/W map-alias buffers (kernel-semantics.md §4.4; copy-back and unmapping of
//! §5.2 steps 7 and 13).
//!
//! Receiving a descriptor: the attribute picks the server's memory state (2 is
//! refused even for size 0); size 0 maps nothing and reports address 0; otherwise
//! the client's page span is checked (state flag for the attribute, permission,
//! attributes), the span is mapped into the server's alias region (fully covered
//! pages share the client's frames, partial head/tail pages are fresh frames holding
//! the client's covered bytes for A and W, zeros for B), and the client's fully
//! covered pages are IPC-locked and re-protected (A read-only, B/W no user access).
//! Client checks run before the server mapping, so a state error wins over
//! OutOfAddressSpace; the client is locked last, so a server failure leaves it
//! untouched.

use hipc::field::buffer as abits;

use crate::kernel::{MemoryAttributes, MemoryState, Permission, ProcessRef, ResultCode};

use super::ModelKernel;
use super::buffer::MsgBuf;
use super::fault::Fault;
use super::memory::{AddressSpace, PAGE_SIZE, Page, align_down, align_up};
use super::session::RequestId;

/// The kind of a map-alias descriptor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MapKind {
    /// A: send (server reads).
    Send,
    /// B: receive (server writes).
    Receive,
    /// W: exchange (both).
    Exchange,
}

/// One A/B/W mapping made for a request.
#[derive(Clone, Debug)]
pub(crate) struct Mapping {
    pub(crate) kind: MapKind,
    pub(crate) client_process: ProcessRef,
    pub(crate) client_address: u64,
    pub(crate) size: u64,
    pub(crate) server_process: ProcessRef,
    /// The address reported to the server (mapping base + the client's page offset).
    pub(crate) server_address: u64,
    pub(crate) state: MemoryState,
    pub(crate) attribute: u8,
    pub(crate) server_mapped: bool,
    pub(crate) client_locked: bool,
}

impl Mapping {
    /// The client's fully covered pages: `[AlignUp(a), AlignDown(a + s))`.
    fn client_full_pages(&self) -> (u64, u64) {
        full_pages(self.client_address, self.size)
    }

    /// The server's page span.
    fn server_span(&self) -> Option<(u64, u64)> {
        AddressSpace::span(self.server_address, self.size)
    }
}

fn full_pages(address: u64, size: u64) -> (u64, u64) {
    let start = align_up(address).unwrap_or(u64::MAX);
    let end = align_down(address.saturating_add(size));
    (start, end.max(start))
}

/// The three words of an A/B/W descriptor built fresh from (address, size,
/// attribute): reserved bits zero.
pub(crate) fn buffer_words(address: u64, size: u64, attribute: u8) -> [u32; 3] {
    let mut word2 = abits::ATTRIBUTE.set(0, u32::from(attribute));
    word2 = abits::ADDRESS_HIGH.set(word2, ((address >> 36) & 0x7) as u32);
    word2 = abits::SIZE_HIGH.set(word2, ((size >> 32) & 0xF) as u32);
    word2 = abits::ADDRESS_MID.set(word2, ((address >> 32) & 0xF) as u32);
    [size as u32, address as u32, word2]
}

/// (address, size, attribute) of an A/B/W descriptor's words.
fn parse_buffer(words: &[u32]) -> (u64, u64, u8) {
    let w = |i: usize| words.get(i).copied().unwrap_or(0);
    let word2 = w(2);
    let address = u64::from(w(1))
        | u64::from(abits::ADDRESS_MID.get(word2)) << 32
        | u64::from(abits::ADDRESS_HIGH.get(word2)) << 36;
    let size = u64::from(w(0)) | u64::from(abits::SIZE_HIGH.get(word2)) << 32;
    (address, size, abits::ATTRIBUTE.get(word2) as u8)
}

/// Whether a client block state carries the IPC flag an attribute needs (§4.4 step 3).
fn state_allows(state: MemoryState, attribute: u8) -> bool {
    match attribute {
        1 => state.can_use_non_secure_ipc(),
        3 => state.can_use_non_device_ipc(),
        _ => state.can_use_ipc(),
    }
}

/// Whether a client block's attributes allow lending with an attribute: never
/// Locked or Uncached; DeviceShared only for attributes 1 and 3. IpcLocked and
/// PermissionLocked are always allowed.
fn attributes_allow(attributes: MemoryAttributes, attribute: u8) -> bool {
    !attributes.locked
        && !attributes.uncached
        && (matches!(attribute, 1 | 3) || !attributes.device_shared)
}

impl ModelKernel {
    /// Translates the map-alias descriptor at word `word` of the request `src` into
    /// `dst` (§4.4), recording the mapping in the request.
    pub(super) fn map_alias_request(
        &mut self,
        request: RequestId,
        kind: MapKind,
        src: MsgBuf,
        dst: MsgBuf,
        word: usize,
    ) -> Result<(), ResultCode> {
        let (address, size, attribute) = parse_buffer(&self.read_array::<3>(src, word)?);
        let state = match MemoryState::for_attribute(attribute) {
            Some(state) => state,
            None if self.has_fault(Fault::Attribute2Accepted) => MemoryState::Ipc,
            None => return Err(ResultCode::INVALID_COMBINATION),
        };
        if size == 0 {
            return self.write_words(dst, word, &buffer_words(0, 0, attribute));
        }
        self.check_client_buffer(src.process, address, size, kind, attribute)?;
        let server_address =
            self.map_into_server(src.process, dst.process, address, size, kind, state)?;
        self.lock_client_pages(src.process, address, size, kind);
        if let Some(req) = self.request_mut(request) {
            req.mappings.push(Mapping {
                kind,
                client_process: src.process,
                client_address: address,
                size,
                server_process: dst.process,
                server_address,
                state,
                attribute,
                server_mapped: true,
                client_locked: true,
            });
        }
        self.write_words(dst, word, &buffer_words(server_address, size, attribute))
    }

    /// §4.4 step 3: the client range and every page of its span.
    fn check_client_buffer(
        &self,
        client: ProcessRef,
        address: u64,
        size: u64,
        kind: MapKind,
        attribute: u8,
    ) -> Result<(), ResultCode> {
        let ok = self.space(client).is_some_and(|space| {
            space.check(address, size, |page| {
                let permission_ok = match kind {
                    MapKind::Send => page.permission.readable(),
                    MapKind::Receive | MapKind::Exchange => page.permission.writable(),
                };
                state_allows(page.state, attribute)
                    && permission_ok
                    && attributes_allow(page.attributes, attribute)
            })
        });
        if ok {
            Ok(())
        } else {
            Err(ResultCode::INVALID_CURRENT_MEMORY)
        }
    }

    /// §4.4 step 5: maps the client's page span into the server's alias region and
    /// returns the server address (same page offset as the client's).
    fn map_into_server(
        &mut self,
        client: ProcessRef,
        server: ProcessRef,
        address: u64,
        size: u64,
        kind: MapKind,
        state: MemoryState,
    ) -> Result<u64, ResultCode> {
        let (span_start, span_end) =
            AddressSpace::span(address, size).ok_or(ResultCode::INVALID_CURRENT_MEMORY)?;
        let server_space = self.space(server).ok_or(ResultCode::OUT_OF_ADDRESS_SPACE)?;
        if size >= server_space.alias_size {
            return Err(ResultCode::OUT_OF_ADDRESS_SPACE);
        }
        let base = server_space
            .find_alias_area(span_end - span_start)
            .ok_or(ResultCode::OUT_OF_ADDRESS_SPACE)?;
        let permission = match kind {
            MapKind::Send if !self.has_fault(Fault::ServerMapsAWritable) => Permission::R,
            _ => Permission::Rw,
        };
        let copy_partial = kind != MapKind::Receive || self.has_fault(Fault::BPartialPagesCopied);
        let (full_start, full_end) = full_pages(address, size);
        let end = address.saturating_add(size);
        let mut partial_copies = Vec::new();
        let mut run = Vec::new();
        let mut va = span_start;
        while va < span_end {
            let server_va = base + (va - span_start);
            let shared = va >= full_start && va + PAGE_SIZE <= full_end;
            let frame = match self.space(client).and_then(|s| s.page(va)) {
                Some(client_page) if shared => client_page.frame,
                _ => {
                    if copy_partial {
                        let from = va.max(address);
                        let to = (va + PAGE_SIZE).min(end);
                        let bytes = self.kernel_read(client, from, to - from)?;
                        partial_copies.push((server_va + (from - va), bytes));
                    }
                    self.phys.allocate()
                }
            };
            run.push((server_va, Page::new(frame, state, permission)));
            va += PAGE_SIZE;
        }
        if let Some(space) = self.space_mut(server) {
            space.insert_run(run);
        }
        for (at, bytes) in partial_copies {
            self.kernel_write(server, at, &bytes)?;
        }
        Ok(base + (address - span_start))
    }

    /// §4.4 step 4: IPC-locks the client's fully covered pages; the first lock saves
    /// the permission and sets A → read-only, B/W → no user access.
    fn lock_client_pages(&mut self, client: ProcessRef, address: u64, size: u64, kind: MapKind) {
        let reprotect = !self.has_fault(Fault::ClientPagesNotReprotected);
        let (start, end) = full_pages(address, size);
        if let Some(space) = self.space_mut(client) {
            space.update(start, end, |page| {
                if page.ipc_lock_count == 0 {
                    page.saved_permission = page.permission;
                    if reprotect {
                        page.permission = match kind {
                            MapKind::Send => Permission::R,
                            MapKind::Receive | MapKind::Exchange => Permission::None,
                        };
                    }
                }
                page.ipc_lock_count = page.ipc_lock_count.saturating_add(1);
                page.attributes.ipc_locked = true;
            });
        }
    }

    /// Undoes every mapping of a request: server side first (each server range must
    /// still be in its IPC state, user-readable, with no attributes, else 0xD401 and
    /// the cleanup stops), then the client side (IPC lock released, permission
    /// restored with the last lock). Idempotent: parts already undone are skipped.
    pub(super) fn cleanup_map(&mut self, request: RequestId) -> Result<(), ResultCode> {
        let mappings = match self.request(request) {
            Some(req) => req.mappings.clone(),
            None => return Ok(()),
        };
        for (i, mapping) in mappings.iter().enumerate() {
            if mapping.server_mapped {
                self.unmap_server(mapping)?;
                if let Some(m) = self
                    .request_mut(request)
                    .and_then(|r| r.mappings.get_mut(i))
                {
                    m.server_mapped = false;
                }
            }
        }
        for (i, mapping) in mappings.iter().enumerate() {
            if mapping.client_locked {
                self.unlock_client_pages(mapping);
                if let Some(m) = self
                    .request_mut(request)
                    .and_then(|r| r.mappings.get_mut(i))
                {
                    m.client_locked = false;
                }
            }
        }
        Ok(())
    }

    fn unmap_server(&mut self, mapping: &Mapping) -> Result<(), ResultCode> {
        let (start, end) = mapping
            .server_span()
            .ok_or(ResultCode::INVALID_CURRENT_MEMORY)?;
        let space = self
            .space_mut(mapping.server_process)
            .ok_or(ResultCode::INVALID_CURRENT_MEMORY)?;
        let intact = space.check(start, end - start, |page| {
            page.state == mapping.state && page.permission.readable() && page.attributes.is_empty()
        });
        if !intact {
            return Err(ResultCode::INVALID_CURRENT_MEMORY);
        }
        space.remove_range(start, end);
        Ok(())
    }

    fn unlock_client_pages(&mut self, mapping: &Mapping) {
        let (start, end) = mapping.client_full_pages();
        if let Some(space) = self.space_mut(mapping.client_process) {
            space.update(start, end, |page| {
                if page.ipc_lock_count == 0 {
                    return;
                }
                page.ipc_lock_count -= 1;
                if page.ipc_lock_count == 0 {
                    page.permission = page.saved_permission;
                    page.attributes.ipc_locked = false;
                }
            });
        }
    }

    /// §5.2 step 7: copies the partial head and tail pages of every B, then every W
    /// mapping back from the server to the client. The client pages must still
    /// satisfy the attribute's state flag, user read+write and the attribute mask.
    pub(super) fn copy_back(&mut self, request: RequestId) -> Result<(), ResultCode> {
        let mappings = match self.request(request) {
            Some(req) => req.mappings.clone(),
            None => return Ok(()),
        };
        for kind in [MapKind::Receive, MapKind::Exchange] {
            if kind == MapKind::Receive && self.has_fault(Fault::BNotCopiedBack) {
                continue;
            }
            for mapping in mappings.iter().filter(|m| m.kind == kind && m.size > 0) {
                let (a, s, v) = (mapping.client_address, mapping.size, mapping.server_address);
                let end = a.saturating_add(s);
                if a % PAGE_SIZE != 0 {
                    let head_end = align_up(a).unwrap_or(u64::MAX);
                    self.copy_back_range(mapping, v, a, s.min(head_end - a))?;
                }
                if end % PAGE_SIZE != 0 && (a % PAGE_SIZE == 0 || align_down(a) < align_down(end)) {
                    let tail = align_down(end);
                    let from = align_down(v.saturating_add(s));
                    self.copy_back_range(mapping, from, tail, end - tail)?;
                }
            }
        }
        Ok(())
    }

    fn copy_back_range(
        &mut self,
        mapping: &Mapping,
        from: u64,
        to: u64,
        len: u64,
    ) -> Result<(), ResultCode> {
        let ok = self.space(mapping.client_process).is_some_and(|space| {
            space.check(to, len, |page| {
                state_allows(page.state, mapping.attribute)
                    && page.permission.writable()
                    && attributes_allow(page.attributes, mapping.attribute)
            })
        });
        if !ok {
            return Err(ResultCode::INVALID_CURRENT_MEMORY);
        }
        let bytes = self.kernel_read(mapping.server_process, from, len)?;
        self.kernel_write(mapping.client_process, to, &bytes)
    }
}
