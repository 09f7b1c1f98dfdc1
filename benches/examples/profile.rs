//! A driver for `valgrind --tool=callgrind`: runs one benchmark body many times so
//! instruction counts per call can be read off (benches/README.md, "Profiling").
//!
//! `cargo build --release -p hipc-benches --example profile` then
//! `valgrind --tool=callgrind target/release/examples/profile decode-hipc tls-max 100000`.
//! Kinds: decode-hipc, decode-naive, decode-check, decode-cmif, encode-hipc, memcpy; and
//! `replay-model corpus N`: N passes of every kernel vector of `vectors/` through
//! `run_test` against one `ModelKernel` (the corpus is loaded once, before).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use hipc_benches::naive::NaiveMessage;
use hipc_benches::{
    TLS_SIZE, copy_hidden, decode_check, decode_cmif_sum, decode_sum, encode, shapes,
};
use hipc_conformance::kernel::Kernel;
use hipc_conformance::model::ModelKernel;
use hipc_conformance::runner::{Status, run_test};
use hipc_conformance::vector::{Test, load_corpus};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map_or("decode-hipc", String::as_str);
    let name = args.get(2).map_or("tls-max", String::as_str);
    let n: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    if kind == "replay-model" {
        replay_model(n);
        return;
    }
    let shapes = shapes();
    let shape = shapes
        .iter()
        .find(|s| s.name == name)
        .expect("a shape name");
    let bytes = &shape.bytes[..];
    let repr = shape.repr();
    let mut buf = [0u8; TLS_SIZE];
    let mut owned = NaiveMessage::default();
    // One loop per kind (the kind is matched once, outside): the count per call is
    // the body's, plus a few instructions of loop.
    let mut acc = 0u64;
    match kind {
        "decode-hipc" => {
            for _ in 0..n {
                acc = acc.wrapping_add(hipc_decode(black_box(bytes)));
            }
        }
        "decode-naive" => {
            for _ in 0..n {
                let sum = owned
                    .parse_into(black_box(bytes))
                    .map_or(0, |()| owned.sum());
                acc = acc.wrapping_add(sum);
            }
        }
        "decode-check" => {
            for _ in 0..n {
                acc = acc.wrapping_add(u64::from(hipc_check(black_box(bytes))));
            }
        }
        "decode-cmif" => {
            for _ in 0..n {
                acc = acc.wrapping_add(decode_cmif_sum(black_box(bytes)).unwrap_or(0));
            }
        }
        "encode-hipc" => {
            for _ in 0..n {
                let len = hipc_encode(black_box(&repr), black_box(&mut buf[..]));
                acc = acc.wrapping_add(len as u64);
            }
        }
        "memcpy" => {
            for _ in 0..n {
                acc =
                    acc.wrapping_add(copy_hidden(black_box(bytes), black_box(&mut buf[..])) as u64);
            }
        }
        other => panic!("unknown kind {other}"),
    }
    println!("{kind} {name} x{n}: {acc}");
}

/// Outlined, so its code can be read with `objdump -d --disassemble=...`.
#[inline(never)]
fn hipc_decode(bytes: &[u8]) -> u64 {
    decode_sum(bytes).unwrap_or(0)
}

/// Outlined like [`hipc_decode`]: a call per iteration, as libnx's functions are
/// called (the figures count loop and call).
#[inline(never)]
fn hipc_check(bytes: &[u8]) -> bool {
    decode_check(bytes)
}

/// Outlined like [`hipc_decode`].
#[inline(never)]
fn hipc_encode(repr: &hipc::MessageRepr<'_>, buf: &mut [u8]) -> usize {
    encode(repr, buf).unwrap_or(0)
}

/// `n` passes of the corpus's kernel vectors against one model (as
/// `replay/model/corpus` does); prints the pass/skip/fail counts of the last pass.
fn replay_model(n: u64) {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors = manifest.parent().unwrap_or(manifest).join("vectors");
    let (files, errors) = load_corpus(&[vectors]);
    assert!(errors.is_empty(), "vector load errors: {errors:?}");
    let tests: Vec<_> = files
        .iter()
        .flat_map(|f| f.tests().map(move |t| (f, t)))
        .filter(|(_, t)| matches!(t, Test::Kernel(_)))
        .collect();
    let mut model = ModelKernel::new();
    let info = model.info();
    let mut counts = [0usize; 3];
    for _ in 0..n {
        counts = [0; 3];
        for (file, test) in &tests {
            let outcome = run_replay_one(&mut model, &info, file, test);
            let fault = model.take_fault();
            let slot = match (outcome, fault) {
                (_, Some(_)) | (Status::Failed, _) => 2,
                (Status::Passed, None) => 0,
                (Status::Skipped, None) => 1,
            };
            counts[slot] += 1;
        }
    }
    println!(
        "replay-model corpus x{n}: {} vectors: {} passed, {} skipped, {} failed",
        tests.len(),
        counts[0],
        counts[1],
        counts[2]
    );
}

/// One vector (outlined, so callgrind shows it as one entry).
#[inline(never)]
fn run_replay_one(
    kernel: &mut dyn Kernel,
    info: &hipc_conformance::kernel::KernelInfo,
    file: &hipc_conformance::vector::VectorFile,
    test: &Test,
) -> Status {
    run_test(kernel, info, file, test).status
}
