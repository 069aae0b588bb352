#!/usr/bin/env bash
# examples/c/split_test.c against the installed library: install into a temporary prefix,
# build the example with `pkg-config --cflags --libs landsym`, run the split test on the
# thesis toy's width-2 critical point, and check its numbers against `landsym split` on
# the same config. $1 = landsym binary (its folder is the build tree), $2 = source dir.
set -u
BIN=$1
SRC=$(cd "$2" && pwd)
BUILD=$(dirname "$BIN")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; [ -s "$T/log" ] && cat "$T/log"; fails=$((fails + 1)); }
step() { local d=$1; shift; if "$@" >"$T/log" 2>&1; then pass "$d"; else fail "$d"; fi; }

step "cmake --install into a fresh prefix" cmake --install "$BUILD" --prefix "$T/prefix"
export PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig:$T/prefix/lib64/pkgconfig"
export LD_LIBRARY_PATH="$T/prefix/lib:$T/prefix/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
step "examples/c/split_test.c builds with pkg-config" \
  sh -c "cc -std=c11 '$SRC/examples/c/split_test.c' \$(pkg-config --cflags --libs landsym) -o '$T/split_test'"
cfg=$SRC/tests/test_split_thesis_w2_config.json
par=$SRC/tests/test_split_thesis_w2.json
step "the example runs: every mu matches the prediction" \
  sh -c "'$T/split_test' '$cfg' '$par' 1 0 -1:2:31 '$T/ex' > '$T/ex.txt'"
"$BIN" split --config "$cfg" --params "$par" --layer 1 --neuron 0 --mu-range -1:2:31 \
  --out "$T/cli" > "$T/cli.json" 2>/dev/null
: > "$T/log"
if python3 - "$T/ex.txt" "$T/cli.json" > "$T/log" 2>&1 <<'PY'
import json, sys
ex = {}
for line in open(sys.argv[1]):
    k, *v = line.split()
    ex.setdefault(k, []).extend(float(x) for x in v)
cli = json.load(open(sys.argv[2]))
bad = []
for k in ("nin", "nout", "rank_U", "narrow_inertia", "predicted_inertia_inside",
          "predicted_inertia_outside", "zeros_at_mu0", "zeros_at_mu1", "loss",
          "lambda_max_narrow", "mu_values", "mismatches"):
    a, b = ex[k], cli[k] if isinstance(cli[k], list) else [cli[k]]
    if a != [float(x) for x in b]: bad.append((k, a, b))
if ex["Y_eigenvalue"] != cli["Y_eigenvalues"]: bad.append(("Y", ex["Y_eigenvalue"], cli["Y_eigenvalues"]))
print(bad or "all equal")
sys.exit(1 if bad else 0)
PY
then pass "the example's numbers equal those of landsym split ($(cat "$T/log"))"
else fail "the example's numbers equal those of landsym split"; fi
step "the example's files equal those of landsym split" \
  diff -r -x '*.png' -x '*.svg' "$T/ex" "$T/cli"
echo "$((5 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
