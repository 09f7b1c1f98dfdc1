//! The observations appended to an explored scenario: the state the reference
//! model ends in, written as observation steps (vectors/README.md "Steps") so that
//! every part of it the vector format can express is compared with the kernel
//! under test: each thread's request status, each process's handle count, every
//! named handle's validity and the object it names, the pages of the world
//! (state, permission, attributes, or user access), the server's IPC mappings, and
//! the bytes around every buffer the messages pointed at.
//!
//! What kernel-semantics.md §9 leaves open is not observed: handle values (handles
//! are named by symbols and compared by the object they name; a closed handle
//! whose value a later handle may have taken is not checked), alias addresses
//! (mappings are reached through the `$addrN` symbols the recording bound, and
//! only their page offset, state, permission and bytes are checked), and memory
//! after a failed translation (**buffer contents after failure**: no bytes are
//! checked in a scenario where any call failed).

use std::collections::BTreeSet;

use super::set;
use serde_json::{Value, json};

use super::scenario::Allowed;
use super::world::C_SPECIAL;
use crate::kernel::{Capability, MemoryInfo, ProcessRef, RequestStatus};
use crate::record::result_json;
use crate::runner::scenario::{Call, Run, StepObserver};

/// Collects the final observations while the recorded scenario runs on the model.
pub(crate) struct FinalState<'a> {
    /// The recorded test's steps (JSON), to know which process bound a symbol.
    pub(crate) steps: &'a [Value],
    /// What the kernel under test declares.
    pub(crate) allowed: Allowed,
    /// Handle symbols that must not be checked (closed, value possibly reused).
    pub(crate) unsure: &'a BTreeSet<String>,
    /// Byte windows to compare: (process, address, length).
    pub(crate) windows: &'a [(&'static str, u64, u64)],
    /// Whether some call returned a failure (then no bytes are compared).
    pub(crate) any_failure: bool,
    /// The observation steps, once the last step has run.
    pub(crate) observed: Vec<Value>,
}

impl StepObserver for FinalState<'_> {
    fn step_ran(&mut self, run: &mut Run<'_>, index: usize, call: Option<Call>) {
        if let Some(call) = call {
            self.any_failure |= call_failed(call);
        }
        if index + 1 == self.steps.len() {
            self.observe(run);
        }
    }
}

fn call_failed(call: Call) -> bool {
    use crate::kernel::{ResultCode, SendOutcome};
    match call {
        Call::Send(SendOutcome::Pending) => false,
        Call::Send(SendOutcome::Returned(r)) | Call::Returned(r) => !r.is_success(),
        Call::ReplyAndReceive(w) => !w.result.is_success() && w.result != ResultCode::TIMED_OUT,
    }
}

impl FinalState<'_> {
    fn observe(&mut self, run: &mut Run<'_>) {
        self.client_status(run);
        self.handles(run);
        self.pages(run);
        self.ipc_mappings(run);
        if !self.any_failure {
            self.bytes(run);
        }
    }

    fn client_status(&mut self, run: &mut Run<'_>) {
        for thread in ["C", "C2"] {
            let Some(status) = run.request_status(thread) else {
                continue;
            };
            let status = match status {
                RequestStatus::Idle => json!("idle"),
                RequestStatus::Pending => json!("pending"),
                RequestStatus::Completed(r) => json!({"result": result_json(r)}),
            };
            // A status completed with a failure is itself observable (§6.4).
            self.observed
                .push(json!({"op": "expect_client", "thread": thread, "status": status}));
        }
    }

    /// The process a symbol bound at step `step` belongs to: the process of that
    /// step's thread (`C2` is in C).
    fn process_of_step(&self, step: usize) -> Option<&'static str> {
        let s = self.steps.get(step)?;
        let name = s.get("thread").or_else(|| s.get("process"))?.as_str()?;
        Some(if name == "S" { "S" } else { "C" })
    }

    fn handles(&mut self, run: &mut Run<'_>) {
        let (Some(c), Some(s)) = (run.process_ref("C"), run.process_ref("S")) else {
            return;
        };
        for (name, p) in [("C", c), ("S", s)] {
            let count = run.kernel().handle_count(p);
            self.observed
                .push(json!({"op": "expect_handle_count", "process": name, "count": count}));
        }
        let handles = self.named_handles(run);
        let by_name = |n: &str| if n == "S" { s } else { c };
        for (process, symbol, value) in &handles {
            let Ok(h) = u32::try_from(*value) else {
                continue;
            };
            let object = run.kernel().handle_object(by_name(process), h);
            let mut step = json!({"op": "expect_handle", "process": process,
                                  "handle": format!("${symbol}"), "valid": object.is_some()});
            if let Some(object) = object
                && let Some(same) = self.same_object(run, &handles, (process, symbol), object, c, s)
            {
                set(&mut step, "same_object_as", same);
            }
            self.observed.push(step);
        }
    }

    /// Handle symbols worth checking, with their process and value: the set-up's
    /// events and sessions, and the handles the recording named (`$hN`, `$aevN`).
    fn named_handles(&self, run: &Run<'_>) -> Vec<(&'static str, String, i128)> {
        let setup: [(&str, &str); 12] = [
            ("C", "ev"),
            ("C", "ev2"),
            ("C", "irq"),
            ("C", "dead"),
            ("S", "sev"),
            ("S", "sev2"),
            ("S", "sirq"),
            ("S", "sdead"),
            ("C", "s.client"),
            ("S", "s.server"),
            ("C", "t.client"),
            ("S", "t.server"),
        ];
        let mut out = Vec::new();
        for (name, value, step) in run.bound_symbols() {
            if self.unsure.contains(&format!("${name}")) {
                continue;
            }
            let process = match step {
                None => setup
                    .iter()
                    .find(|(_, n)| *n == name)
                    .map(|(p, _)| if *p == "S" { "S" } else { "C" }),
                Some(k) if name.starts_with('h') || name.starts_with("aev") => {
                    self.process_of_step(k)
                }
                Some(_) => None,
            };
            if let Some(process) = process {
                out.push((process, name, value));
            }
        }
        out
    }

    /// Another reference to `object`: a different named handle, or a process's or
    /// thread's own object.
    fn same_object(
        &self,
        run: &mut Run<'_>,
        handles: &[(&'static str, String, i128)],
        me: (&str, &str),
        object: crate::kernel::ObjectId,
        c: ProcessRef,
        s: ProcessRef,
    ) -> Option<Value> {
        for (name, p) in [("C", c), ("S", s)] {
            if run.kernel().process_object(p) == object {
                return Some(json!({"process_object": name}));
            }
        }
        for thread in ["C", "C2", "S"] {
            if let Some(t) = run.thread_ref(thread)
                && run.kernel().thread_object(t) == object
            {
                return Some(json!({"thread_object": thread}));
            }
        }
        for (process, symbol, value) in handles {
            if (*process, symbol.as_str()) == me {
                continue;
            }
            let p = if *process == "S" { s } else { c };
            let Ok(h) = u32::try_from(*value) else {
                continue;
            };
            if run.kernel().handle_object(p, h) == Some(object) {
                return Some(json!({"process": process, "handle": format!("${symbol}")}));
            }
        }
        None
    }

    /// The pages the messages pointed into, and the chosen page: their mapping
    /// (state, permission, attributes) with `memory-query`, else whether user mode
    /// may write them (the client's pages are re-protected while lent, §4.4).
    fn pages(&mut self, run: &mut Run<'_>) {
        let query = self.allowed.has(Capability::MemoryQuery);
        let mut pages: BTreeSet<(&str, u64)> = self
            .windows
            .iter()
            .map(|&(p, a, _)| (p, a & !0xfff))
            .collect();
        pages.insert(("C", C_SPECIAL));
        for (name, address) in pages {
            let Some(p) = run.process_ref(name) else {
                continue;
            };
            if query {
                let Ok(info) = run.kernel().query_memory(p, address) else {
                    continue;
                };
                if info.state == crate::kernel::MemoryState::Free {
                    continue;
                }
                let at = format!("{address:#x}");
                self.observed.push(self.mapping(name, &at, &info));
            } else {
                let allowed = run.kernel().user_can_access(p, address, 0x1000, true);
                self.observed
                    .push(json!({"op": "expect_access", "process": name,
                    "address": format!("{address:#x}"), "size": "0x1000", "write": true,
                    "allowed": allowed}));
            }
        }
    }

    /// An `expect_mapping` step for what the model reports at `address`.
    fn mapping(&self, process: &str, address: &str, info: &MemoryInfo) -> Value {
        let mut step = json!({"op": "expect_mapping", "process": process, "address": address,
                              "state": info.state, "permission": info.permission});
        if self.allowed.has(Capability::MemoryAttributes) {
            set(&mut step, "attributes", json!(info.attributes));
        }
        step
    }

    /// Each server mapping of a map-alias buffer the recording bound (`$addrN` seen
    /// in an A, B or W descriptor of a message S received): its state, permission,
    /// page offset and first bytes; or no IPC mapping at all when the model has none.
    fn ipc_mappings(&mut self, run: &mut Run<'_>) {
        for name in ["C", "S"] {
            let Some(p) = run.process_ref(name) else {
                continue;
            };
            let Ok(mappings) = run.kernel().ipc_mappings(p) else {
                continue;
            };
            if mappings.is_empty() {
                self.observed
                    .push(json!({"op": "expect_no_ipc_mappings", "process": name}));
                continue;
            }
            if name != "S" || !self.allowed.has(Capability::MemoryQuery) {
                continue;
            }
            for (symbol, value, step) in run.bound_symbols() {
                let (Some(step), Ok(address)) = (step, u64::try_from(value)) else {
                    continue;
                };
                if !symbol.starts_with("addr") || self.process_of_step(step) != Some("S") {
                    continue;
                }
                let Some(info) = mappings
                    .iter()
                    .find(|m| m.base <= address && address < m.base + m.size)
                else {
                    continue;
                };
                let at = format!("${symbol}");
                let mut observed = self.mapping("S", &at, info);
                set(
                    &mut observed,
                    "page_offset",
                    json!(format!("{:#x}", address & 0xfff)),
                );
                if let Ok(bytes) = run.kernel().read_memory(p, address, 16) {
                    set(&mut observed, "hex", json!(crate::hex::encode(&bytes)));
                }
                self.observed.push(observed);
            }
        }
    }

    /// The bytes around every buffer the messages pointed at (`expect_memory`).
    fn bytes(&mut self, run: &mut Run<'_>) {
        for &(name, address, len) in self.windows {
            let Some(p) = run.process_ref(name) else {
                continue;
            };
            let Ok(len) = usize::try_from(len) else {
                continue;
            };
            if let Ok(bytes) = run.kernel().read_memory(p, address, len) {
                self.observed
                    .push(json!({"op": "expect_memory", "process": name,
                    "address": format!("{address:#x}"), "hex": crate::hex::encode(&bytes)}));
            }
        }
    }
}
