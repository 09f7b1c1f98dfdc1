//! Benchmarks for hipc live here (see `benches/README.md` once they exist).
