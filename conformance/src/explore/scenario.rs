//! The kernel scenario generator: from a byte string ([`Choices`]) and the
//! capabilities a kernel declares, one kernel test of the vector format
//! (vectors/README.md "Kernel tests") with set-up and syscall steps but no
//! expectations; `crate::record` fills those in from the reference model.
//!
//! The world is always the same shape, so that the scenarios differ in what
//! happens rather than in names: client C (and thread C2 with `threads`), server
//! S, sessions `s` and `t` between them, events in both (one interrupt event each
//! with `interrupt-event`, one closed by the first steps, a stale handle), the heap
//! addresses the corpus uses, a page whose state, permission and attributes are
//! chosen (kernel-semantics.md §4.4) and, with `user-buffer`, a page per process
//! for user message buffers. The steps are rounds of request, receive and reply
//! with every section of kernel-semantics.md §4 and §5, and now and then something
//! else in between: a second request, a close, a reply with nothing to reply to,
//! an asynchronous send.
//!
//! Everything generated stays inside what a vector may assert
//! (kernel-semantics.md §9): messages stay well under 0x100 bytes (no
//! **handle rollback skipped** quirk), at most 8 map-alias buffers (no
//! **mapping-record allocation failure**), a stale handle is used only before any
//! new handle can take its value (**handle values**), a PID slot never carries
//! the **PID passthrough** value, and only capabilities the kernel declares are
//! used.

use std::collections::BTreeSet;

use super::set;
use serde_json::{Map, Value, json};

use super::choices::Choices;
use super::world::{C_HEAP, C_SPECIAL, C_USER, PageConfig, S_HEAP, S_USER};
use crate::kernel::Capability;

/// The capabilities a generator may use (those the kernel under test declares).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allowed {
    caps: u32,
}

impl Allowed {
    /// What `capabilities` allow.
    pub fn of(capabilities: &[Capability]) -> Self {
        let mut caps = 0;
        for c in capabilities {
            caps |= 1 << (*c as u32);
        }
        Allowed { caps }
    }

    /// Whether `c` is declared.
    pub fn has(self, c: Capability) -> bool {
        self.caps & (1 << (c as u32)) != 0
    }
}

/// A generated scenario and what its observation needs to know.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    /// `{"setup": ..., "steps": [...]}`.
    pub test: Value,
    /// Handle symbols closed (or moved away) while a later handle may have taken
    /// their value: their validity is not observed (kernel-semantics.md §9
    /// **handle values**).
    pub unsure: BTreeSet<String>,
    /// Memory the messages pointed at: (process, address, length).
    pub windows: Vec<(&'static str, u64, u64)>,
}

/// What the generator knows while it writes steps.
struct Gen<'c, 'b> {
    ch: &'c mut Choices<'b>,
    allowed: Allowed,
    steps: Vec<Value>,
    /// A new handle may have appeared in C / S (a stale handle's value may be reused).
    c_handles_may_grow: bool,
    s_handles_may_grow: bool,
    /// How many times C's (0) and S's (1) handle tables may have gained a handle.
    generation: [u32; 2],
    /// Handles closed by a step: (symbol, process index, generation at the close).
    closed: Vec<(&'static str, usize, u32)>,
    /// Memory the messages pointed at.
    windows: Vec<(&'static str, u64, u64)>,
    /// What the steps use of the world: event and session names, `C2`, `special`,
    /// `C_USER`, `S_USER`.
    used: BTreeSet<&'static str>,
    /// Threads that have sent a synchronous request. Each sends at most once: a
    /// thread whose request may still be pending (the generator cannot know how
    /// the calls end) must not make another syscall, which a blocked thread could
    /// not.
    pending: [bool; 2],
    /// Map-alias buffers used so far by requests still possibly mapped.
    map_alias_used: u32,
    async_events: u32,
}

/// Generates one kernel test (as vector JSON, without `id`, `comment` and the
/// other keys of a file's test: [`crate::record`] adds them) from `bytes`.
pub fn generate(bytes: &[u8], allowed: Allowed) -> Generated {
    let mut ch = Choices::new(bytes);
    let setup = SetupChoices::read(&mut ch, allowed);
    let mut g = Gen {
        ch: &mut ch,
        allowed,
        steps: Vec::new(),
        c_handles_may_grow: false,
        s_handles_may_grow: false,
        pending: [false; 2],
        map_alias_used: 0,
        async_events: 0,
        generation: [0; 2],
        closed: Vec::new(),
        windows: Vec::new(),
        used: BTreeSet::new(),
    };
    let rounds = 1 + g.ch.below(3);
    for _ in 0..rounds {
        g.round();
    }
    let unsure = g
        .closed
        .iter()
        .filter(|(symbol, _, _)| !g.usable(symbol))
        .map(|(symbol, _, _)| (*symbol).to_owned())
        .collect();
    let mut windows = std::mem::take(&mut g.windows);
    windows.sort_unstable();
    windows.dedup();
    let setup = setup.json(&g.used);
    Generated {
        test: json!({"setup": setup, "steps": g.steps}),
        unsure,
        windows,
    }
}

/// The set-up decisions, read before the steps; the set-up itself is written after
/// them ([`SetupChoices::json`]) with only what the steps use, so that a minimized
/// scenario has a minimal world.
struct SetupChoices {
    handle_capacity: Option<u32>,
    small_alias: bool,
    special: Option<Value>,
}

impl SetupChoices {
    fn read(ch: &mut Choices<'_>, allowed: Allowed) -> Self {
        let handle_capacity =
            (allowed.has(Capability::HandleLimit) && ch.flag(24)).then(|| 6 + ch.below(4));
        let small_alias = allowed.has(Capability::AliasRegionSize) && ch.flag(24);
        let special = if ch.usually(200) {
            special_page(ch, allowed)
        } else {
            None
        };
        SetupChoices {
            handle_capacity,
            small_alias,
            special,
        }
    }

    /// The set-up, with the events, session `t`, thread C2 and pages the steps
    /// named in `used`.
    fn json(self, used: &BTreeSet<&'static str>) -> Value {
        let mut server = Map::new();
        server.insert("name".into(), json!("S"));
        if let Some(n) = self.handle_capacity {
            server.insert("handle_capacity".into(), json!(n));
        }
        if self.small_alias {
            server.insert("alias_region_size".into(), json!("0x10000"));
        }
        let mut setup = Map::new();
        setup.insert(
            "processes".into(),
            json!([{"name": "C"}, Value::Object(server)]),
        );
        if used.contains("C2") {
            setup.insert("threads".into(), json!([{"name": "C2", "process": "C"}]));
        }
        let mut memory = vec![
            json!({"process": "C", "address": hex(C_HEAP), "size": "0x6000", "state": "Normal",
                   "permission": "rw", "fill": "0xc5",
                   "contents": [{"offset": "0x0ff0", "hex": "000102030405060708090a0b0c0d0e0f"},
                                {"offset": "0x1000", "hex": "101112131415161718191a1b1c1d1e1f"}]}),
            json!({"process": "S", "address": hex(S_HEAP), "size": "0x2000", "state": "Normal",
                   "permission": "rw", "fill": "0xee"}),
        ];
        if let Some(page) = self.special.filter(|_| used.contains("special")) {
            memory.push(page);
        }
        if used.contains("C_USER") {
            memory.push(
                json!({"process": "C", "address": hex(C_USER), "size": "0x1000",
                               "state": "Normal", "permission": "rw"}),
            );
        }
        if used.contains("S_USER") {
            memory.push(
                json!({"process": "S", "address": hex(S_USER), "size": "0x1000",
                               "state": "Normal", "permission": "rw"}),
            );
        }
        setup.insert("memory".into(), json!(memory));
        let events: Vec<Value> = [
            ("ev", "C", "event"),
            ("ev2", "C", "event"),
            ("dead", "C", "event"),
            ("irq", "C", "interrupt_event"),
            ("sev", "S", "event"),
            ("sev2", "S", "event"),
            ("sdead", "S", "event"),
            ("sirq", "S", "interrupt_event"),
        ]
        .iter()
        .filter(|(name, _, _)| used.contains(name))
        .map(|(name, process, kind)| json!({"name": name, "process": process, "kind": kind}))
        .collect();
        if !events.is_empty() {
            setup.insert("events".into(), json!(events));
        }
        let mut sessions = vec![json!({"name": "s", "server": "S", "client": "C"})];
        if used.contains("t") {
            sessions.push(json!({"name": "t", "server": "S", "client": "C"}));
        }
        setup.insert("sessions".into(), json!(sessions));
        Value::Object(setup)
    }
}

/// The chosen page of C: a state, a permission and (with `memory-attributes`)
/// attributes, from the tables every generator shares ([`super::world`]); `None`
/// for the state `Free` (no page), and for a state only some kernels can create a
/// region in when the kernel does not declare `memory-states` (its case then runs
/// with the page unmapped instead of being skipped).
fn special_page(ch: &mut Choices<'_>, allowed: Allowed) -> Option<Value> {
    let mut config = PageConfig {
        state: ch.byte(),
        permission: ch.byte(),
        attributes: 0,
    };
    if allowed.has(Capability::MemoryAttributes) && ch.flag(48) {
        config.attributes = ch.byte() & 0x1f;
    }
    let region = config.region(C_SPECIAL)?;
    if region.state.is_system() && !allowed.has(Capability::MemoryStates) {
        return None;
    }
    let mut page = json!({"process": "C", "address": hex(C_SPECIAL), "size": "0x1000",
                          "state": region.state, "permission": region.permission,
                          "fill": "0x77"});
    if !region.attributes.is_empty() {
        set(&mut page, "attributes", json!(region.attributes));
    }
    Some(page)
}

fn hex(v: u64) -> String {
    format!("{v:#x}")
}

/// An empty message of type `ty`, every key present (as the corpus writes them).
fn empty_message(ty: u32) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!(ty));
    m.insert("pid".into(), Value::Null);
    for key in [
        "copy_handles",
        "move_handles",
        "x",
        "a",
        "b",
        "w",
        "raw_words",
    ] {
        m.insert(key.into(), json!([]));
    }
    m.insert("recv_list_count".into(), json!(0));
    m.insert("c".into(), json!([]));
    m
}

impl Gen<'_, '_> {
    fn close(&mut self, process: &'static str, handle: &'static str) {
        let p = usize::from(process == "S");
        self.mark(handle);
        if !self.usable(handle) {
            return;
        }
        self.closed.push((handle, p, self.generation_of(p)));
        self.steps
            .push(json!({"op": "close", "process": process, "handle": handle}));
    }

    /// Whether a handle symbol may be used: it is open, or closed with no handle
    /// created in its process since (whose value could be the closed one's:
    /// kernel-semantics.md §9 **handle values**).
    fn usable(&self, symbol: &str) -> bool {
        self.closed
            .iter()
            .filter(|(s, _, _)| *s == symbol)
            .all(|(_, p, g)| self.generation_of(*p) == *g)
    }

    /// `symbol`, or the null handle when it may have been reused.
    fn handle(&mut self, symbol: &'static str) -> Value {
        if self.usable(symbol) {
            self.mark(symbol);
            json!(symbol)
        } else {
            json!(0)
        }
    }

    /// Notes that the steps use the set-up entry a symbol names (`$t.client`: t).
    fn mark(&mut self, symbol: &'static str) {
        let name = symbol.trim_start_matches('$');
        let name = name.split('.').next().unwrap_or(name);
        self.used.insert(name);
    }

    /// A stale handle of `process`: `symbol`'s event, closed first.
    fn stale(&mut self, process: &'static str, symbol: &'static str) -> Value {
        if !self.closed.iter().any(|(s, _, _)| *s == symbol) {
            self.close(process, symbol);
        }
        self.handle(symbol)
    }

    /// Remembers the memory a buffer of `size` bytes at `address` in `process`
    /// covers: its first and last bytes (where partial pages are).
    fn window(&mut self, process: &'static str, address: u64, size: u64) {
        if address == 0 || size == 0 {
            return;
        }
        self.windows.push((process, address, size.min(0x20)));
        if size > 0x20 {
            self.windows.push((process, address + size - 0x20, 0x20));
        }
    }

    /// How many times process `p`'s handle table may have grown.
    fn generation_of(&self, p: usize) -> u32 {
        self.generation.get(p).copied().unwrap_or(0)
    }

    /// Whether `thread` (0: C, 1: C2) has sent its request.
    fn is_pending(&self, thread: usize) -> bool {
        self.pending.get(thread).copied().unwrap_or(false)
    }

    /// A handle may have been added to process `p`'s table.
    fn grow(&mut self, p: usize) {
        if let Some(g) = self.generation.get_mut(p) {
            *g += 1;
        }
        if p == 0 {
            self.c_handles_may_grow = true;
        } else {
            self.s_handles_may_grow = true;
        }
    }

    /// One round: maybe something unusual first, a request, usually its receive and
    /// usually the reply.
    fn round(&mut self) {
        if self.ch.flag(40) {
            self.interlude();
        }
        let threads = if self.allowed.has(Capability::Threads) {
            2
        } else {
            1
        };
        let Some(thread) = (0..threads).find(|&t| !self.is_pending(t)) else {
            return;
        };
        self.send(thread);
        if thread == 0 && threads == 2 && self.ch.flag(30) {
            self.send(1);
        }
        if self.ch.usually(230) {
            self.receive(false);
            if self.ch.usually(220) {
                self.reply();
            }
        }
    }

    /// Something other than request, receive, reply.
    fn interlude(&mut self) {
        match self.ch.below(5) {
            0 => self.reply(),
            1 if self.allowed.has(Capability::SessionClose) => {
                let (process, handle) = self
                    .ch
                    .pick(&[
                        ("C", "$t.client"),
                        ("S", "$t.server"),
                        ("C", "$s.client"),
                        ("S", "$s.server"),
                    ])
                    .unwrap_or(("C", "$t.client"));
                self.close(process, handle);
            }
            2 if self.allowed.has(Capability::Async) => self.send_async(),
            3 => self.receive(true),
            _ => {
                let process = if self.ch.flag(128) { "S" } else { "C" };
                let handle = if process == "S" { "$sev" } else { "$ev" };
                self.close(process, handle);
            }
        }
    }

    fn thread_name(thread: usize) -> &'static str {
        if thread == 0 { "C" } else { "C2" }
    }

    fn send(&mut self, thread: usize) {
        let session = match self.ch.below(8) {
            0..=5 => self.handle("$s.client"),
            6 => self.handle("$t.client"),
            _ => self.handle("$ev"),
        };
        let message = self.request();
        if thread == 1 {
            self.used.insert("C2");
        }
        let mut step = json!({"op": "send", "thread": Self::thread_name(thread),
                              "session": session, "message": message});
        if self.allowed.has(Capability::UserBuffer) && self.ch.flag(30) {
            self.used.insert("C_USER");
            let address = C_USER + 0x100 * u64::from(thread as u32);
            set(
                &mut step,
                "buffer",
                json!({"address": hex(address), "size": "0x100"}),
            );
        }
        self.steps.push(step);
        if let Some(p) = self.pending.get_mut(thread) {
            *p = true;
        }
    }

    fn send_async(&mut self) {
        self.async_events += 1;
        self.used.insert("C_USER");
        let message = self.request();
        self.steps.push(
            json!({"op": "send_async", "thread": "C", "session": "$s.client",
            "buffer": {"address": hex(C_USER + 0x800), "size": "0x800"},
            "message": message, "bind_event": format!("$aev{}", self.async_events)}),
        );
        self.grow(0);
    }

    /// A receive on S: its buffer with a receive list, waiting on `s` (and `t`).
    fn receive(&mut self, poll_only: bool) {
        let mut handles = vec![self.handle("$s.server")];
        if self.ch.flag(50) {
            handles.push(self.handle("$t.server"));
        }
        if self.ch.flag(12) {
            handles.push(self.handle("$sev"));
        }
        handles.retain(|h| h != &json!(0));
        if poll_only && self.ch.flag(128) {
            handles.clear();
        }
        let mut step = json!({"op": "reply_and_receive", "thread": "S", "handles": handles,
                              "message": self.server_buffer()});
        self.server_user_buffer(&mut step);
        self.steps.push(step);
        self.grow(1);
    }

    /// S replies to `s` (the reply-only idiom: no wait handles).
    fn reply(&mut self) {
        let target = if self.ch.flag(20) {
            self.handle("$t.server")
        } else {
            self.handle("$s.server")
        };
        let mut step = json!({"op": "reply_and_receive", "thread": "S", "handles": [],
                              "reply_target": target, "message": self.reply_message()});
        self.server_user_buffer(&mut step);
        self.steps.push(step);
        self.grow(0);
        self.map_alias_used = 0;
    }

    fn server_user_buffer(&mut self, step: &mut Value) {
        if self.allowed.has(Capability::UserBuffer) && self.ch.flag(30) {
            self.used.insert("S_USER");
            set(
                step,
                "buffer",
                json!({"address": hex(S_USER), "size": "0x1000"}),
            );
        }
    }

    fn request(&mut self) -> Value {
        let ty = self.ch.pick(&[4u32, 5, 0, 2, 16, 0xFFFF]).unwrap_or(4);
        let mut m = empty_message(ty);
        if self.allowed.has(Capability::Pid) && self.ch.flag(50) {
            m.insert(
                "pid".into(),
                json!(self.ch.pick(&[0u64, 0x1234]).unwrap_or(0)),
            );
        }
        if self.allowed.has(Capability::CopyHandles) && self.ch.flag(90) {
            let n = 1 + self.ch.below(3);
            let handles: Vec<Value> = (0..n).map(|_| self.client_handle()).collect();
            m.insert("copy_handles".into(), json!(handles));
        }
        if self.allowed.has(Capability::MoveHandles) && self.ch.flag(20) {
            let h = self.client_handle();
            m.insert("move_handles".into(), json!([h]));
        }
        if self.ch.flag(12) && m.get("pid").is_none_or(Value::is_null) {
            m.insert("special_header".into(), json!(true));
        }
        if self.allowed.has(Capability::Pointer) && self.ch.flag(100) {
            let n = 1 + self.ch.below(2);
            let x: Vec<Value> = (0..n).map(|_| self.x_descriptor()).collect();
            m.insert("x".into(), json!(x));
        }
        if self.allowed.has(Capability::MapAlias) {
            for key in ["a", "b", "w"] {
                if self.map_alias_used < 8 && self.ch.flag(60) {
                    let n = (1 + self.ch.below(2)).min(8 - self.map_alias_used);
                    self.map_alias_used += n;
                    let list: Vec<Value> = (0..n).map(|_| self.map_alias()).collect();
                    m.insert(key.into(), json!(list));
                }
            }
        }
        self.raw_words(&mut m);
        if self.allowed.has(Capability::Pointer) && self.ch.flag(40) {
            self.receive_list(&mut m, "C", C_HEAP + 0x4000);
        }
        Value::Object(m)
    }

    fn raw_words(&mut self, m: &mut Map<String, Value>) {
        let n = self.ch.below(5);
        let words: Vec<Value> = (0..n)
            .map(|i| {
                json!(hex(0x5000_0000
                    + u64::from(self.ch.byte()) * 0x100
                    + u64::from(i)))
            })
            .collect();
        m.insert("raw_words".into(), json!(words));
    }

    /// A handle of C's for a request slot: valid, null, pseudo, interrupt, stale,
    /// session, or an invalid value.
    fn client_handle(&mut self) -> Value {
        let irq = self.allowed.has(Capability::InterruptEvent);
        match self.ch.below(10) {
            0 | 1 => self.handle("$ev"),
            2 => self.handle("$ev2"),
            3 => json!(0),
            4 => json!("0xffff8000"),
            5 => json!("0xffff8001"),
            6 if irq => self.handle("$irq"),
            7 if !self.c_handles_may_grow => self.stale("C", "$dead"),
            8 => self.handle("$s.client"),
            9 => json!("0x7fff"),
            _ => self.handle("$ev"),
        }
    }

    /// A handle of S's for a reply slot.
    fn server_handle(&mut self) -> Value {
        let irq = self.allowed.has(Capability::InterruptEvent);
        match self.ch.below(9) {
            0 | 1 => self.handle("$sev"),
            2 => self.handle("$sev2"),
            3 => json!(0),
            4 => json!("0xffff8000"),
            5 => json!("0xffff8001"),
            6 if irq => self.handle("$sirq"),
            7 if !self.s_handles_may_grow => self.stale("S", "$sdead"),
            8 => self.handle("$t.server"),
            _ => self.handle("$sev"),
        }
    }

    fn client_address(&mut self) -> u64 {
        let wide = self.allowed.has(Capability::AddressSpace64);
        match self.ch.below(12) {
            0..=3 => {
                C_HEAP
                    + self
                        .ch
                        .pick(&[0u64, 0x10, 0x800, 0xff0, 0x1000, 0x1ff8])
                        .unwrap_or(0)
            }
            4..=5 => C_HEAP + 0x1000 * u64::from(self.ch.below(6)),
            6 => {
                self.used.insert("special");
                C_SPECIAL + self.ch.pick(&[0u64, 0x100, 0xff8]).unwrap_or(0)
            }
            7 => 0,
            8 => C_HEAP + 0x6000,
            9 if wide => 0x10_1000_0000,
            _ => C_HEAP + 0x4000 + 0x10 * u64::from(self.ch.below(64)),
        }
    }

    fn size(&mut self, max_page: bool) -> u64 {
        let sizes: &[u64] = if max_page {
            &[0, 8, 0x10, 0x40, 0x100, 0x800, 0xff0, 0x1000]
        } else {
            &[0, 8, 0x10, 0x100, 0xff0, 0x1000, 0x1010, 0x2000, 0x3000]
        };
        self.ch.pick(sizes).unwrap_or(0)
    }

    fn x_descriptor(&mut self) -> Value {
        let index = if self.ch.flag(100) {
            self.ch.below(4)
        } else {
            0
        };
        let address = self.client_address();
        let size = self.size(true);
        self.window("C", address, size);
        json!({"index": index, "address": hex(address), "size": hex(size)})
    }

    fn map_alias(&mut self) -> Value {
        let mode = if self.ch.flag(60) {
            self.ch.below(4)
        } else {
            0
        };
        let address = self.client_address();
        let size = self.size(false);
        self.window("C", address, size);
        json!({"address": hex(address), "size": hex(size), "mode": mode})
    }

    /// A receive list (count and entries) in `m`, buffers near `base`.
    fn receive_list(&mut self, m: &mut Map<String, Value>, process: &'static str, base: u64) {
        let mut modes = vec![2u32];
        if self.allowed.has(Capability::PointerToMessageBuffer) {
            modes.push(1);
        }
        if self.allowed.has(Capability::PointerIndexed) {
            modes.extend([3, 4, 5, 6]);
        }
        let mode = self.ch.pick(&modes).unwrap_or(2);
        let entries = match mode {
            1 => 0,
            2 => 1,
            n => n - 2,
        };
        let c: Vec<Value> = (0..entries)
            .map(|i| {
                let address = match self.ch.below(6) {
                    0 => 0,
                    1 => base + 0x3000,
                    _ => base + 0x400 * u64::from(i) + 0x10 * u64::from(self.ch.below(4)),
                };
                let size = self
                    .ch
                    .pick(&[0x100u64, 0x40, 0, 0x10, 0x400])
                    .unwrap_or(0x100);
                self.window(process, address, size);
                json!({"address": hex(address), "size": hex(size)})
            })
            .collect();
        m.insert("recv_list_count".into(), json!(mode));
        m.insert("c".into(), json!(c));
        if self.allowed.has(Capability::ReceiveListOffset) && self.ch.flag(40) {
            m.insert(
                "recv_list_offset".into(),
                json!(self.ch.pick(&[0x30u32, 0x34, 0x38]).unwrap_or(0x30)),
            );
        }
    }

    /// S's buffer before it receives: a header with a receive list.
    fn server_buffer(&mut self) -> Value {
        let mut m = empty_message(0);
        if self.allowed.has(Capability::Pointer) && self.ch.usually(200) {
            self.receive_list(&mut m, "S", S_HEAP);
        }
        Value::Object(m)
    }

    fn reply_message(&mut self) -> Value {
        let mut m = empty_message(self.ch.pick(&[0u32, 1, 0x10]).unwrap_or(0));
        if self.allowed.has(Capability::Pid) && self.ch.flag(30) {
            m.insert("pid".into(), json!(0));
        }
        if self.allowed.has(Capability::CopyHandles) && self.ch.flag(80) {
            let n = 1 + self.ch.below(2);
            let handles: Vec<Value> = (0..n).map(|_| self.server_handle()).collect();
            m.insert("copy_handles".into(), json!(handles));
        }
        if self.allowed.has(Capability::MoveHandles) && self.ch.flag(60) {
            let h = if self.ch.flag(40) {
                json!(0)
            } else {
                let h = self.handle("$sev2");
                if h != json!(0) {
                    self.closed.push(("$sev2", 1, self.generation_of(1)));
                }
                h
            };
            m.insert("move_handles".into(), json!([h]));
        }
        if self.allowed.has(Capability::Pointer) && self.ch.flag(80) {
            let address = S_HEAP + self.ch.pick(&[0x100u64, 0x800, 0, 0x1ff0]).unwrap_or(0);
            let size = self.size(true);
            let index = if self.ch.flag(60) {
                self.ch.below(3)
            } else {
                0
            };
            m.insert(
                "x".into(),
                json!([{"index": index, "address": hex(address), "size": hex(size)}]),
            );
        }
        if self.allowed.has(Capability::MapAlias) && self.ch.flag(12) {
            m.insert(
                "a".into(),
                json!([{"address": hex(S_HEAP), "size": "0x100", "mode": 0}]),
            );
        }
        self.raw_words(&mut m);
        Value::Object(m)
    }
}
