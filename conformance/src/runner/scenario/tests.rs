#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use super::*;
use crate::kernel::{
    Capability, EventKind, KernelError, MemoryAttributes, MemoryInfo, MemoryRegion, MemoryState,
    ObjectId, Permission, ProcessSpec, RequestStatus, SessionHandles, WaitOutcome,
};
use crate::runner::{Failure, load_error_outcome, run_test};
use crate::vector::{Test, load_str};

/// A stub kernel: sparse memory per process, a handle table mapping handles to
/// object ids, canned syscall results, and a log of every call.
struct Fake {
    calls: Vec<String>,
    memory: BTreeMap<(u64, u64), u8>,
    processes: u64,
    /// Thread id -> process id.
    threads: Vec<u64>,
    handles: BTreeMap<(u64, u32), u64>,
    next_handle: u32,
    next_object: u64,
    send: SendOutcome,
    status: RequestStatus,
    wait: WaitOutcome,
    /// Written into the receiving thread's TLS by reply_and_receive.
    receive: Option<Vec<u8>>,
    /// Handles added to the server's table by reply_and_receive: (handle, same
    /// object as this (process, handle)).
    receive_handles: Vec<(u32, (u64, u32))>,
    signaled: bool,
    mappings: Vec<MemoryInfo>,
    fail_events: bool,
    /// Declare `user-buffer` (and `async`).
    user_buffers: bool,
    /// More capabilities to declare.
    more: Vec<Capability>,
}

impl Default for Fake {
    fn default() -> Self {
        Fake {
            calls: Vec::new(),
            memory: BTreeMap::new(),
            processes: 0,
            threads: Vec::new(),
            handles: BTreeMap::new(),
            next_handle: 0x10002,
            next_object: 1,
            send: SendOutcome::Pending,
            status: RequestStatus::Idle,
            wait: WaitOutcome {
                result: ResultCode::SUCCESS,
                out_index: Some(0),
            },
            receive: None,
            receive_handles: Vec::new(),
            signaled: false,
            mappings: Vec::new(),
            fail_events: false,
            user_buffers: false,
            more: Vec::new(),
        }
    }
}

fn tls(thread: u64) -> u64 {
    0x1000_0000 + thread * 0x1000
}

impl Fake {
    fn new_handle(&mut self, process: u64) -> u32 {
        let h = self.next_handle;
        self.next_handle += 2;
        self.handles.insert((process, h), self.next_object);
        self.next_object += 1;
        h
    }
    fn read(&self, process: u64, address: u64, len: usize) -> Vec<u8> {
        (0..len as u64)
            .map(|i| {
                self.memory
                    .get(&(process, address + i))
                    .copied()
                    .unwrap_or(0)
            })
            .collect()
    }
}

impl Kernel for Fake {
    fn info(&mut self) -> KernelInfo {
        let mut info = info();
        if self.user_buffers {
            info.capabilities
                .extend([Capability::UserBuffer, Capability::Async]);
        }
        info.capabilities.extend(self.more.iter().copied());
        info
    }
    fn reset(&mut self) -> Result<(), KernelError> {
        self.calls.push("reset".into());
        Ok(())
    }
    fn create_process(&mut self, spec: &ProcessSpec) -> Result<ProcessRef, KernelError> {
        self.calls.push(format!("create_process {}", spec.name));
        self.processes += 1;
        self.threads.push(self.processes);
        Ok(ProcessRef(self.processes))
    }
    fn main_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError> {
        let t = self.threads.iter().position(|&p| p == process.0).unwrap();
        Ok(ThreadRef(t as u64))
    }
    fn create_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError> {
        self.threads.push(process.0);
        Ok(ThreadRef(self.threads.len() as u64 - 1))
    }
    fn map_memory(
        &mut self,
        process: ProcessRef,
        region: &MemoryRegion,
    ) -> Result<(), KernelError> {
        self.calls.push(format!(
            "map_memory {:#x}+{:#x}",
            region.address, region.size
        ));
        for (i, b) in region.contents.iter().enumerate() {
            self.memory
                .insert((process.0, region.address + i as u64), *b);
        }
        Ok(())
    }
    fn create_event(&mut self, process: ProcessRef, _: EventKind) -> Result<Handle, KernelError> {
        if self.fail_events {
            return Err(KernelError("events are not supported".into()));
        }
        Ok(self.new_handle(process.0))
    }
    fn create_session(
        &mut self,
        server: ProcessRef,
        client: ProcessRef,
    ) -> Result<SessionHandles, KernelError> {
        Ok(SessionHandles {
            server: self.new_handle(server.0),
            client: self.new_handle(client.0),
        })
    }
    fn send_sync_request(
        &mut self,
        thread: ThreadRef,
        session: Handle,
        _: MessageBuffer,
    ) -> SendOutcome {
        self.calls.push(format!("send {} {session:#x}", thread.0));
        self.send
    }
    fn send_async_request(
        &mut self,
        thread: ThreadRef,
        session: Handle,
        address: u64,
        size: u64,
    ) -> Result<Result<Handle, ResultCode>, KernelError> {
        self.calls.push(format!(
            "send_async {} {session:#x} {address:#x} {size:#x}",
            thread.0
        ));
        let p = self.threads[thread.0 as usize];
        Ok(Ok(self.new_handle(p)))
    }
    fn reply_and_receive(
        &mut self,
        thread: ThreadRef,
        handles: &[Handle],
        reply_target: Handle,
        timeout_ns: i64,
        _: MessageBuffer,
    ) -> WaitOutcome {
        self.calls.push(format!(
            "reply_and_receive {} {handles:x?} {reply_target:#x} {timeout_ns}",
            thread.0
        ));
        let p = self.threads[thread.0 as usize];
        if let Some(bytes) = self.receive.clone() {
            for (i, b) in bytes.iter().enumerate() {
                self.memory.insert((p, tls(thread.0) + i as u64), *b);
            }
        }
        for (h, source) in self.receive_handles.clone() {
            let object = self.handles[&source];
            self.handles.insert((p, h), object);
        }
        self.wait
    }
    fn close_handle(&mut self, process: ProcessRef, handle: Handle) -> ResultCode {
        match self.handles.remove(&(process.0, handle)) {
            Some(_) => ResultCode::SUCCESS,
            None => ResultCode::INVALID_HANDLE,
        }
    }
    fn request_status(&mut self, _: ThreadRef) -> RequestStatus {
        self.status
    }
    fn process_id(&mut self, process: ProcessRef) -> u64 {
        0x50 + process.0
    }
    fn tls_address(&mut self, thread: ThreadRef) -> u64 {
        tls(thread.0)
    }
    fn read_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
        len: usize,
    ) -> Result<Vec<u8>, KernelError> {
        Ok(self.read(process.0, address, len))
    }
    fn write_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
        bytes: &[u8],
    ) -> Result<(), KernelError> {
        self.calls.push(format!(
            "write {} {address:#x} {}",
            process.0,
            crate::hex::encode(bytes)
        ));
        for (i, b) in bytes.iter().enumerate() {
            self.memory.insert((process.0, address + i as u64), *b);
        }
        Ok(())
    }
    fn user_can_access(&mut self, _: ProcessRef, address: u64, _: usize, write: bool) -> bool {
        !(write && address >= 0x4000_0000)
    }
    fn query_memory(&mut self, _: ProcessRef, address: u64) -> Result<MemoryInfo, KernelError> {
        Ok(MemoryInfo {
            base: address & !0xfff,
            size: 0x1000,
            state: MemoryState::Ipc,
            permission: Permission::Rw,
            attributes: MemoryAttributes::default(),
        })
    }
    fn ipc_mappings(&mut self, _: ProcessRef) -> Result<Vec<MemoryInfo>, KernelError> {
        Ok(self.mappings.clone())
    }
    fn handle_object(&mut self, process: ProcessRef, handle: Handle) -> Option<ObjectId> {
        self.handles.get(&(process.0, handle)).map(|&o| ObjectId(o))
    }
    fn handle_count(&mut self, process: ProcessRef) -> usize {
        self.handles.keys().filter(|(p, _)| *p == process.0).count()
    }
    fn process_object(&mut self, process: ProcessRef) -> ObjectId {
        ObjectId(1000 + process.0)
    }
    fn thread_object(&mut self, thread: ThreadRef) -> ObjectId {
        ObjectId(2000 + thread.0)
    }
    fn event_signaled(&mut self, _: ProcessRef, _: Handle) -> Result<bool, KernelError> {
        Ok(self.signaled)
    }
}

fn info() -> KernelInfo {
    KernelInfo {
        name: "fake".into(),
        version: "0".into(),
        capabilities: vec![
            Capability::TlsBuffer,
            Capability::CopyHandles,
            Capability::AmsPidPassthrough,
            Capability::MemoryQuery,
        ],
    }
}

/// A kernel file holding one test with these keys (besides id, comment, flags, result).
fn file(keys: &str) -> VectorFile {
    file_of("hipc-vectors/1", keys)
}

/// [`file`] in a given format version (a step's buffer defaults to `"tls"` in v1,
/// to `"any"` in v2).
fn file_of(schema: &str, keys: &str) -> VectorFile {
    let text = format!(
        r#"{{"schema": "{schema}", "kind": "kernel", "topic": "t", "description": "d",
           "source": {{"spec": ["kernel-semantics.md"]}}, "notes": {{}},
           "groups": [{{"name": "g", "tests": [
             {{"id": "k-1", "comment": "c", "flags": [], "result": "valid", {keys}}}]}}]}}"#
    );
    let file = load_str("k.json", &text).unwrap();
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    file
}

fn run_on(kernel: &mut dyn Kernel, keys: &str) -> TestOutcome {
    run_file_on(kernel, &file(keys))
}

/// Runs the one test of `file` on `kernel`.
fn run_file_on(kernel: &mut dyn Kernel, file: &VectorFile) -> TestOutcome {
    let test = file.tests().next().unwrap().clone();
    let info = kernel.info();
    run_test(kernel, &info, file, &test)
}

fn failure(o: &TestOutcome) -> &Failure {
    assert_eq!(o.status, Status::Failed, "{o:?}");
    o.failure.as_ref().unwrap()
}

const SETUP: &str = r#""setup": {"processes": [{"name": "C"}, {"name": "S"}],
    "events": [{"name": "ev", "process": "C", "kind": "event"}],
    "sessions": [{"name": "s", "server": "S", "client": "C"}]}"#;

/// A request with one copy handle, as the server receives it (handle 0x30000).
fn received() -> Vec<u8> {
    crate::message_json::MessageJson {
        tag: 4,
        copy_handles: vec![0x30000],
        raw_words: vec![7],
        ..Default::default()
    }
    .to_bytes()
    .unwrap()
}

#[test]
fn capabilities_select_tests() {
    let mut k = Fake::default();
    let o = run_on(
        &mut k,
        r#""requires": ["async", "user-buffer", "tls-buffer"], "setup": {}, "steps": []"#,
    );
    assert_eq!(o.status, Status::Skipped);
    assert_eq!(
        o.reason.as_deref(),
        Some("kernel fake lacks required capabilities: async, user-buffer")
    );
    assert!(
        k.calls.is_empty(),
        "a skipped test does not touch the kernel"
    );
    let o = run_on(
        &mut k,
        r#""excludes": ["ams-pid-passthrough"], "setup": {}, "steps": []"#,
    );
    assert_eq!(o.status, Status::Skipped);
    assert!(
        o.reason
            .as_deref()
            .unwrap()
            .contains("excluded capability: ams-pid-passthrough")
    );
    let o = run_on(
        &mut k,
        r#""requires": ["tls-buffer"], "excludes": ["async"], "setup": {}, "steps": []"#,
    );
    assert_eq!(o.status, Status::Passed, "{o:?}");
    assert_eq!(k.calls, vec!["reset"]);
}

#[test]
fn a_request_is_written_sent_received_and_its_handle_checked() {
    let mut k = Fake {
        receive: Some(received()),
        receive_handles: vec![(0x30000, (1, 0x10002))],
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "send", "thread": "C", "session": "$s.client",
              "message": {{"type": 4, "copy_handles": ["$ev"], "raw_words": [7]}}, "expect": "pending"}},
            {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"],
              "expect": {{"result": "Success", "out_index": 0}}}},
            {{"op": "expect_message", "thread": "S", "message": {{"type": 4, "pid": null,
              "copy_handles": ["$h1"], "move_handles": [], "x": [], "raw_words": [7], "c": []}}}},
            {{"op": "expect_handle", "process": "S", "handle": "$h1", "valid": true,
              "same_object_as": {{"process": "C", "handle": "$ev"}}}},
            {{"op": "expect_handle", "process": "S", "handle": "0x1234", "valid": false}},
            {{"op": "expect_client", "thread": "C", "status": "idle"}}
        ]"#
        ),
    );
    assert_eq!(o.status, Status::Passed, "{o:?}");
    // The request was written to C's TLS before the send.
    let write = k
        .calls
        .iter()
        .position(|c| c.starts_with("write 1 0x10000000 04000000"))
        .unwrap();
    let send = k
        .calls
        .iter()
        .position(|c| c.starts_with("send 0 0x10006"))
        .unwrap();
    assert!(write < send, "{:?}", k.calls);
    assert!(
        k.calls
            .contains(&"reply_and_receive 1 [10004] 0x0 0".to_string()),
        "{:?}",
        k.calls
    );
    assert_eq!(
        k.read(1, tls(0) + 12, 4),
        vec![2, 0, 1, 0],
        "copy handle $ev = 0x10002"
    );
}

#[test]
fn a_differing_message_field_is_named_with_both_byte_strings() {
    let mut k = Fake {
        receive: Some(received()),
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"]}},
            {{"op": "expect_message", "thread": "S", "message": {{"type": 4, "copy_handles": ["$ev"]}}}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.step, Some(1));
    assert_eq!(f.op.as_deref(), Some("expect_message"));
    assert_eq!(f.field, "message.copy_handles[0]");
    assert_eq!(f.expected, "$ev = 0x10002");
    assert_eq!(f.actual, "0x30000");
    let detail = f.detail.as_deref().unwrap();
    assert!(detail.contains("the TLS buffer of S"), "{detail}");
    assert!(
        detail.contains("$ev was bound to 0x10002 by the set-up (the handle of event ev in C)"),
        "{detail}"
    );
    let (e, a) = (
        f.expected_bytes.as_ref().unwrap(),
        f.actual_bytes.as_ref().unwrap(),
    );
    assert_eq!(a, &received());
    assert_eq!(e.len(), a.len());
    assert_eq!(&e[12..16], &[2, 0, 1, 0]);
    assert!(
        o.reason
            .as_deref()
            .unwrap()
            .starts_with("step 1 (expect_message): message.copy_handles[0]")
    );
}

#[test]
fn a_message_that_does_not_decode_is_reported() {
    let mut k = Fake {
        receive: Some(vec![4, 0, 0, 0, 0xff, 3, 0, 0]),
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"]}},
            {{"op": "expect_message", "thread": "S", "message": {{"type": 4}}}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.field, "message");
    assert!(f.actual.contains("truncated"), "{f:?}");
}

#[test]
fn an_unbound_symbol_in_an_input_is_a_vector_error() {
    let mut k = Fake::default();
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "send", "thread": "C", "session": "$s.client", "message": {{"copy_handles": ["$h9"]}}}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.step, Some(0));
    assert_eq!(f.field, "message.copy_handles[0]");
    let reason = o.reason.as_deref().unwrap();
    assert!(
        reason.starts_with("vector error at step 0 (send)"),
        "{reason}"
    );
    assert!(
        reason.contains("$h9 is used before it is bound"),
        "{reason}"
    );
    assert!(
        !k.calls.iter().any(|c| c.starts_with("send")),
        "nothing sent"
    );

    let o = run_on(
        &mut Fake::default(),
        &format!(r#"{SETUP}, "steps": [{{"op": "close", "process": "C", "handle": "*"}}]"#),
    );
    assert!(
        failure(&o)
            .detail
            .as_deref()
            .unwrap()
            .contains("belongs in expectations")
    );
    let o = run_on(
        &mut Fake::default(),
        &format!(r#"{SETUP}, "steps": [{{"op": "close", "process": "X", "handle": 1}}]"#),
    );
    assert!(
        o.reason
            .as_deref()
            .unwrap()
            .contains("no process named \"X\""),
        "{o:?}"
    );
}

#[test]
fn kernel_errors_fail_the_test_with_the_place() {
    let mut k = Fake {
        fail_events: true,
        ..Fake::default()
    };
    let o = run_on(&mut k, &format!(r#"{SETUP}, "steps": []"#));
    let f = failure(&o);
    assert_eq!(f.field, "kernel");
    assert_eq!(
        o.reason.as_deref(),
        Some("kernel error at set-up: events are not supported")
    );
    // The report's failure object carries each part (the JSON report's fields).
    assert_eq!(
        (
            f.op.as_deref(),
            f.expected.as_str(),
            f.actual.as_str(),
            f.detail.as_deref()
        ),
        (
            Some("setup"),
            "no kernel error",
            "events are not supported",
            Some("the kernel reported an error: events are not supported")
        )
    );
    // So does a vector error's.
    let o = run_on(
        &mut Fake::default(),
        &format!(r#"{SETUP}, "steps": [{{"op": "close", "process": "X", "handle": 1}}]"#),
    );
    let f = failure(&o);
    assert_eq!(
        (f.step, f.op.as_deref(), f.expected.as_str()),
        (Some(0), Some("close"), "a vector that can be run")
    );
}

#[test]
fn results_and_out_indices() {
    let mut k = Fake {
        send: SendOutcome::Returned(ResultCode::SUCCESS),
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "send", "thread": "C", "session": "$s.client", "expect": {{"result": "InvalidHandle"}}}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.field, "result");
    assert_eq!(f.expected, "0xe401 (InvalidHandle)");
    assert_eq!(f.actual, "0x0 (Success)");

    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "send", "thread": "C", "session": "$s.client", "expect": {{"result": "SessionClosed"}}}}
        ]"#
        ),
    );
    assert_eq!(failure(&o).actual, "pending (the client blocked)");

    let mut k = Fake {
        wait: WaitOutcome {
            result: ResultCode::TIMED_OUT,
            out_index: Some(0),
        },
        ..Fake::default()
    };
    // A v1 file's `"out_index": null` asserted what kernel-semantics.md §9 leaves
    // unspecified: it is no longer checked, whatever the kernel wrote.
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"],
              "expect": {{"result": "TimedOut", "out_index": null}}}}
        ]"#
        ),
    );
    assert_eq!(o.status, Status::Passed, "{o:?}");
    // A wrong out index names the handle it points at.
    let mut k = Fake {
        wait: WaitOutcome {
            result: ResultCode::SUCCESS,
            out_index: Some(0),
        },
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"],
              "expect": {{"result": "Success", "out_index": 1}}}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        ("out_index", "1", "0")
    );
    assert!(
        f.detail
            .as_deref()
            .unwrap()
            .contains("handles[0] is $s.server"),
        "{f:?}"
    );

    let mut k = Fake {
        status: RequestStatus::Completed(ResultCode::SESSION_CLOSED),
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_client", "thread": "C", "status": {{"result": "SessionClosed"}}}},
            {{"op": "expect_client", "thread": "C", "status": "pending"}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.step, Some(1));
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        (
            "client.status",
            "pending",
            "returned 0xf601 (SessionClosed)"
        )
    );
}

#[test]
fn handles_objects_and_counts() {
    let mut k = Fake::default();
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "count_handles", "process": "C", "bind": "n"}},
            {{"op": "close", "process": "C", "handle": "$ev", "expect": {{"result": "Success"}}}},
            {{"op": "expect_handle_count", "process": "C", "count": "$n-1"}},
            {{"op": "close", "process": "C", "handle": "$ev", "expect": {{"result": "InvalidHandle"}}}},
            {{"op": "expect_handle", "process": "C", "handle": "$ev", "valid": false}},
            {{"op": "expect_handle_count", "process": "C", "count": "$n"}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.step, Some(5));
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        ("handle_count", "$n = 2", "1")
    );
    assert!(
        f.detail
            .as_deref()
            .unwrap()
            .contains("$n was bound to 2 at step 0 (handle_count)"),
        "{f:?}"
    );

    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_handle", "process": "C", "handle": "$ev", "valid": true,
              "same_object_as": {{"process": "S", "handle": "$s.server"}}}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.field, "handle.object");
    let detail = f.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("$ev (bound to 0x10002 by the set-up (the handle of event ev in C)) in C should name the same object as $s.server"),
        "{detail}"
    );
    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_handle", "process": "C", "handle": "$s.server", "valid": true}}
        ]"#
        ),
    );
    assert_eq!(failure(&o).field, "handle.valid");
    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_handle", "process": "C", "handle": "$ev", "valid": true,
              "same_object_as": {{"process_object": "C"}}}}
        ]"#
        ),
    );
    assert_eq!(failure(&o).expected, "object 1001 (process C)");
}

#[test]
fn memory_words_mappings_access_and_events() {
    let memory = r#""memory": [{"process": "C", "address": "0x20000000", "size": "0x1000",
        "state": "Normal", "permission": "rw", "fill": "0xaa",
        "contents": [{"offset": "0x10", "hex": "00112233"}]}]"#;
    let setup = SETUP.replace("\"events\"", &format!("{memory}, \"events\""));
    let mut k = Fake::default();
    let o = run_on(
        &mut k,
        &format!(
            r#"{setup}, "steps": [
            {{"op": "expect_memory", "process": "C", "address": "0x2000000e", "hex": "aaaa00112233aa"}},
            {{"op": "write", "thread": "C", "hex": "0400000002000000aabbccdd01000000"}},
            {{"op": "expect_words", "thread": "C", "offset": 2, "words": ["0xddccbbaa", "$one"]}},
            {{"op": "expect_mapping", "process": "C", "address": "0x20000010", "state": "Ipc",
              "permission": "rw", "page_offset": "0x10", "hex": "0011"}},
            {{"op": "expect_access", "process": "C", "address": "0x20000000", "size": 16, "write": true, "allowed": true}},
            {{"op": "expect_event", "process": "C", "handle": "$ev", "signaled": false}},
            {{"op": "expect_no_ipc_mappings", "process": "S"}},
            {{"op": "expect_memory", "process": "C", "address": "0x20000010", "hex": "0011223344"}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.step, Some(7), "{o:?}");
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        ("memory[0x20000014]", "0x44", "0xaa")
    );
    assert!(
        k.calls
            .contains(&"map_memory 0x20000000+0x1000".to_string())
    );

    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "write", "thread": "C", "hex": "0400000002000000aabbccdd01000000"}},
            {{"op": "expect_words", "thread": "C", "words": [4, 2, 0, 1]}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        ("words[2]", "0", "0xddccbbaa")
    );
    assert_eq!(f.expected_bytes.as_ref().unwrap().len(), 16);

    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_mapping", "process": "S", "address": "0x40000123", "page_offset": "0x120"}}
        ]"#
        ),
    );
    assert_eq!(failure(&o).field, "mapping.page_offset");
    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_mapping", "process": "S", "address": "0x40000123", "permission": "r"}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        ("mapping.permission", "r", "rw")
    );
    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_access", "process": "S", "address": "0x40000000", "size": 16, "write": true, "allowed": true}}
        ]"#
        ),
    );
    assert_eq!(failure(&o).field, "access");
    let mut k = Fake {
        signaled: true,
        mappings: vec![MemoryInfo {
            base: 0x4000_0000,
            size: 0x1000,
            state: MemoryState::Ipc,
            permission: Permission::Rw,
            attributes: MemoryAttributes::default(),
        }],
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_event", "process": "C", "handle": "$ev", "signaled": true}},
            {{"op": "expect_no_ipc_mappings", "process": "S"}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.field, "ipc_mappings");
    assert_eq!(f.actual, "block 0x40000000..0x40001000 Ipc rw");
}

#[test]
fn send_async_binds_its_event() {
    let mut k = Fake {
        user_buffers: true,
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "send_async", "thread": "C", "session": "$s.client",
              "buffer": {{"address": "0x20000000", "size": "0x1000"}}, "message": {{"type": 4}},
              "bind_event": "done", "expect": {{"result": "Success"}}}},
            {{"op": "expect_handle", "process": "C", "handle": "$done", "valid": true}},
            {{"op": "send_async", "thread": "C", "session": "$s.client", "buffer": "tls"}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(f.step, Some(2), "{o:?}");
    assert!(o.reason.as_deref().unwrap().contains("needs a user buffer"));
    assert!(
        k.calls
            .contains(&"send_async 0 0x10006 0x20000000 0x1000".to_string()),
        "{:?}",
        k.calls
    );
}

#[test]
fn malformed_tests_are_reported_with_their_path() {
    let text = r#"{"schema": "hipc-vectors/1", "kind": "kernel", "topic": "t", "description": "d",
        "source": {"spec": ["x"]}, "notes": {}, "groups": [{"name": "g", "tests": [
        {"id": "bad-1", "comment": "c", "flags": [], "result": "valid", "setup": {},
         "steps": [{"op": "close", "process": "C", "handle": 1, "expect": {"result": "Nope"}}]}]}]}"#;
    let file = load_str("bad.json", text).unwrap();
    let o = load_error_outcome(&file.errors[0], FileKind::Kernel);
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.id, "bad-1");
    assert_eq!(o.file, "bad.json");
    let reason = o.reason.unwrap();
    assert!(
        reason.contains("bad.json: test bad-1: at groups[0].tests[0].steps[0].expect"),
        "{reason}"
    );
    assert_eq!(
        o.failure.unwrap().field,
        "groups[0].tests[0].steps[0].expect"
    );
    let _ = Test::Kernel;
}

/// A Fake whose adapter faults once, during the step that sends.
struct Faulty {
    inner: Fake,
    fault: Option<KernelError>,
}

impl Kernel for Faulty {
    fn info(&mut self) -> KernelInfo {
        self.inner.info()
    }
    fn reset(&mut self) -> Result<(), KernelError> {
        self.inner.reset()
    }
    fn create_process(&mut self, spec: &ProcessSpec) -> Result<ProcessRef, KernelError> {
        self.inner.create_process(spec)
    }
    fn main_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError> {
        self.inner.main_thread(process)
    }
    fn create_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError> {
        self.inner.create_thread(process)
    }
    fn map_memory(
        &mut self,
        process: ProcessRef,
        region: &MemoryRegion,
    ) -> Result<(), KernelError> {
        self.inner.map_memory(process, region)
    }
    fn create_event(
        &mut self,
        process: ProcessRef,
        kind: EventKind,
    ) -> Result<Handle, KernelError> {
        self.inner.create_event(process, kind)
    }
    fn create_session(
        &mut self,
        s: ProcessRef,
        c: ProcessRef,
    ) -> Result<SessionHandles, KernelError> {
        self.inner.create_session(s, c)
    }
    fn send_sync_request(&mut self, t: ThreadRef, s: Handle, b: MessageBuffer) -> SendOutcome {
        self.fault = Some(KernelError("kernel process exited".into()));
        self.inner.send_sync_request(t, s, b)
    }
    fn send_async_request(
        &mut self,
        t: ThreadRef,
        s: Handle,
        a: u64,
        n: u64,
    ) -> Result<Result<Handle, ResultCode>, KernelError> {
        self.inner.send_async_request(t, s, a, n)
    }
    fn reply_and_receive(
        &mut self,
        t: ThreadRef,
        h: &[Handle],
        r: Handle,
        n: i64,
        b: MessageBuffer,
    ) -> WaitOutcome {
        self.inner.reply_and_receive(t, h, r, n, b)
    }
    fn close_handle(&mut self, p: ProcessRef, h: Handle) -> ResultCode {
        self.inner.close_handle(p, h)
    }
    fn request_status(&mut self, t: ThreadRef) -> RequestStatus {
        self.inner.request_status(t)
    }
    fn process_id(&mut self, p: ProcessRef) -> u64 {
        self.inner.process_id(p)
    }
    fn tls_address(&mut self, t: ThreadRef) -> u64 {
        self.inner.tls_address(t)
    }
    fn read_memory(&mut self, p: ProcessRef, a: u64, n: usize) -> Result<Vec<u8>, KernelError> {
        self.inner.read_memory(p, a, n)
    }
    fn write_memory(&mut self, p: ProcessRef, a: u64, b: &[u8]) -> Result<(), KernelError> {
        self.inner.write_memory(p, a, b)
    }
    fn user_can_access(&mut self, p: ProcessRef, a: u64, n: usize, w: bool) -> bool {
        self.inner.user_can_access(p, a, n, w)
    }
    fn query_memory(&mut self, p: ProcessRef, a: u64) -> Result<MemoryInfo, KernelError> {
        self.inner.query_memory(p, a)
    }
    fn ipc_mappings(&mut self, p: ProcessRef) -> Result<Vec<MemoryInfo>, KernelError> {
        self.inner.ipc_mappings(p)
    }
    fn handle_object(&mut self, p: ProcessRef, h: Handle) -> Option<ObjectId> {
        self.inner.handle_object(p, h)
    }
    fn handle_count(&mut self, p: ProcessRef) -> usize {
        self.inner.handle_count(p)
    }
    fn process_object(&mut self, p: ProcessRef) -> ObjectId {
        self.inner.process_object(p)
    }
    fn thread_object(&mut self, t: ThreadRef) -> ObjectId {
        self.inner.thread_object(t)
    }
    fn event_signaled(&mut self, p: ProcessRef, h: Handle) -> Result<bool, KernelError> {
        self.inner.event_signaled(p, h)
    }
    fn take_fault(&mut self) -> Option<KernelError> {
        self.fault.take()
    }
}

#[test]
fn an_adapter_fault_is_reported_against_its_step() {
    let mut k = Faulty {
        inner: Fake {
            send: SendOutcome::Returned(ResultCode::SUCCESS),
            ..Fake::default()
        },
        fault: None,
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "count_handles", "process": "C", "bind": "n"}},
            {{"op": "send", "thread": "C", "session": "$s.client", "expect": "pending"}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!((f.step, f.field.as_str()), (Some(1), "kernel"));
    assert_eq!(
        o.reason.as_deref(),
        Some("kernel error at step 1 (send): kernel process exited")
    );
}

// ---------------------------------------------------------------------------------
// Against the reference model kernel.

fn run_model(keys: &str) -> TestOutcome {
    let mut model = crate::model::ModelKernel::new();
    run_on(&mut model, keys)
}

const REQUEST: &str =
    r#"{"type": 4, "copy_handles": ["$ev"], "raw_words": [1229145683, 0, 17, 0]}"#;

#[test]
fn model_a_copied_handle_names_the_same_event() {
    let o = run_model(&format!(
        r#""requires": ["tls-buffer", "copy-handles"], {SETUP}, "steps": [
        {{"op": "count_handles", "process": "S", "bind": "nS"}},
        {{"op": "send", "thread": "C", "session": "$s.client", "message": {REQUEST}, "expect": "pending"}},
        {{"op": "expect_client", "thread": "C", "status": "pending"}},
        {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"],
          "expect": {{"result": "Success", "out_index": 0}}}},
        {{"op": "expect_message", "thread": "S", "message": {{"type": 4, "pid": null,
          "copy_handles": ["$h1"], "move_handles": [], "x": [], "a": [], "b": [], "w": [],
          "raw_words": [1229145683, 0, 17, 0], "recv_list_count": 0, "c": []}}}},
        {{"op": "expect_words", "thread": "S", "words": ["0x4", "0x80000004", "0x2"]}},
        {{"op": "expect_handle", "process": "S", "handle": "$h1", "valid": true,
          "same_object_as": {{"process": "C", "handle": "$ev"}}}},
        {{"op": "expect_handle_count", "process": "S", "count": "$nS+1"}},
        {{"op": "reply_and_receive", "thread": "S", "handles": [], "reply_target": "$s.server",
          "message": {{"type": 0, "raw_words": [0]}}, "expect": {{"result": "TimedOut", "out_index": null}}}},
        {{"op": "expect_client", "thread": "C", "status": {{"result": "Success"}}}},
        {{"op": "expect_message", "thread": "C", "message": {{"type": 0, "copy_handles": [], "raw_words": [0]}}}}
    ]"#
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
}

#[test]
fn model_failures_name_the_field() {
    // The server sees a new handle, not the client's number.
    let o = run_model(&format!(
        r#"{SETUP}, "steps": [
        {{"op": "send", "thread": "C", "session": "$s.client", "message": {REQUEST}}},
        {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"]}},
        {{"op": "expect_message", "thread": "S", "message": {{"type": 4, "copy_handles": ["$ev"]}}}}
    ]"#
    ));
    let f = failure(&o);
    assert_eq!(f.step, Some(2));
    assert_eq!(f.field, "message.copy_handles[0]");
    assert!(f.expected.starts_with("$ev = "), "{f:?}");
    assert!(f.expected_bytes.is_some() && f.actual_bytes.is_some());

    // A closed handle is invalid: closing it again fails.
    let o = run_model(&format!(
        r#"{SETUP}, "steps": [
        {{"op": "close", "process": "C", "handle": "$ev", "expect": {{"result": "Success"}}}},
        {{"op": "close", "process": "C", "handle": "$ev", "expect": {{"result": "Success"}}}}
    ]"#
    ));
    let f = failure(&o);
    assert_eq!((f.step, f.field.as_str()), (Some(1), "result"));
    assert_eq!(f.actual, "0xe401 (InvalidHandle)");

    // Nothing to receive: the poll times out without an out index.
    let o = run_model(&format!(
        r#"{SETUP}, "steps": [
        {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"],
          "expect": {{"result": "Success", "out_index": 0}}}}
    ]"#
    ));
    let f = failure(&o);
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        ("result", "0x0 (Success)", "0xea01 (TimedOut)")
    );
}

/// Notes what each step's call returned, and the message in S's buffer after each
/// step.
#[derive(Default)]
struct Log(Vec<String>);

impl StepObserver for Log {
    fn step_ran(&mut self, run: &mut Run<'_>, index: usize, call: Option<Call>) {
        let message = run
            .message_in("S", &BufferDecl::Tls)
            .map(|(_, m)| m.raw_words);
        self.0.push(format!("{index}: {call:?} {message:?}"));
    }
}

#[test]
fn recording_reports_every_call_and_checks_nothing() {
    let mut k = Fake {
        receive: Some(received()),
        receive_handles: vec![(0x30000, (1, 0x10002))],
        ..Fake::default()
    };
    let recorded = file(&format!(
        r#"{SETUP}, "steps": [
            {{"op": "send", "thread": "C", "session": "$s.client", "expect": {{"result": "InvalidHandle"}}}},
            {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"]}},
            {{"op": "expect_message", "thread": "S", "message": {{"raw_words": [8]}}}},
            {{"op": "close", "process": "C", "handle": "$s.client"}}
        ]"#
    ));
    let Some(Test::Kernel(test)) = recorded.tests().next() else {
        panic!("a kernel test");
    };
    let mut log = Log::default();
    record_kernel_test(&mut k, &info(), test, &mut log).unwrap();
    assert_eq!(
        log.0,
        [
            "0: Some(Send(Pending)) Some([])",
            "1: Some(ReplyAndReceive(WaitOutcome { result: ResultCode(0), out_index: Some(0) })) Some([7])",
            "2: None Some([7])",
            "3: Some(Returned(ResultCode(0))) Some([7])",
        ]
    );
    // Vector errors still end a recording, with the reason a report gives.
    let broken = file(&format!(
        r#"{SETUP}, "steps": [{{"op": "close", "process": "C", "handle": "$nope"}}]"#
    ));
    let Some(Test::Kernel(test)) = broken.tests().next() else {
        panic!("a kernel test");
    };
    let err =
        record_kernel_test(&mut Fake::default(), &info(), test, &mut Log::default()).unwrap_err();
    assert_eq!(
        err,
        "vector error at step 0 (close): handle: symbol $nope is used before it is bound"
    );
}

/// The model shaped like a kernel with only the user-buffer syscalls: every
/// `"any"` buffer is a page the runner maps.
fn run_user_buffer_model(keys: &str) -> TestOutcome {
    let mut model = crate::model::ModelKernel::with_options(crate::model::ModelOptions {
        flavour: crate::model::Flavour::parse("user-buffer-only").unwrap(),
        ..Default::default()
    });
    run_file_on(&mut model, &file_of("hipc-vectors/2", keys))
}

/// A vector error (the test is malformed, not the kernel wrong), at `path`.
fn vector_error_at(o: &TestOutcome, path: &str) {
    let f = failure(o);
    assert_eq!(f.field, path, "{o:?}");
    assert!(f.actual.starts_with("vector error: "), "{o:?}");
    assert!(
        o.reason.as_deref().unwrap().contains("vector error at "),
        "{o:?}"
    );
}

#[test]
fn each_observation_fails_when_the_kernel_differs() {
    // An event in the other state than expected.
    let mut k = Fake {
        signaled: true,
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_event", "process": "C", "handle": "$ev", "signaled": false}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        ("event.signaled", "false", "true")
    );
    // An attribute the block does not have, named by the attribute.
    let attributes = || Fake {
        more: vec![Capability::MemoryAttributes],
        ..Fake::default()
    };
    let o = run_on(
        &mut attributes(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_mapping", "process": "S", "address": "0x40000000",
              "state": "Ipc", "permission": "rw", "attributes": {{"uncached": true}}}}
        ]"#
        ),
    );
    let f = failure(&o);
    assert_eq!(
        (f.field.as_str(), f.expected.as_str(), f.actual.as_str()),
        ("mapping.attributes.uncached", "true", "false")
    );
    assert!(f.detail.as_deref().unwrap().contains("Ipc rw"), "{f:?}");
    // The same attributes as the block's: no failure.
    let o = run_on(
        &mut attributes(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_mapping", "process": "S", "address": "0x40000000",
              "attributes": {{"uncached": false, "locked": false}}}}
        ]"#
        ),
    );
    assert_eq!(o.status, Status::Passed, "{o:?}");
    // A block left in an IPC state is shown with its attributes.
    let mut k = Fake {
        mappings: vec![MemoryInfo {
            base: 0x4000_0000,
            size: 0x2000,
            state: MemoryState::NonSecureIpc,
            permission: Permission::R,
            attributes: MemoryAttributes {
                locked: true,
                uncached: true,
                ..MemoryAttributes::default()
            },
        }],
        ..Fake::default()
    };
    let o = run_on(
        &mut k,
        &format!(r#"{SETUP}, "steps": [{{"op": "expect_no_ipc_mappings", "process": "S"}}]"#),
    );
    assert_eq!(
        failure(&o).actual,
        "block 0x40000000..0x40002000 NonSecureIpc r locked+uncached"
    );
}

#[test]
fn a_handle_naming_another_object_says_which_one_was_meant() {
    for (object, what) in [
        (r#"{"thread_object": "C"}"#, "(thread C)"),
        (r#"{"process_object": "S"}"#, "(process S)"),
    ] {
        let o = run_model(&format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_handle", "process": "C", "handle": "$ev", "valid": true,
              "same_object_as": {object}}}
        ]"#
        ));
        let f = failure(&o);
        assert_eq!(f.field, "handle.object", "{o:?}");
        assert!(f.expected.ends_with(what), "{f:?}");
    }
}

#[test]
fn words_are_read_up_to_the_end_of_the_buffer_and_no_further() {
    // The last word of the 0x100-byte TLS buffer can be expected...
    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "write", "process": "C", "address": "$tls.C+0xfc", "hex": "78563412"}},
            {{"op": "expect_words", "thread": "C", "offset": 63, "words": ["0x12345678"]}}
        ]"#
        ),
    );
    assert_eq!(o.status, Status::Passed, "{o:?}");
    // ... a word past it is a vector error, not a read of the next page.
    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "expect_words", "thread": "C", "offset": 63, "words": [0, 0]}}
        ]"#
        ),
    );
    vector_error_at(&o, "words");
}

#[test]
fn malformed_steps_and_set_ups_are_vector_errors() {
    // out_index belongs to reply_and_receive.
    let o = run_on(
        &mut Fake::default(),
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "close", "process": "C", "handle": "$ev",
              "expect": {{"result": "Success", "out_index": 0}}}}
        ]"#
        ),
    );
    vector_error_at(&o, "expect.out_index");
    // An unknown name lists the names there are.
    let o = run_on(
        &mut Fake::default(),
        &format!(r#"{SETUP}, "steps": [{{"op": "close", "process": "X", "handle": 1}}]"#),
    );
    vector_error_at(&o, "process");
    assert!(
        failure(&o)
            .actual
            .ends_with("no process named \"X\" in the set-up (processes: C, S)"),
        "{o:?}"
    );
    let o = run_on(
        &mut Fake::default(),
        r#""setup": {}, "steps": [{"op": "close", "process": "X", "handle": 1}]"#,
    );
    assert!(failure(&o).actual.ends_with("(processes: none)"), "{o:?}");
    // A name is given once, to a process or a thread.
    for (setup, path) in [
        (
            r#""setup": {"processes": [{"name": "C"}, {"name": "C"}]}"#,
            "setup.processes[1].name",
        ),
        (
            r#""setup": {"processes": [{"name": "C"}], "threads": [{"name": "C", "process": "C"}]}"#,
            "setup.threads[0].name",
        ),
        (
            r#""setup": {"processes": [{"name": "C"}], "threads": [{"name": "T", "process": "C"},
               {"name": "T", "process": "C"}]}"#,
            "setup.threads[1].name",
        ),
        (
            r#""setup": {"processes": [{"name": "C"}, {"name": "S"}], "sessions": [
               {"name": "s", "server": "S", "client": "C"}, {"name": "s", "server": "S", "client": "C"}]}"#,
            "setup.sessions[1].name",
        ),
        (
            r#""setup": {"processes": [{"name": "C"}, {"name": "S"}],
               "events": [{"name": "s.server", "process": "S", "kind": "event"}],
               "sessions": [{"name": "s", "server": "S", "client": "C"}]}"#,
            "setup.sessions[0].name",
        ),
    ] {
        let mut k = Fake {
            more: vec![Capability::Threads],
            ..Fake::default()
        };
        let o = run_on(&mut k, &format!(r#"{setup}, "steps": []"#));
        vector_error_at(&o, path);
        assert!(failure(&o).actual.contains("twice"), "{o:?}");
    }
}

#[test]
fn user_buffers_the_runner_creates_sit_where_the_guide_says() {
    // One page per thread at 0x08000000 + 0x2000 * k, in set-up order (main
    // threads first), Normal rw; the message goes there.
    let o = run_user_buffer_model(
        r#""setup": {"processes": [{"name": "C"}, {"name": "S"}],
             "threads": [{"name": "C2", "process": "C"}]}, "steps": [
        {"op": "expect_mapping", "process": "C", "address": "0x08000000", "state": "Normal", "permission": "rw"},
        {"op": "expect_mapping", "process": "S", "address": "0x08002000", "state": "Normal", "permission": "rw"},
        {"op": "expect_mapping", "process": "C", "address": "0x08004000", "state": "Normal", "permission": "rw"},
        {"op": "write", "thread": "C2", "hex": "04000000"},
        {"op": "expect_memory", "process": "C", "address": "0x08004000", "hex": "04000000"}
    ]"#,
    );
    assert_eq!(o.status, Status::Passed, "{o:?}");
    // The guard page between two buffers is not mapped.
    let o = run_user_buffer_model(
        r#""setup": {"processes": [{"name": "C"}, {"name": "S"}]}, "steps": [
        {"op": "expect_mapping", "process": "C", "address": "0x08001000", "state": "Normal"}
    ]"#,
    );
    assert_eq!(failure(&o).field, "mapping.state", "{o:?}");
}

#[test]
fn set_up_regions_keep_clear_of_the_runners_buffers() {
    let region = |address: &str, size: &str| {
        format!(
            r#""setup": {{"processes": [{{"name": "C"}}], "memory": [{{"process": "C",
               "address": "{address}", "size": "{size}", "state": "Normal", "permission": "rw"}}]}},
               "steps": []"#
        )
    };
    // Overlapping the window at its first or its last page: refused, named.
    for (address, size) in [
        ("0x07fff000", "0x2000"),
        ("0x08000000", "0x1000"),
        ("0x081ff000", "0x1000"),
    ] {
        let o = run_user_buffer_model(&region(address, size));
        vector_error_at(&o, "setup.memory[0]");
    }
    // Just below and just above the window: accepted.
    for (address, size) in [("0x07fff000", "0x1000"), ("0x08200000", "0x1000")] {
        let o = run_user_buffer_model(&region(address, size));
        assert_eq!(o.status, Status::Passed, "{address}: {o:?}");
    }
    // With TLS buffers the window is the vector's to use.
    let o = run_model(&region("0x08000000", "0x1000"));
    assert_eq!(o.status, Status::Passed, "{o:?}");
}

#[test]
fn an_any_buffer_needs_one_kind_of_message_buffer_or_the_other() {
    let file = file_of(
        "hipc-vectors/2",
        &format!(
            r#"{SETUP}, "steps": [
            {{"op": "send", "thread": "C", "session": "$s.client", "message": {{"type": 4}}}}
        ]"#
        ),
    );
    let test = match file.tests().next().unwrap() {
        Test::Kernel(t) => t.clone(),
        other => panic!("{other:?}"),
    };
    assert!(test.needs.message_buffer);
    let with = |capabilities: &[Capability]| KernelInfo {
        capabilities: capabilities.to_vec(),
        ..info()
    };
    assert_eq!(skip_reason(&with(&[Capability::TlsBuffer]), &test), None);
    assert_eq!(skip_reason(&with(&[Capability::UserBuffer]), &test), None);
    let reason = skip_reason(&with(&[]), &test).unwrap();
    assert!(
        reason.contains("a message buffer (tls-buffer or user-buffer)"),
        "{reason}"
    );
}

#[test]
fn an_expect_without_a_result_expects_success() {
    let o = run_model(&format!(
        r#"{SETUP}, "steps": [
        {{"op": "close", "process": "C", "handle": "$ev", "expect": {{}}}}
    ]"#
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    let o = run_model(&format!(
        r#"{SETUP}, "steps": [
        {{"op": "close", "process": "C", "handle": "$ev"}},
        {{"op": "close", "process": "C", "handle": "$ev", "expect": {{}}}}
    ]"#
    ));
    let f = failure(&o);
    assert_eq!(
        (f.step, f.field.as_str(), f.actual.as_str()),
        (Some(1), "result", "0xe401 (InvalidHandle)")
    );
}

#[test]
fn the_runner_fills_and_writes_only_the_first_64_mib_of_a_region() {
    let region = |extra: &str| {
        format!(
            r#""setup": {{"processes": [{{"name": "C"}}], "memory": [{{"process": "C",
               "address": "0x20000000", "size": "0x4001000", "state": "Normal",
               "permission": "rw", {extra}}}]}}, "steps": []"#
        )
    };
    let o = run_on(&mut Fake::default(), &region(r#""fill": "0xaa""#));
    vector_error_at(&o, "setup.memory[0].fill");
    let o = run_on(
        &mut Fake::default(),
        &region(r#""contents": [{"offset": "0x3fffffe", "hex": "00112233"}]"#),
    );
    vector_error_at(&o, "setup.memory[0].contents[0]");
    // Contents that do not fit in the region at all.
    let o = run_on(
        &mut Fake::default(),
        &region(r#""contents": [{"offset": "0x4000ffe", "hex": "00112233"}]"#),
    );
    vector_error_at(&o, "setup.memory[0].contents[0]");
    assert!(failure(&o).actual.contains("do not fit"), "{o:?}");
    // Exactly 64 MiB filled, and contents ending exactly at 64 MiB: accepted (on
    // the model, which keeps the 64 MiB).
    let at_limit = |size: &str, extra: &str| {
        format!(
            r#""setup": {{"processes": [{{"name": "C"}}], "memory": [{{"process": "C",
               "address": "0x20000000", "size": "{size}", "state": "Normal",
               "permission": "rw", {extra}}}]}}, "steps": [
               {{"op": "expect_memory", "process": "C", "address": "0x23fffffc", "hex": "aaaaaaaa"}}]"#
        )
    };
    let o = run_model(&at_limit("0x4000000", r#""fill": "0xaa""#));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    let o = run_model(&at_limit(
        "0x4001000",
        r#""contents": [{"offset": "0x3fffffc", "hex": "aaaaaaaa"}]"#,
    ));
    assert_eq!(o.status, Status::Passed, "{o:?}");
    // A large region without fill or far contents maps (the kernel zeroes it).
    let o = run_on(
        &mut Fake::default(),
        &region(r#""contents": [{"offset": "0x10", "hex": "00112233"}]"#),
    );
    assert_eq!(o.status, Status::Passed, "{o:?}");
}

#[test]
fn a_result_that_differs_is_explained_by_what_it_means() {
    let o = run_model(&format!(
        r#"{SETUP}, "steps": [
        {{"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"],
          "expect": {{"result": "Success"}}}}
    ]"#
    ));
    assert_eq!(
        failure(&o).detail.as_deref(),
        Some("0xea01 (TimedOut) means the wait timed out (nothing to receive)")
    );
    // kernel-semantics.md §6.1, one meaning per named failure.
    for (code, meaning) in [
        (ResultCode::INVALID_HANDLE, "a bad session"),
        (ResultCode::INVALID_COMBINATION, "an invalid combination"),
        (ResultCode::INVALID_CURRENT_MEMORY, "a memory state"),
        (ResultCode::SESSION_CLOSED, "the other end closed"),
        (ResultCode::TIMED_OUT, "the wait timed out"),
        (ResultCode::OUT_OF_RESOURCE, "no receive-list slot"),
        (
            ResultCode::MESSAGE_TOO_LARGE,
            "a destination buffer smaller",
        ),
        (
            ResultCode::RECEIVE_LIST_BROKEN,
            "a receive that failed after",
        ),
        (ResultCode::INVALID_ADDRESS, "a kernel result"),
    ] {
        let text = result_meaning(code).unwrap();
        assert!(text.starts_with(meaning), "{code}: {text}");
    }
    // Success and results without a name explain nothing.
    assert_eq!(result_meaning(ResultCode::SUCCESS), None);
    assert_eq!(result_meaning(ResultCode(0x7777)), None);
}
