#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;

fn pattern(json: &str) -> MessagePattern {
    serde_json::from_str(json).unwrap()
}

fn actual() -> MessageJson {
    MessageJson {
        tag: 4,
        pid: Some(0x51),
        copy_handles: vec![0x10002, 0x10004],
        x: vec![PointerJson {
            index: 0,
            address: 0x2000_0040,
            size: 0x20,
            reserved: 0,
        }],
        a: vec![BufferJson {
            address: 0x4000_0123,
            size: 0x1000,
            mode: 0,
            reserved: 0,
        }],
        raw_words: vec![1, 2, 3],
        trailing_bytes: 0xc0,
        ..MessageJson::default()
    }
}

fn mismatch(p: Problem) -> Mismatch {
    match p {
        Problem::Mismatch(m) => *m,
        other => panic!("not a mismatch: {other:?}"),
    }
}

#[test]
fn a_full_pattern_matches_and_binds() {
    let mut s = Symbols::new();
    s.bind(
        "pid.C",
        0x51,
        Origin::Setup {
            what: "the pid of process",
            name: "C".into(),
            process: None,
        },
    );
    let p = pattern(
        r#"{"type": 4, "pid": "$pid.C", "copy_handles": ["$h1", "$h2"], "move_handles": [],
            "x": [{"index": 0, "address": "$xa", "size": "0x20"}],
            "a": [{"address": "$aa", "size": "*", "mode": 0}], "b": [], "w": [],
            "raw_words": [1, 2, "*"], "recv_list_count": 0, "c": []}"#,
    );
    assert_eq!(match_message(&p, &actual(), &mut s, 3), Ok(()));
    assert_eq!(s.get("h1").map(|b| b.value), Some(0x10002));
    assert_eq!(s.get("h2").map(|b| b.value), Some(0x10004));
    assert_eq!(s.get("xa").map(|b| b.value), Some(0x2000_0040));
    assert_eq!(
        s.get("aa").map(|b| b.origin.clone()),
        Some(Origin::Step {
            step: 3,
            field: "message.a[0].address".into()
        })
    );
}

#[test]
fn omitted_keys_and_wildcards_are_not_checked() {
    let mut s = Symbols::new();
    assert_eq!(match_message(&pattern("{}"), &actual(), &mut s, 0), Ok(()));
    let p = pattern(r#"{"copy_handles": "*", "x": "*", "pid": "*", "special_header": "*"}"#);
    assert_eq!(match_message(&p, &actual(), &mut s, 0), Ok(()));
}

#[test]
fn the_first_differing_field_is_named() {
    let mut s = Symbols::new();
    let p = pattern(r#"{"copy_handles": ["$h", "$h"]}"#);
    let m = mismatch(match_message(&p, &actual(), &mut s, 2).unwrap_err());
    assert_eq!(m.field, "message.copy_handles[1]");
    assert_eq!(m.expected, "$h = 0x10002");
    assert_eq!(m.actual, "0x10004");
    assert_eq!(
        m.detail.as_deref(),
        Some("$h was bound to 0x10002 at step 2 (message.copy_handles[0])")
    );

    let m = mismatch(
        match_message(&pattern(r#"{"copy_handles": [1]}"#), &actual(), &mut s, 0).unwrap_err(),
    );
    assert_eq!(m.field, "message.copy_handles");
    assert_eq!(m.detail.as_deref(), Some("1 expected, 2 found"));
    assert_eq!(
        (m.expected.as_str(), m.actual.as_str()),
        ("[0x1]", "[0x10002, 0x10004]")
    );

    let p = pattern(r#"{"x": [{"address": "0x20000080"}]}"#);
    let m = mismatch(match_message(&p, &actual(), &mut s, 0).unwrap_err());
    assert_eq!(m.field, "message.x[0].address");
    assert_eq!(
        (m.expected.as_str(), m.actual.as_str()),
        ("0x20000080", "0x20000040")
    );

    let m =
        mismatch(match_message(&pattern(r#"{"pid": null}"#), &actual(), &mut s, 0).unwrap_err());
    assert_eq!(m.field, "message.pid");

    let p = pattern(r#"{"trailing_bytes": 0}"#);
    let m = mismatch(match_message(&p, &actual(), &mut s, 0).unwrap_err());
    assert_eq!(m.field, "message.trailing_bytes");

    let p = pattern(r#"{"reserved": {"special": 0x200}}"#.replace("0x200", "512").as_str());
    let m = mismatch(match_message(&p, &actual(), &mut s, 0).unwrap_err());
    assert_eq!(m.field, "message.reserved.special");
}

#[test]
fn a_key_the_item_does_not_have_is_a_vector_error() {
    let mut s = Symbols::new();
    let p = pattern(r#"{"x": [{"mode": 0}]}"#);
    match match_message(&p, &actual(), &mut s, 0) {
        Err(Problem::Vector { field, .. }) => assert_eq!(field, "message.x[0].mode"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn inputs_default_omitted_keys_and_need_bound_symbols() {
    let mut s = Symbols::new();
    let m = build_input(&pattern(r#"{"type": 4, "raw_words": [7]}"#), &s).unwrap();
    assert_eq!(
        m,
        MessageJson {
            tag: 4,
            raw_words: vec![7],
            ..MessageJson::default()
        }
    );
    let p = pattern(r#"{"type": 4, "copy_handles": ["$ev"]}"#);
    match build_input(&p, &s) {
        Err(Problem::Vector { field, message }) => {
            assert_eq!(field, "message.copy_handles[0]");
            assert!(
                message.contains("$ev is used before it is bound"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    s.bind(
        "ev",
        0x8002,
        Origin::Setup {
            what: "event",
            name: "ev".into(),
            process: None,
        },
    );
    let m = build_input(&p, &s).unwrap();
    assert_eq!(m.copy_handles, vec![0x8002]);
    // Every key of every kind of item is an input, reserved bits included.
    let m = build_input(
        &pattern(
            r#"{"x": [{"index": 1, "address": 2, "size": 3, "reserved": 4}],
                "b": [{"address": 5, "size": 6, "mode": 1, "reserved": 7}],
                "c": [{"address": 8, "size": 9, "reserved": 10}]}"#,
        ),
        &s,
    )
    .unwrap();
    assert_eq!(
        (m.x[0].index, m.x[0].address, m.x[0].size, m.x[0].reserved),
        (1, 2, 3, 4)
    );
    assert_eq!(
        (m.b[0].address, m.b[0].size, m.b[0].mode, m.b[0].reserved),
        (5, 6, 1, 7)
    );
    assert_eq!((m.c[0].address, m.c[0].size, m.c[0].reserved), (8, 9, 10));
    assert!(matches!(
        build_input(&pattern(r#"{"raw_words": "*"}"#), &s),
        Err(Problem::Vector { .. })
    ));
    assert!(matches!(
        build_input(&pattern(r#"{"type": "0x10000"}"#), &s),
        Err(Problem::Vector { .. })
    ));
    assert!(matches!(
        build_input(&pattern(r#"{"type": -1}"#), &s),
        Err(Problem::Vector { .. })
    ));
    let bytes = encode_input(&pattern(r#"{"type": 4, "raw_words": [7]}"#), &s).unwrap();
    assert_eq!(bytes, vec![4, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0]);
    assert!(matches!(
        encode_input(&pattern(r#"{"x": [{"address": "0x8000000000"}]}"#), &s),
        Err(Problem::Vector { .. })
    ));
}

#[test]
fn the_expected_message_takes_actual_values_where_the_pattern_leaves_them_open() {
    let mut s = Symbols::new();
    s.bind(
        "h",
        0x10006,
        Origin::Setup {
            what: "x",
            name: String::new(),
            process: None,
        },
    );
    let p = pattern(
        r#"{"copy_handles": ["$h", "*"], "raw_words": [1, 2, 4], "x": [{"address": "$new"}]}"#,
    );
    let e = expected_message(&p, &s, &actual());
    assert_eq!(e.copy_handles, vec![0x10006, 0x10004]);
    assert_eq!(e.raw_words, vec![1, 2, 4]);
    assert_eq!(e.x, actual().x);
    assert_eq!(e.pid, Some(0x51));
    let p = pattern(r#"{"move_handles": [5], "pid": null}"#);
    let e = expected_message(&p, &s, &actual());
    assert_eq!(e.move_handles, vec![5]);
    assert_eq!(e.pid, None);
}

/// A message with a receive list and a B descriptor whose reserved bits are set.
fn with_receive_list() -> MessageJson {
    MessageJson {
        b: vec![BufferJson {
            address: 0x4000_0000,
            size: 0x100,
            mode: 1,
            reserved: 0x20,
        }],
        recv_list_count: 4,
        c: vec![
            ReceiveJson {
                address: 0x2000_0000,
                size: 0x40,
                reserved: 0,
            },
            ReceiveJson {
                address: 0x2000_0100,
                size: 0x80,
                reserved: 0x100,
            },
        ],
        ..actual()
    }
}

#[test]
fn receive_list_entries_and_reserved_bits_are_compared() {
    let mut s = Symbols::new();
    let full = pattern(
        r#"{"b": [{"address": "0x40000000", "size": "0x100", "mode": 1, "reserved": "0x20"}],
            "recv_list_count": 4,
            "c": [{"address": "0x20000000", "size": "0x40", "reserved": 0},
                  {"address": "0x20000100", "size": "0x80", "reserved": "0x100"}]}"#,
    );
    match_message(&full, &with_receive_list(), &mut s, 0).unwrap();
    for (json, field, expected, actual) in [
        (
            r#"{"c": [{"address": "0x20000000"}, {"size": "0x40"}]}"#,
            "message.c[1].size",
            "0x40",
            "0x80",
        ),
        (
            r#"{"c": [{}, {"address": "0x20000200"}]}"#,
            "message.c[1].address",
            "0x20000200",
            "0x20000100",
        ),
        (
            r#"{"c": [{"reserved": 0}, {"reserved": 0}]}"#,
            "message.c[1].reserved",
            "0",
            "0x100",
        ),
        (
            r#"{"b": [{"reserved": 0}]}"#,
            "message.b[0].reserved",
            "0",
            "0x20",
        ),
    ] {
        let m =
            mismatch(match_message(&pattern(json), &with_receive_list(), &mut s, 0).unwrap_err());
        assert_eq!(
            (m.field.as_str(), m.expected.as_str(), m.actual.as_str()),
            (field, expected, actual),
            "{json}"
        );
    }
}

#[test]
fn special_header_means_something_only_without_a_pid_or_handles() {
    let mut s = Symbols::new();
    let no_special = pattern(r#"{"special_header": false}"#);
    // A PID, copy handles or move handles imply the special header: the key
    // cannot contradict them.
    let implied = [
        MessageJson {
            pid: Some(1),
            special_header: true,
            ..MessageJson::default()
        },
        MessageJson {
            copy_handles: vec![0x10002],
            special_header: true,
            ..MessageJson::default()
        },
        MessageJson {
            move_handles: vec![0x10002],
            special_header: true,
            ..MessageJson::default()
        },
    ];
    for message in implied {
        match_message(&no_special, &message, &mut s, 0).unwrap();
    }
    // An empty special header is the key's to check.
    let empty = MessageJson {
        special_header: true,
        ..MessageJson::default()
    };
    let m = mismatch(match_message(&no_special, &empty, &mut s, 0).unwrap_err());
    assert_eq!(
        (m.field.as_str(), m.expected.as_str(), m.actual.as_str()),
        ("message.special_header", "false", "true")
    );
}

#[test]
fn the_expected_message_takes_the_patterns_items_and_special_header() {
    let s = Symbols::new();
    let p = pattern(
        r#"{"x": [{"address": "0x20000080"}], "c": [{"size": "0x10"}, {}],
            "special_header": true}"#,
    );
    let e = expected_message(&p, &s, &with_receive_list());
    assert_eq!(e.x[0].address, 0x2000_0080);
    assert_eq!(e.x[0].size, 0x20, "the rest of the item is the actual one");
    assert_eq!((e.c[0].size, e.c[0].address), (0x10, 0x2000_0000));
    assert_eq!(e.c[1], with_receive_list().c[1]);
    let e = expected_message(
        &p,
        &s,
        &MessageJson {
            special_header: false,
            ..MessageJson::default()
        },
    );
    assert!(e.special_header);
}

#[test]
fn the_expected_message_adds_a_symbols_offset() {
    let mut s = Symbols::new();
    s.bind(
        "h",
        0x10000,
        Origin::Setup {
            what: "x",
            name: String::new(),
            process: None,
        },
    );
    let e = expected_message(
        &pattern(r#"{"copy_handles": ["$h+2", "$h"]}"#),
        &s,
        &actual(),
    );
    assert_eq!(e.copy_handles, vec![0x10002, 0x10000]);
}
