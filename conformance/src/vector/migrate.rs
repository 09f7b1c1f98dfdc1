//! Reading format v1 files as format v2 (vectors/README.md "Versioning").
//!
//! Two things changed meaning between the versions, both for kernels that are not
//! shaped like the model:
//!
//! * A step's `buffer`, when omitted, was the thread's TLS buffer in v1; in v2 it
//!   is `"any"`, the thread's message buffer of whichever kind the kernel has. A v1
//!   file keeps its meaning: its omitted buffers become `"tls"`.
//! * v1's `"out_index": null` asserted that the kernel left the out index
//!   unwritten, which docs/spec/kernel-semantics.md §9 (**out_index on failure**)
//!   leaves unspecified. v2 has no such form (the loader refuses it, see
//!   [`check_v2`]); in a v1 file it is dropped, so the out index is not checked
//!   there, which is all the specification allows.
//!
//! Both work on a test's JSON in the file form (`{"op": "send", ...}`), before it is
//! parsed, so that every later error still names the file's own JSON path.

use serde_json::Value;

/// The ops whose `buffer` defaults when omitted (with a `thread`, for the ones that
/// can also name a process and an address instead).
const BUFFER_OPS: &[&str] = &[
    "send",
    "reply_and_receive",
    "write",
    "expect_message",
    "expect_words",
];

/// Whether `step` uses a thread's message buffer without naming its kind.
pub(crate) fn has_default_buffer(step: &serde_json::Map<String, Value>) -> bool {
    let op = step.get("op").and_then(Value::as_str).unwrap_or("");
    let thread_buffer = matches!(op, "send" | "reply_and_receive") || step.contains_key("thread");
    BUFFER_OPS.contains(&op) && thread_buffer && !step.contains_key("buffer")
}

/// Rewrites a v1 kernel test so that it means under v2 what it meant under v1.
pub fn v1_to_v2(test: &mut Value) {
    let Some(steps) = test.get_mut("steps").and_then(Value::as_array_mut) else {
        return;
    };
    for step in steps.iter_mut().filter_map(Value::as_object_mut) {
        if has_default_buffer(step) {
            step.insert("buffer".into(), Value::String("tls".into()));
        }
        if let Some(expect) = step.get_mut("expect").and_then(Value::as_object_mut) {
            if expect.get("out_index").is_some_and(Value::is_null) {
                expect.remove("out_index");
            }
        }
    }
}

/// Refuses what v2 does not have: `"out_index": null`. The error is the JSON path
/// within the test and the message.
pub fn check_v2(test: &Value) -> Result<(), (String, String)> {
    let Some(steps) = test.get("steps").and_then(Value::as_array) else {
        return Ok(());
    };
    for (i, step) in steps.iter().enumerate() {
        let null_index = step
            .get("expect")
            .and_then(|e| e.get("out_index"))
            .is_some_and(Value::is_null);
        if null_index {
            return Err((
                format!("steps[{i}].expect.out_index"),
                "out_index null (\"must not be written\") is not part of format v2: the kernel \
                 leaves the out index unwritten on TimedOut and on an invalid reply target, and \
                 its value is then unspecified (docs/spec/kernel-semantics.md §9, out_index on \
                 failure); omit the key"
                    .into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    #[test]
    fn v1_buffers_become_tls_and_null_out_index_goes() {
        let mut t = json!({"steps": [
            {"op": "send", "thread": "C"},
            {"op": "reply_and_receive", "thread": "S", "expect": {"result": 0, "out_index": null}},
            {"op": "expect_message", "process": "S", "address": 4096},
            {"op": "expect_words", "thread": "S", "buffer": {"address": 1, "size": 2}},
            {"op": "close", "process": "C", "handle": 1},
        ]});
        v1_to_v2(&mut t);
        assert_eq!(t["steps"][0]["buffer"], "tls");
        assert_eq!(t["steps"][1]["buffer"], "tls");
        assert_eq!(t["steps"][1]["expect"], json!({"result": 0}));
        assert!(t["steps"][2].get("buffer").is_none());
        assert_eq!(t["steps"][3]["buffer"]["size"], 2);
        assert!(t["steps"][4].get("buffer").is_none());
    }

    #[test]
    fn v2_refuses_null_out_index_with_its_path() {
        let t = json!({"steps": [{"op": "send"}, {"op": "reply_and_receive",
            "expect": {"out_index": null}}]});
        let (path, message) = check_v2(&t).unwrap_err();
        assert_eq!(path, "steps[1].expect.out_index");
        assert!(message.contains("§9"), "{message}");
        assert!(check_v2(&json!({"steps": [{"expect": {"out_index": 0}}]})).is_ok());
    }
}
