//! The out-of-process kernel protocol, end to end.
//!
//! * The whole corpus run through `hipc serve-model` (the model behind the protocol)
//!   gives exactly the in-process results, test for test, field for field; with a
//!   fault and with the Atmosphère variant too.
//! * A kernel process that crashes, is killed, hangs, writes garbage, answers out of
//!   order or with a malformed answer is reported against the vector it was running,
//!   restarted, and the run goes on: every other test gives its in-process result.
//!   The fakes are `tests/fixtures/flaky_kernel.py` (python3; the tests say so and
//!   pass without it).
//! * `hipc run --kernel-cmd`, `--kernel-timeout`, `--expect` on the command line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use hipc_conformance::cli::run::run_files;
use hipc_conformance::kernel::Kernel;
use hipc_conformance::model::{Fault, ModelKernel};
use hipc_conformance::protocol::client::{ProcessKernel, ProcessKernelConfig};
use hipc_conformance::report::Entry;
use hipc_conformance::runner::Status;
use hipc_conformance::vector::{LoadError, VectorFile, load_corpus};

const HIPC: &str = env!("CARGO_BIN_EXE_hipc");

fn workspace() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn corpus(paths: &[&str]) -> (Vec<VectorFile>, Vec<LoadError>) {
    let root = workspace();
    let paths: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
    load_corpus(&paths)
}

fn run(kernel: &mut dyn Kernel, files: &[VectorFile], errors: &[LoadError]) -> Vec<Entry> {
    let info = kernel.info();
    run_files(kernel, &info, files, errors, &[])
}

fn process(command: String, timeout: Duration) -> ProcessKernel {
    ProcessKernel::start(ProcessKernelConfig {
        timeout,
        ..ProcessKernelConfig::new(command)
    })
    .expect("start the kernel")
}

fn serve_model(extra: &str) -> ProcessKernel {
    process(
        format!("'{HIPC}' serve-model {extra}"),
        Duration::from_secs(10),
    )
}

fn python() -> bool {
    let ok = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("python3 not found: skipping the misbehaving-kernel test");
    }
    ok
}

/// Asserts two runs agree test for test, naming the first difference.
fn assert_same(expected: &[Entry], actual: &[Entry]) {
    assert_eq!(expected.len(), actual.len(), "number of entries");
    for (e, a) in expected.iter().zip(actual) {
        assert_eq!(e, a, "test {} differs", e.outcome.id);
    }
}

#[test]
fn serve_model_gives_the_in_process_results_test_for_test() {
    let (files, errors) = corpus(&["vectors"]);
    let kernel_tests = files
        .iter()
        .flat_map(|f| f.tests())
        .filter(|t| t.kind() == hipc_conformance::vector::FileKind::Kernel)
        .count();
    assert!(kernel_tests > 0, "the corpus has kernel tests");

    let start = Instant::now();
    let in_process = run(&mut ModelKernel::new(), &files, &errors);
    let in_process_time = start.elapsed();
    let mut served = serve_model("");
    let start = Instant::now();
    let through = run(&mut served, &files, &errors);
    let through_time = start.elapsed();
    eprintln!(
        "{} tests: in-process {in_process_time:?}, through serve-model {through_time:?}",
        in_process.len()
    );
    assert_same(&in_process, &through);
    assert_eq!(served.starts(), 1, "no restart was needed");
    assert!(served.take_fault().is_none());
}

#[test]
fn serve_model_with_a_fault_and_ams_gives_the_in_process_results() {
    let (files, errors) = corpus(&["vectors/kernel"]);
    let fault = Fault::PidNotSubstituted;
    let in_process = run(&mut ModelKernel::with_fault(fault), &files, &errors);
    assert!(
        in_process
            .iter()
            .any(|e| e.outcome.status == Status::Failed),
        "the fault is caught"
    );
    let through = run(
        &mut serve_model(&format!("--fault {}", fault.name())),
        &files,
        &errors,
    );
    assert_same(&in_process, &through);

    let in_process = run(&mut ModelKernel::atmosphere(), &files, &errors);
    let through = run(&mut serve_model("--ams"), &files, &errors);
    assert_same(&in_process, &through);
}

/// The fill form of `map_memory` (PROTOCOL.md, feature `fill`) is negotiated: a
/// kernel declaring the feature gets it wherever it is the shorter form, one that
/// does not (`serve-model --no-features`, which also refuses it) gets exactly the
/// full form; both give the in-process results for every kernel vector.
#[test]
fn the_fill_form_is_sent_exactly_when_the_kernel_declares_it() {
    let (files, errors) = corpus(&["vectors/kernel"]);
    let in_process = run(&mut ModelKernel::new(), &files, &errors);
    let dir = std::env::temp_dir().join(format!("hipc-protocol-fill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut map_bytes = Vec::new();
    for (extra, declared) in [("", true), ("--no-features", false)] {
        let log = dir.join(format!("log{declared}"));
        let mut kernel = ProcessKernel::start(ProcessKernelConfig {
            timeout: Duration::from_secs(10),
            log: Some(log.clone()),
            ..ProcessKernelConfig::new(format!("'{HIPC}' serve-model {extra}"))
        })
        .expect("start serve-model");
        let expected: &[&str] = if declared { &["fill"] } else { &[] };
        assert_eq!(kernel.features(), expected, "{extra}");
        assert!(kernel.warnings().is_empty(), "{:?}", kernel.warnings());
        let through = run(&mut kernel, &files, &errors);
        assert_same(&in_process, &through);
        assert_eq!(kernel.starts(), 1);
        drop(kernel);

        let text = std::fs::read_to_string(&log).unwrap();
        let hello = text.lines().find(|l| l.starts_with("< ")).unwrap();
        assert_eq!(
            hello.contains(r#""features":["fill"]"#),
            declared,
            "{hello}"
        );
        let maps: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("> ") && l.contains(r#""op":"map_memory""#))
            .collect();
        let filled = maps.iter().filter(|l| l.contains(r#""fill":"#)).count();
        let full = maps
            .iter()
            .filter(|l| l.contains(r#""contents":""#))
            .count();
        assert_eq!(filled + full, maps.len(), "one form or the other");
        let bytes: usize = maps.iter().map(|l| l.len()).sum();
        eprintln!(
            "{extra:?}: {} map_memory requests, {filled} in the fill form, {bytes} bytes",
            maps.len()
        );
        map_bytes.push(bytes);
        if declared {
            assert!(filled > 0);
        } else {
            assert_eq!(filled, 0);
            assert!(!text.contains(r#""patches""#));
        }
    }
    // The corpus fills whole regions with one byte: the fill form is a fraction
    // of the full one.
    assert!(map_bytes[0] * 10 < map_bytes[1], "{map_bytes:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Features are read from the `hello` answer: known ones used, unknown ones
/// ignored with a warning.
#[test]
fn unknown_features_are_ignored_with_a_warning() {
    let hello = r#"{"id":0,"ok":{"protocol":"hipc-kernel/1","name":"x","version":"1","capabilities":[],"features":["zstd","fill"]}}"#;
    let kernel = process(
        format!("read line; echo '{hello}'; cat >/dev/null"),
        Duration::from_secs(10),
    );
    assert_eq!(kernel.features(), ["fill"]);
    assert_eq!(
        kernel.warnings(),
        ["the kernel declares unknown protocol feature \"zstd\""]
    );
}

/// Runs a few kernel files through `flaky_kernel.py MODE` (misbehaving once, on the
/// `n`-th `op`) and checks that exactly one test differs from the in-process run:
/// failed, with `expected` in its reason; and that the process was restarted.
fn misbehaving_once(mode: &str, op: &str, n: usize, expected: &str) {
    misbehaving_once_with("", mode, op, n, expected);
}

/// [`misbehaving_once`], the command line starting with `prefix` (`"exec "`: no
/// shell between the runner and the kernel).
fn misbehaving_once_with(prefix: &str, mode: &str, op: &str, n: usize, expected: &str) {
    if !python() {
        return;
    }
    let (files, errors) = corpus(&[
        "vectors/kernel/header-raw.json",
        "vectors/kernel/copy-handles.json",
        "vectors/kernel/pid.json",
    ]);
    let in_process = run(&mut ModelKernel::new(), &files, &errors);
    let dir =
        std::env::temp_dir().join(format!("hipc-protocol-{mode}-{op}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let marker = dir.join("marker");
    let _ = std::fs::remove_file(&marker);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/flaky_kernel.py");
    let command = format!(
        "{prefix}python3 '{}' '{HIPC}' {mode} {op} {n} '{}'",
        fixture.display(),
        marker.display()
    );
    let mut kernel = process(command, Duration::from_millis(1500));
    let start = Instant::now();
    let through = run(&mut kernel, &files, &errors);
    let elapsed = start.elapsed();
    assert!(marker.exists(), "the fixture misbehaved");
    assert_eq!(
        in_process.len(),
        through.len(),
        "nothing of the run is lost"
    );
    let differing: Vec<(&Entry, &Entry)> = in_process
        .iter()
        .zip(&through)
        .filter(|(e, a)| e != a)
        .collect();
    assert_eq!(
        differing.len(),
        1,
        "{mode}: exactly one test is affected: {:#?}",
        differing
            .iter()
            .map(|(_, a)| (&a.outcome.id, &a.outcome.reason))
            .collect::<Vec<_>>()
    );
    let (_, affected) = differing[0];
    assert_eq!(affected.outcome.status, Status::Failed);
    let reason = affected.outcome.reason.clone().unwrap_or_default();
    assert!(reason.contains(expected), "{mode}: reason {reason:?}");
    let failure = affected.outcome.failure.as_ref().unwrap();
    assert_eq!(failure.field, "kernel");
    if mode == "kill" {
        // Exact whether or not the command line says exec: the runner execs a
        // simple command itself, so no shell stands between it and the kernel.
        assert!(
            reason.contains("[killed by signal 9 (SIGKILL)]"),
            "{reason}"
        );
    }
    let restarts = if mode == "error" { 1 } else { 2 };
    assert_eq!(kernel.starts(), restarts, "{mode}: restarts");
    assert!(
        elapsed < Duration::from_secs(30),
        "{mode}: the run took {elapsed:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_crashing_kernel_is_reported_restarted_and_the_run_goes_on() {
    misbehaving_once(
        "crash",
        "send_sync_request",
        5,
        "kernel process exited (closed its stdout) during send_sync_request",
    );
}

#[test]
fn a_killed_kernel_is_reported_with_its_signal() {
    misbehaving_once("kill", "reply_and_receive", 7, "killed by signal 9");
}

#[test]
fn a_kernel_run_without_sh_in_between_reports_its_signal() {
    misbehaving_once_with(
        "exec ",
        "kill",
        "create_process",
        3,
        "during create_process (request",
    );
}

#[test]
fn a_hung_kernel_times_out() {
    misbehaving_once(
        "hang",
        "send_sync_request",
        3,
        "did not answer within 1500 ms (hung?)",
    );
}

#[test]
fn garbage_is_reported() {
    misbehaving_once("garbage", "read_memory", 4, "sent garbage (not JSON");
}

#[test]
fn an_out_of_order_answer_is_reported() {
    misbehaving_once("order", "create_session", 2, "answered out of order");
}

#[test]
fn a_malformed_answer_is_reported() {
    misbehaving_once(
        "shape",
        "request_status",
        2,
        "malformed request_status answer",
    );
}

#[test]
fn an_error_answer_to_an_infallible_operation_fails_the_test_without_restart() {
    misbehaving_once("error", "close_handle", 1, "flaky_kernel refuses");
}

#[test]
fn the_crash_message_carries_the_stderr_tail() {
    if !python() {
        return;
    }
    let (files, errors) = corpus(&["vectors/kernel/header-raw.json"]);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/flaky_kernel.py");
    let command = format!(
        "python3 '{}' '{HIPC}' crash send_sync_request 1 -",
        fixture.display()
    );
    // Crashes on the first send of every process: every test that sends fails, the
    // run still ends, one restart per failed test.
    let mut kernel = process(command, Duration::from_secs(5));
    let entries = run(&mut kernel, &files, &errors);
    let crashed: Vec<&Entry> = entries
        .iter()
        .filter(|e| {
            e.outcome
                .failure
                .as_ref()
                .is_some_and(|f| f.actual.contains("simulated crash"))
        })
        .collect();
    assert!(crashed.len() > 5, "{} crashes", crashed.len());
    for entry in &crashed {
        assert_eq!(entry.outcome.status, Status::Failed);
        let failure = entry.outcome.failure.as_ref().unwrap();
        assert_eq!(failure.field, "kernel");
        assert!(
            failure
                .actual
                .contains("; its stderr ends: flaky_kernel: simulated crash in send_sync_request"),
            "{failure:?}"
        );
        assert!(failure.actual.contains("[exit status 3]"), "{failure:?}");
    }
    // One start, then one restart before each test after a crash (none after a
    // crash in the last test).
    let starts = kernel.starts();
    assert!(
        starts == crashed.len() || starts == crashed.len() + 1,
        "{starts} starts for {} crashes",
        crashed.len()
    );
}

fn hipc(args: &[&str]) -> Output {
    Command::new(HIPC)
        .args(args)
        .current_dir(workspace())
        .stdin(Stdio::null())
        .output()
        .expect("run hipc")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn hipc_run_kernel_cmd_reports_like_the_model() {
    let serve = format!("'{HIPC}' serve-model");
    let model = hipc(&["run", "--format", "json", "vectors"]);
    let served = hipc(&[
        "run",
        "--format",
        "json",
        "--kernel-cmd",
        &serve,
        "--kernel-timeout",
        "10000",
        "vectors",
    ]);
    assert_eq!(served.status.code(), model.status.code());
    assert_eq!(text(&served.stdout), text(&model.stdout));
    let model = hipc(&["run", "--kernel", "model:lifo-queue", "vectors/kernel"]);
    let served = hipc(&[
        "run",
        "--kernel-cmd",
        &format!("{serve} --fault lifo-queue"),
        "vectors/kernel",
    ]);
    assert_eq!(text(&served.stdout), text(&model.stdout));
}

#[test]
fn hipc_run_reports_a_kernel_that_cannot_start() {
    let o = hipc(&["run", "--kernel-cmd", "exit 3", "vectors/codec"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("failed the handshake"), "{err}");
    assert!(err.contains("exit status 3"), "{err}");
    let o = hipc(&["run", "--kernel-cmd", "echo hello; cat", "vectors/codec"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("sent garbage (not JSON"), "{err}");
    let o = hipc(&["run", "--kernel-cmd", "echo hi there", "vectors/codec"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("\"hi there\"") || err.contains("sent garbage"),
        "{err}"
    );
    let o = hipc(&["run", "--kernel-timeout", "100", "vectors/codec"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "--kernel-timeout needs --kernel-cmd"
    );
}

#[test]
fn hipc_run_expect_turns_known_failures_into_expected_ones() {
    // With the pid-not-substituted fault, find a failing and a passing kernel test.
    let o = hipc(&[
        "run",
        "--kernel",
        "model:pid-not-substituted",
        "--format",
        "json",
        "vectors/kernel/pid.json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tests = report["tests"].as_array().unwrap();
    let id_with = |status: &str| {
        tests
            .iter()
            .find(|t| t["status"] == status)
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let failing: Vec<String> = tests
        .iter()
        .filter(|t| t["status"] == "failed")
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    let passing = id_with("passed");
    let dir = std::env::temp_dir().join(format!("hipc-expect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let list = dir.join("known-failures.txt");

    // Every failure listed: the run is green.
    let mut all = String::from("# known failures of model:pid-not-substituted\n");
    for id in &failing {
        all.push_str(&format!("{id}  # PID not substituted\n"));
    }
    std::fs::write(&list, &all).unwrap();
    let args = |list: &Path| {
        vec![
            "run".to_owned(),
            "--kernel".to_owned(),
            "model:pid-not-substituted".to_owned(),
            "--expect".to_owned(),
            list.display().to_string(),
            "vectors/kernel/pid.json".to_owned(),
        ]
    };
    let o = Command::new(HIPC)
        .args(args(&list))
        .current_dir(workspace())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!(
            "{} expected failures, 0 unexpected passes",
            failing.len()
        )),
        "{err}"
    );
    assert!(
        text(&o.stdout).contains("expected failure ("),
        "{}",
        text(&o.stdout)
    );

    // A passing test listed: reported as an unexpected pass, the run fails.
    all.push_str(&format!("{passing}\nno-such-test\n"));
    std::fs::write(&list, &all).unwrap();
    let o = Command::new(HIPC)
        .args(args(&list))
        .current_dir(workspace())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("1 unexpected passes"), "{err}");
    assert!(
        err.contains(&format!("now passing (remove it from the list): {passing}")),
        "{err}"
    );
    assert!(err.contains("listed but not run: no-such-test"), "{err}");
    assert!(
        text(&o.stdout).contains("unexpected pass"),
        "{}",
        text(&o.stdout)
    );

    // A malformed list is a usage error.
    std::fs::write(&list, "a b\n").unwrap();
    let o = Command::new(HIPC)
        .args(args(&list))
        .current_dir(workspace())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn killing_the_kernel_mid_run_gives_a_report() {
    let dir = std::env::temp_dir().join(format!("hipc-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pids = dir.join("pids");
    // Each start of the kernel appends its pid, then becomes `hipc serve-model`.
    let command = format!("echo $$ >> '{}'; exec '{HIPC}' serve-model", pids.display());
    let log = dir.join("log");
    let log_arg = log.display().to_string();
    let child = Command::new(HIPC)
        .args(["run", "--format", "json", "--kernel-cmd", &command])
        .args(["--kernel-log", &log_arg, "vectors"])
        .current_dir(workspace())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it once it is well into the kernel vectors (a few hundred lines logged).
    let start = Instant::now();
    let logged = || std::fs::read_to_string(&log).map_or(0, |t| t.lines().count());
    while logged() < 500 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let first = std::fs::read_to_string(&pids).unwrap();
    let first = first.lines().next().unwrap().trim().to_owned();
    let killed = Command::new("kill").args(["-9", &first]).status().unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&output.stderr)));
    let model = hipc(&["run", "--format", "json", "vectors"]);
    let model: serde_json::Value = serde_json::from_slice(&model.stdout).unwrap();
    let tests = report["tests"].as_array().unwrap();
    assert_eq!(tests.len(), model["tests"].as_array().unwrap().len());
    let killed_in: Vec<&serde_json::Value> = tests
        .iter()
        .filter(|t| {
            t["reason"]
                .as_str()
                .is_some_and(|r| r.contains("killed by signal 9"))
        })
        .collect();
    assert_eq!(killed_in.len(), 1, "{killed_in:#?}");
    assert_eq!(killed_in[0]["status"], "failed");
    let starts = std::fs::read_to_string(&pids).unwrap().lines().count();
    assert_eq!(starts, 2, "the kernel was restarted once");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_kernel_that_cannot_restart_is_given_up_after_three_attempts() {
    if !python() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("hipc-no-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let started = dir.join("started");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/flaky_kernel.py");
    // The first process crashes on its third send; every later one exits at once.
    let command = format!(
        "if [ -e '{m}' ]; then echo 'cannot start again' >&2; exit 7; fi; touch '{m}'; \
         exec python3 '{f}' '{HIPC}' crash send_sync_request 3 -",
        m = started.display(),
        f = fixture.display()
    );
    let (files, errors) = corpus(&["vectors/kernel/header-raw.json", "vectors/kernel/pid.json"]);
    let mut kernel = process(command, Duration::from_secs(5));
    let start = Instant::now();
    let entries = run(&mut kernel, &files, &errors);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    let reasons: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.outcome.reason.as_deref())
        .collect();
    let crashed = reasons
        .iter()
        .filter(|r| r.contains("exit status 3"))
        .count();
    let failed_start = reasons
        .iter()
        .filter(|r| r.starts_with("kernel error at reset: kernel command"))
        .count();
    let given_up = reasons
        .iter()
        .filter(|r| r.contains("not restarted: it failed to start 3 times in a row"))
        .count();
    assert_eq!((crashed, failed_start), (1, 3), "{reasons:#?}");
    assert!(given_up > 10, "{given_up} tests given up");
    assert_eq!(kernel.starts(), 4);
    std::fs::remove_dir_all(&dir).unwrap();
}
