#!/bin/sh
# Table 6.1 of the thesis (Stoican 2022, section 6.2) end to end: `landsym sweep` of a
# width-5 student on the thesis toy over SEEDS seeds (1000 as in the thesis), then
# `landsym classify`; prints wall-clock times, the machine's load and the table next to
# the thesis's numbers, and writes them to bench/sweep/results.txt.
#
# usage: bench/sweep/run.sh [SEEDS] [THREADS]    (defaults: 1000, all cores)
# env:   LANDSYM=path/to/landsym (default build/landsym), OUT=dir (default a temp dir)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seeds=${1:-1000}
threads=${2:-$(nproc)}
landsym=${LANDSYM:-$root/build/landsym}
out=${OUT:-$(mktemp -d /tmp/landsym-bench-sweep.XXXXXX)}
[ -x "$landsym" ] || { echo "run.sh: $landsym not built (cmake --build build)" >&2; exit 2; }
rm -rf "$out/sweep"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N)
"$landsym" sweep --config "$root/examples/table6_1.json" --out "$out/sweep" --seeds "$seeds" \
  --threads "$threads" --quiet >/dev/null
t1=$(date +%s.%N)
"$landsym" classify "$out/sweep" --threads "$threads" --quiet > "$out/table.txt"
t2=$(date +%s.%N)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "landsym table 6.1 benchmark: $seeds seeds, $threads threads, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "load average before: $load0, after: $load1"
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$seeds" 'BEGIN {
    printf "sweep %.1f s, classify %.1f s, total %.1f s (%.3f s per seed)\n", b-a, c-b, c-a, (c-a)/n }'
  awk -F, 'NR > 1 { cpu += $3 } END { printf "sweep CPU time summed over runs: %.1f s\n", cpu }' \
    "$out/sweep/timings.csv"
  echo
  cat "$out/table.txt"
  echo
  echo "thesis table 6.1 (1000 seeds): 574 global minima; 426 local minima = 55 symmetry-induced + 371 other"
  echo "outputs: $out/sweep (runs), $out/sweep/classify (tables, figures)"
} | tee "$here/results.txt"
