#!/usr/bin/env bash
# Every GPU check of the CUDA backend in one go, on a machine with an NVIDIA GPU:
#  1. test_gpu_check, test_gpu (loss, gradient, Hessian against the CPU engine; training
#     against the CPU trainer), tests/test_sweep_gpu.sh (sweep --device cuda: run files,
#     agreement with the CPU sweep, resume, classify);
#  2. `landsym sweep --device cuda` of examples/table6_1.json, 1000 seeds (tarred into
#     OUTDIR for the per-seed comparison with the CPU sweep, bench/gpu/compare.py);
#  3. bench_gpu on 10000 seeds to grad < 1e-12, then JAX vmap Adam (bench/gpu/jax_adam.py)
#     from the same initial points for the same wall time.
# usage: bench/gpu/device_run.sh OUTDIR [BUILD]
#   BUILD: a Release build with the CUDA backend (default build-cuda); shared libraries
#   that the GPU machine lacks may be put in .gpulib (used for landsym's programs only).
set -u -o pipefail
out=${1:?usage: device_run.sh OUTDIR [BUILD]}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
b=$root/${2:-build-cuda}
lib=
[ -d .gpulib ] && lib=$root/.gpulib
run() { LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} OMP_NUM_THREADS=$(nproc) "$@"; }
now() { date +%s.%N; }
{
  echo "== machine $(date -u +%FT%TZ)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  echo "cores $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "== test_gpu_check"
  run timeout 60 "$b/test_gpu_check"; echo "rc=$?"
  echo "== test_gpu"
  run timeout 120 "$b/test_gpu"; echo "rc=$?"
  echo "== test_sweep_gpu"
  run timeout 120 bash tests/test_sweep_gpu.sh "$b/landsym" "$root"; echo "rc=$?"
  echo "== landsym sweep --device cuda, table 6.1, 1000 seeds"
  rm -rf /tmp/g1000
  t0=$(now)
  run timeout 150 "$b/landsym" sweep --device cuda --config examples/table6_1.json \
    --out /tmp/g1000 --seeds 1000; echo "rc=$?"
  awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "sweep wall %.2f s (training + writing 2000 files)\n", b - a }'
  tar czf "$out/gpu_sweep1000.tgz" -C /tmp g1000
  echo "== bench_gpu 10000 seeds"
  mkdir -p /tmp/bd
  run timeout 130 "$b/bench_gpu" --seeds 10000 --grad-tol 1e-12 --dump /tmp/bd | tee "$out/bench.txt"
  echo "rc=$?"
  secs=$(awk '/^wall:/ {print $2}' "$out/bench.txt")
  echo "== JAX vmap Adam for the same ${secs:-60} s"
  PYTHONUNBUFFERED=1 timeout 240 python3 bench/gpu/jax_adam.py /tmp/bd "${secs:-60}" | tee "$out/jax.txt"
  echo "rc=$?"
  echo "== done $(date -u +%FT%TZ)"
} 2>&1 | tee "$out/log"
