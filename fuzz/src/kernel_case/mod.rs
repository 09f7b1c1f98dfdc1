//! The `kernel` target: one request (and, when it is received, one reply) through
//! the reference model kernel, with the state the spec says must be left behind
//! checked after every failure (kernel-semantics.md §4.7, §5.4).
//!
//! # Input format
//!
//! A small byte format of its own (not `Arbitrary`'s), so that `make-seeds` can write
//! the request, server buffer and reply of every kernel vector as a seed. Reading
//! never fails: missing bytes read as zero.
//!
//! | bytes | meaning |
//! |---|---|
//! | 1 | flags: bit 0 client user buffer, bit 1 server user buffer, bit 2 a reply follows, bit 3 small alias region for S (0x10000), bit 4 small handle table for S, bit 5 generated messages (below) |
//! | 16 | client user buffer address, size (u64 LE each; only with bit 0) |
//! | 16 | server user buffer address, size (only with bit 1) |
//! | 3 × 3 | the special regions C@0x10002000, C@0x10010000, S@0x20002000: state, permission, attributes (indices into [`STATES`], [`PERMISSIONS`], attribute bits) |
//! | 1 | S's handle capacity − 5 (only with bit 4) |
//! | 2 + n | the request: length (u16 LE), then the bytes written at the start of the client's buffer |
//! | 2 + n | the server's buffer before it receives (its header and receive list) |
//! | 2 + n | the reply the server writes after a successful receive (only with bit 2) |
//!
//! With bit 5, each of the three byte strings is not the message itself but the
//! choice bytes of `hipc explore`'s message generator
//! (`hipc_conformance::explore::message_bytes`: a valid message with values across
//! each field's width, a near-valid one, or random bytes), which reaches deep
//! translation paths sooner than mutating raw words does.
//!
//! Handle words below 11 in the copy/move slots of the request and the reply are
//! replaced by the world's handles ([`World::client_handle`], [`World::server_handle`]):
//! valid, stale, pseudo, interrupt-event and the other process's handles. Larger
//! values go through verbatim.
//!
//! # The world
//!
//! Processes C (client) and S (server), one session, events in both (one an interrupt
//! event, one closed again), heap in C at 0x10000000..0x10011000 and in S at
//! 0x20000000..0x20003000, the same addresses the vectors use, with three special
//! pages whose state, permission and attributes the input chooses (or leaves unmapped).
//! The conformance crate builds it (`hipc_conformance::explore::world`), from the
//! same tables of states, permissions and attributes `hipc explore` draws from.
//!
//! # Parts
//!
//! | module | what |
//! |---|---|
//! | `input` | the byte format: [`KernelCase`], [`Buffer`] |
//! | `world` | the world a case runs in (cached, cloned), the handle selectors |
//! | `view` | a buffer's message read by its header, as the kernel reads it |
//! | `observe` | handle tables, address spaces and buffers, as observed through the `Kernel` trait (compared by the model's digests first, observed again only when they differ), and each world's `Baseline` |
//! | `checks` | what each outcome must leave behind (§4.5–§4.7, §5) |
//!
//! [`run`] (here) sends, receives and replies, and hands each outcome to its check.

mod checks;
mod input;
mod observe;
mod view;
mod world;

pub use hipc_conformance::explore::world::{
    C_HEAP, PERMISSIONS, PageConfig, S_HEAP, SPECIAL_PAGES, STATES,
};
use std::rc::Rc;

use hipc_conformance::kernel::{Kernel, RequestStatus, SendOutcome};

use checks::{check_receive_failed, check_received, check_refused_send, check_reply};
pub use input::{Buffer, KernelCase};
use observe::{BUFFER_IO, Baseline, read};
use view::remap_handles;
pub use world::{SELECTORS, World, client_selector, server_selector};

/// What a case observed before its first syscall, to compare with after: the
/// buffers (as the kernel will read them), and its world's [`Baseline`] (both
/// handle tables and both address spaces).
struct Before {
    caddr: u64,
    csize: u64,
    saddr: u64,
    ssize: u64,
    /// The request as the kernel will read it (the buffer's bytes, not the input's).
    request: Option<Vec<u8>>,
    server: Option<Vec<u8>>,
    base: Rc<Baseline>,
}

/// Runs one case and checks it; panics on a property violation.
pub fn run(case: &KernelCase) {
    let mut w = World::new(case);
    let before = prepare(&mut w, case);
    let sent =
        w.k.send_sync_request(w.ct, w.client_session, case.client_buffer.message_buffer());
    if let SendOutcome::Returned(result) = sent {
        return check_refused_send(&mut w, &before, result);
    }
    assert_eq!(w.k.request_status(w.ct), RequestStatus::Pending);

    let received = w.k.reply_and_receive(
        w.st,
        &[w.server_session],
        0,
        0,
        case.server_buffer.message_buffer(),
    );
    if !received.result.is_success() {
        return check_receive_failed(&mut w, &before, received.result);
    }
    assert_eq!(received.out_index, Some(0));
    let Some(src) = check_received(&mut w, &before) else {
        return;
    };
    if let Some(reply) = &case.reply {
        check_reply(&mut w, case, &before, &src, reply);
    }
}

/// Fills both buffers (as a debugger would; an unmapped buffer stays unfilled)
/// and reads them back; the rest of what the syscalls may change was observed
/// with the world ([`Baseline`]).
fn prepare(w: &mut World, case: &KernelCase) -> Before {
    let (c, s) = (w.c, w.s);
    let (caddr, csize) = w.buffer_address(true, case.client_buffer);
    let (saddr, ssize) = w.buffer_address(false, case.server_buffer);
    let fits = |bytes: &[u8], size: u64| bytes.len().min(size.min(BUFFER_IO) as usize);
    let mut request = case.request[..fits(&case.request, csize)].to_vec();
    remap_handles(&mut request, |v| w.client_handle(v));
    let _ = w.k.poke_memory(c, caddr, &request);
    let server = &case.server[..fits(&case.server, ssize)];
    let _ = w.k.poke_memory(s, saddr, server);

    let request = read(&mut w.k, c, caddr, csize);
    let server = read(&mut w.k, s, saddr, ssize);
    Before {
        caddr,
        csize,
        saddr,
        ssize,
        request,
        server,
        base: Rc::clone(&w.baseline),
    }
}
