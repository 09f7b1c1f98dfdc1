//! `decode/{hipc,naive,memcpy}/SHAPE`, `decode/hipc-check/SHAPE`,
//! `decode/hipc-cmif/cmif-small` and
//! `encode/{hipc,memcpy}/SHAPE`, then the ratio report (benches/README.md).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{BenchmarkId, Criterion, Throughput};
use hipc_benches::naive::NaiveMessage;
use hipc_benches::report::{self, Check};
use hipc_benches::{
    Shape, TLS_SIZE, copy_hidden, decode_check, decode_cmif_sum, decode_sum, encode, shapes,
};

fn check_shapes(shapes: &[Shape]) {
    // The three decoders must agree before any is timed.
    for shape in shapes {
        let hipc = decode_sum(&shape.bytes).expect("the codec decodes its own shapes");
        let naive = NaiveMessage::parse(&shape.bytes)
            .expect("the naive parser decodes the shapes")
            .sum();
        assert_eq!(
            hipc, naive,
            "decode/hipc and decode/naive disagree on {}",
            shape.name
        );
        let mut buf = [0u8; TLS_SIZE];
        let len = encode(&shape.repr(), &mut buf).expect("the shapes encode");
        assert_eq!(
            &buf[..len],
            &shape.bytes[..],
            "encode/hipc of {}",
            shape.name
        );
    }
}

fn decode(c: &mut Criterion, shapes: &[Shape]) {
    let mut group = c.benchmark_group("decode");
    for shape in shapes {
        let bytes = &shape.bytes[..];
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new("hipc", shape.name), |b| {
            b.iter(|| decode_sum(black_box(bytes)));
        });
        group.bench_function(BenchmarkId::new("naive", shape.name), |b| {
            let mut owned = NaiveMessage::default();
            b.iter(|| {
                owned
                    .parse_into(black_box(bytes))
                    .map(|()| owned.sum())
                    .ok()
            });
        });
        group.bench_function(BenchmarkId::new("memcpy", shape.name), |b| {
            let mut dst = [0u8; TLS_SIZE];
            b.iter(|| copy_hidden(black_box(bytes), black_box(&mut dst[..])));
        });
        // The check alone, no field read: what libnx's parse does (the issue's
        // reference figures), for a like-for-like comparison.
        group.bench_function(BenchmarkId::new("hipc-check", shape.name), |b| {
            b.iter(|| decode_check(black_box(bytes)));
        });
        if shape.name == "cmif-small" {
            group.bench_function(BenchmarkId::new("hipc-cmif", shape.name), |b| {
                b.iter(|| decode_cmif_sum(black_box(bytes)));
            });
        }
    }
    group.finish();
}

fn encode_group(c: &mut Criterion, shapes: &[Shape]) {
    let mut group = c.benchmark_group("encode");
    for shape in shapes {
        let repr = shape.repr();
        let bytes = &shape.bytes[..];
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new("hipc", shape.name), |b| {
            let mut buf = [0u8; TLS_SIZE];
            b.iter(|| encode(black_box(&repr), black_box(&mut buf[..])));
        });
        group.bench_function(BenchmarkId::new("memcpy", shape.name), |b| {
            let mut buf = [0u8; TLS_SIZE];
            b.iter(|| copy_hidden(black_box(bytes), black_box(&mut buf[..])));
        });
    }
    group.finish();
}

/// The targets: decode/hipc within 3x (5x for `buffers`, `tls-max`) of
/// memcpy and faster than naive; encode/hipc within 3x of memcpy.
fn checks(shapes: &[Shape]) -> Vec<Check> {
    let mut checks = Vec::new();
    for shape in shapes {
        let name = shape.name;
        let decode_limit = if matches!(name, "buffers" | "tls-max") {
            5.0
        } else {
            3.0
        };
        checks.push(Check::Ratio {
            id: format!("decode/hipc/{name}"),
            baseline: format!("decode/memcpy/{name}"),
            limit: decode_limit,
        });
        checks.push(Check::Ratio {
            id: format!("decode/hipc/{name}"),
            baseline: format!("decode/naive/{name}"),
            limit: 1.0,
        });
        checks.push(Check::Ratio {
            id: format!("encode/hipc/{name}"),
            baseline: format!("encode/memcpy/{name}"),
            limit: 3.0,
        });
    }
    checks
}

fn main() {
    let since = SystemTime::now();
    let shapes = shapes();
    check_shapes(&shapes);
    let mut c = Criterion::default()
        .output_directory(&report::criterion_dir())
        .configure_from_args();
    decode(&mut c, &shapes);
    encode_group(&mut c, &shapes);
    c.final_summary();
    if report::measuring() {
        report::print("codec targets", since, &checks(&shapes));
    }
}
