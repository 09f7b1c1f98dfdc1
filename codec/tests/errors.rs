//! Every `Error` variant, produced by the constructor, emitter or parser that
//! reports it, with its Display text naming the field or section (message-json.md
//! "Encoding rejects any value that does not fit its field, with an error naming
//! the field"; "A byte string shorter than the message its header declares is an
//! error naming the section that does not fit"; wire-format.md §1.13, §7.1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use common::{emit, handles, words};
use hipc::{
    BufferAttribute, BufferDescriptor, Error, Field, FieldPath, Message, MessageRepr,
    PointerDescriptor, ReceiveListEntry, Section,
};

/// Emitting `repr` fails with `expected`, into a buffer that stays unchanged, and the
/// checks that run before emit (`header`, `layout`, `buffer_len`) agree.
fn emit_fails(repr: &MessageRepr<'_>, expected: Error) -> String {
    let mut buf = [0xA5u8; 0x1000];
    let err = repr.emit(&mut buf).unwrap_err();
    assert_eq!(err, expected);
    assert!(
        buf.iter().all(|&b| b == 0xA5),
        "buffer changed by a failed emit"
    );
    if !matches!(
        expected,
        Error::BufferTooSmall { .. } | Error::RecvListOffsetInsideMessage { .. }
    ) {
        assert_eq!(repr.header().unwrap_err(), expected);
    }
    if !matches!(expected, Error::BufferTooSmall { .. }) {
        assert_eq!(repr.layout().unwrap_err(), expected);
        assert_eq!(repr.buffer_len().unwrap_err(), expected);
    }
    err.to_string()
}

// wire-format.md §1.9, §1.10, §1.11, §1.13: a 40-bit address is refused in every
// descriptor, naming `address`.
#[test]
fn address_too_large() {
    let too_big = 1u64 << 39;
    let e = PointerDescriptor::new(too_big, 0, 0).unwrap_err();
    assert_eq!(
        e,
        Error::ValueTooLarge {
            field: FieldPath {
                section: Some(Section::X),
                index: None,
                field: Field::Address
            },
            value: too_big,
            max: (1 << 39) - 1
        }
    );
    assert!(e.to_string().contains("address"), "{e}");
    assert!(e.to_string().starts_with("x[?]"), "{e}");
    let e = BufferDescriptor::new(0xFF_FFFF_FFFF, 0, BufferAttribute::Ipc).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a/b/w[?].address: value 0xffffffffff does not fit (largest is 0x7fffffffff)"
    );
    let e = ReceiveListEntry::new(u64::MAX, 0).unwrap_err();
    assert!(e.to_string().starts_with("c[?].address"), "{e}");
    // The largest address fits everywhere.
    assert!(PointerDescriptor::new(too_big - 1, 0, 0).is_ok());
    assert!(BufferDescriptor::new(too_big - 1, 0, BufferAttribute::Ipc).is_ok());
    assert!(ReceiveListEntry::new(too_big - 1, 0).is_ok());
}

// wire-format.md §7.1: X/C sizes > 0xFFFF, A/B/W sizes ≥ 2^36, X index > 15 and
// mode > 3 are refused, naming the field.
#[test]
fn sizes_index_and_mode_too_large() {
    let e = PointerDescriptor::new(0, 0x1_0000, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "x[?].size: value 0x10000 does not fit (largest is 0xffff)"
    );
    let e = ReceiveListEntry::new(0, 0x1_0000).unwrap_err();
    assert_eq!(
        e.to_string(),
        "c[?].size: value 0x10000 does not fit (largest is 0xffff)"
    );
    let e = BufferDescriptor::new(0, 1 << 36, BufferAttribute::Ipc).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a/b/w[?].size: value 0x1000000000 does not fit (largest is 0xfffffffff)"
    );
    let e = PointerDescriptor::new(0, 0, 16).unwrap_err();
    assert_eq!(
        e.to_string(),
        "x[?].index: value 0x10 does not fit (largest is 0xf)"
    );
    let e = BufferAttribute::from_bits(4).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a/b/w[?].mode: value 0x4 does not fit (largest is 0x3)"
    );
}

// Error::at: a descriptor error learns its position once the caller knows it.
#[test]
fn error_at_names_the_item() {
    let e = BufferDescriptor::new(1 << 40, 0, BufferAttribute::Ipc)
        .unwrap_err()
        .at(Section::B, 2);
    assert!(e.to_string().starts_with("b[2].address: "), "{e}");
    let e = ReceiveListEntry::new(0, 0)
        .unwrap()
        .with_reserved(1)
        .unwrap_err()
        .at(Section::ReceiveList, 0);
    assert!(e.to_string().starts_with("c[0].reserved: "), "{e}");
    // Errors without a field are unchanged.
    let e = Error::RawDataNotWords { len: 3 };
    assert_eq!(e.at(Section::X, 1), e);
}

// wire-format.md §1.8, §1.13: 16 copy (or move) handles do not fit the 4-bit count.
#[test]
fn too_many_handles() {
    let sixteen = handles(&[0; 16]);
    let repr = MessageRepr {
        copy_handles: &sixteen,
        ..MessageRepr::EMPTY
    };
    let text = emit_fails(
        &repr,
        Error::TooManyItems {
            section: Section::CopyHandles,
            count: 16,
            max: 15,
        },
    );
    assert_eq!(
        text,
        "copy_handles: 16 items given, the count field holds at most 15"
    );
    let repr = MessageRepr {
        move_handles: &sixteen,
        ..MessageRepr::EMPTY
    };
    let text = emit_fails(
        &repr,
        Error::TooManyItems {
            section: Section::MoveHandles,
            count: 16,
            max: 15,
        },
    );
    assert!(text.starts_with("move_handles: 16 items"), "{text}");
}

// wire-format.md §1.3, §1.13: 16 descriptors of any kind do not fit.
#[test]
fn too_many_descriptors() {
    let xs = vec![PointerDescriptor::default(); 16];
    let bufs = vec![BufferDescriptor::default(); 16];
    let cases = [
        (
            MessageRepr {
                x: &xs,
                ..MessageRepr::EMPTY
            },
            Section::X,
            "x",
        ),
        (
            MessageRepr {
                a: &bufs,
                ..MessageRepr::EMPTY
            },
            Section::A,
            "a",
        ),
        (
            MessageRepr {
                b: &bufs,
                ..MessageRepr::EMPTY
            },
            Section::B,
            "b",
        ),
        (
            MessageRepr {
                w: &bufs,
                ..MessageRepr::EMPTY
            },
            Section::W,
            "w",
        ),
    ];
    for (repr, section, name) in cases {
        let text = emit_fails(
            &repr,
            Error::TooManyItems {
                section,
                count: 16,
                max: 15,
            },
        );
        assert!(text.starts_with(&format!("{name}: 16 items")), "{text}");
    }
}

// wire-format.md §1.4, §1.13: 1024 raw words do not fit the 10-bit count; 1023 do.
#[test]
fn too_many_raw_words() {
    let raw = vec![0u8; 1024 * 4];
    let repr = MessageRepr {
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let text = emit_fails(
        &repr,
        Error::TooManyItems {
            section: Section::RawData,
            count: 1024,
            max: 1023,
        },
    );
    assert_eq!(
        text,
        "raw_words: 1024 items given, the count field holds at most 1023"
    );
    let repr = MessageRepr {
        raw: &raw[..1023 * 4],
        ..MessageRepr::EMPTY
    };
    assert_eq!(repr.buffer_len().unwrap(), 8 + 1023 * 4);
    let bytes = emit(&repr);
    assert_eq!(
        Message::new_checked(&bytes[..])
            .unwrap()
            .header()
            .raw_words(),
        1023
    );
}

// wire-format.md §1.12: raw data is whole words.
#[test]
fn raw_not_a_multiple_of_four() {
    for len in [1usize, 2, 3, 5, 4095] {
        let raw = vec![0u8; len];
        let repr = MessageRepr {
            raw: &raw,
            ..MessageRepr::EMPTY
        };
        let text = emit_fails(&repr, Error::RawDataNotWords { len });
        assert_eq!(
            text,
            format!("raw_words: {len} bytes is not a whole number of 32-bit words")
        );
    }
}

// wire-format.md §1.4, §1.6: recv_list_count is 4 bits.
#[test]
fn recv_list_count_16() {
    let repr = MessageRepr {
        recv_list_count: 16,
        ..MessageRepr::EMPTY
    };
    let text = emit_fails(
        &repr,
        Error::ValueTooLarge {
            field: FieldPath {
                section: None,
                index: None,
                field: Field::RecvListCount,
            },
            value: 16,
            max: 15,
        },
    );
    assert_eq!(
        text,
        "recv_list_count: value 0x10 does not fit (largest is 0xf)"
    );
    let repr = MessageRepr {
        recv_list_count: 255,
        ..MessageRepr::EMPTY
    };
    assert!(matches!(
        repr.emit(&mut [0u8; 64]),
        Err(Error::ValueTooLarge { value: 255, .. })
    ));
}

// wire-format.md §1.4, §1.13: recv_list_offset is 11 bits.
#[test]
fn recv_list_offset_2048() {
    let repr = MessageRepr {
        recv_list_offset: 2048,
        ..MessageRepr::EMPTY
    };
    let text = emit_fails(
        &repr,
        Error::ValueTooLarge {
            field: FieldPath {
                section: None,
                index: None,
                field: Field::RecvListOffset,
            },
            value: 2048,
            max: 2047,
        },
    );
    assert_eq!(
        text,
        "recv_list_offset: value 0x800 does not fit (largest is 0x7ff)"
    );
}

// wire-format.md §1.7: an offset inside the raw data.
#[test]
fn recv_list_offset_inside_message() {
    let raw = words(&[1, 2, 3]);
    let repr = MessageRepr {
        raw: &raw,
        recv_list_offset: 2,
        ..MessageRepr::EMPTY
    };
    let text = emit_fails(
        &repr,
        Error::RecvListOffsetInsideMessage {
            offset: 2,
            raw_end: 5,
        },
    );
    assert_eq!(
        text,
        "recv_list_offset 2 (words) points inside the message: the raw data ends at word 5"
    );
}

// message-json.md `c`: "as many as the count implies".
#[test]
fn entries_not_matching_count() {
    let one = [ReceiveListEntry::default()];
    let two = [ReceiveListEntry::default(); 2];
    let cases: [(u8, &[ReceiveListEntry], usize); 6] = [
        (0, &one, 0),
        (1, &one, 0),
        (2, &[], 1),
        (2, &two, 1),
        (3, &two, 1),
        (15, &one, 13),
    ];
    for (count, c, expected) in cases {
        let repr = MessageRepr {
            recv_list_count: count,
            c,
            ..MessageRepr::EMPTY
        };
        let text = emit_fails(
            &repr,
            Error::RecvListEntriesMismatch {
                count,
                expected,
                given: c.len(),
            },
        );
        assert_eq!(
            text,
            format!(
                "c: recv_list_count {count} implies {expected} receive-list entries, {} given",
                c.len()
            )
        );
    }
}

// message-json.md `reserved`: bits outside the reserved masks are refused.
#[test]
fn reserved_bits_outside_mask() {
    let repr = MessageRepr {
        header_reserved: 1 << 20,
        ..MessageRepr::EMPTY
    };
    let text = emit_fails(
        &repr,
        Error::BitsOutsideField {
            field: FieldPath {
                section: None,
                index: None,
                field: Field::HeaderReserved,
            },
            value: 1 << 20,
            mask: 0x000F_C000,
        },
    );
    assert_eq!(
        text,
        "reserved.header1: value 0x00100000 sets bits outside the field (allowed bits 0x000fc000)"
    );
    let repr = MessageRepr {
        special_header: true,
        special_reserved: 0x100,
        ..MessageRepr::EMPTY
    };
    let text = emit_fails(
        &repr,
        Error::BitsOutsideField {
            field: FieldPath {
                section: None,
                index: None,
                field: Field::SpecialReserved,
            },
            value: 0x100,
            mask: 0xFFFF_FE00,
        },
    );
    assert!(text.starts_with("reserved.special: "), "{text}");

    let e = PointerDescriptor::default().with_reserved(0x1).unwrap_err();
    assert_eq!(
        e.to_string(),
        "x[?].reserved: value 0x00000001 sets bits outside the field (allowed bits 0x00000e30)"
    );
    let e = BufferDescriptor::default().with_reserved(0x1F).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a/b/w[?].reserved: value 0x0000001f sets bits outside the field (allowed bits 0x00ffffe0)"
    );
    let e = ReceiveListEntry::default()
        .with_reserved(0x1_0000)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "c[?].reserved: value 0x00010000 sets bits outside the field (allowed bits 0x0000ff80)"
    );
}

// message-json.md `reserved.special`: needs a special header.
#[test]
fn special_reserved_without_special_header() {
    let repr = MessageRepr {
        special_reserved: 0x200,
        ..MessageRepr::EMPTY
    };
    let text = emit_fails(&repr, Error::SpecialReservedWithoutSpecialHeader);
    assert!(text.starts_with("reserved.special: "), "{text}");
    // Any of the special header's reasons makes it acceptable.
    let copy = handles(&[1]);
    for ok in [
        MessageRepr {
            special_header: true,
            ..repr
        },
        MessageRepr {
            pid: Some(1),
            ..repr
        },
        MessageRepr {
            copy_handles: &copy,
            ..repr
        },
    ] {
        let bytes = emit(&ok);
        assert_eq!(
            u32::from_le_bytes(bytes[8..12].try_into().unwrap()) & !0x1FF,
            0x200
        );
    }
}

// The output buffer is too small: nothing is written.
#[test]
fn buffer_too_small_leaves_buffer_unchanged() {
    let raw = words(&[1, 2, 3, 4]);
    let repr = MessageRepr {
        tag: 4,
        pid: Some(5),
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let needed = repr.buffer_len().unwrap();
    assert_eq!(needed, 36);
    for available in 0..needed {
        let mut small = vec![0x77u8; available];
        let err = repr.emit(&mut small).unwrap_err();
        assert_eq!(err, Error::BufferTooSmall { needed, available });
        assert!(small.iter().all(|&b| b == 0x77));
        assert_eq!(
            err.to_string(),
            format!(
                "buffer too small: the message needs {needed:#x} bytes, the buffer holds {available:#x}"
            )
        );
    }
    let mut exact = vec![0u8; needed];
    assert_eq!(repr.emit(&mut exact).unwrap(), needed);
}

// message-json.md: "A byte string shorter than the message its header declares is
// an error naming the section that does not fit" (wire-format.md §1.1 order).
#[test]
fn truncated_names_each_section() {
    let copy = handles(&[1]);
    let moves = handles(&[2]);
    let xs = [PointerDescriptor::default()];
    let bufs = [BufferDescriptor::default()];
    let raw = words(&[9]);
    let c = [ReceiveListEntry::default()];
    let repr = MessageRepr {
        tag: 4,
        pid: Some(1),
        copy_handles: &copy,
        move_handles: &moves,
        x: &xs,
        a: &bufs,
        b: &bufs,
        w: &bufs,
        raw: &raw,
        recv_list_count: 2,
        c: &c,
        ..MessageRepr::EMPTY
    };
    let bytes = emit(&repr);
    // (section, its end in bytes)
    let ends = [
        (Section::Header, 8),
        (Section::SpecialHeader, 12),
        (Section::Pid, 20),
        (Section::CopyHandles, 24),
        (Section::MoveHandles, 28),
        (Section::X, 36),
        (Section::A, 48),
        (Section::B, 60),
        (Section::W, 72),
        (Section::RawData, 76),
        (Section::ReceiveList, 84),
    ];
    assert_eq!(bytes.len(), 84);
    let mut start = 0;
    for (section, end) in ends {
        for len in start..end {
            let err = Message::new_checked(&bytes[..len]).unwrap_err();
            assert_eq!(
                err,
                Error::Truncated {
                    section,
                    needed: end,
                    available: len
                },
                "prefix of {len} bytes"
            );
            let text = err.to_string();
            assert!(
                text.starts_with(&format!("section {} does not fit", section.name())),
                "{text}"
            );
            assert!(text.contains(&format!("{end:#x}")), "{text}");
        }
        start = end;
    }
    assert!(Message::new_checked(&bytes[..]).is_ok());
}

// message-json.md key table: errors name sections and fields by their JSON keys
// (wire-format.md §1.1 section order).
#[test]
fn section_names_match_message_json_keys() {
    let names = [
        (Section::Header, "header"),
        (Section::SpecialHeader, "special_header"),
        (Section::Pid, "pid"),
        (Section::CopyHandles, "copy_handles"),
        (Section::MoveHandles, "move_handles"),
        (Section::X, "x"),
        (Section::A, "a"),
        (Section::B, "b"),
        (Section::W, "w"),
        (Section::RawData, "raw_words"),
        (Section::ReceiveList, "c"),
    ];
    for (section, name) in names {
        assert_eq!(section.name(), name);
        assert_eq!(section.to_string(), name);
    }
    let path = FieldPath {
        section: Some(Section::A),
        index: Some(3),
        field: Field::Mode,
    };
    assert_eq!(path.to_string(), "a[3].mode");
    assert_eq!(Field::Type.name(), "type");
    // Error is a core::error::Error.
    let boxed: Box<dyn std::error::Error> = Box::new(Error::SpecialReservedWithoutSpecialHeader);
    assert!(boxed.to_string().contains("special header"));
}

// The stable kinds used by the conformance vectors' `error.kind`, and the section
// and field each error names (message-json.md keys).
#[test]
fn error_kind_section_and_field() {
    let path = FieldPath {
        section: Some(Section::X),
        index: Some(0),
        field: Field::Address,
    };
    let cases = [
        (
            Error::Truncated {
                section: Section::Pid,
                needed: 20,
                available: 12,
            },
            "truncated",
            Some(Section::Pid),
            None,
        ),
        (
            Error::RecvListOffsetInsideMessage {
                offset: 3,
                raw_end: 5,
            },
            "recv_list_offset_inside_message",
            Some(Section::ReceiveList),
            None,
        ),
        (
            Error::ValueTooLarge {
                field: path,
                value: 1 << 39,
                max: (1 << 39) - 1,
            },
            "value_too_large",
            Some(Section::X),
            Some(path),
        ),
        (
            Error::BitsOutsideField {
                field: path,
                value: 1,
                mask: 0,
            },
            "bits_outside_field",
            Some(Section::X),
            Some(path),
        ),
        (
            Error::TooManyItems {
                section: Section::A,
                count: 16,
                max: 15,
            },
            "too_many_items",
            Some(Section::A),
            None,
        ),
        (
            Error::RawDataNotWords { len: 3 },
            "raw_data_not_words",
            Some(Section::RawData),
            None,
        ),
        (
            Error::RecvListEntriesMismatch {
                count: 2,
                expected: 1,
                given: 0,
            },
            "recv_list_entries_mismatch",
            Some(Section::ReceiveList),
            None,
        ),
        (
            Error::SpecialReservedWithoutSpecialHeader,
            "special_reserved_without_special_header",
            Some(Section::SpecialHeader),
            None,
        ),
        (
            Error::BufferTooSmall {
                needed: 8,
                available: 0,
            },
            "buffer_too_small",
            None,
            None,
        ),
    ];
    for (err, kind, section, field) in cases {
        assert_eq!(err.kind(), kind);
        assert_eq!(err.section(), section, "{err}");
        assert_eq!(err.field(), field, "{err}");
        assert!(!err.to_string().is_empty());
    }
}

// wire-format.md §1.4, §1.13: 1023 raw words is the largest count that fits, so
// with 1023 words and a receive-list count of 16 the error names the count, not
// the raw data.
#[test]
fn most_raw_words_then_a_field_too_large() {
    let raw = vec![0u8; 1023 * 4];
    let repr = MessageRepr {
        raw: &raw,
        recv_list_count: 16,
        ..MessageRepr::EMPTY
    };
    emit_fails(
        &repr,
        Error::ValueTooLarge {
            field: FieldPath {
                section: None,
                index: None,
                field: Field::RecvListCount,
            },
            value: 16,
            max: 15,
        },
    );
}

// wire-format.md §1.13: any two sections over the limit at once are refused too,
// naming the first in wire order.
#[test]
fn too_many_items_in_two_sections() {
    let hs = handles(&[0; 16]);
    let xs = vec![PointerDescriptor::default(); 16];
    let bs = vec![BufferDescriptor::default(); 16];
    let sections = [
        Section::CopyHandles,
        Section::MoveHandles,
        Section::X,
        Section::A,
        Section::B,
        Section::W,
    ];
    for first in 0..sections.len() {
        for second in first + 1..sections.len() {
            let mut repr = MessageRepr::EMPTY;
            for i in [first, second] {
                match i {
                    0 => repr.copy_handles = &hs,
                    1 => repr.move_handles = &hs,
                    2 => repr.x = &xs,
                    3 => repr.a = &bs,
                    4 => repr.b = &bs,
                    _ => repr.w = &bs,
                }
            }
            emit_fails(
                &repr,
                Error::TooManyItems {
                    section: sections[first],
                    count: 16,
                    max: 15,
                },
            );
        }
    }
}

// wire-format.md §1.4, §1.7: a receive-list offset of 2047 fits its 11 bits, so
// with a receive list whose entries do not match its count the error names the
// entries, not the offset.
#[test]
fn largest_offset_then_entries_mismatch() {
    let repr = MessageRepr {
        recv_list_offset: 2047,
        recv_list_count: 2,
        ..MessageRepr::EMPTY
    };
    emit_fails(
        &repr,
        Error::RecvListEntriesMismatch {
            count: 2,
            expected: 1,
            given: 0,
        },
    );
}

// wire-format.md §1.4: header reserved bits that set every bit outside the field
// (and none inside) are refused like any other.
#[test]
fn header_reserved_all_outside() {
    let value = !0x000F_C000u32;
    let repr = MessageRepr {
        header_reserved: value,
        ..MessageRepr::EMPTY
    };
    emit_fails(
        &repr,
        Error::BitsOutsideField {
            field: FieldPath {
                section: None,
                index: None,
                field: Field::HeaderReserved,
            },
            value,
            mask: 0x000F_C000,
        },
    );
}

// Error::at on a reserved-bits error: it names the item too.
#[test]
fn error_at_names_the_item_of_a_reserved_bits_error() {
    let e = BufferDescriptor::new(0, 0, BufferAttribute::Ipc)
        .unwrap()
        .with_reserved(1)
        .unwrap_err();
    assert!(matches!(e, Error::BitsOutsideField { .. }), "{e:?}");
    let e = e.at(Section::A, 1);
    assert!(e.to_string().starts_with("a[1].reserved"), "{e}");
}

/// A field of `MessageRepr` set to a value that does not fit, or to the largest
/// value that does.
struct Setting<'a> {
    /// The fields it sets: two settings sharing one are not combined.
    fields: &'static [&'static str],
    set: Box<dyn Fn(&mut MessageRepr<'a>) + 'a>,
}

fn setting<'a>(
    fields: &'static [&'static str],
    set: impl Fn(&mut MessageRepr<'a>) + 'a,
) -> Setting<'a> {
    Setting {
        fields,
        set: Box::new(set),
    }
}

fn too_large(field: Field, value: u64, max: u64) -> Error {
    Error::ValueTooLarge {
        field: FieldPath {
            section: None,
            index: None,
            field,
        },
        value,
        max,
    }
}

fn outside(field: Field, value: u32, mask: u32) -> Error {
    Error::BitsOutsideField {
        field: FieldPath {
            section: None,
            index: None,
            field,
        },
        value,
        mask,
    }
}

// wire-format.md §1.3, §1.4, §1.6, §1.7, §1.8, §1.13: every field that does not
// fit is refused whatever else is wrong with the message (no two mistakes cancel
// out), the error naming the first in the order the fields are checked (the
// order of `Error`'s field errors: counts, raw data, receive-list count and
// offset, entries, reserved bits); and a field at its largest value that fits is
// never the one named. Checked through `emit`, `header`, `layout` and
// `buffer_len` alike.
#[test]
fn two_fields_that_do_not_fit() {
    let h16 = handles(&[0; 16]);
    let h15 = handles(&[0; 15]);
    let x16 = vec![PointerDescriptor::default(); 16];
    let x15 = vec![PointerDescriptor::default(); 15];
    let b16 = vec![BufferDescriptor::default(); 16];
    let b15 = vec![BufferDescriptor::default(); 15];
    let raw1 = vec![0u8; 1];
    let raw1024 = vec![0u8; 1024 * 4];
    let raw1023 = vec![0u8; 1023 * 4];
    let c1 = vec![ReceiveListEntry::default(); 1];
    let c13 = vec![ReceiveListEntry::default(); 13];
    // Receive-list count 16 with the 14 entries its value would imply (§1.6:
    // value − 2): only the count's width is wrong.
    let c14 = vec![ReceiveListEntry::default(); 14];
    let items = |section| Error::TooManyItems {
        section,
        count: 16,
        max: 15,
    };
    // In the order checked.
    let faults: Vec<(Setting<'_>, Error)> = vec![
        (
            setting(&["copy"], |r| r.copy_handles = &h16),
            items(Section::CopyHandles),
        ),
        (
            setting(&["move"], |r| r.move_handles = &h16),
            items(Section::MoveHandles),
        ),
        (setting(&["x"], |r| r.x = &x16), items(Section::X)),
        (setting(&["a"], |r| r.a = &b16), items(Section::A)),
        (setting(&["b"], |r| r.b = &b16), items(Section::B)),
        (setting(&["w"], |r| r.w = &b16), items(Section::W)),
        (
            setting(&["raw"], |r| r.raw = &raw1),
            Error::RawDataNotWords { len: 1 },
        ),
        (
            setting(&["raw"], |r| r.raw = &raw1024),
            Error::TooManyItems {
                section: Section::RawData,
                count: 1024,
                max: 1023,
            },
        ),
        (
            setting(&["count"], |r| {
                r.recv_list_count = 16;
                r.c = &c14;
            }),
            too_large(Field::RecvListCount, 16, 15),
        ),
        (
            setting(&["offset"], |r| r.recv_list_offset = 2048),
            too_large(Field::RecvListOffset, 2048, 2047),
        ),
        (
            setting(&["count"], |r| r.c = &c1),
            Error::RecvListEntriesMismatch {
                count: 0,
                expected: 0,
                given: 1,
            },
        ),
        (
            setting(&["header_reserved"], |r| r.header_reserved = 1),
            outside(Field::HeaderReserved, 1, 0x000F_C000),
        ),
        (
            setting(&["special"], |r| {
                r.special_header = true;
                r.special_reserved = 1;
            }),
            outside(Field::SpecialReserved, 1, 0xFFFF_FE00),
        ),
        // Every bit below the field, none in it.
        (
            setting(&["special"], |r| {
                r.special_header = true;
                r.special_reserved = 0x1FF;
            }),
            outside(Field::SpecialReserved, 0x1FF, 0xFFFF_FE00),
        ),
        (
            setting(&["special", "copy", "move"], |r| {
                r.special_reserved = 0x200;
            }),
            Error::SpecialReservedWithoutSpecialHeader,
        ),
    ];
    let largest: Vec<Setting<'_>> = vec![
        setting(&["copy"], |r| r.copy_handles = &h15),
        setting(&["move"], |r| r.move_handles = &h15),
        setting(&["x"], |r| r.x = &x15),
        setting(&["a"], |r| r.a = &b15),
        setting(&["b"], |r| r.b = &b15),
        setting(&["w"], |r| r.w = &b15),
        setting(&["raw"], |r| r.raw = &raw1023),
        setting(&["count"], |r| {
            r.recv_list_count = 15;
            r.c = &c13;
        }),
        setting(&["offset"], |r| r.recv_list_offset = 2047),
        setting(&["header_reserved"], |r| r.header_reserved = 0x000F_C000),
        setting(&["special"], |r| {
            r.special_header = true;
            r.special_reserved = 0xFFFF_FE00;
        }),
    ];
    let shares = |a: &Setting<'_>, b: &Setting<'_>| a.fields.iter().any(|f| b.fields.contains(f));
    for (i, (first, error)) in faults.iter().enumerate() {
        let mut repr = MessageRepr::EMPTY;
        (first.set)(&mut repr);
        emit_fails(&repr, *error);
        for (second, _) in &faults[i + 1..] {
            if shares(first, second) {
                continue;
            }
            let mut repr = MessageRepr::EMPTY;
            (first.set)(&mut repr);
            (second.set)(&mut repr);
            emit_fails(&repr, *error);
        }
        for fits in &largest {
            if shares(first, fits) {
                continue;
            }
            let mut repr = MessageRepr::EMPTY;
            (fits.set)(&mut repr);
            (first.set)(&mut repr);
            emit_fails(&repr, *error);
        }
    }
}

// wire-format.md §1.7: the receive list lies at or after the end of the raw data
// (`offset ≥ Ri + Nraw`); in a message of the header alone the raw data ends at
// word 2, so an offset of 1 points inside the header and is refused, while 2 and
// above place an empty receive list after the message.
#[test]
fn recv_list_offset_inside_a_header_only_message() {
    let repr = MessageRepr {
        tag: 4,
        recv_list_offset: 1,
        ..MessageRepr::EMPTY
    };
    emit_fails(
        &repr,
        Error::RecvListOffsetInsideMessage {
            offset: 1,
            raw_end: 2,
        },
    );
    for offset in [2, 3, 2047] {
        let repr = MessageRepr {
            recv_list_offset: offset,
            ..repr
        };
        let bytes = emit(&repr);
        assert_eq!(bytes.len(), 8);
        let msg = Message::new_checked(&bytes[..]).unwrap();
        assert_eq!(msg.header().recv_list_offset(), offset);
    }
}

// wire-format.md §1.1, §1.7: the receive-list offset belongs to the receive list,
// the last section; a message that declares an offset inside itself but does not
// even hold an earlier section is refused for that section first, and for the
// offset only when everything before the receive list is there.
#[test]
fn truncated_section_named_before_an_offset_inside_the_message() {
    let xs = [PointerDescriptor::default()];
    let raw = words(&[1, 2]);
    let repr = MessageRepr {
        tag: 4,
        x: &xs,
        raw: &raw,
        ..MessageRepr::EMPTY
    };
    let mut bytes = emit(&repr);
    assert_eq!(bytes.len(), 24);
    // Receive-list offset 1: inside the header.
    bytes[6] |= 1 << 4;
    for (len, section, needed) in [
        (0, Section::Header, 8),
        (8, Section::X, 16),
        (16, Section::RawData, 24),
    ] {
        let expected = Error::Truncated {
            section,
            needed,
            available: len,
        };
        assert_eq!(Message::new_checked(&bytes[..len]).unwrap_err(), expected);
        assert_eq!(hipc::Sections::parse(&bytes[..len]).unwrap_err(), expected);
    }
    let expected = Error::RecvListOffsetInsideMessage {
        offset: 1,
        raw_end: 6,
    };
    assert_eq!(Message::new_checked(&bytes[..]).unwrap_err(), expected);
    assert_eq!(hipc::Sections::parse(&bytes[..]).unwrap_err(), expected);
}
