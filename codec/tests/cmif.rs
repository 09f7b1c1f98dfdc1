//! The CMIF layer (wire-format.md §2): every worked example of §6 that carries CMIF,
//! byte for byte in both directions; the corner cases behind real bugs; every error;
//! property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{handles, hex, to_hex};
use hipc::cmif::{
    self, ControlCommand, DomainCloseRepr, DomainRepr, DomainType, Request, RequestKind,
    RequestRepr, Response, ResponseRepr, Session,
};
use hipc::{
    BufferAttribute, BufferDescriptor, Error, Message, MessageRepr, PointerDescriptor,
    ReceiveListEntry, U32,
};
use proptest::prelude::*;

const EX2: &str = "040000000a000000000000000000000053464349000000000100000000000000efbeadde010000000000000000000000";
const EX3: &str = "040000000800008023000000510000000000000034120000785600000000000053464349000000000300000000000000000000000000000000000000";
const EX4: &str = "0400010008080000402000019078563453464349000000000500000000000000000000000000000000000000000000000000002143000002";
const EX5: &str = "040010110800000000100000006045231c00001100200000000000800100005000f0ffff000000001300000f0000000053464349000000000700000000000000000000000000000000000000";
const EX7: &str = "040000000e000000000000000000000001011400010000000000000000000000534643490000000002000000000000002a000000050000000000000000000000";
const EX7_CLOSE: &str =
    "04000000080000000000000000000000020000000100000000000000000000000000000000000000";
const EX8: &str = "040000000a0c0000000000000000000053464349000000000a00000000000000070000000000000000000000800000000000402301008000";
const EX9_REQUEST: &str =
    "05000000080000000000000000000000534643490000000000000000000000000000000000000000";
const EX9_REPLY: &str = "000000000800008020000000020001005346434f00000000000000000000000000000000000000000000000000000000";
const EX10: &str = "000000000d0000000000000000000000010000000000000000000000000000005346434f000000000000000000000000020000000000000000000000";

fn emit_request(repr: &RequestRepr<'_>, message: &MessageRepr<'_>) -> String {
    let mut buf = vec![0xE7u8; 0x200];
    let len = repr.emit(message, &mut buf).unwrap();
    assert!(
        buf[len..].iter().all(|&b| b == 0xE7),
        "bytes after the message touched"
    );
    to_hex(&buf[..len])
}

fn emit_response(repr: &ResponseRepr<'_>, message: &MessageRepr<'_>) -> String {
    let mut buf = vec![0xE7u8; 0x200];
    let len = repr.emit(message, &mut buf).unwrap();
    to_hex(&buf[..len])
}

fn request_err(bytes: &[u8], is_domain: bool) -> Error {
    let msg = Message::new_checked(bytes).unwrap();
    Request::new_checked(&msg, Session::domain_if(is_domain)).unwrap_err()
}

/// A message with nothing but tag and raw data.
fn raw_message(tag: u16, raw: &[u8]) -> Vec<u8> {
    common::emit(&MessageRepr {
        tag,
        raw,
        ..MessageRepr::EMPTY
    })
}

// --- Worked examples, parse -----------------------------------------------------------

/// wire-format.md §6 Ex 2: pad 8, command 1, payload to the end of the raw data.
#[test]
fn ex2_parse() {
    let bytes = hex(EX2);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Plain).unwrap();
    assert_eq!(req.kind(), RequestKind::Request);
    assert_eq!(
        (req.raw_offset(), req.padding(), req.aligned_offset()),
        (8, 8, 16)
    );
    let h = req.header().unwrap();
    assert_eq!(h.magic.get(), cmif::IN_MAGIC);
    assert_eq!(
        (h.version.get(), h.command_id.get(), h.token.get()),
        (0, 1, 0)
    );
    assert_eq!(req.command_id(), Some(1));
    assert_eq!(req.header_offset(), Some(16));
    assert_eq!(req.payload_offset(), 32);
    assert_eq!(to_hex(req.payload()), "efbeadde010000000000000000000000");
    assert!(req.domain().is_none());
    assert_eq!(req.control_command(), None);
}

/// wire-format.md §6 Ex 3: raw data at byte 28, pad 4.
#[test]
fn ex3_parse() {
    let bytes = hex(EX3);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Plain).unwrap();
    assert_eq!(
        (req.raw_offset(), req.padding(), req.aligned_offset()),
        (28, 4, 32)
    );
    assert_eq!(req.command_id(), Some(3));
    assert_eq!(req.payload(), &[0u8; 12]);
}

/// wire-format.md §6 Ex 4 and Ex 5: pad 0 and pad 4 with descriptors before the raw data.
#[test]
fn ex4_ex5_parse() {
    for (text, pad, command) in [(EX4, 0, 5), (EX5, 4, 7)] {
        let bytes = hex(text);
        let msg = Message::new_checked(&bytes[..]).unwrap();
        let req = Request::new_checked(&msg, Session::Plain).unwrap();
        assert_eq!((req.padding(), req.command_id()), (pad, Some(command)));
        assert_eq!(req.payload().len(), 16 - pad);
    }
}

/// wire-format.md §6 Ex 7: domain SendMessage to object 1, in-object 5, token in the
/// domain header.
#[test]
fn ex7_parse() {
    let bytes = hex(EX7);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Domain).unwrap();
    let d = req.domain().unwrap();
    assert_eq!(d.kind(), DomainType::SendMessage);
    assert_eq!(
        (d.num_in_objects(), d.data_size(), d.object_id(), d.token()),
        (1, 20, 1, 0)
    );
    assert_eq!(d.in_objects().len(), 1);
    assert_eq!(d.in_object(0), Some(5));
    assert_eq!(d.in_objects_raw_offset(), 44);
    assert_eq!(req.command_id(), Some(2));
    assert_eq!(req.header_offset(), Some(32));
    assert_eq!(req.payload(), &[0x2a, 0, 0, 0]);
    // Read as a non-domain request, the domain header sits where SFCI should be.
    assert_eq!(
        request_err(&bytes, false),
        Error::CmifBadMagic {
            expected: cmif::IN_MAGIC,
            found: 0x0014_0101,
            session_hint: Some(true)
        }
    );
}

/// wire-format.md §6 Ex 7, domain Close: no SFCI header at all.
#[test]
fn ex7_domain_close_parse() {
    let bytes = hex(EX7_CLOSE);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Domain).unwrap();
    let d = req.domain().unwrap();
    assert_eq!((d.kind(), d.object_id()), (DomainType::Close, 1));
    assert!(req.header().is_none());
    assert_eq!(req.command_id(), None);
    assert_eq!(req.header_offset(), None);
    assert!(req.payload().is_empty());
    assert!(d.in_objects().is_empty());
    // §2.5: the Close is the domain header alone, at A = 16 (R = 8, 8 bytes of
    // padding); its (empty) payload starts right after it.
    assert_eq!(
        (
            req.raw_offset(),
            req.padding(),
            req.aligned_offset(),
            req.payload_offset()
        ),
        (8, 8, 16, 32)
    );
}

/// wire-format.md §6 Ex 8: the size table at R + 36, not A + 36 (§2.3).
#[test]
fn ex8_size_table() {
    let bytes = hex(EX8);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Plain).unwrap();
    assert_eq!(req.command_id(), Some(10));
    assert_eq!(cmif::size_table_offset(None, 4), 36);
    let sizes = req.out_pointer_sizes(4, 1).unwrap();
    assert_eq!(sizes[0].get(), 0x80);
    // Measured from A (a bug) it would lie past the raw data (which ends at 48) and
    // read the receive-list entry's second word instead.
    assert_eq!(u16::from_le_bytes([bytes[16 + 36], bytes[16 + 37]]), 1);
    assert_eq!(
        req.out_pointer_sizes(4, 3).unwrap_err(),
        Error::CmifSizeTableOutOfBounds {
            offset: 36,
            count: 3,
            available: 40
        }
    );
}

/// wire-format.md §6 Ex 9: control request ConvertCurrentObjectToDomain, and the reply.
#[test]
fn ex9_parse() {
    let bytes = hex(EX9_REQUEST);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    for is_domain in [false, true] {
        let req = Request::new_checked(&msg, Session::domain_if(is_domain)).unwrap();
        assert!(req.is_control());
        assert!(
            req.domain().is_none(),
            "control requests never carry a domain header"
        );
        assert_eq!(
            req.control_command(),
            Some(ControlCommand::ConvertCurrentObjectToDomain)
        );
    }
    let bytes = hex(EX9_REPLY);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let resp = Response::new_checked(&msg, Session::Plain).unwrap();
    assert_eq!((resp.result(), resp.version(), resp.token()), (0, 0, 0));
    assert_eq!(
        (resp.padding(), resp.header_offset(), resp.payload().len()),
        (0, 16, 16)
    );
    assert!(resp.out_objects(0).unwrap().is_empty());
}

/// wire-format.md §6 Ex 10: domain reply, out-object 2 after the (empty) out data.
#[test]
fn ex10_parse() {
    let bytes = hex(EX10);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let resp = Response::new_checked(&msg, Session::Domain).unwrap();
    assert_eq!(resp.num_out_objects(), 1);
    assert_eq!(resp.header_offset(), 32);
    let ids = resp.out_objects(0).unwrap();
    assert_eq!(ids.iter().map(|i| i.get()).collect::<Vec<_>>(), vec![2]);
    assert_eq!(
        resp.out_objects(8).unwrap_err(),
        Error::CmifDomainObjectsOutOfBounds {
            count: 1,
            needed: 28,
            available: 20
        }
    );
    // Without the domain flag, the domain out-header is where SFCO should be.
    assert_eq!(
        Response::new_checked(&msg, Session::Plain).unwrap_err(),
        Error::CmifBadMagic {
            expected: cmif::OUT_MAGIC,
            found: 1,
            session_hint: Some(true)
        }
    );
}

// --- Worked examples, build -----------------------------------------------------------

/// wire-format.md §6 Ex 2 built.
#[test]
fn ex2_build() {
    let payload = common::words(&[0xDEAD_BEEF, 1]);
    let repr = RequestRepr {
        command_id: 1,
        payload: &payload,
        ..RequestRepr::EMPTY
    };
    assert_eq!(repr.raw_len().unwrap(), 40);
    assert_eq!(emit_request(&repr, &MessageRepr::EMPTY), EX2);
}

/// wire-format.md §6 Ex 3 built (PID, copy, move handles around the CMIF data).
#[test]
fn ex3_build() {
    let copy = handles(&[0x1234]);
    let mov = handles(&[0x5678]);
    let message = MessageRepr {
        pid: Some(0x51),
        copy_handles: &copy,
        move_handles: &mov,
        ..MessageRepr::EMPTY
    };
    let repr = RequestRepr {
        command_id: 3,
        ..RequestRepr::EMPTY
    };
    assert_eq!(emit_request(&repr, &message), EX3);
}

/// wire-format.md §6 Ex 4 and Ex 5 built.
#[test]
fn ex4_ex5_build() {
    let x = [PointerDescriptor::new(0x12_3456_7890, 0x100, 0).unwrap()];
    let c = [ReceiveListEntry::new(0x43_2100_0000, 0x200).unwrap()];
    let message = MessageRepr {
        x: &x,
        recv_list_count: 2,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let repr = RequestRepr {
        command_id: 5,
        ..RequestRepr::EMPTY
    };
    assert_eq!(emit_request(&repr, &message), EX4);

    let a = [BufferDescriptor::new(0x71_2345_6000, 0x1_0000_1000, BufferAttribute::Ipc).unwrap()];
    let b = [BufferDescriptor::new(0x05_8000_0000, 0x2000, BufferAttribute::NonSecureIpc).unwrap()];
    let w = [
        BufferDescriptor::new(0x40_0000_0000, 0xF_FFFF_F000, BufferAttribute::NonDeviceIpc)
            .unwrap(),
    ];
    let message = MessageRepr {
        a: &a,
        b: &b,
        w: &w,
        ..MessageRepr::EMPTY
    };
    let repr = RequestRepr {
        command_id: 7,
        ..RequestRepr::EMPTY
    };
    assert_eq!(emit_request(&repr, &message), EX5);
}

/// wire-format.md §6 Ex 7 built, SendMessage and Close.
#[test]
fn ex7_build() {
    let payload = 0x2au32.to_le_bytes();
    let repr = RequestRepr {
        command_id: 2,
        payload: &payload,
        domain: Some(DomainRepr {
            object_id: 1,
            in_objects: &[U32::new(5)],
        }),
        ..RequestRepr::EMPTY
    };
    assert_eq!(emit_request(&repr, &MessageRepr::EMPTY), EX7);
    let mut buf = [0u8; 0x40];
    let len = DomainCloseRepr { object_id: 1 }
        .emit(&MessageRepr::EMPTY, &mut buf)
        .unwrap();
    assert_eq!(to_hex(&buf[..len]), EX7_CLOSE);
}

/// wire-format.md §6 Ex 8 built: the table lands at R + 36.
#[test]
fn ex8_build() {
    let c = [ReceiveListEntry::new(0x1_2340_0000, 0x80).unwrap()];
    let payload = 7u32.to_le_bytes();
    let repr = RequestRepr {
        command_id: 10,
        payload: &payload,
        out_pointer_sizes: &[0x80],
        ..RequestRepr::EMPTY
    };
    let message = MessageRepr {
        recv_list_count: 3,
        c: &c,
        ..MessageRepr::EMPTY
    };
    assert_eq!(emit_request(&repr, &message), EX8);
}

/// wire-format.md §6 Ex 9 built: the control request and the reply with a move handle.
#[test]
fn ex9_build() {
    let repr = RequestRepr {
        command_id: ControlCommand::ConvertCurrentObjectToDomain.id(),
        control: true,
        ..RequestRepr::EMPTY
    };
    assert_eq!(emit_request(&repr, &MessageRepr::EMPTY), EX9_REQUEST);
    let mov = handles(&[0x0001_0002]);
    let message = MessageRepr {
        move_handles: &mov,
        ..MessageRepr::EMPTY
    };
    assert_eq!(emit_response(&ResponseRepr::EMPTY, &message), EX9_REPLY);
}

/// wire-format.md §6 Ex 10 built.
#[test]
fn ex10_build() {
    let repr = ResponseRepr {
        domain_out_objects: Some(&[U32::new(2)]),
        ..ResponseRepr::EMPTY
    };
    assert_eq!(emit_response(&repr, &MessageRepr::EMPTY), EX10);
}

// --- Context, tags, write_raw -----------------------------------------------------------

/// wire-format.md §2.8: a token makes tag 6/7 and version 1; the token goes in SFCI, or
/// in the domain header with SFCI token 0.
#[test]
fn context_token_placement() {
    let repr = RequestRepr {
        command_id: 9,
        token: Some(0xAB),
        ..RequestRepr::EMPTY
    };
    assert_eq!(repr.tag(), 6);
    let bytes = hex(&emit_request(&repr, &MessageRepr::EMPTY));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Plain).unwrap();
    assert_eq!(req.kind(), RequestKind::RequestWithContext);
    assert_eq!((req.version(), req.token()), (Some(1), 0xAB));

    let repr = RequestRepr {
        command_id: 9,
        token: Some(0xAB),
        domain: Some(DomainRepr {
            object_id: 3,
            in_objects: &[],
        }),
        ..RequestRepr::EMPTY
    };
    let bytes = hex(&emit_request(&repr, &MessageRepr::EMPTY));
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Domain).unwrap();
    assert_eq!(req.domain().unwrap().token(), 0xAB);
    assert_eq!(req.header().unwrap().token.get(), 0);
    assert_eq!(req.token(), 0xAB);

    let repr = RequestRepr {
        control: true,
        token: Some(1),
        ..RequestRepr::EMPTY
    };
    assert_eq!(repr.tag(), 7);
    assert!(RequestKind::from_tag(7).unwrap().has_context());
    assert_eq!(RequestKind::from_tag(3), None);
}

/// wire-format.md §2.1: `write_raw` computes the padding from the raw data's offset.
#[test]
fn write_raw_padding_follows_offset() {
    let repr = RequestRepr {
        command_id: 1,
        ..RequestRepr::EMPTY
    };
    for (offset, pad) in [(8usize, 8usize), (12, 4), (16, 0), (20, 12)] {
        let mut raw = [0xFFu8; 40];
        assert_eq!(repr.write_raw(offset, &mut raw).unwrap(), 32);
        assert_eq!(&raw[pad..pad + 4], b"SFCI");
        assert!(raw[..pad].iter().all(|&b| b == 0));
        assert_eq!(&raw[32..], &[0xFF; 8]);
    }
    let mut small = [0u8; 31];
    assert_eq!(
        repr.write_raw(8, &mut small).unwrap_err(),
        Error::BufferTooSmall {
            needed: 32,
            available: 31
        }
    );
    let mut raw = [0u8; 32];
    assert_eq!(
        DomainCloseRepr { object_id: 4 }
            .write_raw(12, &mut raw)
            .unwrap(),
        32
    );
    assert_eq!(raw[4], 2);
    assert_eq!(ResponseRepr::EMPTY.write_raw(8, &mut raw).unwrap(), 32);
    assert_eq!(&raw[8..12], b"SFCO");
}

// --- Corner cases behind real bugs -----------------------------------------------------

/// wire-format.md §2.3, §5 (SunriseOS): odd data is rounded up before the table, and a
/// domain message counts its header and object ids.
#[test]
fn size_table_placement_odd_data_and_domain() {
    let payload = [1u8, 2, 3];
    let repr = RequestRepr {
        command_id: 1,
        payload: &payload,
        out_pointer_sizes: &[0x1234, 0x10],
        ..RequestRepr::EMPTY
    };
    let bytes = hex(&emit_request(&repr, &MessageRepr::EMPTY));
    // R = 8: T = 16 + 16 + 4 = 36, table at message byte 44 (SunriseOS: 43).
    assert_eq!(&bytes[44..48], &[0x34, 0x12, 0x10, 0]);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Plain).unwrap();
    let sizes: Vec<u16> = req
        .out_pointer_sizes(3, 2)
        .unwrap()
        .iter()
        .map(|s| s.get())
        .collect();
    assert_eq!(sizes, vec![0x1234, 0x10]);

    let repr = RequestRepr {
        payload: &payload,
        out_pointer_sizes: &[0x40],
        domain: Some(DomainRepr {
            object_id: 1,
            in_objects: &[U32::new(7), U32::new(8)],
        }),
        ..RequestRepr::EMPTY
    };
    let bytes = hex(&emit_request(&repr, &MessageRepr::EMPTY));
    // T = 16 + 16 + 8 + 16 + 4 = 60 after R = 8.
    assert_eq!(&bytes[68..70], &[0x40, 0]);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Domain).unwrap();
    assert_eq!(req.out_pointer_sizes(3, 1).unwrap()[0].get(), 0x40);
}

/// wire-format.md §2.5, §7.4: in-object ids right after odd-sized data are unaligned.
#[test]
fn unaligned_in_object_ids() {
    let payload = [0xAAu8; 5];
    let repr = RequestRepr {
        command_id: 4,
        payload: &payload,
        domain: Some(DomainRepr {
            object_id: 9,
            in_objects: &[U32::new(0x1122_3344), U32::new(0x5566_7788)],
        }),
        ..RequestRepr::EMPTY
    };
    let bytes = hex(&emit_request(&repr, &MessageRepr::EMPTY));
    // A = 16, domain header to 32, SFCI to 48, 5 data bytes: ids at byte 53.
    assert_eq!(
        &bytes[53..61],
        &[0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55]
    );
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Domain).unwrap();
    let d = req.domain().unwrap();
    assert_eq!(d.data_size(), 21);
    assert_eq!(d.in_objects_raw_offset(), 45);
    assert_eq!(
        (d.in_object(0), d.in_object(1), d.in_object(2)),
        (Some(0x1122_3344), Some(0x5566_7788), None)
    );
    assert_eq!(req.payload(), &payload);
}

/// wire-format.md §2.6, §2.7: a domain header on a control request is refused when
/// building, and reading one finds the domain header where SFCI should be.
#[test]
fn domain_message_on_control_request() {
    let repr = RequestRepr {
        control: true,
        domain: Some(DomainRepr {
            object_id: 1,
            in_objects: &[],
        }),
        ..RequestRepr::EMPTY
    };
    let err = repr.raw_len().unwrap_err();
    assert_eq!(err, Error::CmifDomainOnControl { tag: 5 });
    assert_eq!(err.kind(), "cmif_domain_on_control");
    let mut buf = [0u8; 0x40];
    assert_eq!(repr.emit(&MessageRepr::EMPTY, &mut buf).unwrap_err(), err);

    // Ex 7's raw data with tag 5, on a domain session.
    let mut bytes = hex(EX7);
    bytes[0] = 5;
    assert_eq!(
        request_err(&bytes, true),
        Error::CmifBadMagic {
            expected: cmif::IN_MAGIC,
            found: 0x0014_0101,
            session_hint: None
        }
    );
}

/// wire-format.md §2.2, §2.10: missing (zero) and wrong magic; a response where a
/// request was expected.
#[test]
fn missing_or_wrong_magic() {
    let zeros = raw_message(4, &[0; 32]);
    assert_eq!(
        request_err(&zeros, false),
        Error::CmifBadMagic {
            expected: cmif::IN_MAGIC,
            found: 0,
            session_hint: None
        }
    );
    let mut bytes = hex(EX2);
    bytes[16..20].copy_from_slice(b"SFCO");
    let err = request_err(&bytes, false);
    assert_eq!(err.kind(), "cmif_bad_magic");
    assert_eq!(
        err.to_string(),
        "cmif: bad magic 0x4f434653 \"SFCO\" at the aligned payload start, expected 0x49434653 \"SFCI\" (this looks like a response)"
    );
    let ex2 = hex(EX2);
    let msg = Message::new_checked(&ex2[..]).unwrap();
    assert_eq!(
        Response::new_checked(&msg, Session::Plain)
            .unwrap_err()
            .to_string(),
        "cmif: bad magic 0x49434653 \"SFCI\" at the aligned payload start, expected 0x4f434653 \"SFCO\" (this looks like a request)"
    );
    // SFCI at R instead of A (no padding): found the zeros of the real padding slot.
    let mut raw = vec![0u8; 40];
    raw[..4].copy_from_slice(b"SFCI");
    let unpadded = raw_message(4, &raw);
    assert_eq!(
        request_err(&unpadded, false),
        Error::CmifBadMagic {
            expected: cmif::IN_MAGIC,
            found: 0,
            session_hint: None
        }
    );
}

/// wire-format.md §2.1: bytes after the CMIF data (the unused budget, or more) belong to
/// the payload of a plain request, and are ignored after the ids of a domain request.
#[test]
fn trailing_raw_padding() {
    let mut raw = common::words(&[
        0,
        0,
        cmif::IN_MAGIC,
        0,
        1,
        0,
        0xDEAD_BEEF,
        0x1111_1111,
        0x2222_2222,
        0x3333_3333,
    ]);
    let bytes = raw_message(4, &raw);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Plain).unwrap();
    assert_eq!(req.payload().len(), 16);
    assert_eq!(&req.payload()[12..], &0x3333_3333u32.to_le_bytes());

    let mut ex7 = hex(EX7);
    ex7[56..64].copy_from_slice(&[0xEE; 8]);
    let msg = Message::new_checked(&ex7[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Domain).unwrap();
    assert_eq!(req.payload(), &[0x2a, 0, 0, 0]);
    assert_eq!(req.domain().unwrap().in_object(0), Some(5));

    // Non-zero padding before A is ignored too.
    raw[0] = 0xFF;
    let bytes = raw_message(4, &raw);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_eq!(
        Request::new_checked(&msg, Session::Plain)
            .unwrap()
            .command_id(),
        Some(1)
    );
}

/// wire-format.md §2.5: a domain Close with no SFCI header, with odd counts (not
/// checked), and a SendMessage that lacks the SFCI room.
#[test]
fn domain_close_without_sfci() {
    let mut raw = [0u8; 32];
    raw[8] = 2; // type Close at A (R = 8, pad 8)
    raw[9] = 3; // num_in_objects, ignored
    raw[10] = 0xFF; // data_size, ignored
    raw[12] = 7;
    let bytes = raw_message(4, &raw);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let req = Request::new_checked(&msg, Session::Domain).unwrap();
    let d = req.domain().unwrap();
    assert_eq!(
        (d.kind(), d.object_id(), d.num_in_objects(), d.data_size()),
        (DomainType::Close, 7, 3, 0xFF)
    );
    assert!(d.in_objects().is_empty());
    assert!(req.header().is_none());

    raw[8] = 1; // SendMessage needs 16 more bytes for SFCI
    let bytes = raw_message(4, &raw);
    assert_eq!(
        request_err(&bytes, true),
        Error::CmifRawTooSmall {
            needed: 48,
            available: 32
        }
    );
}

// --- Every other error -----------------------------------------------------------------

/// wire-format.md §1.5: only tags 4..=7 are CMIF requests.
#[test]
fn bad_tags() {
    for tag in [0u16, 1, 2, 3, 8, 15, 16] {
        let bytes = raw_message(tag, &[0; 32]);
        let err = request_err(&bytes, false);
        assert_eq!(err, Error::CmifBadTag { tag });
        assert_eq!(err.kind(), "cmif_bad_tag");
    }
    assert_eq!(
        Error::CmifBadTag { tag: 2 }.to_string(),
        "cmif: tag 2 (Close) is not a CMIF request (expected 4, 5, 6 or 7)"
    );
}

/// wire-format.md §2.1, §2.10: the raw data must hold the budget and the headers.
#[test]
fn raw_too_small() {
    for (len, domain, needed) in [
        (0usize, false, 32usize),
        (28, false, 32),
        (28, true, 48),
        (31 / 4 * 4, true, 48),
    ] {
        let bytes = raw_message(4, &vec![0; len]);
        let err = request_err(&bytes, domain);
        assert_eq!(
            err,
            Error::CmifRawTooSmall {
                needed,
                available: len
            },
            "len {len} domain {domain}"
        );
        assert_eq!(err.kind(), "cmif_raw_too_small");
        assert_eq!(err.section(), Some(hipc::Section::RawData));
    }
    let bytes = raw_message(0, &[0; 28]);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_eq!(
        Response::new_checked(&msg, Session::Plain).unwrap_err(),
        Error::CmifRawTooSmall {
            needed: 32,
            available: 28
        }
    );
    let bytes = raw_message(0, &[0; 44]);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    assert_eq!(
        Response::new_checked(&msg, Session::Domain).unwrap_err(),
        Error::CmifRawTooSmall {
            needed: 48,
            available: 44
        }
    );
}

/// Builds a domain request raw area (R = 8): header fields, then `rest` after it.
fn domain_raw(kind: u8, objects: u8, data_size: u16, len: usize) -> Vec<u8> {
    let mut raw = vec![0u8; len];
    raw[8] = kind;
    raw[9] = objects;
    raw[10..12].copy_from_slice(&data_size.to_le_bytes());
    raw[12] = 1;
    if len >= 40 {
        raw[24..28].copy_from_slice(b"SFCI");
    }
    raw
}

/// wire-format.md §2.5, §2.10: the domain header's type, data size and object ids.
#[test]
fn domain_errors() {
    for value in [0u8, 3, 0xFF] {
        let bytes = raw_message(4, &domain_raw(value, 0, 16, 48));
        let err = request_err(&bytes, true);
        assert_eq!(err, Error::CmifDomainUnknownType { value });
        assert_eq!(err.kind(), "cmif_domain_unknown_type");
    }
    let bytes = raw_message(4, &domain_raw(1, 0, 15, 48));
    assert_eq!(
        request_err(&bytes, true),
        Error::CmifDomainDataTooSmall { data_size: 15 }
    );
    // 48 raw bytes: 16 after the budget and the domain header.
    let bytes = raw_message(4, &domain_raw(1, 0, 16, 48));
    assert!(
        Request::new_checked(&Message::new_checked(&bytes[..]).unwrap(), Session::Domain).is_ok()
    );
    let bytes = raw_message(4, &domain_raw(1, 0, 20, 48));
    let err = request_err(&bytes, true);
    assert_eq!(
        err,
        Error::CmifDomainDataOutOfBounds {
            data_size: 20,
            available: 16
        }
    );
    assert_eq!(err.kind(), "cmif_domain_data_out_of_bounds");
    let bytes = raw_message(4, &domain_raw(1, 1, 16, 48));
    let err = request_err(&bytes, true);
    assert_eq!(
        err,
        Error::CmifDomainObjectsOutOfBounds {
            count: 1,
            needed: 20,
            available: 16
        }
    );
    assert_eq!(err.kind(), "cmif_domain_objects_out_of_bounds");
    // The ids may not use the unused padding budget either (libstratosphere's check),
    // even though they would fit before the end of the raw data.
    let bytes = raw_message(4, &domain_raw(1, 2, 16, 52));
    assert_eq!(
        request_err(&bytes, true),
        Error::CmifDomainObjectsOutOfBounds {
            count: 2,
            needed: 24,
            available: 20
        }
    );
}

/// Builder limits: u8 object count, u16 data size, 1023 raw words.
#[test]
fn builder_limits() {
    let many = vec![U32::new(0); 256];
    let repr = RequestRepr {
        domain: Some(DomainRepr {
            object_id: 1,
            in_objects: &many,
        }),
        ..RequestRepr::EMPTY
    };
    let err = repr.raw_len().unwrap_err();
    assert_eq!(
        err,
        Error::CmifDomainValueTooLarge {
            field: "domain.num_in_objects",
            value: 256,
            max: 255
        }
    );
    assert_eq!(err.kind(), "cmif_domain_value_too_large");
    // §2.5: 255 in-objects fill the u8 count exactly, and are all sent.
    let ids: Vec<U32> = (1..=255).map(U32::new).collect();
    let repr = RequestRepr {
        domain: Some(DomainRepr {
            object_id: 1,
            in_objects: &ids,
        }),
        ..RequestRepr::EMPTY
    };
    assert_eq!(repr.raw_len().unwrap(), 16 + 16 + 16 + 4 * 255);
    let mut buf = vec![0u8; 0x600];
    let len = repr.emit(&MessageRepr::EMPTY, &mut buf).unwrap();
    let msg = Message::new_checked(&buf[..len]).unwrap();
    let req = Request::new_checked(&msg, Session::Domain).unwrap();
    let domain = req.domain().unwrap();
    assert_eq!(domain.num_in_objects(), 255);
    assert_eq!(domain.in_objects(), &ids[..]);
    // A payload of 0xFFEF bytes makes data_size 0xFFFF, which fits its u16: what
    // refuses it is the raw data's limit of 1023 words (§1.13), not data_size.
    let domain_request = |payload| RequestRepr {
        payload,
        domain: Some(DomainRepr {
            object_id: 1,
            in_objects: &[],
        }),
        ..RequestRepr::EMPTY
    };
    let big = vec![0u8; 0xFFEF];
    let repr = domain_request(&big);
    assert!(
        matches!(
            repr.raw_len().unwrap_err(),
            Error::TooManyItems {
                section: hipc::Section::RawData,
                max: 1023,
                ..
            }
        ),
        "{:?}",
        repr.raw_len()
    );
    let big = vec![0u8; 0xFFF0];
    let repr = domain_request(&big);
    assert_eq!(
        repr.raw_len().unwrap_err(),
        Error::CmifDomainValueTooLarge {
            field: "domain.data_size",
            value: 0x10000,
            max: 0xFFFF
        }
    );
    let payload = vec![0u8; 4092 - 32 + 1];
    let repr = RequestRepr {
        payload: &payload,
        ..RequestRepr::EMPTY
    };
    assert_eq!(
        repr.raw_len().unwrap_err(),
        Error::TooManyItems {
            section: hipc::Section::RawData,
            count: 1024,
            max: 1023
        }
    );
    let payload = vec![0u8; 4092 - 32];
    let repr = RequestRepr {
        payload: &payload,
        ..RequestRepr::EMPTY
    };
    assert_eq!(repr.raw_len().unwrap(), 4092);
    let mut buf = vec![0u8; 4200];
    assert_eq!(repr.emit(&MessageRepr::EMPTY, &mut buf).unwrap(), 4100);
    let mut small = [0u8; 64];
    assert_eq!(
        repr.emit(&MessageRepr::EMPTY, &mut small).unwrap_err(),
        Error::BufferTooSmall {
            needed: 4100,
            available: 64
        }
    );
}

/// Every CMIF error has a stable kind and an informative message.
#[test]
fn error_messages() {
    let cases: Vec<(Error, &str, &str)> = vec![
        (
            Error::CmifRawTooSmall {
                needed: 32,
                available: 8,
            },
            "cmif_raw_too_small",
            "cmif: the raw data holds 0x8 bytes, the CMIF headers need 0x20 (16 bytes of padding budget plus the headers)",
        ),
        (
            Error::CmifBadMagic {
                expected: cmif::IN_MAGIC,
                found: 0,
                session_hint: None,
            },
            "cmif_bad_magic",
            "cmif: bad magic 0x00000000 (not ASCII) at the aligned payload start, expected 0x49434653 \"SFCI\"",
        ),
        (
            Error::CmifDomainUnknownType { value: 0 },
            "cmif_domain_unknown_type",
            "cmif: domain.type 0 is neither 1 (SendMessage) nor 2 (Close)",
        ),
        (
            Error::CmifDomainDataTooSmall { data_size: 4 },
            "cmif_domain_data_too_small",
            "cmif: domain.data_size 4 is too small for the 16-byte SFCI header of a SendMessage",
        ),
        (
            Error::CmifDomainDataOutOfBounds {
                data_size: 0x20,
                available: 0x10,
            },
            "cmif_domain_data_out_of_bounds",
            "cmif: domain.data_size 0x20 reaches past the raw data: 0x10 bytes follow the domain header (padding budget excluded)",
        ),
        (
            Error::CmifDomainObjectsOutOfBounds {
                count: 2,
                needed: 0x18,
                available: 0x10,
            },
            "cmif_domain_objects_out_of_bounds",
            "cmif: 2 domain object ids reach past the raw data: data and ids need 0x18 bytes after the domain header, 0x10 are there (padding budget excluded)",
        ),
        (
            Error::CmifDomainOnControl { tag: 7 },
            "cmif_domain_on_control",
            "cmif: a control request (tag 7) never carries a domain header",
        ),
        (
            Error::CmifSizeTableOutOfBounds {
                offset: 0x24,
                count: 1,
                available: 0x24,
            },
            "cmif_size_table_out_of_bounds",
            "cmif: the out-pointer size table (1 u16 at raw-data offset 0x24) reaches past the raw data (0x24 bytes)",
        ),
    ];
    for (err, kind, text) in cases {
        assert_eq!(err.kind(), kind);
        assert_eq!(err.to_string(), text);
        assert_eq!(
            err.section(),
            match err {
                Error::CmifDomainOnControl { .. } => Some(hipc::Section::Header),
                _ => Some(hipc::Section::RawData),
            }
        );
        assert_eq!(err.field(), None);
    }
}

/// wire-format.md §2.7: control command ids and names.
#[test]
fn control_commands() {
    let names = [
        "ConvertCurrentObjectToDomain",
        "CopyFromCurrentDomain",
        "CloneCurrentObject",
        "QueryPointerBufferSize",
        "CloneCurrentObjectEx",
    ];
    for (id, name) in (0..=4).zip(names) {
        let c = ControlCommand::from_id(id).unwrap();
        assert_eq!(c.id(), id);
        assert_eq!(c.name(), name);
    }
    assert_eq!(ControlCommand::from_id(5), None);
    // A non-control request never reports a control command, even with id 0..=4.
    let msg_bytes = hex(EX2);
    let msg = Message::new_checked(&msg_bytes[..]).unwrap();
    assert_eq!(
        Request::new_checked(&msg, Session::Plain)
            .unwrap()
            .control_command(),
        None
    );
    assert_eq!(
        DomainType::from_value(2).map(DomainType::name),
        Some("Close")
    );
}

// --- Properties ------------------------------------------------------------------------

fn handles_strategy() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 0..3)
}

proptest! {
    /// wire-format.md §2.3, §2.5: building then parsing gives the fields back, for any
    /// header before the raw data (so every padding), domain or not, with a table.
    #[test]
    fn request_round_trip(
        command_id in any::<u32>(),
        control in any::<bool>(),
        token in prop::option::of(any::<u32>()),
        payload in prop::collection::vec(any::<u8>(), 0..64),
        domain in prop::option::of((any::<u32>(), prop::collection::vec(any::<u32>().prop_map(U32::new), 0..6))),
        sizes in prop::collection::vec(any::<u16>(), 0..4),
        copy in handles_strategy(),
        pid in prop::option::of(any::<u64>()),
        nx in 0usize..3,
    ) {
        let domain = if control { None } else { domain };
        let repr = RequestRepr {
            command_id, control, token, payload: &payload,
            domain: domain.as_ref().map(|(object_id, ids)| DomainRepr { object_id: *object_id, in_objects: ids }),
            out_pointer_sizes: &sizes,
        };
        let copy = handles(&copy);
        let x: Vec<_> = (0..nx).map(|i| PointerDescriptor::new(0x1000, 8, i as u8).unwrap()).collect();
        let message = MessageRepr { pid, copy_handles: &copy, x: &x, ..MessageRepr::EMPTY };
        let mut buf = vec![0u8; 0x400];
        let len = repr.emit(&message, &mut buf).unwrap();
        let msg = Message::new_checked(&buf[..len]).unwrap();
        prop_assert_eq!(msg.header().tag(), repr.tag());
        prop_assert_eq!(msg.raw().len(), repr.raw_len().unwrap());
        let req = Request::new_checked(&msg, Session::domain_if(domain.is_some())).unwrap();
        prop_assert_eq!(req.aligned_offset() % 16, 0);
        prop_assert_eq!(req.command_id(), Some(command_id));
        prop_assert_eq!(req.version(), Some(u32::from(token.is_some())));
        prop_assert_eq!(req.token(), token.unwrap_or(0));
        prop_assert_eq!(req.is_control(), control);
        match &domain {
            Some((object_id, ids)) => {
                let d = req.domain().unwrap();
                prop_assert_eq!(d.object_id(), *object_id);
                prop_assert_eq!(d.in_objects(), &ids[..]);
                prop_assert_eq!(req.payload(), &payload[..]);
            }
            None => {
                prop_assert!(req.domain().is_none());
                prop_assert!(req.payload().starts_with(&payload));
            }
        }
        let got: Vec<u16> = req.out_pointer_sizes(payload.len(), sizes.len()).unwrap().iter().map(|s| s.get()).collect();
        prop_assert_eq!(got, sizes);
        // Re-emitting the parsed message gives the same bytes.
        let mut again = vec![0u8; len];
        prop_assert_eq!(msg.repr().emit(&mut again).unwrap(), len);
        prop_assert_eq!(&again[..], &buf[..len]);
    }

    /// wire-format.md §2.4, §2.6: responses round-trip, out-objects included.
    #[test]
    fn response_round_trip(
        result in any::<u32>(),
        token in any::<u32>(),
        payload in prop::collection::vec(any::<u8>(), 0..64),
        ids in prop::option::of(prop::collection::vec(any::<u32>().prop_map(U32::new), 0..6)),
        moves in handles_strategy(),
    ) {
        let repr = ResponseRepr { result, token, payload: &payload, domain_out_objects: ids.as_deref() };
        let moves = handles(&moves);
        let message = MessageRepr { move_handles: &moves, ..MessageRepr::EMPTY };
        let mut buf = vec![0u8; 0x400];
        let len = repr.emit(&message, &mut buf).unwrap();
        let msg = Message::new_checked(&buf[..len]).unwrap();
        prop_assert_eq!(msg.header().tag(), 0);
        let resp = Response::new_checked(&msg, Session::domain_if(ids.is_some())).unwrap();
        prop_assert_eq!((resp.result(), resp.token(), resp.version()), (result, token, 0));
        prop_assert!(resp.payload().starts_with(&payload));
        prop_assert_eq!(resp.out_objects(payload.len()).unwrap(), &ids.unwrap_or_default()[..]);
    }

    /// wire-format.md §7.3: arbitrary raw data never panics, whatever is asked of it.
    #[test]
    fn arbitrary_raw_data_never_panics(
        tag in prop_oneof![Just(0u16), Just(4), Just(5), Just(6), Just(7), any::<u16>()],
        raw_words in prop::collection::vec(any::<u32>(), 0..40),
        special in any::<bool>(),
        nx in 0usize..3,
        domain_bytes in prop::option::of((0u8..4, any::<u8>(), any::<u16>())),
        data_len in 0usize..100,
        count in 0usize..50,
    ) {
        let mut raw = common::words(&raw_words);
        if let Some((kind, n, size)) = domain_bytes {
            // Make domain headers plausible often enough to reach the deeper checks.
            for pad in [0usize, 4, 8, 12] {
                if raw.len() >= pad + 4 {
                    raw[pad] = kind;
                    raw[pad + 1] = n % 8;
                    raw[pad + 2..pad + 4].copy_from_slice(&(size % 96).to_le_bytes());
                }
            }
        }
        let x: Vec<_> = (0..nx).map(|_| PointerDescriptor::new(0, 0, 0).unwrap()).collect();
        let message = MessageRepr { tag, special_header: special, x: &x, raw: &raw, ..MessageRepr::EMPTY };
        let bytes = common::emit(&message);
        let msg = Message::new_checked(&bytes[..]).unwrap();
        for is_domain in [false, true] {
            if let Ok(req) = Request::new_checked(&msg, Session::domain_if(is_domain)) {
                let _ = (req.payload(), req.command_id(), req.token(), req.header_offset(), req.control_command());
                let _ = req.out_pointer_sizes(data_len, count);
                if let Some(d) = req.domain() {
                    let _ = (d.in_objects(), d.in_object(count));
                }
            }
            if let Ok(resp) = Response::new_checked(&msg, Session::domain_if(is_domain)) {
                let _ = (resp.payload(), resp.out_objects(data_len));
            }
        }
    }
}

/// wire-format.md §1.5: the four request tags 4..=7 and their kinds map both ways,
/// and a parsed request reports its message's tag.
#[test]
fn request_kinds_and_tags() {
    for tag in 4u16..=7 {
        let kind = RequestKind::from_tag(tag).unwrap();
        assert_eq!(kind.tag(), tag);
        let repr = RequestRepr {
            control: tag == 5 || tag == 7,
            token: (tag >= 6).then_some(1),
            ..RequestRepr::EMPTY
        };
        let bytes = hex(&emit_request(&repr, &MessageRepr::EMPTY));
        let msg = Message::new_checked(&bytes[..]).unwrap();
        let req = Request::new_checked(&msg, Session::Plain).unwrap();
        assert_eq!((req.kind(), req.tag()), (kind, tag));
        // §1.5, §2.8: tags 6 and 7 carry a context, 5 and 7 are control requests.
        assert_eq!(kind.has_context(), tag >= 6);
        assert_eq!(kind.is_control(), tag == 5 || tag == 7);
        assert_eq!(req.version(), Some(u32::from(tag >= 6)));
    }
}

/// wire-format.md §2.1, §2.4, §2.6: a response's offsets and SFCO fields as read;
/// the version is read, not assumed (Ex 9's reply with version 1), and a domain
/// response has its out-header at `A`, SFCO after it.
#[test]
fn response_offsets_and_fields() {
    let mut bytes = hex(EX9_REPLY);
    bytes[20] = 1; // SFCO version (A + 4)
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let resp = Response::new_checked(&msg, Session::Plain).unwrap();
    assert_eq!(resp.version(), 1);
    assert!(resp.domain().is_none());
    assert_eq!(
        (
            resp.raw_offset(),
            resp.padding(),
            resp.aligned_offset(),
            resp.payload_offset()
        ),
        (16, 0, 16, 32)
    );

    let bytes = hex(EX10);
    let msg = Message::new_checked(&bytes[..]).unwrap();
    let resp = Response::new_checked(&msg, Session::Domain).unwrap();
    assert_eq!(resp.domain().unwrap().num_out_objects.get(), 1);
    assert_eq!(
        (
            resp.raw_offset(),
            resp.padding(),
            resp.aligned_offset(),
            resp.header_offset(),
            resp.payload_offset()
        ),
        (8, 8, 16, 32, 48)
    );
}

/// wire-format.md §2.1: the padding before the CMIF data is `align_up(R, 16) − R`,
/// for each of the four raw-data offsets modulo 16.
#[test]
fn padding_for_each_raw_offset() {
    use hipc::{Header, Layout, SpecialHeader};
    // (special header word or none, R, padding)
    for (special, r, pad) in [
        (None, 8, 8),
        (Some(0), 12, 4),
        (Some(1 << 1), 16, 0),
        (Some(2 << 1), 20, 12),
    ] {
        let word1 = 8 | u32::from(special.is_some()) << 31;
        let layout = Layout::new(
            Header::from_words(4, word1),
            SpecialHeader::from_word(special.unwrap_or(0)),
        );
        assert_eq!(layout.raw().start, r);
        assert_eq!(cmif::padding(&layout), pad, "R = {r}");
        assert_eq!(cmif::aligned_offset(&layout), r + pad, "R = {r}");
    }
}
