//! A scenario's set-up (vectors/README.md "Set-up"): processes (each with a main
//! thread of its own name), extra threads, each thread's message buffer
//! ([`super::message_buffer`]), memory regions, events and sessions, binding
//! `$pid.P`, `$tls.T`, `$buf.T`, `$NAME`, `$NAME.server` and `$NAME.client`.

use std::collections::BTreeMap;
use std::fmt;

use super::message_buffer::{self, AnyBuffer, Resolved};
use super::problem::{Problem, show, vector_error};
use super::symbols::{Origin, Symbols};
use crate::hex;
use crate::kernel::{Kernel, MemoryRegion, ProcessRef, ProcessSpec, ThreadRef};
use crate::vector::{EventDecl, MemoryDecl, ProcessDecl, SessionDecl, Setup, ThreadDecl};

/// The largest region the runner fills with a non-zero byte, and the furthest it
/// writes contents into one (a guard against a typo allocating gigabytes).
const MAX_FILLED_REGION: u64 = 64 << 20;

/// The processes and threads of a scenario, by the vector's names.
#[derive(Clone, Debug, Default)]
pub(crate) struct World {
    pub(crate) processes: BTreeMap<String, ProcessRef>,
    /// Each thread with its process.
    pub(crate) threads: BTreeMap<String, (ThreadRef, ProcessRef)>,
    /// Each thread's TLS address, asked of the kernel once, at set-up: a thread's
    /// TLS region is fixed for its life (the `tls.NAME` symbols bound here already
    /// rely on it), so steps reuse it instead of asking again (through
    /// `--kernel-cmd` every question is a round trip).
    pub(crate) tls: BTreeMap<ThreadRef, u64>,
    /// Each thread's message buffer, what `"any"` resolves to.
    pub(crate) any: BTreeMap<ThreadRef, Resolved>,
}

/// `setup.LIST[i]`: the name of a set-up entry, formatted only when an error
/// names it (the set-up of every scenario goes through here).
#[derive(Clone, Copy)]
struct Entry(&'static str, usize);

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "setup.{}[{}]", self.0, self.1)
    }
}

/// `setup.memory[i].contents[j]`, formatted only when an error names it.
#[derive(Clone, Copy)]
struct Contents(usize, usize);

impl fmt::Display for Contents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "setup.memory[{}].contents[{}]", self.0, self.1)
    }
}

/// `prefix` followed by `name` (a symbol's name), without the formatting machinery.
fn joined(prefix: &str, name: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + name.len());
    s.push_str(prefix);
    s.push_str(name);
    s
}

fn setup_origin(what: &'static str, name: &str, process: Option<&str>) -> Origin {
    Origin::Setup {
        what,
        name: name.to_owned(),
        process: process.map(str::to_owned),
    }
}

impl World {
    /// The process named `name`; the error names `field` (formatted only then).
    pub(crate) fn process(
        &self,
        field: impl fmt::Display,
        name: &str,
    ) -> Result<ProcessRef, Problem> {
        self.processes.get(name).copied().ok_or_else(|| {
            vector_error(
                field.to_string(),
                format!(
                    "no process named {name:?} in the set-up (processes: {})",
                    names(self.processes.keys())
                ),
            )
        })
    }

    /// The thread named `name` with its process; the error names `field`.
    pub(crate) fn thread(
        &self,
        field: impl fmt::Display,
        name: &str,
    ) -> Result<(ThreadRef, ProcessRef), Problem> {
        self.threads.get(name).copied().ok_or_else(|| {
            vector_error(
                field.to_string(),
                format!(
                    "no thread named {name:?} in the set-up (threads: {})",
                    names(self.threads.keys())
                ),
            )
        })
    }
}

fn names<'a>(list: impl Iterator<Item = &'a String>) -> String {
    let list: Vec<&str> = list.map(String::as_str).collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

/// Performs the set-up, entry by entry in the order vectors/README.md gives
/// (processes, threads, the message buffers, memory, events, sessions). Errors
/// name the set-up entry (`setup.memory[1].contents[0]`). `any` says what a step's
/// `"any"` buffer resolves to on this kernel.
pub(crate) fn perform_setup(
    kernel: &mut dyn Kernel,
    setup: &Setup,
    any: AnyBuffer,
    symbols: &mut Symbols,
) -> Result<World, Problem> {
    let mut world = World::default();
    // The threads in set-up order (main threads first), for their message buffers.
    let mut order = Vec::new();
    for (i, p) in setup.processes.iter().enumerate() {
        order.push(create_process(
            kernel,
            symbols,
            &mut world,
            Entry("processes", i),
            p,
        )?);
    }
    for (i, t) in setup.threads.iter().enumerate() {
        order.push(create_thread(
            kernel,
            symbols,
            &mut world,
            Entry("threads", i),
            t,
        )?);
    }
    world.any = message_buffer::set_up(kernel, any, &order, symbols)?;
    for (i, m) in setup.memory.iter().enumerate() {
        map_region(kernel, symbols, &world, any, i, m)?;
    }
    for (i, e) in setup.events.iter().enumerate() {
        create_event(kernel, symbols, &world, Entry("events", i), e)?;
    }
    for (i, s) in setup.sessions.iter().enumerate() {
        create_session(kernel, symbols, &world, Entry("sessions", i), s)?;
    }
    Ok(world)
}

/// A thread as [`message_buffer::set_up`] needs it: name, thread, process, TLS.
type ThreadEntry = (String, ThreadRef, ProcessRef, u64);

/// A name is given once, to a process or a thread (a process's name is also its
/// main thread's).
fn check_new_name(world: &World, at: Entry, name: &str) -> Result<(), Problem> {
    if world.processes.contains_key(name) || world.threads.contains_key(name) {
        return Err(vector_error(
            format!("{at}.name"),
            format!("the name {name:?} is used twice"),
        ));
    }
    Ok(())
}

/// `setup.processes[i]`: the process and its main thread; binds `pid.NAME` and
/// `tls.NAME`.
fn create_process(
    kernel: &mut dyn Kernel,
    symbols: &mut Symbols,
    world: &mut World,
    at: Entry,
    p: &ProcessDecl,
) -> Result<ThreadEntry, Problem> {
    check_new_name(world, at, &p.name)?;
    let spec = ProcessSpec {
        name: p.name.clone(),
        pid: p
            .pid
            .as_ref()
            .map(|e| symbols.value(format_args!("{at}.pid"), e))
            .transpose()?,
        handle_capacity: p
            .handle_capacity
            .as_ref()
            .map(|e| symbols.value(format_args!("{at}.handle_capacity"), e))
            .transpose()?,
        alias_region_size: p
            .alias_region_size
            .as_ref()
            .map(|e| symbols.value(format_args!("{at}.alias_region_size"), e))
            .transpose()?,
    };
    let process = kernel.create_process(&spec)?;
    let thread = kernel.main_thread(process)?;
    let pid = kernel.process_id(process);
    let tls = kernel.tls_address(thread);
    symbols.bind(
        &joined("pid.", &p.name),
        i128::from(pid),
        setup_origin("the process id of", &p.name, None),
    );
    symbols.bind(
        &joined("tls.", &p.name),
        i128::from(tls),
        setup_origin("the TLS buffer of thread", &p.name, None),
    );
    world.processes.insert(p.name.clone(), process);
    world.threads.insert(p.name.clone(), (thread, process));
    world.tls.insert(thread, tls);
    Ok((p.name.clone(), thread, process, tls))
}

/// `setup.threads[i]`: another thread of a process; binds `tls.NAME`.
fn create_thread(
    kernel: &mut dyn Kernel,
    symbols: &mut Symbols,
    world: &mut World,
    at: Entry,
    t: &ThreadDecl,
) -> Result<ThreadEntry, Problem> {
    check_new_name(world, at, &t.name)?;
    let process = world.process(format_args!("{at}.process"), &t.process)?;
    let thread = kernel.create_thread(process)?;
    let tls = kernel.tls_address(thread);
    symbols.bind(
        &joined("tls.", &t.name),
        i128::from(tls),
        setup_origin("the TLS buffer of thread", &t.name, None),
    );
    world.threads.insert(t.name.clone(), (thread, process));
    world.tls.insert(thread, tls);
    Ok((t.name.clone(), thread, process, tls))
}

/// `setup.memory[i]`: a region mapped with its state, permission, attributes
/// and contents. With user message buffers, a region must stay clear of them.
fn map_region(
    kernel: &mut dyn Kernel,
    symbols: &mut Symbols,
    world: &World,
    any: AnyBuffer,
    i: usize,
    m: &MemoryDecl,
) -> Result<(), Problem> {
    let at = Entry("memory", i);
    let process = world.process(format_args!("{at}.process"), &m.process)?;
    let address: u64 = symbols.value(format_args!("{at}.address"), &m.address)?;
    let size: u64 = symbols.value(format_args!("{at}.size"), &m.size)?;
    if any == AnyBuffer::User {
        message_buffer::check_clear(&at.to_string(), address, size)?;
    }
    let region = MemoryRegion {
        address,
        size,
        state: m.state,
        permission: m.permission,
        attributes: m.attributes,
        contents: region_contents(symbols, i, m, size)?,
    };
    kernel.map_memory(process, &region)?;
    Ok(())
}

/// The bytes a region starts with: its `fill` byte, then each `contents` entry
/// at its offset; empty for a zero fill and no contents (the kernel zeroes).
fn region_contents(
    symbols: &mut Symbols,
    i: usize,
    m: &MemoryDecl,
    size: u64,
) -> Result<Vec<u8>, Problem> {
    let at = Entry("memory", i);
    let fill: u8 = match &m.fill {
        Some(e) => symbols.value(format_args!("{at}.fill"), e)?,
        None => 0,
    };
    let mut contents = if fill == 0 {
        Vec::new()
    } else if size > MAX_FILLED_REGION {
        return Err(vector_error(
            format!("{at}.fill"),
            format!(
                "the runner fills regions of at most {} bytes with a non-zero byte",
                show(i128::from(MAX_FILLED_REGION))
            ),
        ));
    } else {
        vec![fill; usize::try_from(size).unwrap_or(0)]
    };
    for (j, c) in m.contents.iter().enumerate() {
        let cat = Contents(i, j);
        let offset: u64 = symbols.value(format_args!("{cat}.offset"), &c.offset)?;
        let bytes = hex::decode(&c.hex)
            .map_err(|e| vector_error(format!("{cat}.hex"), format!("bad hex: {e}")))?;
        let end = offset
            .checked_add(bytes.len() as u64)
            .filter(|&e| e <= size);
        let (Some(end), Ok(start)) = (end, usize::try_from(offset)) else {
            return Err(vector_error(
                cat.to_string(),
                format!(
                    "{} bytes at offset {} do not fit in the region's {} bytes",
                    bytes.len(),
                    show(i128::from(offset)),
                    show(i128::from(size))
                ),
            ));
        };
        if end > MAX_FILLED_REGION {
            return Err(vector_error(
                cat.to_string(),
                format!(
                    "the runner writes contents within the first {} bytes of a region",
                    show(i128::from(MAX_FILLED_REGION))
                ),
            ));
        }
        let end = usize::try_from(end).unwrap_or(0);
        if contents.len() < end {
            contents.resize(end, fill);
        }
        if let Some(slot) = contents.get_mut(start..end) {
            slot.copy_from_slice(&bytes);
        }
    }
    Ok(contents)
}

/// `setup.events[i]`: an event in a process; binds `$NAME` to its handle.
fn create_event(
    kernel: &mut dyn Kernel,
    symbols: &mut Symbols,
    world: &World,
    at: Entry,
    e: &EventDecl,
) -> Result<(), Problem> {
    let process = world.process(format_args!("{at}.process"), &e.process)?;
    if symbols.get(&e.name).is_some() {
        return Err(vector_error(
            format!("{at}.name"),
            format!("the symbol ${} is bound twice", e.name),
        ));
    }
    let handle = kernel.create_event(process, e.kind)?;
    symbols.bind(
        &e.name,
        i128::from(handle),
        setup_origin("the handle of event", &e.name, Some(&e.process)),
    );
    Ok(())
}

/// `setup.sessions[i]`: a session between two processes; binds `NAME.server`
/// and `NAME.client` to its two ends.
fn create_session(
    kernel: &mut dyn Kernel,
    symbols: &mut Symbols,
    world: &World,
    at: Entry,
    s: &SessionDecl,
) -> Result<(), Problem> {
    let server = world.process(format_args!("{at}.server"), &s.server)?;
    let client = world.process(format_args!("{at}.client"), &s.client)?;
    let (server_name, client_name) = (joined(&s.name, ".server"), joined(&s.name, ".client"));
    if symbols.get(&server_name).is_some() || symbols.get(&client_name).is_some() {
        return Err(vector_error(
            format!("{at}.name"),
            format!("the session name {:?} is used twice", s.name),
        ));
    }
    let handles = kernel.create_session(server, client)?;
    symbols.bind(
        &server_name,
        i128::from(handles.server),
        setup_origin("the server handle of session", &s.name, Some(&s.server)),
    );
    symbols.bind(
        &client_name,
        i128::from(handles.client),
        setup_origin("the client handle of session", &s.name, Some(&s.client)),
    );
    Ok(())
}
