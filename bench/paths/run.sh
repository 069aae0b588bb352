#!/usr/bin/env bash
# landsym path benchmark: Brea et al. 2019 figure 2 end to end (10 pairs x STEPS log-spaced
# steps down to 1e-4 of the initial relative distance, 2-5-1 ReLU, 10^3 Gaussian inputs),
# `landsym path --reproduce-fig2` against a PyTorch implementation of the same schedule
# (bench/paths/baseline_torch.py, LBFGS in float64) on the same data, in the same run.
# The Python side uses $BENCH_VENV (a virtual environment with torch and numpy; default
# bench/.venv, created by bench/engine/run.sh); without it only landsym is timed.
# Usage: [BENCH_VENV=DIR] bench/paths/run.sh [STEPS (200)] [MAXEVAL per step (1000)] [KAPPA (4)]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
steps=${1:-200}
maxeval=${2:-1000}
kappa=${3:-4}
build=build-bench
out=$(mktemp -d "${TMPDIR:-/tmp}/landsym-bench-paths.XXXXXX")
trap 'rm -rf "$out"' EXIT

echo "== building landsym (Release) in $build" >&2
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
  cmake --build "$build" -j"$(nproc)" --target landsym landsym_static >/dev/null ||
  { echo "build failed" >&2; exit 1; }
cc -O2 -Wall -Wextra -fopenmp -Iinclude -Isrc bench/paths/dump_data.c "$build/liblandsym.a" \
  -ljansson -lz $(pkg-config --libs lapacke openblas) -lm -o "$build/dump_data" ||
  { echo "dump_data build failed" >&2; exit 1; }
"$build/dump_data" examples/fig2.json "$out" || exit 1

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "== landsym path --reproduce-fig2 --steps $steps --maxeval $maxeval --out-bound $kappa (1 thread)"
t0=$(date +%s.%N)
OMP_NUM_THREADS=1 /usr/bin/time -f "landsym CPU: %U s user, %S s system" -o "$out/cpu" "$build/landsym" path --reproduce-fig2 --steps "$steps" --maxeval "$maxeval" \
  --out-bound "$kappa" --no-plot --out "$out/landsym" 2>/dev/null | sed 's/^/  /'
t1=$(date +%s.%N)
echo "landsym wall (incl. start-up, merged re-optimisation, files): $(python3 -c "print(f'{$t1-$t0:.2f} s')")"
cat "$out/cpu"

venv=${BENCH_VENV:-bench/.venv}
py=$venv/bin/python
if [ -x "$py" ] && "$py" -c "import torch, numpy" 2>/dev/null; then
  echo "== PyTorch $("$py" -c 'import torch; print(torch.__version__)') LBFGS, same schedule and bound (1 thread, $venv)"
  OMP_NUM_THREADS=1 "$py" bench/paths/baseline_torch.py "$out" "$steps" "$maxeval" 1 "$kappa" | sed 's/^/  /'
else
  echo "== PyTorch baseline skipped: no torch in $venv (set BENCH_VENV, or run bench/engine/run.sh)"
fi
