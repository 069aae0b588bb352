#!/usr/bin/env bash
# Installs what is missing, builds landsym, and runs the main job on its built-in
# default experiment (the thesis teacher with a width-5 student).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
./build/landsym eval --config examples/thesis_toy.json --hessian
