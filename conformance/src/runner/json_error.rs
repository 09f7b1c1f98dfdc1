//! Naming a message-JSON reading error the way vectors name errors
//! (vectors/README.md "Codec tests").
//!
//! [`MessageJson::from_json`](crate::message_json::MessageJson::from_json) reports
//! every problem of the JSON text as [`JsonError::Invalid`] with the path of the
//! offending value: for a missing or unknown key that is the path of the object
//! holding it (`x[0]`), and an integer too large for the Rust type holding the field
//! (`type` 0x10000, `index` 256) is refused there too, before the codec sees it.
//! The README's contract names such errors differently: a missing or unknown key is
//! `json` with the key's own path (`x[0].size`), and an integer that is a proper
//! unsigned JSON integer but does not fit its field is `value_too_large`
//! (`bits_outside_field` for `reserved` bits), exactly as when the codec refuses it.
//! This module re-reads the offending value in the original JSON to tell these apart.

use serde_json::Value;

use crate::message_json::JsonError;

/// An error as vectors name it.
pub(crate) struct NamedError {
    pub(crate) kind: String,
    pub(crate) section: Option<String>,
    pub(crate) field: Option<String>,
    pub(crate) text: String,
}

impl NamedError {
    pub(crate) fn from_codec(e: &hipc::Error) -> Self {
        NamedError {
            kind: e.kind().into(),
            section: e.section().map(|s| s.name().to_string()),
            field: e.field().map(|f| f.to_string()),
            text: e.to_string(),
        }
    }

    /// Names an error of reading (or encoding) the message JSON `value`.
    pub(crate) fn from_json(e: &JsonError, value: &Value) -> Self {
        match e {
            JsonError::Codec(e) => Self::from_codec(e),
            JsonError::Syntax(text) => NamedError {
                kind: "json".into(),
                section: None,
                field: None,
                text: text.clone(),
            },
            JsonError::Invalid { path, .. } => {
                let (kind, field) = classify(path, value);
                // Like the codec's errors: a section only for a field of an item.
                let section = field
                    .as_deref()
                    .filter(|f| f.contains('['))
                    .and_then(|f| f.split('[').next())
                    .map(str::to_string);
                NamedError {
                    kind: kind.into(),
                    section,
                    field,
                    text: e.to_string(),
                }
            }
        }
    }
}

/// One step of a JSON path.
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Splits `x[1].address` into `x`, `1`, `address`; `None` if it is not a path.
fn segments(path: &str) -> Option<Vec<Seg<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (part.get(..i)?, part.get(i..)?),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Seg::Key(key));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            out.push(Seg::Index(r.get(..end)?.parse().ok()?));
            rest = r.get(end + 1..)?;
        }
    }
    Some(out)
}

fn lookup<'v>(value: &'v Value, segs: &[Seg<'_>]) -> Option<&'v Value> {
    segs.iter().try_fold(value, |v, s| match s {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

/// The keys of the object at a path (required ones first, in the reader's order),
/// by what the path names: the message, an X / A-B-W / C item, or `reserved`.
fn keys_at(segs: &[Seg<'_>]) -> Option<(&'static [&'static str], &'static [&'static str])> {
    const MESSAGE: &[&str] = &[
        "type",
        "pid",
        "copy_handles",
        "move_handles",
        "x",
        "a",
        "b",
        "w",
        "raw_words",
        "recv_list_count",
        "c",
    ];
    const MESSAGE_OPTIONAL: &[&str] = &[
        "special_header",
        "recv_list_offset",
        "trailing_bytes",
        "reserved",
    ];
    match segs {
        [] => Some((MESSAGE, MESSAGE_OPTIONAL)),
        [Seg::Key("x"), Seg::Index(_)] => Some((&["index", "address", "size"], &["reserved"])),
        [Seg::Key("a" | "b" | "w"), Seg::Index(_)] => {
            Some((&["address", "size", "mode"], &["reserved"]))
        }
        [Seg::Key("c"), Seg::Index(_)] => Some((&["address", "size"], &["reserved"])),
        [Seg::Key("reserved")] => Some((&[], &["header1", "special"])),
        _ => None,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Whether a path names an integer field of the message JSON (`type`,
/// `x[0].address`, `copy_handles[1]`, `reserved.header1`, ...).
fn is_integer_field(segs: &[Seg<'_>]) -> bool {
    match segs {
        [Seg::Key(k)] => matches!(
            *k,
            "type" | "pid" | "recv_list_count" | "recv_list_offset" | "trailing_bytes"
        ),
        [
            Seg::Key("copy_handles" | "move_handles" | "raw_words"),
            Seg::Index(_),
        ] => true,
        [
            Seg::Key("x" | "a" | "b" | "w" | "c"),
            Seg::Index(_),
            Seg::Key(k),
        ] => matches!(*k, "index" | "address" | "size" | "mode" | "reserved"),
        [Seg::Key("reserved"), Seg::Key("header1" | "special")] => true,
        _ => false,
    }
}

/// The kind and field of a reading error at `path` of `value`.
fn classify(path: &str, value: &Value) -> (&'static str, Option<String>) {
    let fallback = ("json", (!path.is_empty()).then(|| path.to_string()));
    let Some(segs) = segments(path) else {
        return fallback;
    };
    let Some(at) = lookup(value, &segs) else {
        return fallback;
    };
    match at {
        // A key problem: name the key.
        Value::Object(map) => {
            let Some((required, optional)) = keys_at(&segs) else {
                return fallback;
            };
            if let Some(unknown) = map
                .keys()
                .find(|k| !required.contains(&k.as_str()) && !optional.contains(&k.as_str()))
            {
                return ("json", Some(join(path, unknown)));
            }
            if let Some(missing) = required.iter().find(|k| !map.contains_key(**k)) {
                return ("json", Some(join(path, missing)));
            }
            fallback
        }
        // A proper unsigned integer refused: it does not fit its field.
        Value::Number(n) if n.as_u64().is_some() && is_integer_field(&segs) => {
            let reserved = matches!(
                segs.last(),
                Some(Seg::Key("reserved" | "header1" | "special"))
            );
            let kind = if reserved {
                "bits_outside_field"
            } else {
                "value_too_large"
            };
            (kind, Some(path.to_string()))
        }
        _ => fallback,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::message_json::MessageJson;

    const MESSAGE: &str = r#"{"type": 4, "pid": null, "copy_handles": [], "move_handles": [], "x": [{"index": 0, "address": 1, "size": 2}], "a": [], "b": [], "w": [], "raw_words": [], "recv_list_count": 0, "c": []}"#;

    fn name(text: &str) -> (String, Option<String>, Option<String>) {
        let value: Value = serde_json::from_str(text).unwrap();
        let err = MessageJson::from_json(text)
            .and_then(|m| m.to_bytes())
            .unwrap_err();
        let n = NamedError::from_json(&err, &value);
        (n.kind, n.section, n.field)
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn keys_are_named_by_their_own_path() {
        let missing = MESSAGE.replace(", \"size\": 2", "");
        assert_eq!(name(&missing), ("json".into(), s("x"), s("x[0].size")));
        let unknown = MESSAGE.replace("\"size\": 2", "\"size\": 2, \"mode\": 0");
        assert_eq!(name(&unknown), ("json".into(), s("x"), s("x[0].mode")));
        let top = MESSAGE.replace("\"pid\": null, ", "");
        assert_eq!(name(&top), ("json".into(), None, s("pid")));
        let extra = MESSAGE.replace("\"type\": 4", "\"type\": 4, \"typo\": 1");
        assert_eq!(name(&extra), ("json".into(), None, s("typo")));
    }

    #[test]
    fn integers_too_large_for_their_field_are_value_too_large() {
        let big = MESSAGE.replace("\"type\": 4", "\"type\": 65536");
        assert_eq!(name(&big), ("value_too_large".into(), None, s("type")));
        let big = MESSAGE.replace("\"index\": 0", "\"index\": 256");
        assert_eq!(
            name(&big),
            ("value_too_large".into(), s("x"), s("x[0].index"))
        );
        // The codec's own refusal is named the same way.
        let big = MESSAGE.replace("\"index\": 0", "\"index\": 16");
        assert_eq!(
            name(&big),
            ("value_too_large".into(), s("x"), s("x[0].index"))
        );
        let bits = MESSAGE.replace(
            "\"c\": []",
            "\"c\": [], \"reserved\": {\"special\": 4294967296}",
        );
        assert_eq!(
            name(&bits),
            ("bits_outside_field".into(), None, s("reserved.special"))
        );
    }

    #[test]
    fn shape_errors_stay_json() {
        let neg = MESSAGE.replace("\"type\": 4", "\"type\": -4");
        assert_eq!(name(&neg), ("json".into(), None, s("type")));
        let frac = MESSAGE.replace("\"type\": 4", "\"type\": 4.5");
        assert_eq!(name(&frac), ("json".into(), None, s("type")));
        let wrong = MESSAGE.replace(
            "\"x\": [{\"index\": 0, \"address\": 1, \"size\": 2}]",
            "\"x\": 3",
        );
        assert_eq!(name(&wrong), ("json".into(), None, s("x")));
        assert_eq!(name("[]"), ("json".into(), None, None));
    }
}
