#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script (run by the base-builder-rust image's
# `compile`, from $SRC/hipc): builds every cargo-fuzz target of fuzz/ with the
# service's flags and ships each one to $OUT with its seed corpus
# ($OUT/<target>_seed_corpus.zip, made from vectors/ by make-seeds) and its
# dictionary ($OUT/<target>.dict).
#
# The environment is the image's: $SRC, $OUT, $WORK; $SANITIZER (address,
# coverage, ...), $FUZZING_ENGINE (libfuzzer); $CFLAGS/$CXXFLAGS carry the C
# sanitizer flags (libfuzzer-sys compiles libFuzzer with them) and $RUSTFLAGS the
# Rust ones (`--cfg fuzzing`, and `-Cinstrument-coverage` in coverage builds);
# cargo fuzz adds the sanitizer and coverage passes on top. .clusterfuzzlite/
# check-build.sh runs this script here under the same variables.
cd "$SRC/hipc"

# The seed corpora (fuzz/corpus/<target>/) from the vectors. A plain host program:
# built without the service's flags (the C ones would make libFuzzer's objects need
# a sanitizer runtime this binary does not link) and in its own target directory,
# so the fuzz build below is neither invalidated nor polluted by it.
env -u CFLAGS -u CXXFLAGS RUSTFLAGS="" CARGO_TARGET_DIR="$WORK/make-seeds-target" \
  cargo run --release --manifest-path fuzz/Cargo.toml --example make-seeds

# cargo fuzz's sanitizer for the service's: Rust has AddressSanitizer and
# MemorySanitizer; coverage (and anything else) builds without one.
case "${SANITIZER:-address}" in
  address) sanitizer=address ;;
  memory) sanitizer=memory ;;
  *) sanitizer=none ;;
esac
cargo fuzz build -O --sanitizer "$sanitizer"

triple=$(rustc -vV | sed -n 's/^host: //p')
out_dir="${CARGO_TARGET_DIR:-fuzz/target}/$triple/release"
for source in fuzz/fuzz_targets/*.rs; do
  target=$(basename "${source%.rs}")
  cp "$out_dir/$target" "$OUT/"
  # `parse` reads the same input as `decode` (any bytes as a message buffer).
  corpus="fuzz/corpus/$target"
  [ -d "$corpus" ] || corpus=fuzz/corpus/decode
  rm -f "$OUT/${target}_seed_corpus.zip"
  (cd "$corpus" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  case "$target" in
    message_json|vector_file) cp fuzz/dict/json.dict "$OUT/$target.dict" ;;
    *) cp fuzz/dict/hipc.dict "$OUT/$target.dict" ;;
  esac
done
