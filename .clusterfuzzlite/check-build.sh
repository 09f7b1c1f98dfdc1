#!/bin/bash
# Runs .clusterfuzzlite/build.sh here the way the OSS-Fuzz base-builder-rust image
# runs it (its `compile` step), so that the first real ClusterFuzzLite or OSS-Fuzz
# run does not fail on the build: fresh $SRC, $OUT and $WORK in a temporary
# directory, a copy of this checkout as $SRC/hipc (tracked and untracked files, not
# ignored ones: no target/ directories, no corpora), the image's variables for an
# AddressSanitizer libFuzzer build, then checks $OUT the way the image's
# `check_build` does: every fuzz target there, executable, with its seed-corpus zip
# and dictionary, and each one runs (briefly, from its seed corpus) without a crash.
#
#   .clusterfuzzlite/check-build.sh            # SANITIZER=address
#   SANITIZER=coverage .clusterfuzzlite/check-build.sh
#   KEEP=1 .clusterfuzzlite/check-build.sh     # keep the temporary directory
#
# Needs nightly Rust (the image's default toolchain; -Zsanitizer) and cargo-fuzz.
# clang is the image's compiler and used when present; without it the C flags are
# gcc's equivalent (no -fsanitize=fuzzer-no-link), which libfuzzer-sys accepts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/hipc-cflite.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$root"' EXIT; fi
export SRC="$root/src" OUT="$root/out" WORK="$root/work"
mkdir -p "$SRC/hipc" "$OUT" "$WORK"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$repo" && tar --null -T - -cf -) | tar -xf - -C "$SRC/hipc"
cp "$repo/.clusterfuzzlite/build.sh" "$SRC/build.sh"

# The image's variables (infra/base-images/base-builder: Dockerfile and `compile`).
export SANITIZER="${SANITIZER:-address}" FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64
export FUZZING_LANGUAGE=rust LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
export RUSTUP_TOOLCHAIN="${RUSTUP_TOOLCHAIN:-nightly}"
common="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
case "$SANITIZER" in
  address) san="-fsanitize=address -fsanitize-address-use-after-scope" ;;
  coverage) san="-fprofile-instr-generate -fcoverage-mapping" ;;
  *) san="" ;;
esac
if command -v clang >/dev/null && command -v clang++ >/dev/null; then
  export CC=clang CXX=clang++
  export CFLAGS="$common $san -fsanitize=fuzzer-no-link"
else
  echo "check-build: no clang here; C flags without -fsanitize=fuzzer-no-link (gcc)" >&2
  export CC=gcc CXX=g++
  [ "$SANITIZER" = coverage ] && san=""
  export CFLAGS="$common $san"
fi
export CXXFLAGS="$CFLAGS"
export RUSTFLAGS="--cfg fuzzing -Cdebug-assertions -Cforce-frame-pointers"
[ "$SANITIZER" = coverage ] && RUSTFLAGS="$RUSTFLAGS -Cinstrument-coverage"
# The fuzz build's cache lives in $WORK like the image's (a fresh build each time),
# unless CHECK_BUILD_TARGET_DIR names one to reuse between runs.
if [ -n "${CHECK_BUILD_TARGET_DIR:-}" ]; then
  mkdir -p "$CHECK_BUILD_TARGET_DIR"
  ln -s "$CHECK_BUILD_TARGET_DIR" "$SRC/hipc/fuzz/target"
fi

start=$(date +%s)
(cd "$SRC" && bash -eu "$SRC/build.sh")
echo "check-build: build.sh finished in $(( $(date +%s) - start )) s"

# What the image's check_build verifies, and a short run of each target.
targets=$(cd "$repo/fuzz/fuzz_targets" && ls -- *.rs | sed 's/\.rs$//')
fail=0
for target in $targets; do
  for f in "$OUT/$target" "$OUT/${target}_seed_corpus.zip" "$OUT/$target.dict"; do
    if [ ! -s "$f" ]; then echo "check-build: missing or empty: $f" >&2; fail=1; fi
  done
  [ -x "$OUT/$target" ] || { echo "check-build: not executable: $OUT/$target" >&2; fail=1; continue; }
  seeds=$(unzip -Z1 "$OUT/${target}_seed_corpus.zip" | grep -vc '/$' || true)
  corpus="$WORK/run-$target"
  mkdir -p "$corpus" && unzip -q -o "$OUT/${target}_seed_corpus.zip" -d "$corpus"
  if [ "$SANITIZER" = coverage ]; then
    # A coverage build is run over its corpus once, as the service does.
    if ! (cd "$WORK" && "$OUT/$target" -runs=0 "$corpus" >"$WORK/$target.log" 2>&1); then
      tail -n 30 "$WORK/$target.log"; echo "check-build: $target failed" >&2; fail=1
    fi
  elif ! (cd "$WORK" && "$OUT/$target" -dict="$OUT/$target.dict" -max_total_time=5 \
      -timeout=30 -rss_limit_mb=2560 "$corpus" >"$WORK/$target.log" 2>&1); then
    tail -n 30 "$WORK/$target.log"; echo "check-build: $target failed" >&2; fail=1
  fi
  echo "check-build: $target: $seeds seeds, $(grep -o 'stat::number_of_executed_units: [0-9]*\|Done [0-9]* runs' "$WORK/$target.log" | tail -n1)"
done
[ "$fail" = 0 ] && echo "check-build: OK ($SANITIZER): every target, seed corpus and dictionary in \$OUT"
exit "$fail"
