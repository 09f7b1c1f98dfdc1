//! A CMIF domain session (wire-format.md §2.5, §2.6): a request to object 1 that passes
//! in-object 5 and a `u32`, the reply's out-data and out-object, then a domain Close of
//! the new object. The libnx equivalent is `libnx/cmif_domain.c`; `README.md` compares.
//!
//! Run: `cargo run -p hipc --example cmif_domain`.

use hipc::{Message, MessageRepr, cmif};

/// Calls command 2 of domain object `parent` with in-object `input` and `arg`; out a
/// `u32` and the id of a new object.
fn open_child(
    s: &mut Session,
    parent: u32,
    input: u32,
    arg: u32,
) -> Result<(u32, u32), hipc::Error> {
    cmif::RequestBuilder::new(2)
        .domain(parent)
        .in_object(input)
        .in_data(&arg)
        .emit(&mut s.tls)?;
    s.send_sync_request()?;
    let msg = Message::new_checked(&s.tls[..])?;
    let resp = cmif::Response::new_checked(&msg, cmif::Session::Domain)?.success()?;
    Ok((resp.out_data()?, resp.out_object(size_of::<u32>(), 0)?))
}

/// Closes domain object `object_id` (no reply body comes back, §2.5).
fn close(s: &mut Session, object_id: u32) -> Result<(), hipc::Error> {
    cmif::DomainCloseRepr { object_id }.emit(&MessageRepr::EMPTY, &mut s.tls)?;
    s.send_sync_request()
}

// ---- demo driver (not counted): it plays the kernel and the server ----

/// The client's session: its TLS message buffer, and a stand-in for the kernel and
/// a domain server that answers in place.
struct Session {
    tls: [u8; 0x100],
    closed: Option<u32>,
}

impl Session {
    fn send_sync_request(&mut self) -> Result<(), hipc::Error> {
        let msg = Message::new_checked(&self.tls[..])?;
        let req = cmif::Request::new_checked(&msg, cmif::Session::Domain)?;
        let domain = req.domain().copied();
        match (req.command_id(), domain) {
            (None, Some(close)) => {
                self.closed = Some(close.object_id());
                hipc::MessageBuilder::new(0).emit(&mut self.tls)?;
            }
            (Some(2), Some(d)) => {
                assert_eq!((d.object_id(), d.in_object(0)), (1, Some(5)));
                let value = req.in_data::<u32>()? * 2;
                cmif::ResponseBuilder::new()
                    .domain()
                    .out_data(&value)
                    .out_object(7)
                    .emit(&mut self.tls)?;
            }
            _ => {
                cmif::ResponseBuilder::error(0x1BA0A)
                    .domain()
                    .emit(&mut self.tls)?;
            }
        }
        Ok(())
    }
}

/// Runs the example against the stand-in (also run by `codec/tests/examples.rs`).
pub fn main() -> Result<(), hipc::Error> {
    let mut session = Session {
        tls: [0; 0x100],
        closed: None,
    };
    let (value, child) = open_child(&mut session, 1, 5, 21)?;
    println!("value {value}, new object {child}");
    assert_eq!((value, child), (42, 7));
    close(&mut session, child)?;
    println!("closed object {child}");
    assert_eq!(session.closed, Some(7));
    Ok(())
}
