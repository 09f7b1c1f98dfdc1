#!/usr/bin/env bash
# Throughput of every cargo-fuzz target (issue 16, fuzz/README.md "Throughput"):
# each target for SECONDS (default 20) from a fresh copy of its seed corpus, with
# its dictionary and -s none, one after the other. Prints, per target, the runs,
# libFuzzer's wall-clock exec/s, the CPU seconds the process used and the runs per
# CPU second (the figure that does not move with the machine's load; on an idle
# core the two agree).
#
#   scripts/fuzz-throughput.sh [SECONDS] [TARGET...]
#
# Needs cargo-fuzz; builds the targets (`cargo fuzz build -s none`, the build CI
# fuzzes with: release, debug assertions and overflow checks on) and the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse decode roundtrip kernel scenario vector_file message_json)

cargo run -q --locked --manifest-path fuzz/Cargo.toml --example make-seeds >/dev/null
mkdir -p fuzz/corpus/parse
cp -n fuzz/corpus/decode/* fuzz/corpus/parse/ 2>/dev/null || true
cargo fuzz build -s none >/dev/null 2>&1
bin="fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-13s %12s %10s %8s %14s\n' target runs exec/s cpu-s runs/cpu-s
for target in "${targets[@]}"; do
  case "$target" in
    message_json|vector_file) dict=fuzz/dict/json.dict ;;
    *) dict=fuzz/dict/hipc.dict ;;
  esac
  rm -rf "$work/corpus" && cp -r "fuzz/corpus/$target" "$work/corpus"
  /usr/bin/time -f '%U %S' -o "$work/time" "$bin/$target" "$work/corpus" -dict="$dict" \
    -max_total_time="$seconds" -timeout=30 -print_final_stats=1 >"$work/log" 2>&1
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
  wall=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
  cpu=$(awk '{print $1 + $2}' "$work/time")
  printf '%-13s %12s %10s %8s %14.0f\n' "$target" "$runs" "$wall" "$cpu" "$(echo "$runs / $cpu" | bc -l)"
done
