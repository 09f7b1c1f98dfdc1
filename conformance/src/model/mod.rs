//! The reference model kernel: a plain, readable model of kernel-semantics.md §1-6
//! (mesosphère's IPC), the default kernel the conformance vectors run against.
//!
//! One concept per file:
//!
//! | File | Concept | Spec |
//! |------|---------|------|
//! | [`memory`] | address spaces over shared physical frames, states, permissions, attributes | §1.2, §4.4 |
//! | [`handles`] | handle tables: encoding, capacity, lookup | §2.10 |
//! | [`objects`] | kernel objects and their reference counts | §6.4 |
//! | [`buffer`] | TLS and user message buffers, their checks and locking | §1 |
//! | [`session`] | sessions: FIFO queue, current request, completion, closure | §4.1, §6.4 |
//! | [`syscalls`] | SendSyncRequest, SendAsyncRequest, ReplyAndReceive, CloseHandle check orders | §6.2, §6.3, §6.6 |
//! | [`request`] | ReceiveRequest / ReceiveMessage, result routing, rollback | §4.2-§4.8 |
//! | [`reply`] | SendReply / SendMessage and its failure state | §5 |
//! | [`special_data`] | PID substitution, copy and move handles | §4.3 step 8, §5.2 step 9 |
//! | [`pointer`](mod@pointer) | X descriptors into C receive lists, every mode | §3 |
//! | [`map_alias`] | A/B/W mapping, copy-back and unmapping | §4.4, §5.2 steps 7 and 13 |
//! | [`fault`] | deliberate bugs for testing the vectors | — |
//!
//! Decisions where the spec leaves room (each documented where it is implemented):
//!
//! * Server alias addresses are deterministic: the lowest free place in the alias
//!   region, with one guard page on each side ([`memory::AddressSpace::find_alias_area`]).
//! * The handle-rollback quirk of §4.7/§5.4 is **replicated** ([`special_data`]).
//! * Waits never block: with nothing to receive, `ReplyAndReceive` returns TimedOut
//!   whatever the timeout ([`syscalls`]).
//! * A thread blocked in `SendSyncRequest` cannot make another syscall; the model
//!   answers such a call with InvalidState ([`syscalls`]).

mod buffer;
mod digest;
mod fault;
mod flavour;
mod handles;
mod map_alias;
mod memory;
mod objects;
mod pointer;
mod reply;
mod request;
mod session;
mod special_data;
mod syscalls;

use std::sync::Arc;

pub use fault::Fault;
pub use flavour::{Flavour, FlavourItem};

use crate::kernel::{
    Capability, EventKind, Handle, Kernel, KernelError, KernelInfo, MemoryAttributes, MemoryInfo,
    MemoryRegion, MemoryState, MessageBuffer, ObjectId, Permission, ProcessRef, ProcessSpec,
    RequestStatus, ResultCode, SendOutcome, SessionHandles, ThreadRef, WaitOutcome,
};

use handles::HandleTable;
use memory::{AddressSpace, PAGE_SIZE, Page, PhysicalMemory};
use objects::{ObjectKind, Objects};
use session::{Request, RequestId, Session, SessionId};

/// Where thread-local pages are placed (each page holds eight 0x200-byte regions).
const TLS_BASE: u64 = 0x7F_0000_0000;
/// Thread-local regions per page.
const TLS_PER_PAGE: u64 = PAGE_SIZE / 0x200;
/// Start of every process's alias region.
const ALIAS_BASE: u64 = 0x40_0000_0000;
/// Default alias region size (64 GiB).
const DEFAULT_ALIAS_SIZE: u64 = 0x10_0000_0000;
/// In the `addr32` flavour: where thread-local pages are placed.
const TLS_BASE_32: u64 = 0xE000_0000;
/// In the `addr32` flavour: the start of every alias region.
const ALIAS_BASE_32: u64 = 0x4000_0000;
/// In the `addr32` flavour: the default alias region size (1 GiB).
const DEFAULT_ALIAS_SIZE_32: u64 = 0x4000_0000;
/// The first address a 32-bit address space does not have.
const ADDRESS_LIMIT_32: u64 = 1 << 32;
/// The largest region [`Kernel::map_memory`] accepts.
const MAX_REGION_SIZE: u64 = 0x1000_0000;
/// The first process id the model hands out.
const FIRST_PID: u64 = 0x51;

/// How the model is built.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ModelOptions {
    /// Atmosphère's 0xFFFE PID passthrough (kernel-semantics.md §4.3 step 8,
    /// [AMS-EXT]); off for the official kernel.
    pub ams_pid_passthrough: bool,
    /// A deliberate bug, if any.
    pub fault: Option<Fault>,
    /// How the model differs from itself to look like another kernel
    /// ([`flavour`]); the default is none.
    pub flavour: Flavour,
}

/// A process of the model.
#[derive(Clone, Debug)]
struct Process {
    /// The vector's name for it (in error messages only); shared, so that a
    /// cloned model does not copy it.
    name: Arc<str>,
    pid: u64,
    handles: HandleTable,
    space: AddressSpace,
    object: ObjectId,
    /// How many threads it has had, and its first: fields, not a list, so that a
    /// cloned model (a fuzz case clones one) allocates nothing for them.
    thread_count: u64,
    main_thread: Option<ThreadRef>,
}

/// A thread of the model.
#[derive(Clone, Debug)]
struct Thread {
    process: ProcessRef,
    tls: u64,
    object: ObjectId,
    status: RequestStatus,
}

/// The reference model kernel. See the module documentation.
#[derive(Clone, Debug)]
pub struct ModelKernel {
    options: ModelOptions,
    /// Process `n` (refs are handed out in order from 1; processes are never
    /// destroyed) is entry `n - 1`; the same for threads. See [`dense_index`].
    processes: Vec<Process>,
    threads: Vec<Thread>,
    objects: Objects,
    /// Session `n` is entry `n - 1` (sessions are never removed: a closed one is
    /// marked).
    sessions: Vec<Session>,
    /// The requests in flight by id, in id order (ids are handed out in order):
    /// a handful at most, found by binary search.
    requests: Vec<(RequestId, Request)>,
    phys: PhysicalMemory,
    /// An operation the flavour lacks was asked for: reported by
    /// [`Kernel::take_fault`], as an adapter reports an operation its kernel lacks.
    unsupported: Option<KernelError>,
    next_pid: u64,
    next_request: u64,
}

impl Default for ModelKernel {
    fn default() -> Self {
        ModelKernel::new()
    }
}

/// Where entry `id` of a table numbered from 1 in creation order, never shrunk
/// (processes, threads, objects), is in its vector: `id - 1`. Such a table is
/// found without a search and cloned as one block (a fuzz case clones a model).
pub(crate) fn dense_index(id: u64) -> Option<usize> {
    usize::try_from(id.checked_sub(1)?).ok()
}

impl ModelKernel {
    /// The official kernel: real PIDs always, no extension.
    pub fn new() -> Self {
        ModelKernel::with_options(ModelOptions::default())
    }

    /// Atmosphère's kernel: the official one plus the 0xFFFE PID passthrough
    /// (capability `ams-pid-passthrough`).
    pub fn atmosphere() -> Self {
        ModelKernel::with_options(ModelOptions {
            ams_pid_passthrough: true,
            ..ModelOptions::default()
        })
    }

    /// The official kernel with one deliberate bug.
    pub fn with_fault(fault: Fault) -> Self {
        ModelKernel::with_options(ModelOptions {
            fault: Some(fault),
            ..ModelOptions::default()
        })
    }

    /// A kernel built with `options`.
    pub fn with_options(options: ModelOptions) -> Self {
        ModelKernel {
            options,
            processes: Vec::new(),
            threads: Vec::new(),
            objects: Objects::default(),
            sessions: Vec::new(),
            requests: Vec::new(),
            phys: PhysicalMemory::default(),
            unsupported: None,
            next_pid: FIRST_PID,
            next_request: 0,
        }
    }

    /// [`Kernel::read_memory`] without the error's text: `None` unless every
    /// page of the range is mapped. For a caller that reads memory which is often
    /// not mapped and only needs to know: the `kernel` fuzz target reads message
    /// buffers at fuzzed addresses, and formatting the error it discards was a few
    /// percent of its time.
    pub fn peek_memory(&self, process: ProcessRef, address: u64, len: usize) -> Option<Vec<u8>> {
        self.kernel_read(process, address, len as u64).ok()
    }

    /// [`Kernel::write_memory`] without the error's text (see
    /// [`ModelKernel::peek_memory`]): `None`, and nothing written, unless every
    /// page of the range is mapped.
    pub fn poke_memory(&mut self, process: ProcessRef, address: u64, bytes: &[u8]) -> Option<()> {
        self.kernel_write(process, address, bytes).ok()
    }

    /// The options the kernel was built with.
    pub fn options(&self) -> ModelOptions {
        self.options
    }

    /// Whether the kernel was built with `fault`.
    fn has_fault(&self, fault: Fault) -> bool {
        self.options.fault == Some(fault)
    }

    /// Whether the kernel's flavour includes `item`.
    fn is(&self, item: FlavourItem) -> bool {
        self.options.flavour.has(item)
    }

    /// Whether the flavour has the syscalls for `buffer`; when it does not, the
    /// refusal is kept for [`Kernel::take_fault`].
    fn supports_buffer(&mut self, buffer: MessageBuffer) -> bool {
        let missing = match buffer {
            MessageBuffer::Tls if self.is(FlavourItem::UserBufferOnly) => {
                "this kernel has no TLS IPC syscalls (flavour user-buffer-only)"
            }
            MessageBuffer::User { .. } if self.is(FlavourItem::TlsOnly) => {
                "this kernel has no user-buffer IPC syscalls (flavour tls-only)"
            }
            _ => return true,
        };
        self.unsupported = Some(KernelError(missing.into()));
        false
    }

    /// The out index as the flavour's syscall glue returns it: `zero-out-index`
    /// writes 0 where the kernel leaves it unwritten (kernel-semantics.md §9).
    fn glue(&self, mut outcome: WaitOutcome) -> WaitOutcome {
        if self.is(FlavourItem::ZeroOutIndex) && outcome.out_index.is_none() {
            outcome.out_index = Some(0);
        }
        outcome
    }

    /// Attributes as the flavour reports them (`no-attributes`: none).
    fn reported(&self, mut info: MemoryInfo) -> MemoryInfo {
        if self.is(FlavourItem::NoAttributes) {
            info.attributes = MemoryAttributes::default();
        }
        info
    }

    fn process(&self, process: ProcessRef) -> Option<&Process> {
        self.processes.get(dense_index(process.0)?)
    }

    fn process_mut(&mut self, process: ProcessRef) -> Option<&mut Process> {
        self.processes.get_mut(dense_index(process.0)?)
    }

    fn thread(&self, thread: ThreadRef) -> Option<&Thread> {
        self.threads.get(dense_index(thread.0)?)
    }

    fn thread_mut(&mut self, thread: ThreadRef) -> Option<&mut Thread> {
        self.threads.get_mut(dense_index(thread.0)?)
    }

    fn space(&self, process: ProcessRef) -> Option<&AddressSpace> {
        self.process(process).map(|p| &p.space)
    }

    fn space_mut(&mut self, process: ProcessRef) -> Option<&mut AddressSpace> {
        self.process_mut(process).map(|p| &mut p.space)
    }

    /// Reads process memory through the kernel (pages mapped, permissions ignored);
    /// InvalidCurrentMemory otherwise.
    fn kernel_read(
        &self,
        process: ProcessRef,
        address: u64,
        len: u64,
    ) -> Result<Vec<u8>, ResultCode> {
        self.space(process)
            .and_then(|space| space.read(&self.phys, address, len))
            .ok_or(ResultCode::INVALID_CURRENT_MEMORY)
    }

    /// Reads `out.len()` bytes of process memory through the kernel into `out`
    /// (every page mapped, permissions not checked), without allocating.
    fn kernel_read_into(
        &self,
        process: ProcessRef,
        address: u64,
        out: &mut [u8],
    ) -> Result<(), ResultCode> {
        self.space(process)
            .and_then(|space| space.read_into(&self.phys, address, out))
            .ok_or(ResultCode::INVALID_CURRENT_MEMORY)
    }

    /// Writes process memory through the kernel.
    fn kernel_write(
        &mut self,
        process: ProcessRef,
        address: u64,
        data: &[u8],
    ) -> Result<(), ResultCode> {
        // The process's field, not `self.space()`: the frames are borrowed mutably
        // beside it.
        let space = dense_index(process.0)
            .and_then(|i| self.processes.get(i))
            .map(|p| &p.space)
            .ok_or(ResultCode::INVALID_CURRENT_MEMORY)?;
        space
            .write(&mut self.phys, address, data)
            .ok_or(ResultCode::INVALID_CURRENT_MEMORY)
    }

    /// Looks a handle up in `process`'s table (no pseudo-handles).
    fn lookup(&self, process: ProcessRef, handle: Handle) -> Option<ObjectId> {
        self.process(process)?.handles.get(handle)
    }

    /// Adds a handle to `object` in `process`'s table (a new reference).
    fn insert_handle(
        &mut self,
        process: ProcessRef,
        object: ObjectId,
    ) -> Result<Handle, ResultCode> {
        let table = &mut self
            .process_mut(process)
            .ok_or(ResultCode::OUT_OF_HANDLES)?
            .handles;
        let handle = table.insert(object)?;
        self.objects.acquire(object);
        Ok(handle)
    }

    /// Removes a handle from `process`'s table; false if it was not valid. Dropping
    /// the last reference to a session end closes it.
    fn remove_handle(&mut self, process: ProcessRef, handle: Handle) -> bool {
        let Some(object) = self
            .process_mut(process)
            .and_then(|p| p.handles.remove(handle))
        else {
            return false;
        };
        self.release_object(object);
        true
    }

    /// Drops one reference to `object`, closing a session end that loses its last.
    fn release_object(&mut self, object: ObjectId) {
        match self.objects.release(object) {
            Some(ObjectKind::ServerSession(session)) => self.on_server_closed(session),
            Some(ObjectKind::ClientSession(session)) => self.on_client_closed(session),
            _ => {}
        }
    }

    fn allocate_pid(&mut self) -> u64 {
        loop {
            let pid = self.next_pid;
            self.next_pid = self.next_pid.wrapping_add(1);
            if !self.processes.iter().any(|p| p.pid == pid) {
                return pid;
            }
        }
    }

    /// Creates a thread: a thread object and a 0x200-byte region in a ThreadLocal
    /// page of its process (a new page every eighth thread).
    fn new_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError> {
        let p = self
            .process(process)
            .ok_or_else(|| KernelError(format!("no process {}", process.0)))?;
        let (n, name) = (p.thread_count, Arc::clone(&p.name));
        let base = if self.is(FlavourItem::Addr32) {
            TLS_BASE_32
        } else {
            TLS_BASE
        };
        let page_va = base + (n / TLS_PER_PAGE) * PAGE_SIZE;
        let tls = page_va + (n % TLS_PER_PAGE) * 0x200;
        if n % TLS_PER_PAGE == 0 {
            let frame = self.phys.allocate();
            let space = self
                .space_mut(process)
                .ok_or_else(|| KernelError("no process".into()))?;
            if space.page(page_va).is_some() {
                return Err(KernelError(format!(
                    "thread-local page {page_va:#x} of process {name:?} is already mapped"
                )));
            }
            space.insert(
                page_va,
                Page::new(frame, MemoryState::ThreadLocal, Permission::Rw),
            );
        }
        let thread = ThreadRef(self.threads.len() as u64 + 1);
        let object = self.objects.create(ObjectKind::Thread(thread));
        self.threads.push(Thread {
            process,
            tls,
            object,
            status: RequestStatus::Idle,
        });
        if let Some(p) = self.process_mut(process) {
            p.thread_count += 1;
            p.main_thread.get_or_insert(thread);
        }
        Ok(thread)
    }
}

impl Kernel for ModelKernel {
    fn info(&mut self) -> KernelInfo {
        let mut capabilities = vec![
            Capability::TlsBuffer,
            Capability::UserBuffer,
            Capability::Async,
            Capability::Pid,
        ];
        if self.options.ams_pid_passthrough {
            capabilities.push(Capability::AmsPidPassthrough);
        }
        capabilities.extend([
            Capability::CopyHandles,
            Capability::MoveHandles,
            Capability::Pointer,
            Capability::PointerIndexed,
            Capability::PointerToMessageBuffer,
            Capability::ReceiveListOffset,
            Capability::MapAlias,
            Capability::MemoryQuery,
            Capability::HandleLimit,
            Capability::InterruptEvent,
            Capability::Threads,
            Capability::AliasRegionSize,
            Capability::SessionClose,
            Capability::AddressSpace64,
            Capability::MemoryAttributes,
            Capability::MemoryStates,
        ]);
        let flavour = self.options.flavour;
        capabilities.retain(|&c| flavour.keeps(c));
        let name = match self.options.fault {
            Some(fault) => format!("model:{fault}"),
            None => "model".to_owned(),
        };
        let mut notes = Vec::new();
        if self.options.ams_pid_passthrough {
            notes.push("atmosphere".to_owned());
        }
        if flavour != Flavour::NONE {
            notes.push(format!("flavour {flavour}"));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        KernelInfo {
            name,
            version: format!("{}{notes}", env!("CARGO_PKG_VERSION")),
            capabilities,
        }
    }

    fn reset(&mut self) -> Result<(), KernelError> {
        *self = ModelKernel::with_options(self.options);
        Ok(())
    }

    fn create_process(&mut self, spec: &ProcessSpec) -> Result<ProcessRef, KernelError> {
        let capacity = spec.handle_capacity.unwrap_or(handles::MAX_CAPACITY);
        if capacity > handles::MAX_CAPACITY {
            return Err(KernelError(format!(
                "handle capacity {capacity} exceeds {}",
                handles::MAX_CAPACITY
            )));
        }
        let pid = match spec.pid {
            Some(pid) if self.processes.iter().any(|p| p.pid == pid) => {
                return Err(KernelError(format!("process id {pid:#x} already in use")));
            }
            Some(pid) => pid,
            None => self.allocate_pid(),
        };
        let process = ProcessRef(self.processes.len() as u64 + 1);
        let object = self.objects.create(ObjectKind::Process(process));
        self.processes.push(Process {
            name: Arc::from(spec.name.as_str()),
            pid,
            handles: HandleTable::new(capacity),
            space: if self.is(FlavourItem::Addr32) {
                AddressSpace::new(
                    ALIAS_BASE_32,
                    spec.alias_region_size.unwrap_or(DEFAULT_ALIAS_SIZE_32),
                )
            } else {
                AddressSpace::new(
                    ALIAS_BASE,
                    spec.alias_region_size.unwrap_or(DEFAULT_ALIAS_SIZE),
                )
            },
            object,
            thread_count: 0,
            main_thread: None,
        });
        self.new_thread(process)?;
        Ok(process)
    }

    fn main_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError> {
        self.process(process)
            .and_then(|p| p.main_thread)
            .ok_or_else(|| KernelError(format!("no process {}", process.0)))
    }

    fn create_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError> {
        self.new_thread(process)
    }

    fn map_memory(
        &mut self,
        process: ProcessRef,
        region: &MemoryRegion,
    ) -> Result<(), KernelError> {
        let err = |what: &str| Err(KernelError(format!("map_memory: {what}")));
        if region.address % PAGE_SIZE != 0 || region.size % PAGE_SIZE != 0 || region.size == 0 {
            return err("address and size must be non-zero page multiples");
        }
        if region.size > MAX_REGION_SIZE {
            return err("region larger than the model supports (256 MiB)");
        }
        if self.is(FlavourItem::Addr32)
            && region.address.saturating_add(region.size) > ADDRESS_LIMIT_32
        {
            return err("the region lies at or above 4 GiB (flavour addr32)");
        }
        if self.is(FlavourItem::NoAttributes) && !region.attributes.is_empty() {
            return err("this kernel has no memory attributes (flavour no-attributes)");
        }
        if self.is(FlavourItem::NoSystemStates) && region.state.is_system() {
            return err(
                "this kernel cannot create a region in that state (flavour no-system-states)",
            );
        }
        if region.contents.len() as u64 > region.size {
            return err("contents larger than the region");
        }
        if region.state == MemoryState::Free {
            return err("a region cannot have state Free");
        }
        let Some((start, end)) = AddressSpace::span(region.address, region.size) else {
            return err("region outside the 39-bit address space");
        };
        let Some(space) = self.space(process) else {
            return err("no such process");
        };
        if !space.is_free(start, end) {
            return err("region overlaps mapped memory");
        }
        let mut run = Vec::new();
        let mut va = start;
        while va < end {
            let frame = self.phys.allocate();
            let mut page = Page::new(frame, region.state, region.permission);
            page.attributes = region.attributes;
            // A page set up IpcLocked is lent by some other IPC: one lock that this
            // model never releases, so lending it again and returning it keeps the
            // attribute (found by fuzz/ `kernel`).
            page.ipc_lock_count = u32::from(region.attributes.ipc_locked);
            run.push((va, page));
            va += PAGE_SIZE;
        }
        if let Some(space) = self.space_mut(process) {
            space.insert_run(run);
        }
        if !region.contents.is_empty() {
            self.kernel_write(process, region.address, &region.contents)
                .map_err(|_| KernelError("map_memory: writing contents failed".into()))?;
        }
        Ok(())
    }

    fn create_event(
        &mut self,
        process: ProcessRef,
        kind: EventKind,
    ) -> Result<Handle, KernelError> {
        if self.process(process).is_none() {
            return Err(KernelError(format!("no process {}", process.0)));
        }
        let object = self.objects.create(ObjectKind::Event {
            interrupt: kind == EventKind::InterruptEvent,
            signaled: false,
        });
        self.insert_handle(process, object)
            .map_err(|r| KernelError(format!("create_event: {r}")))
    }

    fn create_session(
        &mut self,
        server: ProcessRef,
        client: ProcessRef,
    ) -> Result<SessionHandles, KernelError> {
        if self.process(server).is_none() || self.process(client).is_none() {
            return Err(KernelError("create_session: no such process".into()));
        }
        let id = self.sessions.len() as SessionId + 1;
        let server_object = self.objects.create(ObjectKind::ServerSession(id));
        let client_object = self.objects.create(ObjectKind::ClientSession(id));
        self.sessions.push(Session::new());
        let server_handle = self
            .insert_handle(server, server_object)
            .map_err(|r| KernelError(format!("create_session: {r}")))?;
        let client_handle = self
            .insert_handle(client, client_object)
            .map_err(|r| KernelError(format!("create_session: {r}")))?;
        Ok(SessionHandles {
            server: server_handle,
            client: client_handle,
        })
    }

    fn send_sync_request(
        &mut self,
        thread: ThreadRef,
        session: Handle,
        buffer: MessageBuffer,
    ) -> SendOutcome {
        if !self.supports_buffer(buffer) {
            return SendOutcome::Returned(flavour::UNSUPPORTED);
        }
        self.svc_send_sync_request(thread, session, buffer)
    }

    fn send_async_request(
        &mut self,
        thread: ThreadRef,
        session: Handle,
        address: u64,
        size: u64,
    ) -> Result<Result<Handle, ResultCode>, KernelError> {
        if self.thread(thread).is_none() {
            return Err(KernelError(format!("no thread {}", thread.0)));
        }
        if self.is(FlavourItem::TlsOnly) {
            return Err(KernelError(
                "this kernel has no async requests (flavour tls-only)".into(),
            ));
        }
        Ok(self.svc_send_async_request(thread, session, address, size))
    }

    fn reply_and_receive(
        &mut self,
        thread: ThreadRef,
        handles: &[Handle],
        reply_target: Handle,
        timeout_ns: i64,
        buffer: MessageBuffer,
    ) -> WaitOutcome {
        if !self.supports_buffer(buffer) {
            return WaitOutcome {
                result: flavour::UNSUPPORTED,
                out_index: None,
            };
        }
        let outcome = self.svc_reply_and_receive(thread, handles, reply_target, timeout_ns, buffer);
        self.glue(outcome)
    }

    fn close_handle(&mut self, process: ProcessRef, handle: Handle) -> ResultCode {
        self.svc_close_handle(process, handle)
    }

    fn request_status(&mut self, thread: ThreadRef) -> RequestStatus {
        self.thread(thread)
            .map_or(RequestStatus::Idle, |t| t.status)
    }

    fn process_id(&mut self, process: ProcessRef) -> u64 {
        self.process(process).map_or(0, |p| p.pid)
    }

    fn tls_address(&mut self, thread: ThreadRef) -> u64 {
        self.thread(thread).map_or(0, |t| t.tls)
    }

    fn read_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
        len: usize,
    ) -> Result<Vec<u8>, KernelError> {
        self.peek_memory(process, address, len).ok_or_else(|| {
            KernelError(format!(
                "read_memory: {len:#x} bytes at {address:#x} are not all mapped"
            ))
        })
    }

    fn write_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
        bytes: &[u8],
    ) -> Result<(), KernelError> {
        self.poke_memory(process, address, bytes).ok_or_else(|| {
            KernelError(format!(
                "write_memory: {:#x} bytes at {address:#x} are not all mapped",
                bytes.len()
            ))
        })
    }

    fn user_can_access(
        &mut self,
        process: ProcessRef,
        address: u64,
        len: usize,
        write: bool,
    ) -> bool {
        let Some(space) = self.space(process) else {
            return false;
        };
        space.check(address, len as u64, |page| {
            if write {
                page.permission.writable()
            } else {
                page.permission.readable()
            }
        })
    }

    fn query_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
    ) -> Result<MemoryInfo, KernelError> {
        self.space(process)
            .ok_or_else(|| KernelError(format!("no process {}", process.0)))?
            .query(address)
            .map(|info| self.reported(info))
            .ok_or_else(|| KernelError(format!("{address:#x} is outside the address space")))
    }

    fn ipc_mappings(&mut self, process: ProcessRef) -> Result<Vec<MemoryInfo>, KernelError> {
        Ok(self
            .space(process)
            .ok_or_else(|| KernelError(format!("no process {}", process.0)))?
            .ipc_blocks()
            .into_iter()
            .map(|info| self.reported(info))
            .collect())
    }

    fn take_fault(&mut self) -> Option<KernelError> {
        self.unsupported.take()
    }

    fn handle_object(&mut self, process: ProcessRef, handle: Handle) -> Option<ObjectId> {
        self.lookup(process, handle)
    }

    fn handle_count(&mut self, process: ProcessRef) -> usize {
        self.process(process).map_or(0, |p| p.handles.count())
    }

    fn process_object(&mut self, process: ProcessRef) -> ObjectId {
        self.process(process).map_or(ObjectId(0), |p| p.object)
    }

    fn thread_object(&mut self, thread: ThreadRef) -> ObjectId {
        self.thread(thread).map_or(ObjectId(0), |t| t.object)
    }

    fn event_signaled(&mut self, process: ProcessRef, handle: Handle) -> Result<bool, KernelError> {
        let object = self
            .lookup(process, handle)
            .ok_or_else(|| KernelError(format!("handle {handle:#x} is not valid")))?;
        match self.objects.kind(object) {
            Some(ObjectKind::Event { signaled, .. }) => Ok(signaled),
            _ => Err(KernelError(format!("handle {handle:#x} is not an event"))),
        }
    }
}
