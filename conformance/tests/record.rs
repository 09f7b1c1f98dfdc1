//! `hipc record`: a scenario recorded against the model replays against the model.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hipc_conformance::cli::run::run_files;
use hipc_conformance::kernel::Kernel;
use hipc_conformance::model::ModelKernel;
use hipc_conformance::record::record_str;
use hipc_conformance::runner::Status;
use hipc_conformance::vector::{FileKind, load_corpus, load_str};
use serde_json::Value;

/// A request with a copy handle, a reply with a move handle, a close: no step
/// says what it expects.
const SCENARIO: &str = r#"{
  "schema": "hipc-vectors/1", "kind": "kernel", "topic": "record-me",
  "description": "A round trip with handles, expectations left to the recorder.",
  "source": {"spec": ["kernel-semantics.md §8 #13"]},
  "notes": {},
  "groups": [{"name": "round-trip", "tests": [
    {"id": "record-round-trip", "comment": "C sends a copy handle, S replies with a move handle.",
     "flags": [], "result": "valid", "requires": ["tls-buffer", "copy-handles", "move-handles"],
     "setup": {"processes": [{"name": "C"}, {"name": "S"}],
               "events": [{"name": "evC", "process": "C", "kind": "event"},
                          {"name": "evS", "process": "S", "kind": "event"}],
               "sessions": [{"name": "s", "server": "S", "client": "C"}]},
     "steps": [
       {"op": "send", "thread": "C", "session": "$s.client",
        "message": {"type": 4, "copy_handles": ["$evC"], "raw_words": [1, 2]}},
       {"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"]},
       {"op": "reply_and_receive", "thread": "S", "handles": [], "reply_target": "$s.server",
        "message": {"type": 0, "move_handles": ["$evS"], "raw_words": [3]}},
       {"op": "close", "process": "C", "handle": "$s.client"},
       {"op": "close", "process": "C", "handle": "0x1234"}
     ]},
    {"id": "record-needs-ams", "comment": "Skipped on the model: left as it is.",
     "flags": [], "result": "acceptable", "requires": ["ams-pid-passthrough"],
     "setup": {"processes": [{"name": "C"}]},
     "steps": [{"op": "close", "process": "C", "handle": "0x1234"}]}
  ]}]}"#;

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("hipc-record-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn hipc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hipc"))
        .args(args)
        .output()
        .expect("run hipc")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn record_then_run_passes() {
    let dir = TempDir::new("cli");
    let scenario = dir.0.join("scenario.json");
    let out = dir.0.join("recorded.json");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let o = hipc(&[
        "record",
        scenario.to_str().unwrap(),
        "--kernel",
        "model",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(
            "recorded 1 tests (1 skipped): 5 expect keys filled, 2 expect_message steps inserted"
        ),
        "{}",
        text(&o.stderr)
    );
    let recorded = std::fs::read_to_string(&out).unwrap();
    let v: Value = serde_json::from_str(&recorded).unwrap();
    let from = &v["source"]["recorded_from"];
    assert_eq!(from["kernel"], "model");
    assert!(from["version"].is_string());
    assert_eq!(from["date"].as_str().unwrap().len(), 10);
    let steps = v["groups"][0]["tests"][0]["steps"].as_array().unwrap();
    let ops: Vec<&str> = steps.iter().map(|s| s["op"].as_str().unwrap()).collect();
    assert_eq!(
        ops,
        [
            "send",
            "reply_and_receive",
            "expect_message",
            "reply_and_receive",
            "expect_message",
            "close",
            "close"
        ]
    );
    assert_eq!(steps[0]["expect"], "pending");
    assert_eq!(
        steps[1]["expect"],
        serde_json::json!({"result": "Success", "out_index": 0})
    );
    let received = &steps[2]["message"];
    assert_eq!(steps[2]["thread"], "S");
    assert_eq!(received["type"], 4);
    assert_eq!(received["copy_handles"], serde_json::json!(["$h1"]));
    assert_eq!(received["raw_words"], serde_json::json!([1, 2]));
    assert_eq!(received["pid"], Value::Null);
    // The kernel wrote no out index: its value is unspecified (kernel-semantics.md
    // §9, out_index on failure), so the recording asserts none.
    assert_eq!(
        steps[3]["expect"],
        serde_json::json!({"result": "TimedOut"})
    );
    assert_eq!(steps[4]["thread"], "C");
    assert_eq!(
        steps[4]["message"]["move_handles"],
        serde_json::json!(["$h2"])
    );
    assert_eq!(steps[4]["message"]["raw_words"], serde_json::json!([3]));
    assert_eq!(steps[5]["expect"], serde_json::json!({"result": "Success"}));
    assert_eq!(
        steps[6]["expect"],
        serde_json::json!({"result": "InvalidHandle"})
    );
    // The skipped test is untouched.
    let skipped = &v["groups"][0]["tests"][1]["steps"][0];
    assert!(skipped.get("expect").is_none(), "{skipped}");
    // One step per line.
    assert!(
        recorded.contains(
            "\n            {\"op\": \"send\", \"thread\": \"C\", \"session\": \"$s.client\""
        ),
        "{recorded}"
    );

    let o = hipc(&["run", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(
        text(&o.stdout).ends_with("kernel: 1 passed, 0 failed, 1 skipped\n"),
        "{}",
        text(&o.stdout)
    );
    // Recording a recorded file changes nothing but the date.
    let again = record_str(
        &mut ModelKernel::new(),
        "recorded.json",
        &recorded,
        "2000-01-01",
    )
    .unwrap();
    assert_eq!((again.expects_filled, again.messages_inserted), (0, 0));
}

#[test]
fn record_refuses_bad_input() {
    let dir = TempDir::new("bad");
    let codec = dir.0.join("codec.json");
    std::fs::write(
        &codec,
        r#"{"schema": "hipc-vectors/1", "kind": "codec", "topic": "t", "description": "d",
            "source": {"spec": []}, "notes": {}, "groups": []}"#,
    )
    .unwrap();
    let o = hipc(&["record", codec.to_str().unwrap(), "--kernel", "model"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("only kernel vector files"),
        "{}",
        text(&o.stderr)
    );
    let o = hipc(&["record", codec.to_str().unwrap(), "--kernel", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    let o = hipc(&["record", codec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "--kernel is required");
    let broken = SCENARIO.replace("\"handles\": [\"$s.server\"]}", "\"handles\": [\"$nope\"]}");
    let err = record_str(&mut ModelKernel::new(), "x.json", &broken, "d").unwrap_err();
    assert!(
        err.contains("record-round-trip") && err.contains("step 1") && err.contains("$nope"),
        "{err}"
    );
}

fn strip_expects(value: &mut Value) -> usize {
    let mut stripped = 0;
    for group in value["groups"].as_array_mut().unwrap() {
        for test in group["tests"].as_array_mut().unwrap() {
            let Some(steps) = test.get_mut("steps").and_then(Value::as_array_mut) else {
                continue;
            };
            for step in steps {
                let op = step["op"].as_str().unwrap_or("").to_owned();
                if matches!(
                    op.as_str(),
                    "send" | "send_async" | "reply_and_receive" | "close"
                ) && step.as_object_mut().unwrap().remove("expect").is_some()
                {
                    stripped += 1;
                }
            }
        }
    }
    stripped
}

/// Every kernel file of the corpus, with its syscall expectations removed, recorded
/// against the model, replays against the model: the tests it passed still pass.
#[test]
fn corpus_stripped_and_recorded_replays() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors = manifest.parent().unwrap().join("vectors");
    let (files, _) = load_corpus(&[vectors]);
    let mut recorded_files = 0;
    for file in files
        .iter()
        .filter(|f| f.kind == FileKind::Kernel && f.errors.is_empty())
    {
        let mut model = ModelKernel::new();
        let info = model.info();
        let before = run_files(&mut model, &info, std::slice::from_ref(file), &[], &[]);
        let mut value: Value =
            serde_json::from_str(&std::fs::read_to_string(&file.path).unwrap()).unwrap();
        let stripped = strip_expects(&mut value);
        let recorded = record_str(&mut model, &file.path, &value.to_string(), "2000-01-01")
            .unwrap_or_else(|e| panic!("{e}"));
        // Steps the file left without `expect` get one too.
        assert!(
            recorded.expects_filled >= stripped - skipped_expects(&value, &info),
            "{}",
            file.path
        );
        let reloaded = load_str(&file.path, &recorded.text).unwrap();
        assert!(reloaded.errors.is_empty(), "{:?}", reloaded.errors);
        let after = run_files(&mut model, &info, std::slice::from_ref(&reloaded), &[], &[]);
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b.outcome.id, a.outcome.id);
            if b.outcome.status == Status::Passed {
                assert_eq!(
                    a.outcome.status,
                    Status::Passed,
                    "{} {}: {:?}\n{}",
                    file.path,
                    a.outcome.id,
                    a.outcome.reason,
                    recorded.text
                );
            }
        }
        recorded_files += 1;
    }
    assert!(recorded_files > 0, "no kernel vector file to record");
}

/// Expectations removed from tests the model skips (they stay removed).
fn skipped_expects(value: &Value, info: &hipc_conformance::kernel::KernelInfo) -> usize {
    let caps: Vec<&str> = info.capabilities.iter().map(|c| c.name()).collect();
    let mut n = 0;
    for group in value["groups"].as_array().unwrap() {
        for test in group["tests"].as_array().unwrap() {
            let names = |key: &str| -> Vec<String> {
                test.get(key)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let runnable = names("requires").iter().all(|c| caps.contains(&c.as_str()))
                && !names("excludes").iter().any(|c| caps.contains(&c.as_str()));
            if !runnable {
                n += test["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| {
                        matches!(
                            s["op"].as_str(),
                            Some("send" | "send_async" | "reply_and_receive" | "close")
                        )
                    })
                    .count();
            }
        }
    }
    n
}

/// A request with a PID from C to S, whose set-up binds the name `h1` (an event no
/// step names).
const PID_SCENARIO: &str = r#"{
  "schema": "hipc-vectors/2", "kind": "kernel", "topic": "record-pid",
  "description": "A PID and a copy handle recorded as symbols.",
  "source": {"spec": ["kernel-semantics.md §4.3"]},
  "notes": {},
  "groups": [{"name": "pid", "tests": [
    {"id": "record-pid", "comment": "C sends its PID and a copy handle.",
     "flags": [], "result": "valid", "requires": ["pid", "copy-handles"],
     "setup": {"processes": [{"name": "C"}, {"name": "S"}],
               "events": [{"name": "h1", "process": "C", "kind": "event"},
                          {"name": "ev", "process": "C", "kind": "event"}],
               "sessions": [{"name": "s", "server": "S", "client": "C"}]},
     "steps": [
       {"op": "send", "thread": "C", "session": "$s.client",
        "message": {"type": 4, "pid": 0, "copy_handles": ["$ev"], "raw_words": [1]}},
       {"op": "reply_and_receive", "thread": "S", "handles": ["$s.server"]}
     ]}
  ]}]}"#;

#[test]
fn a_pid_is_recorded_as_the_senders_and_new_handles_get_free_names() {
    let recorded = record_str(
        &mut ModelKernel::new(),
        "pid.json",
        PID_SCENARIO,
        "2026-12-05",
    )
    .unwrap();
    let v: Value = serde_json::from_str(&recorded.text).unwrap();
    let message = &v["groups"][0]["tests"][0]["steps"][2]["message"];
    // The PID the server sees is C's, named by its symbol rather than its value.
    assert_eq!(message["pid"], "$pid.C", "{message}");
    // `h1` is the set-up's (unused) event: the received handle is named `$h2`.
    assert_eq!(
        message["copy_handles"],
        serde_json::json!(["$h2"]),
        "{message}"
    );
    // And the recording replays.
    let file = load_str("pid.json", &recorded.text).unwrap();
    let mut model = ModelKernel::new();
    let info = model.info();
    let results = run_files(&mut model, &info, &[file], &[], &[]);
    assert!(
        results.len() == 1 && results[0].outcome.status == Status::Passed,
        "{results:?}"
    );
}
