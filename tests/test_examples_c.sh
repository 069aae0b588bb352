#!/usr/bin/env bash
# The C programs of examples/c, built against the installed library: install into a
# temporary prefix (cmake --install), compile each example with
# `cc $(pkg-config --cflags --libs landsym)` and run it, checking its output against the
# command line's. One block per example below.
# $1 = landsym binary (its folder is the build tree), $2 = source directory.
set -u
BIN=$1
SRC=$2
BUILD=$(dirname "$BIN")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
passes=0
pass() { echo "PASS: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL: $1"; [ -f "$T/log" ] && cat "$T/log"; fails=$((fails + 1)); }

if cmake --install "$BUILD" --prefix "$T/prefix" >"$T/log" 2>&1; then
  pass "cmake --install into a fresh prefix"
else
  fail "cmake --install into a fresh prefix"
  exit 1
fi
export PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig:$T/prefix/lib64/pkgconfig"
export LD_LIBRARY_PATH="$T/prefix/lib:$T/prefix/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# build_example NAME: examples/c/NAME.c -> $T/NAME
build_example() {
  if cc -std=c11 -Wall -Wextra -Werror "$SRC/examples/c/$1.c" $(pkg-config --cflags --libs landsym) \
      -o "$T/$1" >"$T/log" 2>&1; then
    pass "$1.c builds against the installed library (pkg-config)"
    return 0
  fi
  fail "$1.c builds against the installed library (pkg-config)"
  return 1
}

# The rows of table 6.1 (class counts) in a printed table.
table_rows() {
  grep -E '^student width|^  (Global minima|Local minima|Saddles|Channels|No certificate|Failed|Total) ' "$1"
}

# ---- table61_few_seeds: table 6.1 on a few seeds ------------------------------------------
SEEDS=6
if build_example table61_few_seeds; then
  if "$T/table61_few_seeds" "$SRC/examples/table6_1.json" "$T/t61_example" $SEEDS \
      >"$T/t61_example.out" 2>"$T/log"; then
    pass "table61_few_seeds runs"
  else
    fail "table61_few_seeds runs"
  fi
  "$BIN" reproduce table6.1 --seeds $SEEDS --config "$SRC/examples/table6_1.json" \
    --out "$T/t61_cli" >"$T/t61_cli.out" 2>/dev/null
  table_rows "$T/t61_example.out" >"$T/rows_example"
  table_rows "$T/t61_cli.out" >"$T/rows_cli"
  if [ -s "$T/rows_cli" ] && diff "$T/rows_cli" "$T/rows_example" >"$T/log"; then
    pass "its class counts match landsym reproduce table6.1 --seeds $SEEDS"
  else
    fail "its class counts match landsym reproduce table6.1 --seeds $SEEDS"
  fi
  total=$(grep -c '' "$T/t61_example/summary.csv" 2>/dev/null || echo 0)
  if cmp -s "$T/t61_example/summary.csv" "$T/t61_cli/summary.csv" && [ "$total" -eq $((SEEDS + 1)) ]; then
    pass "its sweep summary.csv is the command line's, byte for byte"
  else
    rm -f "$T/log"
    fail "its sweep summary.csv is the command line's, byte for byte"
  fi
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
