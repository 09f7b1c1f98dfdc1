//! A CMIF client call (wire-format.md §2.3, §2.4): command 5 with 8 bytes of in-data,
//! an A buffer and an out-pointer, then the reply's typed out-data and move handle.
//! The libnx equivalent is `libnx/cmif_client.c`; `README.md` compares the two.
//!
//! Run: `cargo run -p hipc --example cmif_client`.

use hipc::{BufferAttribute, Message, cmif};

/// Calls command 5 of the service behind `s`: in `title_id`, `name` (address, size)
/// as an in-buffer, `out` as an out-pointer; out a `u32` and a session handle.
fn call(
    s: &mut Session,
    title_id: u64,
    name: (u64, u64),
    out: (u64, u64),
) -> Result<(u32, u32), hipc::Error> {
    cmif::RequestBuilder::new(5)
        .in_data(&title_id)
        .in_buffer(name.0, name.1, BufferAttribute::Ipc)
        .out_pointer(out.0, out.1)
        .emit(&mut s.tls)?;
    s.send_sync_request()?;
    let msg = Message::new_checked(&s.tls[..])?;
    let resp = cmif::Response::new_checked(&msg, cmif::Session::Plain)?.success()?;
    Ok((resp.out_data()?, resp.move_handle(0)?))
}

// ---- demo driver (not counted): it plays the kernel and the server ----

/// The client's session: its TLS message buffer, and a stand-in for the kernel and
/// the server that answers in place.
struct Session {
    tls: [u8; 0x100],
}

impl Session {
    fn send_sync_request(&mut self) -> Result<(), hipc::Error> {
        let msg = Message::new_checked(&self.tls[..])?;
        let req = cmif::Request::new_checked(&msg, cmif::Session::Plain)?;
        assert_eq!(req.command_id(), Some(5));
        assert_eq!(req.in_data::<u64>()?, 0x0100_0000_0000_1000);
        assert_eq!(
            req.out_pointer_sizes(8, 1)?.first().map(|s| s.get()),
            Some(0x80)
        );
        cmif::ResponseBuilder::new()
            .out_data(&3u32)
            .move_handle(0x0001_0002)
            .emit(&mut self.tls)?;
        Ok(())
    }
}

/// Runs the example against the stand-in (also run by `codec/tests/examples.rs`).
pub fn main() -> Result<(), hipc::Error> {
    let mut session = Session { tls: [0; 0x100] };
    let (count, handle) = call(
        &mut session,
        0x0100_0000_0000_1000,
        (0x8000_1000, 0x200),
        (0x8000_3000, 0x80),
    )?;
    println!("count {count}, handle {handle:#x}");
    assert_eq!((count, handle), (3, 0x0001_0002));
    Ok(())
}
