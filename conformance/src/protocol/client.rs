//! The runner's side of the protocol: [`ProcessKernel`], a [`Kernel`] whose every
//! operation is a request to a child process.
//!
//! Robustness: the calling thread reads the child's stdout with a deadline
//! (`poll(2)` on Unix; see `LineReader`), so every operation waits at most the
//! configured timeout. A child that exits, stops answering, writes something that
//! is not an answer, or answers another request id is killed (with its whole
//! process group) and marked down; the failing operation returns [`KernelError`]
//! (or a placeholder value, for the operations that cannot return one) and records
//! a fault that [`Kernel::take_fault`] hands to the runner, with the tail of the
//! child's stderr. The next [`Kernel::reset`] starts a fresh process, so the run
//! goes on with the next vector.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::line_reader::ReadEvent;
use super::running::Running;
use super::spawn;
use super::{
    AsyncAnswer, FEATURE_FILL, FEATURES, HelloAnswer, Op, PROTOCOL, ResultAnswer, SendAnswer,
    SessionAnswer, StatusAnswer, WaitAnswer, compact_contents, write_request_with_hex,
};
use crate::hex;
use crate::kernel::{
    Capability, EventKind, Handle, Kernel, KernelError, KernelInfo, MemoryInfo, MemoryRegion,
    MessageBuffer, ObjectId, ProcessRef, ProcessSpec, RequestStatus, ResultCode, SendOutcome,
    SessionHandles, ThreadRef, WaitOutcome,
};

/// The default per-operation timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The least time a fresh process gets to answer `hello`.
pub const MIN_STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// After this many failed restarts in a row the runner stops restarting the
/// kernel: the remaining kernel tests fail at once instead of each waiting for a
/// process that cannot start.
pub const MAX_FAILED_STARTS: usize = 3;
/// The longest answer line accepted (a longer one is garbage).
pub const MAX_LINE: u64 = 64 << 20;

/// The placeholder result code returned by operations that cannot return an error
/// when the kernel process failed (not a Horizon result, so it never matches).
pub const FAULT_RESULT: ResultCode = ResultCode(0xFFFF_FFFF);

/// How to run an out-of-process kernel.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProcessKernelConfig {
    /// The command line, run with `sh -c` (so quoting, variables and `cd dir &&` work).
    pub command: String,
    /// How long one operation may take.
    pub timeout: Duration,
    /// A file to log the exchange to: `> request`, `< answer`, `! fault`, `# start`
    /// lines (for writing and debugging an adapter).
    pub log: Option<std::path::PathBuf>,
}

impl ProcessKernelConfig {
    /// `command` with the default timeout.
    pub fn new(command: impl Into<String>) -> Self {
        ProcessKernelConfig {
            command: command.into(),
            timeout: DEFAULT_TIMEOUT,
            log: None,
        }
    }
}

/// Why a call failed.
enum CallError {
    /// The kernel answered with `error`: the process is fine.
    Answered(String),
    /// The process failed and was killed; the text says how.
    Fault(String),
}

/// A well-formed answer line, read straight into the op's answer type `T`: the
/// fast path of [`ProcessKernel::call`]. Whether `ok` and `error` were present is
/// kept apart from their values (`"ok": null` is a value).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "T: Deserialize<'de>"))]
struct Answer<T> {
    id: u64,
    #[serde(default = "none", deserialize_with = "present")]
    ok: Option<T>,
    #[serde(default = "none", deserialize_with = "present")]
    error: Option<String>,
}

impl<T: DeserializeOwned> Answer<T> {
    /// `line` as an answer object; `None` when it is not one (serde would also read
    /// a struct from a JSON array: that is no answer).
    fn read(line: &[u8]) -> Option<Answer<T>> {
        if line.trim_ascii_start().first() != Some(&b'{') {
            return None;
        }
        serde_json::from_slice(line).ok()
    }
}

fn none<T>() -> Option<T> {
    None
}

/// A key that is present: its value, whatever it is (`null` included).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// A kernel in a child process speaking `hipc-kernel/1` (see the module docs).
pub struct ProcessKernel {
    config: ProcessKernelConfig,
    info: KernelInfo,
    running: Option<Running>,
    next_id: u64,
    fault: Option<KernelError>,
    down: Option<String>,
    warnings: Vec<String>,
    starts: usize,
    failed_starts: usize,
    /// Whether the running process declared protocol feature [`FEATURE_FILL`]
    /// (negotiated anew with every process started).
    fill: bool,
    log: Option<std::fs::File>,
    /// The request line being sent, and the answer line last read (kept from call
    /// to call, so that their buffers are allocated once).
    request: Vec<u8>,
    answer: Vec<u8>,
}

impl std::fmt::Debug for ProcessKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessKernel")
            .field("config", &self.config)
            .field("info", &self.info)
            .field("running", &self.running.is_some())
            .field("starts", &self.starts)
            .finish_non_exhaustive()
    }
}

impl ProcessKernel {
    /// Starts the command and performs the handshake.
    pub fn start(config: ProcessKernelConfig) -> Result<ProcessKernel, KernelError> {
        let log = match &config.log {
            Some(path) => Some(std::fs::File::create(path).map_err(|e| {
                KernelError(format!("cannot create the log {}: {e}", path.display()))
            })?),
            None => None,
        };
        let mut kernel = ProcessKernel {
            config,
            info: KernelInfo {
                name: String::new(),
                version: String::new(),
                capabilities: Vec::new(),
            },
            running: None,
            next_id: 0,
            fault: None,
            down: None,
            warnings: Vec::new(),
            starts: 0,
            failed_starts: 0,
            fill: false,
            log,
            request: Vec::new(),
            answer: Vec::new(),
        };
        kernel.info = kernel.launch()?;
        Ok(kernel)
    }

    /// How many times the process was started (1 + restarts).
    pub fn starts(&self) -> usize {
        self.starts
    }

    /// Remarks from the handshakes (unknown capability and feature names), for
    /// the user.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The protocol features the running process declared and this runner uses
    /// (empty before a start, or when the kernel declared none).
    pub fn features(&self) -> Vec<&'static str> {
        let mut features = Vec::new();
        if self.fill {
            features.push(FEATURE_FILL);
        }
        features
    }

    /// Appends lines to the exchange log, if there is one.
    fn log(&mut self, prefix: &str, text: &str) {
        if let Some(file) = self.log.as_mut() {
            let mut block = String::new();
            for line in text.trim_end().lines() {
                let _ = writeln!(block, "{prefix} {line}");
            }
            let _ = file.write_all(block.as_bytes());
        }
    }

    /// Spawns the command and performs the handshake; returns the kernel's info.
    fn launch(&mut self) -> Result<KernelInfo, KernelError> {
        let note = format!("start {}: {}", self.starts + 1, self.config.command);
        self.log("#", &note);
        let running = Running::spawn(&self.config.command).map_err(|e| {
            KernelError(format!(
                "cannot start kernel command `{}`: {e}",
                self.config.command
            ))
        })?;
        self.running = Some(running);
        self.down = None;
        self.starts += 1;
        // Full forms until this process declares otherwise.
        self.fill = false;
        let hello = Op::Hello {
            protocol: PROTOCOL.to_owned(),
        };
        let timeout = self.config.timeout.max(MIN_STARTUP_TIMEOUT);
        let answer: HelloAnswer = match self.call(&hello, &[], timeout) {
            Ok(answer) => Ok(answer),
            Err(CallError::Answered(m)) => Err(format!("the kernel refused the handshake: {m}")),
            Err(CallError::Fault(m)) => Err(m),
        }
        .map_err(|m| {
            self.shut_down();
            KernelError(format!(
                "kernel command `{}` failed the handshake: {m}",
                self.config.command
            ))
        })?;
        if answer.protocol != PROTOCOL {
            self.shut_down();
            return Err(KernelError(format!(
                "kernel command `{}` speaks {:?}, this runner {PROTOCOL:?}",
                self.config.command, answer.protocol
            )));
        }
        let mut capabilities = Vec::new();
        for name in &answer.capabilities {
            match Capability::from_name(name) {
                Some(c) if !capabilities.contains(&c) => capabilities.push(c),
                Some(_) => {}
                None => {
                    let warning = format!("the kernel declares unknown capability {name:?}");
                    if !self.warnings.contains(&warning) {
                        self.warnings.push(warning);
                    }
                }
            }
        }
        capabilities.sort();
        for name in &answer.features {
            if !FEATURES.contains(&name.as_str()) {
                let warning = format!("the kernel declares unknown protocol feature {name:?}");
                if !self.warnings.contains(&warning) {
                    self.warnings.push(warning);
                }
            }
        }
        let fill = answer.features.iter().any(|f| f == FEATURE_FILL);
        let info = KernelInfo {
            name: answer.name,
            version: answer.version,
            capabilities,
        };
        if self.starts > 1 && info != self.info {
            self.shut_down();
            return Err(KernelError(format!(
                "the restarted kernel describes itself differently: {info:?}, first {:?}",
                self.info
            )));
        }
        self.fill = fill;
        Ok(info)
    }

    fn shut_down(&mut self) {
        if let Some(mut running) = self.running.take() {
            running.kill();
        }
    }

    /// Marks the process down after `what` happened during `op`, killing it, and
    /// returns the fault text (with the stderr tail).
    fn fail(&mut self, op: &Op, id: u64, what: String, exited: bool) -> String {
        let mut text = format!("kernel process {what} during {} (request {id})", op.name());
        let mut running_for_stderr = None;
        if let Some(mut running) = self.running.take() {
            let status = if exited {
                running.wait_exit(Duration::from_millis(1000))
            } else {
                None
            };
            if status.is_none() {
                running.kill();
            }
            let _ = write!(
                text,
                " [{}]",
                spawn::describe_status(status, running.compound)
            );
            running_for_stderr = Some(running);
        }
        // What `down` repeats to later calls: the failure, without the stderr.
        self.down = Some(text.clone());
        if let Some(running) = &running_for_stderr {
            let stderr = running.stderr_summary(Duration::from_millis(500));
            if !stderr.is_empty() {
                let _ = write!(text, "; {stderr}");
            }
        }
        self.log("!", &text);
        text
    }

    /// Sends `op` (with `hex` as its hex argument, see [`write_request_with_hex`])
    /// and waits up to `timeout` for the answer line (left in `self.answer`);
    /// returns the request id.
    fn exchange(&mut self, op: &Op, hex: &[u8], timeout: Duration) -> Result<u64, CallError> {
        let id = self.next_id;
        self.next_id += 1;
        if self.running.is_none() {
            let why = self
                .down
                .clone()
                .unwrap_or_else(|| "not running".to_owned());
            return Err(CallError::Fault(format!(
                "kernel process is down ({why}); {} not sent",
                op.name()
            )));
        }
        self.request.clear();
        write_request_with_hex(&mut self.request, id, op, hex);
        if self.log.is_some() {
            let line = String::from_utf8_lossy(&self.request).into_owned();
            self.log(">", &line);
        }
        self.request.push(b'\n');
        let Some(running) = self.running.as_mut() else {
            return Err(CallError::Fault("kernel process is down".to_owned()));
        };
        let sent = match running.stdin.as_mut() {
            // `ChildStdin` is unbuffered: one `write` for a line that fits the pipe.
            Some(stdin) => stdin.write_all(&self.request),
            None => Err(io::Error::other("stdin closed")),
        };
        if let Err(e) = sent {
            let mut what = format!("could not be written to ({e}): it exited");
            // What it wrote before exiting, if anything, says why.
            let deadline = Instant::now() + Duration::from_millis(200);
            if running.lines.next_line(&mut self.answer, deadline) == ReadEvent::Line {
                let _ = write!(
                    what,
                    " after writing {:?}",
                    String::from_utf8_lossy(&self.answer).trim_end()
                );
            }
            return Err(CallError::Fault(self.fail(op, id, what, true)));
        }
        let deadline = Instant::now() + timeout;
        match running.lines.next_line(&mut self.answer, deadline) {
            ReadEvent::Line => {
                if self.log.is_some() {
                    let line = String::from_utf8_lossy(&self.answer).into_owned();
                    self.log("<", &line);
                }
                Ok(id)
            }
            ReadEvent::Eof => {
                let what = "exited (closed its stdout)".to_owned();
                Err(CallError::Fault(self.fail(op, id, what, true)))
            }
            ReadEvent::Error(e) => {
                let what = format!("sent garbage: {e}");
                Err(CallError::Fault(self.fail(op, id, what, false)))
            }
            ReadEvent::Timeout => {
                let what = format!("did not answer within {} ms (hung?)", timeout.as_millis());
                Err(CallError::Fault(self.fail(op, id, what, false)))
            }
        }
    }

    /// Performs `op` (waiting up to `timeout`) and reads its `ok` value as `T`.
    ///
    /// A well-formed answer is read in one pass, straight into `T`. Anything else
    /// is read again the thorough way ([`Self::checked_answer`], then
    /// [`Self::shape`]), which says what is wrong and kills the process.
    fn call<T: DeserializeOwned>(
        &mut self,
        op: &Op,
        hex: &[u8],
        timeout: Duration,
    ) -> Result<T, CallError> {
        let id = self.exchange(op, hex, timeout)?;
        if let Some(answer) = Answer::<T>::read(&self.answer) {
            if answer.id == id {
                match (answer.ok, answer.error) {
                    (Some(ok), None) => return Ok(ok),
                    (None, Some(error)) => return Err(CallError::Answered(error)),
                    _ => {}
                }
            }
        }
        let value = self.checked_answer(op, id)?;
        self.shape(op, value)
    }

    /// The `ok` value of the answer line in `self.answer` to request `id`, read
    /// through a [`Value`] so that every way it can be wrong is named.
    fn checked_answer(&mut self, op: &Op, id: u64) -> Result<Value, CallError> {
        let text = std::mem::take(&mut self.answer);
        let result = self.check_answer(op, id, &text);
        self.answer = text;
        result
    }

    fn check_answer(&mut self, op: &Op, id: u64, text: &[u8]) -> Result<Value, CallError> {
        let shown = || {
            let s = String::from_utf8_lossy(text);
            let s = s.trim_end();
            if s.chars().count() > 200 {
                format!("{}...", s.chars().take(200).collect::<String>())
            } else {
                s.to_owned()
            }
        };
        let value: Value = match serde_json::from_slice(text) {
            Ok(value) => value,
            Err(e) => {
                let what = format!("sent garbage (not JSON: {e}): {}", shown());
                return Err(CallError::Fault(self.fail(op, id, what, false)));
            }
        };
        let Some(map) = value.as_object() else {
            let what = format!("sent garbage (not a JSON object): {}", shown());
            return Err(CallError::Fault(self.fail(op, id, what, false)));
        };
        match map.get("id").and_then(Value::as_u64) {
            Some(got) if got == id => {}
            Some(got) => {
                let what = format!("answered out of order (id {got}, expected {id})");
                return Err(CallError::Fault(self.fail(op, id, what, false)));
            }
            None => {
                let what = format!("sent an answer without an integer id: {}", shown());
                return Err(CallError::Fault(self.fail(op, id, what, false)));
            }
        }
        let unknown = map
            .keys()
            .find(|k| !matches!(k.as_str(), "id" | "ok" | "error"));
        match (map.get("ok"), map.get("error"), unknown) {
            (Some(ok), None, None) => Ok(ok.clone()),
            (None, Some(Value::String(error)), None) => Err(CallError::Answered(error.clone())),
            _ => {
                let what = format!(
                    "sent a malformed answer (exactly one of \"ok\" and \"error\" (a string) expected): {}",
                    shown()
                );
                Err(CallError::Fault(self.fail(op, id, what, false)))
            }
        }
    }

    /// Reads an `ok` value as `T`; a wrong shape is garbage (the process is killed).
    fn shape<T: DeserializeOwned>(&mut self, op: &Op, value: Value) -> Result<T, CallError> {
        let shown = value.to_string();
        serde_json::from_value(value).map_err(|e| {
            let id = self.next_id.saturating_sub(1);
            let what = format!("sent a malformed {} answer ({e}): {shown}", op.name());
            CallError::Fault(self.fail(op, id, what, false))
        })
    }

    /// One operation: its typed answer, or the error text (a fault is recorded).
    fn request<T: DeserializeOwned>(&mut self, op: Op) -> Result<T, KernelError> {
        self.request_hex(op, &[])
    }

    /// [`Self::request`] for an op whose hex argument is left empty and written
    /// from `hex` (see [`write_request_with_hex`]).
    fn request_hex<T: DeserializeOwned>(&mut self, op: Op, hex: &[u8]) -> Result<T, KernelError> {
        let result = self.call(&op, hex, self.config.timeout);
        match result {
            Ok(value) => Ok(value),
            Err(CallError::Answered(message)) => Err(KernelError(message)),
            Err(CallError::Fault(message)) => {
                self.record(message.clone());
                Err(KernelError(message))
            }
        }
    }

    /// An operation whose trait signature has no error: on any error, records a
    /// fault and returns `placeholder`.
    fn infallible<T: DeserializeOwned>(&mut self, op: Op, placeholder: T) -> T {
        let name = op.name();
        match self.request(op) {
            Ok(value) => value,
            Err(KernelError(message)) => {
                if self.fault.is_none() {
                    self.record(format!("{name} failed: {message}"));
                }
                placeholder
            }
        }
    }

    fn record(&mut self, message: String) {
        if self.fault.is_none() {
            self.fault = Some(KernelError(message));
        }
    }
}

impl Kernel for ProcessKernel {
    fn info(&mut self) -> KernelInfo {
        self.info.clone()
    }

    fn reset(&mut self) -> Result<(), KernelError> {
        if self.running.is_none() {
            if self.failed_starts >= MAX_FAILED_STARTS {
                return Err(KernelError(format!(
                    "kernel process not restarted: it failed to start {} times in a row ({})",
                    self.failed_starts,
                    self.down.as_deref().unwrap_or("no reason")
                )));
            }
            match self.launch() {
                Ok(_) => self.failed_starts = 0,
                Err(e) => {
                    self.failed_starts += 1;
                    self.down = Some(e.0.clone());
                    return Err(e);
                }
            }
        }
        self.request::<IgnoredAny>(Op::Reset {}).map(|_| ())
    }

    fn create_process(&mut self, spec: &ProcessSpec) -> Result<ProcessRef, KernelError> {
        self.request(Op::CreateProcess {
            name: spec.name.clone(),
            pid: spec.pid,
            handle_capacity: spec.handle_capacity.map(|n| n as u64),
            alias_region_size: spec.alias_region_size,
        })
    }

    fn main_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError> {
        self.request(Op::MainThread { process })
    }

    fn create_thread(&mut self, process: ProcessRef) -> Result<ThreadRef, KernelError> {
        self.request(Op::CreateThread { process })
    }

    fn map_memory(
        &mut self,
        process: ProcessRef,
        region: &MemoryRegion,
    ) -> Result<(), KernelError> {
        // The fill form, to a kernel that declared it, when it is the shorter.
        let compact = if self.fill {
            compact_contents(&region.contents, region.size)
        } else {
            None
        };
        let (contents, fill, patches) = match compact {
            Some(form) => (
                None,
                Some(super::Fill(form.fill)),
                Some(form.patches).filter(|p| !p.is_empty()),
            ),
            // `contents` is written from the bytes straight into the line.
            None => (Some(String::new()), None, None),
        };
        let op = Op::MapMemory {
            process,
            address: region.address,
            size: region.size,
            state: region.state,
            permission: region.permission,
            attributes: region.attributes,
            contents,
            fill,
            patches,
        };
        self.request_hex::<IgnoredAny>(op, &region.contents)
            .map(|_| ())
    }

    fn create_event(
        &mut self,
        process: ProcessRef,
        kind: EventKind,
    ) -> Result<Handle, KernelError> {
        self.request(Op::CreateEvent { process, kind })
    }

    fn create_session(
        &mut self,
        server: ProcessRef,
        client: ProcessRef,
    ) -> Result<SessionHandles, KernelError> {
        let answer: SessionAnswer = self.request(Op::CreateSession { server, client })?;
        Ok(SessionHandles {
            server: answer.server,
            client: answer.client,
        })
    }

    fn send_sync_request(
        &mut self,
        thread: ThreadRef,
        session: Handle,
        buffer: MessageBuffer,
    ) -> SendOutcome {
        let placeholder = SendAnswer::Returned {
            result: FAULT_RESULT.0,
        };
        let op = Op::SendSyncRequest {
            thread,
            session,
            buffer,
        };
        match self.infallible(op, placeholder) {
            SendAnswer::Pending => SendOutcome::Pending,
            SendAnswer::Returned { result } => SendOutcome::Returned(ResultCode(result)),
        }
    }

    fn send_async_request(
        &mut self,
        thread: ThreadRef,
        session: Handle,
        address: u64,
        size: u64,
    ) -> Result<Result<Handle, ResultCode>, KernelError> {
        let answer: AsyncAnswer = self.request(Op::SendAsyncRequest {
            thread,
            session,
            address,
            size,
        })?;
        match (answer.result, answer.event) {
            (0, Some(event)) => Ok(Ok(event)),
            (0, None) => {
                let message =
                    "send_async_request answered success without an event handle".to_owned();
                self.record(message.clone());
                Err(KernelError(message))
            }
            (result, _) => Ok(Err(ResultCode(result))),
        }
    }

    fn reply_and_receive(
        &mut self,
        thread: ThreadRef,
        handles: &[Handle],
        reply_target: Handle,
        timeout_ns: i64,
        buffer: MessageBuffer,
    ) -> WaitOutcome {
        let placeholder = WaitAnswer {
            result: FAULT_RESULT.0,
            out_index: None,
        };
        let op = Op::ReplyAndReceive {
            thread,
            handles: handles.to_vec(),
            reply_target,
            timeout_ns,
            buffer,
        };
        let answer = self.infallible(op, placeholder);
        WaitOutcome {
            result: ResultCode(answer.result),
            out_index: answer.out_index,
        }
    }

    fn close_handle(&mut self, process: ProcessRef, handle: Handle) -> ResultCode {
        let placeholder = ResultAnswer {
            result: FAULT_RESULT.0,
        };
        ResultCode(
            self.infallible(Op::CloseHandle { process, handle }, placeholder)
                .result,
        )
    }

    fn request_status(&mut self, thread: ThreadRef) -> RequestStatus {
        let placeholder = StatusAnswer::Completed {
            result: FAULT_RESULT.0,
        };
        match self.infallible(Op::RequestStatus { thread }, placeholder) {
            StatusAnswer::Idle => RequestStatus::Idle,
            StatusAnswer::Pending => RequestStatus::Pending,
            StatusAnswer::Completed { result } => RequestStatus::Completed(ResultCode(result)),
        }
    }

    fn process_id(&mut self, process: ProcessRef) -> u64 {
        self.infallible(Op::ProcessId { process }, u64::MAX)
    }

    fn tls_address(&mut self, thread: ThreadRef) -> u64 {
        self.infallible(Op::TlsAddress { thread }, u64::MAX)
    }

    fn read_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
        len: usize,
    ) -> Result<Vec<u8>, KernelError> {
        let text: String = self.request(Op::ReadMemory {
            process,
            address,
            len: len as u64,
        })?;
        match hex::decode(&text) {
            Ok(bytes) if bytes.len() == len => Ok(bytes),
            Ok(bytes) => {
                let message = format!(
                    "read_memory answered {} bytes, {len} were asked for",
                    bytes.len()
                );
                self.record(message.clone());
                Err(KernelError(message))
            }
            Err(e) => {
                let message = format!("read_memory answered bad hex: {e}");
                self.record(message.clone());
                Err(KernelError(message))
            }
        }
    }

    fn write_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
        bytes: &[u8],
    ) -> Result<(), KernelError> {
        // `bytes` is written straight into the line.
        let op = Op::WriteMemory {
            process,
            address,
            bytes: String::new(),
        };
        self.request_hex::<IgnoredAny>(op, bytes).map(|_| ())
    }

    fn user_can_access(
        &mut self,
        process: ProcessRef,
        address: u64,
        len: usize,
        write: bool,
    ) -> bool {
        let op = Op::UserCanAccess {
            process,
            address,
            len: len as u64,
            write,
        };
        self.infallible(op, false)
    }

    fn query_memory(
        &mut self,
        process: ProcessRef,
        address: u64,
    ) -> Result<MemoryInfo, KernelError> {
        self.request(Op::QueryMemory { process, address })
    }

    fn ipc_mappings(&mut self, process: ProcessRef) -> Result<Vec<MemoryInfo>, KernelError> {
        self.request(Op::IpcMappings { process })
    }

    fn handle_object(&mut self, process: ProcessRef, handle: Handle) -> Option<ObjectId> {
        self.infallible(Op::HandleObject { process, handle }, None)
    }

    fn handle_count(&mut self, process: ProcessRef) -> usize {
        self.infallible(Op::HandleCount { process }, usize::MAX)
    }

    fn process_object(&mut self, process: ProcessRef) -> ObjectId {
        self.infallible(Op::ProcessObject { process }, ObjectId(u64::MAX))
    }

    fn thread_object(&mut self, thread: ThreadRef) -> ObjectId {
        self.infallible(Op::ThreadObject { thread }, ObjectId(u64::MAX))
    }

    fn event_signaled(&mut self, process: ProcessRef, handle: Handle) -> Result<bool, KernelError> {
        self.request(Op::EventSignaled { process, handle })
    }

    fn take_fault(&mut self) -> Option<KernelError> {
        self.fault.take()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    #[test]
    fn answers_read_in_one_pass_or_checked() {
        let answer = |text: &str| Answer::<Option<u32>>::read(text.as_bytes()).ok_or(());
        let ok = answer(r#"{"id":3,"ok":null}"#).unwrap();
        assert_eq!((ok.id, ok.ok, ok.error), (3, Some(None), None));
        let ok = answer(r#"{"ok":7,"id":3}"#).unwrap();
        assert_eq!((ok.id, ok.ok, ok.error), (3, Some(Some(7)), None));
        let error = answer(r#"{"id":3,"error":"no"}"#).unwrap();
        assert_eq!((error.ok, error.error), (None, Some("no".to_owned())));
        // Neither, or both: read, then left to the checked path.
        let neither = answer(r#"{"id":3}"#).unwrap();
        assert_eq!((neither.ok, neither.error), (None, None));
        assert!(answer(r#"{"id":3,"ok":1,"error":"no"}"#).is_ok());
        // Everything else fails here and is explained by the checked path.
        for bad in [
            r#"{"id":3,"ok":1,"extra":0}"#,
            r#"{"id":3,"error":null}"#,
            r#"{"id":null,"ok":1}"#,
            r#"{"id":3,"ok":"nonsense"}"#,
            r#"[3]"#,
            r#"[3,7]"#,
            r#" [3,7,null]"#,
            "garbage",
        ] {
            assert!(answer(bad).is_err(), "{bad}");
        }
    }
}
