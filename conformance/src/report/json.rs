//! The JSON report: a kernel team's CI reads everything the plain report shows.
//!
//! ```json
//! {"spec": "hipc-spec/1", "schema": "hipc-vectors/2",
//!  "kernel": {"name": "model", "version": "0.1.0", "capabilities": ["tls-buffer"]},
//!  "summary": {"passed": 1, "failed": 1, "skipped": 0,
//!              "kernel": {"passed": 0, "failed": 1, "skipped": 0},
//!              "codec": {"passed": 1, "failed": 0, "skipped": 0},
//!              "probe": {"would_pass": 0, "would_fail": 0}},
//!  "tests": [{"file": "vectors/pid.json", "id": "pid-1", "kind": "kernel",
//!             "status": "failed", "reason": "step 4 (expect_message): ...",
//!             "failure": {"step": 4, "op": "expect_message", "field": "message.pid",
//!                         "expected": "0x51", "actual": "0x1234", "detail": null,
//!                         "expected_bytes": "0400...", "actual_bytes": "0400...",
//!                         "expected_message": {...}, "actual_message": {...}},
//!             "probe": null}]}
//! ```
//!
//! `kind` is `codec` or `kernel`, `status` `passed`, `failed` or `skipped`, and
//! `reason` the one-line skip reason or failure summary, `null` when there is none.
//! `failure` is `null` unless the test failed; `step` and `op` name the failing step
//! of a kernel scenario (`null` for a set-up failure and for codec tests, whose
//! `op` is `decode` or `encode`); `field` is the decoded field path the plain report
//! shows; the bytes are lowercase hex, and `expected_message` / `actual_message`
//! their message JSON (docs/spec/message-json.md) when they decode as a message.
//! `probe` is what `--probe` gave for a skipped test (`{"status", "reason",
//! "failure"}`), `null` otherwise; probes never count in `summary`'s verdict counts.

use serde::Serialize;
use serde_json::Value;

use super::{Entry, KindSummary, ProbeSummary, RunInfo, Summary};
use crate::hex;
use crate::message_json::MessageJson;
use crate::runner::{Failure, TestOutcome};

#[derive(Serialize)]
struct Document<'a> {
    spec: &'static str,
    schema: &'static str,
    kernel: KernelJson<'a>,
    summary: SummaryJson,
    tests: Vec<TestJson<'a>>,
}

#[derive(Serialize)]
struct KernelJson<'a> {
    name: &'a str,
    version: &'a str,
    capabilities: Vec<&'static str>,
}

#[derive(Serialize)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl From<Summary> for Counts {
    fn from(s: Summary) -> Counts {
        Counts {
            passed: s.passed,
            failed: s.failed,
            skipped: s.skipped,
        }
    }
}

#[derive(Serialize)]
struct SummaryJson {
    passed: usize,
    failed: usize,
    skipped: usize,
    kernel: Counts,
    codec: Counts,
    probe: ProbeJson,
}

#[derive(Serialize)]
struct ProbeJson {
    would_pass: usize,
    would_fail: usize,
}

#[derive(Serialize)]
struct TestJson<'a> {
    file: &'a str,
    id: &'a str,
    kind: &'static str,
    status: &'static str,
    reason: Option<&'a str>,
    failure: Option<FailureJson<'a>>,
    probe: Option<ProbeOutcomeJson<'a>>,
}

#[derive(Serialize)]
struct ProbeOutcomeJson<'a> {
    status: &'static str,
    reason: Option<&'a str>,
    failure: Option<FailureJson<'a>>,
}

#[derive(Serialize)]
struct FailureJson<'a> {
    step: Option<usize>,
    op: Option<&'a str>,
    field: &'a str,
    expected: &'a str,
    actual: &'a str,
    detail: Option<&'a str>,
    expected_bytes: Option<String>,
    actual_bytes: Option<String>,
    expected_message: Option<Value>,
    actual_message: Option<Value>,
}

/// The message JSON of `bytes`, when they decode as a message.
fn decoded(bytes: Option<&Vec<u8>>) -> Option<Value> {
    let message = MessageJson::decode(bytes?).ok()?;
    serde_json::to_value(&message).ok()
}

fn failure_json(failure: &Failure) -> FailureJson<'_> {
    FailureJson {
        step: failure.step,
        op: failure.op.as_deref(),
        field: &failure.field,
        expected: &failure.expected,
        actual: &failure.actual,
        detail: failure.detail.as_deref(),
        expected_bytes: failure.expected_bytes.as_deref().map(hex::encode),
        actual_bytes: failure.actual_bytes.as_deref().map(hex::encode),
        expected_message: decoded(failure.expected_bytes.as_ref()),
        actual_message: decoded(failure.actual_bytes.as_ref()),
    }
}

fn test_json(entry: &Entry) -> TestJson<'_> {
    let o: &TestOutcome = &entry.outcome;
    TestJson {
        file: &o.file,
        id: &o.id,
        kind: o.kind.name(),
        status: o.status.name(),
        reason: o.reason.as_deref(),
        failure: o.failure.as_ref().map(failure_json),
        probe: entry.probe.as_ref().map(|p| ProbeOutcomeJson {
            status: p.status.name(),
            reason: p.reason.as_deref(),
            failure: p.failure.as_ref().map(failure_json),
        }),
    }
}

/// Renders the JSON report (pretty-printed, ending with a newline).
pub fn render(run: &RunInfo, entries: &[Entry]) -> String {
    let summary = Summary::of_entries(entries);
    let kinds = KindSummary::of_entries(entries);
    let probe = ProbeSummary::of_entries(entries);
    let document = Document {
        spec: run.spec,
        schema: run.schema,
        kernel: KernelJson {
            name: &run.kernel.name,
            version: &run.kernel.version,
            capabilities: run.kernel.capabilities.iter().map(|c| c.name()).collect(),
        },
        summary: SummaryJson {
            passed: summary.passed,
            failed: summary.failed,
            skipped: summary.skipped,
            kernel: kinds.kernel.into(),
            codec: kinds.codec.into(),
            probe: ProbeJson {
                would_pass: probe.would_pass,
                would_fail: probe.would_fail,
            },
        },
        tests: entries.iter().map(test_json).collect(),
    };
    // Serializing these plain structs cannot fail.
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::super::testutil::*;
    use super::*;

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }

    #[test]
    fn exactly_the_contract_keys() {
        let v: Value = serde_json::from_str(&render(&run_info(), &sample())).unwrap();
        assert_eq!(keys(&v), ["kernel", "schema", "spec", "summary", "tests"]);
        assert_eq!(v["spec"], "hipc-spec/1");
        assert_eq!(
            v["kernel"]["capabilities"],
            serde_json::json!(["tls-buffer"])
        );
        assert_eq!(
            keys(&v["summary"]),
            ["codec", "failed", "kernel", "passed", "probe", "skipped"]
        );
        assert_eq!(v["summary"]["passed"], 1);
        assert_eq!(v["summary"]["failed"], 2);
        assert_eq!(v["summary"]["skipped"], 2);
        assert_eq!(v["summary"]["kernel"]["failed"], 2);
        assert_eq!(v["summary"]["codec"]["passed"], 1);
        let tests = v["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 5);
        for t in tests {
            assert_eq!(
                keys(t),
                ["failure", "file", "id", "kind", "probe", "reason", "status"]
            );
        }
        assert_eq!(tests[0]["reason"], Value::Null);
        assert_eq!(tests[0]["failure"], Value::Null);
        assert_eq!(tests[0]["status"], "passed");
        assert_eq!(tests[0]["kind"], "codec");
        assert_eq!(tests[1]["status"], "failed");
        assert_eq!(tests[1]["kind"], "kernel");
        assert_eq!(tests[1]["id"], "pid-substituted");
        assert_eq!(tests[1]["file"], "vectors/pid.json");
        assert!(tests[1]["reason"].as_str().unwrap().contains("message.pid"));
        assert_eq!(tests[2]["status"], "skipped");
        assert_eq!(tests[2]["reason"], "requires async");
        assert!(
            tests[4]["reason"]
                .as_str()
                .unwrap()
                .contains("groups[0].tests[1].steps[0].expect.result")
        );
    }

    #[test]
    fn a_failure_names_step_field_values_and_messages() {
        let v: Value = serde_json::from_str(&render(&run_info(), &sample())).unwrap();
        let f = &v["tests"][1]["failure"];
        assert_eq!(f["step"], 4);
        assert_eq!(f["op"], "expect_message");
        assert_eq!(f["field"], "message.pid");
        assert_eq!(f["expected"], "0x51");
        assert_eq!(f["actual"], "0x1234");
        assert_eq!(f["detail"], "$pid.C is bound to 0x51");
        assert!(f["actual_bytes"].as_str().unwrap().starts_with("04000000"));
        // The sample's bytes are a request header followed by zeros: they decode.
        assert_eq!(f["actual_message"]["type"], 4);
    }

    #[test]
    fn probes_are_reported_apart() {
        let mut entries = sample();
        entries[2].probe = Some(failed("vectors/async.json", "async-1"));
        let v: Value = serde_json::from_str(&render(&run_info(), &entries)).unwrap();
        assert_eq!(v["summary"]["probe"]["would_fail"], 1);
        assert_eq!(v["summary"]["failed"], 2, "probes are not in the verdict");
        assert_eq!(v["tests"][2]["status"], "skipped");
        assert_eq!(v["tests"][2]["probe"]["status"], "failed");
        assert_eq!(v["tests"][2]["probe"]["failure"]["field"], "message.pid");
    }

    #[test]
    fn empty_run() {
        let v: Value = serde_json::from_str(&render(&run_info(), &[])).unwrap();
        assert_eq!(v["tests"], Value::Array(vec![]));
        assert_eq!(v["summary"]["passed"], 0);
    }
}
