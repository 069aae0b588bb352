#!/usr/bin/env bash
# The Python binding's costs (docs/python.md):
#  1. per-call overhead of loss + gradient on the thesis toy from Python, over the same
#     ls_loss_grad call from a C loop (target: under 2 us per call);
#  2. landsym.train on the thesis toy against `landsym train` (target: within 10%).
# Uses the build in build/ (or BUILD) with liblandsym.so, the Debian python3 with cffi and
# numpy, and installs the package into BUILD/python/site as tests/test_python.sh does.
# Usage: bench/python/run.sh    BENCH_MIN_S (0.3) seconds per round, BENCH_ROUNDS (5)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}
py=${LANDSYM_PYTHON:-/usr/bin/python3}
secs=${BENCH_MIN_S:-0.3}
rounds=${BENCH_ROUNDS:-5}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target landsym landsym_shared >/dev/null
mkdir -p "$build/python"
cc -O2 -Wall -Iinclude bench/python/bench_call.c -L"$build" -Wl,-rpath,"$root/$build" \
  -llandsym -ljansson -o "$build/python/bench_call"
rm -rf "$build/python/site" "$build/python/src"
cp -r python "$build/python/src"
LANDSYM_ROOT="$root" LANDSYM_BUILD_DIR="$root/$build" "$py" -m pip install --quiet \
  --no-build-isolation --no-deps --no-index --target "$build/python/site" "$build/python/src"
echo "machine: $(nproc) cores (engine: OMP_NUM_THREADS=${OMP_NUM_THREADS:-1})\
, load $(cut -d' ' -f1-3 /proc/loadavg)"
export PYTHONPATH="$root/$build/python/site" OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
echo "kernel $("$py" -c 'import landsym; print(landsym.kernel())')"
c_ns=$("$build/python/bench_call" "$secs" "$rounds")
c1_ns=$("$build/python/bench_call" "$secs" "$rounds" 1)
"$py" bench/python/bench_call.py "$c_ns" "$c1_ns" "$secs" "$rounds"
"$py" bench/python/bench_train.py "$build/landsym" "${BENCH_TRAIN_ROUNDS:-3}"
"$py" bench/python/bench_sweep.py "$build/landsym" "${BENCH_SWEEP_SEEDS:-20}" "${BENCH_TRAIN_ROUNDS:-3}"
