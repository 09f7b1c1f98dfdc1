//! The builders (`MessageBuilder`, `cmif::RequestBuilder`/`ResponseBuilder`,
//! `tipc::RequestBuilder`/`ResponseBuilder`), the typed readers, the writable CMIF
//! views and the refusals that replaced silent behaviour (issue 13).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::hex;
use hipc::{
    BufferAttribute, Error, Message, MessageBuilder, MessageRepr, ReceiveListMode, ResultCode, U32,
    cmif, tipc,
};

// wire-format.md §6 Ex 8: one out-pointer is one call, and gives libnx's bytes: the C
// entry, the size-table entry at R + 36 and receive-list mode 3.
#[test]
fn out_pointer_is_one_call_and_gives_ex8() {
    let mut tls = [0u8; 0x100];
    let len = cmif::RequestBuilder::new(10)
        .in_data(&7u32)
        .out_pointer(0x1_2340_0000, 0x80)
        .emit(&mut tls)
        .unwrap();
    assert_eq!(
        &tls[..len],
        &hex(
            "040000000a0c0000000000000000000053464349000000000a00000000000000070000000000000000000000800000000000402301008000"
        )[..]
    );
    let msg = Message::new_checked(&tls[..len]).unwrap();
    assert_eq!(
        msg.header().recv_list_mode(),
        ReceiveListMode::Indexed { entries: 1 }
    );
}

// §2.3: out-pointers and fixed out-pointers share the receive list, only the former
// have a size-table entry; in-pointers are numbered as libnx numbers them.
#[test]
fn pointers_of_every_kind() {
    let mut tls = [0u8; 0x100];
    let len = cmif::RequestBuilder::new(1)
        .in_data(&[1u8, 2, 3])
        .in_pointer(0x1000, 0x10)
        .in_pointer(0x2000, 0x20)
        .out_fixed_pointer(0x3000, 0x30)
        .out_pointer(0x4000, 0x40)
        .out_pointer(0x5000, 0x50)
        .in_buffer(0x6000, 0x60, BufferAttribute::Ipc)
        .out_buffer(0x7000, 0x70, BufferAttribute::NonSecureIpc)
        .inout_buffer(0x8000, 0x80, BufferAttribute::NonDeviceIpc)
        .pid()
        .copy_handle(0x11)
        .move_handle(0x22)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let x: Vec<_> = msg
        .x_descriptors()
        .iter()
        .map(|x| (x.index(), x.address()))
        .collect();
    assert_eq!(x, [(0, 0x1000), (1, 0x2000)]);
    let c: Vec<_> = msg.receive_list().iter().map(|c| c.size()).collect();
    assert_eq!(c, [0x30, 0x40, 0x50]);
    assert_eq!(msg.header().recv_list_count(), 5);
    assert_eq!(msg.a_descriptors()[0].attribute(), BufferAttribute::Ipc);
    assert_eq!(
        msg.b_descriptors()[0].attribute(),
        BufferAttribute::NonSecureIpc
    );
    assert_eq!(
        msg.w_descriptors()[0].attribute(),
        BufferAttribute::NonDeviceIpc
    );
    assert_eq!(msg.pid(), Some(0));
    assert_eq!(msg.copy_handles(), [U32::new(0x11)]);
    assert_eq!(msg.move_handles(), [U32::new(0x22)]);
    let req = cmif::Request::new_checked(&msg, cmif::Session::Plain).unwrap();
    let sizes: Vec<u16> = req
        .out_pointer_sizes(3, 2)
        .unwrap()
        .iter()
        .map(|s| s.get())
        .collect();
    assert_eq!(sizes, [0x40, 0x50]);
    assert_eq!(req.in_data::<[u8; 3]>().unwrap(), [1, 2, 3]);
}

// A mistake is an error naming the field, and the first one wins; nothing is dropped.
#[test]
fn mistakes_are_errors_naming_the_field() {
    let mut tls = [0xAAu8; 0x100];
    let err = cmif::RequestBuilder::new(1)
        .out_pointer(0, 0x1_0000)
        .in_buffer(1 << 39, 0, BufferAttribute::Ipc)
        .emit(&mut tls)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "c[0].size: value 0x10000 does not fit (largest is 0xffff)"
    );
    let err = cmif::RequestBuilder::new(1)
        .in_buffer(0, 0, BufferAttribute::Ipc)
        .in_buffer(1 << 39, 0, BufferAttribute::Ipc)
        .emit(&mut tls)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a[1].address: value 0x8000000000 does not fit (largest is 0x7fffffffff)"
    );
    let mut sixteen = cmif::RequestBuilder::new(1);
    for i in 0..16 {
        sixteen = sixteen.in_pointer(i, 1);
    }
    assert_eq!(
        sixteen.emit(&mut tls),
        Err(Error::BuilderFull {
            field: "x",
            max: 15
        })
    );
    assert_eq!(
        cmif::RequestBuilder::new(1).in_object(3).emit(&mut tls),
        Err(Error::CmifObjectsWithoutDomain { count: 1 })
    );
    assert_eq!(
        cmif::RequestBuilder::control(cmif::ControlCommand::QueryPointerBufferSize)
            .domain(1)
            .emit(&mut tls),
        Err(Error::CmifDomainOnControl { tag: 5 })
    );
    // A single-valued item given twice is refused, not replaced.
    assert_eq!(
        cmif::RequestBuilder::new(1)
            .in_data(&1u32)
            .in_data(&2u32)
            .emit(&mut tls),
        Err(Error::GivenTwice { field: "in_data" })
    );
    assert_eq!(
        cmif::RequestBuilder::new(1)
            .domain(1)
            .domain(2)
            .emit(&mut tls),
        Err(Error::GivenTwice { field: "domain" })
    );
    assert_eq!(
        cmif::ResponseBuilder::new()
            .token(1)
            .token(1)
            .emit(&mut tls),
        Err(Error::GivenTwice { field: "token" })
    );
    assert_eq!(
        tipc::ResponseBuilder::new(17)
            .result(1)
            .result(2)
            .emit(&mut tls),
        Err(Error::GivenTwice { field: "result" })
    );
    assert_eq!(
        MessageBuilder::new(4)
            .raw(&[0; 4])
            .raw(&[0; 4])
            .emit(&mut tls),
        Err(Error::GivenTwice { field: "raw" })
    );
    // On error the buffer is untouched.
    assert!(tls.iter().all(|&b| b == 0xAA));
}

// §2.5, §2.6: a domain request and reply through the builders and the typed readers.
#[test]
fn domain_round_trip() {
    let mut tls = [0u8; 0x100];
    let len = cmif::RequestBuilder::new(2)
        .domain(1)
        .token(9)
        .in_object(5)
        .in_object(6)
        .in_data(&0x2Au32)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    assert_eq!(msg.header().tag(), 6);
    let req = cmif::Request::new_checked(&msg, cmif::Session::Domain).unwrap();
    let d = req.domain().unwrap();
    assert_eq!(
        (d.object_id(), d.in_objects()),
        (1, &[U32::new(5), U32::new(6)][..])
    );
    assert_eq!((req.token(), req.in_data::<u32>().unwrap()), (9, 0x2A));
    // The payload of a domain request is exact: a u64 does not fit in it.
    assert_eq!(
        req.in_data::<u64>(),
        Err(Error::DataTooSmall {
            needed: 8,
            available: 4
        })
    );

    let len = cmif::ResponseBuilder::new()
        .domain()
        .out_data(&7u16)
        .out_object(3)
        .out_object(4)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let resp = cmif::Response::new_checked(&msg, cmif::Session::Domain).unwrap();
    assert_eq!(resp.out_data::<u16>(), Ok(7));
    assert_eq!(
        (resp.out_object(2, 0), resp.out_object(2, 1)),
        (Ok(3), Ok(4))
    );
    assert_eq!(
        resp.out_object(2, 2),
        Err(Error::NoSuchItem {
            field: "domain.out_objects",
            index: 2,
            count: 2
        })
    );
}

// §2.4: a failed reply is an error with the result named; handles by position.
#[test]
fn response_success_and_handles() {
    let mut tls = [0u8; 0x100];
    let len = cmif::ResponseBuilder::error(0xF601).emit(&mut tls).unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let err = cmif::Response::new_checked(&msg, cmif::Session::Plain)
        .unwrap()
        .success()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the reply's result is 0xf601 (module 1, description 123: svc::SessionClosed)"
    );
    let len = cmif::ResponseBuilder::new()
        .copy_handle(1)
        .move_handle(2)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let resp = cmif::Response::new_checked(&msg, cmif::Session::Plain).unwrap();
    assert_eq!((resp.copy_handle(0), resp.move_handle(0)), (Ok(1), Ok(2)));
    assert_eq!(
        resp.move_handle(1).unwrap_err().to_string(),
        "move_handles[1]: the message carries 1 of them"
    );
}

// §3: the TIPC builders give what RequestRepr gives, and the same refusals.
#[test]
fn tipc_builders() {
    let mut tls = [0u8; 0x100];
    let len = tipc::RequestBuilder::new(3)
        .pid()
        .copy_handle(0x10)
        .in_buffer(0x1000, 0x20, BufferAttribute::Ipc)
        .out_buffer(0x2000, 0x30, BufferAttribute::Ipc)
        .in_data(&[1u32, 2, 3])
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    assert_eq!(msg.header().tag(), 19);
    assert_eq!(
        (msg.a_descriptors().len(), msg.b_descriptors().len()),
        (1, 1)
    );
    let req = tipc::Request::new_checked(&msg).unwrap();
    assert_eq!(req.in_data::<[u32; 3]>(), Ok([1, 2, 3]));
    assert_eq!(
        tipc::RequestBuilder::new(0xFFF0).emit(&mut tls),
        Err(Error::TipcCommandIdTooLarge { command_id: 0xFFF0 })
    );
    let len = tipc::ResponseBuilder::new(19)
        .out_data(&5u64)
        .move_handle(0x44)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let resp = tipc::Response::new_checked(&msg)
        .unwrap()
        .success()
        .unwrap();
    assert_eq!(
        (resp.tag(), resp.out_data::<u64>(), resp.move_handle(0)),
        (19, Ok(5), Ok(0x44))
    );
    let len = tipc::ResponseBuilder::new(19)
        .result(0x1423)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    assert_eq!(
        tipc::Response::new_checked(&msg)
            .unwrap()
            .success()
            .map(|_| ()),
        Err(Error::ServiceResult {
            result: ResultCode(0x1423)
        })
    );
}

// Issue 13 item 3: a layer's emit no longer ignores the tag and raw data of the
// MessageRepr it is given.
#[test]
fn layer_emit_refuses_tag_and_raw_it_would_ignore() {
    let mut buf = [0u8; 0x100];
    let tag15 = MessageRepr {
        tag: 15,
        ..MessageRepr::EMPTY
    };
    let raw = [9u8; 4];
    let with_raw = MessageRepr {
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let owned = |field, layer| Err(Error::FieldOwnedByLayer { field, layer });
    let request = cmif::RequestRepr::EMPTY;
    assert_eq!(request.emit(&tag15, &mut buf), owned("tag", "cmif"));
    assert_eq!(request.emit(&with_raw, &mut buf), owned("raw", "cmif"));
    assert_eq!(
        cmif::ResponseRepr::EMPTY.emit(&tag15, &mut buf),
        owned("tag", "cmif")
    );
    let close = cmif::DomainCloseRepr { object_id: 1 };
    assert_eq!(close.emit(&with_raw, &mut buf), owned("raw", "cmif"));
    let tipc_request = tipc::RequestRepr {
        command_id: 1,
        payload: &[],
    };
    assert_eq!(tipc_request.emit(&tag15, &mut buf), owned("tag", "tipc"));
    let tipc_reply = tipc::ResponseRepr {
        tag: 17,
        result: 0,
        payload: &[],
    };
    assert_eq!(tipc_reply.emit(&with_raw, &mut buf), owned("raw", "tipc"));
    // The very tag the layer writes is not a contradiction.
    let tag4 = MessageRepr {
        tag: 4,
        ..MessageRepr::EMPTY
    };
    assert!(request.emit(&tag4, &mut buf).is_ok());
}

// §2.6: guessing domain-ness wrong gets a hint, both ways.
#[test]
fn wrong_session_kind_gets_a_hint() {
    let mut tls = [0u8; 0x100];
    let len = cmif::RequestBuilder::new(1)
        .domain(1)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let err = cmif::Request::new_checked(&msg, cmif::Session::Plain).unwrap_err();
    assert!(err.to_string().contains("try --domain"), "{err}");
    let len = cmif::RequestBuilder::new(1)
        .in_data(&[0u64; 2])
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let err = cmif::Request::new_checked(&msg, cmif::Session::Domain).unwrap_err();
    assert!(err.to_string().contains("without --domain"), "{err}");
    let len = cmif::ResponseBuilder::new()
        .domain()
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let err = cmif::Response::new_checked(&msg, cmif::Session::Plain).unwrap_err();
    assert!(err.to_string().contains("try --domain"), "{err}");
    let len = cmif::ResponseBuilder::new()
        .out_data(&[0u64; 2])
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let err = cmif::Response::new_checked(&msg, cmif::Session::Domain).unwrap_err();
    assert!(err.to_string().contains("without --domain"), "{err}");
}

// Editing in place: the writable CMIF views and the header's tag.
#[test]
fn writable_views() {
    let mut tls = [0u8; 0x100];
    cmif::ResponseBuilder::new()
        .domain()
        .out_data(&1u32)
        .out_object(3)
        .emit(&mut tls)
        .unwrap();
    let mut msg = Message::new_checked(&mut tls[..]).unwrap();
    let mut resp = cmif::ResponseMut::new_checked(&mut msg, cmif::Session::Domain).unwrap();
    resp.out_objects_mut(4).unwrap()[0].set(8);
    resp.header_mut().token.set(0x77);
    assert!(matches!(
        resp.out_objects_mut(0x100),
        Err(Error::CmifDomainObjectsOutOfBounds { .. })
    ));
    // wire-format.md §1.3: the writable header reads as the message's header,
    // before and after the tag is rewritten.
    let before = msg.header();
    assert_eq!(msg.header_mut().get(), before);
    msg.header_mut().set_tag(6);
    assert_eq!(msg.header_mut().get(), before.with_tag(6));
    assert_eq!(msg.header_mut().get(), msg.header());
    let resp = cmif::Response::new_checked(&msg, cmif::Session::Domain).unwrap();
    assert_eq!((resp.out_object(4, 0), resp.token()), (Ok(8), 0x77));
    assert_eq!(msg.header().tag(), 6);

    // A domain Close has no SFCI header to hand out.
    cmif::DomainCloseRepr { object_id: 4 }
        .emit(&MessageRepr::EMPTY, &mut tls)
        .unwrap();
    let mut msg = Message::new_checked(&mut tls[..]).unwrap();
    let mut req = cmif::RequestMut::new_checked(&mut msg, cmif::Session::Domain).unwrap();
    assert!(req.header_mut().is_none());
    req.object_id_mut().unwrap().set(5);
    assert!(req.payload_mut().is_empty());
    let req = cmif::Request::new_checked(&msg, cmif::Session::Domain).unwrap();
    assert_eq!(req.domain().map(|d| d.object_id()), Some(5));
}

// The HIPC builder: the receive-list mode follows the entries unless set, and a set
// mode that disagrees with them is refused.
#[test]
fn message_builder_receive_list_mode() {
    let mut tls = [0u8; 0x100];
    let builder = MessageBuilder::new(4).c(0x1000, 0x10).c(0x2000, 0x20);
    assert_eq!(
        builder.recv_list_mode(),
        ReceiveListMode::Indexed { entries: 2 }
    );
    let single = builder.receive_list_mode(ReceiveListMode::SingleBuffer);
    assert_eq!(
        single.emit(&mut tls),
        Err(Error::RecvListEntriesMismatch {
            count: 2,
            expected: 1,
            given: 2
        })
    );
    let len = MessageBuilder::new(4)
        .receive_list_mode(ReceiveListMode::ToMessageBuffer)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    assert_eq!(
        msg.header().recv_list_mode(),
        ReceiveListMode::ToMessageBuffer
    );
}

// libnx's auto buffers: a pointer when the data fits what is left of the server's
// pointer buffer, a mapped buffer otherwise; the other half of the pair is empty.
#[test]
fn auto_buffers_choose_by_the_pointer_buffer() {
    let mut tls = [0u8; 0x100];
    let ipc = BufferAttribute::Ipc;
    let len = cmif::RequestBuilder::new(1)
        .pointer_buffer_size(0x100)
        .in_auto_buffer(0x1000, 0x80, ipc)
        .in_auto_buffer(0x2000, 0x100, ipc)
        .out_auto_buffer(0x3000, 0x40, ipc)
        .out_auto_buffer(0x4000, 0x80, ipc)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let x: Vec<_> = msg
        .x_descriptors()
        .iter()
        .map(|x| (x.address(), x.size(), x.index()))
        .collect();
    assert_eq!(x, [(0x1000, 0x80, 0), (0, 0, 1)]);
    let a: Vec<_> = msg
        .a_descriptors()
        .iter()
        .map(|d| (d.address(), d.size()))
        .collect();
    assert_eq!(a, [(0, 0), (0x2000, 0x100)]);
    // 0x80 of 0x100 left after the first: the 0x40 out-buffer is a pointer, and the
    // 0x80 after it no longer fits.
    let c: Vec<_> = msg
        .receive_list()
        .iter()
        .map(|c| (c.address(), c.size()))
        .collect();
    assert_eq!(c, [(0x3000, 0x40), (0, 0)]);
    let b: Vec<_> = msg
        .b_descriptors()
        .iter()
        .map(|d| (d.address(), d.size()))
        .collect();
    assert_eq!(b, [(0, 0), (0x4000, 0x80)]);
    let req = cmif::Request::new_checked(&msg, cmif::Session::Plain).unwrap();
    let sizes: Vec<u16> = req
        .out_pointer_sizes(0, 2)
        .unwrap()
        .iter()
        .map(|s| s.get())
        .collect();
    assert_eq!(sizes, [0x40, 0]);
    // Without the pointer buffer's size, auto buffers are always mapped.
    let len = cmif::RequestBuilder::new(1)
        .in_auto_buffer(0x1000, 8, ipc)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    assert_eq!(
        (msg.x_descriptors()[0].size(), msg.a_descriptors()[0].size()),
        (0, 8)
    );
}

proptest::proptest! {
    /// The builder writes exactly what RequestRepr and MessageRepr write for the same
    /// items (the libnx layout, §2.3, §2.5), whatever the items.
    #[test]
    fn request_builder_equals_the_reprs(
        command_id in proptest::prelude::any::<u32>(),
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
        outs in proptest::collection::vec((0u64..1 << 39, 0u64..=0xFFFF), 0..4),
        ins in proptest::collection::vec((0u64..1 << 39, 0u64..1 << 36, 0u8..4), 0..3),
        handles in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..3),
        domain in proptest::option::of((proptest::prelude::any::<u32>(), proptest::collection::vec(proptest::prelude::any::<u32>(), 0..3))),
        pid in proptest::prelude::any::<bool>(),
    ) {
        let mut builder = cmif::RequestBuilder::new(command_id).in_data(&data[..]);
        for &(address, size) in &outs {
            builder = builder.out_pointer(address, size);
        }
        for &(address, size, bits) in &ins {
            builder = builder.in_buffer(address, size, BufferAttribute::from_bits(bits).unwrap());
        }
        for &h in &handles {
            builder = builder.copy_handle(h);
        }
        if let Some((object_id, ids)) = &domain {
            builder = builder.domain(*object_id);
            for &id in ids {
                builder = builder.in_object(id);
            }
        }
        if pid {
            builder = builder.pid();
        }
        let mut by_builder = vec![0u8; 0x400];
        let len = builder.emit(&mut by_builder).unwrap();

        let c: Vec<_> = outs.iter().map(|&(a, s)| hipc::ReceiveListEntry::new(a, s).unwrap()).collect();
        let sizes: Vec<u16> = outs.iter().map(|&(_, s)| s as u16).collect();
        let a: Vec<_> = ins
            .iter()
            .map(|&(addr, s, bits)| hipc::BufferDescriptor::new(addr, s, BufferAttribute::from_bits(bits).unwrap()).unwrap())
            .collect();
        let copy: Vec<U32> = handles.iter().map(|&h| U32::new(h)).collect();
        let ids: Vec<U32> = domain.as_ref().map(|(_, ids)| ids.iter().map(|&i| U32::new(i)).collect()).unwrap_or_default();
        let message = MessageRepr {
            pid: pid.then_some(0),
            copy_handles: &copy,
            a: &a,
            recv_list_count: if c.is_empty() { 0 } else { c.len() as u8 + 2 },
            c: &c,
            ..MessageRepr::EMPTY
        };
        let request = cmif::RequestRepr {
            command_id,
            payload: &data,
            out_pointer_sizes: &sizes,
            domain: domain.as_ref().map(|(object_id, _)| cmif::DomainRepr { object_id: *object_id, in_objects: &ids }),
            ..cmif::RequestRepr::EMPTY
        };
        let mut by_reprs = vec![0u8; 0x400];
        let expected = request.emit(&message, &mut by_reprs).unwrap();
        proptest::prop_assert_eq!(&by_builder[..len], &by_reprs[..expected]);
    }
}

// A server reads the PID and in-handles from the request view (§1.3).
#[test]
fn request_views_give_pid_and_handles() {
    let mut tls = [0u8; 0x100];
    let len = cmif::RequestBuilder::new(1)
        .pid()
        .copy_handle(0x10)
        .emit(&mut tls)
        .unwrap();
    let mut msg = Message::new_checked(&mut tls[..len]).unwrap();
    msg.set_pid(0x51).unwrap();
    let req = cmif::Request::new_checked(&msg, cmif::Session::Plain).unwrap();
    assert_eq!((req.pid(), req.copy_handle(0)), (Some(0x51), Ok(0x10)));
    assert!(req.move_handle(0).is_err());
    let len = tipc::RequestBuilder::new(2)
        .pid()
        .copy_handle(0x20)
        .emit(&mut tls)
        .unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let req = tipc::Request::new_checked(&msg).unwrap();
    assert_eq!((req.pid(), req.copy_handle(0)), (Some(0), Ok(0x20)));
    assert_eq!(
        req.copy_handle(1),
        Err(Error::NoSuchItem {
            field: "copy_handles",
            index: 1,
            count: 1
        })
    );
}

proptest::proptest! {
    /// The writable CMIF views never panic, whatever the message (built valid, then a
    /// few bytes changed), and write only inside the message's raw data.
    #[test]
    fn writable_views_never_panic(
        response in proptest::prelude::any::<bool>(),
        domain in proptest::prelude::any::<bool>(),
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
        ids in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..4),
        copies in 0u32..3,
        flips in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 0..3),
        out_len in 0usize..64,
    ) {
        let mut buf = vec![0u8; 0x200];
        let len = if response {
            let mut b = cmif::ResponseBuilder::new().out_data(&data[..]);
            if domain {
                b = b.domain();
                for &id in &ids { b = b.out_object(id); }
            }
            for h in 0..copies { b = b.copy_handle(h); }
            b.emit(&mut buf).unwrap()
        } else {
            let mut b = cmif::RequestBuilder::new(1).in_data(&data[..]);
            if domain {
                b = b.domain(1);
                for &id in &ids { b = b.in_object(id); }
            }
            for h in 0..copies { b = b.copy_handle(h); }
            b.emit(&mut buf).unwrap()
        };
        let raw_start = Message::new_checked(&buf[..len]).unwrap().layout().raw().start;
        for (at, value) in flips {
            let at = raw_start + at % (len - raw_start);
            buf[at] = value;
        }
        for session in [cmif::Session::Plain, cmif::Session::Domain] {
            let mut bytes = buf[..len].to_vec();
            let mut msg = Message::new_checked(&mut bytes[..]).unwrap();
            if let Ok(mut req) = cmif::RequestMut::new_checked(&mut msg, session) {
                if let Some(h) = req.header_mut() { h.token.set(0xAAAA_AAAA); }
                if let Some(id) = req.object_id_mut() { id.set(0xBBBB_BBBB); }
                req.payload_mut().fill(0xCC);
                for id in req.in_objects_mut() { id.set(0xDDDD_DDDD); }
            }
            if let Ok(mut resp) = cmif::ResponseMut::new_checked(&mut msg, session) {
                resp.header_mut().token.set(0xEEEE_EEEE);
                resp.payload_mut().fill(0x11);
                if let Ok(ids) = resp.out_objects_mut(out_len) { ids.fill(U32::new(7)); }
            }
            proptest::prop_assert_eq!(&bytes[..raw_start], &buf[..raw_start]);
        }
    }
}

// wire-format.md §1.1-§1.12: the HIPC builder emits every item it was given, the
// tag and the raw data included, as the MessageRepr of the same fields would.
#[test]
fn message_builder_emits_every_item() {
    let raw = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let builder = MessageBuilder::new(0x1234)
        .pid()
        .copy_handle(0x11)
        .move_handle(0x22)
        .x(0x1000, 0x10, 0)
        .a(0x2000, 0x20, BufferAttribute::Ipc)
        .b(0x3000, 0x30, BufferAttribute::NonSecureIpc)
        .w(0x4000, 0x40, BufferAttribute::NonDeviceIpc)
        .raw(&raw)
        .c(0x5000, 0x50);
    let mut tls = [0u8; 0x100];
    let len = builder.emit(&mut tls).unwrap();
    let msg = Message::new_checked(&tls[..len]).unwrap();
    let copy = [U32::new(0x11)];
    let moves = [U32::new(0x22)];
    let x = [hipc::PointerDescriptor::new(0x1000, 0x10, 0).unwrap()];
    let a = [hipc::BufferDescriptor::new(0x2000, 0x20, BufferAttribute::Ipc).unwrap()];
    let b = [hipc::BufferDescriptor::new(0x3000, 0x30, BufferAttribute::NonSecureIpc).unwrap()];
    let w = [hipc::BufferDescriptor::new(0x4000, 0x40, BufferAttribute::NonDeviceIpc).unwrap()];
    let c = [hipc::ReceiveListEntry::new(0x5000, 0x50).unwrap()];
    let expected = MessageRepr {
        tag: 0x1234,
        pid: Some(0),
        copy_handles: &copy,
        move_handles: &moves,
        x: &x,
        a: &a,
        b: &b,
        w: &w,
        raw: &raw,
        recv_list_count: 3,
        c: &c,
        ..MessageRepr::EMPTY
    };
    assert_eq!(builder.repr().unwrap(), expected);
    assert_eq!(msg.repr(), expected);
    assert_eq!(msg.header().tag(), 0x1234);
    assert_eq!(msg.raw(), &raw);
}

// The layer builders' emit: "the first mistake made while adding items, then those
// of `repr`": a mistake in a HIPC item wins over the CMIF repr's own refusal of
// objects without a domain (§2.5, §2.6), wherever it was made.
#[test]
fn first_mistake_wins_over_the_layer_repr_error() {
    let mut tls = [0xAAu8; 0x100];
    let too_far = Error::ValueTooLarge {
        field: hipc::FieldPath {
            section: Some(hipc::Section::X),
            index: Some(0),
            field: hipc::Field::Address,
        },
        value: 1 << 39,
        max: (1 << 39) - 1,
    };
    let request = cmif::RequestBuilder::new(1).in_object(5);
    assert_eq!(
        request.emit(&mut tls),
        Err(Error::CmifObjectsWithoutDomain { count: 1 })
    );
    assert_eq!(
        request.in_pointer(1 << 39, 0x10).emit(&mut tls),
        Err(too_far)
    );
    let full = Error::BuilderFull {
        field: "copy_handles",
        max: 15,
    };
    let mut response = cmif::ResponseBuilder::new().out_object(1);
    assert_eq!(
        response.emit(&mut tls),
        Err(Error::CmifObjectsWithoutDomain { count: 1 })
    );
    for h in 0..16 {
        response = response.copy_handle(h);
    }
    assert_eq!(response.emit(&mut tls), Err(full));
    assert!(tls.iter().all(|&b| b == 0xAA));
}

// wire-format.md §2.1, §2.6: the out-object ids of a domain reply lie in the CMIF
// region (the raw data minus the 16-byte padding budget and the domain out-header),
// right after the out data whose length the caller gives. The writable view
// refuses exactly what the reader refuses, for every length, and hands out the same
// words; with no out-objects (or outside a domain) both are empty whatever the
// length.
#[test]
fn out_objects_writable_and_read_agree() {
    for (domain, ids, data_len) in [
        (true, &[][..], 0),
        (true, &[][..], 6),
        (true, &[3][..], 4),
        (true, &[3, 4, 5][..], 6),
        (true, &[7, 8][..], 0),
        (false, &[][..], 8),
    ] {
        let data = [0xEEu8; 8];
        let mut builder = cmif::ResponseBuilder::new().out_data(&data[..data_len]);
        if domain {
            builder = builder.domain();
        }
        for &id in ids {
            builder = builder.out_object(id);
        }
        let mut tls = [0u8; 0x100];
        let len = builder.emit(&mut tls).unwrap();
        let session = if domain {
            cmif::Session::Domain
        } else {
            cmif::Session::Plain
        };
        let mut bytes = tls[..len].to_vec();
        let msg = Message::new_checked(&bytes[..]).unwrap();
        let raw_len = msg.raw().len();
        let resp = cmif::Response::new_checked(&msg, session).unwrap();
        let read: Vec<_> = (0..=raw_len + 8)
            .map(|n| {
                resp.out_objects(n)
                    .map(|w| w.iter().map(|i| i.get()).collect::<Vec<_>>())
            })
            .collect();
        assert_eq!(read[data_len], Ok(ids.to_vec()));
        if ids.is_empty() {
            assert!(read.iter().all(|r| r == &Ok(vec![])));
        }
        let mut msg = Message::new_checked(&mut bytes[..]).unwrap();
        let mut view = cmif::ResponseMut::new_checked(&mut msg, session).unwrap();
        for (n, expected) in read.iter().enumerate() {
            let written = view
                .out_objects_mut(n)
                .map(|w| w.iter().map(|i| i.get()).collect::<Vec<_>>());
            assert_eq!(&written, expected, "out data length {n}");
        }
        if let Some(first) = view.out_objects_mut(data_len).unwrap().first_mut() {
            first.set(0x99);
            let msg = Message::new_checked(&bytes[..]).unwrap();
            let resp = cmif::Response::new_checked(&msg, session).unwrap();
            assert_eq!(resp.out_object(data_len, 0), Ok(0x99));
        }
    }
}
