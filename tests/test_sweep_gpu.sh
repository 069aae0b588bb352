# landsym sweep --device cuda: bad device names and configs the GPU cannot train exit 2 and
# create nothing; without a device (or CUDA) the sweep exits 1 naming why and records no
# run, so that a CPU --resume finishes it. With a device: every run is recorded, the
# losses match the CPU sweep's, --resume redoes removed runs bit for bit, classify reads it.
. "$(dirname "$0")/sweep_lib.sh" "$@"
cfg=$TMP/cfg.json
write_config "$cfg" 6 200
sed 's/"method": "gd", "lr": 0.5, "max_iter": 200, "polish": "none", "grad_tol": 1e-6/"method": "flow", "polish": "newton", "grad_tol": 1e-12/' \
  "$cfg" >"$TMP/flow.json"

expect "--device gpu" 2 "--device must be cpu or cuda" -- sweep --config "$TMP/flow.json" --out "$TMP/x" --device gpu
expect "--device without value" 2 "--device needs a value" -- sweep --config "$TMP/flow.json" --out "$TMP/x" --device
expect "gradient descent on the GPU" 2 "train.method 'gd'" -- sweep --config "$cfg" --out "$TMP/x" --device cuda
sed 's/"polish": "newton"/"polish": "auto"/' "$TMP/flow.json" >"$TMP/auto.json"
expect "polish auto on the GPU" 2 "train.polish 'auto'" -- sweep --config "$TMP/auto.json" --out "$TMP/x" --device cuda
check "nothing created by refused invocations" test ! -e "$TMP/x"

"$BIN" sweep --config "$TMP/flow.json" --out "$TMP/g" --device cuda --quiet >"$TMP/gout" 2>"$TMP/gerr"
rc=$?
if grep -q "no CUDA device\|built without CUDA" "$TMP/gerr"; then
  eq "$rc" 1 "no device: exit 1 ($(head -c 200 "$TMP/gerr"))"
  eq "$(count_runs "$TMP/g")" 0 "no device: no run recorded"
  "$BIN" sweep --config "$TMP/flow.json" --out "$TMP/g" --resume --quiet >/dev/null 2>&1
  status $? "no device: the CPU sweep --resume finishes the sweep"
  eq "$(count_runs "$TMP/g")" 12 "no device: 12 runs after the CPU resume"
else
  status $rc "GPU sweep exits 0"
  # the thesis toy on its 41 x 41 grid for the comparison with the CPU sweep
  sed 's/"n": 9/"n": 41/; s/"student_widths": \[3, 2\]/"student_widths": [5, 4]/' "$TMP/flow.json" >"$TMP/t41.json"
  rm -rf "$TMP/g"
  "$BIN" sweep --config "$TMP/t41.json" --out "$TMP/g" --device cuda --quiet >/dev/null 2>&1
  status $? "GPU sweep of the thesis toy (41 x 41 grid, widths 5 and 4) exits 0"
  eq "$(count_runs "$TMP/g")" 12 "GPU sweep: 12 runs recorded"
  "$BIN" sweep --config "$TMP/t41.json" --out "$TMP/c" --quiet >/dev/null 2>&1
  status $? "CPU sweep of the same config"
  # the integrators differ (CVODE BDF on the CPU, ROS4 on the GPU): compared are the runs
  # that converged on both, whose final losses must agree (both zero, or to 1e-6)
  msg=$(python3 - "$TMP/g/summary.csv" "$TMP/c/summary.csv" <<'PY'
import csv, sys
g = {(r['width'], r['seed']): r for r in csv.DictReader(open(sys.argv[1]))}
c = {(r['width'], r['seed']): r for r in csv.DictReader(open(sys.argv[2]))}
both = [k for k in c if c[k]['stop'] == 'grad_tol' and g[k]['stop'] == 'grad_tol']
lg = lambda k: float(g[k]['loss'])
lc = lambda k: float(c[k]['loss'])
same = sum(1 for k in both if (lg(k) < 1e-20 and lc(k) < 1e-20)
           or abs(lg(k) - lc(k)) <= 1e-6 * abs(lc(k)))
print(f"GPU final losses match the CPU sweep's on {same} of the {len(both)} runs converged on both")
sys.exit(0 if len(both) >= 4 and same >= len(both) - 1 else 1)
PY
)
  status $? "$msg"
  cp "$TMP/g/summary.csv" "$TMP/before.csv"
  rm -f "$TMP/g/runs/w5_s2.json" "$TMP/g/runs/w4_s5.json"
  "$BIN" sweep --config "$TMP/t41.json" --out "$TMP/g" --device cuda --resume --quiet >/dev/null 2>&1
  status $? "GPU --resume exits 0"
  check "GPU --resume: summary.csv identical to the uninterrupted sweep's" cmp -s "$TMP/before.csv" "$TMP/g/summary.csv"
  "$BIN" classify "$TMP/g" --no-figures --quiet >/dev/null 2>"$TMP/cerr"
  status $? "classify reads the GPU sweep ($(head -c 200 "$TMP/cerr"))"
fi
finish
