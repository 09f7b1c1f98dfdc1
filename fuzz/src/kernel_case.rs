//! The `kernel` target: one request (and, when it is received, one reply) through
//! the reference model kernel, with the state the spec says must be left behind
//! checked after every failure (kernel-semantics.md §4.7, §5.4).
//!
//! # Input format
//!
//! A small byte format of its own (not `Arbitrary`'s), so that `make-seeds` can write
//! the request, server buffer and reply of every kernel vector as a seed. Reading
//! never fails: missing bytes read as zero.
//!
//! | bytes | meaning |
//! |---|---|
//! | 1 | flags: bit 0 client user buffer, bit 1 server user buffer, bit 2 a reply follows, bit 3 small alias region for S (0x10000), bit 4 small handle table for S, bit 5 generated messages (below) |
//! | 16 | client user buffer address, size (u64 LE each; only with bit 0) |
//! | 16 | server user buffer address, size (only with bit 1) |
//! | 3 × 3 | the special regions C@0x10002000, C@0x10010000, S@0x20002000: state, permission, attributes (indices into [`STATES`], [`PERMISSIONS`], attribute bits) |
//! | 1 | S's handle capacity − 5 (only with bit 4) |
//! | 2 + n | the request: length (u16 LE), then the bytes written at the start of the client's buffer |
//! | 2 + n | the server's buffer before it receives (its header and receive list) |
//! | 2 + n | the reply the server writes after a successful receive (only with bit 2) |
//!
//! With bit 5, each of the three byte strings is not the message itself but the
//! choice bytes of `hipc explore`'s message generator
//! (`hipc_conformance::explore::message_bytes`: a valid message with values across
//! each field's width, a near-valid one, or random bytes), which reaches deep
//! translation paths sooner than mutating raw words does.
//!
//! Handle words below 11 in the copy/move slots of the request and the reply are
//! replaced by the world's handles ([`World::client_handle`], [`World::server_handle`]):
//! valid, stale, pseudo, interrupt-event and the other process's handles. Larger
//! values go through verbatim.
//!
//! # The world
//!
//! Processes C (client) and S (server), one session, events in both (one an interrupt
//! event, one closed again), heap in C at 0x10000000..0x10011000 and in S at
//! 0x20000000..0x20003000, the same addresses the vectors use, with three special
//! pages whose state, permission and attributes the input chooses (or leaves unmapped).
//! The conformance crate builds it (`hipc_conformance::explore::world`), from the
//! same tables of states, permissions and attributes `hipc explore` draws from.

use std::cell::RefCell;

use hipc::{BufferDescriptor, Layout, PointerDescriptor};
use hipc_conformance::kernel::{
    CURRENT_PROCESS, CURRENT_THREAD, Handle, Kernel, MemoryInfo, MemoryState, MessageBuffer,
    ObjectId, ProcessRef, RequestStatus, ResultCode, SendOutcome, ThreadRef,
};
use hipc_conformance::model::ModelKernel;
use zerocopy::FromBytes;

use hipc_conformance::explore::message_bytes;
use hipc_conformance::explore::world::{C_END, FuzzWorld, FuzzWorldSpec, S_END};
pub use hipc_conformance::explore::world::{
    C_HEAP, PERMISSIONS, PageConfig, S_HEAP, SPECIAL_PAGES, STATES,
};

/// A message buffer choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Buffer {
    /// The thread's TLS buffer.
    #[default]
    Tls,
    /// A user buffer (any address and size: the kernel checks them).
    User {
        /// Address.
        address: u64,
        /// Size.
        size: u64,
    },
}

impl Buffer {
    fn message_buffer(self) -> MessageBuffer {
        match self {
            Buffer::Tls => MessageBuffer::Tls,
            Buffer::User { address, size } => MessageBuffer::User { address, size },
        }
    }
}

/// One fuzz case of the `kernel` target.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KernelCase {
    /// The client's buffer.
    pub client_buffer: Buffer,
    /// The server's buffer.
    pub server_buffer: Buffer,
    /// The special pages.
    pub pages: [PageConfig; 3],
    /// S's alias region is 0x10000 bytes (OutOfAddressSpace is reachable).
    pub small_alias: bool,
    /// S's handle capacity (at least 5, what the world needs), when limited.
    pub server_capacity: Option<u8>,
    /// The request's bytes.
    pub request: Vec<u8>,
    /// The server buffer's bytes before receiving.
    pub server: Vec<u8>,
    /// The reply's bytes, if the server replies.
    pub reply: Option<Vec<u8>>,
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        u64::from_le_bytes(b)
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = usize::from(self.u16()).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }
}

impl KernelCase {
    /// Reads a case; never fails (missing bytes are zero).
    pub fn from_bytes(data: &[u8]) -> Self {
        let mut r = Reader(data);
        let flags = r.u8();
        let buffer = |user: bool, r: &mut Reader<'_>| {
            if user {
                Buffer::User {
                    address: r.u64(),
                    size: r.u64(),
                }
            } else {
                Buffer::Tls
            }
        };
        let client_buffer = buffer(flags & 1 != 0, &mut r);
        let server_buffer = buffer(flags & 2 != 0, &mut r);
        let mut pages = [PageConfig::default(); 3];
        for p in &mut pages {
            *p = PageConfig {
                state: r.u8(),
                permission: r.u8(),
                attributes: r.u8(),
            };
        }
        let server_capacity = (flags & 16 != 0).then(|| r.u8());
        let generated = flags & 32 != 0;
        let message = |r: &mut Reader<'_>| {
            let bytes = r.bytes();
            if generated {
                message_bytes::generate(&bytes)
            } else {
                bytes
            }
        };
        let request = message(&mut r);
        let server = message(&mut r);
        let reply = (flags & 4 != 0).then(|| message(&mut r));
        KernelCase {
            client_buffer,
            server_buffer,
            pages,
            small_alias: flags & 8 != 0,
            server_capacity,
            request,
            server,
            reply,
        }
    }

    /// Writes a case in the format [`KernelCase::from_bytes`] reads.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let user = |b: Buffer| matches!(b, Buffer::User { .. });
        let flags = u8::from(user(self.client_buffer))
            | u8::from(user(self.server_buffer)) << 1
            | u8::from(self.reply.is_some()) << 2
            | u8::from(self.small_alias) << 3
            | u8::from(self.server_capacity.is_some()) << 4;
        out.push(flags);
        for b in [self.client_buffer, self.server_buffer] {
            if let Buffer::User { address, size } = b {
                out.extend(address.to_le_bytes());
                out.extend(size.to_le_bytes());
            }
        }
        for p in self.pages {
            out.extend([p.state, p.permission, p.attributes]);
        }
        if let Some(c) = self.server_capacity {
            out.push(c);
        }
        let mut bytes = |b: &[u8]| {
            let n = b.len().min(usize::from(u16::MAX));
            out.extend((n as u16).to_le_bytes());
            out.extend(&b[..n]);
        };
        bytes(&self.request);
        bytes(&self.server);
        if let Some(reply) = &self.reply {
            bytes(reply);
        }
        out
    }
}

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
    type Cached = Vec<(FuzzWorldSpec, ModelKernel, FuzzWorld)>;
    thread_local! {
        static BASES: RefCell<Cached> = const { RefCell::new(Vec::new()) };
        static WORLDS: RefCell<Cached> = const { RefCell::new(Vec::new()) };
    }
    let find = |cache: &Cached, spec: &FuzzWorldSpec| {
        cache
            .iter()
            .find(|(s, _, _)| s == spec)
            .map(|(_, k, w)| (k.clone(), *w))
    };
    if let Some(hit) = WORLDS.with(|worlds| find(&worlds.borrow(), spec)) {
        return hit;
    }
    let base = FuzzWorldSpec {
        pages: Default::default(),
        ..*spec
    };
    let (mut k, w) = BASES.with(|bases| {
        let mut bases = bases.borrow_mut();
        find(&bases, &base).unwrap_or_else(|| {
            let mut k = ModelKernel::new();
            let w = FuzzWorld::build_base(&mut k, &base).expect("the model builds the fuzz world");
            bases.push((base, k.clone(), w));
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
        worlds.push((*spec, k.clone(), w));
    });
    (k, w)
}

/// The processes, threads and handles of one case: the shared fuzz world
/// ([`FuzzWorld`], built by the conformance crate) on the model, and the first
/// handle the server received.
pub struct World {
    /// The model.
    pub k: ModelKernel,
    c: ProcessRef,
    s: ProcessRef,
    ct: ThreadRef,
    st: ThreadRef,
    client_session: Handle,
    server_session: Handle,
    ev: Handle,
    ev2: Handle,
    irq: Handle,
    dead: Handle,
    sev: Handle,
    sev2: Handle,
    sirq: Handle,
    sdead: Handle,
    received: Option<Handle>,
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

    fn known_client_handles(&self) -> Vec<Handle> {
        vec![
            self.ev,
            self.ev2,
            self.irq,
            self.dead,
            self.client_session,
            self.sev,
        ]
    }

    fn known_server_handles(&self) -> Vec<Handle> {
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

    fn buffer_address(&mut self, client: bool, b: Buffer) -> (u64, u64) {
        match b {
            Buffer::Tls => {
                let t = if client { self.ct } else { self.st };
                (self.k.tls_address(t), 0x100)
            }
            Buffer::User { address, size } => (address, size),
        }
    }

    /// The object a handle of the sender names, as the kernel resolves a copy slot.
    fn copy_source(
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

/// A message read by its header alone, without [`hipc::Message::new_checked`]'s
/// checks: the kernel does not validate a source's receive-list offset, and a
/// destination's receive list may reach past its buffer (§3.1, §4.3 step 4).
struct View<'a> {
    bytes: &'a [u8],
    layout: Layout,
}

impl<'a> View<'a> {
    fn new(bytes: &'a [u8]) -> Option<Self> {
        let layout = Layout::parse(bytes).ok()?;
        (layout.raw_end() <= bytes.len()).then_some(View { bytes, layout })
    }
    fn words(&self, range: std::ops::Range<usize>) -> Vec<u32> {
        self.bytes
            .get(range)
            .unwrap_or(&[])
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect()
    }
    fn pid(&self) -> Option<u64> {
        let r = self.layout.pid()?;
        let w = self.words(r);
        Some(u64::from(w[0]) | u64::from(w[1]) << 32)
    }
    fn copies(&self) -> Vec<u32> {
        self.words(self.layout.copy_handles())
    }
    fn moves(&self) -> Vec<u32> {
        self.words(self.layout.move_handles())
    }
    fn raw(&self) -> &'a [u8] {
        self.bytes.get(self.layout.raw()).unwrap_or(&[])
    }
    fn header(&self) -> &'a [u8] {
        &self.bytes[..8]
    }
    fn x(&self) -> &'a [PointerDescriptor] {
        <[PointerDescriptor]>::ref_from_bytes(self.bytes.get(self.layout.x()).unwrap_or(&[]))
            .unwrap_or(&[])
    }
    fn map_alias(&self) -> &'a [BufferDescriptor] {
        <[BufferDescriptor]>::ref_from_bytes(self.bytes.get(self.layout.map_alias()).unwrap_or(&[]))
            .unwrap_or(&[])
    }
}

/// Whether a buffer's own receive list (as its header declares it before the
/// translation; the kernel captures it then, §3.1) names memory inside the buffer:
/// pointer data may then overwrite the very words translation wrote, which the
/// kernel allows, so the delivered words are not checked against the source.
fn receive_list_overlaps(before: Option<&[u8]>, address: u64, size: u64) -> bool {
    let Some(bytes) = before else {
        return false;
    };
    let Ok(layout) = Layout::parse(bytes) else {
        return false;
    };
    let entries = bytes.get(layout.receive_list()).unwrap_or(&[]);
    let end = address.saturating_add(size);
    entries.chunks_exact(8).any(|e| {
        let Ok(c) = hipc::ReceiveListEntry::read_from_bytes(e) else {
            return false;
        };
        let (a, n) = (c.address(), c.size());
        a < end && address < a.saturating_add(n.max(1))
    })
}

/// Rewrites the selector words in a message's copy and move slots.
fn remap_handles(bytes: &mut [u8], map: impl Fn(u32) -> u32) {
    let Ok(layout) = Layout::parse(bytes) else {
        return;
    };
    let range = layout.copy_handles().start..layout.move_handles().end;
    for at in range.step_by(4) {
        if let Some(word) = bytes.get_mut(at..at + 4) {
            let v = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
            if v < SELECTORS {
                word.copy_from_slice(&map(v).to_le_bytes());
            }
        }
    }
}

/// A handle table as observed through the trait: its size and what known handles name.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Handles {
    count: usize,
    named: Vec<(Handle, Option<ObjectId>)>,
}

fn handles(k: &mut ModelKernel, p: ProcessRef, known: &[Handle]) -> Handles {
    Handles {
        count: k.handle_count(p),
        named: known.iter().map(|&h| (h, k.handle_object(p, h))).collect(),
    }
}

/// Mappings and permissions as observed: every page of C's and S's heap spans and
/// every IPC block of both processes.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Memory {
    client: Vec<Option<MemoryInfo>>,
    server: Vec<Option<MemoryInfo>>,
    client_ipc: Vec<MemoryInfo>,
    server_ipc: Vec<MemoryInfo>,
}

fn memory(w: &mut World) -> Memory {
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
const BUFFER_IO: u64 = 0x4000;

fn read(k: &mut ModelKernel, p: ProcessRef, address: u64, size: u64) -> Option<Vec<u8>> {
    k.read_memory(p, address, size.min(BUFFER_IO) as usize).ok()
}

/// What a case observed before its first syscall, to compare with after: the
/// buffers (as the kernel will read them), both handle tables and both address
/// spaces.
struct Before {
    caddr: u64,
    csize: u64,
    saddr: u64,
    ssize: u64,
    /// The request as the kernel will read it (the buffer's bytes, not the input's).
    request: Option<Vec<u8>>,
    server: Option<Vec<u8>>,
    known_c: Vec<Handle>,
    known_s: Vec<Handle>,
    c_handles: Handles,
    s_handles: Handles,
    memory: Memory,
}

/// Runs one case and checks it; panics on a property violation.
pub fn run(case: &KernelCase) {
    let mut w = World::new(case);
    let before = prepare(&mut w, case);
    let sent =
        w.k.send_sync_request(w.ct, w.client_session, case.client_buffer.message_buffer());
    if let SendOutcome::Returned(result) = sent {
        return check_refused_send(&mut w, &before, result);
    }
    assert_eq!(w.k.request_status(w.ct), RequestStatus::Pending);

    let received = w.k.reply_and_receive(
        w.st,
        &[w.server_session],
        0,
        0,
        case.server_buffer.message_buffer(),
    );
    if !received.result.is_success() {
        return check_receive_failed(&mut w, &before, received.result);
    }
    assert_eq!(received.out_index, Some(0));
    let Some(src) = check_received(&mut w, &before) else {
        return;
    };
    if let Some(reply) = &case.reply {
        check_reply(&mut w, case, &before, &src, reply);
    }
}

/// Fills both buffers (as a debugger would; an unmapped buffer stays unfilled)
/// and observes everything the syscalls may change.
fn prepare(w: &mut World, case: &KernelCase) -> Before {
    let (c, s) = (w.c, w.s);
    let (caddr, csize) = w.buffer_address(true, case.client_buffer);
    let (saddr, ssize) = w.buffer_address(false, case.server_buffer);
    let mut request = case.request.clone();
    request.truncate(csize.min(BUFFER_IO) as usize);
    remap_handles(&mut request, |v| w.client_handle(v));
    let _ = w.k.write_memory(c, caddr, &request);
    let mut server = case.server.clone();
    server.truncate(ssize.min(BUFFER_IO) as usize);
    let _ = w.k.write_memory(s, saddr, &server);

    let request = read(&mut w.k, c, caddr, csize);
    let server = read(&mut w.k, s, saddr, ssize);
    let known_c = w.known_client_handles();
    let known_s = w.known_server_handles();
    let c_handles = handles(&mut w.k, c, &known_c);
    let s_handles = handles(&mut w.k, s, &known_s);
    Before {
        caddr,
        csize,
        saddr,
        ssize,
        request,
        server,
        known_c,
        known_s,
        c_handles,
        s_handles,
        memory: memory(w),
    }
}

/// SendSyncRequest returned at once: with an error, and nothing changed.
fn check_refused_send(w: &mut World, b: &Before, result: ResultCode) {
    let (c, s) = (w.c, w.s);
    assert!(
        !result.is_success(),
        "SendSyncRequest returned success without a reply"
    );
    assert_eq!(
        handles(&mut w.k, c, &b.known_c),
        b.c_handles,
        "client handles changed by a refused send"
    );
    assert_eq!(handles(&mut w.k, s, &b.known_s), b.s_handles);
    assert_eq!(memory(w), b.memory, "memory changed by a refused send");
    assert_eq!(read(&mut w.k, c, b.caddr, b.csize), b.request);
}

/// The receive failed with `failed`: either the server's own buffer checks
/// refused it (the request stays queued) or the request failed (§4.6, §4.7).
fn check_receive_failed(w: &mut World, b: &Before, failed: ResultCode) {
    let (c, s) = (w.c, w.s);
    let status = w.k.request_status(w.ct);
    // The server's own buffer checks fail before anything is received: the
    // request stays queued, nothing changed.
    if status == RequestStatus::Pending {
        assert!(
            matches!(
                failed,
                ResultCode::INVALID_ADDRESS
                    | ResultCode::INVALID_SIZE
                    | ResultCode::INVALID_CURRENT_MEMORY
            ),
            "the server failed with {failed} but the request is still pending"
        );
        assert_eq!(handles(&mut w.k, c, &b.known_c), b.c_handles);
        assert_eq!(handles(&mut w.k, s, &b.known_s), b.s_handles);
        assert_eq!(read(&mut w.k, s, b.saddr, b.ssize), b.server);
        return;
    }
    // A receive failure (§4.6): the client got the error; the server sees
    // ReceiveListBroken, or nothing (NotFound is swallowed: the poll times out).
    let RequestStatus::Completed(err) = status else {
        panic!("receive failed with {failed} and the client is {status:?}");
    };
    assert!(
        !err.is_success(),
        "the client got success from a failed receive"
    );
    assert!(
        matches!(
            failed,
            ResultCode::TIMED_OUT | ResultCode::RECEIVE_LIST_BROKEN
        ),
        "the server saw {failed} for a failed receive"
    );
    let broken = failed == ResultCode::RECEIVE_LIST_BROKEN;
    // §4.7: the client's buffer and handle table are untouched.
    assert_eq!(
        read(&mut w.k, c, b.caddr, b.csize),
        b.request,
        "client buffer written by a failed receive"
    );
    assert_eq!(
        handles(&mut w.k, c, &b.known_c),
        b.c_handles,
        "client handles changed by a failed receive ({err})"
    );
    // The server's handle table is as before: every copied handle removed again,
    // except in the replicated quirk (the request's MessageSize exceeds the
    // server buffer), on which the spec asks not to assert either way.
    let quirk = b
        .request
        .as_deref()
        .and_then(|r| Layout::parse(r).ok())
        .is_some_and(|l| l.message_size() as u64 > b.ssize);
    if !quirk {
        assert_eq!(
            handles(&mut w.k, s, &b.known_s),
            b.s_handles,
            "server handles not rolled back ({err})"
        );
    }
    // Every mapping undone, client permissions restored.
    assert_eq!(memory(w), b.memory, "mappings not undone after {err}");
    // Not broken: the server's header words are restored (word 2 too when its
    // header had a special header).
    if !broken && let (Some(before), Some(after)) = (&b.server, read(&mut w.k, s, b.saddr, b.ssize))
    {
        let had_special = before.get(7).is_some_and(|b| b & 0x80 != 0);
        let n = if had_special { 12 } else { 8 };
        let n = n.min(before.len());
        assert_eq!(
            before[..n],
            after[..n],
            "server header not restored after {err}"
        );
    }
}

/// The request was received (§4.5): the client still waits, its handles are
/// untouched, and the server's buffer holds the request translated. Returns the
/// request's bytes, or `None` when the server's receive list overlaps its own
/// message (what lands there is not compared) and the case ends.
fn check_received(w: &mut World, b: &Before) -> Option<Vec<u8>> {
    let (c, s, ct) = (w.c, w.s, w.ct);
    assert_eq!(
        w.k.request_status(ct),
        RequestStatus::Pending,
        "the client completed before the reply"
    );
    assert_eq!(
        handles(&mut w.k, c, &b.known_c),
        b.c_handles,
        "a received request changed the client's handles"
    );
    let src = b.request.clone().expect("a received request was readable");
    let src_msg = View::new(&src).expect("a received request's header fits");
    let copied = src_msg.copies().iter().filter(|&&h| h != 0).count();
    assert_eq!(
        w.k.handle_count(s),
        b.s_handles.count + copied,
        "server handle count"
    );
    let dst = read(&mut w.k, s, b.saddr, b.ssize).expect("the server buffer is readable");
    if receive_list_overlaps(b.server.as_deref(), b.saddr, b.ssize) {
        return None;
    }
    let dst_msg = View::new(&dst).expect("the server's buffer holds the message");
    assert_eq!(
        dst_msg.header(),
        src_msg.header(),
        "header words not verbatim"
    );
    assert_eq!(dst_msg.raw(), src_msg.raw(), "raw data not verbatim");
    if src_msg.pid().is_some() {
        let pid = w.k.process_id(c);
        assert_eq!(
            dst_msg.pid(),
            Some(pid),
            "the server does not see the client's PID"
        );
    }
    for (i, (from, to)) in src_msg
        .copies()
        .into_iter()
        .zip(dst_msg.copies())
        .enumerate()
    {
        if from == 0 {
            assert_eq!(to, 0, "copy slot {i}: 0 not delivered as 0");
            continue;
        }
        let object = w.copy_source(c, ct, from);
        assert!(
            to != 0 && to & 0xC000_0000 == 0,
            "copy slot {i}: {to:#x} is not a valid handle"
        );
        assert_eq!(
            w.k.handle_object(s, to),
            object,
            "copy slot {i}: not the client's object"
        );
        w.received.get_or_insert(to);
    }

    for (i, x) in dst_msg.x().iter().enumerate() {
        if x.size() == 0 {
            assert_eq!(x.address(), 0, "x[{i}]: size 0 with an address");
        }
    }
    for (i, d) in dst_msg.map_alias().iter().enumerate() {
        if d.size() == 0 {
            assert_eq!(d.address(), 0, "map-alias {i}: size 0 with an address");
        } else {
            let info = w.k.query_memory(s, d.address()).expect("a mapped address");
            assert_eq!(
                Some(info.state),
                MemoryState::for_attribute(d.mode()),
                "map-alias {i} state"
            );
        }
    }
    Some(src)
}

/// The reply (§5): whatever its result, every mapping of the request is undone;
/// a failed reply rolls the client's handles back; a delivered one carries the
/// header and raw data verbatim, the server's PID, and handles naming the
/// server's objects (moved ones gone from the server).
fn check_reply(w: &mut World, case: &KernelCase, b: &Before, src: &[u8], reply: &[u8]) {
    let (c, s, ct, st) = (w.c, w.s, w.ct, w.st);
    let mut reply = reply.to_vec();
    reply.truncate(b.ssize.min(BUFFER_IO) as usize);
    remap_handles(&mut reply, |v| w.server_handle(v));
    let _ = w.k.write_memory(s, b.saddr, &reply);
    let reply_now = read(&mut w.k, s, b.saddr, b.ssize).unwrap_or_default();

    let c_before_reply = handles(&mut w.k, c, &b.known_c);
    // The objects the reply's handles name before the reply.
    let reply_msg = View::new(&reply_now);
    let copy_objects: Vec<(u32, Option<ObjectId>)> = reply_msg
        .as_ref()
        .map(View::copies)
        .unwrap_or_default()
        .into_iter()
        .map(|h| (h, w.copy_source(s, st, h)))
        .collect();
    let move_objects: Vec<(u32, Option<ObjectId>)> = reply_msg
        .as_ref()
        .map(View::moves)
        .unwrap_or_default()
        .into_iter()
        .map(|h| (h, w.k.handle_object(s, h)))
        .collect();

    let replied = w.k.reply_and_receive(
        st,
        &[],
        w.server_session,
        0,
        case.server_buffer.message_buffer(),
    );
    let status = w.k.request_status(ct);
    assert_eq!(
        replied.result,
        ResultCode::TIMED_OUT,
        "the reply half did not succeed (client: {status:?})"
    );
    let RequestStatus::Completed(result) = status else {
        panic!("replied, but the client is {status:?}");
    };
    // Whatever the result, every mapping of the request is undone and the client's
    // permissions restored (§5.2 step 13, §5.4).
    assert_eq!(
        memory(w),
        b.memory,
        "mappings not undone after the reply ({result})"
    );
    if !result.is_success() {
        let quirk = Layout::parse(&reply_now).is_ok_and(|l| l.message_size() as u64 > b.csize);
        if !quirk {
            assert_eq!(
                handles(&mut w.k, c, &b.known_c),
                c_before_reply,
                "client handles not rolled back ({result})"
            );
        }
        return;
    }
    if receive_list_overlaps(Some(src), b.caddr, b.csize) {
        return;
    }
    let got = read(&mut w.k, c, b.caddr, b.csize).expect("the client buffer is readable");
    let got_msg = View::new(&got).expect("the client's buffer holds the reply");
    let reply_msg = reply_msg.expect("a delivered reply parses");
    assert_eq!(
        got_msg.header(),
        reply_msg.header(),
        "reply header words not verbatim"
    );
    assert_eq!(
        got_msg.raw(),
        reply_msg.raw(),
        "reply raw data not verbatim"
    );
    if reply_msg.pid().is_some() {
        let pid = w.k.process_id(s);
        assert_eq!(
            got_msg.pid(),
            Some(pid),
            "the client does not see the server's PID"
        );
    }
    let mut added = 0;
    for (i, ((from, object), to)) in copy_objects
        .iter()
        .chain(&move_objects)
        .zip(got_msg.copies().into_iter().chain(got_msg.moves()))
        .enumerate()
    {
        if *from == 0 {
            assert_eq!(to, 0, "reply slot {i}: 0 not delivered as 0");
            continue;
        }
        assert!(
            to != 0 && to & 0xC000_0000 == 0,
            "reply slot {i}: {to:#x} is not a valid handle"
        );
        assert_eq!(
            w.k.handle_object(c, to),
            *object,
            "reply slot {i}: not the server's object"
        );
        added += 1;
    }
    for (h, _) in move_objects.iter().filter(|(h, _)| *h != 0) {
        assert_eq!(
            w.k.handle_object(s, *h),
            None,
            "moved handle {h:#x} still in the server"
        );
    }
    assert_eq!(
        w.k.handle_count(c),
        c_before_reply.count + added,
        "client handle count after the reply"
    );
}
