#!/usr/bin/env bash
# landsym locus: every star and core component of a 3-12-12-12-2 tanh student on 6
# Gaussian samples is certified (critical at rounding level, spectrum as predicted, core
# Hessian = two eigenvalues 2 and zeros); bad requests exit 2 with a clear message.
. "$(dirname "$0")/cli_lib.sh" "$@"
bin=$BIN; out=$T
cfg=$SRC/tests/test_locus_config.json
"$bin" locus --config "$cfg" --out "$out/r" > "$out/json"; rc=$?
check "locus runs, exit $rc, $(tail -1 "$out/json")" eval "[ $rc -eq 0 ] && grep -q '\"components\": 6, \"certified\": 6' '$out/json'"
check "core components: inertia (0, d-2, 2), eigenvalues [2, 2]" \
  eval "[ \"\$(python3 -c \"
import json
rows = [json.loads(l) for l in open('$out/json')]
core = [r for r in rows if r.get('locus') == 'core']
print(sum(r['inertia'] == [0, 384, 2] and len(r['positive_eigenvalues']) == 2 and
          all(abs(e - 2) < 1e-10 for e in r['positive_eigenvalues']) for r in core))\")\" = 3 ]"
check "points and spectra written" eval "[ -s '$out/r/locus_S1.npy' -a -s '$out/r/locus_C2_3_eig.npy' ]"
"$bin" locus --config "$cfg" --locus star --layers 2 > "$out/one"; rc=$?
check "--layers 2 gives S_2 only" eval "[ $rc -eq 0 ] && grep -q '\"components\": 1, \"certified\": 1' '$out/one'"
"$bin" locus --config "$cfg" --layers 4 > /dev/null 2> "$out/err"; rc=$?
check "layer out of range: exit 2 ($rc): $(cat "$out/err")" eval "[ $rc -eq 2 ] && grep -q 'out of range' '$out/err'"
"$bin" locus --config "$cfg" --layers 3,2 > /dev/null 2> "$out/err"; rc=$?
check "--layers 3,2: exit 2 ($rc)" eval "[ $rc -eq 2 ]"
sed 's/"activation": "tanh", "bias": true, "loss"/"activation": "sigmoid", "bias": true, "loss"/' "$cfg" > "$out/sig.json"
"$bin" locus --config "$out/sig.json" > /dev/null 2> "$out/err"; rc=$?
check "sigmoid student: exit 2 ($rc): $(cat "$out/err")" eval "[ $rc -eq 2 ] && grep -q 'sigma(0) = 0.5' '$out/err'"
"$bin" locus --config "$cfg" --locus middle > /dev/null 2>&1; rc=$?
check "--locus middle: exit 2 ($rc)" eval "[ $rc -eq 2 ]"
"$bin" locus --help > /dev/null; check "--help exits 0" eval "[ $? -eq 0 ]"
finish
