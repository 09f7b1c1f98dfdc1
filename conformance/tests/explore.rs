//! `hipc explore` as a user sees it: against the model itself it finds nothing;
//! against faulty models (in process and through `hipc serve-model`) it finds a
//! divergence and writes a minimized vector that fails on the faulty kernel and
//! passes on the model; against `hipc decode --json` it finds nothing, and against
//! a decoder that narrows X addresses to 36 bits it finds that, minimized to a
//! message of at most 3 words beyond the header. A fast subset: the full table of
//! faults is in docs/validating-a-kernel.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use hipc_conformance::cli::run::{KernelChoice, run_files};
use hipc_conformance::explore::decoder_run::DecoderExplorer;
use hipc_conformance::explore::kernel_run::{KernelExplorer, Limits};
use hipc_conformance::kernel::{Capability, Kernel};
use hipc_conformance::model::{Fault, Flavour, ModelKernel};
use hipc_conformance::protocol::client::{ProcessKernel, ProcessKernelConfig};
use hipc_conformance::runner::Status;
use hipc_conformance::vector::load_file;
use hipc_conformance::vector::uses::capabilities_used;

const HIPC: &str = env!("CARGO_BIN_EXE_hipc");

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hipc-explore-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn first_only(cases: u64) -> Limits {
    Limits {
        cases: Some(cases),
        time: None,
        stop_at_first: true,
    }
}

/// Runs a written vector on a kernel: true when every test passed.
fn passes(path: &std::path::Path, kernel: &mut dyn Kernel) -> bool {
    let file = load_file(path).unwrap();
    let info = kernel.info();
    let entries = run_files(kernel, &info, &[file], &[], &[]);
    assert!(!entries.is_empty());
    entries.iter().all(|e| e.outcome.status == Status::Passed)
}

#[test]
fn the_model_does_not_diverge_from_itself() {
    let mut model = ModelKernel::new();
    let mut explorer = KernelExplorer::new(&mut model, 7, Some(out_dir("self")));
    let report = explorer.run(
        Limits {
            cases: Some(400),
            ..Limits::default()
        },
        &mut |_| {},
    );
    assert_eq!(report.progress.cases, 400);
    assert!(report.found.is_empty(), "{:?}", report.found);
    assert_eq!(report.build_errors.0, 0, "{:?}", report.build_errors.1);
}

#[test]
fn faults_are_found_and_minimized_to_vectors_that_fail_only_on_them() {
    for name in [
        "pid-not-substituted",
        "copy-handle-moved",
        "lifo-queue",
        "b-not-copied-back",
        "client-pages-not-reprotected",
        "receive-list-never-broken",
    ] {
        let fault = Fault::from_name(name).unwrap();
        let mut faulty = KernelChoice::ModelWithFault(fault).build(Flavour::NONE);
        let dir = out_dir(name);
        let mut explorer = KernelExplorer::new(faulty.as_mut(), 1, Some(dir.clone()));
        let report = explorer.run(first_only(5000), &mut |_| {});
        let found = report
            .found
            .first()
            .unwrap_or_else(|| panic!("{name}: nothing found"));
        let path = found.file.clone().unwrap();
        assert!(found.passes_on_model, "{name}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"Explored\""), "{name}: {text}");
        assert!(text.contains("A question for a person"), "{name}");
        assert!(
            !passes(&path, faulty.as_mut()),
            "{name}: passes on the faulty kernel"
        );
        assert!(
            passes(&path, &mut ModelKernel::new()),
            "{name}: fails on the model"
        );
        assert!(found.steps <= 12, "{name}: {} steps", found.steps);
        // It requires what its steps use, not everything the model declares: a
        // kernel lacking the rest still runs it.
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        let test = &file["groups"][0]["tests"][0];
        let requires: Vec<Capability> = serde_json::from_value(test["requires"].clone()).unwrap();
        assert_eq!(requires, capabilities_used(test), "{name}");
        assert!(
            requires.len() < ModelKernel::new().info().capabilities.len() - 4,
            "{name}: requires {requires:?}"
        );
    }
}

#[test]
fn a_fault_behind_the_protocol_is_found_and_runs_with_hipc_run() {
    let config = ProcessKernelConfig {
        timeout: Duration::from_secs(10),
        ..ProcessKernelConfig::new(format!("{HIPC} serve-model --fault index-ignored"))
    };
    let mut kernel = ProcessKernel::start(config).unwrap();
    let dir = out_dir("protocol");
    let mut explorer = KernelExplorer::new(&mut kernel, 1, Some(dir));
    let report = explorer.run(first_only(5000), &mut |_| {});
    let path = report.found[0].file.clone().unwrap();
    let run = |kernel: &str| {
        Command::new(HIPC)
            .arg("run")
            .arg(&path)
            .args(["--kernel", kernel])
            .output()
            .unwrap()
    };
    let on_fault = run("model:index-ignored");
    assert!(!on_fault.status.success());
    assert!(String::from_utf8_lossy(&on_fault.stdout).contains("1 failed"));
    assert!(run("model").status.success());
}

#[test]
fn the_command_reports_signatures_and_the_progress_line() {
    let dir = out_dir("cli");
    let out = Command::new(HIPC)
        .args([
            "explore",
            "--kernel",
            "model:attribute-2-accepted",
            "--cases",
            "300",
        ])
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("300 cases"), "{stdout}");
    assert!(stdout.contains("distinct signatures"), "{stdout}");
    assert!(stdout.contains("written to"), "{stdout}");
    let clean = Command::new(HIPC)
        .args([
            "explore", "--kernel", "model", "--cases", "200", "--seed", "3",
        ])
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(clean.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&clean.stdout).contains("0 divergences"));
}

#[test]
fn hipc_decode_agrees_with_the_codec() {
    let command = format!("{HIPC} decode --json");
    let mut explorer = DecoderExplorer::new(&command, Duration::from_secs(5), 1, None);
    let report = explorer.run(
        Limits {
            cases: Some(2000),
            ..Limits::default()
        },
        &mut |_| {},
    );
    assert_eq!(report.progress.cases, 2000);
    assert!(report.found.is_empty(), "{:?}", report.found);
}

#[test]
fn a_decoder_narrowing_x_addresses_is_caught_and_minimized() {
    if Command::new("awk").arg("BEGIN{}").status().is_err() {
        eprintln!("awk not found: skipping");
        return;
    }
    // `hipc decode --json` with every X address cut to 36 bits (what precedes the
    // "a" key holds the X descriptors' addresses).
    let narrow = r#"{ i = index($0, "\"a\":"); head = substr($0, 1, i-1); tail = substr($0, i); out = ""; while (match(head, /"address": ?[0-9]+/)) { num = substr(head, RSTART, RLENGTH); sub(/"address": ?/, "", num); out = out substr(head, 1, RSTART-1) "\"address\": " sprintf("%.0f", num % 68719476736); head = substr(head, RSTART+RLENGTH) } print out head tail; fflush() }"#;
    let interactive = if Command::new("awk")
        .args(["-W", "interactive", "BEGIN{}"])
        .output()
        .is_ok_and(|o| o.status.success() && o.stderr.is_empty())
    {
        "-W interactive "
    } else {
        ""
    };
    let command = format!("{HIPC} decode --json | awk {interactive}'{narrow}'");
    let dir = out_dir("decoder");
    let mut explorer = DecoderExplorer::new(&command, Duration::from_secs(5), 1, Some(dir));
    let report = explorer.run(first_only(3000), &mut |_| {});
    let found = &report.found[0];
    assert_eq!(
        found.divergence.field, "x[0].address",
        "{:?}",
        found.divergence
    );
    assert!(
        found.bytes.len() <= 4 * (2 + 3),
        "{} bytes",
        found.bytes.len()
    );
    let file = load_file(found.file.as_ref().unwrap()).unwrap();
    assert!(file.errors.is_empty());
    assert_eq!(file.tests().count(), 1);
}

/// A generated case never needs what the kernel did not declare: with any one of
/// the capabilities the runner derives from a set-up (memory states, attributes,
/// the 64-bit address space) left out, no case uses it; with all of them, some do.
/// (A case that needed one would be skipped on that kernel: explored for nothing.)
#[test]
fn generated_cases_need_only_what_the_kernel_declares() {
    use hipc_conformance::explore::scenario::{Allowed, generate};
    use hipc_conformance::vector::Needs;

    let all = ModelKernel::new().info().capabilities;
    // Choice bytes from a fixed xorshift stream: the same cases on every run.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut cases: Vec<Vec<u8>> = Vec::new();
    for _ in 0..3000 {
        let bytes = (0..96)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        cases.push(bytes);
    }
    for lacking in [
        Capability::MemoryStates,
        Capability::MemoryAttributes,
        Capability::AddressSpace64,
    ] {
        let declared: Vec<Capability> = all.iter().copied().filter(|&c| c != lacking).collect();
        let needing = |allowed: Allowed| {
            cases
                .iter()
                .filter(|bytes| {
                    let needs = Needs::of(&generate(bytes, allowed).test);
                    needs.capabilities.contains(&lacking)
                })
                .count()
        };
        assert_eq!(needing(Allowed::of(&declared)), 0, "{lacking} not declared");
        assert!(needing(Allowed::of(&all)) > 0, "{lacking}: no case uses it");
    }
}
