#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzz build (MCPAUTH_FUZZ=ON) for a bounded time each.
#
# Usage: fuzz/run.sh BUILD_DIR [TARGET...]        (default: every fuzz/corpus/<target>)
#        fuzz/run.sh --merge BUILD_DIR [TARGET...] (fold new coverage into fuzz/corpus)
# Environment: FUZZ_SECONDS (default 60) per target; FUZZ_ARGS extra libFuzzer flags.
#
# The committed corpus fuzz/corpus/<target> is read, never written: new inputs go to
# BUILD_DIR/fuzz-work/<target>, crashes to BUILD_DIR/fuzz-artifacts/<target>/. One line per
# target reports time, executions, coverage and crashes; the exit status is 1 if any target
# crashed or violated an invariant. `--merge` runs libFuzzer's -merge=1, which adds to the
# committed corpus only the work inputs that cover something new (keep the corpus small).
set -euo pipefail

merge=0
if [ "${1:-}" = "--merge" ]; then
  merge=1
  shift
fi
build=${1:?usage: fuzz/run.sh [--merge] BUILD_DIR [TARGET...]}
shift
root=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-60}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for dir in "$root"/corpus/*/; do
    targets+=("$(basename "$dir")")
  done
fi

status=0
for t in "${targets[@]}"; do
  bin="$build/bin/fuzz_$t"
  corpus="$root/corpus/$t"
  work="$build/fuzz-work/$t"
  artifacts="$build/fuzz-artifacts/$t"
  log="$build/fuzz-logs/$t.log"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin is missing (build with -DMCPAUTH_FUZZ=ON)" >&2
    exit 2
  fi
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  dict=()
  if [ -f "$root/dict/$t.dict" ]; then
    dict=(-dict="$root/dict/$t.dict")
  fi
  if [ $merge -eq 1 ]; then
    "$bin" -merge=1 "${dict[@]}" "$corpus" "$work" >"$log" 2>&1
    echo "$t: merged, corpus now $(find "$corpus" -type f | wc -l) files"
    continue
  fi
  before=$(find "$artifacts" -type f | wc -l)
  # -jobs is not used: one process per target keeps the load to one core.
  rc=0
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
    -timeout=10 -rss_limit_mb=2048 "${dict[@]}" ${FUZZ_ARGS:-} "$work" "$corpus" >"$log" 2>&1 || rc=$?
  after=$(find "$artifacts" -type f | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  echo "$t: ${seconds}s, ${execs:-?} executions, cov ${cov:-?}, ft ${ft:-?}, new crashes $((after - before)) (exit $rc, log $log)"
  if [ $rc -ne 0 ] || [ $((after - before)) -ne 0 ]; then
    status=1
    find "$artifacts" -type f -newer "$bin" | sed 's/^/  crash input: /'
    grep -m3 -E 'ERROR: |invariant violated|runtime error' "$log" | sed 's/^/  /' || true
  fi
done
exit $status
