#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: builds every cargo-fuzz target of fuzz/
# with the service's sanitizer flags (cargo fuzz reads them), and ships each one
# with its seed corpus (made from vectors/ by make-seeds) and its dictionary.
cd "$SRC/hipc"

# Seed corpora from the vectors: a plain build, without the service's sanitizer flags.
RUSTFLAGS="" cargo run --manifest-path fuzz/Cargo.toml --example make-seeds

cargo fuzz build -O
out_dir=fuzz/target/x86_64-unknown-linux-gnu/release
for source in fuzz/fuzz_targets/*.rs; do
  target=$(basename "${source%.rs}")
  cp "$out_dir/$target" "$OUT/"
  (cd "fuzz/corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  case "$target" in
    message_json|vector_file) cp fuzz/dict/json.dict "$OUT/$target.dict" ;;
    *) cp fuzz/dict/hipc.dict "$OUT/$target.dict" ;;
  esac
done
