#!/bin/bash
# `landsym invariance` (Lemma 2.1 on a config's student) and `landsym reproduce simsek-fig2`
# (figure 2 of Simsek et al. 2021): JSON fields against the lemma, the figure's critical
# points against the closed form (minima (1,2), (2,1); saddle at w1 = w2 = 3^(1/3)), files.
. "$(dirname "$0")/cli_lib.sh" "$@"

"$BIN" invariance --config builtin:thesis --tmax 30 --units 1,3 --json > "$T/inv.json"
status $? "invariance on the thesis student exits 0"
flag "$(python3 -c "
import json; d = json.load(open('$T/inv.json'))
on, off = d['on'], d['off']
ok = on['dist_start'] == 0 and on['dist_max'] <= 1e-12 * max(1, on['param_scale']) and on['steps'] > 10
ok = ok and abs(off['dist_start'] - 1e-3) < 1e-12 and off['dist_min'] > 0 and on['loss_end'] < on['loss_start']
print(1 if ok and d['stays_on'] and d['stays_off'] else 0)")" \
  "invariance JSON: on-subspace max distance $(num "$T/inv.json" "['on']['dist_max']") at rounding level, off-subspace min distance $(num "$T/inv.json" "['off']['dist_min']") > 0"

expect "invariance without --config" 2 "--config FILE is required" -- invariance
expect "invariance with units out of range" 2 "units" -- invariance --config builtin:thesis --units 0,9
expect "invariance with a bad --units" 2 "--units" -- invariance --config builtin:thesis --units 3
expect "invariance with a negative offset" 2 "--offset" -- invariance --config builtin:thesis --offset -1
expect "invariance on the output layer" 2 "layer" -- invariance --config builtin:thesis --layer 2

"$BIN" reproduce simsek-fig2 --out "$T/fig2" > "$T/fig2.txt" 2> "$T/fig2.err"
status $? "reproduce simsek-fig2 exits 0"
for f in fig2.dat fig2.gp fig2.png fig2.svg; do
  flag "$([ -s "$T/fig2/$f" ] && echo 1)" "simsek-fig2 wrote $f"
done
flag "$(grep -q '2 minima, 1 saddles' "$T/fig2.txt" && grep -q '(1.000000000000, 2.000000000000).*minimum' "$T/fig2.txt" &&
  grep -q '(2.000000000000, 1.000000000000).*minimum' "$T/fig2.txt" &&
  grep -q '(1.442249570307, 1.442249570307).*saddle' "$T/fig2.txt" && echo 1)" \
  "simsek-fig2 critical points: (1,2), (2,1) minima and the saddle at 3^(1/3) = 1.442249570307 on w1 = w2"
flag "$(grep -q 'started on w1 = w2: max distance to it 0.000e+00' "$T/fig2.txt" && echo 1)" \
  "simsek-fig2: flows from w1 = w2 stay exactly on it"
finish
