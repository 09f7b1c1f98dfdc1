//! Kernel scenarios: set-up and steps (vectors/README.md "Kernel tests").

use serde::Deserialize;

use super::expr::{Expr, ResultExpr};
use super::file::Verdict;
use super::step::Step;
use crate::kernel::{Capability, EventKind, MemoryAttributes, MemoryState, Permission};

/// One kernel scenario.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KernelTest {
    /// Stable id, unique across the corpus.
    pub id: String,
    /// What the test checks.
    pub comment: String,
    /// The spec section it comes from.
    pub source: Option<String>,
    /// The kernel-semantics.md §8 scenario it implements.
    pub scenario: Option<String>,
    /// Flags, each explained in the file's notes.
    pub flags: Vec<String>,
    /// valid, invalid or acceptable.
    pub result: Verdict,
    /// Capabilities the kernel must declare.
    #[serde(default)]
    pub requires: Vec<Capability>,
    /// Capabilities the kernel must not declare.
    #[serde(default)]
    pub excludes: Vec<Capability>,
    /// What the test needs beyond `requires`, derived by the loader from its
    /// buffers, addresses and attributes ([`super::needs`]).
    #[serde(skip)]
    pub needs: super::needs::Needs,
    /// Processes, threads, memory, events, sessions.
    pub setup: Setup,
    /// What happens, and what must be observed.
    pub steps: Vec<Step>,
}

/// The world before the first step.
#[derive(Clone, PartialEq, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Setup {
    /// Processes, each with a main thread of the same name.
    pub processes: Vec<ProcessDecl>,
    /// Extra threads.
    pub threads: Vec<ThreadDecl>,
    /// Memory regions.
    pub memory: Vec<MemoryDecl>,
    /// Events.
    pub events: Vec<EventDecl>,
    /// Sessions.
    pub sessions: Vec<SessionDecl>,
}

/// A process.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessDecl {
    /// Its name (and its main thread's).
    pub name: String,
    /// Requested process id.
    pub pid: Option<Expr>,
    /// Handle-table capacity.
    pub handle_capacity: Option<Expr>,
    /// Alias region size.
    pub alias_region_size: Option<Expr>,
}

/// An extra thread.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadDecl {
    /// Its name.
    pub name: String,
    /// Its process.
    pub process: String,
}

/// A memory region.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryDecl {
    /// Its process.
    pub process: String,
    /// Start address.
    pub address: Expr,
    /// Size.
    pub size: Expr,
    /// Memory state.
    pub state: MemoryState,
    /// User permission.
    pub permission: Permission,
    /// Attributes.
    #[serde(default)]
    pub attributes: MemoryAttributes,
    /// The byte the region starts filled with (default 0).
    pub fill: Option<Expr>,
    /// Bytes written at offsets.
    #[serde(default)]
    pub contents: Vec<Contents>,
}

/// Bytes at an offset of a region.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contents {
    /// Offset from the region start.
    pub offset: Expr,
    /// The bytes.
    pub hex: String,
}

/// An event.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDecl {
    /// Its name (binds `$NAME`).
    pub name: String,
    /// The process holding the handle.
    pub process: String,
    /// Event or interrupt event.
    pub kind: EventKind,
}

/// A session.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionDecl {
    /// Its name (binds `$NAME.server` and `$NAME.client`).
    pub name: String,
    /// Server process.
    pub server: String,
    /// Client process.
    pub client: String,
}

/// A message buffer: `"any"`, `"tls"` or a user buffer (vectors/README.md
/// "Buffers").
#[derive(Clone, PartialEq, Debug, Default)]
pub enum BufferDecl {
    /// The thread's message buffer, whichever kind the kernel has: its TLS buffer
    /// when the kernel has the TLS syscalls, else a user buffer the runner sets up
    /// (address `$buf.T`). The default in format v2: most tests exercise message
    /// translation, for which the kind of buffer is incidental.
    #[default]
    Any,
    /// The thread's 0x100-byte TLS buffer: for tests where the TLS buffer is the
    /// point (its size, its address).
    Tls,
    /// A user buffer.
    User {
        /// Address.
        address: Expr,
        /// Size.
        size: Expr,
    },
}

impl<'de> Deserialize<'de> for BufferDecl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct User {
            address: Expr,
            size: Expr,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            User(User),
        }
        match Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected \"any\", \"tls\" or {\"address\": ..., \"size\": ...}",
            )
        })? {
            Raw::Name(n) if n == "tls" => Ok(BufferDecl::Tls),
            Raw::Name(n) if n == "any" => Ok(BufferDecl::Any),
            Raw::Name(n) => Err(serde::de::Error::custom(format!(
                "unknown buffer {n:?}: expected \"any\", \"tls\" or {{\"address\": ..., \"size\": ...}}"
            ))),
            Raw::User(u) => Ok(BufferDecl::User {
                address: u.address,
                size: u.size,
            }),
        }
    }
}

/// What a syscall step expects.
#[derive(Clone, PartialEq, Debug)]
pub enum CallExpect {
    /// `"pending"`: the client blocks.
    Pending,
    /// `"idle"`: no request (for `expect_client`).
    Idle,
    /// A result, and for `reply_and_receive` an out index.
    Returned(ReturnExpect),
}

/// `{"result": R, "out_index": N}`.
#[derive(Clone, PartialEq, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnExpect {
    /// The result (absent: Success).
    pub result: Option<ResultExpr>,
    /// Absent: not checked. Format v1's `null` ("must not be written") asserted
    /// what kernel-semantics.md §9 **out_index on failure** leaves unspecified: the
    /// loader refuses it in v2 files and drops it from v1 files
    /// ([`super::migrate`]), so it never reaches here.
    pub out_index: Option<Expr>,
}

impl<'de> Deserialize<'de> for CallExpect {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        match value {
            serde_json::Value::String(s) if s == "pending" => Ok(CallExpect::Pending),
            serde_json::Value::String(s) if s == "idle" => Ok(CallExpect::Idle),
            serde_json::Value::Object(_) => ReturnExpect::deserialize(value)
                .map(CallExpect::Returned)
                .map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "expected \"pending\", \"idle\" or {{\"result\": ..., \"out_index\": ...}}, got {other}"
            ))),
        }
    }
}

/// What a handle must name (`same_object_as`).
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectRef {
    /// With `handle`: the object that handle names in this process.
    pub process: Option<String>,
    /// See `process`.
    pub handle: Option<Expr>,
    /// The named process's own object.
    pub process_object: Option<String>,
    /// The named thread's own object.
    pub thread_object: Option<String>,
}

/// Rewrites every step of a kernel test from the file form `{"op": "send", ...}`
/// to the externally tagged form `{"send": {...}}` that [`Step`] derives, so that
/// errors inside a step keep their JSON path (serde's internally tagged enums lose
/// it). [`unshift_step_path`] turns the paths back into the file's form.
pub fn shift_steps(test: &mut serde_json::Value) {
    let Some(steps) = test.get_mut("steps").and_then(|s| s.as_array_mut()) else {
        return;
    };
    for step in steps {
        let Some(map) = step.as_object_mut() else {
            continue;
        };
        let Some(serde_json::Value::String(op)) = map.get("op").cloned() else {
            continue;
        };
        map.remove("op");
        let body = serde_json::Value::Object(std::mem::take(map));
        map.insert(op, body);
    }
}

/// Turns a path such as `steps[3].send.expect` back into `steps[3].expect`.
pub fn unshift_step_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut parts = path.split('.').peekable();
    let mut first = true;
    while let Some(part) = parts.next() {
        if !first {
            out.push('.');
        }
        first = false;
        out.push_str(part);
        if part.starts_with("steps[") {
            // Skip the op segment that shift_steps introduced.
            parts.next();
        }
    }
    out
}
