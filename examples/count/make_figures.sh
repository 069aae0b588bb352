#!/usr/bin/env bash
# Regenerates figure 6 (R_k(30,m), m = 31..1000) and figure 4(c) (connectivity graph of the
# 60 subspaces of the expansion 3 -> 4) of Simsek et al. 2021 into this folder.
# Usage: examples/count/make_figures.sh [path/to/landsym]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
L="${1:-$here/../../build/landsym}"
"$L" count fig6 --out "$here"
"$L" count fig4c --out "$here"
"$L" count R 30 31:1000 --csv --asym --digits 12 > "$here/fig6_table.csv.tmp" && mv "$here/fig6_table.csv.tmp" "$here/fig6_table.csv"
