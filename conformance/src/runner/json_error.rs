//! Naming a message-JSON error the way vectors name errors (vectors/README.md "Codec
//! tests").
//!
//! [`MessageJson::from_json`](crate::message_json::MessageJson::from_json) names
//! every problem at its source, so the mapping is direct:
//!
//! * [`JsonError::Codec`]: the codec's error (also for a value the JSON reader
//!   refuses because it does not fit the field, `value_too_large` /
//!   `bits_outside_field`), with its kind, section and field;
//! * [`JsonError::Wide`]: reserved bits above bit 31, the codec's error for them;
//! * [`JsonError::WordTooLarge`]: a handle or raw word above `u32::MAX`,
//!   `value_too_large` naming the word;
//! * [`JsonError::Invalid`] and [`JsonError::Syntax`]: `json`, with the path of the
//!   offending value or key (`x[0].size` for a missing or unknown key) as `field`.

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

    /// Names an error of reading (or encoding) a message JSON.
    pub(crate) fn from_json(e: &JsonError) -> Self {
        match e {
            JsonError::Codec(error) => Self::from_codec(error),
            JsonError::Wide { error, .. } => NamedError {
                text: e.to_string(),
                ..Self::from_codec(error)
            },
            JsonError::WordTooLarge { path, section, .. } => NamedError {
                kind: "value_too_large".into(),
                section: Some(section.name().into()),
                field: Some(path.clone()),
                text: e.to_string(),
            },
            JsonError::Syntax(_) => NamedError {
                kind: "json".into(),
                section: None,
                field: None,
                text: e.to_string(),
            },
            JsonError::Invalid { path, .. } => NamedError {
                kind: "json".into(),
                // Like the codec's errors: a section only for a key of an item of a
                // message section (`x[0].size` is in section `x`).
                section: path
                    .split_once('[')
                    .map(|(section, _)| section)
                    .filter(|s| !s.is_empty() && !s.contains('.'))
                    .map(str::to_string),
                field: (!path.is_empty()).then(|| path.clone()),
                text: e.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::message_json::MessageJson;

    const MESSAGE: &str = r#"{"type": 4, "pid": null, "copy_handles": [], "move_handles": [], "x": [{"index": 0, "address": 1, "size": 2}], "a": [], "b": [], "w": [], "raw_words": [], "recv_list_count": 0, "c": []}"#;

    fn name(text: &str) -> (String, Option<String>, Option<String>) {
        let err = MessageJson::from_json(text)
            .and_then(|m| m.to_bytes())
            .unwrap_err();
        let n = NamedError::from_json(&err);
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
        let word = MESSAGE.replace("\"raw_words\": []", "\"raw_words\": [1, 4294967296]");
        assert_eq!(
            name(&word),
            ("value_too_large".into(), s("raw_words"), s("raw_words[1]"))
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
        assert_eq!(name("{"), ("json".into(), None, None));
    }

    #[test]
    fn reserved_bits_given_too_wide_show_the_value_as_given() {
        let bits = MESSAGE.replace(
            "\"c\": []",
            "\"c\": [], \"reserved\": {\"special\": 4294967296}",
        );
        let err = MessageJson::from_json(&bits)
            .and_then(|m| m.to_bytes())
            .unwrap_err();
        let n = NamedError::from_json(&err);
        assert!(n.text.contains("value 0x100000000 sets bits"), "{}", n.text);
    }

    #[test]
    fn a_section_is_named_only_for_an_item_of_a_message_section() {
        let section = |path: &str| {
            NamedError::from_json(&JsonError::Invalid {
                path: path.into(),
                problem: "p".into(),
            })
            .section
        };
        assert_eq!(section("x[0].size"), s("x"));
        assert_eq!(section("[0]"), None);
        assert_eq!(section("reserved.header1"), None);
        assert_eq!(section("cmif.in_objects[0]"), None);
        assert_eq!(section(""), None);
    }
}
