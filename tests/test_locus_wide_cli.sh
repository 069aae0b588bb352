#!/bin/bash
# `landsym locus --wide` (Theorem 5.11 lines, Proposition 5.13 on trained points) and
# `--attract` (Definition 3.4) on examples/cooper_wide.json (2-6-6-1 tanh, 5 samples).
. "$(dirname "$0")/cli_lib.sh" "$@"
CFG="$SRC/examples/cooper_wide.json"

"$BIN" locus --config "$CFG" --wide 4 > "$T/wide.txt"
status $? "locus --wide 4 exits 0"
flag "$(python3 -c "
import json
rows = [json.loads(l) for l in open('$T/wide.txt') if l.startswith('{')]
lines = [r for r in rows if r.get('theorem') == '5.11']
ok = len(lines) == 4 and all(r['certified'] and r['rank_F'] == r['n'] == 5 and r['strictly_decreasing'] and r['loss_end'] < 1e-20 * r['loss_start'] for r in lines)
print(1 if ok else 0)")" "Theorem 5.11: four certified strictly decreasing lines to zero loss (rank F = n = 5)"
flag "$(grep -q 'Proposition 5.13: 4 minima found (4 global, 0 non-global with a flat certificate, 0 without)' "$T/wide.txt" && echo 1)" \
  "Proposition 5.13: every trained point of the wide network is a global minimum"

"$BIN" locus --config "$CFG" --attract 6 --scale 0.5 --tmax 1e5 > "$T/att.txt"
status $? "locus --attract 6 exits 0"
flag "$(python3 -c "
import re
line = [l for l in open('$T/att.txt') if l.startswith('Definition 3.4')][0]
fr = [float(x) for x in re.findall(r' (\d\.\d+)', line.split(':', 1)[1])]
print(1 if abs(sum(fr) - 1) < 1e-9 and len(fr) == 6 else 0)")" "Definition 3.4: the fractions over global, S_1, C_1_2, S_2, other, not converged sum to 1"

expect "locus --wide 0" 2 "--wide" -- locus --config "$CFG" --wide 0
expect "locus --attract with a bad --tmax" 2 "--tmax" -- locus --config "$CFG" --attract 2 --tmax -1
finish
