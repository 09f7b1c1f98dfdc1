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
