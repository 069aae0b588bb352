#!/usr/bin/env bash
# landsym saddle: on a certified permutation point (a point of a saddle line, from
# `landsym path` on a softplus teacher) the pipeline returns that point (distance ~0) with
# the split test's inertia; escape checks; outputs; exit-2 rejections.
# $1 = landsym binary, $2 = source directory.
. "$(dirname "$0")/cli_lib.sh" "$@"

"$BIN" saddle --help | grep -q -- "--escape" && ok "--help" || ko "--help"
sed 's/"relu"/"softplus"/g; s/"n": 1000/"n": 150/' "$SRC/examples/fig2.json" > "$T/sp.json"
"$BIN" path --config "$T/sp.json" --pair 0,2 --steps 8 --maxeval 2000 --no-plot --out "$T/p" >/dev/null 2>&1 \
  && [ -s "$T/p/permpoint_certified_0_2.npy" ] && ok "certified permutation point written" || ko "certified point"

if "$BIN" saddle --config "$T/sp.json" --params "$T/p/permpoint_certified_0_2.npy" --escape --slice-n 11 --perturb 2 --out "$T/s" >/dev/null 2>&1; then
  ok "saddle runs"
else
  ko "saddle runs"
fi
python3 -c "
import json
s=json.load(open('$T/s/summary.json'))
assert s['pair']==[0,2], s['pair']
assert s['distance']<1e-6, s['distance']
assert abs(s['mu']-0.5)<1e-6, s['mu']
assert s['saddle_grad_inf']<1e-10
assert s['saddle_inertia']==s['predicted_inertia'], (s['saddle_inertia'],s['predicted_inertia'])
e=s['escape']; assert e['negative']==s['start_inertia']['neg']
assert (e['negative']==0) or e['found_lower']
assert len(s['retrain'])==2
# a strict saddle (negative eigenvalue): perturbed restarts leave it downhill
assert s['saddle_inertia']['neg']==0 or s['retrain_below_start']>=1, s['retrain']
" && ok "recovers the saddle line point (distance < 1e-6, mu 1/2), inertia = split test, escape consistent" || ko "summary"
for f in retrain.csv saddle.npy reduced.npy spectrum_saddle.csv slice1d.png slice1d.svg slice1d.gp slice2d.png slice2d.svg slice2d.dat; do
  [ -s "$T/s/$f" ] || { ko "missing $f"; }
done && ok "output files"

code() { "$BIN" saddle "$@" >/dev/null 2>&1; echo $?; }
[ "$(code --config "$T/sp.json" --out "$T/x")" = 2 ] && ok "no params -> 2" || ko "no params"
[ "$(code --config "$SRC/examples/fig2.json" --params "$T/p/permpoint_0_2.npy" --out "$T/x")" = 2 ] && ok "relu -> 2" || ko "relu"
[ "$(code --config "$T/sp.json" --params "$T/p/permpoint_0_2.npy" --layer 2 --out "$T/x")" = 2 ] && ok "layer 2 -> 2" || ko "layer 2"
[ ! -e "$T/x/summary.json" ] && ok "no partial files" || ko "partial files"
finish
