//! The TIPC layer (wire-format.md §3): Ex 6 both directions, the close, the stricter
//! header rules, every error, property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{handles, hex, to_hex};
use hipc::tipc::{self, Request, RequestRepr, Response, ResponseRepr};
use hipc::{
    BufferAttribute, BufferDescriptor, Error, Field, Message, MessageRepr, PointerDescriptor,
    ReceiveListEntry, Section,
};
use proptest::prelude::*;

const EX6_REQUEST: &str = "11000000020000006673702d73727600";
const EX6_REPLY: &str = "1100000001000080200000000f00010000000000";

fn request_err(bytes: &[u8]) -> Error {
    let msg = Message::new_checked(bytes).unwrap();
    Request::new_checked(&msg).unwrap_err()
}

/// wire-format.md §6 Ex 6: the request, parsed and built.
#[test]
fn ex6_request() {
    let bytes = hex(EX6_REQUEST);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg).unwrap();
    assert_eq!(
        (req.tag(), req.command_id(), req.is_close()),
        (17, Some(1), false)
    );
    assert_eq!(req.payload(), b"fsp-srv\0");
    // §3: no PID slot, no PID.
    assert_eq!(req.pid(), None);
    let mut buf = [0u8; 0x20];
    let len = RequestRepr {
        command_id: 1,
        payload: b"fsp-srv\0",
    }
    .emit(&MessageRepr::EMPTY, &mut buf)
    .unwrap();
    assert_eq!(to_hex(&buf[..len]), EX6_REQUEST);
}

/// wire-format.md §6 Ex 6: the reply (tag echoed, one move handle, result 0).
#[test]
fn ex6_reply() {
    let bytes = hex(EX6_REPLY);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let resp = Response::new_checked(&msg).unwrap();
    assert_eq!(
        (resp.tag(), resp.command_id(), resp.result()),
        (17, Some(1), 0)
    );
    assert!(resp.payload().is_empty());
    let moves = handles(&[0x0001_000F]);
    let mut buf = [0u8; 0x20];
    let len = ResponseRepr {
        tag: 17,
        result: 0,
        payload: &[],
    }
    .emit(
        &MessageRepr {
            move_handles: &moves,
            ..MessageRepr::EMPTY
        },
        &mut buf,
    )
    .unwrap();
    assert_eq!(to_hex(&buf[..len]), EX6_REPLY);
}

/// wire-format.md §3, §1.5: CloseSession is exactly the header `0f 00 00 00 00 00 00 00`.
#[test]
fn close_session() {
    let bytes = hex("0f00000000000000");
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg).unwrap();
    assert!(req.is_close());
    assert_eq!(req.command_id(), None);
    let mut buf = [0u8; 8];
    assert_eq!(tipc::emit_close(&mut buf).unwrap(), 8);
    assert_eq!(to_hex(&buf), "0f00000000000000");
    assert_eq!(
        tipc::emit_close(&mut [0u8; 7]).unwrap_err(),
        Error::BufferTooSmall {
            needed: 8,
            available: 7
        }
    );
    for text in ["0f00000001000000", "0f00010000000000", "0f00000000000080"] {
        let mut bytes = hex(text);
        bytes.resize(0x20, 0);
        let err = request_err(&bytes);
        assert_eq!(err.kind(), "tipc_close_not_bare", "{text}");
    }
    let err = request_err(&hex("0f0000000100000000000000"));
    assert_eq!(
        err,
        Error::TipcCloseNotBare {
            word0: 15,
            word1: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "tipc: a CloseSession must be exactly the header words 0x0000000f 0x00000000, found 0x0000000f 0x00000001"
    );
}

/// wire-format.md §3: tags 0..=14 are not TIPC requests.
#[test]
fn bad_tags() {
    for tag in [0u16, 4, 14] {
        let bytes = common::emit(&MessageRepr {
            tag,
            ..MessageRepr::EMPTY
        });
        let err = request_err(&bytes);
        assert_eq!(err, Error::TipcBadTag { tag });
        assert_eq!(err.kind(), "tipc_bad_tag");
        assert_eq!(err.section(), Some(Section::Header));
    }
    let err = RequestRepr {
        command_id: 0xFFF0,
        payload: &[],
    }
    .tag()
    .unwrap_err();
    assert_eq!(err, Error::TipcCommandIdTooLarge { command_id: 0xFFF0 });
    assert_eq!(err.kind(), "tipc_command_id_too_large");
    assert_eq!(
        RequestRepr {
            command_id: 0xFFEF,
            payload: &[]
        }
        .tag()
        .unwrap(),
        0xFFFF
    );
}

/// wire-format.md §3: the stricter header rules, on parse and on build.
#[test]
fn strict_header_rules() {
    let x = [PointerDescriptor::new(0x1000, 8, 0).unwrap()];
    let w = [BufferDescriptor::new(0x1000, 8, BufferAttribute::Ipc).unwrap()];
    let c = [ReceiveListEntry::new(0x2000, 8).unwrap()];
    let cases: Vec<(MessageRepr<'_>, Error)> = vec![
        (
            MessageRepr {
                x: &x,
                ..MessageRepr::EMPTY
            },
            Error::TipcSectionNotAllowed {
                section: Section::X,
                count: 1,
            },
        ),
        (
            MessageRepr {
                w: &w,
                ..MessageRepr::EMPTY
            },
            Error::TipcSectionNotAllowed {
                section: Section::W,
                count: 1,
            },
        ),
        (
            MessageRepr {
                recv_list_count: 2,
                c: &c,
                ..MessageRepr::EMPTY
            },
            Error::TipcSectionNotAllowed {
                section: Section::ReceiveList,
                count: 2,
            },
        ),
        (
            MessageRepr {
                recv_list_count: 1,
                ..MessageRepr::EMPTY
            },
            Error::TipcSectionNotAllowed {
                section: Section::ReceiveList,
                count: 1,
            },
        ),
        (
            MessageRepr {
                recv_list_offset: 8,
                ..MessageRepr::EMPTY
            },
            Error::TipcFieldNotZero {
                field: Field::RecvListOffset,
                value: 8,
            },
        ),
        (
            MessageRepr {
                header_reserved: 1 << 14,
                ..MessageRepr::EMPTY
            },
            Error::TipcFieldNotZero {
                field: Field::HeaderReserved,
                value: 1 << 14,
            },
        ),
        (
            MessageRepr {
                special_header: true,
                special_reserved: 1 << 9,
                ..MessageRepr::EMPTY
            },
            Error::TipcFieldNotZero {
                field: Field::SpecialReserved,
                value: 1 << 9,
            },
        ),
    ];
    for (message, expected) in cases {
        let bytes = common::emit(&MessageRepr { tag: 16, ..message });
        assert_eq!(request_err(&bytes), expected);
        let mut buf = [0u8; 0x100];
        assert_eq!(
            RequestRepr {
                command_id: 0,
                payload: &[]
            }
            .emit(&message, &mut buf)
            .unwrap_err(),
            expected
        );
    }
    let err = Error::TipcFieldNotZero {
        field: Field::SpecialReserved,
        value: 0x200,
    };
    assert_eq!(err.kind(), "tipc_field_not_zero");
    assert_eq!(err.section(), Some(Section::SpecialHeader));
    assert_eq!(err.field().unwrap().to_string(), "reserved.special");
    assert_eq!(
        err.to_string(),
        "tipc: reserved.special must be 0 in a TIPC request, found 0x200"
    );
    let err = Error::TipcSectionNotAllowed {
        section: Section::X,
        count: 1,
    };
    assert_eq!(err.kind(), "tipc_section_not_allowed");
    assert_eq!(
        err.to_string(),
        "tipc: a TIPC request carries no x (count 1; the server compares the header exactly)"
    );
    // What TIPC allows: PID, copy handles, A and B.
    let a = [BufferDescriptor::new(0x1000, 8, BufferAttribute::Ipc).unwrap()];
    let copy = handles(&[7]);
    let message = MessageRepr {
        pid: Some(0),
        copy_handles: &copy,
        a: &a,
        b: &a,
        ..MessageRepr::EMPTY
    };
    let mut buf = [0u8; 0x100];
    let len = RequestRepr {
        command_id: 3,
        payload: &[1, 2, 3],
    }
    .emit(&message, &mut buf)
    .unwrap();
    let msg = Message::new_checked(&buf[..len]).unwrap();
    let req = Request::new_checked(&msg).unwrap();
    assert_eq!(req.command_id(), Some(3));
    // The PID slot holds what was written in it (the kernel's, in transit).
    assert_eq!(req.pid(), Some(0));
    assert_eq!(req.copy_handle(0), Ok(7));
    assert_eq!(
        req.payload(),
        &[1, 2, 3, 0],
        "payload padded to a whole word"
    );
}

/// wire-format.md §3: a reply needs its result word.
#[test]
fn reply_without_result() {
    let bytes = common::emit(&MessageRepr {
        tag: 17,
        ..MessageRepr::EMPTY
    });
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let err = Response::new_checked(&msg).unwrap_err();
    assert_eq!(err, Error::TipcRawTooSmall { available: 0 });
    assert_eq!(err.kind(), "tipc_raw_too_small");
    assert_eq!(
        err.to_string(),
        "tipc: a reply needs a result word, the raw data holds 0 bytes"
    );
    // Any tag is accepted in a reply (libnx ignores it); below 16 there is no method.
    let bytes = common::emit(&MessageRepr {
        tag: 0,
        raw: &[1, 0, 0, 0],
        ..MessageRepr::EMPTY
    });
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let resp = Response::new_checked(&msg).unwrap();
    assert_eq!((resp.command_id(), resp.result()), (None, 1));
}

proptest! {
    /// wire-format.md §3: build then parse gives the fields back.
    #[test]
    fn round_trip(command_id in 0u16..=0xFFEF, payload in prop::collection::vec(any::<u8>(), 0..64),
                  result in any::<u32>(), pid in prop::option::of(any::<u64>()), copy in prop::collection::vec(any::<u32>(), 0..3)) {
        let copy = handles(&copy);
        let message = MessageRepr { pid, copy_handles: &copy, ..MessageRepr::EMPTY };
        let mut buf = vec![0u8; 0x200];
        let len = RequestRepr { command_id, payload: &payload }.emit(&message, &mut buf).unwrap();
        let msg = Message::new_checked(&buf[..len]).unwrap();
        let req = Request::new_checked(&msg).unwrap();
        prop_assert_eq!(req.command_id(), Some(command_id));
        prop_assert_eq!(&req.payload()[..payload.len()], &payload[..]);
        prop_assert!(req.payload()[payload.len()..].iter().all(|&b| b == 0));
        prop_assert!(req.payload().len() - payload.len() < 4);

        let tag = req.tag();
        let len = ResponseRepr { tag, result, payload: &payload }.emit(&MessageRepr::EMPTY, &mut buf).unwrap();
        let msg = Message::new_checked(&buf[..len]).unwrap();
        let resp = Response::new_checked(&msg).unwrap();
        prop_assert_eq!((resp.tag(), resp.result()), (tag, result));
        prop_assert_eq!(&resp.payload()[..payload.len()], &payload[..]);
    }

    /// wire-format.md §7.3: arbitrary messages never panic.
    #[test]
    fn arbitrary_never_panics(bytes in prop::collection::vec(any::<u8>(), 8..128)) {
        if let Ok(msg) = Message::new_checked(&bytes[..]) {
            if let Ok(req) = Request::new_checked(&msg) {
                let _ = (req.payload(), req.command_id());
            }
            if let Ok(resp) = Response::new_checked(&msg) {
                let _ = (resp.payload(), resp.command_id());
            }
        }
    }
}

/// wire-format.md §1.5, §3: a method's tag is its id plus 16, so the largest id is
/// 0xFFEF (tag 0xFFFF); one more does not fit the tag.
#[test]
fn largest_method_id() {
    assert_eq!(tipc::COMMAND_ID_MAX, 0xFFEF);
    let top = RequestRepr {
        command_id: 0xFFEF,
        payload: &[],
    };
    assert_eq!(top.tag(), Ok(0xFFFF));
    let past = RequestRepr {
        command_id: 0xFFF0,
        payload: &[],
    };
    assert_eq!(
        past.tag(),
        Err(Error::TipcCommandIdTooLarge {
            command_id: tipc::COMMAND_ID_MAX + 1
        })
    );
}

/// wire-format.md §3: a reply's PID and handles are read from its special data:
/// a PID written by the kernel, copy handles and move handles, each by index.
#[test]
fn reply_pid_and_handles() {
    let copy = handles(&[0x11, 0x12]);
    let moves = handles(&[0x21]);
    let mut buf = [0u8; 0x40];
    let len = ResponseRepr {
        tag: 17,
        result: 0,
        payload: &[],
    }
    .emit(
        &MessageRepr {
            copy_handles: &copy,
            move_handles: &moves,
            ..MessageRepr::EMPTY
        },
        &mut buf,
    )
    .unwrap();
    let msg = Message::new_checked(&buf[..len]).unwrap();
    let resp = Response::new_checked(&msg).unwrap();
    assert_eq!(
        (resp.copy_handle(0), resp.copy_handle(1)),
        (Ok(0x11), Ok(0x12))
    );
    assert_eq!(resp.move_handle(0), Ok(0x21));
    assert!(matches!(resp.copy_handle(2), Err(Error::NoSuchItem { .. })));

    let copy = handles(&[0x31]);
    let message = MessageRepr {
        pid: Some(0x51),
        copy_handles: &copy,
        ..MessageRepr::EMPTY
    };
    let len = RequestRepr {
        command_id: 1,
        payload: &[],
    }
    .emit(&message, &mut buf)
    .unwrap();
    let msg = Message::new_checked(&buf[..len]).unwrap();
    let req = Request::new_checked(&msg).unwrap();
    assert_eq!(req.pid(), Some(0x51));
    assert_eq!(req.copy_handle(0), Ok(0x31));
}
