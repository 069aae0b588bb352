#!/usr/bin/env bash
# landsym expand: certificates on the thesis teacher (2 layers) and a 3-layer teacher, and
# rejection of inconsistent requests with exit 2. $1 = landsym binary, $2 = source dir.
. "$(dirname "$0")/cli_lib.sh" "$@"

TOY=$SRC/examples/thesis_toy.json
ML=$SRC/examples/multilayer_bias.json

# 1. teacher 2-4-1 -> student width 5 (random tuple, zero-type, permutation)
"$BIN" expand --config "$TOY" --seed 3 --out "$T/p5.npy" --json > "$T/c1.json" || ko "expand toy"
rel=$(num "$T/c1.json" "['max_output_rel']")
lt "$rel" 1e-12 && ok "thesis 2-4-1 -> 2-5-1: max output rel diff $rel" || ko "toy rel $rel"
[ -s "$T/p5.npy" ] && ok "parameters written" || ko "no parameter file"

# 2. vector splits into width 9 at layer 1
"$BIN" expand --config "$TOY" --layer 1 --width 9 --split vector --seed 4 --json > "$T/c2.json" || ko "expand 9"
rel=$(num "$T/c2.json" "['max_output_rel']")
lt "$rel" 1e-12 && ok "2-4-1 -> 2-9-1 vector splits: rel diff $rel" || ko "width 9 rel $rel"

# 3. three layers: both hidden layers to the student's widths, then layer 2 to 7
for args in "" "--layer 2 --width 7 --k 2,3,1 --zero 1"; do
  "$BIN" expand --config "$ML" $args --seed 5 --json > "$T/c3.json" || ko "expand ml $args"
  rel=$(num "$T/c3.json" "['max_output_rel']")
  lt "$rel" 1e-12 && ok "3-4-3-2 teacher $args: rel diff $rel" || ko "ml $args rel $rel"
done

# 4. symmetry-induced critical point of the global minimum, counts must match
"$BIN" expand --config "$TOY" --critical --layer 1 --width 6 --k 1,2,2,1 --json > "$T/c4.json" || ko "critical"
m=$(num "$T/c4.json" "['critical']['counts_match']")
z=$(num "$T/c4.json" "['critical']['zero_eigenvalues_to']")
p=$(num "$T/c4.json" "['critical']['zero_eigenvalues_predicted']")
[ "$m" = "True" ] && ok "critical 2-4-1 -> 2-6-1: zero eigenvalues $z, predicted $p" || ko "critical counts $z vs $p"

# 5. inconsistent requests: exit 2 with a clear message
expect "r > m" 2 "smaller than the point's width" -- expand --config "$TOY" --layer 1 --width 3
expect "layer out of range" 2 "out of range" -- expand --config "$TOY" --layer 2 --width 6
expect "k of wrong length" 2 "--k has 3 entries" -- expand --config "$TOY" --layer 1 --width 6 --k 1,2,3
expect "tuple too large" 2 "more than the target width" -- expand --config "$TOY" --layer 1 --width 5 --k 2,2,1,1
expect "beta not summing to 1" 2 "sum to" -- expand --config "$TOY" --layer 1 --width 5 --k 2,1,1,1 --beta 0.5,0.6,1,1,1
expect "not irreducible" 2 "not irreducible at layer 1" -- expand --config "$TOY" --params "$T/p5.npy" --shape student --layer 1 --width 7
expect "bad permutation" 2 "not a permutation" -- expand --config "$TOY" --layer 1 --width 5 --perm 0,1,2,3,3
expect "critical with zero-type" 2 "Definition 4.1" -- expand --config "$TOY" --critical --zero 1 --layer 1
expect "unknown option" 2 "unknown" -- expand --config "$TOY" --frobnicate
expect "missing config" 2 "--config" -- expand
"$BIN" expand --config "$TOY" --allow-reducible --params "$T/p5.npy" --shape student --layer 1 --width 7 > /dev/null \
  && ok "--allow-reducible expands a reducible point" || ko "allow-reducible"
"$BIN" expand --help | grep -q "usage: landsym expand" && ok "--help" || ko "--help"
finish
