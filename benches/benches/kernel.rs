//! `translate/model/SHAPE`: the model kernel delivering each shape from a client to
//! a server (`SendSyncRequest` + `ReplyAndReceive`, through the `Kernel` trait);
//! `replay/model/corpus` and `replay/serve-model/corpus`: every kernel vector of
//! `vectors/` through `run_test`, in process and through `hipc serve-model`;
//! `explore/serve-model/cases` and `explore/c-kernel/cases`: `hipc explore`'s
//! cases (generated, recorded on the model, run on the kernel under test) through
//! `--kernel-cmd` against `hipc serve-model` and the C example kernel (built with
//! make when gcc is there), throughput in cases (issue 14: at least 1,000/s).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use hipc::{Message, MessageRepr, ReceiveListEntry};
use hipc_benches::report::{self, Check};
use hipc_benches::{CLIENT_HEAP, CLIENT_HEAP_SIZE, Shape, shapes};
use hipc_conformance::explore::kernel_run::{KernelExplorer, Limits};
use hipc_conformance::kernel::{
    EventKind, Kernel, KernelInfo, MemoryAttributes, MemoryRegion, MemoryState, MessageBuffer,
    Permission, ProcessRef, ProcessSpec, RequestStatus, SendOutcome, SessionHandles, ThreadRef,
};
use hipc_conformance::model::ModelKernel;
use hipc_conformance::protocol::client::{ProcessKernel, ProcessKernelConfig};
use hipc_conformance::runner::{Status, run_test};
use hipc_conformance::vector::{Test, VectorFile, load_corpus};

/// Where the server's receive list points (one mode-2 entry of 0x1000 bytes).
const SERVER_HEAP: u64 = 0x0900_0000;

/// A model with a client and a server process, a session, and both TLS buffers
/// written: the client's with the request, the server's with its receive list.
#[derive(Clone)]
struct Prepared {
    kernel: ModelKernel,
    client: ThreadRef,
    server: ThreadRef,
    server_process: ProcessRef,
    session: SessionHandles,
}

fn region(address: u64, size: u64) -> MemoryRegion {
    MemoryRegion {
        address,
        size,
        state: MemoryState::Normal,
        permission: Permission::Rw,
        attributes: MemoryAttributes::default(),
        contents: Vec::new(),
    }
}

/// Sets up the model for `shape`. Move handles are refused in requests
/// (InvalidCombination before the server is woken), so the request sent is
/// [`Shape::as_legal_request`]: the moves become copies of fresh events.
fn prepare(shape: &Shape) -> Prepared {
    let mut kernel = ModelKernel::new();
    let k: &mut dyn Kernel = &mut kernel;
    let spec = |name: &str| ProcessSpec {
        name: name.into(),
        ..ProcessSpec::default()
    };
    let client_process = k.create_process(&spec("client")).unwrap();
    let server_process = k.create_process(&spec("server")).unwrap();
    let client = k.main_thread(client_process).unwrap();
    let server = k.main_thread(server_process).unwrap();
    k.map_memory(client_process, &region(CLIENT_HEAP, CLIENT_HEAP_SIZE))
        .unwrap();
    k.map_memory(server_process, &region(SERVER_HEAP, 0x1000))
        .unwrap();
    let handles: Vec<u32> = (0..shape.handle_count())
        .map(|_| k.create_event(client_process, EventKind::Event).unwrap())
        .collect();
    let session = k.create_session(server_process, client_process).unwrap();
    let request = shape.as_legal_request(&handles);
    let address = k.tls_address(client);
    k.write_memory(client_process, address, &request.bytes)
        .unwrap();
    let c = [ReceiveListEntry::new(SERVER_HEAP, 0x1000).unwrap()];
    let mut receive = [0u8; 16];
    let len = MessageRepr {
        recv_list_count: 2,
        c: &c,
        ..MessageRepr::EMPTY
    }
    .emit(&mut receive)
    .unwrap();
    let address = k.tls_address(server);
    k.write_memory(server_process, address, &receive[..len])
        .unwrap();
    Prepared {
        kernel,
        client,
        server,
        server_process,
        session,
    }
}

/// The timed part: the client sends, the server receives.
fn deliver(p: &mut Prepared) -> (SendOutcome, i32) {
    let k: &mut dyn Kernel = &mut p.kernel;
    let sent = k.send_sync_request(p.client, p.session.client, MessageBuffer::Tls);
    let received = k.reply_and_receive(p.server, &[p.session.server], 0, 0, MessageBuffer::Tls);
    (sent, received.result.0 as i32)
}

/// Runs the delivery once, untimed, and checks it worked.
fn verify(shape: &Shape, prepared: &Prepared) {
    let mut p = prepared.clone();
    let (sent, result) = deliver(&mut p);
    assert_eq!(sent, SendOutcome::Pending, "{}: send", shape.name);
    assert_eq!(result, 0, "{}: receive result", shape.name);
    let k: &mut dyn Kernel = &mut p.kernel;
    assert_eq!(k.request_status(p.client), RequestStatus::Pending);
    let address = k.tls_address(p.server);
    let tls = k.read_memory(p.server_process, address, 0x100).unwrap();
    let msg = Message::new_checked(&tls[..]).unwrap();
    assert_eq!(
        msg.raw(),
        &shape.raw[..],
        "{}: raw data delivered",
        shape.name
    );
    assert_eq!(msg.x_descriptors().len(), shape.x.len());
    assert_eq!(
        msg.copy_handles().len() + msg.move_handles().len(),
        shape.handle_count()
    );
}

fn translate(c: &mut Criterion, shapes: &[Shape]) {
    let mut group = c.benchmark_group("translate");
    for shape in shapes {
        let prepared = prepare(shape);
        verify(shape, &prepared);
        group.bench_function(BenchmarkId::new("model", shape.name), |b| {
            b.iter_batched(
                || prepared.clone(),
                |mut p| {
                    black_box(deliver(&mut p));
                    p
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

/// Every kernel test of the corpus, with its file.
fn kernel_tests(files: &[VectorFile]) -> Vec<(&VectorFile, &Test)> {
    files
        .iter()
        .flat_map(|f| f.tests().map(move |t| (f, t)))
        .filter(|(_, t)| matches!(t, Test::Kernel(_)))
        .collect()
}

/// Runs every test once and returns (passed, skipped, failed).
fn replay(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    tests: &[(&VectorFile, &Test)],
) -> [usize; 3] {
    let mut counts = [0; 3];
    for (file, test) in tests {
        let outcome = run_test(kernel, info, file, test);
        let fault = kernel.take_fault();
        let slot = match (outcome.status, fault) {
            (_, Some(_)) | (Status::Failed, _) => 2,
            (Status::Passed, None) => 0,
            (Status::Skipped, None) => 1,
        };
        counts[slot] += 1;
    }
    counts
}

/// The `hipc` binary in this build's target directory, built first (cargo does not
/// build a dependency's binaries for a bench): `cargo build --release -p
/// hipc-conformance --bin hipc`, a no-op when it is up to date.
fn hipc_binary() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().unwrap_or(manifest);
    let target = report::target_dir().unwrap_or_else(|| workspace.join("target"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "building the hipc binary for replay/serve-model (cargo build --release -p hipc-conformance --bin hipc)"
    );
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "hipc-conformance",
            "--bin",
            "hipc",
        ])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(workspace)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the hipc binary failed");
    target.join("release").join("hipc")
}

fn replay_group(c: &mut Criterion, files: &[VectorFile]) -> usize {
    let tests = kernel_tests(files);
    let n = tests.len();
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));

    let mut model = ModelKernel::new();
    let info = model.info();
    let [passed, skipped, failed] = replay(&mut model, &info, &tests);
    eprintln!(
        "replay/model: {n} kernel vectors: {passed} passed, {skipped} skipped, {failed} failed"
    );
    group.bench_function(BenchmarkId::new("model", "corpus"), |b| {
        b.iter(|| replay(&mut model, &info, &tests));
    });

    let binary = hipc_binary();
    let command = format!("'{}' serve-model", binary.display());
    let mut process =
        ProcessKernel::start(ProcessKernelConfig::new(command)).expect("hipc serve-model starts");
    let info = process.info();
    let [passed, skipped, failed] = replay(&mut process, &info, &tests);
    eprintln!(
        "replay/serve-model: {n} kernel vectors: {passed} passed, {skipped} skipped, {failed} failed ({} process start(s))",
        process.starts()
    );
    group.bench_function(BenchmarkId::new("serve-model", "corpus"), |b| {
        b.iter(|| replay(&mut process, &info, &tests));
    });
    group.finish();
    n
}

/// Cases per iteration of an explore benchmark.
const EXPLORE_CASES: u64 = 200;

/// The C example kernel (conformance/examples/c-kernel), built into the target
/// directory with make; `None` when gcc or make is missing or the build fails.
fn c_kernel() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().unwrap_or(manifest);
    let target = report::target_dir().unwrap_or_else(|| workspace.join("target"));
    let out = target.join("c-kernel");
    std::fs::create_dir_all(&out).ok()?;
    let made = Command::new("make")
        .arg("-C")
        .arg(workspace.join("conformance/examples/c-kernel"))
        .arg(format!("OUT={}", out.display()))
        .output()
        .ok()?;
    made.status.success().then(|| out.join("c-kernel"))
}

/// `hipc explore` through `--kernel-cmd`: the same 200 cases (seed 1) each
/// iteration, against each kernel; every run must find nothing (no false alarms).
fn explore_group(c: &mut Criterion, hipc: &Path) -> Vec<String> {
    let mut kernels = vec![("serve-model", format!("'{}' serve-model", hipc.display()))];
    match c_kernel() {
        Some(path) => kernels.push(("c-kernel", format!("'{}'", path.display()))),
        None => eprintln!("explore/c-kernel: gcc or make missing, not measured"),
    }
    let mut group = c.benchmark_group("explore");
    group.throughput(Throughput::Elements(EXPLORE_CASES));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let mut ids = Vec::new();
    for (name, command) in kernels {
        let mut process = ProcessKernel::start(ProcessKernelConfig::new(command))
            .unwrap_or_else(|e| panic!("{name} starts: {e}"));
        let limits = Limits {
            cases: Some(EXPLORE_CASES),
            ..Limits::default()
        };
        group.bench_function(BenchmarkId::new(name, "cases"), |b| {
            b.iter(|| {
                let mut explorer = KernelExplorer::new(&mut process, 1, None);
                let report = explorer.run(limits, &mut |_| {});
                assert!(
                    report.found.is_empty(),
                    "explore found a divergence on {name}: {:?}",
                    report.found.first().map(|f| &f.divergence)
                );
                black_box(report.progress.cases)
            });
        });
        ids.push(format!("explore/{name}/cases"));
    }
    group.finish();
    ids
}

fn main() {
    let since = SystemTime::now();
    let shapes = shapes();
    let mut c = Criterion::default()
        .output_directory(&report::criterion_dir())
        .configure_from_args();
    translate(&mut c, &shapes);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors = manifest.parent().unwrap_or(manifest).join("vectors");
    let (files, errors) = load_corpus(&[vectors]);
    for e in &errors {
        eprintln!("warning: vector load error: {e}");
    }
    let n = replay_group(&mut c, &files);
    let explored = explore_group(&mut c, &hipc_binary());
    c.final_summary();
    if report::measuring() {
        let checks = [
            Check::Throughput {
                id: "replay/model/corpus".into(),
                elements: n as u64,
                min_per_second: 20_000.0,
                unit: "vectors",
            },
            Check::Throughput {
                id: "replay/serve-model/corpus".into(),
                elements: n as u64,
                min_per_second: 5_000.0,
                unit: "vectors",
            },
        ];
        let checks: Vec<Check> = checks
            .into_iter()
            .chain(explored.into_iter().map(|id| Check::Throughput {
                id,
                elements: EXPLORE_CASES,
                min_per_second: 1_000.0,
                unit: "cases",
            }))
            .collect();
        report::print("kernel targets", since, &checks);
    }
}
