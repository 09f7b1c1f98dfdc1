//! The observation steps of a scenario: `expect_client`, `expect_message`,
//! `expect_words`, `expect_memory`, `expect_handle`, `count_handles`,
//! `expect_handle_count`, `expect_mapping`, `expect_no_ipc_mappings`,
//! `expect_access` and `expect_event` (vectors/README.md "Steps"). Each failure
//! names the decoded field (`client.status`, `message.copy_handles[1]`, `words[4]`,
//! `memory[0x10000020]`, `handle.valid`, `handle.object`, `handle_count`,
//! `mapping.state`, `mapping.permission`, `mapping.attributes.locked`,
//! `mapping.page_offset`, `mapping.contents[0x10]`, `ipc_mappings`, `access`,
//! `event.signaled`).

use hipc::Message;

use super::diff::first_difference;
use super::pattern::{expected_message, match_message};
use super::problem::{Mismatch, Problem, show, vector_error};
use super::scenario::{Run, TLS_SIZE};
use super::symbols::Origin;
use crate::kernel::{
    MemoryAttributes, MemoryInfo, MessageBuffer, ObjectId, Permission, ProcessRef, RequestStatus,
};
use crate::message_json::MessageJson;
use crate::vector::{
    BufferDecl, CallExpect, ExpectAccessStep, ExpectClientStep, ExpectEventStep,
    ExpectHandleCountStep, ExpectMappingStep, ExpectMemoryStep, ExpectNoIpcMappingsStep, Expr,
    ObjectRef, Step,
};

/// The most bytes read for one `expect_message` (a message never exceeds
/// 0x2000 + 13 * 8 bytes, even with the largest receive-list offset).
const MAX_MESSAGE_READ: u64 = 0x4000;

/// Where an observation reads.
struct Place {
    process: ProcessRef,
    address: u64,
    /// The buffer's size, when the place is a buffer.
    size: u64,
    /// In words, for reports: `the TLS buffer of C`.
    what: String,
}

fn permission_name(p: Permission) -> &'static str {
    match p {
        Permission::None => "none",
        Permission::R => "r",
        Permission::Rw => "rw",
        Permission::Rx => "rx",
    }
}

fn show_info(info: &MemoryInfo) -> String {
    format!(
        "block {:#x}..{:#x} {:?} {}{}",
        info.base,
        info.base.saturating_add(info.size),
        info.state,
        permission_name(info.permission),
        if info.attributes.is_empty() {
            String::new()
        } else {
            format!(" {}", attribute_names(&info.attributes))
        }
    )
}

fn attribute_flags(a: &MemoryAttributes) -> [(&'static str, bool); 5] {
    [
        ("locked", a.locked),
        ("ipc_locked", a.ipc_locked),
        ("device_shared", a.device_shared),
        ("uncached", a.uncached),
        ("permission_locked", a.permission_locked),
    ]
}

fn attribute_names(a: &MemoryAttributes) -> String {
    let set: Vec<&str> = attribute_flags(a)
        .into_iter()
        .filter(|(_, v)| *v)
        .map(|(n, _)| n)
        .collect();
    if set.is_empty() {
        "none".into()
    } else {
        set.join("+")
    }
}

fn show_status(s: RequestStatus) -> String {
    match s {
        RequestStatus::Idle => "idle".into(),
        RequestStatus::Pending => "pending".into(),
        RequestStatus::Completed(code) => format!("returned {code}"),
    }
}

impl Run<'_> {
    /// Runs an observation step: one function per kind.
    pub(super) fn observe(&mut self, step: &Step) -> Result<(), Problem> {
        match step {
            Step::ExpectClient(s) => self.expect_client(s),
            Step::ExpectMessage(s) => {
                let place =
                    self.place(&s.thread, &s.buffer, &s.process, &s.address, Some(&s.size))?;
                self.expect_message(&place, &s.message)
            }
            Step::ExpectWords(s) => {
                let place =
                    self.place(&s.thread, &s.buffer, &s.process, &s.address, Some(&s.size))?;
                let offset: u64 = match &s.offset {
                    Some(e) => self.symbols.value("offset", e)?,
                    None => 0,
                };
                self.expect_words(&place, offset, &s.words)
            }
            Step::ExpectMemory(s) => self.expect_memory(s),
            Step::ExpectHandle(s) => {
                self.expect_handle(&s.process, &s.handle, s.valid, s.same_object_as.as_ref())
            }
            Step::CountHandles(s) => {
                let p = self.world.process("process", &s.process)?;
                let count = self.kernel.handle_count(p) as u64;
                self.bind("handle_count", &s.bind, count, "handle count")
            }
            Step::ExpectHandleCount(s) => self.expect_handle_count(s),
            Step::ExpectMapping(s) => self.expect_mapping(s),
            Step::ExpectNoIpcMappings(s) => self.expect_no_ipc_mappings(s),
            Step::ExpectAccess(s) => self.expect_access(s),
            Step::ExpectEvent(s) => self.expect_event(s),
            other => Err(vector_error(
                "op",
                format!("{} is not an observation", other.op()),
            )),
        }
    }

    /// `expect_client`: the client's synchronous request is idle, pending, or
    /// returned a result.
    fn expect_client(&mut self, step: &ExpectClientStep) -> Result<(), Problem> {
        let thread = &step.thread;
        let (t, _) = self.world.thread("thread", thread)?;
        let actual = self.kernel.request_status(t);
        match (&step.status, actual) {
            (CallExpect::Pending, RequestStatus::Pending)
            | (CallExpect::Idle, RequestStatus::Idle) => Ok(()),
            (CallExpect::Returned(r), RequestStatus::Completed(code)) => {
                if r.out_index.is_some() {
                    return Err(vector_error(
                        "status.out_index",
                        "out_index applies to reply_and_receive only",
                    ));
                }
                self.check_result("client.status", r.result.as_ref(), code, |s| {
                    format!("returned {s}")
                })
            }
            (expected, actual) => {
                let expected = match expected {
                    CallExpect::Pending => "pending".to_string(),
                    CallExpect::Idle => "idle".to_string(),
                    CallExpect::Returned(r) => {
                        format!("returned {}", self.show_result(r.result.as_ref()))
                    }
                };
                Err(Mismatch::new("client.status", expected, show_status(actual))
                    .detail(format!(
                        "the synchronous request of thread {thread} (idle: none sent; pending: blocked in SendSyncRequest; returned: the syscall's result)"
                    ))
                    .into())
            }
        }
    }

    /// `expect_memory`: bytes at a process address, as the debugger reads them.
    fn expect_memory(&mut self, step: &ExpectMemoryStep) -> Result<(), Problem> {
        let p = self.world.process("process", &step.process)?;
        let address: u64 = self.symbols.value("address", &step.address)?;
        let want = crate::hex::decode(&step.hex)
            .map_err(|e| vector_error("hex", format!("bad hex: {e}")))?;
        let got = self.kernel.read_memory(p, address, want.len())?;
        let detail = format!(
            "the {} bytes at {address:#x} in {}",
            want.len(),
            step.process
        );
        compare_bytes(
            &want,
            &got,
            |off| format!("memory[{:#x}]", address.wrapping_add(off as u64)),
            detail,
        )
    }

    /// `expect_handle_count`: the size of a process's handle table.
    fn expect_handle_count(&mut self, step: &ExpectHandleCountStep) -> Result<(), Problem> {
        let p = self.world.process("process", &step.process)?;
        let actual = self.kernel.handle_count(p);
        let at = self.step;
        let actual_i = i128::try_from(actual).unwrap_or(i128::MAX);
        self.symbols
            .expect(&step.count, actual_i, || Origin::Step {
                step: at,
                field: "handle_count".into(),
            })
            .map_err(|m| {
                Mismatch::new("handle_count", m.expected, actual.to_string())
                    .maybe_detail(m.detail)
                    .into()
            })
    }

    /// `expect_mapping`: a block's state, permission and attributes, the page
    /// offset of an address, and the bytes mapped there; each checked when given.
    fn expect_mapping(&mut self, step: &ExpectMappingStep) -> Result<(), Problem> {
        let p = self.world.process("process", &step.process)?;
        let address: u64 = self.symbols.value("address", &step.address)?;
        if step.state.is_some() || step.permission.is_some() || step.attributes.is_some() {
            self.expect_block(step, p, address)?;
        }
        if let Some(e) = &step.page_offset {
            let actual = address & 0xfff;
            let at = self.step;
            self.symbols
                .expect(e, i128::from(actual), || Origin::Step {
                    step: at,
                    field: "mapping.page_offset".into(),
                })
                .map_err(|m| {
                    Mismatch::new("mapping.page_offset", m.expected, show(i128::from(actual)))
                        .detail(format!(
                            "the mapping is at {address:#x}: a buffer keeps its offset within the page{}",
                            m.detail.map(|d| format!("; {d}")).unwrap_or_default()
                        ))
                })?;
        }
        if let Some(hex) = &step.hex {
            let want = crate::hex::decode(hex)
                .map_err(|e| vector_error("hex", format!("bad hex: {e}")))?;
            let got = self.kernel.read_memory(p, address, want.len())?;
            let detail = format!(
                "the {} bytes mapped at {address:#x} in {}",
                want.len(),
                step.process
            );
            compare_bytes(
                &want,
                &got,
                |off| format!("mapping.contents[{off:#x}]"),
                detail,
            )?;
        }
        Ok(())
    }

    /// The block part of `expect_mapping`: state, then permission, then each
    /// attribute; the first that differs is the failure.
    fn expect_block(
        &mut self,
        step: &ExpectMappingStep,
        p: ProcessRef,
        address: u64,
    ) -> Result<(), Problem> {
        let info = self.kernel.query_memory(p, address)?;
        let about = || format!("{address:#x} in {}: {}", step.process, show_info(&info));
        if let Some(s) = &step.state
            && *s != info.state
        {
            return Err(Mismatch::new(
                "mapping.state",
                format!("{s:?}"),
                format!("{:?}", info.state),
            )
            .detail(about())
            .into());
        }
        if let Some(perm) = &step.permission
            && *perm != info.permission
        {
            return Err(Mismatch::new(
                "mapping.permission",
                permission_name(*perm),
                permission_name(info.permission),
            )
            .detail(about())
            .into());
        }
        if let Some(a) = &step.attributes {
            for ((name, e), (_, g)) in attribute_flags(a)
                .into_iter()
                .zip(attribute_flags(&info.attributes))
            {
                if e != g {
                    return Err(Mismatch::new(
                        format!("mapping.attributes.{name}"),
                        e.to_string(),
                        g.to_string(),
                    )
                    .detail(about())
                    .into());
                }
            }
        }
        Ok(())
    }

    /// `expect_no_ipc_mappings`: no block of the process is left in an IPC state.
    fn expect_no_ipc_mappings(&mut self, step: &ExpectNoIpcMappingsStep) -> Result<(), Problem> {
        let p = self.world.process("process", &step.process)?;
        let list = self.kernel.ipc_mappings(p)?;
        if list.is_empty() {
            return Ok(());
        }
        let shown: Vec<String> = list.iter().map(show_info).collect();
        Err(Mismatch::new("ipc_mappings", "none", shown.join("; "))
            .detail(format!(
                "{} should have no block left in an IPC state (Ipc, NonSecureIpc, NonDeviceIpc)",
                step.process
            ))
            .into())
    }

    /// `expect_access`: whether user mode may read or write a range.
    fn expect_access(&mut self, step: &ExpectAccessStep) -> Result<(), Problem> {
        let p = self.world.process("process", &step.process)?;
        let address: u64 = self.symbols.value("address", &step.address)?;
        let len: usize = self.symbols.value("size", &step.size)?;
        let actual = self.kernel.user_can_access(p, address, len, step.write);
        if actual == step.allowed {
            return Ok(());
        }
        let show_allowed = |b: bool| if b { "allowed" } else { "refused" };
        Err(
            Mismatch::new("access", show_allowed(step.allowed), show_allowed(actual))
                .detail(format!(
                    "a user-mode {} of {} bytes at {address:#x} in {}",
                    if step.write { "write" } else { "read" },
                    show(len as i128),
                    step.process
                ))
                .into(),
        )
    }

    /// `expect_event`: whether an event is signaled.
    fn expect_event(&mut self, step: &ExpectEventStep) -> Result<(), Problem> {
        let p = self.world.process("process", &step.process)?;
        let h: u32 = self.symbols.value("handle", &step.handle)?;
        let actual = self.kernel.event_signaled(p, h)?;
        if actual == step.signaled {
            return Ok(());
        }
        Err(Mismatch::new(
            "event.signaled",
            step.signaled.to_string(),
            actual.to_string(),
        )
        .detail(format!(
            "the event {} in {}",
            self.symbols.describe(&step.handle),
            step.process
        ))
        .into())
    }

    /// Resolves where an observation reads: a thread's buffer, or a process and an
    /// address (with `size`, default 0x100, when the step has one).
    fn place(
        &mut self,
        thread: &Option<String>,
        buffer: &Option<BufferDecl>,
        process: &Option<String>,
        address: &Option<Expr>,
        size: Option<&Option<Expr>>,
    ) -> Result<Place, Problem> {
        match (thread, process, address) {
            (Some(name), None, None) => {
                let has_size = size.is_some_and(Option::is_some);
                if has_size {
                    return Err(vector_error(
                        "size",
                        "size goes with process and address; a thread's buffer has its own size",
                    ));
                }
                let (t, p) = self.world.thread("thread", name)?;
                let decl = buffer.clone().unwrap_or_default();
                let b = self.buffer(t, p, &decl)?;
                let what = match (decl, b.kind) {
                    (BufferDecl::Any, MessageBuffer::Tls) => {
                        format!("the message buffer of {name} (its TLS buffer)")
                    }
                    (BufferDecl::Any, MessageBuffer::User { .. }) => {
                        format!(
                            "the message buffer of {name} (a user buffer at {:#x})",
                            b.address
                        )
                    }
                    (BufferDecl::Tls, _) => format!("the TLS buffer of {name}"),
                    (BufferDecl::User { .. }, _) => {
                        format!("the user buffer of {name} at {:#x}", b.address)
                    }
                };
                Ok(Place {
                    process: b.process,
                    address: b.address,
                    size: b.size,
                    what,
                })
            }
            (None, Some(name), Some(address)) => {
                if buffer.is_some() {
                    return Err(vector_error(
                        "buffer",
                        "a buffer belongs to a thread: give \"thread\" with it",
                    ));
                }
                let p = self.world.process("process", name)?;
                let address: u64 = self.symbols.value("address", address)?;
                let size: u64 = match size {
                    Some(Some(e)) => self.symbols.value("size", e)?,
                    _ => TLS_SIZE,
                };
                Ok(Place {
                    process: p,
                    address,
                    size,
                    what: format!("{address:#x} in {name}"),
                })
            }
            _ => Err(vector_error(
                "",
                "give \"thread\" (and \"buffer\"), or \"process\" and \"address\"",
            )),
        }
    }

    /// The bytes of the message buffer at `place` (at most [`MAX_MESSAGE_READ`]).
    fn read_buffer(&mut self, place: &Place) -> Result<Vec<u8>, Problem> {
        let len = usize::try_from(place.size.min(MAX_MESSAGE_READ)).unwrap_or(0x100);
        Ok(self.kernel.read_memory(place.process, place.address, len)?)
    }

    /// The message in a thread's buffer, decoded, and the thread's process; `None`
    /// when the thread or buffer cannot be resolved or the bytes do not decode.
    pub(crate) fn message_in(
        &mut self,
        thread: &str,
        buffer: &BufferDecl,
    ) -> Option<(ProcessRef, MessageJson)> {
        let place = self
            .place(
                &Some(thread.to_owned()),
                &Some(buffer.clone()),
                &None,
                &None,
                None,
            )
            .ok()?;
        let bytes = self.read_buffer(&place).ok()?;
        Some((place.process, MessageJson::decode(&bytes).ok()?))
    }

    fn expect_message(
        &mut self,
        place: &Place,
        pattern: &crate::vector::MessagePattern,
    ) -> Result<(), Problem> {
        let bytes = self.read_buffer(place)?;
        let msg = match Message::new_checked(&bytes[..]) {
            Ok(msg) => msg,
            Err(e) => {
                return Err(Mismatch::new(
                    "message",
                    "a message that decodes",
                    format!("error {}: {e}", e.kind()),
                )
                .detail(format!("the bytes of {} do not decode", place.what))
                .bytes(None, Some(bytes.clone()))
                .into());
            }
        };
        let actual = MessageJson::from_message(&msg);
        let actual_bytes = bytes.get(..msg.message_len()).unwrap_or(&bytes).to_vec();
        match match_message(pattern, &actual, &mut self.symbols, self.step) {
            Ok(()) => Ok(()),
            Err(Problem::Mismatch(m)) => {
                let expected = expected_message(pattern, &self.symbols, &actual);
                let mut m = *m;
                let context = format!("the message in {}", place.what);
                m.detail = Some(match m.detail {
                    Some(d) => format!("{context}: {d}"),
                    None => context,
                });
                m.expected_bytes = expected.to_bytes().ok();
                m.actual_bytes = Some(actual_bytes);
                Err(Problem::Mismatch(Box::new(m)))
            }
            Err(other) => Err(other),
        }
    }

    fn expect_words(&mut self, place: &Place, offset: u64, words: &[Expr]) -> Result<(), Problem> {
        let start = offset.saturating_mul(4);
        let len = (words.len() as u64).saturating_mul(4);
        if start.saturating_add(len) > place.size {
            return Err(vector_error(
                "words",
                format!(
                    "words {offset}..{} lie outside {} ({} bytes)",
                    offset.saturating_add(words.len() as u64),
                    place.what,
                    show(i128::from(place.size))
                ),
            ));
        }
        let bytes = self.kernel.read_memory(
            place.process,
            place.address.wrapping_add(start),
            usize::try_from(len).unwrap_or(0),
        )?;
        let actual: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|c| <[u8; 4]>::try_from(c).map_or(0, u32::from_le_bytes))
            .collect();
        let step = self.step;
        for (i, e) in words.iter().enumerate() {
            let index = offset.saturating_add(i as u64);
            let field = format!("words[{index}]");
            let a = actual.get(i).copied().unwrap_or(0);
            if let Err(m) = self.symbols.expect(e, i128::from(a), || Origin::Step {
                step,
                field: field.clone(),
            }) {
                let expected: Vec<u8> = words
                    .iter()
                    .zip(actual.iter().copied().chain(std::iter::repeat(0)))
                    .flat_map(|(e, a)| {
                        u32::try_from(self.symbols.resolve_or(e, i128::from(a)))
                            .unwrap_or(a)
                            .to_le_bytes()
                    })
                    .collect();
                let context = format!("word {index} of {}", place.what);
                return Err(Mismatch::new(field, m.expected, show(i128::from(a)))
                    .detail(match m.detail {
                        Some(d) => format!("{context}: {d}"),
                        None => context,
                    })
                    .bytes(Some(expected), Some(bytes))
                    .into());
            }
        }
        Ok(())
    }

    fn expect_handle(
        &mut self,
        process: &str,
        handle: &Expr,
        valid: bool,
        same: Option<&ObjectRef>,
    ) -> Result<(), Problem> {
        let p = self.world.process("process", process)?;
        let h: u32 = self.symbols.value("handle", handle)?;
        let object = self.kernel.handle_object(p, h);
        if object.is_some() != valid {
            let name = self.symbols.describe(handle);
            return Err(Mismatch::new(
                "handle.valid",
                valid.to_string(),
                object.is_some().to_string(),
            )
            .detail(format!(
                "{name} in {process} should {}be a valid handle",
                if valid { "" } else { "not " }
            ))
            .into());
        }
        let Some(same) = same else {
            return Ok(());
        };
        let Some(object) = object else {
            return Err(vector_error(
                "same_object_as",
                "a handle expected to be invalid names no object",
            ));
        };
        let target = self.object_of(same)?;
        let show_object = |o: Option<ObjectId>| match o {
            Some(ObjectId(id)) => format!("object {id}"),
            None => "no object".to_string(),
        };
        if target == Some(object) {
            return Ok(());
        }
        let name = self.symbols.describe(handle);
        let what = self.describe_object(same);
        Err(Mismatch::new(
            "handle.object",
            format!("{} ({what})", show_object(target)),
            show_object(Some(object)),
        )
        .detail(format!(
            "{name} in {process} should name the same object as {what}{}",
            if target.is_none() {
                " (which names no object: that handle is invalid)"
            } else {
                ""
            }
        ))
        .into())
    }

    /// The object a `same_object_as` names ([`Self::describe_object`] says it).
    fn object_of(&mut self, r: &ObjectRef) -> Result<Option<ObjectId>, Problem> {
        match (&r.process, &r.handle, &r.process_object, &r.thread_object) {
            (Some(process), Some(handle), None, None) => {
                let p = self.world.process("same_object_as.process", process)?;
                let h: u32 = self.symbols.value("same_object_as.handle", handle)?;
                Ok(self.kernel.handle_object(p, h))
            }
            (None, None, Some(process), None) => {
                let p = self
                    .world
                    .process("same_object_as.process_object", process)?;
                Ok(Some(self.kernel.process_object(p)))
            }
            (None, None, None, Some(thread)) => {
                let (t, _) = self.world.thread("same_object_as.thread_object", thread)?;
                Ok(Some(self.kernel.thread_object(t)))
            }
            _ => Err(vector_error(
                "same_object_as",
                "give {\"process\", \"handle\"}, {\"process_object\"} or {\"thread_object\"}",
            )),
        }
    }

    /// How a report says the object of a `same_object_as` that [`Self::object_of`]
    /// resolved (only called for a mismatch).
    fn describe_object(&self, r: &ObjectRef) -> String {
        match (&r.process, &r.handle, &r.process_object, &r.thread_object) {
            (Some(process), Some(handle), _, _) => {
                format!("{} in {process}", self.symbols.describe(handle))
            }
            (_, _, Some(process), _) => format!("process {process}"),
            (_, _, _, Some(thread)) => format!("thread {thread}"),
            _ => String::new(),
        }
    }
}

/// Compares expected and actual bytes, naming the first differing byte with `name`
/// (given its offset).
fn compare_bytes(
    want: &[u8],
    got: &[u8],
    name: impl Fn(usize) -> String,
    detail: String,
) -> Result<(), Problem> {
    let Some(off) = first_difference(want, got) else {
        return Ok(());
    };
    let byte = |b: &[u8]| {
        b.get(off).map_or_else(
            || "nothing (short read)".to_string(),
            |b| format!("{b:#04x}"),
        )
    };
    Err(Mismatch::new(name(off), byte(want), byte(got))
        .detail(detail)
        .bytes(Some(want.to_vec()), Some(got.to_vec()))
        .into())
}
