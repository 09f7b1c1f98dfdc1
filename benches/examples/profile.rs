//! A driver for `valgrind --tool=callgrind`: runs one benchmark body many times so
//! instruction counts per call can be read off (benches/README.md, "Profiling").
//!
//! `cargo build --release -p hipc-benches --example profile` then
//! `valgrind --tool=callgrind target/release/examples/profile decode-hipc tls-max 100000`.
//! Kinds: decode-hipc, decode-naive, decode-cmif, encode-hipc, memcpy.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use hipc_benches::naive::NaiveMessage;
use hipc_benches::{TLS_SIZE, copy_hidden, decode_cmif_sum, decode_sum, encode, shapes};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map_or("decode-hipc", String::as_str);
    let name = args.get(2).map_or("tls-max", String::as_str);
    let n: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let shapes = shapes();
    let shape = shapes
        .iter()
        .find(|s| s.name == name)
        .expect("a shape name");
    let bytes = &shape.bytes[..];
    let repr = shape.repr();
    let mut buf = [0u8; TLS_SIZE];
    let mut owned = NaiveMessage::default();
    let mut acc = 0u64;
    for _ in 0..n {
        acc = acc.wrapping_add(match kind {
            "decode-hipc" => hipc_decode(black_box(bytes)),
            "decode-naive" => owned
                .parse_into(black_box(bytes))
                .map_or(0, |()| owned.sum()),
            "decode-cmif" => decode_cmif_sum(black_box(bytes)).unwrap_or(0),
            "encode-hipc" => encode(black_box(&repr), black_box(&mut buf[..])).unwrap_or(0) as u64,
            "memcpy" => copy_hidden(black_box(bytes), black_box(&mut buf[..])) as u64,
            other => panic!("unknown kind {other}"),
        });
    }
    println!("{kind} {name} x{n}: {acc}");
}

/// Outlined, so its code can be read with `objdump -d --disassemble=...`.
#[inline(never)]
fn hipc_decode(bytes: &[u8]) -> u64 {
    decode_sum(bytes).unwrap_or(0)
}
