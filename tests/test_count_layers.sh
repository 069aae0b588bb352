#!/bin/bash
# `landsym count layers`: the brute-force enumeration of section 5's multi-layer expansion
# subspaces (every tuple and permutation of every layer, affine hull of sampled expansions)
# against the product formulas prod T and prod G, for two and three hidden layers; its
# numerical intersection graph against the combinatorial graph of `count graph` (one layer).
. "$(dirname "$0")/cli_lib.sh" "$@"

field() { python3 -c "import json,sys; d=json.load(open('$1')); print(d['$2'])"; }
run() { # NAME ARGS...: JSON into $T/NAME.json
  local n=$1
  shift
  "$BIN" count layers "$@" --json > "$T/$n.json"
  status $? "count layers $* exits 0"
}
run two 2,2 3,3 --graph --din 2
eq "$(field "$T/two.json" distinct)" "$("$BIN" count T 2,2 3,3)" "two hidden layers 2,2 -> 3,3: brute-force subspaces = T(2,3)^2"
eq "$(field "$T/two.json" components)" 1 "two hidden layers 2,2 -> 3,3: the subspaces form one connected manifold (section 5)"
run twoc 2,2 4,3 --critical --din 2
eq "$(field "$T/twoc.json" distinct)" 84 "two hidden layers 2,2 -> 4,3, critical: G(2,4) G(2,3) = 14 * 6"
run three 1,2,1 2,3,2 --graph --din 2
eq "$(field "$T/three.json" distinct)" "$("$BIN" count T 1,2,1 2,3,2)" "three hidden layers 1,2,1 -> 2,3,2: subspaces = T(1,2) T(2,3) T(1,2)"
eq "$(field "$T/three.json" components)" 1 "three hidden layers: connected"
run threec 2,1,2 3,2,3 --critical
eq "$(field "$T/threec.json" distinct)" 36 "three hidden layers 2,1,2 -> 3,2,3, critical: G(2,3) G(1,2) G(2,3) = 6 * 1 * 6"
flag "$(python3 -c "
import json; print(1 if all(json.load(open('$T/' + n + '.json'))['max_out_rel_diff'] < 1e-12 for n in ('two','twoc','three','threec')) else 0)")" \
  "every sampled expansion keeps the teacher's function (relative difference < 1e-12)"
# one hidden layer: the numerical intersection graph equals the combinatorial one
run one 3 4 --graph
want=$("$BIN" count graph 3 2>&1 >/dev/null | sed -n 's/.* \([0-9]*\) edges.*/\1/p')
eq "$(field "$T/one.json" edges)" "$want" "one hidden layer 3 -> 4: numerical intersections give the edges of count graph 3"
eq "$(field "$T/one.json" distinct)" 60 "one hidden layer 3 -> 4: T(3,4) = 60 subspaces"
expect "count layers with mismatched lists" 2 "widths" -- count layers 2,2 3
expect "count layers with r > m" 2 "R <= M" -- count layers 3,2 2,3
expect "count layers with too wide a layer" 2 "above" -- count layers 2 9
expect "count layers without arguments" 2 "expected" -- count layers
finish
