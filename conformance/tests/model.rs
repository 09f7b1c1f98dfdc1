//! The reference model kernel, driven only through the `Kernel` trait: the
//! conformance scenarios of kernel-semantics.md §8 (test names carry the scenario
//! number) and one test per deliberate fault.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use hipc::{
    BufferAttribute, BufferDescriptor, MessageRepr, PointerDescriptor, ReceiveListEntry, U32,
};
use hipc_conformance::kernel::{
    CURRENT_PROCESS, CURRENT_THREAD, Capability, EventKind, Handle, Kernel, MemoryAttributes,
    MemoryRegion, MemoryState, MessageBuffer, ProcessRef, ProcessSpec, RequestStatus, ResultCode,
    SendOutcome, ThreadRef, WaitOutcome,
};
use hipc_conformance::model::{Fault, ModelKernel};

// ------------------------------------------------------------------------------------
// Helpers

/// Client heap (0x10000 bytes, Normal, RW).
const CHEAP: u64 = 0x1000_0000;
/// Server heap.
const SHEAP: u64 = 0x2000_0000;
/// Where tests map extra client regions.
const EXTRA: u64 = 0x3000_0000;
const HEAP_SIZE: u64 = 0x10000;

const EMPTY: MessageRepr<'static> = MessageRepr::EMPTY;
const TIMED_OUT: WaitOutcome = WaitOutcome {
    result: ResultCode::TIMED_OUT,
    out_index: None,
};

fn ok(index: i32) -> WaitOutcome {
    WaitOutcome {
        result: ResultCode::SUCCESS,
        out_index: Some(index),
    }
}

fn wait(result: ResultCode, out_index: Option<i32>) -> WaitOutcome {
    WaitOutcome { result, out_index }
}

fn done(result: ResultCode) -> RequestStatus {
    RequestStatus::Completed(result)
}

fn raw(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn handles(values: &[u32]) -> Vec<U32> {
    values.iter().map(|&v| U32::new(v)).collect()
}

fn x(index: u8, address: u64, size: u64) -> PointerDescriptor {
    PointerDescriptor::new(address, size, index).unwrap()
}

fn c(address: u64, size: u64) -> ReceiveListEntry {
    ReceiveListEntry::new(address, size).unwrap()
}

fn bd(address: u64, size: u64, attribute: u8) -> BufferDescriptor {
    BufferDescriptor::new(
        address,
        size,
        BufferAttribute::from_bits(attribute).unwrap(),
    )
    .unwrap()
}

/// (index, address, size) of the X descriptor at `words[0..2]`.
fn parse_x(words: &[u32]) -> (u8, u64, u64) {
    let d = PointerDescriptor {
        word0: U32::new(words[0]),
        address_low: U32::new(words[1]),
    };
    (d.index(), d.address(), d.size())
}

/// (address, size, attribute) of the A/B/W descriptor at `words[0..3]`.
fn parse_buffer(words: &[u32]) -> (u64, u64, u8) {
    let d = BufferDescriptor {
        size_low: U32::new(words[0]),
        address_low: U32::new(words[1]),
        word2: U32::new(words[2]),
    };
    (d.address(), d.size(), d.mode())
}

fn region(
    address: u64,
    size: u64,
    state: MemoryState,
    permission: hipc_conformance::kernel::Permission,
) -> MemoryRegion {
    MemoryRegion {
        address,
        size,
        state,
        permission,
        attributes: MemoryAttributes::default(),
        contents: Vec::new(),
    }
}

use hipc_conformance::kernel::Permission;

/// A client process C and a server process S, each with a heap and a main thread,
/// connected by one session.
struct World {
    k: ModelKernel,
    c: ProcessRef,
    s: ProcessRef,
    ct: ThreadRef,
    st: ThreadRef,
    ch: Handle,
    sh: Handle,
}

impl World {
    fn new() -> Self {
        World::build(ModelKernel::new(), ProcessSpec::default())
    }

    fn with(k: ModelKernel) -> Self {
        World::build(k, ProcessSpec::default())
    }

    fn build(mut k: ModelKernel, server: ProcessSpec) -> Self {
        let c = k
            .create_process(&ProcessSpec {
                name: "client".into(),
                ..ProcessSpec::default()
            })
            .unwrap();
        let s = k
            .create_process(&ProcessSpec {
                name: "server".into(),
                ..server
            })
            .unwrap();
        k.map_memory(
            c,
            &region(CHEAP, HEAP_SIZE, MemoryState::Normal, Permission::Rw),
        )
        .unwrap();
        k.map_memory(
            s,
            &region(SHEAP, HEAP_SIZE, MemoryState::Normal, Permission::Rw),
        )
        .unwrap();
        let session = k.create_session(s, c).unwrap();
        let ct = k.main_thread(c).unwrap();
        let st = k.main_thread(s).unwrap();
        World {
            k,
            c,
            s,
            ct,
            st,
            ch: session.client,
            sh: session.server,
        }
    }

    fn put(&mut self, process: ProcessRef, address: u64, repr: &MessageRepr<'_>) {
        let mut buf = vec![0u8; 0x2000];
        let len = repr.emit(&mut buf).unwrap();
        self.k.write_memory(process, address, &buf[..len]).unwrap();
    }

    fn put_words(&mut self, process: ProcessRef, address: u64, words: &[u32]) {
        self.k.write_memory(process, address, &raw(words)).unwrap();
    }

    fn words(&mut self, process: ProcessRef, address: u64, n: usize) -> Vec<u32> {
        self.k
            .read_memory(process, address, n * 4)
            .unwrap()
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    fn bytes(&mut self, process: ProcessRef, address: u64, n: usize) -> Vec<u8> {
        self.k.read_memory(process, address, n).unwrap()
    }

    fn fill(&mut self, process: ProcessRef, address: u64, n: usize, value: u8) {
        self.k
            .write_memory(process, address, &vec![value; n])
            .unwrap();
    }

    fn ctls(&mut self) -> u64 {
        self.k.tls_address(self.ct)
    }

    fn stls(&mut self) -> u64 {
        self.k.tls_address(self.st)
    }

    /// Writes the client's request into its TLS.
    fn request(&mut self, repr: &MessageRepr<'_>) {
        let at = self.ctls();
        self.put(self.c, at, repr);
    }

    /// Writes the server's TLS (its receive header, or its reply).
    fn server(&mut self, repr: &MessageRepr<'_>) {
        let at = self.stls();
        self.put(self.s, at, repr);
    }

    fn server_words_put(&mut self, words: &[u32]) {
        let at = self.stls();
        self.put_words(self.s, at, words);
    }

    fn send(&mut self) -> SendOutcome {
        self.k
            .send_sync_request(self.ct, self.ch, MessageBuffer::Tls)
    }

    /// Writes a request and sends it; it must be queued.
    fn call(&mut self, repr: &MessageRepr<'_>) {
        self.request(repr);
        assert_eq!(self.send(), SendOutcome::Pending);
    }

    fn receive(&mut self) -> WaitOutcome {
        self.k
            .reply_and_receive(self.st, &[self.sh], 0, 0, MessageBuffer::Tls)
    }

    /// Writes a reply into the server's TLS and sends it (reply-only idiom).
    fn reply(&mut self, repr: &MessageRepr<'_>) -> WaitOutcome {
        self.server(repr);
        self.k
            .reply_and_receive(self.st, &[], self.sh, 0, MessageBuffer::Tls)
    }

    fn status(&mut self) -> RequestStatus {
        self.k.request_status(self.ct)
    }

    fn cw(&mut self, n: usize) -> Vec<u32> {
        let at = self.ctls();
        self.words(self.c, at, n)
    }

    fn sw(&mut self, n: usize) -> Vec<u32> {
        let at = self.stls();
        self.words(self.s, at, n)
    }

    fn event(&mut self, process: ProcessRef) -> Handle {
        self.k.create_event(process, EventKind::Event).unwrap()
    }
}

// ------------------------------------------------------------------------------------
// Set-up and observation

#[test]
fn info_reset_and_process_ids() {
    let mut k = ModelKernel::new();
    let info = k.info();
    assert_eq!(info.name, "model");
    assert!(info.capabilities.contains(&Capability::MapAlias));
    assert!(!info.capabilities.contains(&Capability::AmsPidPassthrough));
    assert!(
        ModelKernel::atmosphere()
            .info()
            .capabilities
            .contains(&Capability::AmsPidPassthrough)
    );
    assert_eq!(
        ModelKernel::with_fault(Fault::LifoQueue).info().name,
        "model:lifo-queue"
    );

    let a = k.create_process(&ProcessSpec::default()).unwrap();
    let b = k
        .create_process(&ProcessSpec {
            pid: Some(0x1234),
            ..ProcessSpec::default()
        })
        .unwrap();
    let c = k.create_process(&ProcessSpec::default()).unwrap();
    assert_eq!(k.process_id(a), 0x51);
    assert_eq!(k.process_id(b), 0x1234);
    assert_eq!(k.process_id(c), 0x52);
    k.reset().unwrap();
    let a = k.create_process(&ProcessSpec::default()).unwrap();
    assert_eq!(k.process_id(a), 0x51);
    assert_eq!(k.handle_count(a), 0);
}

/// Set-up operations on processes, threads and sessions that do not exist are
/// refused, leaving nothing half made (processes and threads are numbered from 1 in creation order: a number
/// never handed out names nothing).
#[test]
fn set_up_on_what_does_not_exist_is_refused() {
    let mut k = ModelKernel::new();
    let a = k.create_process(&ProcessSpec::default()).unwrap();
    let missing = ProcessRef(a.0 + 1);
    assert!(k.create_session(a, missing).is_err());
    assert!(k.create_session(missing, a).is_err());
    assert!(k.create_session(a, ProcessRef(0)).is_err());
    // Refused before anything is made: no handle was left in the process that exists.
    assert_eq!(k.handle_count(a), 0);
    assert!(k.main_thread(missing).is_err());
    assert!(k.create_thread(missing).is_err());
    assert_eq!(k.handle_count(missing), 0);
    let t = k.main_thread(a).unwrap();
    assert_eq!(k.request_status(ThreadRef(t.0 + 1)), RequestStatus::Idle);
    assert_eq!(k.tls_address(ThreadRef(0)), 0);
    assert!(k.create_session(a, a).is_ok());
}

#[test]
fn tls_is_thread_local_memory() {
    let mut w = World::new();
    let tls = w.ctls();
    assert_eq!(tls % 0x200, 0);
    let info = w.k.query_memory(w.c, tls).unwrap();
    assert_eq!(info.state, MemoryState::ThreadLocal);
    assert_eq!(info.permission, Permission::Rw);
    let t2 = w.k.create_thread(w.c).unwrap();
    assert_ne!(w.k.tls_address(t2), tls);
}

// ------------------------------------------------------------------------------------
// §8 Header and raw data

#[test]
fn s01_header_and_raw_data() {
    let mut w = World::new();
    let r = raw(&[1, 2, 3, 4]);
    w.call(&MessageRepr {
        tag: 0x1234,
        raw: &r,
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.sw(6), w.cw(6));
    assert_eq!(w.sw(6)[0], 0x1234);
}

#[test]
fn s02_reserved_header_bits_verbatim() {
    let mut w = World::new();
    w.call(&MessageRepr {
        header_reserved: 0x3F << 14,
        recv_list_count: 1,
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.sw(2)[1], w.cw(2)[1]);
    assert_eq!(w.sw(2)[1], 0x3F << 14 | 1 << 10);
}

#[test]
fn s03_reply_overwrites_only_up_to_its_raw_end() {
    let mut w = World::new();
    let r = raw(&[1, 2, 3, 4]);
    w.call(&MessageRepr {
        tag: 1,
        raw: &r,
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    let reply = raw(&[9, 8]);
    assert_eq!(
        w.reply(&MessageRepr {
            tag: 0x5678,
            raw: &reply,
            ..EMPTY
        }),
        TIMED_OUT
    );
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    assert_eq!(w.cw(6), vec![0x5678, 2, 9, 8, 3, 4]);
}

#[test]
fn s04_raw_count_62_fits_63_does_not() {
    let mut w = World::new();
    let r = raw(&[7; 62]);
    w.call(&MessageRepr { raw: &r, ..EMPTY });
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.sw(64), w.cw(64));

    let mut w = World::new();
    let at = w.ctls();
    w.put_words(w.c, at, &[0, 63]);
    assert_eq!(w.send(), SendOutcome::Pending);
    assert_eq!(w.receive(), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::INVALID_COMBINATION));
}

#[test]
fn s05_user_buffer_message_too_large_for_tls() {
    let mut w = World::new();
    let r = raw(&[5; 100]);
    w.put(w.c, CHEAP, &MessageRepr { raw: &r, ..EMPTY });
    let buffer = MessageBuffer::User {
        address: CHEAP,
        size: 0x1000,
    };
    assert_eq!(
        w.k.send_sync_request(w.ct, w.ch, buffer),
        SendOutcome::Pending
    );
    assert!(
        !w.k.user_can_access(w.c, CHEAP, 4, false),
        "locked while pending"
    );
    assert_eq!(w.receive(), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::MESSAGE_TOO_LARGE));
    assert!(w.k.user_can_access(w.c, CHEAP, 4, true), "unlocked after");
}

#[test]
fn s06_server_user_buffer_client_tls() {
    let mut w = World::new();
    let r = raw(&[3; 60]);
    w.call(&MessageRepr { raw: &r, ..EMPTY });
    let buffer = MessageBuffer::User {
        address: SHEAP,
        size: 0x1000,
    };
    assert_eq!(w.k.reply_and_receive(w.st, &[w.sh], 0, 0, buffer), ok(0));
    let client = w.cw(62);
    assert_eq!(w.words(w.s, SHEAP, 62), client);
    assert!(
        w.k.user_can_access(w.s, SHEAP, 4, true),
        "unlocked after the call"
    );
}

#[test]
fn s07_server_header_inconsistent() {
    let mut w = World::new();
    w.server_words_put(&[0, 15 << 10 | 0x3F0 << 20]);
    w.call(&EMPTY);
    assert_eq!(w.receive(), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::INVALID_COMBINATION));
    assert_eq!(w.sw(2), vec![0, 15 << 10 | 0x3F0 << 20]);
}

#[test]
fn s08_server_receive_list_offset_below_raw_end() {
    let mut w = World::new();
    w.server_words_put(&[0, 1 << 20]);
    w.call(&EMPTY);
    assert_eq!(w.receive(), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::INVALID_COMBINATION));
}

// ------------------------------------------------------------------------------------
// §8 Special header, PID, handles

#[test]
fn s09_pid_is_the_clients() {
    let mut w = World::new();
    w.call(&MessageRepr {
        pid: Some(0xDEAD_BEEF_DEAD_BEEF),
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    let pid = w.k.process_id(w.c);
    assert_eq!(w.sw(5)[3..5], [pid as u32, (pid >> 32) as u32]);
}

#[test]
fn s10_reply_pid_is_the_servers() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    w.reply(&MessageRepr {
        pid: Some(0),
        ..EMPTY
    });
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    let pid = w.k.process_id(w.s);
    assert_eq!(w.cw(5)[3..5], [pid as u32, (pid >> 32) as u32]);
}

#[test]
fn s11_ams_pid_passthrough_only_in_atmosphere_mode() {
    for (kernel, expect_passthrough) in [
        (ModelKernel::atmosphere(), true),
        (ModelKernel::new(), false),
    ] {
        let mut w = World::with(kernel);
        w.call(&MessageRepr {
            pid: Some(0xFFFE_0000_0000_1234),
            ..EMPTY
        });
        assert_eq!(w.receive(), ok(0));
        let words = w.sw(5);
        let seen = u64::from(words[3]) | u64::from(words[4]) << 32;
        if expect_passthrough {
            assert_eq!(seen, 0x1234);
        } else {
            assert_eq!(seen, w.k.process_id(w.c));
        }
    }
}

#[test]
fn s12_no_special_header_means_raw_data() {
    let mut w = World::new();
    let at = w.ctls();
    w.put_words(w.c, at, &[0, 2, 0x1F, 7]);
    assert_eq!(w.send(), SendOutcome::Pending);
    let before = w.k.handle_count(w.s);
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.sw(4), vec![0, 2, 0x1F, 7]);
    assert_eq!(w.k.handle_count(w.s), before);
}

#[test]
fn s13_copy_handle() {
    let mut w = World::new();
    let e = w.event(w.c);
    let hs = handles(&[e]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    let got = w.sw(4)[3];
    assert_ne!(got, 0);
    assert_eq!(got & 0xC000_0000, 0);
    assert_eq!(w.k.handle_object(w.s, got), w.k.handle_object(w.c, e));
    assert!(
        w.k.handle_object(w.c, e).is_some(),
        "the client keeps its handle"
    );
}

#[test]
fn s14_copy_handle_zero() {
    let mut w = World::new();
    let hs = handles(&[0]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.sw(4)[3], 0);
}

#[test]
fn s15_s16_pseudo_handles_resolve_to_the_sender() {
    let mut w = World::new();
    let hs = handles(&[CURRENT_PROCESS, CURRENT_THREAD]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    let words = w.sw(5);
    let process = w.k.process_object(w.c);
    let thread = w.k.thread_object(w.ct);
    assert_eq!(w.k.handle_object(w.s, words[3]), Some(process));
    assert_eq!(w.k.handle_object(w.s, words[4]), Some(thread));
}

#[test]
fn s17_invalid_copy_handle() {
    let mut w = World::new();
    let before = w.k.handle_count(w.s);
    let hs = handles(&[0x1234]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    w.receive();
    assert_eq!(w.status(), done(ResultCode::INVALID_HANDLE));
    assert_eq!(w.k.handle_count(w.s), before);
}

/// Scenarios 18 and 19: [valid, invalid, valid] copies.
fn valid_invalid_valid(w: &mut World) -> WaitOutcome {
    let e1 = w.event(w.c);
    let e2 = w.event(w.c);
    let hs = handles(&[e1, 0x1234, e2]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    w.receive()
}

#[test]
fn s18_copy_failure_not_broken_restores_server_header() {
    let mut w = World::new();
    w.server_words_put(&[0, 60 << 20]);
    let before = w.k.handle_count(w.s);
    assert_eq!(valid_invalid_valid(&mut w), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::INVALID_HANDLE));
    assert_eq!(w.k.handle_count(w.s), before);
    assert_eq!(w.sw(2), vec![0, 60 << 20]);
}

#[test]
fn s19_copy_failure_broken() {
    let mut w = World::new();
    let before = w.k.handle_count(w.s);
    assert_eq!(
        valid_invalid_valid(&mut w),
        wait(ResultCode::RECEIVE_LIST_BROKEN, Some(0))
    );
    assert_eq!(w.status(), done(ResultCode::INVALID_HANDLE));
    assert_eq!(w.k.handle_count(w.s), before);
}

#[test]
fn s20_s21_reserved_bit_and_interrupt_event_refused() {
    let mut w = World::new();
    let irq = w.k.create_event(w.c, EventKind::InterruptEvent).unwrap();
    for handle in [0x4000_0001, irq] {
        let hs = handles(&[handle]);
        w.call(&MessageRepr {
            copy_handles: &hs,
            ..EMPTY
        });
        w.receive();
        assert_eq!(w.status(), done(ResultCode::INVALID_HANDLE), "{handle:#x}");
    }
}

#[test]
fn s22_server_table_full() {
    let mut w = World::build(
        ModelKernel::new(),
        ProcessSpec {
            handle_capacity: Some(1),
            ..ProcessSpec::default()
        },
    );
    let e = w.event(w.c);
    let (client_before, server_before) = (w.k.handle_count(w.c), w.k.handle_count(w.s));
    let hs = handles(&[e]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    w.receive();
    assert_eq!(w.status(), done(ResultCode::OUT_OF_HANDLES));
    assert_eq!(w.k.handle_count(w.c), client_before);
    assert_eq!(w.k.handle_count(w.s), server_before);
}

#[test]
fn s23_move_handle_in_request_refused() {
    let mut w = World::new();
    let e = w.event(w.c);
    let hs = handles(&[e]);
    w.call(&MessageRepr {
        move_handles: &hs,
        ..EMPTY
    });
    assert_eq!(w.receive(), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::INVALID_COMBINATION));
    assert!(w.k.handle_object(w.c, e).is_some());
}

#[test]
fn s24_reply_moves_a_handle() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    let e = w.event(w.s);
    let object = w.k.handle_object(w.s, e);
    let hs = handles(&[e]);
    w.reply(&MessageRepr {
        move_handles: &hs,
        ..EMPTY
    });
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    let got = w.cw(4)[3];
    assert_ne!(got, 0);
    assert_eq!(w.k.handle_object(w.c, got), object);
    assert_eq!(w.k.handle_object(w.s, e), None);
    assert_eq!(w.k.close_handle(w.s, e), ResultCode::INVALID_HANDLE);
}

#[test]
fn s25_move_failure_still_consumes_later_handles() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    let e = w.event(w.s);
    let client_before = w.k.handle_count(w.c);
    let hs = handles(&[0x1234, e]);
    assert_eq!(
        w.reply(&MessageRepr {
            move_handles: &hs,
            ..EMPTY
        }),
        TIMED_OUT,
        "the reply half succeeds"
    );
    assert_eq!(w.status(), done(ResultCode::INVALID_HANDLE));
    assert_eq!(w.k.handle_object(w.s, e), None);
    assert_eq!(w.k.handle_count(w.c), client_before);
}

#[test]
fn s26_move_pseudo_handle_refused() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    let hs = handles(&[CURRENT_PROCESS]);
    w.reply(&MessageRepr {
        move_handles: &hs,
        ..EMPTY
    });
    assert_eq!(w.status(), done(ResultCode::INVALID_HANDLE));
}

#[test]
fn s27_reply_zero_handles() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    let (copy, moves) = (handles(&[0]), handles(&[0]));
    w.reply(&MessageRepr {
        copy_handles: &copy,
        move_handles: &moves,
        ..EMPTY
    });
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    assert_eq!(w.cw(5)[3..5], [0, 0]);
}

// ------------------------------------------------------------------------------------
// §8 Pointer descriptors and receive lists

/// Sends one request with `xs` (data: byte `0x40 + i` at CHEAP + 0x100·i) to a
/// server whose buffer holds `server`; returns the receive outcome.
fn send_x(
    w: &mut World,
    server: &MessageRepr<'_>,
    xs: &[PointerDescriptor],
    raw_words: &[u32],
) -> WaitOutcome {
    for i in 0..4u64 {
        w.fill(w.c, CHEAP + 0x100 * i, 0x100, 0x40 + i as u8);
    }
    w.server(server);
    let r = raw(raw_words);
    w.call(&MessageRepr {
        x: xs,
        raw: &r,
        ..EMPTY
    });
    w.receive()
}

fn single(address: u64, size: u64) -> [ReceiveListEntry; 1] {
    [c(address, size)]
}

#[test]
fn s28_no_receive_list() {
    let mut w = World::new();
    send_x(&mut w, &EMPTY, &[x(0, CHEAP, 0x10)], &[]);
    assert_eq!(w.status(), done(ResultCode::OUT_OF_RESOURCE));
}

#[test]
fn s29_zero_size_x_needs_nothing() {
    let mut w = World::new();
    assert_eq!(send_x(&mut w, &EMPTY, &[x(3, CHEAP, 0)], &[]), ok(0));
    assert_eq!(parse_x(&w.sw(4)[2..4]), (3, 0, 0));
}

#[test]
fn s30_mode1_into_message_buffer() {
    let mut w = World::new();
    let server = MessageRepr {
        recv_list_count: 1,
        ..EMPTY
    };
    assert_eq!(
        send_x(&mut w, &server, &[x(0, CHEAP, 0x10)], &[7, 8]),
        ok(0)
    );
    let tls = w.stls();
    assert_eq!(parse_x(&w.sw(4)[2..4]), (0, tls + 0x20, 0x10));
    assert_eq!(w.bytes(w.s, tls + 0x20, 0x10), vec![0x40; 0x10]);
}

#[test]
fn s31_mode1_two_pointers_aligned() {
    let mut w = World::new();
    let server = MessageRepr {
        recv_list_count: 1,
        ..EMPTY
    };
    let xs = [x(0, CHEAP, 0x08), x(0, CHEAP + 0x100, 0x10)];
    assert_eq!(send_x(&mut w, &server, &xs, &[]), ok(0));
    let tls = w.stls();
    let words = w.sw(6);
    assert_eq!(parse_x(&words[2..4]).1, tls + 0x20);
    assert_eq!(parse_x(&words[4..6]).1, tls + 0x30);
    assert_eq!(w.bytes(w.s, tls + 0x30, 0x10), vec![0x41; 0x10]);
}

#[test]
fn s32_mode1_does_not_fit() {
    let mut w = World::new();
    let server = MessageRepr {
        recv_list_count: 1,
        ..EMPTY
    };
    send_x(&mut w, &server, &[x(0, CHEAP, 0xF1)], &[]);
    assert_eq!(w.status(), done(ResultCode::OUT_OF_RESOURCE));
    let mut w = World::new();
    assert_eq!(send_x(&mut w, &server, &[x(0, CHEAP, 0xF0)], &[]), ok(0));
}

fn mode2(entry: &[ReceiveListEntry; 1]) -> MessageRepr<'_> {
    MessageRepr {
        recv_list_count: 2,
        c: entry,
        ..EMPTY
    }
}

#[test]
fn s33_mode2_packs_pointers() {
    let mut w = World::new();
    let entry = single(SHEAP, 0x100);
    let xs = [x(5, CHEAP, 0x10), x(9, CHEAP + 0x100, 0x20)];
    assert_eq!(send_x(&mut w, &mode2(&entry), &xs, &[]), ok(0));
    let words = w.sw(6);
    assert_eq!(parse_x(&words[2..4]), (5, SHEAP, 0x10));
    assert_eq!(parse_x(&words[4..6]), (9, SHEAP + 0x10, 0x20));
    assert_eq!(w.bytes(w.s, SHEAP, 0x10), vec![0x40; 0x10]);
    assert_eq!(w.bytes(w.s, SHEAP + 0x10, 0x20), vec![0x41; 0x20]);
}

#[test]
fn s34_mode2_unaligned_entry_rounds_up() {
    let mut w = World::new();
    let entry = single(SHEAP + 4, 0x100);
    assert_eq!(
        send_x(&mut w, &mode2(&entry), &[x(0, CHEAP, 0x10)], &[]),
        ok(0)
    );
    assert_eq!(parse_x(&w.sw(4)[2..4]).1, SHEAP + 0x10);
}

#[test]
fn s35_s36_mode2_overflow_and_empty_entry() {
    for (entry_size, xs) in [
        (0x20, vec![x(0, CHEAP, 0x10), x(0, CHEAP + 0x100, 0x20)]),
        (0, vec![x(0, CHEAP, 0x10)]),
    ] {
        let mut w = World::new();
        let entry = single(SHEAP, entry_size);
        send_x(&mut w, &mode2(&entry), &xs, &[]);
        assert_eq!(w.status(), done(ResultCode::OUT_OF_RESOURCE));
    }
}

fn indexed(entries: &[ReceiveListEntry]) -> MessageRepr<'_> {
    MessageRepr {
        recv_list_count: entries.len() as u8 + 2,
        c: entries,
        ..EMPTY
    }
}

#[test]
fn s37_indexed_exact_entry() {
    let mut w = World::new();
    let entries = [c(SHEAP + 4, 0x100), c(SHEAP + 0x204, 0x100)];
    assert_eq!(
        send_x(&mut w, &indexed(&entries), &[x(1, CHEAP, 0x10)], &[]),
        ok(0)
    );
    assert_eq!(parse_x(&w.sw(4)[2..4]), (1, SHEAP + 0x204, 0x10));
    assert_eq!(w.bytes(w.s, SHEAP + 0x204, 0x10), vec![0x40; 0x10]);
}

#[test]
fn s38_s39_indexed_out_of_range_or_too_small() {
    let entries = [c(SHEAP, 0x100), c(SHEAP + 0x200, 0x100)];
    let mut w = World::new();
    send_x(&mut w, &indexed(&entries), &[x(2, CHEAP, 0x10)], &[]);
    assert_eq!(w.status(), done(ResultCode::OUT_OF_RESOURCE));
    let small = [c(SHEAP, 0x8), c(SHEAP + 0x200, 0x100)];
    let mut w = World::new();
    send_x(&mut w, &indexed(&small), &[x(0, CHEAP, 0x10)], &[]);
    assert_eq!(w.status(), done(ResultCode::OUT_OF_RESOURCE));
}

#[test]
fn s40_indexed_same_entry_twice() {
    let mut w = World::new();
    let entries = [c(SHEAP, 0x100), c(SHEAP + 0x200, 0x100)];
    let xs = [x(0, CHEAP, 0x10), x(0, CHEAP + 0x100, 0x10)];
    assert_eq!(send_x(&mut w, &indexed(&entries), &xs, &[]), ok(0));
    let words = w.sw(6);
    assert_eq!(parse_x(&words[2..4]).1, SHEAP);
    assert_eq!(parse_x(&words[4..6]).1, SHEAP);
    assert_eq!(w.bytes(w.s, SHEAP, 0x10), vec![0x41; 0x10]);
}

#[test]
fn s41_receive_list_offset_honoured() {
    let mut w = World::new();
    let entry = single(SHEAP + 0x300, 0x100);
    let server = MessageRepr {
        recv_list_count: 2,
        recv_list_offset: 40,
        c: &entry,
        ..EMPTY
    };
    w.server(&server);
    // A decoy entry where the list would be without the offset.
    let decoy = c(SHEAP, 0x100);
    let tls = w.stls();
    w.put_words(w.s, tls + 8, &[decoy.address_low.get(), decoy.word1.get()]);
    w.fill(w.c, CHEAP, 0x10, 0x40);
    w.call(&MessageRepr {
        x: &[x(0, CHEAP, 0x10)],
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    assert_eq!(parse_x(&w.sw(4)[2..4]).1, SHEAP + 0x300);
    assert_eq!(w.bytes(w.s, SHEAP + 0x300, 0x10), vec![0x40; 0x10]);
}

#[test]
fn s42_s43_x_source_unmapped_or_uncached() {
    let mut w = World::new();
    let entry = single(SHEAP, 0x100);
    send_x(&mut w, &mode2(&entry), &[x(0, 0x5000_0000, 0x10)], &[]);
    assert_eq!(w.status(), done(ResultCode::INVALID_CURRENT_MEMORY));

    let mut w = World::new();
    let mut uncached = region(EXTRA, 0x1000, MemoryState::Normal, Permission::Rw);
    uncached.attributes.uncached = true;
    w.k.map_memory(w.c, &uncached).unwrap();
    send_x(&mut w, &mode2(&entry), &[x(0, EXTRA, 0x10)], &[]);
    assert_eq!(w.status(), done(ResultCode::INVALID_CURRENT_MEMORY));
}

#[test]
fn s44_reply_x_into_client_receive_list() {
    let mut w = World::new();
    let entry = single(CHEAP + 0x100, 0x100);
    w.call(&mode2(&entry));
    assert_eq!(w.receive(), ok(0));
    w.fill(w.s, SHEAP, 0x20, 0x77);
    w.reply(&MessageRepr {
        x: &[x(2, SHEAP, 0x20)],
        ..EMPTY
    });
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    assert_eq!(parse_x(&w.cw(4)[2..4]), (2, CHEAP + 0x100, 0x20));
    assert_eq!(w.bytes(w.c, CHEAP + 0x100, 0x20), vec![0x77; 0x20]);
}

#[test]
fn s45_reply_x_without_client_receive_list() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    let out = w.reply(&MessageRepr {
        x: &[x(0, SHEAP, 0x10)],
        ..EMPTY
    });
    assert_eq!(out, TIMED_OUT, "the server's reply half succeeds");
    assert_eq!(w.status(), done(ResultCode::OUT_OF_RESOURCE));
}

#[test]
fn s46_client_bad_receive_list_offset_fails_at_reply() {
    let mut w = World::new();
    let at = w.ctls();
    w.put_words(w.c, at, &[0, 1 << 20]);
    assert_eq!(w.send(), SendOutcome::Pending);
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.reply(&EMPTY), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::INVALID_COMBINATION));
}

#[test]
fn s46a_reply_x_into_client_tls_mode1() {
    let mut w = World::new();
    w.call(&MessageRepr {
        recv_list_count: 1,
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    w.fill(w.s, SHEAP, 0x10, 0x66);
    w.reply(&MessageRepr {
        x: &[x(0, SHEAP, 0x10)],
        ..EMPTY
    });
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    let tls = w.ctls();
    assert_eq!(parse_x(&w.cw(4)[2..4]).1, tls + 0x10);
    assert_eq!(w.bytes(w.c, tls + 0x10, 0x10), vec![0x66; 0x10]);
}

#[test]
fn s46b_reply_header_configures_next_receive() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    // A second client thread queues a request with one X.
    let t2 = w.k.create_thread(w.c).unwrap();
    let t2_tls = w.k.tls_address(t2);
    w.fill(w.c, CHEAP, 0x10, 0x55);
    w.put(
        w.c,
        t2_tls,
        &MessageRepr {
            x: &[x(0, CHEAP, 0x10)],
            ..EMPTY
        },
    );
    assert_eq!(
        w.k.send_sync_request(t2, w.ch, MessageBuffer::Tls),
        SendOutcome::Pending
    );
    // The reply carries the receive list for the next request.
    let entry = single(SHEAP + 0x200, 0x100);
    w.server(&mode2(&entry));
    let out =
        w.k.reply_and_receive(w.st, &[w.sh], w.sh, 0, MessageBuffer::Tls);
    assert_eq!(out, ok(0));
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    assert_eq!(parse_x(&w.sw(4)[2..4]).1, SHEAP + 0x200);
    assert_eq!(w.bytes(w.s, SHEAP + 0x200, 0x10), vec![0x55; 0x10]);
}

#[test]
fn s46c_client_receive_list_does_not_fit() {
    let mut w = World::new();
    let r = raw(&[0; 60]);
    let entries = [c(CHEAP, 0x10), c(CHEAP, 0x10), c(CHEAP, 0x10)];
    w.call(&MessageRepr {
        raw: &r,
        recv_list_count: 5,
        c: &entries,
        ..EMPTY
    });
    assert_eq!(w.receive(), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::INVALID_COMBINATION));
}

#[test]
fn s46d_copied_handle_rolled_back_after_pointer_failure() {
    let mut w = World::new();
    let e = w.event(w.c);
    let before = w.k.handle_count(w.s);
    let hs = handles(&[e]);
    w.fill(w.c, CHEAP, 0x10, 1);
    w.call(&MessageRepr {
        copy_handles: &hs,
        x: &[x(0, CHEAP, 0x10)],
        ..EMPTY
    });
    assert_eq!(w.receive(), wait(ResultCode::RECEIVE_LIST_BROKEN, Some(0)));
    assert_eq!(w.status(), done(ResultCode::OUT_OF_RESOURCE));
    assert_eq!(w.k.handle_count(w.s), before);
}

// ------------------------------------------------------------------------------------
// §8 Map-alias buffers

/// The (address, size, attribute) of the first map-alias descriptor the server sees
/// (no special header, no X).
fn server_buffer(w: &mut World, n: usize) -> (u64, u64, u8) {
    let words = w.sw(2 + 3 * (n + 1));
    parse_buffer(&words[2 + 3 * n..5 + 3 * n])
}

#[test]
fn s47_a_buffer() {
    let mut w = World::new();
    w.fill(w.c, CHEAP, 0x2000, 0x11);
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0x2000, 0)],
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    let (address, size, attribute) = server_buffer(&mut w, 0);
    assert_eq!((address & 0xFFF, size, attribute), (0, 0x2000, 0));
    assert_eq!(w.bytes(w.s, address, 0x2000), vec![0x11; 0x2000]);
    let info = w.k.query_memory(w.s, address).unwrap();
    assert_eq!(
        (info.state, info.permission),
        (MemoryState::Ipc, Permission::R)
    );
    let client = w.k.query_memory(w.c, CHEAP).unwrap();
    assert_eq!(client.permission, Permission::R);
    assert!(client.attributes.ipc_locked);
    assert!(!w.k.user_can_access(w.c, CHEAP, 4, true));

    w.reply(&EMPTY);
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    let client = w.k.query_memory(w.c, CHEAP).unwrap();
    assert_eq!(client.permission, Permission::Rw);
    assert!(client.attributes.is_empty());
    assert!(w.k.ipc_mappings(w.s).unwrap().is_empty());
}

#[test]
fn s48_a_size_zero() {
    let mut w = World::new();
    w.call(&MessageRepr {
        a: &[bd(CHEAP + 0x123, 0, 1)],
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    assert_eq!(server_buffer(&mut w, 0), (0, 0, 1));
    assert!(w.k.ipc_mappings(w.s).unwrap().is_empty());
}

#[test]
fn s49_attribute_2_refused_even_size_zero() {
    let mut w = World::new();
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0, 2)],
        ..EMPTY
    });
    w.receive();
    assert_eq!(w.status(), done(ResultCode::INVALID_COMBINATION));
}

#[test]
fn s50_unmapped_a_and_read_only_b() {
    let mut w = World::new();
    w.call(&MessageRepr {
        a: &[bd(0x5000_0000, 0x100, 0)],
        ..EMPTY
    });
    w.receive();
    assert_eq!(w.status(), done(ResultCode::INVALID_CURRENT_MEMORY));

    w.k.map_memory(
        w.c,
        &region(EXTRA, 0x1000, MemoryState::Normal, Permission::R),
    )
    .unwrap();
    w.call(&MessageRepr {
        b: &[bd(EXTRA, 0x100, 0)],
        ..EMPTY
    });
    w.receive();
    assert_eq!(w.status(), done(ResultCode::INVALID_CURRENT_MEMORY));
}

#[test]
fn s51_shared_memory_cannot_be_lent_but_can_be_pointed_at() {
    let mut w = World::new();
    w.k.map_memory(
        w.c,
        &region(EXTRA, 0x1000, MemoryState::Shared, Permission::Rw),
    )
    .unwrap();
    for attribute in [0, 1, 3] {
        w.call(&MessageRepr {
            a: &[bd(EXTRA, 0x100, attribute)],
            ..EMPTY
        });
        w.receive();
        assert_eq!(
            w.status(),
            done(ResultCode::INVALID_CURRENT_MEMORY),
            "attribute {attribute}"
        );
    }
    let entry = single(SHEAP, 0x100);
    w.server(&mode2(&entry));
    w.call(&MessageRepr {
        x: &[x(0, EXTRA, 0x10)],
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
}

#[test]
fn s51a_forwarding_a_non_secure_buffer() {
    for (attribute, expected) in [
        (0, ResultCode::INVALID_CURRENT_MEMORY),
        (1, ResultCode::SUCCESS),
        (3, ResultCode::SUCCESS),
    ] {
        let mut w = World::new();
        w.call(&MessageRepr {
            a: &[bd(CHEAP, 0x1000, 1)],
            ..EMPTY
        });
        assert_eq!(w.receive(), ok(0));
        let (address, size, _) = server_buffer(&mut w, 0);
        let info = w.k.query_memory(w.s, address).unwrap();
        assert_eq!(info.state, MemoryState::NonSecureIpc);
        // S forwards it to a third process T.
        let t = w.k.create_process(&ProcessSpec::default()).unwrap();
        let tt = w.k.main_thread(t).unwrap();
        let session = w.k.create_session(t, w.s).unwrap();
        let stls = w.stls();
        w.put(
            w.s,
            stls,
            &MessageRepr {
                a: &[bd(address, size, attribute)],
                ..EMPTY
            },
        );
        assert_eq!(
            w.k.send_sync_request(w.st, session.client, MessageBuffer::Tls),
            SendOutcome::Pending
        );
        let out =
            w.k.reply_and_receive(tt, &[session.server], 0, 0, MessageBuffer::Tls);
        if expected.is_success() {
            assert_eq!(out, ok(0));
            assert_eq!(w.k.request_status(w.st), RequestStatus::Pending);
        } else {
            assert_eq!(w.k.request_status(w.st), done(expected));
        }
    }
}

/// Scenarios 52-54: a B or W buffer of `size` at CHEAP + `offset`, client bytes 0xAA
/// around it; the server sees `seen` and then writes 0x5C over the whole range.
fn lend_and_edit(kind: char, offset: u64, size: u64) -> (World, Vec<u8>) {
    let mut w = World::new();
    w.fill(w.c, CHEAP, 0x4000, 0xAA);
    let desc = [bd(CHEAP + offset, size, 0)];
    let repr = match kind {
        'b' => MessageRepr { b: &desc, ..EMPTY },
        _ => MessageRepr { w: &desc, ..EMPTY },
    };
    w.call(&repr);
    assert_eq!(w.receive(), ok(0));
    let (address, got_size, _) = server_buffer(&mut w, 0);
    assert_eq!(got_size, size);
    assert_eq!(address & 0xFFF, offset & 0xFFF);
    let seen = w.bytes(w.s, address, size as usize);
    w.fill(w.s, address, size as usize, 0x5C);
    (w, seen)
}

#[test]
fn s52_b_partial_pages_fill_then_copy_back() {
    let (mut w, seen) = lend_and_edit('b', 0x100, 0x2000);
    // Head partial page: 0xF00 bytes of fill; the full middle page is shared; the
    // tail partial page: 0x100 bytes of fill.
    assert!(seen[..0xF00].iter().all(|&b| b == 0));
    assert!(seen[0xF00..0x1F00].iter().all(|&b| b == 0xAA));
    assert!(seen[0x1F00..].iter().all(|&b| b == 0));
    w.reply(&EMPTY);
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    assert_eq!(w.bytes(w.c, CHEAP + 0x100, 0x2000), vec![0x5C; 0x2000]);
    assert_eq!(w.bytes(w.c, CHEAP + 0xFF, 1), vec![0xAA]);
    assert_eq!(w.bytes(w.c, CHEAP + 0x2100, 1), vec![0xAA]);
}

#[test]
fn s53_w_copies_both_ways() {
    let (mut w, seen) = lend_and_edit('w', 0x100, 0x2000);
    assert_eq!(seen, vec![0xAA; 0x2000]);
    w.reply(&EMPTY);
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    assert_eq!(w.bytes(w.c, CHEAP + 0x100, 0x2000), vec![0x5C; 0x2000]);
    assert_eq!(w.bytes(w.c, CHEAP + 0xFF, 1), vec![0xAA]);
    assert_eq!(w.bytes(w.c, CHEAP + 0x2100, 1), vec![0xAA]);
}

#[test]
fn s54_w_inside_one_page() {
    let (mut w, seen) = lend_and_edit('w', 0x10, 0x20);
    assert_eq!(seen, vec![0xAA; 0x20]);
    // The server scribbles over its whole fresh page, outside the range too.
    let (address, _, _) = server_buffer(&mut w, 0);
    w.fill(w.s, address & !0xFFF, 0x1000, 0x33);
    w.reply(&EMPTY);
    assert_eq!(w.bytes(w.c, CHEAP + 0x10, 0x20), vec![0x33; 0x20]);
    assert_eq!(w.bytes(w.c, CHEAP, 0x10), vec![0xAA; 0x10]);
    assert_eq!(w.bytes(w.c, CHEAP + 0x30, 0x10), vec![0xAA; 0x10]);
}

#[test]
fn s55_lent_b_full_pages_inaccessible() {
    let mut w = World::new();
    w.call(&MessageRepr {
        b: &[bd(CHEAP + 0x100, 0x2000, 0)],
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    assert!(!w.k.user_can_access(w.c, CHEAP + 0x1000, 0x1000, false));
    assert!(w.k.user_can_access(w.c, CHEAP, 0x100, true));
    assert!(w.k.user_can_access(w.c, CHEAP + 0x2000, 0x200, true));
    let info = w.k.query_memory(w.c, CHEAP + 0x1000).unwrap();
    assert_eq!(info.permission, Permission::None);
    assert!(info.attributes.ipc_locked);
}

#[test]
fn s56_alias_region_exhausted() {
    let small = || ProcessSpec {
        alias_region_size: Some(0x4000),
        ..ProcessSpec::default()
    };
    let mut w = World::build(ModelKernel::new(), small());
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0x4000, 0)],
        ..EMPTY
    });
    w.receive();
    assert_eq!(w.status(), done(ResultCode::OUT_OF_ADDRESS_SPACE));

    let mut w = World::build(ModelKernel::new(), small());
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0x2000, 0), bd(CHEAP + 0x4000, 0x1000, 0)],
        ..EMPTY
    });
    w.receive();
    assert_eq!(w.status(), done(ResultCode::OUT_OF_ADDRESS_SPACE));
    assert!(w.k.ipc_mappings(w.s).unwrap().is_empty());
    assert_eq!(
        w.k.query_memory(w.c, CHEAP).unwrap().permission,
        Permission::Rw
    );
}

#[test]
fn s57_map_alias_in_reply_refused() {
    let mut w = World::new();
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0x1000, 0)],
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.k.ipc_mappings(w.s).unwrap().len(), 1);
    let out = w.reply(&MessageRepr {
        a: &[bd(SHEAP, 0x100, 0)],
        ..EMPTY
    });
    assert_eq!(out, TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::INVALID_COMBINATION));
    assert!(w.k.ipc_mappings(w.s).unwrap().is_empty());
    assert_eq!(
        w.k.query_memory(w.c, CHEAP).unwrap().permission,
        Permission::Rw
    );
}

#[test]
fn s58_second_descriptor_fails_first_undone() {
    let mut w = World::new();
    w.k.map_memory(
        w.c,
        &region(EXTRA, 0x1000, MemoryState::Normal, Permission::R),
    )
    .unwrap();
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0x1000, 0)],
        b: &[bd(EXTRA, 0x100, 0)],
        ..EMPTY
    });
    w.receive();
    assert_eq!(w.status(), done(ResultCode::INVALID_CURRENT_MEMORY));
    assert!(w.k.ipc_mappings(w.s).unwrap().is_empty());
    let info = w.k.query_memory(w.c, CHEAP).unwrap();
    assert_eq!(info.permission, Permission::Rw);
    assert!(info.attributes.is_empty());
}

#[test]
fn s59_nine_a_descriptors() {
    let mut w = World::new();
    let descs: Vec<BufferDescriptor> = (0..9).map(|i| bd(CHEAP + 0x1000 * i, 0x1000, 0)).collect();
    w.call(&MessageRepr { a: &descs, ..EMPTY });
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.k.ipc_mappings(w.s).unwrap().len(), 9);
    w.reply(&EMPTY);
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    assert!(w.k.ipc_mappings(w.s).unwrap().is_empty());
}

// ------------------------------------------------------------------------------------
// §8 Sessions, syscalls and ordering

#[test]
fn s60_send_on_a_non_session_handle() {
    let mut w = World::new();
    let e = w.event(w.c);
    assert_eq!(
        w.k.send_sync_request(w.ct, e, MessageBuffer::Tls),
        SendOutcome::Returned(ResultCode::INVALID_HANDLE)
    );
    assert_eq!(
        w.k.send_sync_request(w.ct, CURRENT_PROCESS, MessageBuffer::Tls),
        SendOutcome::Returned(ResultCode::INVALID_HANDLE)
    );
}

#[test]
fn s61_user_buffer_checks() {
    let mut w = World::new();
    w.k.map_memory(
        w.c,
        &region(EXTRA, 0x1000, MemoryState::Shared, Permission::Rw),
    )
    .unwrap();
    let cases = [
        (CHEAP + 0x800, 0x1000, ResultCode::INVALID_ADDRESS),
        (CHEAP, 0, ResultCode::INVALID_SIZE),
        (CHEAP, 0x1800, ResultCode::INVALID_SIZE),
        (
            0xFFFF_FFFF_FFFF_F000,
            0x2000,
            ResultCode::INVALID_CURRENT_MEMORY,
        ),
        (EXTRA, 0x1000, ResultCode::INVALID_CURRENT_MEMORY),
        (0x5000_0000, 0x1000, ResultCode::INVALID_CURRENT_MEMORY),
    ];
    for (address, size, expected) in cases {
        let buffer = MessageBuffer::User { address, size };
        assert_eq!(
            w.k.send_sync_request(w.ct, w.ch, buffer),
            SendOutcome::Returned(expected),
            "{address:#x}/{size:#x}"
        );
    }
    // The same buffer in use by another thread.
    let buffer = MessageBuffer::User {
        address: CHEAP,
        size: 0x1000,
    };
    assert_eq!(
        w.k.send_sync_request(w.ct, w.ch, buffer),
        SendOutcome::Pending
    );
    let t2 = w.k.create_thread(w.c).unwrap();
    assert_eq!(
        w.k.send_sync_request(t2, w.ch, buffer),
        SendOutcome::Returned(ResultCode::INVALID_CURRENT_MEMORY)
    );
    let info = w.k.query_memory(w.c, CHEAP).unwrap();
    assert!(info.attributes.locked);
    assert_eq!(info.permission, Permission::None);
}

#[test]
fn s62_too_many_wait_handles() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    let many = vec![w.sh; 65];
    let out =
        w.k.reply_and_receive(w.st, &many, w.sh, 0, MessageBuffer::Tls);
    assert_eq!(out, wait(ResultCode::OUT_OF_RANGE, None));
    assert_eq!(w.status(), RequestStatus::Pending);
    let sixty_four = vec![w.sh; 64];
    let out =
        w.k.reply_and_receive(w.st, &sixty_four, w.sh, 0, MessageBuffer::Tls);
    assert_eq!(out, TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
}

#[test]
fn s63_invalid_wait_handle_no_reply() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    // A client session is not a synchronization object.
    let client_session_in_s = w.k.create_session(w.c, w.s).unwrap().client;
    for bad in [0x1234, CURRENT_THREAD, client_session_in_s] {
        let out =
            w.k.reply_and_receive(w.st, &[bad], w.sh, 0, MessageBuffer::Tls);
        assert_eq!(out, wait(ResultCode::INVALID_HANDLE, None), "{bad:#x}");
    }
    // An invalid reply target: not written either.
    let out =
        w.k.reply_and_receive(w.st, &[], 0x1234, 0, MessageBuffer::Tls);
    assert_eq!(out, wait(ResultCode::INVALID_HANDLE, None));
    assert_eq!(w.status(), RequestStatus::Pending);
}

#[test]
fn s64_reply_without_request() {
    let mut w = World::new();
    assert_eq!(w.reply(&EMPTY), wait(ResultCode::INVALID_STATE, Some(-1)));
}

#[test]
fn s65_reply_only_idiom() {
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.reply(&EMPTY), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
}

/// Two client threads queue tags 1 then 2; returns the tag the server receives first.
fn first_received_tag(k: ModelKernel) -> u32 {
    let mut w = World::with(k);
    let t2 = w.k.create_thread(w.c).unwrap();
    w.call(&MessageRepr { tag: 1, ..EMPTY });
    let t2_tls = w.k.tls_address(t2);
    w.put(w.c, t2_tls, &MessageRepr { tag: 2, ..EMPTY });
    assert_eq!(
        w.k.send_sync_request(t2, w.ch, MessageBuffer::Tls),
        SendOutcome::Pending
    );
    assert_eq!(w.receive(), ok(0));
    w.sw(1)[0]
}

#[test]
fn s66_fifo() {
    assert_eq!(first_received_tag(ModelKernel::new()), 1);
}

#[test]
fn s67_current_request_not_signaled() {
    let mut w = World::new();
    let t2 = w.k.create_thread(w.c).unwrap();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    let t2_tls = w.k.tls_address(t2);
    w.put(w.c, t2_tls, &EMPTY);
    assert_eq!(
        w.k.send_sync_request(t2, w.ch, MessageBuffer::Tls),
        SendOutcome::Pending
    );
    assert_eq!(w.receive(), TIMED_OUT);
    // After the reply the queued one is received.
    let out =
        w.k.reply_and_receive(w.st, &[w.sh], w.sh, 0, MessageBuffer::Tls);
    assert_eq!(out, ok(0));
}

#[test]
fn s68_server_closes_with_current_and_queued() {
    let mut w = World::new();
    let t2 = w.k.create_thread(w.c).unwrap();
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0x1000, 0)],
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    let t2_tls = w.k.tls_address(t2);
    w.put(w.c, t2_tls, &EMPTY);
    assert_eq!(
        w.k.send_sync_request(t2, w.ch, MessageBuffer::Tls),
        SendOutcome::Pending
    );
    assert_eq!(w.k.close_handle(w.s, w.sh), ResultCode::SUCCESS);
    assert_eq!(w.status(), done(ResultCode::SESSION_CLOSED));
    assert_eq!(w.k.request_status(t2), done(ResultCode::SESSION_CLOSED));
    assert!(w.k.ipc_mappings(w.s).unwrap().is_empty());
    assert_eq!(
        w.k.query_memory(w.c, CHEAP).unwrap().permission,
        Permission::Rw
    );
    // s71: sending after the server end closed.
    w.request(&EMPTY);
    assert_eq!(w.send(), SendOutcome::Returned(ResultCode::SESSION_CLOSED));
}

#[test]
fn s69_client_closes() {
    let mut w = World::new();
    assert_eq!(w.k.close_handle(w.c, w.ch), ResultCode::SUCCESS);
    assert_eq!(w.receive(), wait(ResultCode::SESSION_CLOSED, Some(0)));
    // Permanently signaled.
    assert_eq!(w.receive(), wait(ResultCode::SESSION_CLOSED, Some(0)));
}

#[test]
fn s70_reply_after_async_client_closed() {
    let mut w = World::new();
    w.put(w.c, CHEAP, &EMPTY);
    let event =
        w.k.send_async_request(w.ct, w.ch, CHEAP, 0x1000)
            .unwrap()
            .unwrap();
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.k.close_handle(w.c, w.ch), ResultCode::SUCCESS);
    let e = w.event(w.s);
    let hs = handles(&[e]);
    let out = w.reply(&MessageRepr {
        move_handles: &hs,
        ..EMPTY
    });
    assert_eq!(out, wait(ResultCode::SESSION_CLOSED, Some(-1)));
    assert_eq!(w.k.handle_object(w.s, e), None);
    assert!(w.k.event_signaled(w.c, event).unwrap());
    assert_eq!(
        w.words(w.c, CHEAP, 3),
        vec![0, 0, ResultCode::SESSION_CLOSED.0]
    );
    assert!(w.k.user_can_access(w.c, CHEAP, 4, true));
}

#[test]
fn s71_send_after_server_closed() {
    let mut w = World::new();
    assert_eq!(w.k.close_handle(w.s, w.sh), ResultCode::SUCCESS);
    w.request(&EMPTY);
    assert_eq!(w.send(), SendOutcome::Returned(ResultCode::SESSION_CLOSED));
}

#[test]
fn async_request_success_and_failure() {
    let mut w = World::new();
    let r = raw(&[1, 2]);
    w.put(w.c, CHEAP, &MessageRepr { raw: &r, ..EMPTY });
    let event =
        w.k.send_async_request(w.ct, w.ch, CHEAP, 0x1000)
            .unwrap()
            .unwrap();
    assert!(!w.k.event_signaled(w.c, event).unwrap());
    assert!(!w.k.user_can_access(w.c, CHEAP, 4, false));
    assert_eq!(w.status(), RequestStatus::Idle, "async does not block");
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.sw(4), vec![0, 2, 1, 2]);
    let reply = raw(&[9]);
    w.reply(&MessageRepr {
        tag: 7,
        raw: &reply,
        ..EMPTY
    });
    assert!(w.k.event_signaled(w.c, event).unwrap());
    assert_eq!(w.words(w.c, CHEAP, 3), vec![7, 1, 9]);
    assert!(w.k.user_can_access(w.c, CHEAP, 4, true));

    // A failure is written as a null header and the result.
    let e = w.event(w.c);
    let hs = handles(&[e]);
    w.put(
        w.c,
        CHEAP,
        &MessageRepr {
            move_handles: &hs,
            ..EMPTY
        },
    );
    let event =
        w.k.send_async_request(w.ct, w.ch, CHEAP, 0x1000)
            .unwrap()
            .unwrap();
    assert_eq!(w.receive(), TIMED_OUT);
    assert!(w.k.event_signaled(w.c, event).unwrap());
    assert_eq!(
        w.words(w.c, CHEAP, 3),
        vec![0, 0, ResultCode::INVALID_COMBINATION.0]
    );
}

#[test]
fn receive_failure_then_next_request_in_same_wait() {
    // A non-broken failure is swallowed and the wait goes on to the next request.
    let mut w = World::new();
    w.server_words_put(&[0, 60 << 20]);
    let t2 = w.k.create_thread(w.c).unwrap();
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0, 2)],
        ..EMPTY
    });
    let t2_tls = w.k.tls_address(t2);
    w.put(w.c, t2_tls, &MessageRepr { tag: 9, ..EMPTY });
    assert_eq!(
        w.k.send_sync_request(t2, w.ch, MessageBuffer::Tls),
        SendOutcome::Pending
    );
    assert_eq!(w.receive(), ok(0));
    assert_eq!(w.status(), done(ResultCode::INVALID_COMBINATION));
    assert_eq!(w.sw(1)[0], 9);
}

#[test]
fn lowest_signaled_index_wins_and_events_wake() {
    let mut w = World::new();
    w.call(&EMPTY);
    let e = w.event(w.s);
    // Only the session is signaled.
    let out =
        w.k.reply_and_receive(w.st, &[e, w.sh], 0, 0, MessageBuffer::Tls);
    assert_eq!(out, ok(1));
}

#[test]
fn never_panics_on_garbage() {
    // Every header word pattern from a small family, into both directions.
    for w0 in [0u32, 0xFFFF_FFFF, 0x0F0F_0000, 0xF000_0000] {
        for w1 in [0u32, 0xFFFF_FFFF, 0x8000_03FF, 0x7FF0_3C00, 0x8000_0001] {
            let mut w = World::new();
            let at = w.ctls();
            w.put_words(w.c, at, &[w0, w1, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]);
            let _ = w.send();
            let _ = w.receive();
            let stls = w.stls();
            w.put_words(w.s, stls, &[w0, w1, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]);
            let _ =
                w.k.reply_and_receive(w.st, &[w.sh], w.sh, 0, MessageBuffer::Tls);
            let _ = w.status();
        }
    }
}

#[test]
fn reply_failure_takes_back_client_handles() {
    // §5.4: a failure after the special data removes the handles the client got.
    let mut w = World::new();
    w.call(&EMPTY);
    assert_eq!(w.receive(), ok(0));
    let e = w.event(w.s);
    let client_before = w.k.handle_count(w.c);
    let hs = handles(&[e]);
    let out = w.reply(&MessageRepr {
        pid: Some(0),
        copy_handles: &hs,
        x: &[x(0, SHEAP, 0x10)],
        ..EMPTY
    });
    assert_eq!(out, TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::OUT_OF_RESOURCE));
    assert_eq!(w.k.handle_count(w.c), client_before);
    // Header = the reply's, PID and handle slots zeroed.
    let words = w.cw(6);
    assert_eq!(words[0], 1 << 16);
    assert_eq!(words[3..6], [0, 0, 0]);
    assert!(
        w.k.handle_object(w.s, e).is_some(),
        "copies stay with the server"
    );
}

#[test]
fn handle_rollback_quirk_is_replicated() {
    // §4.7 quirk: the request's receive list (offset 0x80 words) does not fit the
    // server's TLS although its raw data does, so the rollback re-parse gives up and
    // the copied handle stays in the server's table.
    let mut w = World::new();
    let e = w.event(w.c);
    let hs = handles(&[e]);
    let entry = single(CHEAP, 0x10);
    w.put(
        w.c,
        CHEAP + 0x1000,
        &MessageRepr {
            copy_handles: &hs,
            x: &[x(0, CHEAP, 0x10)],
            recv_list_count: 2,
            recv_list_offset: 0x80,
            c: &entry,
            ..EMPTY
        },
    );
    let before = w.k.handle_count(w.s);
    let buffer = MessageBuffer::User {
        address: CHEAP + 0x1000,
        size: 0x1000,
    };
    assert_eq!(
        w.k.send_sync_request(w.ct, w.ch, buffer),
        SendOutcome::Pending
    );
    assert_eq!(w.receive(), wait(ResultCode::RECEIVE_LIST_BROKEN, Some(0)));
    assert_eq!(w.status(), done(ResultCode::OUT_OF_RESOURCE));
    assert_eq!(w.k.handle_count(w.s), before + 1);
}

#[test]
fn mode1_into_locked_server_user_buffer() {
    let mut w = World::new();
    w.put(
        w.s,
        SHEAP,
        &MessageRepr {
            recv_list_count: 1,
            ..EMPTY
        },
    );
    w.fill(w.c, CHEAP, 0x10, 0x42);
    w.call(&MessageRepr {
        x: &[x(0, CHEAP, 0x10)],
        ..EMPTY
    });
    let buffer = MessageBuffer::User {
        address: SHEAP,
        size: 0x1000,
    };
    assert_eq!(w.k.reply_and_receive(w.st, &[w.sh], 0, 0, buffer), ok(0));
    let words = w.words(w.s, SHEAP, 4);
    assert_eq!(parse_x(&words[2..4]).1, SHEAP + 0x10);
    assert_eq!(w.bytes(w.s, SHEAP + 0x10, 0x10), vec![0x42; 0x10]);
}

#[test]
fn unmap_failure_at_reply_goes_to_the_client() {
    // The server lends its A mapping on (another thread forwards it): the mapping
    // is IPC-locked, so unmapping at reply fails and the client gets 0xD401.
    let mut w = World::new();
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0x1000, 0)],
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    let (address, size, _) = server_buffer(&mut w, 0);
    let t = w.k.create_process(&ProcessSpec::default()).unwrap();
    let tt = w.k.main_thread(t).unwrap();
    let session = w.k.create_session(t, w.s).unwrap();
    let st2 = w.k.create_thread(w.s).unwrap();
    let st2_tls = w.k.tls_address(st2);
    w.put(
        w.s,
        st2_tls,
        &MessageRepr {
            a: &[bd(address, size, 0)],
            ..EMPTY
        },
    );
    assert_eq!(
        w.k.send_sync_request(st2, session.client, MessageBuffer::Tls),
        SendOutcome::Pending
    );
    assert_eq!(
        w.k.reply_and_receive(tt, &[session.server], 0, 0, MessageBuffer::Tls),
        ok(0)
    );
    assert_eq!(w.reply(&EMPTY), TIMED_OUT);
    assert_eq!(w.status(), done(ResultCode::INVALID_CURRENT_MEMORY));
}

#[test]
fn never_panics_on_random_messages() {
    // Deterministic xorshift: random words (biased towards small counts and heap
    // addresses) in both buffers, random buffers, sends, receives and replies.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut w = World::new();
        let e = w.event(w.c);
        for _ in 0..6 {
            let mut words = Vec::new();
            for i in 0..64 {
                let r = next();
                words.push(match r % 5 {
                    0 => r as u32,
                    1 => (r as u32) & 0x0F0F_3C0F,
                    2 => (CHEAP as u32) + ((r >> 8) as u32 & 0x3FFF),
                    3 => {
                        if i == 3 {
                            e
                        } else {
                            (r >> 16) as u32 & 0xFF
                        }
                    }
                    _ => 0x0010_0000 | ((r >> 20) as u32 & 0x7),
                });
            }
            let (ctls, stls) = (w.ctls(), w.stls());
            let buffer = if next() % 4 == 0 {
                w.put_words(w.c, CHEAP, &words);
                MessageBuffer::User {
                    address: CHEAP,
                    size: 0x1000,
                }
            } else {
                w.put_words(w.c, ctls, &words);
                MessageBuffer::Tls
            };
            let _ = w.k.send_sync_request(w.ct, w.ch, buffer);
            let reply: Vec<u32> = words
                .iter()
                .map(|v| v.rotate_left((next() % 32) as u32))
                .collect();
            w.put_words(w.s, stls, &reply);
            let target = if next() % 2 == 0 { w.sh } else { 0 };
            let _ =
                w.k.reply_and_receive(w.st, &[w.sh], target, 0, MessageBuffer::Tls);
            w.put_words(w.s, stls, &reply);
            let _ =
                w.k.reply_and_receive(w.st, &[], w.sh, 0, MessageBuffer::Tls);
        }
    }
}

// ------------------------------------------------------------------------------------
// Faults: each changes the behaviour a probe observes.

/// Runs `probe` on the official model and on the model with `fault`.
fn differs<T: PartialEq + std::fmt::Debug>(fault: Fault, probe: fn(ModelKernel) -> T) -> (T, T) {
    let good = probe(ModelKernel::new());
    let bad = probe(ModelKernel::with_fault(fault));
    assert_ne!(good, bad, "{fault} does not change what the probe observes");
    (good, bad)
}

fn probe_pid(k: ModelKernel) -> Vec<u32> {
    let mut w = World::with(k);
    w.call(&MessageRepr {
        pid: Some(0x1111_2222_3333_4444),
        ..EMPTY
    });
    w.receive();
    w.sw(5)[3..5].to_vec()
}

fn probe_copy(k: ModelKernel) -> bool {
    let mut w = World::with(k);
    let e = w.event(w.c);
    let hs = handles(&[e]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    w.receive();
    w.k.handle_object(w.c, e).is_some()
}

fn probe_move_reply(k: ModelKernel) -> bool {
    let mut w = World::with(k);
    w.call(&EMPTY);
    w.receive();
    let e = w.event(w.s);
    let hs = handles(&[e]);
    w.reply(&MessageRepr {
        move_handles: &hs,
        ..EMPTY
    });
    w.k.handle_object(w.s, e).is_some()
}

fn probe_move_request(k: ModelKernel) -> RequestStatus {
    let mut w = World::with(k);
    let e = w.event(w.c);
    let hs = handles(&[e]);
    w.call(&MessageRepr {
        move_handles: &hs,
        ..EMPTY
    });
    w.receive();
    w.status()
}

fn probe_x_placement(
    k: ModelKernel,
    server: &MessageRepr<'_>,
    xs: &[PointerDescriptor],
) -> (RequestStatus, Vec<u32>) {
    let mut w = World::with(k);
    send_x(&mut w, server, xs, &[]);
    (w.status(), w.sw(2 + 2 * xs.len()))
}

fn probe_unaligned(k: ModelKernel) -> (RequestStatus, Vec<u32>) {
    let entry = single(SHEAP + 4, 0x100);
    probe_x_placement(k, &mode2(&entry), &[x(0, CHEAP, 0x10)])
}

fn probe_index(k: ModelKernel) -> (RequestStatus, Vec<u32>) {
    let entries = [c(SHEAP, 0x100), c(SHEAP + 0x200, 0x100)];
    probe_x_placement(k, &indexed(&entries), &[x(1, CHEAP, 0x10)])
}

fn probe_offset(k: ModelKernel) -> u64 {
    let mut w = World::with(k);
    let entry = single(SHEAP + 0x300, 0x100);
    w.server(&MessageRepr {
        recv_list_count: 2,
        recv_list_offset: 40,
        c: &entry,
        ..EMPTY
    });
    let decoy = c(SHEAP, 0x100);
    let tls = w.stls();
    w.put_words(w.s, tls + 8, &[decoy.address_low.get(), decoy.word1.get()]);
    w.call(&MessageRepr {
        x: &[x(0, CHEAP, 0x10)],
        ..EMPTY
    });
    w.receive();
    parse_x(&w.sw(4)[2..4]).1
}

fn probe_zero_x(k: ModelKernel) -> (RequestStatus, Vec<u32>) {
    probe_x_placement(k, &EMPTY, &[x(0, CHEAP, 0)])
}

fn probe_map_alias_reply(k: ModelKernel) -> RequestStatus {
    let mut w = World::with(k);
    w.call(&EMPTY);
    w.receive();
    w.reply(&MessageRepr {
        a: &[bd(SHEAP, 0x100, 0)],
        ..EMPTY
    });
    w.status()
}

fn probe_b_head(k: ModelKernel) -> (Vec<u8>, Vec<u8>) {
    let mut w = World::with(k);
    w.fill(w.c, CHEAP, 0x3000, 0xAA);
    w.call(&MessageRepr {
        b: &[bd(CHEAP + 0x100, 0x2000, 0)],
        ..EMPTY
    });
    w.receive();
    let (address, _, _) = server_buffer(&mut w, 0);
    let seen = w.bytes(w.s, address, 4);
    w.fill(w.s, address, 0x2000, 0x5C);
    w.reply(&EMPTY);
    (seen, w.bytes(w.c, CHEAP + 0x100, 4))
}

fn probe_attribute_2(k: ModelKernel) -> RequestStatus {
    let mut w = World::with(k);
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0x100, 2)],
        ..EMPTY
    });
    w.receive();
    w.status()
}

fn probe_rollback(k: ModelKernel) -> usize {
    let mut w = World::with(k);
    let e = w.event(w.c);
    let hs = handles(&[e]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        x: &[x(0, CHEAP, 0x10)],
        ..EMPTY
    });
    w.receive();
    w.k.handle_count(w.s)
}

fn probe_error_routing(k: ModelKernel) -> (WaitOutcome, RequestStatus) {
    let mut w = World::with(k);
    w.server_words_put(&[0, 60 << 20]);
    let hs = handles(&[0x1234]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    (w.receive(), w.status())
}

fn probe_reply_without_request(k: ModelKernel) -> WaitOutcome {
    World::with(k).reply(&EMPTY)
}

fn probe_w_only(k: ModelKernel) -> (usize, Vec<u32>) {
    let mut w = World::with(k);
    let r = raw(&[0xAB, 0xCD]);
    w.call(&MessageRepr {
        w: &[bd(CHEAP, 0x1000, 0)],
        raw: &r,
        ..EMPTY
    });
    w.receive();
    (w.k.ipc_mappings(w.s).unwrap().len(), w.sw(7)[5..7].to_vec())
}

fn probe_pseudo(k: ModelKernel) -> bool {
    let mut w = World::with(k);
    let hs = handles(&[CURRENT_PROCESS]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    w.receive();
    let got = w.sw(4)[3];
    let client = w.k.process_object(w.c);
    w.k.handle_object(w.s, got) == Some(client)
}

fn probe_interrupt(k: ModelKernel) -> RequestStatus {
    let mut w = World::with(k);
    let irq = w.k.create_event(w.c, EventKind::InterruptEvent).unwrap();
    let hs = handles(&[irq]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    w.receive();
    w.status()
}

fn probe_copy_zero(k: ModelKernel) -> RequestStatus {
    let mut w = World::with(k);
    let hs = handles(&[0]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    w.receive();
    w.status()
}

fn probe_a_permissions(k: ModelKernel) -> (Permission, Permission) {
    let mut w = World::with(k);
    w.call(&MessageRepr {
        a: &[bd(CHEAP, 0x1000, 0)],
        ..EMPTY
    });
    w.receive();
    let (address, _, _) = server_buffer(&mut w, 0);
    (
        w.k.query_memory(w.s, address).unwrap().permission,
        w.k.query_memory(w.c, CHEAP).unwrap().permission,
    )
}

fn probe_broken(k: ModelKernel) -> WaitOutcome {
    let mut w = World::with(k);
    let hs = handles(&[0x1234]);
    w.call(&MessageRepr {
        copy_handles: &hs,
        ..EMPTY
    });
    w.receive()
}

/// The probe that shows each fault. The match is exhaustive, so a new fault
/// without a probe does not compile.
fn check_fault(fault: Fault) {
    match fault {
        Fault::PidNotSubstituted => {
            let (_, bad) = differs(fault, probe_pid);
            assert_eq!(bad, vec![0x3333_4444, 0x1111_2222]);
        }
        Fault::CopyHandleMoved => assert_eq!(differs(fault, probe_copy), (true, false)),
        Fault::MoveHandleLeftInSender => {
            assert_eq!(differs(fault, probe_move_reply), (false, true));
        }
        Fault::MoveHandlesAcceptedInRequest => {
            let (_, bad) = differs(fault, probe_move_request);
            assert_eq!(bad, RequestStatus::Pending);
        }
        Fault::SingleBufferUnaligned => {
            let (_, bad) = differs(fault, probe_unaligned);
            assert_eq!(parse_x(&bad.1[2..4]).1, SHEAP + 4);
        }
        Fault::IndexIgnored => {
            let (_, bad) = differs(fault, probe_index);
            assert_eq!(parse_x(&bad.1[2..4]).1, SHEAP);
        }
        Fault::RecvListOffsetIgnored => {
            assert_eq!(differs(fault, probe_offset), (SHEAP + 0x300, SHEAP));
        }
        Fault::ZeroSizeXRejected => {
            let (_, bad) = differs(fault, probe_zero_x);
            assert_eq!(bad.0, done(ResultCode::OUT_OF_RESOURCE));
        }
        Fault::MapAliasAllowedInReply => {
            let (_, bad) = differs(fault, probe_map_alias_reply);
            assert_eq!(bad, done(ResultCode::SUCCESS));
        }
        Fault::BNotCopiedBack => {
            let (_, bad) = differs(fault, probe_b_head);
            assert_eq!(bad.1, vec![0xAA; 4]);
        }
        Fault::Attribute2Accepted => {
            let (_, bad) = differs(fault, probe_attribute_2);
            assert_eq!(bad, RequestStatus::Pending);
        }
        Fault::NoHandleRollback => {
            let (good, bad) = differs(fault, probe_rollback);
            assert_eq!(bad, good + 1);
        }
        Fault::ErrorToServer => {
            let (_, bad) = differs(fault, probe_error_routing);
            assert_eq!(
                bad,
                (
                    wait(ResultCode::INVALID_HANDLE, Some(0)),
                    RequestStatus::Pending
                )
            );
        }
        Fault::LifoQueue => assert_eq!(differs(fault, first_received_tag), (1, 2)),
        Fault::ReplyWithoutRequestAccepted => {
            let (_, bad) = differs(fault, probe_reply_without_request);
            assert_eq!(bad, TIMED_OUT);
        }
        Fault::WOnlyNotTranslated => {
            let (good, bad) = differs(fault, probe_w_only);
            assert_eq!(good.1, vec![0xAB, 0xCD]);
            assert_eq!(bad.0, 0);
        }
        Fault::PseudoHandleResolvesToReceiver => {
            assert_eq!(differs(fault, probe_pseudo), (true, false));
        }
        Fault::BPartialPagesCopied => {
            let (_, bad) = differs(fault, probe_b_head);
            assert_eq!(bad.0, vec![0xAA; 4]);
        }
        Fault::InterruptEventTransferable => {
            let (_, bad) = differs(fault, probe_interrupt);
            assert_eq!(bad, RequestStatus::Pending);
        }
        Fault::CopyHandleZeroRejected => {
            let (_, bad) = differs(fault, probe_copy_zero);
            assert_eq!(bad, done(ResultCode::INVALID_HANDLE));
        }
        Fault::ServerMapsAWritable => {
            let (_, bad) = differs(fault, probe_a_permissions);
            assert_eq!(bad.0, Permission::Rw);
        }
        Fault::ClientPagesNotReprotected => {
            let (_, bad) = differs(fault, probe_a_permissions);
            assert_eq!(bad.1, Permission::Rw);
        }
        Fault::ReceiveListNeverBroken => {
            let (good, bad) = differs(fault, probe_broken);
            assert_eq!(good.result, ResultCode::RECEIVE_LIST_BROKEN);
            assert_eq!(bad, TIMED_OUT);
        }
    }
}

macro_rules! fault_tests {
    ($($test:ident => $fault:ident,)*) => {
        $(
            #[test]
            fn $test() {
                check_fault(Fault::$fault);
            }
        )*

        #[test]
        fn every_fault_has_a_test() {
            let tested = [$(Fault::$fault),*];
            for fault in Fault::ALL {
                assert!(tested.contains(fault), "no test for {fault}");
            }
        }
    };
}

fault_tests! {
    fault_pid_not_substituted => PidNotSubstituted,
    fault_copy_handle_moved => CopyHandleMoved,
    fault_move_handle_left_in_sender => MoveHandleLeftInSender,
    fault_move_handles_accepted_in_request => MoveHandlesAcceptedInRequest,
    fault_single_buffer_unaligned => SingleBufferUnaligned,
    fault_index_ignored => IndexIgnored,
    fault_recv_list_offset_ignored => RecvListOffsetIgnored,
    fault_zero_size_x_rejected => ZeroSizeXRejected,
    fault_map_alias_allowed_in_reply => MapAliasAllowedInReply,
    fault_b_not_copied_back => BNotCopiedBack,
    fault_attribute_2_accepted => Attribute2Accepted,
    fault_no_handle_rollback => NoHandleRollback,
    fault_error_to_server => ErrorToServer,
    fault_lifo_queue => LifoQueue,
    fault_reply_without_request_accepted => ReplyWithoutRequestAccepted,
    fault_w_only_not_translated => WOnlyNotTranslated,
    fault_pseudo_handle_resolves_to_receiver => PseudoHandleResolvesToReceiver,
    fault_b_partial_pages_copied => BPartialPagesCopied,
    fault_interrupt_event_transferable => InterruptEventTransferable,
    fault_copy_handle_zero_rejected => CopyHandleZeroRejected,
    fault_server_maps_a_writable => ServerMapsAWritable,
    fault_client_pages_not_reprotected => ClientPagesNotReprotected,
    fault_receive_list_never_broken => ReceiveListNeverBroken,
}

#[test]
fn fault_names_are_unique_and_round_trip() {
    let mut names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
    for fault in Fault::ALL {
        assert_eq!(Fault::from_name(fault.name()), Some(*fault));
        assert!(!fault.description().is_empty());
        assert!(
            fault
                .name()
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        );
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Fault::ALL.len());
}

/// Found by fuzzing (`fuzz/`, target `kernel`): a page set up with the IpcLocked
/// attribute (memory already lent by another IPC, which §4.4 step 3 allows lending
/// again) kept its permission but lost the attribute once a request lent it and the
/// reply returned it: the model counted no lock for it.
#[test]
fn fuzz_page_set_up_ipc_locked_stays_ipc_locked_after_a_lend() {
    let mut w = World::new();
    let lent = MemoryRegion {
        attributes: MemoryAttributes {
            ipc_locked: true,
            ..MemoryAttributes::default()
        },
        ..region(EXTRA, 0x1000, MemoryState::Normal, Permission::Rw)
    };
    w.k.map_memory(w.c, &lent).unwrap();
    let before = w.k.query_memory(w.c, EXTRA).unwrap();
    w.call(&MessageRepr {
        tag: 4,
        a: &[bd(EXTRA, 0x1000, 0)],
        ..EMPTY
    });
    assert_eq!(w.receive(), ok(0));
    w.reply(&EMPTY);
    assert_eq!(w.status(), done(ResultCode::SUCCESS));
    assert_eq!(w.k.query_memory(w.c, EXTRA).unwrap(), before);
}
