//! A TIPC client and server (wire-format.md §3, §6 Ex 6): `GetServiceHandle` of `sm`,
//! method 1, an 8-byte name in, a move handle out; the server answers into the same
//! buffer, echoing the tag. The libnx equivalent is `libnx/tipc_pair.c`; `README.md`
//! compares the two.
//!
//! Run: `cargo run -p hipc --example tipc_pair`.

use hipc::{Message, tipc};

/// `tipc::InvalidMethod` (§3).
const INVALID_METHOD: u32 = 0x1423;

/// Client: asks `sm` behind `s` for the service `name`; out its session handle.
fn get_service(s: &mut Session, name: &[u8; 8]) -> Result<u32, hipc::Error> {
    tipc::RequestBuilder::new(1)
        .in_data(name)
        .emit(&mut s.tls)?;
    s.send_sync_request()?;
    let msg = Message::new_checked(&s.tls[..])?;
    tipc::Response::new_checked(&msg)?.success()?.move_handle(0)
}

/// Server: answers the request in `tls` in place; `lookup` gives a name's handle.
fn serve(tls: &mut [u8], lookup: impl Fn([u8; 8]) -> u32) -> Result<usize, hipc::Error> {
    let msg = Message::new_checked(&tls[..])?;
    let req = tipc::Request::new_checked(&msg)?;
    let reply = tipc::ResponseBuilder::new(req.tag());
    match req.command_id() {
        Some(1) => reply.move_handle(lookup(req.in_data()?)).emit(tls),
        _ => reply.result(INVALID_METHOD).emit(tls),
    }
}

// ---- demo driver (not counted): it plays the kernel between the two ----

/// The client's session: its TLS message buffer; the "kernel" hands it to `serve`.
struct Session {
    tls: [u8; 0x100],
}

impl Session {
    fn send_sync_request(&mut self) -> Result<(), hipc::Error> {
        serve(&mut self.tls, |name| {
            if &name == b"fsp-srv\0" {
                0x0003_0004
            } else {
                0
            }
        })?;
        Ok(())
    }
}

/// Runs the example against the stand-in (also run by `codec/tests/examples.rs`).
pub fn main() -> Result<(), hipc::Error> {
    let mut session = Session { tls: [0; 0x100] };
    let handle = get_service(&mut session, b"fsp-srv\0")?;
    println!("fsp-srv: handle {handle:#x}");
    assert_eq!(handle, 0x0003_0004);
    tipc::RequestBuilder::new(9).emit(&mut session.tls)?;
    session.send_sync_request()?;
    let msg = Message::new_checked(&session.tls[..])?;
    let resp = tipc::Response::new_checked(&msg)?;
    println!("method 9: result {}", hipc::ResultCode(resp.result()));
    assert_eq!((resp.tag(), resp.result()), (25, INVALID_METHOD));
    Ok(())
}
