//! What a kernel test needs of a kernel beyond its `requires` list, derived from
//! the test itself (vectors/README.md "Capabilities").
//!
//! A vector should not have to restate what its own set-up and steps already say,
//! and a kernel that cannot do something must see the test skipped, never failed
//! (docs/spec/kernel-semantics.md §1.4):
//!
//! * a step on the `"tls"` buffer needs `tls-buffer`; a step on a user buffer
//!   needs `user-buffer`; a step on `"any"` buffer needs one of the two;
//! * an `address`, `size` or `alias_region_size` written as a literal at or above
//!   4 GiB, anywhere in the set-up or the steps, needs `address-space-64`;
//! * an `attributes` object with an attribute set, in a memory region or a mapping
//!   expectation, needs `memory-attributes`;
//! * a set-up region in a state a process is not given by its own memory calls on
//!   every kernel ([`MemoryState::is_system`]) needs `memory-states`;
//! * every other capability the test uses ([`super::uses`]: a `send_async` step
//!   needs `async`, a message with move handles `move-handles`, and so on) is
//!   needed as if it were in `requires`, so that a vector whose `requires` list
//!   forgets one is skipped on a kernel lacking it, not failed.
//!
//! The walk reads the test's JSON in the file form, after [`super::migrate`].

use serde::Deserialize;
use serde_json::Value;

use super::migrate::has_default_buffer;
use super::uses::capabilities_used;
use crate::kernel::{Capability, MemoryState};

/// The first value a 32-bit address space cannot hold.
const FOUR_GIB: u128 = 1 << 32;

/// The derived needs of one test.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Needs {
    /// Capabilities the kernel must declare, sorted, without duplicates.
    pub capabilities: Vec<Capability>,
    /// Some step uses a thread's message buffer of any kind (`"any"`): the kernel
    /// must have `tls-buffer` or `user-buffer`.
    pub message_buffer: bool,
}

impl Needs {
    /// Derives the needs of a kernel test from its JSON.
    pub fn of(test: &Value) -> Needs {
        let mut needs = Needs::default();
        if let Some(steps) = test.get("steps").and_then(Value::as_array) {
            for step in steps.iter().filter_map(Value::as_object) {
                if has_default_buffer(step) {
                    needs.message_buffer = true;
                }
                match step.get("buffer") {
                    Some(Value::String(s)) if s == "tls" => {
                        needs.capabilities.push(Capability::TlsBuffer);
                    }
                    Some(Value::String(s)) if s == "any" => needs.message_buffer = true,
                    Some(Value::Object(_)) => needs.capabilities.push(Capability::UserBuffer),
                    _ => {}
                }
            }
        }
        walk(test, &mut needs.capabilities);
        if test
            .pointer("/setup/memory")
            .and_then(Value::as_array)
            .is_some_and(|regions| regions.iter().any(in_system_state))
        {
            needs.capabilities.push(Capability::MemoryStates);
        }
        needs.capabilities.extend(capabilities_used(test));
        needs.capabilities.sort();
        needs.capabilities.dedup();
        needs
    }
}

/// Adds what the values under `value` need: wide addresses and attributes.
fn walk(value: &Value, out: &mut Vec<Capability>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let wide = matches!(key.as_str(), "address" | "size" | "alias_region_size")
                    && literal(v).is_some_and(|n| n >= FOUR_GIB);
                if wide {
                    out.push(Capability::AddressSpace64);
                }
                let attribute_set = key == "attributes"
                    && v.as_object()
                        .is_some_and(|a| a.values().any(|b| b.as_bool() == Some(true)));
                if attribute_set {
                    out.push(Capability::MemoryAttributes);
                }
                walk(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
        _ => {}
    }
}

/// Whether a set-up region is in a state only some kernels can create a region in.
/// A state name that is not a state at all is the loader's error, not a need.
fn in_system_state(region: &Value) -> bool {
    region
        .get("state")
        .and_then(|s| MemoryState::deserialize(s).ok())
        .is_some_and(MemoryState::is_system)
}

/// A literal integer as vectors write it (JSON integer, hex or decimal string);
/// `None` for expressions with symbols and for anything else.
pub(super) fn literal(value: &Value) -> Option<u128> {
    match value {
        Value::Number(n) => n.as_u64().map(u128::from),
        Value::String(s) => {
            let s = s.trim();
            match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some(hex) => u128::from_str_radix(&hex.replace('_', ""), 16).ok(),
                None => s.parse().ok(),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn buffers_name_their_syscalls() {
        let n = Needs::of(&json!({"steps": [
            {"op": "send", "thread": "C"},
            {"op": "reply_and_receive", "thread": "S", "buffer": "tls"},
            {"op": "send", "thread": "C", "buffer": {"address": "0x1000", "size": "0x1000"}},
            {"op": "expect_message", "process": "S", "address": 0, "message": {}},
        ]}));
        assert!(n.message_buffer);
        assert_eq!(
            n.capabilities,
            [Capability::TlsBuffer, Capability::UserBuffer]
        );
        let n = Needs::of(&json!({"steps": [{"op": "close", "process": "C", "handle": 1}]}));
        assert_eq!(n, Needs::default());
        // "any" spelled out is the default buffer: one of the two kinds, neither named.
        let n = Needs::of(&json!({"steps": [{"op": "send", "thread": "C", "buffer": "any"}]}));
        assert!(n.message_buffer);
        assert_eq!(n.capabilities, []);
    }

    #[test]
    fn wide_literals_and_attributes() {
        let n = Needs::of(&json!({
            "setup": {"memory": [{"address": "0x10000000", "size": "0x1000",
                                  "attributes": {"uncached": false}}]},
            "steps": [{"op": "send", "buffer": "tls",
                       "message": {"x": [{"address": "0x100000000", "size": 16}]}}]}));
        assert_eq!(
            n.capabilities,
            [
                Capability::TlsBuffer,
                Capability::Pointer,
                Capability::AddressSpace64
            ]
        );
        let n = Needs::of(
            &json!({"setup": {"memory": [{"address": "$tls.S+0x100000000",
            "size": 4096, "attributes": {"locked": true}}]}}),
        );
        assert_eq!(n.capabilities, [Capability::MemoryAttributes]);
        assert_eq!(literal(&json!("0xFFFF_FFFF")), Some(0xFFFF_FFFF));
        let region = |state: &str| json!({"setup": {"memory": [{"state": state}]}});
        assert_eq!(
            Needs::of(&region("Kernel")).capabilities,
            [Capability::MemoryStates]
        );
        for ordinary in [
            "Normal",
            "CodeData",
            "Shared",
            "NonSecureIpc",
            "NoSuchState",
        ] {
            assert_eq!(Needs::of(&region(ordinary)), Needs::default(), "{ordinary}");
        }
        assert_eq!(literal(&json!("4294967296")), Some(FOUR_GIB));
    }
}
