//! Requests: one [`Op`] per `Kernel` operation, written and read as JSON lines
//! (the one-pass readers and writers the hot path uses, checked against serde's).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Fill, Patch};
use crate::kernel::{
    EventKind, Handle, MemoryAttributes, MemoryState, MessageBuffer, Permission, ProcessRef,
    ThreadRef,
};

/// One request: everything but the `id`. Serialized with `"op"` as the tag, the
/// arguments as sibling keys. Unknown keys are refused.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// The handshake: the first request on a fresh process.
    Hello {
        /// [`PROTOCOL`](super::PROTOCOL).
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
        /// The fill form (protocol feature [`FEATURE_FILL`](super::FEATURE_FILL), sent only to a kernel
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
pub(super) fn parse_request_checked(line: &str) -> (Option<u64>, Result<Op, String>) {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::protocol::PROTOCOL;

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
}
