#!/usr/bin/env bash
# The include graph follows the declared floors (tests/include_floors.txt, docs/design.md
# "Floors"): the checker's own self-test (a made-up tree with a back edge must fail), then
# the source tree itself.
# $1 = landsym binary (unused), $2 = source directory.
set -euo pipefail
SRC=${2:-$(cd "$(dirname "$0")/.." && pwd)}
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
python3 "$SRC/tests/include_order.py" --self-test
python3 "$SRC/tests/include_order.py" "$SRC" --floors "$SRC/tests/include_floors.txt"
