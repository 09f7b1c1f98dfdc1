//! The JSON report: exactly
//!
//! ```json
//! {"summary": {"passed": 1, "failed": 1, "skipped": 0},
//!  "tests": [{"file": "vectors/pid.json", "id": "pid-1", "kind": "kernel",
//!             "status": "failed", "reason": "step 4 (expect_message): ..."}]}
//! ```
//!
//! `kind` is `codec` or `kernel`, `status` `passed`, `failed` or `skipped`, and
//! `reason` the one-line skip reason or failure summary, `null` when there is none.
//! No other key: the details of a failure are in the plain and JUnit reports.

use serde::Serialize;

use super::{Entry, Summary};

#[derive(Serialize)]
struct Document<'a> {
    summary: SummaryJson,
    tests: Vec<TestJson<'a>>,
}

#[derive(Serialize)]
struct SummaryJson {
    passed: usize,
    failed: usize,
    skipped: usize,
}

#[derive(Serialize)]
struct TestJson<'a> {
    file: &'a str,
    id: &'a str,
    kind: &'static str,
    status: &'static str,
    reason: Option<&'a str>,
}

/// Renders the JSON report (pretty-printed, ending with a newline).
pub fn render(entries: &[Entry]) -> String {
    let summary = Summary::of_entries(entries);
    let document = Document {
        summary: SummaryJson {
            passed: summary.passed,
            failed: summary.failed,
            skipped: summary.skipped,
        },
        tests: entries
            .iter()
            .map(|e| TestJson {
                file: &e.outcome.file,
                id: &e.outcome.id,
                kind: e.outcome.kind.name(),
                status: e.outcome.status.name(),
                reason: e.outcome.reason.as_deref(),
            })
            .collect(),
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
    use serde_json::Value;

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }

    #[test]
    fn exactly_the_contract_keys() {
        let v: Value = serde_json::from_str(&render(&sample())).unwrap();
        assert_eq!(keys(&v), ["summary", "tests"]);
        assert_eq!(keys(&v["summary"]), ["failed", "passed", "skipped"]);
        assert_eq!(v["summary"]["passed"], 1);
        assert_eq!(v["summary"]["failed"], 2);
        assert_eq!(v["summary"]["skipped"], 2);
        let tests = v["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 5);
        for t in tests {
            assert_eq!(keys(t), ["file", "id", "kind", "reason", "status"]);
        }
        assert_eq!(tests[0]["reason"], Value::Null);
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
    fn empty_run() {
        let v: Value = serde_json::from_str(&render(&[])).unwrap();
        assert_eq!(v["tests"], Value::Array(vec![]));
        assert_eq!(v["summary"]["passed"], 0);
    }
}
