//! `hipc record`: fill in a kernel vector file's missing expectations from what a
//! kernel does (vectors/README.md, "A test that omits the `expect` of a syscall
//! step checks nothing about that call").
//!
//! Every test of a kernel file is run by the runner's executor
//! ([`record_kernel_test`]), which tells a [`StepObserver`] what each step's call
//! returned; this module turns that into JSON. In a copy of the file:
//!
//! * every syscall step without `expect` gets the one the kernel produced:
//!   `send` → `"pending"` or `{"result": R}`; `reply_and_receive` →
//!   `{"result": R, "out_index": N}` (without `out_index` when the kernel wrote
//!   none: its value is then unspecified, docs/spec/kernel-semantics.md §9);
//!   `send_async` and `close` → `{"result": R}`. Results are written by name
//!   (`"InvalidHandle"`) when the kernel-semantics table names them, else in hex.
//! * an `expect_message` step is inserted after each `reply_and_receive` that
//!   returned Success (the server's buffer: what it received), and after each step
//!   during which a pending client's `SendSyncRequest` completed with Success (the
//!   client's buffer: the reply). Not when the next step of the file already is an
//!   `expect_message` on that thread (recording a recorded file adds nothing).
//! * in those messages, values the kernel chooses become symbols bound at first
//!   sight: handles in `copy_handles`/`move_handles` as `$h1`, `$h2`, ... (one per
//!   process and handle value: the same handle seen again gets the same symbol),
//!   addresses in `x`, `a`, `b`, `w` as `$addr1`, ... (0 stays 0), and a PID that is
//!   some set-up process's as `$pid.P`. Names the file already uses are not reused.
//! * `source.recorded_from` = `{"kernel", "version", "date"}` (UTC date).
//!
//! A test the kernel would skip (a capability it lacks in `requires`, or has in
//! `excludes`) is left as it is.
//!
//! Steps that do have an `expect`, and every observation step, are kept as written;
//! recording does not check them (an expectation that does not hold does not stop
//! it), but symbols they bind at first sight (`expect_message`, `expect_words`,
//! `count_handles`, `out_index`) are bound from the kernel's values so that later
//! inputs can use them. A vector error or a kernel error stops the recording.
//!
//! The output is the file with keys in the canonical order of the vector format,
//! one step per line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::kernel::{
    Kernel, KernelInfo, ProcessRef, RequestStatus, ResultCode, SendOutcome, WaitOutcome,
};
use crate::message_json::{MESSAGE_KEYS, MessageJson};
use crate::runner::scenario::{Call, Run, StepObserver, record_kernel_test, skip_reason};
use crate::vector::{
    BufferDecl, CloseStep, ExpectMessageStep, Expr, FileKind, KernelTest, ReplyAndReceiveStep,
    SendAsyncStep, SendStep, Step, Test, load_value,
};

/// The name of a result as a vector writes it.
pub fn result_json(code: ResultCode) -> Value {
    match code.name() {
        Some(name) => Value::String(name.to_owned()),
        None => Value::String(format!("{:#x}", code.0)),
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// What a recording did, for the command's message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The file, recorded, as text.
    pub text: String,
    /// Tests run.
    pub tests: usize,
    /// Tests left as they are: the kernel lacks a capability they require (or has
    /// one they exclude).
    pub skipped: usize,
    /// `expect` keys filled in.
    pub expects_filled: usize,
    /// `expect_message` steps inserted.
    pub messages_inserted: usize,
}

/// Records a kernel vector file given as text (`file` names it in errors) against
/// `kernel`; `date` goes into `recorded_from` (see [`today`]). Errors name the file,
/// the test id and the step.
pub fn record_str(
    kernel: &mut dyn Kernel,
    file: &str,
    text: &str,
    date: &str,
) -> Result<Recorded, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("{file}: not valid JSON: {e}"))?;
    let mut recorded = Recorded::default();
    let value = record_value(kernel, file, value, date, &mut recorded)?;
    recorded.text = to_vector_json(&value);
    Ok(recorded)
}

/// [`record_str`] on a file already parsed (`hipc explore` records generated
/// files without going through text): the recorded file, with the counts added to
/// `recorded` (its `text` is left as it is).
pub fn record_value(
    kernel: &mut dyn Kernel,
    file: &str,
    mut value: Value,
    date: &str,
    recorded: &mut Recorded,
) -> Result<Value, String> {
    let loaded = load_value(file, value.clone()).map_err(|e| e.to_string())?;
    if let Some(error) = loaded.errors.first() {
        let mut message = error.to_string();
        if loaded.errors.len() > 1 {
            let _ = write!(message, " (and {} more problems)", loaded.errors.len() - 1);
        }
        return Err(message);
    }
    if loaded.kind != FileKind::Kernel {
        return Err(format!(
            "{file}: only kernel vector files can be recorded (this one is {})",
            loaded.kind.name()
        ));
    }
    let info = kernel.info();
    let tests: BTreeMap<&str, &KernelTest> = loaded
        .tests()
        .filter_map(|t| match t {
            Test::Kernel(k) => Some((k.id.as_str(), k.as_ref())),
            Test::Codec(_) => None,
        })
        .collect();
    let groups = value
        .get_mut("groups")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| format!("{file}: no groups"))?;
    for group in groups.iter_mut() {
        let Some(raw_tests) = group.get_mut("tests").and_then(Value::as_array_mut) else {
            continue;
        };
        for raw in raw_tests.iter_mut() {
            let Some(id) = raw.get("id").and_then(Value::as_str).map(str::to_owned) else {
                continue;
            };
            let Some(test) = tests.get(id.as_str()) else {
                continue;
            };
            if skip_reason(&info, test).is_some() {
                recorded.skipped += 1;
                continue;
            }
            record_test(kernel, &info, raw, test, recorded)
                .map_err(|e| format!("{file}: test {id}: {e}"))?;
        }
    }
    set_recorded_from(&mut value, &info, date);
    Ok(value)
}

/// Records one test: `raw` is its JSON, `test` the same test loaded; `raw` gets
/// the expectations (`hipc explore` records its generated tests one by one).
pub(crate) fn record_test(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    raw: &mut Value,
    test: &KernelTest,
    recorded: &mut Recorded,
) -> Result<(), String> {
    let mut used = BTreeSet::new();
    collect_symbols(raw, &mut used);
    let mut recorder = Recorder::new(&test.steps, used);
    record_kernel_test(kernel, info, test, &mut recorder)?;
    recorded.tests += 1;
    apply_edits(raw, &recorder.edits, recorded);
    Ok(())
}

fn set_recorded_from(value: &mut Value, info: &KernelInfo, date: &str) {
    let Some(root) = value.as_object_mut() else {
        return;
    };
    let source = root
        .entry("source")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(source) = source.as_object_mut() {
        let mut from = Map::new();
        from.insert("kernel".into(), Value::String(info.name.clone()));
        from.insert("version".into(), Value::String(info.version.clone()));
        from.insert("date".into(), Value::String(date.to_owned()));
        source.insert("recorded_from".into(), Value::Object(from));
    }
}

fn collect_symbols(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) => {
            if let Some(Expr::Sym { name, .. }) = s.strip_prefix('$').and(Expr::parse(s).ok()) {
                out.insert(name);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_symbols(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_symbols(v, out)),
        _ => {}
    }
}

/// What recording one test changes in its steps.
#[derive(Default)]
struct Edits {
    /// Step index → the `expect` to add.
    expects: BTreeMap<usize, Value>,
    /// Step index → steps to insert after it.
    inserts: BTreeMap<usize, Vec<Value>>,
}

fn apply_edits(test: &mut Value, edits: &Edits, recorded: &mut Recorded) {
    let Some(steps) = test.get_mut("steps").and_then(Value::as_array_mut) else {
        return;
    };
    let old = std::mem::take(steps);
    for (i, mut step) in old.into_iter().enumerate() {
        if let (Some(expect), Some(map)) = (edits.expects.get(&i), step.as_object_mut()) {
            map.insert("expect".into(), expect.clone());
            recorded.expects_filled += 1;
        }
        steps.push(step);
        if let Some(new) = edits.inserts.get(&i) {
            recorded.messages_inserted += new.len();
            steps.extend(new.iter().cloned());
        }
    }
}

/// One test being recorded: told what each step did by the runner's executor.
struct Recorder<'t> {
    steps: &'t [Step],
    edits: Edits,
    /// Symbol names the file uses (never minted).
    used: BTreeSet<String>,
    /// Threads blocked in `SendSyncRequest`, with their step's buffer.
    pending: BTreeMap<String, BufferDecl>,
    /// (prefix, process, value) → minted symbol: `h` for handles, `addr` for
    /// addresses.
    names: BTreeMap<(&'static str, ProcessRef, u64), String>,
    /// Prefix → the last number tried.
    counters: BTreeMap<&'static str, usize>,
}

impl StepObserver for Recorder<'_> {
    fn step_ran(&mut self, run: &mut Run<'_>, i: usize, call: Option<Call>) {
        let mut inserts = Vec::new();
        match (self.steps.get(i), call) {
            (Some(Step::Send(step)), Some(Call::Send(outcome))) => {
                self.record_send(i, step, outcome);
            }
            (
                Some(
                    Step::SendAsync(SendAsyncStep { expect: None, .. })
                    | Step::Close(CloseStep { expect: None, .. }),
                ),
                Some(Call::Returned(code)),
            ) => {
                self.edits
                    .expects
                    .insert(i, json!({ "result": result_json(code) }));
            }
            (Some(Step::ReplyAndReceive(step)), Some(Call::ReplyAndReceive(outcome))) => {
                inserts.extend(self.record_reply_and_receive(run, i, step, &outcome));
            }
            _ => {}
        }
        inserts.extend(self.record_completed_clients(run, i));
        if !inserts.is_empty() {
            self.edits.inserts.insert(i, inserts);
        }
    }
}

impl Recorder<'_> {
    /// A `send` without `expect` gets what happened; a blocked client is
    /// remembered until its request completes.
    fn record_send(&mut self, i: usize, step: &SendStep, outcome: SendOutcome) {
        let recorded = match outcome {
            SendOutcome::Pending => {
                self.pending
                    .insert(step.thread.clone(), step.buffer.clone());
                Value::String("pending".into())
            }
            SendOutcome::Returned(code) => json!({ "result": result_json(code) }),
        };
        if step.expect.is_none() {
            self.edits.expects.insert(i, recorded);
        }
    }

    /// A `reply_and_receive` without `expect` gets its result and out index; a
    /// successful receive not already followed by an `expect_message` gets one
    /// (returned, to insert after the step).
    fn record_reply_and_receive(
        &mut self,
        run: &mut Run<'_>,
        i: usize,
        step: &ReplyAndReceiveStep,
        outcome: &WaitOutcome,
    ) -> Option<Value> {
        if step.expect.is_none() {
            let expect = match outcome.out_index {
                Some(index) => {
                    json!({ "result": result_json(outcome.result), "out_index": index })
                }
                None => json!({ "result": result_json(outcome.result) }),
            };
            self.edits.expects.insert(i, expect);
        }
        if outcome.result.is_success() && !self.next_is_message_on(i, &step.thread) {
            return self.expect_message_step(
                run,
                &step.thread,
                &step.buffer,
                "recorded: the message the server received",
            );
        }
        None
    }

    /// The clients whose request completed during step `i`: each successful one
    /// not already followed by an `expect_message` gets one for the reply it
    /// received; the others still waiting stay remembered.
    fn record_completed_clients(&mut self, run: &mut Run<'_>, i: usize) -> Vec<Value> {
        let mut inserts = Vec::new();
        let waiting: Vec<(String, BufferDecl)> =
            std::mem::take(&mut self.pending).into_iter().collect();
        for (thread, buffer) in waiting {
            match run.request_status(&thread) {
                Some(RequestStatus::Pending) => {
                    self.pending.insert(thread, buffer);
                }
                Some(RequestStatus::Completed(code))
                    if code.is_success() && !self.next_is_message_on(i, &thread) =>
                {
                    inserts.extend(self.expect_message_step(
                        run,
                        &thread,
                        &buffer,
                        "recorded: the reply the client received",
                    ));
                }
                _ => {}
            }
        }
        inserts
    }
}

impl<'t> Recorder<'t> {
    fn new(steps: &'t [Step], used: BTreeSet<String>) -> Self {
        Recorder {
            steps,
            edits: Edits::default(),
            used,
            pending: BTreeMap::new(),
            names: BTreeMap::new(),
            counters: BTreeMap::new(),
        }
    }

    /// Whether the step after step `i` already is an `expect_message` on `thread`.
    fn next_is_message_on(&self, i: usize, thread: &str) -> bool {
        matches!(self.steps.get(i + 1), Some(Step::ExpectMessage(ExpectMessageStep { thread: Some(t), .. })) if t == thread)
    }

    /// An `expect_message` step for the message now in a thread's buffer; `None`
    /// when there is none that decodes.
    fn expect_message_step(
        &mut self,
        run: &mut Run<'_>,
        thread: &str,
        buffer: &BufferDecl,
        comment: &str,
    ) -> Option<Value> {
        let (process, message) = run.message_in(thread, buffer)?;
        let mut step = Map::new();
        step.insert("op".into(), "expect_message".into());
        step.insert("comment".into(), comment.into());
        step.insert("thread".into(), thread.into());
        if let BufferDecl::User { address, size } = buffer {
            step.insert(
                "buffer".into(),
                json!({ "address": expr_json(address), "size": expr_json(size) }),
            );
        }
        step.insert("message".into(), self.symbolize(run, process, &message));
        Some(Value::Object(step))
    }

    /// The symbol for a value the kernel chose in `process` (0 stays 0): the same
    /// value gets the same symbol, a new one `$PREFIX<n>` with a name neither used
    /// by the file nor bound.
    fn symbol(
        &mut self,
        run: &Run<'_>,
        process: ProcessRef,
        value: u64,
        prefix: &'static str,
    ) -> Value {
        if value == 0 {
            return Value::from(0);
        }
        let name = self
            .names
            .entry((prefix, process, value))
            .or_insert_with(|| {
                let n = self.counters.entry(prefix).or_insert(0);
                loop {
                    *n += 1;
                    let name = format!("{prefix}{n}");
                    if !self.used.contains(&name) && !run.is_bound(&name) {
                        break name;
                    }
                }
            });
        Value::String(format!("${name}"))
    }

    /// The pattern for a received message, kernel-chosen values as symbols.
    fn symbolize(&mut self, run: &Run<'_>, process: ProcessRef, message: &MessageJson) -> Value {
        // Every key of the message JSON's first table, and the optional ones when not
        // at their default; never `trailing_bytes` (the buffer's size, not the
        // message's).
        let m = MessageJson {
            trailing_bytes: 0,
            ..message.clone()
        };
        let mut value = serde_json::to_value(&m).unwrap_or(Value::Null);
        let Some(map) = value.as_object_mut() else {
            return value;
        };
        // The message JSON's keys but `trailing_bytes`: what follows the message
        // in the buffer is not part of what was delivered.
        map.retain(|k, _| k != "trailing_bytes" && MESSAGE_KEYS.contains(&k.as_str()));
        if let Some(owner) = message.pid.and_then(|pid| run.process_with_pid(pid)) {
            map.insert("pid".into(), Value::String(format!("$pid.{owner}")));
        }
        // Handles (`h`) and descriptor addresses (`addr`).
        for (key, prefix) in [
            ("copy_handles", "h"),
            ("move_handles", "h"),
            ("x", "addr"),
            ("a", "addr"),
            ("b", "addr"),
            ("w", "addr"),
        ] {
            let Some(Value::Array(items)) = map.get_mut(key) else {
                continue;
            };
            for item in items {
                let slot = if prefix == "h" {
                    Some(item)
                } else {
                    item.get_mut("address")
                };
                if let Some(slot) = slot {
                    if let Some(v) = slot.as_u64() {
                        *slot = self.symbol(run, process, v, prefix);
                    }
                }
            }
        }
        value
    }
}

/// An expression as a vector writes it.
fn expr_json(e: &Expr) -> Value {
    match e {
        Expr::Int(v) if *v >= 0 => u64::try_from(*v).map_or_else(|_| Value::Null, Value::from),
        other => Value::String(other.to_string()),
    }
}

/// The canonical rank of a key of the vector format (then alphabetical), given the
/// key of the object (or array) that holds it.
fn key_rank(parent: Option<&str>, key: &str) -> usize {
    const ITEM: &[&str] = &["index", "address", "size", "mode", "reserved"];
    const RECORDED_FROM: &[&str] = &["kernel", "version", "date"];
    const NAMED: &[&str] = &["name", "process", "kind", "server", "client"];
    const GROUP: &[&str] = &["name", "description", "source", "tests"];
    const TEST: &[&str] = &[
        "id", "comment", "source", "scenario", "flags", "result", "requires", "excludes", "setup",
        "steps",
    ];
    let special: Option<&[&str]> = match parent {
        Some("groups") => Some(GROUP),
        Some("tests") => Some(TEST),
        Some("message") => Some(MESSAGE_KEYS),
        Some("x" | "a" | "b" | "w" | "c") => Some(ITEM),
        Some("recorded_from") => Some(RECORDED_FROM),
        Some("events" | "sessions" | "threads") => Some(NAMED),
        _ => None,
    };
    if let Some(order) = special {
        return order.iter().position(|k| *k == key).unwrap_or(order.len());
    }
    const ORDER: &[&str] = &[
        "schema",
        "kind",
        "topic",
        "description",
        "source",
        "notes",
        "groups",
        "spec",
        "recorded_from",
        "version",
        "date",
        "name",
        "id",
        "op",
        "comment",
        "scenario",
        "flags",
        "result",
        "requires",
        "excludes",
        "setup",
        "steps",
        "processes",
        "threads",
        "memory",
        "events",
        "sessions",
        "thread",
        "process",
        "server",
        "client",
        "pid",
        "handle_capacity",
        "alias_region_size",
        "session",
        "handles",
        "reply_target",
        "timeout",
        "buffer",
        "type",
        "copy_handles",
        "move_handles",
        "x",
        "a",
        "b",
        "w",
        "raw_words",
        "recv_list_count",
        "c",
        "special_header",
        "recv_list_offset",
        "trailing_bytes",
        "reserved",
        "index",
        "address",
        "size",
        "mode",
        "header1",
        "special",
        "state",
        "permission",
        "attributes",
        "fill",
        "contents",
        "offset",
        "handle",
        "message",
        "hex",
        "words",
        "bind_event",
        "bind",
        "expect",
        "out_index",
        "status",
        "valid",
        "same_object_as",
        "count",
        "page_offset",
        "write",
        "allowed",
        "signaled",
        "tests",
    ];
    ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len())
}

fn sorted_entries<'v>(
    parent: Option<&str>,
    map: &'v Map<String, Value>,
) -> Vec<(&'v String, &'v Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| {
        key_rank(parent, a.0)
            .cmp(&key_rank(parent, b.0))
            .then(a.0.cmp(b.0))
    });
    entries
}

fn write_inline(out: &mut String, value: &Value, parent: Option<&str>) {
    match value {
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in sorted_entries(parent, map).into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                write_inline(out, v, Some(k));
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_inline(out, v, parent);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Objects down to a test are expanded, arrays of groups, tests and steps one item
/// per line; everything else on one line.
fn write_pretty(out: &mut String, value: &Value, indent: usize, key: Option<&str>) {
    let pad = "  ".repeat(indent);
    let expand_object = matches!(key, None | Some("groups" | "tests" | "source" | "notes"));
    match value {
        Value::Object(map) if expand_object && !map.is_empty() => {
            out.push_str("{\n");
            let entries = sorted_entries(key, map);
            let n = entries.len();
            for (i, (k, v)) in entries.into_iter().enumerate() {
                out.push_str(&pad);
                out.push_str("  ");
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                write_pretty(out, v, indent + 1, Some(k));
                if i + 1 < n {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad);
            out.push('}');
        }
        Value::Array(items)
            if matches!(key, Some("groups" | "tests" | "steps")) && !items.is_empty() =>
        {
            out.push_str("[\n");
            let n = items.len();
            for (i, v) in items.iter().enumerate() {
                out.push_str(&pad);
                out.push_str("  ");
                if key == Some("steps") {
                    write_inline(out, v, key);
                } else {
                    write_pretty(out, v, indent + 1, key);
                }
                if i + 1 < n {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad);
            out.push(']');
        }
        other => write_inline(out, other, key),
    }
}

/// A vector file as text: canonical key order, one step per line.
pub fn to_vector_json(value: &Value) -> String {
    let mut out = String::new();
    write_pretty(&mut out, value, 0, None);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn dates() {
        let d = today();
        assert_eq!(d.len(), 10, "{d}");
        assert!(d.starts_with("20"), "{d}");
    }

    #[test]
    fn pretty_output_parses_back_in_order() {
        let v: Value = serde_json::from_str(
            r#"{"groups": [{"tests": [{"steps": [{"thread": "C", "op": "send"}], "id": "t"}], "name": "g"}], "schema": "hipc-vectors/1"}"#,
        )
        .unwrap();
        let text = to_vector_json(&v);
        assert!(text.starts_with("{\n  \"schema\""), "{text}");
        assert!(
            text.contains("{\"op\": \"send\", \"thread\": \"C\"}"),
            "{text}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
