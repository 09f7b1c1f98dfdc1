//! No kernel vector asserts what docs/spec/kernel-semantics.md §9 leaves
//! unspecified: a kernel that differs from the model there is still correct, and
//! must never fail for it.
//!
//! * **out_index on failure**: the kernel writes no out index on TimedOut, on an
//!   invalid reply target (§6.3 step 4), nor when a check before the reply fails
//!   (§6.3 steps 1-3: the user buffer, the handle count, the wait handles). A
//!   vector asserts `out_index` only with a result after which §6.3 says it is
//!   written (the index after a receive, −1 after a failed reply), and never
//!   `null` (format v2 has no such form).
//! * **handle values**: a handle a kernel creates is written as a symbol bound on
//!   first sight (or `"*"`); the only literal is 0, the null handle, which §4.3
//!   passes through unchanged.
//! * **server alias addresses**: the address of a mapped A/B/W buffer in a
//!   received message is a symbol (or `"*"`); the only literal is 0, the null
//!   buffer of a size-0 descriptor (§4.4).
//!
//! The one message that may hold literal handles and addresses is a client's own
//! request, expected back unchanged in its buffer after a failure (§4.7 and §5.4
//! call the client buffer untouched): the kernel chose none of its values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::Path;

use serde_json::Value;

/// Results of ReplyAndReceive after which the out index is not written (§6.3).
const NOT_WRITTEN: &[&str] = &[
    "TimedOut",
    "InvalidHandle",
    "OutOfRange",
    "InvalidPointer",
    "InvalidAddress",
    "InvalidSize",
    "InvalidCurrentMemory",
];

fn kernel_files() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("vectors/kernel");
    let mut files: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            (
                path.display().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(files.len() >= 10, "the kernel corpus is there");
    files
}

/// Every step of every kernel test: (file, test id, step index, step).
fn steps() -> Vec<(String, String, usize, Value)> {
    let mut out = Vec::new();
    for (file, v) in kernel_files() {
        for group in v["groups"].as_array().unwrap() {
            for test in group["tests"].as_array().unwrap() {
                let id = test["id"].as_str().unwrap().to_owned();
                for (i, step) in test["steps"].as_array().unwrap().iter().enumerate() {
                    out.push((file.clone(), id.clone(), i, step.clone()));
                }
            }
        }
    }
    out
}

/// A symbol (`"$h1"`), a wildcard or the literal 0.
fn opaque_or_null(value: &Value) -> bool {
    match value {
        Value::String(s) => s.starts_with('$') || s == "*" || s == "0x0" || s == "0",
        Value::Number(n) => n.as_u64() == Some(0),
        _ => false,
    }
}

#[test]
fn out_index_is_asserted_only_where_the_kernel_writes_it() {
    let mut bad = Vec::new();
    let mut asserted = 0;
    for (file, id, i, step) in steps() {
        let Some(expect) = step.get("expect").and_then(Value::as_object) else {
            continue;
        };
        let Some(out_index) = expect.get("out_index") else {
            continue;
        };
        asserted += 1;
        let result = expect
            .get("result")
            .and_then(Value::as_str)
            .unwrap_or("Success");
        if out_index.is_null() || NOT_WRITTEN.contains(&result) {
            bad.push(format!(
                "{file}: {id}: steps[{i}]: out_index {out_index} with {result}"
            ));
        }
    }
    assert!(asserted > 100, "{asserted} out indices asserted");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn handle_values_and_alias_addresses_are_never_literals() {
    let mut bad = Vec::new();
    // The message each thread of the current test last sent.
    let mut sent: Vec<(String, Value)> = Vec::new();
    let mut test = String::new();
    for (file, id, i, step) in steps() {
        if id != test {
            test.clone_from(&id);
            sent.clear();
        }
        let thread = step["thread"].as_str().unwrap_or_default().to_owned();
        if matches!(step["op"].as_str(), Some("send" | "send_async")) {
            sent.retain(|(t, _)| *t != thread);
            sent.push((thread, step["message"].clone()));
            continue;
        }
        if step["op"] != "expect_message" {
            continue;
        }
        let own_request = sent
            .iter()
            .any(|(t, m)| *t == thread && *m == step["message"]);
        if own_request {
            continue;
        }
        let message = &step["message"];
        for key in ["copy_handles", "move_handles"] {
            for h in message[key].as_array().into_iter().flatten() {
                if !opaque_or_null(h) {
                    bad.push(format!("{file}: {id}: steps[{i}]: {key} {h}"));
                }
            }
        }
        for key in ["a", "b", "w"] {
            for d in message[key].as_array().into_iter().flatten() {
                if d.get("address").is_some_and(|a| !opaque_or_null(a)) {
                    bad.push(format!(
                        "{file}: {id}: steps[{i}]: {key} address {}",
                        d["address"]
                    ));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
