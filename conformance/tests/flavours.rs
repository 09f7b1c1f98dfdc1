//! The corpus on kernels that are not shaped like the model: `hipc serve-model
//! --flavour ...` behind `hipc run --kernel-cmd`, as a kernel team would run it.
//!
//! * A kernel with only the user-buffer syscalls (SunriseOS) runs and passes at
//!   least 90% of the kernel vectors; one with only the TLS syscalls too, and it
//!   runs every vector that does not test user buffers themselves.
//! * A 32-bit kernel, and one without memory attributes, skip what they cannot
//!   set up and never fail.
//! * A kernel whose syscall glue zeroes out_index where the kernel leaves it
//!   unwritten (docs/spec/kernel-semantics.md §9) passes everything the model does.
//! * On such a kernel with a real divergence, every failure names its step and
//!   field, in the plain and in the JSON report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const HIPC: &str = env!("CARGO_BIN_EXE_hipc");

fn workspace() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `hipc run --kernel-cmd "hipc serve-model ARGS" vectors/kernel EXTRA...`.
fn run_through_serve_model(serve_args: &str, extra: &[&str]) -> Output {
    let command = format!("'{HIPC}' serve-model {serve_args}");
    Command::new(HIPC)
        .args(["run", "--kernel-cmd", &command, "vectors/kernel"])
        .args(extra)
        .current_dir(workspace())
        .stdin(Stdio::null())
        .output()
        .expect("run hipc")
}

/// The JSON report of the kernel vectors through `serve-model --flavour F`.
fn report(flavour: &str) -> Value {
    let args = if flavour.is_empty() {
        String::new()
    } else {
        format!("--flavour {flavour}")
    };
    let o = run_through_serve_model(&args, &["--format", "json"]);
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

fn count(report: &Value, status: &str) -> usize {
    report["summary"]["kernel"][status].as_u64().unwrap() as usize
}

fn ids(report: &Value, status: &str) -> BTreeSet<String> {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == status)
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Each kernel test of the corpus, as JSON (to check skips independently of the
/// runner's own derivation).
fn corpus_tests() -> Vec<Value> {
    let mut tests = Vec::new();
    for entry in std::fs::read_dir(workspace().join("vectors/kernel")).unwrap() {
        let path = entry.unwrap().path();
        let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for group in file["groups"].as_array().unwrap() {
            tests.extend(group["tests"].as_array().unwrap().iter().cloned());
        }
    }
    tests
}

fn has_step(test: &Value, pred: impl Fn(&Value) -> bool) -> bool {
    test["steps"].as_array().unwrap().iter().any(pred)
}

fn requires(test: &Value, capability: &str) -> bool {
    test["requires"]
        .as_array()
        .is_some_and(|r| r.iter().any(|c| c == capability))
}

#[test]
fn user_buffer_only_runs_and_passes_nine_in_ten() {
    let r = report("user-buffer-only");
    let (passed, failed, skipped) = (
        count(&r, "passed"),
        count(&r, "failed"),
        count(&r, "skipped"),
    );
    let total = passed + failed + skipped;
    eprintln!("user-buffer-only: {passed} passed, {failed} failed, {skipped} skipped of {total}");
    assert_eq!(failed, 0, "{:?}", ids(&r, "failed"));
    assert!(passed * 10 >= total * 9, "{passed} of {total} run and pass");
    // What is skipped is exactly what needs the TLS buffer itself or Atmosphère.
    let expected: BTreeSet<String> = corpus_tests()
        .iter()
        .filter(|t| has_step(t, |s| s["buffer"] == "tls") || requires(t, "ams-pid-passthrough"))
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids(&r, "skipped"), expected);
}

#[test]
fn tls_only_runs_nine_in_ten_and_everything_but_the_user_buffer_vectors() {
    let r = report("tls-only");
    let (passed, failed, skipped) = (
        count(&r, "passed"),
        count(&r, "failed"),
        count(&r, "skipped"),
    );
    let total = passed + failed + skipped;
    eprintln!("tls-only: {passed} passed, {failed} failed, {skipped} skipped of {total}");
    assert_eq!(failed, 0, "{:?}", ids(&r, "failed"));
    assert!(passed * 10 >= total * 9, "{passed} of {total} run and pass");
    let expected: BTreeSet<String> = corpus_tests()
        .iter()
        .filter(|t| {
            has_step(t, |s| s["buffer"].is_object())
                || requires(t, "async")
                || requires(t, "ams-pid-passthrough")
        })
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids(&r, "skipped"), expected);
}

#[test]
fn a_32_bit_kernel_and_one_without_attributes_or_all_states_skip_and_never_fail() {
    for flavour in [
        "addr32",
        "no-attributes",
        "no-system-states",
        "addr32,no-attributes,no-system-states,user-buffer-only",
    ] {
        let r = report(flavour);
        let failed = count(&r, "failed");
        eprintln!(
            "{flavour}: {} passed, {failed} failed, {} skipped",
            count(&r, "passed"),
            count(&r, "skipped")
        );
        assert_eq!(failed, 0, "{flavour}: {:?}", ids(&r, "failed"));
        let mut reasons = Vec::new();
        for t in r["tests"].as_array().unwrap() {
            if t["status"] == "skipped" {
                let reason = t["reason"].as_str().unwrap();
                assert!(reason.contains("lacks required capabilit"), "{reason}");
                reasons.push(reason.to_owned());
            }
        }
        for (item, capability) in [
            ("addr32", "address-space-64"),
            ("no-attributes", "memory-attributes"),
            ("no-system-states", "memory-states"),
        ] {
            if flavour.contains(item) {
                assert!(
                    reasons.iter().any(|r| r.contains(capability)),
                    "{flavour}: {reasons:?}"
                );
            }
        }
    }
}

#[test]
fn a_kernel_that_zeroes_out_index_on_error_passes_what_the_model_passes() {
    let model = report("");
    let zeroing = report("zero-out-index");
    assert_eq!(
        count(&zeroing, "failed"),
        0,
        "{:?}",
        ids(&zeroing, "failed")
    );
    assert_eq!(ids(&zeroing, "passed"), ids(&model, "passed"));
}

/// A SunriseOS-like kernel: only user buffers, out_index zeroed on error, and
/// indexed receive lists that always use entry 0 (kernel-semantics.md §7 row 42).
#[test]
fn a_real_divergence_is_named_by_step_and_field_in_every_report() {
    let flavour = "user-buffer-only,zero-out-index";
    let without_fault = report(flavour);
    assert_eq!(count(&without_fault, "failed"), 0);
    let serve = format!("--flavour {flavour} --fault index-ignored");
    let r: Value =
        serde_json::from_slice(&run_through_serve_model(&serve, &["--format", "json"]).stdout)
            .unwrap();
    let failed: Vec<&Value> = r["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "failed")
        .collect();
    assert!(!failed.is_empty(), "the divergence is found");
    for t in &failed {
        let id = t["id"].as_str().unwrap();
        // A real divergence: the same kernel without the bug passes it.
        assert!(ids(&without_fault, "passed").contains(id), "{id}");
        let f = &t["failure"];
        assert!(f["step"].is_u64(), "{id}: {f}");
        assert!(f["op"].is_string(), "{id}: {f}");
        let field = f["field"].as_str().unwrap();
        assert!(!field.is_empty() && field != "kernel", "{id}: {f}");
        assert!(
            f["expected"].is_string() && f["actual"].is_string(),
            "{id}: {f}"
        );
    }
    let plain = run_through_serve_model(&serve, &[]);
    let text = String::from_utf8(plain.stdout).unwrap();
    assert_eq!(plain.status.code(), Some(1));
    for t in &failed {
        let id = t["id"].as_str().unwrap();
        let block = text
            .split("\n\n")
            .find(|b| b.starts_with(&format!("FAIL {id} ")))
            .unwrap_or_else(|| panic!("{id} in the plain report:\n{text}"));
        let step = t["failure"]["step"].as_u64().unwrap();
        let op = t["failure"]["op"].as_str().unwrap();
        assert!(
            block.contains(&format!("at:       step {step} ({op})")),
            "{block}"
        );
        let field = t["failure"]["field"].as_str().unwrap();
        assert!(block.contains(&format!("field:    {field}")), "{block}");
    }
}

#[test]
fn probe_reports_what_the_capabilities_exclude_apart_from_the_verdict() {
    let o = run_through_serve_model("--flavour tls-only", &["--probe"]);
    assert_eq!(o.status.code(), Some(0), "probes never fail a run");
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("PROBE (not part of the verdict): "), "{text}");
    assert!(
        text.contains("no user-buffer IPC syscalls (flavour tls-only)"),
        "the kernel's refusal is what the probe shows: {text}"
    );
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("kernel: ") && last.contains(" 0 failed"),
        "{last}"
    );
}
