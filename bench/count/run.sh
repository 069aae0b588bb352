#!/usr/bin/env bash
# Benchmark of landsym count: the exact T(1000,2000) and the full figure-6 table
# (r* = 30, m = 31..1000, R_1..R_5 and the total over k = 1..29), each timed over several
# runs of the command-line tool (process start included). Also a few larger sizes for scale.
# Usage: bench/count/run.sh [path/to/landsym] [repetitions]
set -euo pipefail
L="${1:-$(dirname "$0")/../../build/landsym}"
reps="${2:-5}"
[ -x "$L" ] || { echo "landsym binary not found at $L (build first)" >&2; exit 2; }

# time_cmd LABEL CMD...: min and median wall time over $reps runs, output discarded
time_cmd() {
  local label="$1"; shift
  local ts=()
  for _ in $(seq "$reps"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    ts+=($(( (t1 - t0) / 1000 )))
  done
  sorted=$(printf '%s\n' "${ts[@]}" | sort -n)
  min=$(echo "$sorted" | head -1)
  med=$(echo "$sorted" | sed -n "$(( (reps + 1) / 2 ))p")
  printf '%-44s min %8.3f s   median %8.3f s   (%d runs)\n' "$label" \
    "$(echo "$min / 1000000" | bc -l)" "$(echo "$med / 1000000" | bc -l)" "$reps"
}

echo "landsym count benchmark on $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "T(1000,2000) has $("$L" count T 1000 2000 | tr -d '\n' | wc -c) decimal digits"
time_cmd "T(1000,2000) exact"                  "$L" count T 1000 2000
time_cmd "figure-6 table (R 30 31:1000 --csv)" "$L" count R 30 31:1000 --csv
time_cmd "G(1000,2000) exact"                  "$L" count G 1000 2000
time_cmd "T(2000,4000) exact (scale)"          "$L" count T 2000 4000
time_cmd "T(30,m), m=30..3000 table (recurrence)" "$L" count T 30 30:3000
time_cmd "R_k(300,m), m=301..2000 table"       "$L" count R 300 301:2000 --csv
