//! `hipc record`: fill in a kernel vector file's missing expectations from what a
//! kernel does (vectors/README.md, "A test that omits the `expect` of a syscall
//! step checks nothing about that call").
//!
//! For every test of a kernel file, the kernel is reset, the set-up performed and the
//! steps run in order, exactly as the runner would. Then, in a copy of the file:
//!
//! * every syscall step without `expect` gets the one the kernel produced:
//!   `send` → `"pending"` or `{"result": R}`; `reply_and_receive` →
//!   `{"result": R, "out_index": N}` (`null` when the kernel wrote none);
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
//! recording does not check them, but symbols they bind at first sight
//! (`expect_message`, `expect_words`, `count_handles`, `out_index`) are bound from
//! the kernel's values so that later inputs can use them.
//!
//! The output is the file with keys in the canonical order of the vector format,
//! one step per line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::hex;
use crate::kernel::{
    Kernel, KernelInfo, MemoryRegion, MessageBuffer, ProcessRef, ProcessSpec, RequestStatus,
    ResultCode, SendOutcome, ThreadRef,
};
use crate::message_json::{BufferJson, MessageJson, PointerJson, ReceiveJson, ReservedJson};
use crate::vector::{
    BufferDecl, CallExpect, Expr, FileKind, ItemPattern, KernelTest, MessagePattern, ResultExpr,
    Test, Wild, load_str,
};

/// The keys of a message pattern in kernel vectors (`vector::MessagePattern`).
const PATTERN_KEYS: &[&str] = &[
    "type",
    "pid",
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
    "reserved",
];

/// The largest buffer decoded for an inserted `expect_message`.
const MAX_MESSAGE_READ: u64 = 0x1_0000;

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
    let loaded = load_str(file, text).map_err(|e| e.to_string())?;
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
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| format!("{file}: not valid JSON: {e}"))?;
    let info = kernel.info();
    let tests: BTreeMap<&str, &KernelTest> = loaded
        .tests()
        .filter_map(|t| match t {
            Test::Kernel(k) => Some((k.id.as_str(), k.as_ref())),
            Test::Codec(_) => None,
        })
        .collect();
    let mut recorded = Recorded::default();
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
            let runnable = test.requires.iter().all(|c| info.capabilities.contains(c))
                && !test.excludes.iter().any(|c| info.capabilities.contains(c));
            if !runnable {
                recorded.skipped += 1;
                continue;
            }
            let mut used = BTreeSet::new();
            collect_symbols(raw, &mut used);
            let mut run = Recording::new(kernel, used);
            let edits = run
                .run(test)
                .map_err(|e| format!("{file}: test {id}: {e}"))?;
            recorded.tests += 1;
            apply_edits(raw, &edits, &mut recorded);
        }
    }
    set_recorded_from(&mut value, &info, date);
    recorded.text = to_vector_json(&value);
    Ok(recorded)
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

/// A thread the recording knows: its kernel identity and its process.
#[derive(Clone, Copy)]
struct ThreadInfo {
    thread: ThreadRef,
    process: ProcessRef,
}

/// One test being recorded.
struct Recording<'k> {
    kernel: &'k mut dyn Kernel,
    symbols: BTreeMap<String, i128>,
    /// Symbol names the file uses (never minted).
    used: BTreeSet<String>,
    processes: BTreeMap<String, ProcessRef>,
    threads: BTreeMap<String, ThreadInfo>,
    /// Threads blocked in `SendSyncRequest`, with the step's `buffer` JSON.
    pending: BTreeMap<String, Option<Value>>,
    /// (process, handle) → minted symbol.
    handle_names: BTreeMap<(String, u64), String>,
    /// (process, address) → minted symbol.
    address_names: BTreeMap<(String, u64), String>,
    next_handle: usize,
    next_address: usize,
}

fn to_u64(v: i128, what: &str) -> Result<u64, String> {
    u64::try_from(v).map_err(|_| format!("{what}: {v} is not a u64"))
}

fn narrow<T: TryFrom<u64>>(v: u64, what: &str) -> Result<T, String> {
    T::try_from(v).map_err(|_| format!("{what}: {v:#x} does not fit"))
}

impl<'k> Recording<'k> {
    fn new(kernel: &'k mut dyn Kernel, used: BTreeSet<String>) -> Self {
        Recording {
            kernel,
            symbols: BTreeMap::new(),
            used,
            processes: BTreeMap::new(),
            threads: BTreeMap::new(),
            pending: BTreeMap::new(),
            handle_names: BTreeMap::new(),
            address_names: BTreeMap::new(),
            next_handle: 1,
            next_address: 1,
        }
    }

    fn eval(&self, e: &Expr, what: &str) -> Result<i128, String> {
        match e {
            Expr::Int(v) => Ok(*v),
            Expr::Sym { name, offset } => self
                .symbols
                .get(name)
                .map(|v| v + offset)
                .ok_or_else(|| format!("{what}: symbol ${name} is used before it is bound")),
            Expr::Any => Err(format!("{what}: \"*\" cannot be an input")),
        }
    }

    fn eval_u64(&self, e: &Expr, what: &str) -> Result<u64, String> {
        to_u64(self.eval(e, what)?, what)
    }

    fn eval_opt<T: TryFrom<u64> + Default>(
        &self,
        e: Option<&Expr>,
        what: &str,
    ) -> Result<T, String> {
        match e {
            None => Ok(T::default()),
            Some(e) => narrow(self.eval_u64(e, what)?, what),
        }
    }

    /// Binds a symbol met in an expectation, if it is not bound yet.
    fn bind_seen(&mut self, e: &Expr, actual: u64) {
        if let Expr::Sym { name, offset } = e {
            self.symbols
                .entry(name.clone())
                .or_insert(i128::from(actual) - offset);
        }
    }

    fn process(&self, name: &str) -> Result<ProcessRef, String> {
        self.processes
            .get(name)
            .copied()
            .ok_or_else(|| format!("unknown process {name:?}"))
    }

    fn thread(&self, name: &str) -> Result<ThreadInfo, String> {
        self.threads
            .get(name)
            .copied()
            .ok_or_else(|| format!("unknown thread {name:?}"))
    }

    fn process_name_of(&self, process: ProcessRef) -> String {
        self.processes
            .iter()
            .find(|(_, p)| **p == process)
            .map(|(n, _)| n.clone())
            .unwrap_or_default()
    }

    fn setup(&mut self, test: &KernelTest) -> Result<(), String> {
        let k = &mut *self.kernel;
        k.reset().map_err(|e| format!("reset: {e}"))?;
        let setup = &test.setup;
        for p in &setup.processes {
            let what = format!("setup.processes {}", p.name);
            let spec = ProcessSpec {
                name: p.name.clone(),
                pid: p
                    .pid
                    .as_ref()
                    .map(|e| self.eval_u64(e, &what))
                    .transpose()?,
                handle_capacity: p
                    .handle_capacity
                    .as_ref()
                    .map(|e| self.eval_u64(e, &what).and_then(|v| narrow(v, &what)))
                    .transpose()?,
                alias_region_size: p
                    .alias_region_size
                    .as_ref()
                    .map(|e| self.eval_u64(e, &what))
                    .transpose()?,
            };
            let process = self
                .kernel
                .create_process(&spec)
                .map_err(|e| format!("{what}: {e}"))?;
            let thread = self
                .kernel
                .main_thread(process)
                .map_err(|e| format!("{what}: {e}"))?;
            self.add_thread(&p.name, thread, process);
            self.processes.insert(p.name.clone(), process);
            let pid = self.kernel.process_id(process);
            self.symbols
                .insert(format!("pid.{}", p.name), i128::from(pid));
        }
        for t in &setup.threads {
            let process = self.process(&t.process)?;
            let thread = self
                .kernel
                .create_thread(process)
                .map_err(|e| format!("setup.threads {}: {e}", t.name))?;
            self.add_thread(&t.name, thread, process);
        }
        for m in &setup.memory {
            let what = "setup.memory";
            let process = self.process(&m.process)?;
            let address = self.eval_u64(&m.address, what)?;
            let size = self.eval_u64(&m.size, what)?;
            let fill: u8 = self.eval_opt(m.fill.as_ref(), what)?;
            let len = usize::try_from(size).map_err(|_| format!("{what}: size too large"))?;
            let mut contents = vec![fill; len];
            for c in &m.contents {
                let offset = usize::try_from(self.eval_u64(&c.offset, what)?)
                    .map_err(|_| format!("{what}: offset too large"))?;
                let bytes = hex::decode(&c.hex).map_err(|e| format!("{what}: {e}"))?;
                let end = offset.saturating_add(bytes.len());
                let Some(dest) = contents.get_mut(offset..end) else {
                    return Err(format!("{what}: contents outside the region"));
                };
                dest.copy_from_slice(&bytes);
            }
            let region = MemoryRegion {
                address,
                size,
                state: m.state,
                permission: m.permission,
                attributes: m.attributes,
                contents,
            };
            self.kernel
                .map_memory(process, &region)
                .map_err(|e| format!("{what}: {e}"))?;
        }
        for e in &setup.events {
            let process = self.process(&e.process)?;
            let handle = self
                .kernel
                .create_event(process, e.kind)
                .map_err(|err| format!("setup.events {}: {err}", e.name))?;
            self.symbols.insert(e.name.clone(), i128::from(handle));
        }
        for s in &setup.sessions {
            let server = self.process(&s.server)?;
            let client = self.process(&s.client)?;
            let handles = self
                .kernel
                .create_session(server, client)
                .map_err(|e| format!("setup.sessions {}: {e}", s.name))?;
            self.symbols
                .insert(format!("{}.server", s.name), i128::from(handles.server));
            self.symbols
                .insert(format!("{}.client", s.name), i128::from(handles.client));
        }
        Ok(())
    }

    fn add_thread(&mut self, name: &str, thread: ThreadRef, process: ProcessRef) {
        self.threads
            .insert(name.to_owned(), ThreadInfo { thread, process });
        let tls = self.kernel.tls_address(thread);
        self.symbols.insert(format!("tls.{name}"), i128::from(tls));
    }

    /// The kernel's buffer, its address and size.
    fn buffer(
        &mut self,
        thread: ThreadInfo,
        decl: &BufferDecl,
    ) -> Result<(MessageBuffer, u64, u64), String> {
        match decl {
            BufferDecl::Tls => Ok((
                MessageBuffer::Tls,
                self.kernel.tls_address(thread.thread),
                0x100,
            )),
            BufferDecl::User { address, size } => {
                let address = self.eval_u64(address, "buffer.address")?;
                let size = self.eval_u64(size, "buffer.size")?;
                Ok((MessageBuffer::User { address, size }, address, size))
            }
        }
    }

    fn input_bytes(
        &self,
        message: Option<&MessagePattern>,
        hex_text: Option<&str>,
    ) -> Result<Option<Vec<u8>>, String> {
        if let Some(text) = hex_text {
            return hex::decode(text).map(Some).map_err(|e| format!("hex: {e}"));
        }
        let Some(pattern) = message else {
            return Ok(None);
        };
        let json = self.input_message(pattern)?;
        json.to_bytes()
            .map(Some)
            .map_err(|e| format!("message: {e}"))
    }

    fn words<T: TryFrom<u64>>(
        &self,
        list: Option<&Wild<Vec<Expr>>>,
        what: &str,
    ) -> Result<Vec<T>, String> {
        match list {
            None => Ok(Vec::new()),
            Some(Wild::Any) => Err(format!("{what}: \"*\" cannot be an input")),
            Some(Wild::Is(items)) => items
                .iter()
                .enumerate()
                .map(|(i, e)| narrow(self.eval_u64(e, what)?, &format!("{what}[{i}]")))
                .collect(),
        }
    }

    fn items<T>(
        &self,
        list: Option<&Wild<Vec<ItemPattern>>>,
        what: &str,
        make: impl Fn(&Self, &ItemPattern, &str) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        match list {
            None => Ok(Vec::new()),
            Some(Wild::Any) => Err(format!("{what}: \"*\" cannot be an input")),
            Some(Wild::Is(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| make(self, item, &format!("{what}[{i}]")))
                .collect(),
        }
    }

    /// An input message: omitted keys take their empty default.
    // Keys the message JSON may gain beyond the pattern's take their defaults.
    #[allow(clippy::needless_update)]
    fn input_message(&self, p: &MessagePattern) -> Result<MessageJson, String> {
        let pointer = |s: &Self, i: &ItemPattern, what: &str| -> Result<PointerJson, String> {
            Ok(PointerJson {
                index: s.eval_opt(i.index.as_ref(), what)?,
                address: s.eval_opt(i.address.as_ref(), what)?,
                size: s.eval_opt(i.size.as_ref(), what)?,
                reserved: s.eval_opt(i.reserved.as_ref(), what)?,
            })
        };
        let buffer = |s: &Self, i: &ItemPattern, what: &str| -> Result<BufferJson, String> {
            Ok(BufferJson {
                address: s.eval_opt(i.address.as_ref(), what)?,
                size: s.eval_opt(i.size.as_ref(), what)?,
                mode: s.eval_opt(i.mode.as_ref(), what)?,
                reserved: s.eval_opt(i.reserved.as_ref(), what)?,
            })
        };
        let receive = |s: &Self, i: &ItemPattern, what: &str| -> Result<ReceiveJson, String> {
            Ok(ReceiveJson {
                address: s.eval_opt(i.address.as_ref(), what)?,
                size: s.eval_opt(i.size.as_ref(), what)?,
                reserved: s.eval_opt(i.reserved.as_ref(), what)?,
            })
        };
        let special_header = match &p.special_header {
            None | Some(Wild::Is(false)) => false,
            Some(Wild::Is(true)) => true,
            Some(Wild::Any) => return Err("special_header: \"*\" cannot be an input".into()),
        };
        let reserved = match &p.reserved {
            None => ReservedJson::default(),
            Some(r) => ReservedJson {
                header1: self.eval_opt(r.header1.as_ref(), "reserved.header1")?,
                special: self.eval_opt(r.special.as_ref(), "reserved.special")?,
            },
        };
        Ok(MessageJson {
            tag: self.eval_opt(p.tag.as_ref(), "type")?,
            pid: match &p.pid {
                Some(Some(e)) => Some(self.eval_u64(e, "pid")?),
                _ => None,
            },
            copy_handles: self.words(p.copy_handles.as_ref(), "copy_handles")?,
            move_handles: self.words(p.move_handles.as_ref(), "move_handles")?,
            x: self.items(p.x.as_ref(), "x", pointer)?,
            a: self.items(p.a.as_ref(), "a", buffer)?,
            b: self.items(p.b.as_ref(), "b", buffer)?,
            w: self.items(p.w.as_ref(), "w", buffer)?,
            raw_words: self.words(p.raw_words.as_ref(), "raw_words")?,
            recv_list_count: self.eval_opt(p.recv_list_count.as_ref(), "recv_list_count")?,
            c: self.items(p.c.as_ref(), "c", receive)?,
            special_header,
            recv_list_offset: self.eval_opt(p.recv_list_offset.as_ref(), "recv_list_offset")?,
            trailing_bytes: 0,
            reserved,
            ..MessageJson::default()
        })
    }

    /// Writes an input message (if any) at the start of a thread's buffer.
    fn write_input(
        &mut self,
        thread: ThreadInfo,
        address: u64,
        message: Option<&MessagePattern>,
        hex_text: Option<&str>,
    ) -> Result<(), String> {
        if let Some(bytes) = self.input_bytes(message, hex_text)? {
            self.kernel
                .write_memory(thread.process, address, &bytes)
                .map_err(|e| format!("writing the message: {e}"))?;
        }
        Ok(())
    }

    /// Reads and decodes the message in a buffer; `None` when it does not decode.
    fn read_message(
        &mut self,
        process: ProcessRef,
        address: u64,
        size: u64,
    ) -> Option<MessageJson> {
        let len = usize::try_from(size.min(MAX_MESSAGE_READ)).ok()?;
        let bytes = self.kernel.read_memory(process, address, len).ok()?;
        MessageJson::decode(&bytes).ok()
    }

    fn mint(&mut self, prefix: &str) -> String {
        loop {
            let counter = if prefix == "h" {
                &mut self.next_handle
            } else {
                &mut self.next_address
            };
            let name = format!("{prefix}{counter}");
            *counter += 1;
            if !self.used.contains(&name) && !self.symbols.contains_key(&name) {
                return name;
            }
        }
    }

    fn handle_symbol(&mut self, process: &str, value: u64) -> Value {
        if value == 0 {
            return Value::from(0);
        }
        let key = (process.to_owned(), value);
        let name = match self.handle_names.get(&key) {
            Some(name) => name.clone(),
            None => {
                let name = self.mint("h");
                self.symbols.insert(name.clone(), i128::from(value));
                self.handle_names.insert(key, name.clone());
                name
            }
        };
        Value::String(format!("${name}"))
    }

    fn address_symbol(&mut self, process: &str, value: u64) -> Value {
        if value == 0 {
            return Value::from(0);
        }
        let key = (process.to_owned(), value);
        let name = match self.address_names.get(&key) {
            Some(name) => name.clone(),
            None => {
                let name = self.mint("addr");
                self.symbols.insert(name.clone(), i128::from(value));
                self.address_names.insert(key, name.clone());
                name
            }
        };
        Value::String(format!("${name}"))
    }

    /// The pattern for a received message, kernel-chosen values as symbols.
    fn symbolize(&mut self, process: ProcessRef, message: &MessageJson) -> Value {
        let process_name = self.process_name_of(process);
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
        // Only the keys a kernel vector's message pattern knows.
        map.retain(|k, _| PATTERN_KEYS.contains(&k.as_str()));
        if let Some(pid) = message.pid {
            let owner = self
                .processes
                .keys()
                .find(|name| self.symbols.get(&format!("pid.{name}")) == Some(&i128::from(pid)))
                .cloned();
            if let Some(owner) = owner {
                map.insert("pid".into(), Value::String(format!("$pid.{owner}")));
            }
        }
        for key in ["copy_handles", "move_handles"] {
            let handles: Vec<u32> = if key == "copy_handles" {
                message.copy_handles.clone()
            } else {
                message.move_handles.clone()
            };
            let list = handles
                .iter()
                .map(|h| self.handle_symbol(&process_name, u64::from(*h)))
                .collect();
            map.insert(key.into(), Value::Array(list));
        }
        for key in ["x", "a", "b", "w"] {
            let addresses: Vec<u64> = match key {
                "x" => message.x.iter().map(|d| d.address).collect(),
                "a" => message.a.iter().map(|d| d.address).collect(),
                "b" => message.b.iter().map(|d| d.address).collect(),
                _ => message.w.iter().map(|d| d.address).collect(),
            };
            let symbols: Vec<Value> = addresses
                .iter()
                .map(|a| self.address_symbol(&process_name, *a))
                .collect();
            if let Some(items) = map.get_mut(key).and_then(Value::as_array_mut) {
                for (item, symbol) in items.iter_mut().zip(symbols) {
                    if let Some(item) = item.as_object_mut() {
                        item.insert("address".into(), symbol);
                    }
                }
            }
        }
        value
    }

    fn expect_message_step(
        &mut self,
        thread_name: &str,
        buffer: Option<&Value>,
        comment: &str,
    ) -> Option<Value> {
        let thread = self.thread(thread_name).ok()?;
        let decl: BufferDecl = match buffer {
            None => BufferDecl::Tls,
            Some(v) => serde_json::from_value(v.clone()).ok()?,
        };
        let (_, address, size) = self.buffer(thread, &decl).ok()?;
        let message = self.read_message(thread.process, address, size)?;
        let pattern = self.symbolize(thread.process, &message);
        let mut step = Map::new();
        step.insert("op".into(), Value::String("expect_message".into()));
        step.insert("comment".into(), Value::String(comment.to_owned()));
        step.insert("thread".into(), Value::String(thread_name.to_owned()));
        if let Some(buffer) = buffer {
            step.insert("buffer".into(), buffer.clone());
        }
        step.insert("message".into(), pattern);
        Some(Value::Object(step))
    }

    /// Binds first-sight symbols of a message pattern from the actual message.
    fn bind_message(&mut self, p: &MessagePattern, m: &MessageJson) {
        fn items(
            list: &Option<Wild<Vec<ItemPattern>>>,
            actual: &[[u64; 5]],
            pairs: &mut Vec<(Expr, u64)>,
        ) {
            if let Some(Wild::Is(list)) = list {
                for (i, a) in list.iter().zip(actual) {
                    let fields = [&i.index, &i.address, &i.size, &i.mode, &i.reserved];
                    for (f, v) in fields.into_iter().zip(a) {
                        if let Some(e) = f {
                            pairs.push((e.clone(), *v));
                        }
                    }
                }
            }
        }
        let mut pairs: Vec<(Expr, u64)> = Vec::new();
        if let Some(e) = &p.tag {
            pairs.push((e.clone(), u64::from(m.tag)));
        }
        if let (Some(Some(e)), Some(pid)) = (&p.pid, m.pid) {
            pairs.push((e.clone(), pid));
        }
        for (list, actual) in [
            (&p.copy_handles, &m.copy_handles),
            (&p.move_handles, &m.move_handles),
            (&p.raw_words, &m.raw_words),
        ] {
            if let Some(Wild::Is(list)) = list {
                for (e, v) in list.iter().zip(actual) {
                    pairs.push((e.clone(), u64::from(*v)));
                }
            }
        }
        let x: Vec<[u64; 5]> =
            m.x.iter()
                .map(|d| {
                    [
                        u64::from(d.index),
                        d.address,
                        d.size,
                        0,
                        u64::from(d.reserved),
                    ]
                })
                .collect();
        items(&p.x, &x, &mut pairs);
        for (list, actual) in [(&p.a, &m.a), (&p.b, &m.b), (&p.w, &m.w)] {
            let v: Vec<[u64; 5]> = actual
                .iter()
                .map(|d| {
                    [
                        0,
                        d.address,
                        d.size,
                        u64::from(d.mode),
                        u64::from(d.reserved),
                    ]
                })
                .collect();
            items(list, &v, &mut pairs);
        }
        let c: Vec<[u64; 5]> =
            m.c.iter()
                .map(|d| [0, d.address, d.size, 0, u64::from(d.reserved)])
                .collect();
        items(&p.c, &c, &mut pairs);
        for (e, v) in pairs {
            self.bind_seen(&e, v);
        }
    }

    fn run(&mut self, test: &KernelTest) -> Result<Edits, String> {
        use crate::vector::Step;
        self.setup(test)?;
        let mut edits = Edits::default();
        let next_is_message_on = |i: usize, thread: &str| matches!(test.steps.get(i + 1), Some(Step::ExpectMessage { thread: Some(t), .. }) if t == thread);
        for (i, step) in test.steps.iter().enumerate() {
            let at = |e: String| format!("step {i} ({}): {e}", step.op());
            let mut inserts = Vec::new();
            match step {
                Step::Send {
                    thread,
                    session,
                    buffer,
                    message,
                    hex,
                    expect,
                    ..
                } => {
                    let t = self.thread(thread).map_err(at)?;
                    let session = narrow(self.eval_u64(session, "session").map_err(at)?, "session")
                        .map_err(at)?;
                    let (kbuf, address, _) = self.buffer(t, buffer).map_err(at)?;
                    self.write_input(t, address, message.as_ref(), hex.as_deref())
                        .map_err(at)?;
                    let outcome = self.kernel.send_sync_request(t.thread, session, kbuf);
                    let recorded = match outcome {
                        SendOutcome::Pending => {
                            let raw_buffer = match buffer {
                                BufferDecl::Tls => None,
                                BufferDecl::User { address, size } => Some(serde_json::json!({
                                    "address": expr_json(address),
                                    "size": expr_json(size),
                                })),
                            };
                            self.pending.insert(thread.clone(), raw_buffer);
                            Value::String("pending".into())
                        }
                        SendOutcome::Returned(code) => {
                            serde_json::json!({ "result": result_json(code) })
                        }
                    };
                    if expect.is_none() {
                        edits.expects.insert(i, recorded);
                    }
                }
                Step::SendAsync {
                    thread,
                    session,
                    buffer,
                    message,
                    hex,
                    bind_event,
                    expect,
                    ..
                } => {
                    let t = self.thread(thread).map_err(at)?;
                    let session = narrow(self.eval_u64(session, "session").map_err(at)?, "session")
                        .map_err(at)?;
                    let (_, address, size) = self.buffer(t, buffer).map_err(at)?;
                    self.write_input(t, address, message.as_ref(), hex.as_deref())
                        .map_err(at)?;
                    let result = self
                        .kernel
                        .send_async_request(t.thread, session, address, size)
                        .map_err(|e| at(e.to_string()))?;
                    let code = match result {
                        Ok(handle) => {
                            if let Some(name) = bind_event {
                                let name = name.strip_prefix('$').unwrap_or(name);
                                self.symbols.insert(name.to_owned(), i128::from(handle));
                            }
                            ResultCode::SUCCESS
                        }
                        Err(code) => code,
                    };
                    if expect.is_none() {
                        edits
                            .expects
                            .insert(i, serde_json::json!({ "result": result_json(code) }));
                    }
                }
                Step::ReplyAndReceive {
                    thread,
                    handles,
                    reply_target,
                    timeout,
                    buffer,
                    message,
                    hex,
                    expect,
                    ..
                } => {
                    let t = self.thread(thread).map_err(at)?;
                    let handles = handles
                        .iter()
                        .map(|h| {
                            self.eval_u64(h, "handles")
                                .and_then(|v| narrow::<u32>(v, "handles"))
                        })
                        .collect::<Result<Vec<u32>, String>>()
                        .map_err(at)?;
                    let target: u32 = self
                        .eval_opt(reply_target.as_ref(), "reply_target")
                        .map_err(at)?;
                    let timeout = match timeout {
                        None => 0,
                        Some(e) => {
                            let v = self.eval(e, "timeout").map_err(at)?;
                            i64::try_from(v)
                                .map_err(|_| at(format!("timeout {v} does not fit an i64")))?
                        }
                    };
                    let (kbuf, address, _) = self.buffer(t, buffer).map_err(at)?;
                    self.write_input(t, address, message.as_ref(), hex.as_deref())
                        .map_err(at)?;
                    let outcome = self
                        .kernel
                        .reply_and_receive(t.thread, &handles, target, timeout, kbuf);
                    match expect {
                        None => {
                            let out_index = outcome.out_index.map_or(Value::Null, Value::from);
                            edits.expects.insert(
                                i,
                                serde_json::json!({
                                    "result": result_json(outcome.result),
                                    "out_index": out_index,
                                }),
                            );
                        }
                        Some(CallExpect::Returned(r)) => {
                            if let (Some(Some(e)), Some(actual)) = (&r.out_index, outcome.out_index)
                            {
                                self.bind_seen(e, u64::try_from(actual).unwrap_or(0));
                            }
                            if let Some(ResultExpr::Expr(e)) = &r.result {
                                self.bind_seen(e, u64::from(outcome.result.0));
                            }
                        }
                        Some(_) => {}
                    }
                    if outcome.result.is_success() && !next_is_message_on(i, thread) {
                        let raw_buffer = match buffer {
                            BufferDecl::Tls => None,
                            BufferDecl::User { address, size } => Some(serde_json::json!({
                                "address": expr_json(address),
                                "size": expr_json(size),
                            })),
                        };
                        if let Some(step) = self.expect_message_step(
                            thread,
                            raw_buffer.as_ref(),
                            "recorded: the message the server received",
                        ) {
                            inserts.push(step);
                        }
                    }
                }
                Step::Close {
                    process,
                    handle,
                    expect,
                    ..
                } => {
                    let p = self.process(process).map_err(at)?;
                    let handle = narrow(self.eval_u64(handle, "handle").map_err(at)?, "handle")
                        .map_err(at)?;
                    let code = self.kernel.close_handle(p, handle);
                    if expect.is_none() {
                        edits
                            .expects
                            .insert(i, serde_json::json!({ "result": result_json(code) }));
                    }
                }
                Step::Write {
                    thread,
                    buffer,
                    process,
                    address,
                    message,
                    hex,
                    ..
                } => {
                    let (proc_ref, addr) = match (thread, process, address) {
                        (Some(thread), _, _) => {
                            let t = self.thread(thread).map_err(at)?;
                            let decl = buffer.clone().unwrap_or_default();
                            let (_, addr, _) = self.buffer(t, &decl).map_err(at)?;
                            (t.process, addr)
                        }
                        (None, Some(process), Some(address)) => (
                            self.process(process).map_err(at)?,
                            self.eval_u64(address, "address").map_err(at)?,
                        ),
                        _ => return Err(at("needs thread, or process and address".into())),
                    };
                    if let Some(bytes) = self
                        .input_bytes(message.as_ref(), hex.as_deref())
                        .map_err(at)?
                    {
                        self.kernel
                            .write_memory(proc_ref, addr, &bytes)
                            .map_err(|e| at(e.to_string()))?;
                    }
                }
                Step::ExpectMessage {
                    thread,
                    buffer,
                    process,
                    address,
                    size,
                    message,
                    ..
                } => {
                    let located = match (thread, process, address) {
                        (Some(thread), _, _) => self.thread(thread).ok().and_then(|t| {
                            let decl = buffer.clone().unwrap_or_default();
                            self.buffer(t, &decl)
                                .ok()
                                .map(|(_, a, s)| (t.process, a, s))
                        }),
                        (None, Some(process), Some(address)) => {
                            let p = self.process(process).ok();
                            let a = self.eval_u64(address, "address").ok();
                            let s = match size {
                                Some(e) => self.eval_u64(e, "size").ok(),
                                None => Some(0x100),
                            };
                            p.zip(a).zip(s).map(|((p, a), s)| (p, a, s))
                        }
                        _ => None,
                    };
                    if let Some((p, a, s)) = located {
                        if let Some(actual) = self.read_message(p, a, s) {
                            self.bind_message(message, &actual);
                        }
                    }
                }
                Step::ExpectWords {
                    thread,
                    buffer,
                    process,
                    address,
                    offset,
                    words,
                    ..
                } => {
                    let located = match (thread, process, address) {
                        (Some(thread), _, _) => self.thread(thread).ok().and_then(|t| {
                            let decl = buffer.clone().unwrap_or_default();
                            self.buffer(t, &decl).ok().map(|(_, a, _)| (t.process, a))
                        }),
                        (None, Some(process), Some(address)) => self
                            .process(process)
                            .ok()
                            .zip(self.eval_u64(address, "address").ok()),
                        _ => None,
                    };
                    let first: u64 = self.eval_opt(offset.as_ref(), "offset").unwrap_or(0);
                    if let Some((p, a)) = located {
                        let start = a.saturating_add(first.saturating_mul(4));
                        if let Ok(bytes) = self.kernel.read_memory(p, start, words.len() * 4) {
                            for (e, chunk) in words.iter().zip(bytes.chunks_exact(4)) {
                                let mut w = [0u8; 4];
                                w.copy_from_slice(chunk);
                                self.bind_seen(e, u64::from(u32::from_le_bytes(w)));
                            }
                        }
                    }
                }
                Step::CountHandles { process, bind, .. } => {
                    let p = self.process(process).map_err(at)?;
                    let count = self.kernel.handle_count(p);
                    let name = bind.strip_prefix('$').unwrap_or(bind);
                    self.symbols
                        .insert(name.to_owned(), i128::try_from(count).unwrap_or(i128::MAX));
                }
                _ => {}
            }
            // Clients whose request completed during this step.
            let waiting: Vec<(String, Option<Value>)> = self
                .pending
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (thread, buffer) in waiting {
                let Ok(t) = self.thread(&thread) else {
                    continue;
                };
                match self.kernel.request_status(t.thread) {
                    RequestStatus::Pending => {}
                    RequestStatus::Idle => {
                        self.pending.remove(&thread);
                    }
                    RequestStatus::Completed(code) => {
                        self.pending.remove(&thread);
                        if code.is_success() && !next_is_message_on(i, &thread) {
                            if let Some(step) = self.expect_message_step(
                                &thread,
                                buffer.as_ref(),
                                "recorded: the reply the client received",
                            ) {
                                inserts.push(step);
                            }
                        }
                    }
                }
            }
            if !inserts.is_empty() {
                edits.inserts.insert(i, inserts);
            }
        }
        Ok(edits)
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
    const MESSAGE: &[&str] = &[
        "type",
        "pid",
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
    ];
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
        Some("message") => Some(MESSAGE),
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
