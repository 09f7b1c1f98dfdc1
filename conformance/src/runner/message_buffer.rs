//! The message buffer a step's `"any"` resolves to (vectors/README.md "Buffers").
//!
//! Most kernel vectors test message translation, and the kind of buffer the
//! message travels in is incidental: a kernel with only the TLS syscalls, or only
//! the user-buffer ones (SunriseOS), must run them all the same
//! (docs/spec/kernel-semantics.md §1.3, §1.4). So a thread's *message buffer* is its
//! TLS buffer when the kernel declares `tls-buffer`, and otherwise a user buffer
//! the runner creates for it at set-up: one page of Normal read-write memory per
//! thread, in a window vectors leave free. `$buf.T` is its address either way.

use std::collections::BTreeMap;

use super::problem::{Problem, show, vector_error};
use super::scenario::TLS_SIZE;
use super::symbols::{Origin, Symbols};
use crate::kernel::{
    Capability, Kernel, KernelInfo, MemoryAttributes, MemoryRegion, MemoryState, MessageBuffer,
    Permission, ProcessRef, ThreadRef,
};

/// Where the runner places the user buffers it creates: below 4 GiB (a 32-bit
/// kernel has them) and away from the regions vectors use. Vectors must not
/// create regions in `[BASE, BASE + 256 * STRIDE)`.
pub(crate) const RUNNER_BUFFER_BASE: u64 = 0x0800_0000;
/// Distance between two threads' buffers: a page and a guard page.
const STRIDE: u64 = 0x2000;
/// The size of a runner-created user buffer: one page, the smallest a user buffer
/// can be (kernel-semantics.md §1.2).
pub(crate) const RUNNER_BUFFER_SIZE: u64 = 0x1000;
/// The end of the window reserved for runner-created buffers.
pub(crate) const RUNNER_BUFFER_END: u64 = RUNNER_BUFFER_BASE + 256 * STRIDE;

/// What `"any"` resolves to on a kernel.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AnyBuffer {
    /// The thread's TLS buffer.
    Tls,
    /// A user buffer the runner sets up for each thread.
    User,
}

impl AnyBuffer {
    /// TLS when the kernel has the TLS syscalls, else a user buffer. (A test that
    /// uses `"any"` on a kernel with neither is skipped before set-up.)
    pub(crate) fn for_kernel(info: &KernelInfo) -> AnyBuffer {
        if info.capabilities.contains(&Capability::TlsBuffer) {
            AnyBuffer::Tls
        } else {
            AnyBuffer::User
        }
    }
}

/// A thread's message buffer, resolved.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Resolved {
    /// The syscall variant it goes with.
    pub(crate) kind: MessageBuffer,
    /// Its address.
    pub(crate) address: u64,
    /// Its size.
    pub(crate) size: u64,
}

/// Creates each thread's message buffer and binds `$buf.T`. `threads` are the
/// set-up's threads in order, each with its TLS address.
pub(crate) fn set_up(
    kernel: &mut dyn Kernel,
    any: AnyBuffer,
    threads: &[(String, ThreadRef, ProcessRef, u64)],
    symbols: &mut Symbols,
) -> Result<BTreeMap<ThreadRef, Resolved>, Problem> {
    let mut resolved = BTreeMap::new();
    for (k, (name, thread, process, tls)) in threads.iter().enumerate() {
        let buffer = match any {
            AnyBuffer::Tls => Resolved {
                kind: MessageBuffer::Tls,
                address: *tls,
                size: TLS_SIZE,
            },
            AnyBuffer::User => {
                let address = RUNNER_BUFFER_BASE + (k as u64) * STRIDE;
                if address >= RUNNER_BUFFER_END {
                    return Err(vector_error(
                        "setup.threads",
                        "more than 256 threads: the runner has no room for their message buffers",
                    ));
                }
                kernel.map_memory(*process, &region(address))?;
                Resolved {
                    kind: MessageBuffer::User {
                        address,
                        size: RUNNER_BUFFER_SIZE,
                    },
                    address,
                    size: RUNNER_BUFFER_SIZE,
                }
            }
        };
        let mut symbol = String::from("buf.");
        symbol.push_str(name);
        symbols.bind(
            &symbol,
            i128::from(buffer.address),
            Origin::Setup {
                what: "the message buffer of thread",
                name: name.clone(),
                process: None,
            },
        );
        resolved.insert(*thread, buffer);
    }
    Ok(resolved)
}

/// The region of a runner-created buffer: what a user buffer needs to pass the
/// kernel's checks (Normal state, read-write, no attribute; kernel-semantics.md §1.2).
fn region(address: u64) -> MemoryRegion {
    MemoryRegion {
        address,
        size: RUNNER_BUFFER_SIZE,
        state: MemoryState::Normal,
        permission: Permission::Rw,
        attributes: MemoryAttributes::default(),
        contents: Vec::new(),
    }
}

/// Refuses a set-up region that overlaps the window of runner-created buffers,
/// naming the region (`at`).
pub(crate) fn check_clear(at: &str, address: u64, size: u64) -> Result<(), Problem> {
    let end = address.saturating_add(size);
    if address < RUNNER_BUFFER_END && end > RUNNER_BUFFER_BASE {
        return Err(vector_error(
            at,
            format!(
                "the region overlaps {}..{}, which the runner keeps for the message buffers it \
                 creates on kernels without TLS syscalls; move it",
                show(i128::from(RUNNER_BUFFER_BASE)),
                show(i128::from(RUNNER_BUFFER_END))
            ),
        ));
    }
    Ok(())
}
