//! The one interface a kernel implements to be tested.
//!
//! A conformance run drives a kernel through three phases per vector: set-up
//! (processes, threads, memory, objects, sessions), operations (the IPC syscalls,
//! performed by named threads) and observation (memory, handle tables, mappings,
//! the result a blocked client eventually got). Everything a vector checks goes
//! through this trait, so the same vectors validate the built-in reference model
//! ([`crate::model`]), a kernel linked in as a Rust library, or (through the
//! out-of-process protocol) a kernel written in any language.
//!
//! # Writing an adapter
//!
//! * Handles are the kernel's own `u32` values; vectors never assume numbers, only
//!   that a valid handle is non-zero with bits 30..=31 clear (kernel-semantics.md §2.10).
//! * [`ProcessRef`], [`ThreadRef`] and [`ObjectId`] are opaque identities the adapter
//!   chooses; the runner only compares them.
//! * The kernel runs operations to completion before returning, except a synchronous
//!   client request, which stays blocked ([`SendOutcome::Pending`]) until a server
//!   replies or the session closes; [`Kernel::request_status`] then reports the
//!   result the client's `SendSyncRequest` returned.
//! * Waits never block the runner: a `ReplyAndReceive` with nothing to receive
//!   returns `TimedOut` for any timeout (vectors only use timeout 0, the poll, or
//!   wait when something is already signaled).
//! * Setup or observation a kernel cannot perform returns [`KernelError`]; a vector
//!   that needs a capability the kernel does not declare is skipped, not failed.

pub mod memory;
pub mod result;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use memory::{MemoryAttributes, MemoryInfo, MemoryRegion, MemoryState, Permission};
pub use result::ResultCode;

/// A handle value in some process's handle table.
pub type Handle = u32;

/// The pseudo-handle for the current thread (kernel-semantics.md §2.10).
pub const CURRENT_THREAD: Handle = 0xFFFF_8000;
/// The pseudo-handle for the current process.
pub const CURRENT_PROCESS: Handle = 0xFFFF_8001;

/// A process, as the kernel under test identifies it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct ProcessRef(pub u64);

/// A thread, as the kernel under test identifies it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct ThreadRef(pub u64);

/// The identity of a kernel object (what a handle names). Two handles name the same
/// object exactly when their `ObjectId`s are equal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct ObjectId(pub u64);

/// Something a vector can ask a kernel to support. Kernels declare theirs in
/// [`KernelInfo::capabilities`]; a vector's `requires` lists the ones it needs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// `SendSyncRequest` / `ReplyAndReceive` on the thread-local message buffer.
    TlsBuffer,
    /// The `...WithUserBuffer` variants, with their argument and lock checks.
    UserBuffer,
    /// `SendAsyncRequestWithUserBuffer`.
    Async,
    /// PID substitution.
    Pid,
    /// Atmosphère's 0xFFFE PID passthrough (an extension the official kernel lacks).
    AmsPidPassthrough,
    /// Copy handles.
    CopyHandles,
    /// Move handles (in replies; refused in requests).
    MoveHandles,
    /// X descriptors with receive-list modes 0 (none) and 2 (single buffer).
    Pointer,
    /// Receive-list modes 3..=15 (indexed).
    PointerIndexed,
    /// Receive-list mode 1 (into the message buffer).
    PointerToMessageBuffer,
    /// A non-zero receive-list offset.
    ReceiveListOffset,
    /// A/B/W map-alias buffers, with memory states, permissions and copy-back.
    MapAlias,
    /// [`Kernel::query_memory`] and [`Kernel::ipc_mappings`] report state, permission
    /// and attributes.
    MemoryQuery,
    /// A process's handle-table capacity can be set ([`ProcessSpec::handle_capacity`]).
    HandleLimit,
    /// Interrupt events can be created.
    InterruptEvent,
    /// More than one thread per process.
    Threads,
    /// A process's alias region size can be set ([`ProcessSpec::alias_region_size`]).
    AliasRegionSize,
    /// Closing session handles and the closure semantics of kernel-semantics.md §6.4.
    SessionClose,
    /// Addresses and sizes at or above 4 GiB exist (a 64-bit address space). A
    /// 32-bit kernel lacks it; the runner derives the need from a test's set-up and
    /// messages (kernel-semantics.md §1.4).
    AddressSpace64,
    /// Memory regions carry the attributes of kernel-semantics.md §1.2 (`locked`,
    /// `ipc_locked`, `device_shared`, `uncached`, `permission_locked`), settable at
    /// set-up and reported by [`Kernel::query_memory`]. The runner derives the need
    /// from a test that names an attribute (kernel-semantics.md §1.4).
    MemoryAttributes,
    /// Regions can be created in every state of kernel-semantics.md §4.4's table,
    /// including those a process is not given by its own memory calls on every
    /// kernel ([`MemoryState::is_system`]). The runner derives the need from a
    /// set-up region in such a state (kernel-semantics.md §1.4).
    ///
    /// [`MemoryState::is_system`]: crate::kernel::MemoryState::is_system
    MemoryStates,
}

impl Capability {
    /// Every capability, in declaration order.
    pub const ALL: &'static [Capability] = &[
        Capability::TlsBuffer,
        Capability::UserBuffer,
        Capability::Async,
        Capability::Pid,
        Capability::AmsPidPassthrough,
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
    ];

    /// The capability's name as written in vectors (`"tls-buffer"`).
    pub fn name(self) -> &'static str {
        match self {
            Capability::TlsBuffer => "tls-buffer",
            Capability::UserBuffer => "user-buffer",
            Capability::Async => "async",
            Capability::Pid => "pid",
            Capability::AmsPidPassthrough => "ams-pid-passthrough",
            Capability::CopyHandles => "copy-handles",
            Capability::MoveHandles => "move-handles",
            Capability::Pointer => "pointer",
            Capability::PointerIndexed => "pointer-indexed",
            Capability::PointerToMessageBuffer => "pointer-to-message-buffer",
            Capability::ReceiveListOffset => "receive-list-offset",
            Capability::MapAlias => "map-alias",
            Capability::MemoryQuery => "memory-query",
            Capability::HandleLimit => "handle-limit",
            Capability::InterruptEvent => "interrupt-event",
            Capability::Threads => "threads",
            Capability::AliasRegionSize => "alias-region-size",
            Capability::SessionClose => "session-close",
            Capability::AddressSpace64 => "address-space-64",
            Capability::MemoryAttributes => "memory-attributes",
            Capability::MemoryStates => "memory-states",
        }
    }

    /// Looks a capability up by its vector name.
    pub fn from_name(name: &str) -> Option<Capability> {
        Capability::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Who a kernel is and what it can do.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct KernelInfo {
    /// A short name (`"model"`, `"mesosphere"`, ...).
    pub name: String,
    /// Its version or build.
    pub version: String,
    /// What it supports.
    pub capabilities: Vec<Capability>,
}

/// A process to create.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ProcessSpec {
    /// The vector's name for it (for the kernel's logs only).
    pub name: String,
    /// A process id to use, if the kernel lets the caller choose; vectors read the
    /// actual one back with [`Kernel::process_id`].
    pub pid: Option<u64>,
    /// Handle-table capacity (at most 1024); `None` = the kernel's default.
    pub handle_capacity: Option<usize>,
    /// Size of the region where the kernel maps A/B/W buffers this process receives;
    /// `None` = the kernel's default.
    pub alias_region_size: Option<u64>,
}

/// Kinds of synchronization object a vector can create.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An ordinary event.
    Event,
    /// An interrupt event (which the kernel refuses to transfer; §4.3 step 8).
    InterruptEvent,
}

/// The two ends of a new session.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SessionHandles {
    /// The server session handle, in the server process.
    pub server: Handle,
    /// The client session handle, in the client process.
    pub client: Handle,
}

/// Which message buffer a syscall uses (kernel-semantics.md §1.3).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageBuffer {
    /// The calling thread's 0x100-byte TLS message buffer.
    Tls,
    /// A user buffer (`...WithUserBuffer`).
    User {
        /// Its address.
        address: u64,
        /// Its size.
        size: u64,
    },
}

/// What `SendSyncRequest` did right away.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SendOutcome {
    /// The request is queued and the client thread blocked; its result comes later
    /// through [`Kernel::request_status`].
    Pending,
    /// The syscall returned at once with this result (a check before queueing failed).
    Returned(ResultCode),
}

/// Where a client thread's last request stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RequestStatus {
    /// The thread has not sent a request.
    Idle,
    /// The thread is blocked in `SendSyncRequest`.
    Pending,
    /// The thread's `SendSyncRequest` returned this result.
    Completed(ResultCode),
}

/// What `ReplyAndReceive` returned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WaitOutcome {
    /// The result.
    pub result: ResultCode,
    /// The out index, when the kernel wrote one (it does not on TimedOut or on an
    /// invalid reply-target handle: kernel-semantics.md §9).
    pub out_index: Option<i32>,
}

/// A failure that is not a Horizon result: set-up the kernel cannot do, an
/// observation it does not support, or an adapter fault (a crashed or hung kernel
/// process).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct KernelError(pub String);

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KernelError {}

/// A kernel under test. See the module documentation for the contract.
pub trait Kernel {
    /// Name, version and capabilities.
    fn info(&mut self) -> KernelInfo;
    /// Discards every process, object and session: the state before a vector.
    fn reset(&mut self) -> Result<(), KernelError>;

    /// Creates a process with one thread (see [`Kernel::main_thread`]).
    fn create_process(&mut self, spec: &ProcessSpec) -> Result<ProcessRef, KernelError>;
    /// The thread created with the process.
    fn main_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError>;
    /// Creates another thread in a process (capability `threads`).
    fn create_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError>;
    /// Creates a memory region in a process.
    fn map_memory(&mut self, process: ProcessRef, region: &MemoryRegion)
    -> Result<(), KernelError>;
    /// Creates an event and returns a handle to it in `process`.
    fn create_event(&mut self, process: ProcessRef, kind: EventKind)
    -> Result<Handle, KernelError>;
    /// Creates a session between a server and a client process.
    fn create_session(
        &mut self,
        server: ProcessRef,
        client: ProcessRef,
    ) -> Result<SessionHandles, KernelError>;

    /// `SendSyncRequest` (buffer [`MessageBuffer::Tls`]) or
    /// `SendSyncRequestWithUserBuffer`, performed by `thread`.
    fn send_sync_request(
        &mut self,
        thread: ThreadRef,
        session: Handle,
        buffer: MessageBuffer,
    ) -> SendOutcome;
    /// `SendAsyncRequestWithUserBuffer` (capability `async`): the new event's handle,
    /// or the result the syscall returned.
    fn send_async_request(
        &mut self,
        thread: ThreadRef,
        session: Handle,
        address: u64,
        size: u64,
    ) -> Result<Result<Handle, ResultCode>, KernelError>;
    /// `ReplyAndReceive` (TLS) or `ReplyAndReceiveWithUserBuffer`, performed by
    /// `thread`. `reply_target` 0 means no reply; a negative `timeout_ns` waits forever.
    fn reply_and_receive(
        &mut self,
        thread: ThreadRef,
        handles: &[Handle],
        reply_target: Handle,
        timeout_ns: i64,
        buffer: MessageBuffer,
    ) -> WaitOutcome;
    /// `CloseHandle` in `process`.
    fn close_handle(&mut self, process: ProcessRef, handle: Handle) -> ResultCode;
    /// Where `thread`'s last synchronous request stands.
    fn request_status(&mut self, thread: ThreadRef) -> RequestStatus;

    /// The process id the kernel writes into PID slots for `process`.
    fn process_id(&mut self, process: ProcessRef) -> u64;
    /// The user address of `thread`'s TLS message buffer.
    fn tls_address(&mut self, thread: ThreadRef) -> u64;
    /// Reads process memory as a debugger would (ignoring user permissions).
    fn read_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
        len: usize,
    ) -> Result<Vec<u8>, KernelError>;
    /// Writes process memory as a debugger would (ignoring user permissions); how
    /// vectors fill message buffers before a syscall.
    fn write_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
        bytes: &[u8],
    ) -> Result<(), KernelError>;
    /// Whether user mode in `process` could currently write `len` bytes at
    /// `address` (what a second thread touching a lent buffer would experience).
    fn user_can_access(
        &mut self,
        process: ProcessRef,
        address: u64,
        len: usize,
        write: bool,
    ) -> bool;
    /// State, permission and attributes at an address (capability `memory-query`).
    fn query_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
    ) -> Result<MemoryInfo, KernelError>;
    /// Every block of `process` in an IPC mapping state (`Ipc`, `NonSecureIpc`,
    /// `NonDeviceIpc`): the server-side mappings of A/B/W buffers.
    fn ipc_mappings(&mut self, process: ProcessRef) -> Result<Vec<MemoryInfo>, KernelError>;
    /// The object a handle names in `process`, or `None` when the handle is invalid.
    fn handle_object(&mut self, process: ProcessRef, handle: Handle) -> Option<ObjectId>;
    /// How many handles `process`'s table holds.
    fn handle_count(&mut self, process: ProcessRef) -> usize;
    /// The object for a process (what its 0xFFFF8001 pseudo-handle names).
    fn process_object(&mut self, process: ProcessRef) -> ObjectId;
    /// The object for a thread (what its 0xFFFF8000 pseudo-handle names).
    fn thread_object(&mut self, thread: ThreadRef) -> ObjectId;
    /// Whether the event a handle names in `process` is signaled (async completion).
    fn event_signaled(&mut self, process: ProcessRef, handle: Handle) -> Result<bool, KernelError>;

    /// Takes the adapter fault recorded since the last call, if any: a kernel process
    /// that crashed, hung, wrote garbage or answered out of order, or an error from an
    /// operation whose signature cannot carry one (`send_sync_request`,
    /// `close_handle`, `handle_object`, ...; those then return a placeholder value).
    /// The runner calls it after each test (and may after each step) and reports the
    /// fault against that test instead of the placeholder's mismatch. In-process
    /// kernels cannot fault this way: the default returns `None`.
    fn take_fault(&mut self) -> Option<KernelError> {
        None
    }
}
