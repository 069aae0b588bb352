#!/usr/bin/env bash
# `landsym reproduce fig3` (Brea et al. 2019 figure 3) on a tiny synthetic problem: a 4-6-3
# tanh teacher labels 200 Gaussian inputs; 2 widths x 2 seeds of 4-H-H-3 NLL teachers, 10
# steps. Checks on the outputs: the path starts at the teacher (normalised MSE exactly 0,
# accuracy = teacher accuracy), the distance schedule is d0 * dmin^(i/steps) to 1e-12 and
# reaches dmin = 1e-4 of d0 at step `steps`, the barrier in the summary is the maximum of the
# path's normalised MSE, the table and figures exist; bad settings exit 2 naming the field
# and leave no output. $1 = landsym binary, $2 = source dir.
. "$(dirname "$0")/cli_lib.sh" "$@"
SRC=$(cd "$SRC" && pwd)
check_flag() { flag "$2" "$1"; } # check_flag MESSAGE FLAG

config() { # reproduce-section student-loss
  cat > "$T/c.json" <<JSON
{"data": {"kind": "gaussian", "n": 200, "dim": 4, "seed": 5},
 "teacher": {"widths": [4, 6, 3], "activation": "tanh", "bias": true, "seed": 11,
             "init": "normal", "scale": 2.0, "labels": "onehot"},
 "student": {"widths": [4, 3, 3, 3], "activation": "softplus", "bias": true, "loss": "${2:-nll}"},
 "reproduce": {$1}}
JSON
}

STEPS=10
config "\"hidden\": [4, 6], \"seeds\": 2, \"steps\": $STEPS, \"dmin\": 1e-4, \"maxeval\": 30, \"train_iters\": 200, \"train_lr\": 1e-2"
out=$("$BIN" reproduce fig3 --config "$T/c.json" --out "$T/r" 2>"$T/err")
rc=$?
check_flag "tiny run exits 0 (exit $rc)" $([ $rc = 0 ] && echo 1 || echo 0)
[ $rc = 0 ] || cat "$T/err"
check_flag "stdout table has one row per H" $(echo "$out" | grep -cE '^ +(4|6) ' | grep -qx 2 && echo 1 || echo 0)
check_flag "summary.csv has 4 runs" $([ "$(tail -n +2 "$T/r/summary.csv" 2>/dev/null | wc -l)" = 4 ] && echo 1 || echo 0)
for H in 4 6; do
  for s in 1 2; do
    f="$T/r/paths/path_H${H}_s${s}.csv"
    # columns: index,d,d_over_d0,nmse,accuracy
    r=$(awk -F, -v steps=$STEPS 'NR == 1 { next }
      { i = $1; want = exp(log(1e-4) * i / steps); if (i <= steps) { e = ($3 - want) / want; if (e < 0) e = -e; if (e > m) m = e } }
      NR == 2 { n0 = $4; a0 = $5 }
      $1 == steps { last = $3 }
      { if ($4 > mx) mx = $4 }
      END { printf "%s %s %.17g %.17g %.17g\n", n0, a0, m, last, mx }' "$f" 2>/dev/null)
    set -- $r
    check_flag "H $H seed $s: normalised MSE at the start is 0 (got ${1:-none})" $([ "${1:-x}" = 0 ] && echo 1 || echo 0)
    check_flag "H $H seed $s: schedule d0 * 1e-4^(i/$STEPS) to 1e-12 (max rel. error ${3:-none})" \
      $(awk -v e="${3:-1}" 'BEGIN { print (e < 1e-12) ? 1 : 0 }')
    check_flag "H $H seed $s: last scheduled point at 1e-4 d0 (${4:-none})" \
      $(awk -v x="${4:-0}" 'BEGIN { r = x / 1e-4 - 1; if (r < 0) r = -r; print (r < 1e-12) ? 1 : 0 }')
    # summary.csv: H,seed,l,m,cosine,d0,teacher_nll,teacher_acc,y2,barrier,...,acc_start(14)
    row=$(awk -F, -v H=$H -v s=$s '$1 == H && $2 == s' "$T/r/summary.csv")
    tacc=$(echo "$row" | cut -d, -f8)
    bar=$(echo "$row" | cut -d, -f10)
    check_flag "H $H seed $s: accuracy at the start = teacher accuracy ($2 vs $tacc)" \
      $(awk -v a="${2:-0}" -v b="${tacc:-1}" 'BEGIN { r = a - b; if (r < 0) r = -r; print (r < 1e-9 && a > 0.5) ? 1 : 0 }')
    check_flag "H $H seed $s: barrier = max normalised MSE on the path ($bar vs ${5:-none})" \
      $(awk -v a="${bar:-0}" -v b="${5:-1}" 'BEGIN { r = (a - b) / b; if (r < 0) r = -r; print (b > 0 && r < 1e-8) ? 1 : 0 }')
  done
done
for fig in fig3_barrier fig3_nmse fig3_accuracy; do
  have=1
  for e in png svg dat gp; do [ -s "$T/r/$fig.$e" ] || have=0; done
  check_flag "figure $fig (png, svg, dat, gp)" $have
done
check_flag "summary.json names the per-H barrier statistics" \
  $(grep -q '"barrier_mean"' "$T/r/summary.json" 2>/dev/null && echo 1 || echo 0)

# --resume: finished teachers are read back from runs/H*_s*.json, the rest are run
cp "$T/r/summary.csv" "$T/summary_full.csv"
"$BIN" reproduce fig3 --config "$T/c.json" --out "$T/r" --resume >/dev/null 2>"$T/err"
rc=$?
check_flag "resume of a finished run exits 0 (exit $rc)" $([ $rc = 0 ] && echo 1 || echo 0)
check_flag "resume reads all 4 teachers back ($(grep -c 'read back' "$T/err"))" \
  $([ "$(grep -c 'read back' "$T/err")" = 4 ] && echo 1 || echo 0)
check_flag "summary.csv of the resumed run is identical" \
  $(cmp -s "$T/r/summary.csv" "$T/summary_full.csv" && echo 1 || echo 0)
# an interrupted run: the last teacher's record missing; it alone is run again, with the
# same numbers (columns 1-18: everything but the wall times)
rm "$T/r/runs/H6_s2.json"
"$BIN" reproduce fig3 --config "$T/c.json" --out "$T/r" --resume >/dev/null 2>"$T/err"
rc=$?
check_flag "resume after an interruption: exit $rc, 3 read back, 1 run" \
  $([ $rc = 0 ] && [ "$(grep -c 'read back' "$T/err")" = 3 ] && [ -s "$T/r/runs/H6_s2.json" ] && echo 1 || echo 0)
check_flag "the rerun teacher gives the same summary row (wall times aside)" \
  $(cmp -s <(cut -d, -f1-18 "$T/r/summary.csv") <(cut -d, -f1-18 "$T/summary_full.csv") && echo 1 || echo 0)
# widths run in separate folders end in one figure: records copied, resumed with both widths
config "\"hidden\": [6], \"seeds\": 2, \"steps\": $STEPS, \"dmin\": 1e-4, \"maxeval\": 30, \"train_iters\": 200, \"train_lr\": 1e-2"
mkdir -p "$T/one/runs" && cp "$T/r/runs/H6_s"*.json "$T/one/runs/"
out=$("$BIN" reproduce fig3 --config "$T/c.json" --out "$T/one" --resume 2>"$T/err")
check_flag "a config with H = 6 only reads the 2 copied records (exit $?)" \
  $([ "$(grep -c 'read back' "$T/err")" = 2 ] && [ "$(tail -n +2 "$T/one/summary.csv" | wc -l)" = 2 ] && echo 1 || echo 0)
# a record run with other settings, or a damaged one, is refused (exit 2, file named)
config "\"hidden\": [6], \"seeds\": 2, \"steps\": $STEPS, \"dmin\": 1e-4, \"maxeval\": 31, \"train_iters\": 200, \"train_lr\": 1e-2"
msg=$("$BIN" reproduce fig3 --config "$T/c.json" --out "$T/one" --resume 2>&1 >/dev/null)
rc=$?
check_flag "record with other settings: exit 2 naming it ($rc: ${msg##*: })" \
  $([ $rc = 2 ] && [[ "$msg" == *"H6_s1.json"*"other settings"* ]] && echo 1 || echo 0)
config "\"hidden\": [6], \"seeds\": 2, \"steps\": $STEPS, \"dmin\": 1e-4, \"maxeval\": 30, \"train_iters\": 200, \"train_lr\": 1e-2"
head -c 100 "$T/r/runs/H6_s1.json" > "$T/one/runs/H6_s1.json"
msg=$("$BIN" reproduce fig3 --config "$T/c.json" --out "$T/one" --resume 2>&1 >/dev/null)
rc=$?
check_flag "truncated record: exit 2 naming it ($rc)" \
  $([ $rc = 2 ] && [[ "$msg" == *"H6_s1.json"* ]] && echo 1 || echo 0)

# bad settings: exit 2, message naming the field, nothing written
bad() { # name needle reproduce-section [loss] [extra args]
  local name=$1 needle=$2
  config "$3" "${4:-nll}"
  local msg rc
  msg=$("$BIN" reproduce fig3 --config "$T/c.json" --out "$T/bad" ${5:-} 2>&1 >/dev/null)
  rc=$?
  if [ $rc = 2 ] && [[ "$msg" == *"$needle"* ]] && [ ! -e "$T/bad" ]; then
    ok "$name (exit 2: ${msg##*: })"
  else
    ko "$name: exit $rc, message: $msg"
  fi
}
bad "steps 0" "reproduce.steps" '"steps": 0'
bad "dmin 2" "reproduce.dmin" '"dmin": 2'
bad "hidden width 1" "reproduce.hidden[1]" '"hidden": [4, 1]'
bad "hidden not an array" "reproduce.hidden" '"hidden": 4'
bad "unknown key" "reproduce.stpes" '"stpes": 3'
bad "MSE student" "nll" '"seeds": 1' mse
bad "--seeds 0" "--seeds" '"seeds": 1' nll "--seeds 0"

# the MNIST run (150 digits) is tests/test_mnist_cli.sh: skipped there when not installed

finish
