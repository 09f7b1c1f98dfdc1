//! What a kernel test uses of a kernel, read from the test itself: the
//! capabilities (vectors/README.md "Capabilities") its set-up, its messages and
//! its observations exercise.
//!
//! [`super::needs`] derives what the runner checks without a `requires` entry (the
//! message buffer, a 64-bit address space, memory attributes); this module names
//! every other capability a test touches, so that a generated vector can require
//! exactly what it uses (`hipc explore`, issue 14: a kernel lacking `async` still
//! runs an explored vector that sends nothing asynchronously), and so that a test
//! can check the corpus' `requires` lists against what each vector does.
//!
//! What counts as a use (kernel-semantics.md §1.4, §2, §3):
//!
//! | capability | used by |
//! |---|---|
//! | `handle-limit` | a process with `handle_capacity` |
//! | `alias-region-size` | a process with `alias_region_size` |
//! | `threads` | a set-up `threads` entry |
//! | `interrupt-event` | an event of kind `interrupt_event` |
//! | `async` | a `send_async` step |
//! | `session-close` | a `close` of a session end (`$NAME.client`, `$NAME.server`) |
//! | `memory-query` | `expect_mapping` with `state`, `permission` or `attributes`; `expect_no_ipc_mappings` |
//! | `pid` | a message sent, replied or written with a PID |
//! | `copy-handles`, `move-handles` | such a message with copy or move handles |
//! | `pointer` | such a message with X descriptors or receive-list mode 2 |
//! | `pointer-to-message-buffer` | receive-list mode 1 |
//! | `pointer-indexed` | receive-list modes 3 and above |
//! | `receive-list-offset` | a non-zero `recv_list_offset` |
//! | `map-alias` | such a message with A, B or W descriptors |
//!
//! Messages are read where a kernel is given them (`send`, `send_async`,
//! `reply_and_receive`, `write`), as message JSON or as `hex`; an expectation of a
//! delivered message uses nothing of its own.

use std::collections::BTreeSet;

use hipc::Layout;
use serde_json::{Map, Value};

use super::needs::literal;
use crate::hex;
use crate::kernel::Capability;

/// The capabilities a kernel test (file form, after [`super::migrate`]) uses, in
/// declaration order. The runner's derived needs ([`super::Needs`]) are not
/// repeated here.
pub fn capabilities_used(test: &Value) -> Vec<Capability> {
    let mut used = BTreeSet::new();
    let setup = test.get("setup");
    setup_uses(setup, &mut used);
    let sessions = session_names(setup);
    for step in array(test.get("steps")).filter_map(Value::as_object) {
        step_uses(step, &sessions, &mut used);
    }
    used.into_iter().collect()
}

fn array(v: Option<&Value>) -> impl Iterator<Item = &Value> {
    v.and_then(Value::as_array).into_iter().flatten()
}

fn setup_uses(setup: Option<&Value>, used: &mut BTreeSet<Capability>) {
    let Some(setup) = setup else {
        return;
    };
    for p in array(setup.get("processes")) {
        if p.get("handle_capacity").is_some() {
            used.insert(Capability::HandleLimit);
        }
        if p.get("alias_region_size").is_some() {
            used.insert(Capability::AliasRegionSize);
        }
    }
    if array(setup.get("threads")).next().is_some() {
        used.insert(Capability::Threads);
    }
    if array(setup.get("events")).any(|e| e.get("kind") == Some(&Value::from("interrupt_event"))) {
        used.insert(Capability::InterruptEvent);
    }
}

/// The names of the set-up's sessions.
fn session_names(setup: Option<&Value>) -> BTreeSet<&str> {
    array(setup.and_then(|s| s.get("sessions")))
        .filter_map(|s| s.get("name").and_then(Value::as_str))
        .collect()
}

fn step_uses(
    step: &Map<String, Value>,
    sessions: &BTreeSet<&str>,
    used: &mut BTreeSet<Capability>,
) {
    match step.get("op").and_then(Value::as_str).unwrap_or("") {
        "send_async" => {
            used.insert(Capability::Async);
            message_uses(step, used);
        }
        "send" | "reply_and_receive" | "write" => message_uses(step, used),
        "close" => {
            let session_end = step
                .get("handle")
                .and_then(Value::as_str)
                .and_then(|h| h.strip_prefix('$'))
                .and_then(|h| h.rsplit_once('.'))
                .is_some_and(|(name, end)| {
                    matches!(end, "client" | "server") && sessions.contains(name)
                });
            if session_end {
                used.insert(Capability::SessionClose);
            }
        }
        "expect_mapping"
            if ["state", "permission", "attributes"]
                .iter()
                .any(|k| step.contains_key(*k)) =>
        {
            used.insert(Capability::MemoryQuery);
        }
        "expect_no_ipc_mappings" => {
            used.insert(Capability::MemoryQuery);
        }
        _ => {}
    }
}

/// The sections of a message given to the kernel.
#[derive(Default)]
struct Sections {
    pid: bool,
    copies: bool,
    moves: bool,
    x: bool,
    map_alias: bool,
    recv_list_count: u128,
    recv_list_offset: bool,
}

fn message_uses(step: &Map<String, Value>, used: &mut BTreeSet<Capability>) {
    let sections = match (step.get("message"), step.get("hex")) {
        (Some(Value::Object(m)), _) => json_sections(m),
        (_, Some(Value::String(hex))) => hex_sections(hex),
        _ => return,
    };
    let pairs = [
        (sections.pid, Capability::Pid),
        (sections.copies, Capability::CopyHandles),
        (sections.moves, Capability::MoveHandles),
        (
            sections.x || sections.recv_list_count == 2,
            Capability::Pointer,
        ),
        (
            sections.recv_list_count == 1,
            Capability::PointerToMessageBuffer,
        ),
        (sections.recv_list_count >= 3, Capability::PointerIndexed),
        (sections.recv_list_offset, Capability::ReceiveListOffset),
        (sections.map_alias, Capability::MapAlias),
    ];
    used.extend(pairs.iter().filter(|(yes, _)| *yes).map(|(_, c)| *c));
}

fn json_sections(m: &Map<String, Value>) -> Sections {
    let non_empty = |key: &str| array(m.get(key)).next().is_some();
    // A count or offset written as an expression (not a literal) is taken as
    // non-zero: it may be, and the test is skipped rather than failed if so.
    let number = |key: &str| m.get(key).map_or(0, |v| literal(v).unwrap_or(1));
    Sections {
        pid: m.get("pid").is_some_and(|p| !p.is_null()),
        copies: non_empty("copy_handles"),
        moves: non_empty("move_handles"),
        x: non_empty("x"),
        map_alias: non_empty("a") || non_empty("b") || non_empty("w"),
        recv_list_count: number("recv_list_count"),
        recv_list_offset: number("recv_list_offset") != 0,
    }
}

/// The sections of a message written as hex, read from its header alone (the
/// bytes of a vector may be deliberately malformed: what the header announces is
/// what the kernel is asked to do).
fn hex_sections(text: &str) -> Sections {
    let Some(layout) = hex::decode(text).ok().and_then(|b| Layout::parse(&b).ok()) else {
        return Sections::default();
    };
    let header = layout.header();
    let special = layout.special_header();
    Sections {
        pid: special.is_some_and(|s| s.has_pid()),
        copies: special.is_some_and(|s| s.copy_count() > 0),
        moves: special.is_some_and(|s| s.move_count() > 0),
        x: header.x_count() > 0,
        map_alias: header.a_count() + header.b_count() + header.w_count() > 0,
        recv_list_count: u128::from(header.recv_list_count()),
        recv_list_offset: header.recv_list_offset() != 0,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn set_up_entries_name_their_capabilities() {
        let used = capabilities_used(&json!({"setup": {
            "processes": [{"name": "C"}, {"name": "S", "handle_capacity": 6,
                                          "alias_region_size": "0x10000"}],
            "threads": [{"name": "C2", "process": "C"}],
            "events": [{"name": "e", "process": "C", "kind": "event"},
                       {"name": "i", "process": "C", "kind": "interrupt_event"}],
            "sessions": [{"name": "s", "server": "S", "client": "C"}]},
            "steps": []}));
        assert_eq!(
            used,
            [
                Capability::HandleLimit,
                Capability::InterruptEvent,
                Capability::Threads,
                Capability::AliasRegionSize
            ]
        );
    }

    #[test]
    fn messages_name_their_sections() {
        let used = capabilities_used(&json!({"steps": [
            {"op": "send", "thread": "C", "message": {"type": 4, "pid": 0,
             "copy_handles": ["$e"], "move_handles": [], "x": [],
             "a": [], "b": [{"address": 0, "size": 0, "mode": 0}], "w": [],
             "raw_words": [], "recv_list_count": "0x1", "c": []}},
            {"op": "reply_and_receive", "thread": "S", "handles": [],
             "message": {"type": 0, "pid": null, "recv_list_count": 5,
                         "recv_list_offset": 0}},
            {"op": "expect_message", "thread": "S",
             "message": {"move_handles": [1], "x": [{}]}}]}));
        assert_eq!(
            used,
            [
                Capability::Pid,
                Capability::CopyHandles,
                Capability::PointerIndexed,
                Capability::PointerToMessageBuffer,
                Capability::MapAlias
            ]
        );
    }

    #[test]
    fn hex_messages_are_read_from_their_header() {
        // Type 4, one X descriptor, receive-list mode 2, a special header with
        // one move handle (wire-format.md §1.4, §1.5).
        let used = capabilities_used(&json!({"steps": [
            {"op": "send", "thread": "C",
             "hex": "04000100 00080080 20000000 07000000 00000000 00000000"}]}));
        assert_eq!(used, [Capability::MoveHandles, Capability::Pointer]);
    }

    #[test]
    fn closes_of_session_ends_and_memory_queries() {
        let used = capabilities_used(&json!({
            "setup": {"sessions": [{"name": "s", "server": "S", "client": "C"}],
                      "events": [{"name": "ev", "process": "C"}]},
            "steps": [
                {"op": "close", "process": "C", "handle": "$ev"},
                {"op": "expect_mapping", "process": "C", "address": 0, "hex": "00"}]}));
        assert_eq!(used, []);
        let used = capabilities_used(&json!({
            "setup": {"sessions": [{"name": "s", "server": "S", "client": "C"}]},
            "steps": [
                {"op": "close", "process": "C", "handle": "$s.client"},
                {"op": "send_async", "thread": "C", "message": {"type": 4}},
                {"op": "expect_no_ipc_mappings", "process": "S"}]}));
        assert_eq!(
            used,
            [
                Capability::Async,
                Capability::MemoryQuery,
                Capability::SessionClose
            ]
        );
    }
}
