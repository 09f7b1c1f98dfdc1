#!/usr/bin/env bash
# Mutation testing of hipc (issue 15): how much of the model the vector corpus pins
# down, how much of the codec its tests pin down, and how much of the runner its
# tests pin down. Not part of .ci/run.
#
#   scripts/mutants.sh [model|codec|runner|all] [SHARDS] [JOBS]
#
#   model  conformance/src/model/ mutated, tested by the vector corpus ONLY
#          (cargo test -p hipc-conformance --test vectors): no unit test can hide
#          a corpus gap.
#   codec  codec/src/ mutated, tested by the codec's own tests: every mutant by the
#          unit and integration tests (cargo test -p hipc --tests), the survivors
#          then by all of them, doctests included (cargo test -p hipc).
#   runner conformance/src/runner/ mutated (what decides every verdict and names
#          every failure), tested by the crate's unit tests (the runner's, and
#          explore's, which drive it), the fault table, the corpus on the model,
#          and the record tests (cargo test -p hipc-conformance --lib --test faults
#          --test vectors --test record).
#   all    all three (the default).
#
# SHARDS (default 4) splits each part into that many round-robin shards, run one
# after the other (each shard is `cargo mutants --shard k/SHARDS`; run them on
# several machines by setting SHARD_ONLY=k). JOBS (default 2) is cargo-mutants'
# --jobs. Everything runs under `nice -n 10`. Exclusions and their reasons are in
# .cargo/mutants.toml; survivors are triaged in conformance/MUTANTS.md.
#
# A shard that finished is skipped when the script runs again, so an interrupted
# run resumes. Shards are round-robin over cargo-mutants' list of mutants: they are
# disjoint only while that list stays the same, so do not change the code or
# .cargo/mutants.toml between the shards of one run. Output: mutants.out/<part>-<k>/ per shard (cargo-mutants' own output: caught.txt,
# missed.txt, timeout.txt, unviable.txt, outcomes.json), then one summary line
# per part:  <part>: <caught+timeout> killed of <viable> viable (<rate>%), <missed> missed
# The rate counts every missed mutant, equivalent ones included; MUTANTS.md gives
# the rate over the non-equivalent ones.
set -euo pipefail
cd "$(dirname "$0")/.."

part=${1:-all}
shards=${2:-4}
jobs=${3:-2}
out=${MUTANTS_OUT:-mutants.out}

command -v cargo-mutants >/dev/null 2>&1 || cargo install cargo-mutants --locked

run_part() {
  local name=$1; shift
  local k
  for ((k = 0; k < shards; k++)); do
    if [[ -n "${SHARD_ONLY:-}" && "$SHARD_ONLY" != "$k" ]]; then continue; fi
    # A finished shard is not run again (delete mutants.out/ to start over).
    if [[ -e "$out/$name-$k/done" ]]; then echo "==> $name shard $k/$shards: done before"; continue; fi
    echo "==> $name shard $k/$shards"
    mkdir -p "$out/$name-$k"
    # cargo-mutants exits 2 when mutants are missed, 3 on timeouts: not errors here.
    nice -n 10 cargo mutants --no-shuffle --sharding round-robin --jobs "$jobs" --shard "$k/$shards" \
      --output "$out/$name-$k" "$@" || {
        rc=$?
        if [[ $rc -ne 2 && $rc -ne 3 ]]; then echo "cargo mutants failed ($rc)"; exit "$rc"; fi
      }
    touch "$out/$name-$k/done"
  done
}

summarize() {
  local name=$1 caught=0 missed=0 timeout=0 unviable=0 d second
  for d in "$out/$name"-[0-9]*/mutants.out; do
    [[ -d "$d" && $d != *-doctests/* ]] || continue
    caught=$((caught + $(wc -l <"$d/caught.txt")))
    timeout=$((timeout + $(wc -l <"$d/timeout.txt")))
    unviable=$((unviable + $(wc -l <"$d/unviable.txt")))
    # A survivor the second pass (doctests) killed counts as killed.
    second="${d%/mutants.out}-doctests/mutants.out"
    # (Only the first pass's survivors: cargo-mutants' --examine-re lets a few
    # struct-field mutants through as well.)
    if [[ -d $second ]]; then
      local killed2
      killed2=$(sort "$second/caught.txt" "$second/timeout.txt" | comm -12 - <(sort "$d/missed.txt") | wc -l)
      caught=$((caught + killed2))
      missed=$((missed + $(wc -l <"$d/missed.txt") - killed2))
    else
      missed=$((missed + $(wc -l <"$d/missed.txt")))
    fi
  done
  local viable=$((caught + missed + timeout))
  local killed=$((caught + timeout))
  if ((viable > 0)); then
    printf '%s: %d killed of %d viable (%s%%), %d missed, %d unviable\n' "$name" "$killed" \
      "$viable" "$(awk -v k="$killed" -v v="$viable" 'BEGIN { printf "%.1f", 100 * k / v }')" \
      "$missed" "$unviable"
  else
    echo "$name: no results in $out/$name-*"
  fi
}

if [[ $part == model || $part == all ]]; then
  run_part model --file 'conformance/src/model/*.rs' \
    --test-package hipc-conformance --cargo-arg=--test=vectors
fi
# The regex that selects exactly the mutants listed in a missed.txt.
exact_re() {
  sed -e 's/[][\\.+*?(){}|^$#&~-]/\\&/g' -e 's/^/^/' -e 's/$/$/' "$1" | paste -sd'|'
}

if [[ $part == codec || $part == all ]]; then
  # Every mutant against the unit and integration tests; the survivors then
  # against the doctests too (one more build per mutant, worth it for few).
  run_part codec --file 'codec/src/**/*.rs' --test-package hipc --cargo-arg=--tests
  for ((k = 0; k < shards; k++)); do
    missed="$out/codec-$k/mutants.out/missed.txt"
    [[ -s $missed ]] || continue
    [[ -d "$out/codec-$k-doctests" ]] && continue
    echo "==> codec shard $k/$shards: its $(wc -l <"$missed") survivors with the doctests too"
    mkdir -p "$out/codec-$k-doctests"
    nice -n 10 cargo mutants --jobs "$jobs" --output "$out/codec-$k-doctests" \
      --file 'codec/src/**/*.rs' --test-package hipc --examine-re "$(exact_re "$missed")" || {
        rc=$?
        if [[ $rc -ne 2 && $rc -ne 3 ]]; then echo "cargo mutants failed ($rc)"; exit "$rc"; fi
      }
  done
fi

if [[ $part == runner || $part == all ]]; then
  run_part runner --file 'conformance/src/runner/*.rs' --test-package hipc-conformance \
    --cargo-arg=--lib --cargo-arg=--test=faults --cargo-arg=--test=vectors \
    --cargo-arg=--test=record
fi

echo
echo "==> kill rates (missed mutants listed in $out/<part>-<k>/mutants.out/missed.txt)"
for name in model codec runner; do
  if [[ $part == "$name" || $part == all ]]; then summarize "$name"; fi
done
