//! The CMIF and TIPC layers over any message: they never panic and write only
//! inside the raw data.

use hipc::{Message, cmif, tipc};

/// The CMIF and TIPC views over the raw data: never panic, whatever the bytes.
pub fn check_layers<T: AsRef<[u8]>>(msg: &Message<T>) {
    let data_len = msg.raw().first().copied().unwrap_or(0) as usize;
    let count = msg.raw().get(1).copied().unwrap_or(0) as usize % 32;
    for domain in [false, true] {
        if let Ok(req) = cmif::Request::new_checked(msg, cmif::Session::domain_if(domain)) {
            let _ = (
                req.kind(),
                req.tag(),
                req.is_control(),
                req.header(),
                req.command_id(),
                req.version(),
                req.token(),
                req.control_command(),
                req.payload().len(),
                req.raw().len(),
                req.padding(),
                req.raw_offset(),
                req.aligned_offset(),
                req.header_offset(),
                req.payload_offset(),
            );
            if let Some(d) = req.domain() {
                let _ = (
                    d.header(),
                    d.kind(),
                    d.num_in_objects(),
                    d.data_size(),
                    d.object_id(),
                    d.token(),
                    d.in_objects().len(),
                    d.in_object(0),
                    d.in_object(usize::MAX),
                    d.in_objects_raw_offset(),
                );
            }
            let _ = req.out_pointer_sizes(data_len, count);
            let _ = req.out_pointer_sizes(usize::MAX, usize::MAX);
            // Typed data is read when the payload holds it, refused otherwise.
            let wide = req.in_data::<[u8; 24]>();
            assert_eq!(wide.is_ok(), req.payload().len() >= 24);
            let _ = (req.pid(), req.copy_handle(0), req.move_handle(usize::MAX));
        }
        if let Ok(resp) = cmif::Response::new_checked(msg, cmif::Session::domain_if(domain)) {
            let _ = (
                resp.header(),
                resp.result(),
                resp.version(),
                resp.token(),
                resp.domain(),
                resp.num_out_objects(),
                resp.payload().len(),
                resp.padding(),
                resp.raw_offset(),
                resp.aligned_offset(),
                resp.header_offset(),
                resp.payload_offset(),
            );
            let _ = resp.out_objects(data_len);
            let _ = resp.out_objects(usize::MAX);
            let _ = (resp.out_object(data_len, 0), resp.out_data::<u64>());
            let _ = (resp.success(), resp.move_handle(0), resp.copy_handle(1));
        }
    }
    if let Ok(req) = tipc::Request::new_checked(msg) {
        let _ = (
            req.tag(),
            req.is_close(),
            req.command_id(),
            req.payload().len(),
        );
    }
    if let Ok(resp) = tipc::Response::new_checked(msg) {
        let _ = (
            resp.tag(),
            resp.command_id(),
            resp.result(),
            resp.payload().len(),
        );
    }
}

/// The writable CMIF views: never panic, and write only inside the raw data.
pub(super) fn check_writable_layers(bytes: &[u8]) {
    // One copy, restored for the second session (no allocation per session).
    let mut buf = bytes.to_vec();
    for session in [cmif::Session::Plain, cmif::Session::Domain] {
        buf.copy_from_slice(bytes);
        let Ok(mut m) = Message::new_checked(&mut buf[..]) else {
            return;
        };
        let raw = m.layout().raw();
        if let Ok(mut req) = cmif::RequestMut::new_checked(&mut m, session) {
            if let Some(h) = req.header_mut() {
                h.token.set(!h.token.get());
            }
            if let Some(id) = req.object_id_mut() {
                id.set(!id.get());
            }
            req.payload_mut().fill(0xA5);
            req.in_objects_mut().fill(hipc::U32::new(0x5A5A_5A5A));
        }
        if let Ok(mut resp) = cmif::ResponseMut::new_checked(&mut m, session) {
            let h = resp.header_mut();
            h.result.set(!h.result.get());
            resp.payload_mut().fill(0x3C);
            if let Ok(ids) = resp.out_objects_mut(bytes.len() % 64) {
                ids.fill(hipc::U32::new(7));
            }
        }
        // Compared in place (copying both sides out cost an allocation each).
        assert!(
            buf[..raw.start] == bytes[..raw.start] && buf[raw.end..] == bytes[raw.end..],
            "a writable CMIF view wrote outside the raw data"
        );
    }
}
