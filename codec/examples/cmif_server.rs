//! A CMIF server's loop body (wire-format.md §2.2, §2.4): parse the request in the
//! TLS buffer, read its typed in-data, and build the reply into the same buffer.
//! The libnx equivalent is `libnx/cmif_server.c`; `README.md` compares the two.
//!
//! The pattern: the request view borrows the buffer, so read what the command needs
//! (`in_data` copies it out) before the reply borrows the buffer mutably; the borrow
//! checker ends the view's borrow at its last use, so nothing else is copied.
//!
//! Run: `cargo run -p hipc --example cmif_server`.

use hipc::{Message, cmif};

/// The result this example's service returns for a command it does not have.
const UNKNOWN_COMMAND: u32 = 0x1BA0A;

/// Handles the request in `tls`: command 0 adds two `u64`s, command 1 returns a copy
/// of `event`; the reply replaces the request in `tls`. Returns the reply's length.
fn serve(tls: &mut [u8], event: u32) -> Result<usize, hipc::Error> {
    let msg = Message::new_checked(&tls[..])?;
    let req = cmif::Request::new_checked(&msg, cmif::Session::Plain)?;
    match req.command_id() {
        Some(0) => {
            let [a, b]: [u64; 2] = req.in_data()?;
            cmif::ResponseBuilder::new()
                .out_data(&a.wrapping_add(b))
                .emit(tls)
        }
        Some(1) => cmif::ResponseBuilder::new().copy_handle(event).emit(tls),
        _ => cmif::ResponseBuilder::error(UNKNOWN_COMMAND).emit(tls),
    }
}

// ---- demo driver (not counted): it plays the client and the kernel ----

/// Runs the example against the stand-in (also run by `codec/tests/examples.rs`).
pub fn main() -> Result<(), hipc::Error> {
    let mut tls = [0u8; 0x100];
    cmif::RequestBuilder::new(0)
        .in_data(&[40u64, 2])
        .emit(&mut tls)?;
    serve(&mut tls, 0x0002_0003)?;
    let msg = Message::new_checked(&tls[..])?;
    let sum: u64 = cmif::Response::new_checked(&msg, cmif::Session::Plain)?
        .success()?
        .out_data()?;
    println!("0: 40 + 2 = {sum}");
    assert_eq!(sum, 42);

    cmif::RequestBuilder::new(1).emit(&mut tls)?;
    serve(&mut tls, 0x0002_0003)?;
    let msg = Message::new_checked(&tls[..])?;
    let event = cmif::Response::new_checked(&msg, cmif::Session::Plain)?.copy_handle(0)?;
    println!("1: event {event:#x}");
    assert_eq!(event, 0x0002_0003);

    cmif::RequestBuilder::new(9).emit(&mut tls)?;
    serve(&mut tls, 0x0002_0003)?;
    let msg = Message::new_checked(&tls[..])?;
    let resp = cmif::Response::new_checked(&msg, cmif::Session::Plain)?;
    if let Err(err) = resp.success() {
        println!("9: {err}");
    }
    assert_eq!(resp.result(), UNKNOWN_COMMAND);
    Ok(())
}
