#!/usr/bin/env bash
# landsym engine benchmark: loss gradient and exact Hessian of the thesis toy (2-5-1 sigmoid,
# no bias, 1681 grid points) and of a 10-10-10-10-1 sigmoid net with biases on 10,000 points;
# the MNIST-size case (784-25-25-10 softplus with biases, MSE, 10,000 and 60,000 random
# inputs: loss + gradient, Hessian-vector product, and the bare dgemm time of the same
# arithmetic) and the dense Hessian of the 10-10-10-10-1 net on 60,000 points; against torch
# eager, torch.func and jax.jit on the same float64 workloads, single-threaded and on all
# cores, plus the exp-only bound of the toy gradient.
# Usage: bench/engine/run.sh [--no-python]
#   BENCH_MIN_S  seconds per timing round (default 0.3)
#   BENCH_ROUNDS rounds per timing, the best one counts (default 5; more on a loaded machine)
#   BENCH_VENV   Python environment with torch, jax, numpy (default build/bench-venv, created
#                there from PyPI when missing; nothing is installed outside it)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
build=build-bench
out=$(mktemp -d "${TMPDIR:-/tmp}/landsym-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT
ncores=$(nproc)

echo "== building landsym (Release) in $build" >&2
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
  cmake --build "$build" -j"$ncores" --target landsym_static >/dev/null || { echo "build failed" >&2; exit 1; }
cc -O3 -fno-math-errno -fopenmp -Wall -Wextra -Iinclude -Isrc bench/engine/bench_engine.c \
  "$build/liblandsym.a" $(pkg-config --libs lapacke openblas gmp mpfr jansson nlopt zlib) -lm -o "$build/bench_engine" ||
  { echo "bench build failed" >&2; exit 1; }
"$build/bench_engine" --dump "$out" || exit 1

# Python: an existing environment named by BENCH_VENV (used as is, never installed into),
# else build/bench-venv, created with torch, jax, jaxlib, numpy from PyPI when missing.
venv=${BENCH_VENV:-build/bench-venv}
py=$venv/bin/python
if [ "${1:-}" != "--no-python" ]; then
  if [ ! -x "$py" ] || ! "$py" -c "import torch, jax, numpy" 2>/dev/null; then
    if [ -n "${BENCH_VENV:-}" ]; then
      echo "!! $py cannot import torch, jax and numpy: Python baselines skipped" >&2
      py=
    else
      echo "== creating $venv and installing torch jax jaxlib numpy from PyPI (large download)" >&2
      { python3 -m venv "$venv" && "$py" -m pip install -q --upgrade pip &&
        "$py" -m pip install -q torch jax jaxlib numpy; } ||
        { echo "!! pip install failed: Python baselines skipped, landsym's numbers below still stand" >&2; py=; }
    fi
  fi
fi

echo "== landsym, 1 thread" >&2
"$build/bench_engine" 1 "${BENCH_MIN_S:-0.3}" "${BENCH_ROUNDS:-5}" >"$out/c1" 2>/dev/null
echo "== landsym, $ncores threads" >&2
"$build/bench_engine" "$ncores" "${BENCH_MIN_S:-0.3}" "${BENCH_ROUNDS:-5}" >"$out/ca" 2>/dev/null
if [ "${1:-}" != "--no-python" ] && [ -n "$py" ] && [ -x "$py" ]; then
  echo "== Python baselines, 1 thread" >&2
  "$py" bench/engine/baseline.py "$out" 1 >"$out/p1" 2> >(grep -v -i warn >&2)
  echo "== Python baselines, $ncores threads" >&2
  "$py" bench/engine/baseline.py "$out" "$ncores" >"$out/pa" 2> >(grep -v -i warn >&2)
fi
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $ncores cores"
python3 bench/engine/report.py "$out/c1" "$out/ca" "$out/p1" "$out/pa"
