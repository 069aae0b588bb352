#!/bin/bash
# `landsym reproduce fig6.9` on a 4-seed table-6.1 sweep: the files, the table's rows against
# the per-run tool (`landsym saddle` on the same run gives the same distance), the theorem
# lines, and the reuse of an existing sweep with --resume.
. "$(dirname "$0")/cli_lib.sh" "$@"
export LANDSYM_EXAMPLES="$SRC/examples"

"$BIN" reproduce fig6.9 --out "$T/f" --seeds 4 --threads 2 > "$T/out.txt" 2> "$T/err.txt"
status $? "reproduce fig6.9 --seeds 4 exits 0"
for f in fig6_9.csv fig6_9.dat fig6_9.gp fig6_9.png fig6_9.svg fig6_12.dat fig6_12.png fig6_12.svg; do
  flag "$([ -s "$T/f/$f" ] && echo 1)" "fig6.9 wrote $f"
done
nmin=$(sed -n 's/.*local minima \([0-9]*\), saddles found \([0-9]*\).*/\1/p' "$T/out.txt")
rows=$(($(wc -l < "$T/f/fig6_9.csv") - 1))
eq "$rows" "$nmin" "one table row per local minimum"
flag "$([ "$rows" -ge 1 ] && echo 1)" "the 4-seed sweep has at least one local minimum ($rows)"
flag "$(grep -q '^Theorem 1 applies .* of [0-9]* saddles' "$T/out.txt" && grep -q '^Theorem 2 applies' "$T/out.txt" && echo 1)" \
  "fig6.9 prints the fraction of saddles for which each theorem applies"
# the first row against `landsym saddle` on the same run
seed=$(awk -F, 'NR == 2 {print $2}' "$T/f/fig6_9.csv")
dist=$(awk -F, 'NR == 2 {print $6}' "$T/f/fig6_9.csv")
"$BIN" saddle --config "$SRC/examples/table6_1.json" --params "$T/f/runs/w5_s$seed.npy" --out "$T/s" --no-plot --json > "$T/s.json"
status $? "landsym saddle on seed $seed exits 0"
flag "$(python3 -c "
import json; d = json.load(open('$T/s.json')); print(1 if abs(d['distance'] - $dist) <= 1e-6 * max(1, $dist) else 0)")" \
  "seed $seed: distance $dist in the table equals landsym saddle's $(num "$T/s.json" "['distance']")"
# a saddle line is flat: D3 = D4 = 0 along it, so Theorem 1's B is 0 wherever the index is 1
flag "$(awk -F, 'NR > 1 && $9 >= 1 && ($14 != 0 || $15 != 0) {bad = 1} END {print bad ? 0 : 1}' "$T/f/fig6_9.csv")" \
  "third and fourth derivatives vanish along every saddle line"
"$BIN" reproduce fig6.9 --out "$T/f" --seeds 4 --resume > "$T/out2.txt" 2>&1
status $? "reproduce fig6.9 --resume reuses the sweep"
eq "$(grep 'local minima' "$T/out2.txt")" "$(grep 'local minima' "$T/out.txt")" "the reused sweep gives the same table"
finish
