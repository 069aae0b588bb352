#!/usr/bin/env bash
# Installs what is missing, builds landsym, and runs the main job on its built-in
# default experiment: the thesis teacher (section 6.2) and its 41x41 grid --
#   1. `landsym eval`: loss, gradient norm and Hessian spectrum of a width-5 student;
#   2. `landsym reproduce table6.1` on 100 seeds: train every student to convergence,
#      classify the runs (global minimum, symmetry-induced, other local minimum, saddle)
#      and draw the figures. Results go to a new folder out/table6.1-<time> (never
#      overwriting an earlier run). Use SEEDS=1000 for the thesis's full protocol.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
./build/landsym eval --config builtin:thesis --hessian
out="out/table6.1-$(date +%Y%m%d-%H%M%S)"
mkdir -p out
./build/landsym reproduce table6.1 --seeds "${SEEDS:-100}" --out "$out"
echo "results: $out (summary table in $out/classify, figures as PNG and SVG)" >&2
