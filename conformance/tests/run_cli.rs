//! End-to-end tests of `hipc run` and `hipc faults`: the binary on vector files in a
//! temporary directory (plain `std::process::Command`, as in `tests/cli.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hipc_conformance::model::Fault;

const GOOD: &str = r#"{
  "schema": "hipc-vectors/1", "kind": "codec", "topic": "tiny",
  "description": "One valid message.", "source": {"spec": ["wire-format.md §6"]},
  "notes": {"Pair": "A worked pair."},
  "groups": [{"name": "g", "tests": [
    {"id": "tiny-request", "comment": "A CMIF-looking request decodes and re-encodes.",
     "flags": ["Pair"], "result": "valid",
     "bytes": "040000000400000053464349000000001100000000000000",
     "message": {"type": 4, "pid": null, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "raw_words": [1229145683, 0, 17, 0], "recv_list_count": 0, "c": []}}
  ]}]}"#;

/// A file whose second test has a misspelt key: the first still runs.
const BAD_TEST: &str = r#"{
  "schema": "hipc-vectors/1", "kind": "codec", "topic": "bad",
  "description": "d", "source": {"spec": ["x"]}, "notes": {},
  "groups": [{"name": "g", "tests": [
    {"id": "bad-fine", "comment": "c", "flags": [], "result": "invalid",
     "bytes": "0400", "error": {"kind": "truncated", "section": "header"}},
    {"id": "bad-typo", "comment": "c", "flags": [], "result": "valid",
     "bytes": "0400", "mesage": {}}
  ]}]}"#;

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("hipc-run-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn hipc_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hipc"));
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command.output().expect("run hipc")
}

fn hipc(args: &[&str]) -> Output {
    hipc_in(None, args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The summary line: the last line of the plain report.
fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn a_valid_file_passes() {
    let dir = TempDir::new("valid");
    dir.write("tiny.json", GOOD);
    let o = hipc(&["run", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(last_line(&o), "codec: 1 passed, 0 failed, 0 skipped");
    let o = hipc(&["run", "--verbose", dir.path().to_str().unwrap()]);
    assert!(stdout(&o).contains("PASS tiny-request ("), "{}", stdout(&o));
    assert_eq!(last_line(&o), "codec: 1 passed, 0 failed, 0 skipped");
}

#[test]
fn default_path_is_vectors() {
    let dir = TempDir::new("default");
    dir.write("vectors/codec/tiny.json", GOOD);
    let o = hipc_in(Some(dir.path()), &["run"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(last_line(&o), "codec: 1 passed, 0 failed, 0 skipped");
}

#[test]
fn malformed_files_fail_and_the_rest_runs() {
    let dir = TempDir::new("malformed");
    dir.write("a-tiny.json", GOOD);
    dir.write("b-bad.json", BAD_TEST);
    dir.write("c-broken.json", "{ not json");
    let o = hipc(&["run", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("b-bad.json\n  test: bad-typo\n  at:   groups[0].tests[1].mesage\n"),
        "{out}"
    );
    assert!(out.contains("LOAD ERROR "), "{out}");
    assert!(out.contains("c-broken.json\n  test: -\n"), "{out}");
    assert!(out.contains("not valid JSON"), "{out}");
    // The good file and the good test of the bad file still ran.
    assert!(
        out.ends_with("\ncodec: 2 passed, 2 failed, 0 skipped\n"),
        "{out}"
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn json_report_parses() {
    let dir = TempDir::new("json");
    dir.write("a-tiny.json", GOOD);
    dir.write("b-bad.json", BAD_TEST);
    let o = hipc(&["run", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["passed"], 2);
    assert_eq!(v["summary"]["failed"], 1);
    assert_eq!(
        v["summary"]["codec"],
        serde_json::json!({"passed": 2, "failed": 1, "skipped": 0})
    );
    assert_eq!(v["spec"], "hipc-spec/1");
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 3);
    assert_eq!(tests[0]["id"], "tiny-request");
    assert_eq!(tests[0]["kind"], "codec");
    assert_eq!(tests[0]["status"], "passed");
    assert_eq!(tests[0]["reason"], serde_json::Value::Null);
    assert!(tests[0]["file"].as_str().unwrap().ends_with("a-tiny.json"));
    let bad = tests.iter().find(|t| t["id"] == "bad-typo").unwrap();
    assert_eq!(bad["status"], "failed");
    let reason = bad["reason"].as_str().unwrap();
    assert!(reason.contains("groups[0].tests[1].mesage"), "{reason}");
    assert!(reason.contains("b-bad.json"), "{reason}");
    assert_eq!(bad["failure"]["field"], "groups[0].tests[1].mesage");
    for t in tests {
        let mut keys: Vec<&String> = t.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["failure", "file", "id", "kind", "probe", "reason", "status"]
        );
    }
}

#[test]
fn junit_file_is_written() {
    let dir = TempDir::new("junit");
    dir.write("a-tiny.json", GOOD);
    dir.write("b-bad.json", BAD_TEST);
    let junit = dir.path().join("out/report.xml");
    std::fs::create_dir_all(junit.parent().unwrap()).unwrap();
    let o = hipc(&[
        "run",
        "--junit",
        junit.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    reader.config_mut().check_end_names = true;
    let (mut suites, mut cases, mut failures) = (0, 0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testsuite" => suites += 1,
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!((suites, cases, failures), (2, 3, 1), "{xml}");
}

#[test]
fn filters_select_by_id_substring() {
    let dir = TempDir::new("filter");
    dir.write("a-tiny.json", GOOD);
    dir.write("b-bad.json", BAD_TEST);
    let path = dir.path().to_str().unwrap();
    let o = hipc(&["run", "--filter", "tiny", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(last_line(&o), "codec: 1 passed, 0 failed, 0 skipped");
    let o = hipc(&["run", "--filter", "tiny", "--filter", "fine", path]);
    assert_eq!(last_line(&o), "codec: 2 passed, 0 failed, 0 skipped");
    let o = hipc(&["run", "--filter", "typo", path]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(last_line(&o), "codec: 0 passed, 1 failed, 0 skipped");
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new("usage");
    dir.write("a-tiny.json", GOOD);
    let path = dir.path().to_str().unwrap();
    for args in [
        vec!["run", "--kernel", "linux", path],
        vec!["run", "--kernel", "model:no-such-fault", path],
        vec!["run", "--format", "xml", path],
        vec!["run", "/no/such/vectors"],
    ] {
        let o = hipc(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error"), "{args:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{args:?}");
    }
    let o = hipc(&["run", "--kernel", "model:no-such-fault", path]);
    assert!(stderr(&o).contains("hipc faults"), "{}", stderr(&o));
}

#[test]
fn every_kernel_choice_runs() {
    let dir = TempDir::new("kernels");
    dir.write("a-tiny.json", GOOD);
    let path = dir.path().to_str().unwrap();
    for kernel in ["model", "model-ams", "model:lifo-queue"] {
        let o = hipc(&["run", "--kernel", kernel, path]);
        assert_eq!(o.status.code(), Some(0), "{kernel}: {}", stderr(&o));
    }
}

#[test]
fn faults_lists_every_fault() {
    let o = hipc(&["faults"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), Fault::ALL.len());
    for fault in Fault::ALL {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(fault.name()))
            .unwrap_or_else(|| panic!("{} missing:\n{out}", fault.name()));
        assert!(line.ends_with(fault.description()), "{line}");
    }
}

#[test]
fn help_documents_run_and_record() {
    let o = hipc(&["run", "--help"]);
    let out = stdout(&o);
    for needle in [
        "--kernel",
        "model:FAULT",
        "--filter",
        "--junit",
        "--format",
        "kernel: N passed, N failed, N skipped; codec:",
        "--probe",
        "--flavour",
    ] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
    let o = hipc(&["record", "--help"]);
    let out = stdout(&o);
    for needle in ["expect_message", "$h1", "recorded_from", "-o"] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
}
