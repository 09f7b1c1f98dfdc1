//! A kernel editing a message in place (kernel-semantics.md §4; wire-format.md §1.3,
//! §1.9): once the request is copied into the server's buffer, write the sender's PID,
//! translate the copy handles into the server's handle table, and point each X
//! descriptor at where its data landed. The libnx-types equivalent is
//! `libnx/kernel_edit.c`; `README.md` compares the two.
//!
//! Run: `cargo run -p hipc --example kernel_edit`.

use hipc::{Error, Message, PointerDescriptor};

/// Translates the request in `buf`: `pid` into the PID slot, each copy handle through
/// `xlate`, X descriptors packed from `recv` on.
fn translate(buf: &mut [u8], pid: u64, xlate: impl Fn(u32) -> u32, recv: u64) -> Result<(), Error> {
    let mut msg = Message::new_checked(buf)?;
    if msg.pid().is_some() {
        msg.set_pid(pid)?;
    }
    for h in msg.copy_handles_mut() {
        h.set(xlate(h.get()));
    }
    let mut at = recv;
    for x in msg.x_descriptors_mut() {
        *x = PointerDescriptor::new(at, x.size(), x.index())?;
        at += x.size();
    }
    Ok(())
}

// ---- demo driver (not counted): it plays the client ----

/// Runs the example (also run by `codec/tests/examples.rs`).
pub fn main() -> Result<(), Error> {
    let mut tls = [0u8; 0x100];
    hipc::cmif::RequestBuilder::new(3)
        .pid()
        .copy_handle(0x1234)
        .in_pointer(0x7100_0000, 0x20)
        .in_pointer(0x7100_1000, 0x10)
        .emit(&mut tls)?;
    translate(&mut tls, 0x51, |h| h | 0x0001_0000, 0x4000_0000)?;
    let msg = Message::new_checked(&tls[..])?;
    let x: Vec<_> = msg
        .x_descriptors()
        .iter()
        .map(|x| (x.address(), x.size()))
        .collect();
    println!(
        "pid {:?}, handles {:?}, x {x:x?}",
        msg.pid(),
        msg.copy_handles()
    );
    assert_eq!(msg.pid(), Some(0x51));
    assert_eq!(
        msg.copy_handles().first().map(|h| h.get()),
        Some(0x0001_1234)
    );
    assert_eq!(x, [(0x4000_0000, 0x20), (0x4000_0020, 0x10)]);
    Ok(())
}
