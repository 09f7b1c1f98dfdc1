//! The properties a case checks after each outcome of its syscalls
//! (kernel-semantics.md §4.5–§4.7, §5).

use hipc::Layout;
use hipc_conformance::kernel::{Kernel, MemoryState, ObjectId, RequestStatus, ResultCode};

use super::observe::BUFFER_IO;
use super::observe::{assert_handles, handles, read};
use super::view::{View, receive_list_overlaps, remap_handles};
use super::{Before, KernelCase, World};

/// SendSyncRequest returned at once: with an error, and nothing changed.
pub(super) fn check_refused_send(w: &mut World, b: &Before, result: ResultCode) {
    let c = w.c;
    assert!(
        !result.is_success(),
        "SendSyncRequest returned success without a reply"
    );
    b.base.assert_client_handles(
        &mut w.k,
        format_args!("client handles changed by a refused send"),
    );
    b.base.assert_server_handles(
        &mut w.k,
        format_args!("server handles changed by a refused send"),
    );
    b.base
        .assert_memory(&mut w.k, format_args!("memory changed by a refused send"));
    assert_eq!(read(&mut w.k, c, b.caddr, b.csize), b.request);
}

/// The receive failed with `failed`: either the server's own buffer checks
/// refused it (the request stays queued) or the request failed (§4.6, §4.7).
pub(super) fn check_receive_failed(w: &mut World, b: &Before, failed: ResultCode) {
    let (c, s) = (w.c, w.s);
    let status = w.k.request_status(w.ct);
    // The server's own buffer checks fail before anything is received: the
    // request stays queued, nothing changed.
    if status == RequestStatus::Pending {
        assert!(
            matches!(
                failed,
                ResultCode::INVALID_ADDRESS
                    | ResultCode::INVALID_SIZE
                    | ResultCode::INVALID_CURRENT_MEMORY
            ),
            "the server failed with {failed} but the request is still pending"
        );
        b.base.assert_client_handles(
            &mut w.k,
            format_args!("client handles changed by a refused receive ({failed})"),
        );
        b.base.assert_server_handles(
            &mut w.k,
            format_args!("server handles changed by a refused receive ({failed})"),
        );
        assert_eq!(read(&mut w.k, s, b.saddr, b.ssize), b.server);
        return;
    }
    // A receive failure (§4.6): the client got the error; the server sees
    // ReceiveListBroken, or nothing (NotFound is swallowed: the poll times out).
    let RequestStatus::Completed(err) = status else {
        panic!("receive failed with {failed} and the client is {status:?}");
    };
    assert!(
        !err.is_success(),
        "the client got success from a failed receive"
    );
    assert!(
        matches!(
            failed,
            ResultCode::TIMED_OUT | ResultCode::RECEIVE_LIST_BROKEN
        ),
        "the server saw {failed} for a failed receive"
    );
    let broken = failed == ResultCode::RECEIVE_LIST_BROKEN;
    // §4.7: the client's buffer and handle table are untouched.
    assert_eq!(
        read(&mut w.k, c, b.caddr, b.csize),
        b.request,
        "client buffer written by a failed receive"
    );
    b.base.assert_client_handles(
        &mut w.k,
        format_args!("client handles changed by a failed receive ({err})"),
    );
    // The server's handle table is as before: every copied handle removed again,
    // except in the replicated quirk (the request's MessageSize exceeds the
    // server buffer), on which the spec asks not to assert either way.
    let quirk = b
        .request
        .as_deref()
        .and_then(|r| Layout::parse(r).ok())
        .is_some_and(|l| l.message_size() as u64 > b.ssize);
    if !quirk {
        b.base.assert_server_handles(
            &mut w.k,
            format_args!("server handles not rolled back ({err})"),
        );
    }
    // Every mapping undone, client permissions restored.
    b.base
        .assert_memory(&mut w.k, format_args!("mappings not undone after {err}"));
    // Not broken: the server's header words are restored (word 2 too when its
    // header had a special header).
    if !broken && let (Some(before), Some(after)) = (&b.server, read(&mut w.k, s, b.saddr, b.ssize))
    {
        let had_special = before.get(7).is_some_and(|b| b & 0x80 != 0);
        let n = if had_special { 12 } else { 8 };
        let n = n.min(before.len());
        assert_eq!(
            before[..n],
            after[..n],
            "server header not restored after {err}"
        );
    }
}

/// The request was received (§4.5): the client still waits, its handles are
/// untouched, and the server's buffer holds the request translated. Returns the
/// request's bytes, or `None` when the server's receive list overlaps its own
/// message (what lands there is not compared) and the case ends.
pub(super) fn check_received(w: &mut World, b: &Before) -> Option<Vec<u8>> {
    let (c, s, ct) = (w.c, w.s, w.ct);
    assert_eq!(
        w.k.request_status(ct),
        RequestStatus::Pending,
        "the client completed before the reply"
    );
    b.base.assert_client_handles(
        &mut w.k,
        format_args!("a received request changed the client's handles"),
    );
    let src = b.request.clone().expect("a received request was readable");
    let src_msg = View::new(&src).expect("a received request's header fits");
    let copied = src_msg.copies().filter(|&h| h != 0).count();
    assert_eq!(
        w.k.handle_count(s),
        b.base.s_count + copied,
        "server handle count"
    );
    let dst = read(&mut w.k, s, b.saddr, b.ssize).expect("the server buffer is readable");
    if receive_list_overlaps(b.server.as_deref(), b.saddr, b.ssize) {
        return None;
    }
    let dst_msg = View::new(&dst).expect("the server's buffer holds the message");
    check_verbatim(&dst_msg, &src_msg, w.k.process_id(c), "request");
    for (i, (from, to)) in src_msg.copies().zip(dst_msg.copies()).enumerate() {
        if from == 0 {
            assert_eq!(to, 0, "copy slot {i}: 0 not delivered as 0");
            continue;
        }
        let object = w.copy_source(c, ct, from);
        assert!(
            to != 0 && to & 0xC000_0000 == 0,
            "copy slot {i}: {to:#x} is not a valid handle"
        );
        assert_eq!(
            w.k.handle_object(s, to),
            object,
            "copy slot {i}: not the client's object"
        );
        w.received.get_or_insert(to);
    }

    for (i, x) in dst_msg.x().iter().enumerate() {
        if x.size() == 0 {
            assert_eq!(x.address(), 0, "x[{i}]: size 0 with an address");
        }
    }
    for (i, d) in dst_msg.map_alias().iter().enumerate() {
        if d.size() == 0 {
            assert_eq!(d.address(), 0, "map-alias {i}: size 0 with an address");
        } else {
            let info = w.k.query_memory(s, d.address()).expect("a mapped address");
            assert_eq!(
                Some(info.state),
                MemoryState::for_attribute(d.mode()),
                "map-alias {i} state"
            );
        }
    }
    Some(src)
}

/// The reply (§5): whatever its result, every mapping of the request is undone;
/// a failed reply rolls the client's handles back; a delivered one carries the
/// header and raw data verbatim, the server's PID, and handles naming the
/// server's objects (moved ones gone from the server).
pub(super) fn check_reply(w: &mut World, case: &KernelCase, b: &Before, src: &[u8], reply: &[u8]) {
    let (c, s, ct, st) = (w.c, w.s, w.ct, w.st);
    let mut reply = reply[..reply.len().min(b.ssize.min(BUFFER_IO) as usize)].to_vec();
    remap_handles(&mut reply, |v| w.server_handle(v));
    let _ = w.k.poke_memory(s, b.saddr, &reply);
    let reply_now = read(&mut w.k, s, b.saddr, b.ssize).unwrap_or_default();

    let c_before_reply = handles(&mut w.k, c, &b.base.known_c);
    let c_digest_before_reply = w.k.handle_table_digest(c);
    // The objects the reply's handles name before the reply.
    let reply_msg = View::new(&reply_now);
    let copy_objects: Vec<(u32, Option<ObjectId>)> = reply_msg
        .iter()
        .flat_map(View::copies)
        .map(|h| (h, w.copy_source(s, st, h)))
        .collect();
    let move_objects: Vec<(u32, Option<ObjectId>)> = reply_msg
        .iter()
        .flat_map(View::moves)
        .map(|h| (h, w.k.handle_object(s, h)))
        .collect();

    let replied = w.k.reply_and_receive(
        st,
        &[],
        w.server_session,
        0,
        case.server_buffer.message_buffer(),
    );
    let status = w.k.request_status(ct);
    assert_eq!(
        replied.result,
        ResultCode::TIMED_OUT,
        "the reply half did not succeed (client: {status:?})"
    );
    let RequestStatus::Completed(result) = status else {
        panic!("replied, but the client is {status:?}");
    };
    // Whatever the result, every mapping of the request is undone and the client's
    // permissions restored (§5.2 step 13, §5.4).
    b.base.assert_memory(
        &mut w.k,
        format_args!("mappings not undone after the reply ({result})"),
    );
    if !result.is_success() {
        let quirk = Layout::parse(&reply_now).is_ok_and(|l| l.message_size() as u64 > b.csize);
        if !quirk {
            let what = format_args!("client handles not rolled back ({result})");
            assert_handles(
                &mut w.k,
                c,
                &b.base.known_c,
                c_digest_before_reply,
                || &c_before_reply,
                what,
            );
        }
        return;
    }
    if receive_list_overlaps(Some(src), b.caddr, b.csize) {
        return;
    }
    let got = read(&mut w.k, c, b.caddr, b.csize).expect("the client buffer is readable");
    let got_msg = View::new(&got).expect("the client's buffer holds the reply");
    let reply_msg = reply_msg.expect("a delivered reply parses");
    check_verbatim(&got_msg, &reply_msg, w.k.process_id(s), "reply");
    let mut added = 0;
    for (i, ((from, object), to)) in copy_objects
        .iter()
        .chain(&move_objects)
        .zip(got_msg.copies().chain(got_msg.moves()))
        .enumerate()
    {
        if *from == 0 {
            assert_eq!(to, 0, "reply slot {i}: 0 not delivered as 0");
            continue;
        }
        assert!(
            to != 0 && to & 0xC000_0000 == 0,
            "reply slot {i}: {to:#x} is not a valid handle"
        );
        assert_eq!(
            w.k.handle_object(c, to),
            *object,
            "reply slot {i}: not the server's object"
        );
        added += 1;
    }
    for (h, _) in move_objects.iter().filter(|(h, _)| *h != 0) {
        assert_eq!(
            w.k.handle_object(s, *h),
            None,
            "moved handle {h:#x} still in the server"
        );
    }
    assert_eq!(
        w.k.handle_count(c),
        c_before_reply.count + added,
        "client handle count after the reply"
    );
}

/// What a delivered message carries unchanged in either direction (§4.3 steps 7,
/// 8, 11; §5.2 steps 8, 9, 12): the header words and the raw data, and in a PID
/// slot the sender's process ID, whatever the sender wrote there.
fn check_verbatim(delivered: &View<'_>, sent: &View<'_>, sender_pid: u64, what: &str) {
    assert_eq!(
        delivered.header(),
        sent.header(),
        "{what} header words not verbatim"
    );
    assert_eq!(delivered.raw(), sent.raw(), "{what} raw data not verbatim");
    if sent.pid().is_some() {
        assert_eq!(
            delivered.pid(),
            Some(sender_pid),
            "the {what}'s PID slot does not hold the sender's PID"
        );
    }
}
