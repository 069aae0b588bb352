#!/bin/bash
# landsym split on the thesis toy: a width-2 critical point (Newton-converged, |grad| ~ 1e-15),
# neuron 0 duplicated; the predicted inertia must match the exact Hessian at every mu of
# the sweep (including mu = 0 and 1); bad requests exit 2 without leaving files.
. "$(dirname "$0")/cli_lib.sh" "$@"
bin=$BIN; out=$T
cfg=$SRC/tests/test_split_thesis_w2_config.json; par=$SRC/tests/test_split_thesis_w2.json
json=$("$bin" split --config "$cfg" --params "$par" --layer 1 --neuron 0 --mu-range -1:2:31 --out "$out/r" | tr -d ' \n')
check "split runs (exit $?)" eval "[ -s '$out/r/split_sweep.csv' ]"
check "no mismatch between predicted and measured inertia: $(echo "$json" | grep -o '"mismatches":[0-9]*')" \
  eval "echo '$json' | grep -q '\"mismatches\":0'"
check "Y has one positive and one negative eigenvalue: saddle of index 1 inside and outside [0,1]" \
  eval "echo '$json' | grep -q '\"predicted_inertia_inside\":\[1,1,7\],\"predicted_inertia_outside\":\[1,1,7\]'"
check "31 rows of the sweep plus header" eval "[ \$(wc -l < '$out/r/split_sweep.csv') -eq 32 ]"
check "at mu = 0 three zero eigenvalues (nin + nout = 3)" eval "grep -q '^0,0,3,6,0,3,6,1' '$out/r/split_sweep.csv'"
check "spectrum method reported: dense for P = 9 by default" \
  eval "echo '$json' | grep -q '\"spectrum_narrow\":\"dense\",\"spectrum_lifted\":\"dense\"' && [ -s '$out/r/split_summary.json' ]"
check "zeros at mu = 0 and 1: 3 added to the narrow point's 0, as predicted" \
  eval "echo '$json' | grep -q '\"zeros_narrow\":0,\"zeros_at_mu0\":3,\"zeros_at_mu1\":3,\"zeros_added_predicted\":3'"
# Lanczos forced: the 4 smallest and 4 largest by Hessian-vector products, same inertia and
# the same 4 smallest eigenvalues as the dense sweep
jl=$("$bin" split --config "$cfg" --params "$par" --layer 1 --neuron 0 --mu-range -1:2:31 --spectrum lanczos \
     --lanczos-k 4 --out "$out/l" 2> /dev/null | tr -d ' \n')
check "--spectrum lanczos: reported, no mismatch" \
  eval "echo '$jl' | grep -q '\"spectrum_lifted\":\"lanczos\"' && echo '$jl' | grep -q '\"mismatches\":0'"
dl=$(paste -d, "$out/l/split_sweep.csv" "$out/r/split_sweep.csv" |
     awk -F, 'NR>1{for(k=9;k<=12;k++){d=$k-$(k+12); if(d<0)d=-d; if(d>m)m=d}} END{printf "%.1e", m+0}')
check "Lanczos lambda_1..4 = dense ones along the sweep (max diff $dl)" eval "awk 'BEGIN{exit !($dl < 1e-12)}'"
"$bin" split --config "$cfg" --params "$par" --layer 1 --neuron 0 --spectrum lanczos --lanczos-k 2 --out "$out/l2" \
  2> "$out/err" > /dev/null
check "a Lanczos window too small for the zeros is reported incomplete" eval "grep -q 'inertias incomplete' '$out/err'"
"$bin" split --config "$cfg" --params "$par" --layer 1 --neuron 0 --spectrum qr --out "$out/bad" 2> "$out/err"; rc=$?
check "bad --spectrum: exit 2 ($rc)" eval "[ $rc -eq 2 ] && grep -q 'auto, dense or lanczos' '$out/err' && [ ! -e '$out/bad' ]"
# reproduce mnist-split reads its spectrum choice from the config's "split" section:
# a bad key or value stops it before any training (exit 2, message naming the key)
sed 's/^}$/, "split": {"spectrm": "dense"}}/' "$cfg" > "$out/badsplit.json"
"$bin" reproduce mnist-split --config "$out/badsplit.json" --out "$out/rb" 2> "$out/err" > /dev/null; rc=$?
check "mnist-split: unknown split key: exit 2 ($rc)" eval "[ $rc -eq 2 ] && grep -q 'spectrm' '$out/err' && [ ! -e '$out/rb' ]"
sed 's/^}$/, "split": {"spectrum": "qr"}}/' "$cfg" > "$out/badsplit2.json"
"$bin" reproduce mnist-split --config "$out/badsplit2.json" --out "$out/rb2" 2> "$out/err" > /dev/null; rc=$?
check "mnist-split: split.spectrum not auto, dense or lanczos: exit 2 ($rc)" eval "[ $rc -eq 2 ] && grep -q 'split.spectrum' '$out/err'"
for f in split_y_eigs split_smallest; do
  check "$f: .dat, .gp, .png, .svg" eval "[ -s '$out/r/$f.dat' -a -s '$out/r/$f.gp' -a -s '$out/r/$f.png' -a -s '$out/r/$f.svg' ]"
done
"$bin" split --config "$cfg" --params "$par" --layer 2 --neuron 0 --out "$out/bad" 2> "$out/err"; rc=$?
check "layer out of range: exit 2 ($rc), message $(cat "$out/err")" eval "[ $rc -eq 2 ] && grep -q 'layer 2 out of range' '$out/err' && [ ! -e '$out/bad' ]"
"$bin" split --config "$cfg" --params "$par" --layer 1 --neuron 5 --out "$out/bad" 2> "$out/err"; rc=$?
check "neuron out of range: exit 2 ($rc)" eval "[ $rc -eq 2 ] && grep -q 'neuron 5 out of range' '$out/err'"
"$bin" split --config "$cfg" --layer 1 --neuron 0 --out "$out/bad" 2> /dev/null; rc=$?
check "missing --params: exit 2 ($rc)" eval "[ $rc -eq 2 ]"
"$bin" split --help > /dev/null; check "--help exits 0" eval "[ $? -eq 0 ]"
finish
