# Sweep and classify on failed runs, changed inputs and damaged directories (issue 14
# items 2, 5 and 11): a run whose training is non-finite from the start is recorded as
# failed with its reason, counted as failed, and classified as failed with the table still
# written; --resume refuses a data file rewritten since the sweep started (exit 2), keeps
# going when nothing changed, and runs again a record whose loss is not a number or whose
# .npy is cut short; classify removes the temporary files of a killed classify and refuses
# a manifest with impossible seeds (exit 2) instead of allocating them.
. "$(dirname "$0")/sweep_lib.sh" "$@"

# --- item 2: non-finite training ----------------------------------------------------------
write_config "$T/nan.json" 2 50 softplus
sed -i 's/"grad_tol": 1e-6}/"grad_tol": 1e-6, "init": "normal", "init_scale": 1e154}/' "$T/nan.json"
"$BIN" sweep --config "$T/nan.json" --out "$T/n" --threads 1 >/dev/null 2>"$T/nerr"
rc=$?
stop=$(num "$T/n/runs/w3_s1.json" "['stop']")
reason=$(num "$T/n/runs/w3_s1.json" "['reason']")
flag $([ $rc = 0 ] && [ "$stop" = failed ] && [[ "$reason" == *non-finite* ]] && echo 1) \
  "non-finite run recorded: exit $rc, stop '$stop', reason '$reason'"
flag $(grep -q "4 failed" "$T/nerr" && echo 1) "the sweep reports 4 failed ($(tail -1 "$T/nerr"))"
flag $(awk -F, 'NR > 1 && $5 != "failed" { bad = 1 } END { exit bad }' "$T/n/summary.csv" && echo 1) \
  "summary.csv: every run's stop is failed"
"$BIN" classify "$T/n" --no-figures --quiet >"$T/ntable" 2>"$T/ncerr"
rc=$?
flag $([ $rc = 0 ] && grep -q "Failed  *2" "$T/ntable" && echo 1) \
  "classify: exit $rc, the table has 'Failed 2' per width ($(head -c 300 "$T/ncerr"))"
flag $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "reason") c = i; next }
  !c || $3 != "failed" || $c !~ /non-finite/ { bad = 1 } END { exit bad }' \
  "$T/n/classify/runs.csv" && echo 1) "runs.csv: class failed with the reason"
eq "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "failed") c = i } NR == 2 { print $c }' \
  "$T/n/classify/summary.csv")" 2 "summary.csv: failed column"

# --- item 5: --resume and changed input files -----------------------------------------------
python3 - "$T/d.csv" <<'PY'
import math, sys
with open(sys.argv[1], "w") as f:
    for i in range(25):
        x1, x2 = -2 + i % 5, -2 + i // 5
        f.write(f"{x1},{x2},{math.tanh(0.5 * x1 - 0.3 * x2):.17g}\n")
PY
cat > "$T/csv.json" <<JSON
{"data": {"kind": "csv", "file": "d.csv"},
 "student": {"widths": [2, 3, 1], "activation": "tanh", "bias": false},
 "train": {"method": "gd", "lr": 0.1, "max_iter": 30, "polish": "none"},
 "sweep": {"seeds": 3, "student_widths": [3]}}
JSON
"$BIN" sweep --config "$T/csv.json" --out "$T/c" --seeds 2 --threads 1 --quiet >/dev/null 2>&1
expect "resume with unchanged inputs" 0 -- sweep --config "$T/csv.json" --out "$T/c" --seeds 2 --threads 1 --resume --quiet
flag $(python3 -c "import json; d=json.load(open('$T/c/sweep.json')); i=d['inputs']['d.csv']; print(1 if i['bytes'] > 0 and len(i['fnv1a64']) == 16 else 0)") \
  "the manifest fingerprints the data file d.csv"
sed -i '1s/^-2,-2,/-2,-2.5,/' "$T/d.csv"
expect "resume after the data file was rewritten" 2 "d.csv" "changed since the sweep started" -- sweep --config "$T/csv.json" --out "$T/c" --seeds 2 --threads 1 --resume --quiet

# --- item 11: damaged records, killed classify, impossible manifests ------------------------
write_config "$T/ok.json" 3 40
"$BIN" sweep --config "$T/ok.json" --out "$T/s" --threads 1 --quiet >/dev/null 2>&1
cp "$T/s/summary.csv" "$T/summary.ref"
sed -i 's/"loss": [^,]*/"loss": "abc"/' "$T/s/runs/w3_s2.json"
head -c 100 "$T/s/runs/w2_s1.npy" > "$T/trunc" && mv "$T/trunc" "$T/s/runs/w2_s1.npy"
"$BIN" sweep --config "$T/ok.json" --out "$T/s" --threads 1 --resume >/dev/null 2>"$T/rerr"
flag $(grep -q "2 run now, 4 kept" "$T/rerr" && echo 1) "resume runs the 2 damaged runs again ($(tail -1 "$T/rerr"))"
check "resumed summary identical to the undamaged one" cmp -s "$T/s/summary.csv" "$T/summary.ref"
"$BIN" classify "$T/s" --no-figures --quiet >/dev/null 2>&1
: > "$T/s/classify/pruned/w3_s1.npy.tmp.AbC123"
: > "$T/s/classify/runs.csv.tmp.xYz789"
"$BIN" classify "$T/s" --no-figures --quiet >/dev/null 2>&1
flag $([ ! -e "$T/s/classify/pruned/w3_s1.npy.tmp.AbC123" ] && [ ! -e "$T/s/classify/runs.csv.tmp.xYz789" ] && echo 1) \
  "classify removes the temporary files a killed classify left"
cp "$T/s/sweep.json" "$T/sweep.json.ok"
for seeds in -3 100000000; do
  python3 -c "import json; d=json.load(open('$T/sweep.json.ok')); d['seeds']=$seeds; json.dump(d, open('$T/s/sweep.json','w'))"
  expect "classify with sweep.json seeds $seeds" 2 "sweep.json" "seeds" -- classify "$T/s" --no-figures --quiet --out "$T/x$seeds"
done
finish
