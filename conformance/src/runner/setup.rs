//! A scenario's set-up (vectors/README.md "Set-up"): processes (each with a main
//! thread of its own name), extra threads, memory regions, events and sessions,
//! binding `$pid.P`, `$tls.T`, `$NAME`, `$NAME.server` and `$NAME.client`.

use std::collections::BTreeMap;

use super::problem::{Problem, show, vector_error};
use super::symbols::{Origin, Symbols};
use crate::hex;
use crate::kernel::{Kernel, MemoryRegion, ProcessRef, ProcessSpec, ThreadRef};
use crate::vector::Setup;

/// The largest region the runner fills with a non-zero byte, and the furthest it
/// writes contents into one (a guard against a typo allocating gigabytes).
const MAX_FILLED_REGION: u64 = 64 << 20;

/// The processes and threads of a scenario, by the vector's names.
#[derive(Clone, Debug, Default)]
pub(crate) struct World {
    pub(crate) processes: BTreeMap<String, ProcessRef>,
    /// Each thread with its process.
    pub(crate) threads: BTreeMap<String, (ThreadRef, ProcessRef)>,
}

impl World {
    pub(crate) fn process(&self, field: &str, name: &str) -> Result<ProcessRef, Problem> {
        self.processes.get(name).copied().ok_or_else(|| {
            vector_error(
                field,
                format!(
                    "no process named {name:?} in the set-up (processes: {})",
                    names(self.processes.keys())
                ),
            )
        })
    }

    pub(crate) fn thread(
        &self,
        field: &str,
        name: &str,
    ) -> Result<(ThreadRef, ProcessRef), Problem> {
        self.threads.get(name).copied().ok_or_else(|| {
            vector_error(
                field,
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

/// Performs the set-up. Errors name the set-up entry (`setup.memory[1].contents[0]`).
pub(crate) fn perform_setup(
    kernel: &mut dyn Kernel,
    setup: &Setup,
    symbols: &mut Symbols,
) -> Result<World, Problem> {
    let mut world = World::default();

    for (i, p) in setup.processes.iter().enumerate() {
        let at = format!("setup.processes[{i}]");
        if world.processes.contains_key(&p.name) || world.threads.contains_key(&p.name) {
            return Err(vector_error(
                format!("{at}.name"),
                format!("the name {:?} is used twice", p.name),
            ));
        }
        let spec = ProcessSpec {
            name: p.name.clone(),
            pid: p
                .pid
                .as_ref()
                .map(|e| symbols.value(&format!("{at}.pid"), e))
                .transpose()?,
            handle_capacity: p
                .handle_capacity
                .as_ref()
                .map(|e| symbols.value(&format!("{at}.handle_capacity"), e))
                .transpose()?,
            alias_region_size: p
                .alias_region_size
                .as_ref()
                .map(|e| symbols.value(&format!("{at}.alias_region_size"), e))
                .transpose()?,
        };
        let process = kernel.create_process(&spec)?;
        let thread = kernel.main_thread(process)?;
        let pid = kernel.process_id(process);
        let tls = kernel.tls_address(thread);
        symbols.bind(
            &format!("pid.{}", p.name),
            i128::from(pid),
            Origin::Setup(format!("the process id of {}", p.name)),
        );
        symbols.bind(
            &format!("tls.{}", p.name),
            i128::from(tls),
            Origin::Setup(format!("the TLS buffer of thread {}", p.name)),
        );
        world.processes.insert(p.name.clone(), process);
        world.threads.insert(p.name.clone(), (thread, process));
    }

    for (i, t) in setup.threads.iter().enumerate() {
        let at = format!("setup.threads[{i}]");
        if world.threads.contains_key(&t.name) || world.processes.contains_key(&t.name) {
            return Err(vector_error(
                format!("{at}.name"),
                format!("the name {:?} is used twice", t.name),
            ));
        }
        let process = world.process(&format!("{at}.process"), &t.process)?;
        let thread = kernel.create_thread(process)?;
        let tls = kernel.tls_address(thread);
        symbols.bind(
            &format!("tls.{}", t.name),
            i128::from(tls),
            Origin::Setup(format!("the TLS buffer of thread {}", t.name)),
        );
        world.threads.insert(t.name.clone(), (thread, process));
    }

    for (i, m) in setup.memory.iter().enumerate() {
        let at = format!("setup.memory[{i}]");
        let process = world.process(&format!("{at}.process"), &m.process)?;
        let address: u64 = symbols.value(&format!("{at}.address"), &m.address)?;
        let size: u64 = symbols.value(&format!("{at}.size"), &m.size)?;
        let fill: u8 = match &m.fill {
            Some(e) => symbols.value(&format!("{at}.fill"), e)?,
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
            let cat = format!("{at}.contents[{j}]");
            let offset: u64 = symbols.value(&format!("{cat}.offset"), &c.offset)?;
            let bytes = hex::decode(&c.hex)
                .map_err(|e| vector_error(format!("{cat}.hex"), format!("bad hex: {e}")))?;
            let end = offset
                .checked_add(bytes.len() as u64)
                .filter(|&e| e <= size);
            let (Some(end), Ok(start)) = (end, usize::try_from(offset)) else {
                return Err(vector_error(
                    cat,
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
                    cat,
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
        let region = MemoryRegion {
            address,
            size,
            state: m.state,
            permission: m.permission,
            attributes: m.attributes,
            contents,
        };
        kernel.map_memory(process, &region)?;
    }

    for (i, e) in setup.events.iter().enumerate() {
        let at = format!("setup.events[{i}]");
        let process = world.process(&format!("{at}.process"), &e.process)?;
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
            Origin::Setup(format!("the handle of event {} in {}", e.name, e.process)),
        );
    }

    for (i, s) in setup.sessions.iter().enumerate() {
        let at = format!("setup.sessions[{i}]");
        let server = world.process(&format!("{at}.server"), &s.server)?;
        let client = world.process(&format!("{at}.client"), &s.client)?;
        let (server_name, client_name) =
            (format!("{}.server", s.name), format!("{}.client", s.name));
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
            Origin::Setup(format!(
                "the server handle of session {} in {}",
                s.name, s.server
            )),
        );
        symbols.bind(
            &client_name,
            i128::from(handles.client),
            Origin::Setup(format!(
                "the client handle of session {} in {}",
                s.name, s.client
            )),
        );
    }
    Ok(world)
}
