//! The out-of-process kernel protocol `hipc-kernel/1` (conformance/PROTOCOL.md): a
//! kernel written in any language runs as a child process and answers the
//! [`Kernel`](crate::kernel::Kernel) operations as JSON lines on its stdin/stdout.
//!
//! * [`Op`]: one request per trait operation, plus the `hello` handshake;
//! * the answer shapes ([`HelloAnswer`], [`SendAnswer`], [`StatusAnswer`], ...);
//! * [`client::ProcessKernel`]: the runner's side, a `Kernel` that spawns the command,
//!   times operations out, and restarts the process after a crash, a hang or garbage;
//! * [`server::serve`]: the kernel's side for any in-process `Kernel`, used by
//!   `hipc serve-model`;
//! * [`outcome_with_fault`]: how a fault recorded during a test becomes that test's
//!   failure.
//!
//! Wire shapes: a request is `{"id": N, "op": "NAME", ...arguments}`, an answer
//! `{"id": N, "ok": VALUE}` or `{"id": N, "error": "text"}`. Integers are JSON
//! integers (u64 exact), byte strings are lowercase hex.

pub mod client;
pub mod options;
pub mod server;
pub(crate) mod spawn;
#[cfg(unix)]
pub(crate) mod spin;
pub mod stderr_log;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kernel::{
    EventKind, Handle, KernelError, MemoryAttributes, MemoryState, MessageBuffer, Permission,
    ProcessRef, RequestStatus, ResultCode, SendOutcome, SessionHandles, ThreadRef, WaitOutcome,
};
use crate::runner::{Failure, Status, TestOutcome};

/// The protocol name and version both sides send in the handshake.
pub const PROTOCOL: &str = "hipc-kernel/1";

/// The protocol feature of the fill form of `map_memory` (`"fill"` and
/// `"patches"` instead of `"contents"`): a kernel that lists it in its `hello`
/// answer's `features` gets a region's contents that way whenever that is shorter.
pub const FEATURE_FILL: &str = "fill";

/// Every protocol feature this crate knows (what `hipc serve-model` declares).
pub const FEATURES: &[&str] = &[FEATURE_FILL];

/// The most bytes [`expand_fill`] makes of a fill form: a region filled with a
/// non-zero byte (or patched) beyond this is refused rather than allocated.
pub const MAX_FILL: u64 = 256 << 20;

/// A `map_memory` fill byte: a JSON integer 0..=255. Anything else is refused
/// with a message naming `fill` (`fill 256 is out of range ...`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(transparent)]
pub struct Fill(pub u8);

impl<'de> Deserialize<'de> for Fill {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ByteVisitor;
        impl serde::de::Visitor<'_> for ByteVisitor {
            type Value = Fill;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a fill byte value (an integer 0..=255)")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Fill, E> {
                u8::try_from(v).map(Fill).map_err(|_| {
                    E::custom(format_args!(
                        "fill {v} is out of range: a byte value 0..=255 expected"
                    ))
                })
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Fill, E> {
                u8::try_from(v).map(Fill).map_err(|_| {
                    E::custom(format_args!(
                        "fill {v} is out of range: a byte value 0..=255 expected"
                    ))
                })
            }
        }
        deserializer.deserialize_any(ByteVisitor)
    }
}

/// Bytes written over a region's fill: `{"offset": u64, "bytes": hex}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// From the region's start.
    pub offset: u64,
    /// The bytes, hex.
    pub bytes: String,
}

/// A region's contents in the fill form: `fill` everywhere, then the `patches`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FillForm {
    /// The byte most of the region holds.
    pub fill: u8,
    /// Where it holds others (in address order, not overlapping).
    pub patches: Vec<Patch>,
}

/// A run of the fill byte shorter than this between two patches stays inside one
/// patch: a new patch costs about as many characters as this many bytes of hex.
const PATCH_GAP: usize = 16;
/// What a patch costs besides its hex digits: `{"offset":NNNNN,"bytes":""},`.
const PATCH_OVERHEAD: usize = 30;
/// The most patches the runner sends in one request (contents that would need
/// more go in the full form), so that a kernel can read them with fixed limits.
pub const MAX_PATCHES: usize = 64;

/// `contents` of a region of `size` bytes (the rest zero, as in the full form) in
/// the fill form, when that is shorter on the line than the full form's hex; `None`
/// when it is not (or `contents` does not fit the region: the full form then
/// carries it to the kernel, which refuses it).
///
/// The fill byte is the most frequent one of a sample; the patches are the
/// stretches of other bytes, merged across runs of the fill byte shorter than
/// [`PATCH_GAP`]. The scan stops as soon as the patches would be no shorter than
/// the full form (or more than [`MAX_PATCHES`]), so contents without a common
/// byte cost little.
pub fn compact_contents(contents: &[u8], size: u64) -> Option<FillForm> {
    let len = contents.len();
    if len as u64 > size || size > MAX_FILL {
        return None;
    }
    let fill = common_byte(contents, size);
    if fill != 0 && (len as u64) < size {
        // The zeros after `contents` would be one more (large) patch.
        return None;
    }
    let full = 2 * len;
    let mut cost = "\"fill\":255".len();
    let mut patches = Vec::new();
    let mut next = next_other(contents, 0, fill);
    while let Some(start) = next {
        let mut end = run_end(contents, start, fill);
        loop {
            next = next_other(contents, end, fill);
            match next {
                Some(n) if n - end < PATCH_GAP => end = run_end(contents, n, fill),
                _ => break,
            }
        }
        cost += PATCH_OVERHEAD + 2 * (end - start);
        if cost >= full || patches.len() == MAX_PATCHES {
            return None;
        }
        let bytes = contents.get(start..end).unwrap_or_default();
        patches.push(Patch {
            offset: start as u64,
            bytes: crate::hex::encode(bytes),
        });
    }
    (cost < full).then_some(FillForm { fill, patches })
}

/// The most frequent byte of `contents` followed by `size - contents.len()`
/// zeros, estimated from at most about 512 evenly spaced samples.
fn common_byte(contents: &[u8], size: u64) -> u8 {
    let stride = (contents.len() / 512).max(1);
    let mut counts = [0u64; 256];
    for &b in contents.iter().step_by(stride) {
        if let Some(count) = counts.get_mut(usize::from(b)) {
            *count += 1;
        }
    }
    if let Some(zeros) = counts.first_mut() {
        *zeros += size.saturating_sub(contents.len() as u64) / stride as u64;
    }
    let mut best = (0u8, 0u64);
    for (b, &count) in (0..=255u8).zip(counts.iter()) {
        if count > best.1 {
            best = (b, count);
        }
    }
    best.0
}

/// The first index at or after `from` whose byte is not `fill`.
fn next_other(bytes: &[u8], from: usize, fill: u8) -> Option<usize> {
    let rest = bytes.get(from..)?;
    // Eight bytes at a time through the long runs of the fill byte.
    let pattern = u64::from_ne_bytes([fill; 8]);
    let mut skipped = 0;
    for chunk in rest.chunks_exact(8) {
        match <[u8; 8]>::try_from(chunk) {
            Ok(word) if u64::from_ne_bytes(word) == pattern => skipped += 8,
            _ => break,
        }
    }
    rest.get(skipped..)?
        .iter()
        .position(|&b| b != fill)
        .map(|i| from + skipped + i)
}

/// The first index at or after `from` whose byte is `fill` (or the length).
fn run_end(bytes: &[u8], from: usize, fill: u8) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == fill))
        .map_or(bytes.len(), |i| from + i)
}

/// The contents a fill form gives a region of `size` bytes: `fill` throughout,
/// the patches written over it in order. With fill 0 only up to the end of the
/// last patch (the rest of the region is zero anyway, as in the full form).
/// Errors name what is wrong: a patch whose bytes are not hex or that does not
/// fit in the region, or more than [`MAX_FILL`] bytes to make.
pub fn expand_fill(size: u64, fill: u8, patches: &[Patch]) -> Result<Vec<u8>, String> {
    let too_large = || {
        format!(
            "fill: regions of at most {MAX_FILL:#x} bytes can be filled with a non-zero byte or patched"
        )
    };
    let mut bytes = if fill == 0 {
        Vec::new()
    } else {
        let n = usize::try_from(size)
            .ok()
            .filter(|&n| n as u64 <= MAX_FILL)
            .ok_or_else(too_large)?;
        vec![fill; n]
    };
    for (i, patch) in patches.iter().enumerate() {
        let data =
            crate::hex::decode(&patch.bytes).map_err(|e| format!("patches[{i}].bytes: {e}"))?;
        let end = patch
            .offset
            .checked_add(data.len() as u64)
            .filter(|&end| end <= size);
        let Some(end) = end else {
            return Err(format!(
                "patches[{i}]: {} bytes at offset {:#x} do not fit in the region's {size:#x} bytes",
                data.len(),
                patch.offset
            ));
        };
        if end > MAX_FILL {
            return Err(too_large());
        }
        // Both fit in usize: they are at most MAX_FILL.
        let (start, end) = (patch.offset as usize, end as usize);
        if bytes.len() < end {
            bytes.resize(end, fill);
        }
        if let Some(slot) = bytes.get_mut(start..end) {
            slot.copy_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// One request: everything but the `id`. Serialized with `"op"` as the tag, the
/// arguments as sibling keys. Unknown keys are refused.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// The handshake: the first request on a fresh process.
    Hello {
        /// [`PROTOCOL`].
        protocol: String,
    },
    /// [`Kernel::reset`](crate::kernel::Kernel::reset).
    Reset {},
    /// [`Kernel::create_process`](crate::kernel::Kernel::create_process).
    CreateProcess {
        /// The vector's name for it.
        name: String,
        /// A requested process id, or null.
        pid: Option<u64>,
        /// Handle-table capacity, or null for the default.
        handle_capacity: Option<u64>,
        /// Alias region size, or null for the default.
        alias_region_size: Option<u64>,
    },
    /// [`Kernel::main_thread`](crate::kernel::Kernel::main_thread).
    MainThread {
        /// The process.
        process: ProcessRef,
    },
    /// [`Kernel::create_thread`](crate::kernel::Kernel::create_thread).
    CreateThread {
        /// The process.
        process: ProcessRef,
    },
    /// [`Kernel::map_memory`](crate::kernel::Kernel::map_memory).
    MapMemory {
        /// The process.
        process: ProcessRef,
        /// Start (page-aligned).
        address: u64,
        /// Size (a page multiple).
        size: u64,
        /// Memory state.
        state: MemoryState,
        /// User permission.
        permission: Permission,
        /// Attributes (every key present).
        attributes: MemoryAttributes,
        /// Initial contents from `address`, hex; the rest is zero. Absent in the
        /// fill form.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contents: Option<String>,
        /// The fill form (protocol feature [`FEATURE_FILL`], sent only to a kernel
        /// declaring it): every byte of the region starts as this value...
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fill: Option<Fill>,
        /// ... and then these bytes are written over it, in order (only with
        /// `fill`; absent when there are none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        patches: Option<Vec<Patch>>,
    },
    /// [`Kernel::create_event`](crate::kernel::Kernel::create_event).
    CreateEvent {
        /// The process that gets the handle.
        process: ProcessRef,
        /// `event` or `interrupt_event`.
        kind: EventKind,
    },
    /// [`Kernel::create_session`](crate::kernel::Kernel::create_session).
    CreateSession {
        /// The server process.
        server: ProcessRef,
        /// The client process.
        client: ProcessRef,
    },
    /// [`Kernel::send_sync_request`](crate::kernel::Kernel::send_sync_request).
    SendSyncRequest {
        /// The client thread.
        thread: ThreadRef,
        /// The client session handle.
        session: Handle,
        /// `"tls"` or `{"user": {"address", "size"}}`.
        buffer: MessageBuffer,
    },
    /// [`Kernel::send_async_request`](crate::kernel::Kernel::send_async_request).
    SendAsyncRequest {
        /// The client thread.
        thread: ThreadRef,
        /// The client session handle.
        session: Handle,
        /// User buffer address.
        address: u64,
        /// User buffer size.
        size: u64,
    },
    /// [`Kernel::reply_and_receive`](crate::kernel::Kernel::reply_and_receive).
    ReplyAndReceive {
        /// The server thread.
        thread: ThreadRef,
        /// The handles to wait on.
        handles: Vec<Handle>,
        /// The session to reply on, 0 for none.
        reply_target: Handle,
        /// Timeout in ns; negative = forever.
        timeout_ns: i64,
        /// The message buffer.
        buffer: MessageBuffer,
    },
    /// [`Kernel::close_handle`](crate::kernel::Kernel::close_handle).
    CloseHandle {
        /// The process.
        process: ProcessRef,
        /// The handle.
        handle: Handle,
    },
    /// [`Kernel::request_status`](crate::kernel::Kernel::request_status).
    RequestStatus {
        /// The client thread.
        thread: ThreadRef,
    },
    /// [`Kernel::process_id`](crate::kernel::Kernel::process_id).
    ProcessId {
        /// The process.
        process: ProcessRef,
    },
    /// [`Kernel::tls_address`](crate::kernel::Kernel::tls_address).
    TlsAddress {
        /// The thread.
        thread: ThreadRef,
    },
    /// [`Kernel::read_memory`](crate::kernel::Kernel::read_memory).
    ReadMemory {
        /// The process.
        process: ProcessRef,
        /// Start address.
        address: u64,
        /// Bytes to read.
        len: u64,
    },
    /// [`Kernel::write_memory`](crate::kernel::Kernel::write_memory).
    WriteMemory {
        /// The process.
        process: ProcessRef,
        /// Start address.
        address: u64,
        /// The bytes, hex.
        bytes: String,
    },
    /// [`Kernel::user_can_access`](crate::kernel::Kernel::user_can_access).
    UserCanAccess {
        /// The process.
        process: ProcessRef,
        /// Start address.
        address: u64,
        /// Length.
        len: u64,
        /// Write (true) or read (false) access.
        write: bool,
    },
    /// [`Kernel::query_memory`](crate::kernel::Kernel::query_memory).
    QueryMemory {
        /// The process.
        process: ProcessRef,
        /// The address.
        address: u64,
    },
    /// [`Kernel::ipc_mappings`](crate::kernel::Kernel::ipc_mappings).
    IpcMappings {
        /// The process.
        process: ProcessRef,
    },
    /// [`Kernel::handle_object`](crate::kernel::Kernel::handle_object).
    HandleObject {
        /// The process.
        process: ProcessRef,
        /// The handle.
        handle: Handle,
    },
    /// [`Kernel::handle_count`](crate::kernel::Kernel::handle_count).
    HandleCount {
        /// The process.
        process: ProcessRef,
    },
    /// [`Kernel::process_object`](crate::kernel::Kernel::process_object).
    ProcessObject {
        /// The process.
        process: ProcessRef,
    },
    /// [`Kernel::thread_object`](crate::kernel::Kernel::thread_object).
    ThreadObject {
        /// The thread.
        thread: ThreadRef,
    },
    /// [`Kernel::event_signaled`](crate::kernel::Kernel::event_signaled).
    EventSignaled {
        /// The process.
        process: ProcessRef,
        /// The event handle.
        handle: Handle,
    },
}

impl Op {
    /// The `"op"` name (`"send_sync_request"`).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Hello { .. } => "hello",
            Op::Reset {} => "reset",
            Op::CreateProcess { .. } => "create_process",
            Op::MainThread { .. } => "main_thread",
            Op::CreateThread { .. } => "create_thread",
            Op::MapMemory { .. } => "map_memory",
            Op::CreateEvent { .. } => "create_event",
            Op::CreateSession { .. } => "create_session",
            Op::SendSyncRequest { .. } => "send_sync_request",
            Op::SendAsyncRequest { .. } => "send_async_request",
            Op::ReplyAndReceive { .. } => "reply_and_receive",
            Op::CloseHandle { .. } => "close_handle",
            Op::RequestStatus { .. } => "request_status",
            Op::ProcessId { .. } => "process_id",
            Op::TlsAddress { .. } => "tls_address",
            Op::ReadMemory { .. } => "read_memory",
            Op::WriteMemory { .. } => "write_memory",
            Op::UserCanAccess { .. } => "user_can_access",
            Op::QueryMemory { .. } => "query_memory",
            Op::IpcMappings { .. } => "ipc_mappings",
            Op::HandleObject { .. } => "handle_object",
            Op::HandleCount { .. } => "handle_count",
            Op::ProcessObject { .. } => "process_object",
            Op::ThreadObject { .. } => "thread_object",
            Op::EventSignaled { .. } => "event_signaled",
        }
    }
}

/// The request line for `op` with `id`: `{"id":N,"op":...}` (no newline).
pub fn request_line(id: u64, op: &Op) -> String {
    let mut line = Vec::new();
    write_request(&mut line, id, op);
    // JSON text is UTF-8.
    String::from_utf8(line).unwrap_or_default()
}

/// Appends the request line for `op` with `id` to `out` (no newline): what
/// [`request_line`] returns, written in one pass into a buffer the caller reuses.
pub fn write_request(out: &mut Vec<u8>, id: u64, op: &Op) {
    /// `id` first, then the op's own keys (`"op"` and its arguments).
    #[derive(Serialize)]
    struct Request<'a> {
        id: u64,
        #[serde(flatten)]
        op: &'a Op,
    }
    // Writing to a Vec cannot fail, and an `Op` always serializes (no maps with
    // non-string keys, no floats).
    let _ = serde_json::to_writer(out, &Request { id, op });
}

/// Appends the request line for `op` with `id` whose hex argument (`map_memory`'s
/// `contents`, `write_memory`'s `bytes`) is `bytes`, given as bytes: `op` carries
/// it empty, and the digits are written straight into `out`. The line is exactly
/// [`write_request`]'s for the op with the hex string in place, without building
/// that string or escaping it (hex digits need no escapes): the bulk of a corpus
/// run's traffic is memory contents. Any other op is written with `bytes` ignored.
pub fn write_request_with_hex(out: &mut Vec<u8>, id: u64, op: &Op, bytes: &[u8]) {
    let start = out.len();
    write_request(out, id, op);
    // The hex argument is the op's last key, so an empty one ends the line as
    // `""}`; the digits go between the quotes.
    let empty_last = match op {
        Op::MapMemory {
            contents: Some(hex),
            fill: None,
            patches: None,
            ..
        }
        | Op::WriteMemory { bytes: hex, .. } => hex.is_empty(),
        _ => false,
    };
    if !empty_last || bytes.is_empty() {
        return;
    }
    if out.ends_with(b"\"\"}") {
        out.truncate(out.len() - 2);
        crate::hex::encode_to_bytes(bytes, out);
        out.extend_from_slice(b"\"}");
    } else {
        // Not reached (the serialization ends with the hex argument), but should
        // that change: the op with the string in place.
        out.truncate(start);
        let mut op = op.clone();
        if let Op::MapMemory {
            contents: Some(hex),
            ..
        }
        | Op::WriteMemory { bytes: hex, .. } = &mut op
        {
            *hex = crate::hex::encode(bytes);
        }
        write_request(out, id, &op);
    }
}

/// Parses a request line into its id (when one could be read) and its op.
pub fn parse_request(line: &str) -> (Option<u64>, Result<Op, String>) {
    if let Some((id, op)) = parse_request_fast(line.as_bytes()) {
        return (Some(id), Ok(op));
    }
    parse_request_checked(line)
}

/// A request whose first key is `"id"` (how the runner writes them) and that is
/// valid: its id and op, read in one pass without building a [`Value`] first.
/// `None` for anything else, which [`parse_request`] then reads the thorough way
/// (and explains).
pub fn parse_request_fast(line: &[u8]) -> Option<(u64, Op)> {
    use serde::de::{self, MapAccess, value::MapAccessDeserializer};
    use serde::{Deserializer as _, de::Error as _};

    /// The key `"id"`, and no other.
    struct IdKey;
    impl<'de> Deserialize<'de> for IdKey {
        fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeyVisitor;
            impl de::Visitor<'_> for KeyVisitor {
                type Value = IdKey;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("the key \"id\"")
                }
                fn visit_str<E: de::Error>(self, key: &str) -> Result<IdKey, E> {
                    match key {
                        "id" => Ok(IdKey),
                        _ => Err(E::custom("not \"id\"")),
                    }
                }
            }
            deserializer.deserialize_identifier(KeyVisitor)
        }
    }

    struct RequestVisitor;
    impl<'de> de::Visitor<'de> for RequestVisitor {
        type Value = (u64, Op);
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a request object starting with \"id\"")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let Some(IdKey) = map.next_key()? else {
                return Err(A::Error::custom("no \"id\""));
            };
            let id: u64 = map.next_value()?;
            // The rest of the object is the op, tag and arguments (a second "id" is
            // an unknown key there, refused).
            let op = Op::deserialize(MapAccessDeserializer::new(map))?;
            Ok((id, op))
        }
    }

    let mut de = serde_json::Deserializer::from_slice(line);
    let request = de.deserialize_map(RequestVisitor).ok()?;
    de.end().ok()?;
    Some(request)
}

/// [`parse_request`] through a [`Value`]: slower, but reads the id of a request
/// that is otherwise wrong, and names what is wrong.
fn parse_request_checked(line: &str) -> (Option<u64>, Result<Op, String>) {
    let mut value: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => return (None, Err(format!("not a JSON object: {e}"))),
    };
    let Some(map) = value.as_object_mut() else {
        return (None, Err("not a JSON object".to_owned()));
    };
    let id = match map.remove("id") {
        Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
        Some(other) => return (None, Err(format!("\"id\" must be an integer, got {other}"))),
        None => return (None, Err("missing key \"id\"".to_owned())),
    };
    (
        id,
        serde_json::from_value::<Op>(value).map_err(|e| e.to_string()),
    )
}

/// The answer line for request `id` (no newline): `{"id":N,"ok":VALUE}` or
/// `{"id":N,"error":"text"}`; `id` null when the request's id could not be read.
pub fn answer_line(id: Option<u64>, answer: Result<Value, String>) -> String {
    let mut line = Vec::new();
    write_answer(&mut line, id, &answer);
    // JSON text is UTF-8.
    String::from_utf8(line).unwrap_or_default()
}

/// Appends the answer line for request `id` to `out` (no newline): what
/// [`answer_line`] returns, written in one pass into a buffer the caller reuses.
pub fn write_answer(out: &mut Vec<u8>, id: Option<u64>, answer: &Result<Value, String>) {
    // The keys in sorted order, as a `Value` object prints them.
    #[derive(Serialize)]
    struct Ok<'a> {
        id: Option<u64>,
        ok: &'a Value,
    }
    #[derive(Serialize)]
    struct Error<'a> {
        error: &'a str,
        id: Option<u64>,
    }
    // Writing to a Vec cannot fail, and a `Value` always serializes.
    let _ = match answer {
        Result::Ok(ok) => serde_json::to_writer(out, &Ok { id, ok }),
        Result::Err(error) => serde_json::to_writer(out, &Error { error, id }),
    };
}

/// The answer to `hello`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelloAnswer {
    /// [`PROTOCOL`].
    pub protocol: String,
    /// The kernel's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Capability names (vectors/README.md "Capabilities").
    pub capabilities: Vec<String>,
    /// Protocol features the kernel understands ([`FEATURES`]); absent (empty)
    /// for a kernel that declares none, which then gets every request in its
    /// full form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// The answer to `send_sync_request`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum SendAnswer {
    /// The client thread is blocked.
    Pending,
    /// The syscall returned at once.
    Returned {
        /// Its result.
        result: u32,
    },
}

/// The answer to `request_status`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum StatusAnswer {
    /// No request sent.
    Idle,
    /// Blocked.
    Pending,
    /// Returned.
    Completed {
        /// The result the client's syscall returned.
        result: u32,
    },
}

/// The answer to `reply_and_receive`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitAnswer {
    /// The result.
    pub result: u32,
    /// The out index, or null when not written.
    pub out_index: Option<i32>,
}

/// The answer to `close_handle`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultAnswer {
    /// The result.
    pub result: u32,
}

/// The answer to `send_async_request`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsyncAnswer {
    /// The result (0 = success, then `event` is the new event handle).
    pub result: u32,
    /// The event handle on success, null otherwise.
    pub event: Option<Handle>,
}

/// The answer to `create_session`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionAnswer {
    /// The server session handle (in the server process).
    pub server: Handle,
    /// The client session handle (in the client process).
    pub client: Handle,
}

impl From<SendOutcome> for SendAnswer {
    fn from(outcome: SendOutcome) -> Self {
        match outcome {
            SendOutcome::Pending => SendAnswer::Pending,
            SendOutcome::Returned(r) => SendAnswer::Returned { result: r.0 },
        }
    }
}

impl From<RequestStatus> for StatusAnswer {
    fn from(status: RequestStatus) -> Self {
        match status {
            RequestStatus::Idle => StatusAnswer::Idle,
            RequestStatus::Pending => StatusAnswer::Pending,
            RequestStatus::Completed(r) => StatusAnswer::Completed { result: r.0 },
        }
    }
}

impl From<WaitOutcome> for WaitAnswer {
    fn from(w: WaitOutcome) -> Self {
        WaitAnswer {
            result: w.result.0,
            out_index: w.out_index,
        }
    }
}

/// `send_async_request`'s outcome: the event handle, or the result it failed with.
impl From<Result<Handle, ResultCode>> for AsyncAnswer {
    fn from(outcome: Result<Handle, ResultCode>) -> Self {
        match outcome {
            Ok(event) => AsyncAnswer {
                result: 0,
                event: Some(event),
            },
            Err(result) => AsyncAnswer {
                result: result.0,
                event: None,
            },
        }
    }
}

impl From<SessionHandles> for SessionAnswer {
    fn from(s: SessionHandles) -> Self {
        SessionAnswer {
            server: s.server,
            client: s.client,
        }
    }
}

/// `outcome`, turned into a failure when the kernel recorded `fault` during the test
/// (see [`crate::kernel::Kernel::take_fault`]). The runner's step and op are kept
/// when it had already failed (the first failing step is where the placeholder
/// value surfaced); the reason, field and values become the fault's. Without a
/// fault the outcome is returned unchanged.
pub fn outcome_with_fault(mut outcome: TestOutcome, fault: Option<KernelError>) -> TestOutcome {
    let Some(KernelError(message)) = fault else {
        return outcome;
    };
    let (first, rest) = match message.split_once('\n') {
        Some((first, rest)) => (first.to_owned(), Some(rest.to_owned())),
        None => (message.clone(), None),
    };
    let (step, op) = match (&outcome.status, &outcome.failure) {
        (Status::Failed, Some(failure)) => (failure.step, failure.op.clone()),
        _ => (None, None),
    };
    outcome.status = Status::Failed;
    outcome.reason = Some(format!("kernel fault: {first}"));
    outcome.failure = Some(Failure {
        step,
        op,
        field: "kernel".into(),
        expected: "an answer to every operation".into(),
        actual: first,
        detail: rest,
        expected_bytes: None,
        actual_bytes: None,
    });
    outcome
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn request_lines_round_trip() {
        let op = Op::SendSyncRequest {
            thread: ThreadRef(3),
            session: 0x1234,
            buffer: MessageBuffer::Tls,
        };
        let line = request_line(7, &op);
        assert_eq!(
            line,
            r#"{"id":7,"op":"send_sync_request","thread":3,"session":4660,"buffer":"tls"}"#
        );
        assert_eq!(parse_request(&line), (Some(7), Ok(op)));
        let reset = request_line(1, &Op::Reset {});
        assert_eq!(reset, r#"{"id":1,"op":"reset"}"#);
        assert_eq!(parse_request(&reset), (Some(1), Ok(Op::Reset {})));
        let user = Op::ReplyAndReceive {
            thread: ThreadRef(1),
            handles: vec![1, 2],
            reply_target: 0,
            timeout_ns: -1,
            buffer: MessageBuffer::User {
                address: 0x1000,
                size: 0x2000,
            },
        };
        let line = request_line(9, &user);
        assert!(line.contains(r#""buffer":{"user":{"address":4096,"size":8192}}"#));
        assert_eq!(parse_request(&line).1, Ok(user));
    }

    #[test]
    fn bad_requests() {
        assert!(parse_request("nope").1.is_err());
        assert_eq!(parse_request(r#"{"op":"reset"}"#).0, None);
        let (id, op) = parse_request(r#"{"id":4,"op":"reset","extra":1}"#);
        assert_eq!(id, Some(4));
        assert!(op.is_err());
        assert!(parse_request(r#"{"id":4,"op":"fly"}"#).1.is_err());
    }

    #[test]
    fn the_one_pass_reading_agrees_with_the_checked_one() {
        let map = Op::MapMemory {
            process: ProcessRef(1),
            address: 0x1000,
            size: 0x1000,
            state: MemoryState::Normal,
            permission: Permission::Rw,
            attributes: MemoryAttributes::default(),
            contents: Some("00ff".repeat(100)),
            fill: None,
            patches: None,
        };
        let ops = [
            Op::Reset {},
            Op::Hello {
                protocol: PROTOCOL.into(),
            },
            map,
        ];
        for op in ops {
            let line = request_line(u64::MAX, &op);
            assert_eq!(
                parse_request_fast(line.as_bytes()),
                Some((u64::MAX, op.clone()))
            );
            assert_eq!(
                parse_request_checked(&line),
                (Some(u64::MAX), Ok(op.clone()))
            );
            assert_eq!(
                parse_request(&format!("{line}\r\n")),
                (Some(u64::MAX), Ok(op))
            );
        }
        // Other spellings: key order, spaces, escapes (read one way or the other).
        for line in [
            r#"{"op":"reset","id":2}"#,
            r#" { "id" : 2 , "op" : "reset" } "#,
            r#"{"\u0069d":2,"op":"reset"}"#,
        ] {
            assert_eq!(parse_request(line), (Some(2), Ok(Op::Reset {})), "{line}");
        }
        // And what neither accepts.
        for line in [
            r#"{"id":2,"op":"reset","id":3}"#,
            r#"{"id":2,"op":"reset"} x"#,
            r#"{"id":-2,"op":"reset"}"#,
            r#"{"id":2,"op":"reset","extra":1}"#,
            r#"{"id":2}"#,
            r#"[2,"reset"]"#,
            "",
        ] {
            assert_eq!(parse_request_fast(line.as_bytes()), None, "{line}");
        }
        assert_eq!(
            parse_request(r#"{"id":2,"op":"reset","extra":1}"#).0,
            Some(2)
        );
        assert!(
            parse_request(r#"{"id":2,"op":"reset","extra":1}"#)
                .1
                .is_err()
        );
    }

    #[test]
    fn hex_arguments_written_in_place_are_what_serde_writes() {
        let bytes: Vec<u8> = (0..=255).chain(0..7).collect();
        let map = |contents: String| Op::MapMemory {
            process: ProcessRef(2),
            address: 0x2000,
            size: 0x1000,
            state: MemoryState::Normal,
            permission: Permission::R,
            attributes: MemoryAttributes::default(),
            contents: Some(contents),
            fill: None,
            patches: None,
        };
        let write = |bytes: String| Op::WriteMemory {
            process: ProcessRef(2),
            address: 0x2008,
            bytes,
        };
        for (empty, full) in [
            (map(String::new()), map(crate::hex::encode(&bytes))),
            (write(String::new()), write(crate::hex::encode(&bytes))),
        ] {
            let mut line = b"before".to_vec();
            write_request_with_hex(&mut line, 9, &empty, &bytes);
            assert_eq!(line, format!("before{}", request_line(9, &full)).as_bytes());
            let mut line = Vec::new();
            write_request_with_hex(&mut line, 9, &empty, &[]);
            assert_eq!(line, request_line(9, &empty).as_bytes());
        }
        // Other ops, or a hex argument already there: the op as it is.
        let mut line = Vec::new();
        write_request_with_hex(&mut line, 1, &Op::Reset {}, &bytes);
        assert_eq!(line, br#"{"id":1,"op":"reset"}"#);
        let full = write("00".into());
        let mut line = Vec::new();
        write_request_with_hex(&mut line, 1, &full, &bytes);
        assert_eq!(line, request_line(1, &full).as_bytes());
    }

    /// `contents` of a region of `size` bytes as the kernel sees it: zero-extended.
    fn whole(contents: &[u8], size: usize) -> Vec<u8> {
        let mut bytes = contents.to_vec();
        bytes.resize(size, 0);
        bytes
    }

    /// 8 pages of 0xee with `n` single bytes of 1, 64 bytes apart.
    fn many_patches(n: usize) -> Vec<u8> {
        let mut bytes = vec![0xee; 0x8000];
        for i in 0..n {
            bytes[i * 64] = 1;
        }
        bytes
    }

    #[test]
    fn the_fill_form_gives_back_the_contents_and_is_shorter_or_not_used() {
        let page = 0x1000;
        let mut patched = vec![0xc5; 6 * page];
        patched[0x1000..0x1010].copy_from_slice(&[0x10; 16]);
        patched[0x1018..0x1020].copy_from_slice(&[0x11; 8]); // merged: gap 8
        patched[0x2ff0..0x3000].copy_from_slice(&[0x30; 16]);
        patched[0x5fff] = 0; // at the very end
        let patched_size = patched.len();
        let mut sparse_zero = vec![0; 0x1810];
        sparse_zero[0x1800..].copy_from_slice(&[0xab; 16]);
        let random: Vec<u8> = (0..page as u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        /// Contents, region size, and the fill byte and patch count expected.
        type Case = (Vec<u8>, usize, Option<(u8, usize)>);
        let cases: Vec<Case> = vec![
            (vec![0xee; 2 * page], 2 * page, Some((0xee, 0))),
            (patched, patched_size, Some((0xc5, 3))),
            (sparse_zero, 2 * page, Some((0, 1))),
            (vec![0; page], page, Some((0, 0))),
            // Nothing to gain: empty, short, or no common byte.
            (Vec::new(), page, None),
            (vec![1, 2, 3, 4], page, None),
            (random, page, None),
            // A non-zero majority with zeros after the contents, or contents
            // larger than the region: the full form.
            (vec![0xee; page], 2 * page, None),
            (vec![0xee; 2 * page], page, None),
            // At most MAX_PATCHES patches.
            (
                many_patches(MAX_PATCHES),
                8 * page,
                Some((0xee, MAX_PATCHES)),
            ),
            (many_patches(MAX_PATCHES + 1), 8 * page, None),
        ];
        for (i, (contents, size, expected)) in cases.into_iter().enumerate() {
            let form = compact_contents(&contents, size as u64);
            assert_eq!(
                form.as_ref().map(|f| (f.fill, f.patches.len())),
                expected,
                "case {i}"
            );
            let Some(form) = form else { continue };
            let full = 2 * contents.len();
            let compact = serde_json::to_string(&form.patches).unwrap().len() + 12;
            assert!(compact < full, "case {i}: {compact} >= {full}");
            let expanded = expand_fill(size as u64, form.fill, &form.patches).unwrap();
            assert_eq!(whole(&expanded, size), whole(&contents, size), "case {i}");
            // Patches in order, apart, each starting and ending on a non-fill byte.
            let mut last_end = 0;
            for p in &form.patches {
                let bytes = crate::hex::decode(&p.bytes).unwrap();
                assert!(p.offset == 0 || p.offset as usize >= last_end);
                assert_ne!(bytes.first(), Some(&form.fill));
                assert_ne!(bytes.last(), Some(&form.fill));
                last_end = p.offset as usize + bytes.len();
            }
        }
    }

    #[test]
    fn fill_forms_that_do_not_fit_are_refused_with_the_reason() {
        let patch = |offset: u64, bytes: &str| Patch {
            offset,
            bytes: bytes.to_owned(),
        };
        assert_eq!(
            expand_fill(0x1000, 7, &[patch(0xffe, "0102"), patch(0, "")]).unwrap()[0xffc..],
            [7, 7, 1, 2]
        );
        assert_eq!(
            expand_fill(0x1000, 0, &[patch(2, "aa"), patch(2, "bb")]).unwrap(),
            [0, 0, 0xbb]
        );
        assert_eq!(
            expand_fill(0x1000, 7, &[patch(0xfff, "0102")]),
            Err(
                "patches[0]: 2 bytes at offset 0xfff do not fit in the region's 0x1000 bytes"
                    .to_owned()
            )
        );
        assert_eq!(
            expand_fill(0x1000, 7, &[patch(0, "01"), patch(u64::MAX, "01")]),
            Err("patches[1]: 1 bytes at offset 0xffffffffffffffff do not fit in the region's 0x1000 bytes".to_owned())
        );
        let bad_hex = expand_fill(0x1000, 0, &[patch(0, "0g")]).unwrap_err();
        assert!(bad_hex.starts_with("patches[0].bytes: "), "{bad_hex}");
        let huge = expand_fill(MAX_FILL + 0x1000, 1, &[]).unwrap_err();
        assert!(huge.starts_with("fill: regions of at most"), "{huge}");
        // A zero fill allocates nothing: any size is fine without patches.
        assert_eq!(expand_fill(u64::MAX, 0, &[]), Ok(Vec::new()));
    }

    #[test]
    fn fill_requests_round_trip_and_bad_fills_are_named() {
        let op = Op::MapMemory {
            process: ProcessRef(1),
            address: 0x1000,
            size: 0x2000,
            state: MemoryState::Normal,
            permission: Permission::Rw,
            attributes: MemoryAttributes::default(),
            contents: None,
            fill: Some(Fill(0xee)),
            patches: Some(vec![Patch {
                offset: 16,
                bytes: "0102".into(),
            }]),
        };
        let line = request_line(5, &op);
        assert!(
            line.ends_with(r#","fill":238,"patches":[{"offset":16,"bytes":"0102"}]}"#),
            "{line}"
        );
        assert!(!line.contains("contents"), "{line}");
        assert_eq!(parse_request_fast(line.as_bytes()), Some((5, op.clone())));
        assert_eq!(parse_request_checked(&line), (Some(5), Ok(op)));
        let base = r#"{"id":6,"op":"map_memory","process":1,"address":4096,"size":4096,"state":"Normal","permission":"rw","attributes":{"locked":false,"ipc_locked":false,"device_shared":false,"uncached":false,"permission_locked":false}"#;
        for (fill, expected) in [
            (
                "256",
                "fill 256 is out of range: a byte value 0..=255 expected",
            ),
            (
                "-1",
                "fill -1 is out of range: a byte value 0..=255 expected",
            ),
            ("1.5", "expected a fill byte value (an integer 0..=255)"),
            ("\"ee\"", "expected a fill byte value (an integer 0..=255)"),
        ] {
            let (id, op) = parse_request(&format!("{base},\"fill\":{fill}}}"));
            assert_eq!(id, Some(6));
            let error = op.unwrap_err();
            assert!(error.contains(expected), "{fill}: {error}");
        }
    }

    #[test]
    fn answer_lines_are_what_a_value_prints() {
        let ok = serde_json::json!({"b": [1, "x"], "a": null});
        for (id, answer) in [
            (Some(3), Ok(ok)),
            (Some(u64::MAX), Ok(Value::Null)),
            (None, Err("bad \"request\"\n".to_owned())),
            (Some(4), Err(String::new())),
        ] {
            let id_value = id.map_or(Value::Null, Value::from);
            let expected = match &answer {
                Ok(ok) => serde_json::json!({"id": id_value, "ok": ok}),
                Err(error) => serde_json::json!({"id": id_value, "error": error}),
            }
            .to_string();
            assert_eq!(answer_line(id, answer), expected);
        }
    }

    #[test]
    fn answers() {
        let ok: Value = serde_json::from_str(&answer_line(Some(3), Ok(Value::Null))).unwrap();
        assert_eq!(ok, serde_json::json!({"id": 3, "ok": null}));
        let err: Value = serde_json::from_str(&answer_line(None, Err("bad".into()))).unwrap();
        assert_eq!(err, serde_json::json!({"id": null, "error": "bad"}));
        let send: SendAnswer =
            serde_json::from_str(r#"{"status":"returned","result":58369}"#).unwrap();
        assert_eq!(send, SendAnswer::Returned { result: 0xE401 });
    }
}
