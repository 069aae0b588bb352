# landsym classify / reproduce from the command line: bad usage exits 2, a small sweep of
# the thesis toy (teacher width 4, students of widths 4 and 5 on a 15x15 grid) is
# classified, its tables are consistent with the runs, the pruned networks reproduce the
# outputs, figures are drawn (when gnuplot is installed), and failures leave no files.
. "$(dirname "$0")/cli_lib.sh" "$@"
TMP=$T
expect "classify without a directory" 2 -- classify
expect "classify of a directory that is no sweep" 2 -- classify "$TMP"
expect "classify with a bad tolerance" 2 -- classify "$TMP" --eig-tol -1
expect "classify with an unknown option" 2 -- classify "$TMP" --bogus
expect "reproduce of an unknown name" 2 -- reproduce fig99
expect "reproduce with --seeds 0" 2 -- reproduce fig5 --seeds 0
check "no classify output left by failures" test ! -e "$TMP/classify"
check "classify --help" bash -c "'$BIN' classify --help | grep -q 'usage: landsym classify'"
check "reproduce --help lists table6.1" bash -c "'$BIN' reproduce --help | grep -q 'table6.1'"

cat >"$TMP/cfg.json" <<JSON
{
  "data":    {"kind": "grid", "n": 15, "lo": -5, "hi": 5},
  "teacher": {"widths": [2, 4, 1], "activation": "sigmoid", "bias": false,
              "params": [0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1]},
  "student": {"widths": [2, 5, 1], "activation": "sigmoid", "bias": false},
  "train":   {"method": "flow", "polish": "newton", "grad_tol": 1e-13},
  "sweep":   {"seeds": 4, "student_widths": [4, 5], "trajectory": true}
}
JSON
"$BIN" sweep --config "$TMP/cfg.json" --out "$TMP/s" --threads 2 --quiet >/dev/null 2>&1
check "sweep of 8 runs exits 0" test $? -eq 0
check "trajectories written" test -s "$TMP/s/runs/w5_s1.traj.csv"
"$BIN" classify "$TMP/s" --threads 2 >"$TMP/table" 2>"$TMP/err"
rc=$?
check "classify exits 0 (stderr: $(tail -c 200 "$TMP/err"))" test $rc -eq 0
check "table on stdout" grep -q "Global minima" "$TMP/table"
C=$TMP/s/classify
check "summary.csv, runs.csv, groups.csv written" test -s "$C/summary.csv" -a -s "$C/runs.csv" -a -s "$C/groups.csv"
check "runs.csv has one row per run" test "$(tail -n +2 "$C/runs.csv" | wc -l)" -eq 8
# the counts of summary.csv equal the classes of runs.csv
sum_ok=$(awk -F, 'FNR == 1 { next } NR == FNR { n[$1] += 1; c[$1 "," $3] += 1; next }
  { if ($2 != n[$1] || $3 != c[$1 ",global"] + 0 || $5 != c[$1 ",symmetry_induced"] + 0 ||
        $6 != c[$1 ",local_min"] + 0 || $7 != c[$1 ",saddle"] + 0 ||
        $9 != c[$1 ",not_converged"] + 0) bad = 1 }
  END { print bad ? "no" : "yes" }' "$C/runs.csv" "$C/summary.csv")
check "summary.csv counts agree with runs.csv" test "$sum_ok" = yes
# every global minimum of the width-5 students is the teacher, with 4 teacher copies
glob=$(awk -F, 'NR > 1 && $3 == "global" && ($15 != 1 || $17 != 4) { bad++ } END { print bad + 0 }' "$C/runs.csv")
check "global minima match the teacher and reduce to width 4" test "$glob" -eq 0
worst=$(awk -F, 'NR > 1 && $3 == "global" && $20 > m { m = $20 } END { print m + 0 }' "$C/runs.csv")
check "pruned global minima reproduce the outputs (max diff $worst < 1e-10)" \
  awk -v m="$worst" 'BEGIN { exit !(m < 1e-10) }'
check "pruned networks written (.npy + .json)" test -s "$C/pruned/w5_s1.npy" -a -s "$C/pruned/w5_s1.json"
# every run names its certificate, consistent with its class (docs/classify.md); a run
# without one gives its reason
cert_ok=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  { k = $3; c = $col["certificate"]
    ok = (k == "global" && c == "global") || (k == "saddle" && c == "saddle") ||
         ((k == "local_min" || k == "symmetry_induced") && (c == "morse_bott" || c == "higher_order")) ||
         (k == "not_converged" && (c == "none" || c == "escape") && $col["reason"] != "") ||
         (k == "channel" && c == "channel" && $col["channel_limit_grad_inf"] != "") ||
         (k == "near_global" && c == "near_global" && $col["near_global_dist"] + 0 > 0)
    if (!ok) bad++
    if (c != "global" && c != "none" && c != "escape" && c != "channel" && c != "near_global" && !($col["cert_grad_inf"] <= $col["cert_bound"])) bad++ }
  END { print bad + 0 }' "$C/runs.csv")
check "every run's certificate matches its class; certified gradients within their bounds" test "$cert_ok" -eq 0
rows=$(awk '/^student width 5/ { on = 1 } on && /global minima \(loss|  minima \(reduced|saddles \(reduced|finite local|saddles \(irreducible|channels|near a global|unexplained/ { s += $NF } on && /unexplained/ { print s; exit }' "$TMP/table")
check "certified rows of width 5 add up to its 4 runs ($rows)" test "$rows" = 4
if command -v gnuplot >/dev/null 2>&1; then
  for f in loss_curves neuron_groups eig_vs_loss min_neuron_distance certified_table; do
    check "figure $f: .dat .gp .png .svg" test -s "$C/$f.dat" -a -s "$C/$f.gp" -a -s "$C/$f.png" -a -s "$C/$f.svg"
  done
fi
check "no temporary files left" test -z "$(find "$C" -name '*.tmp*')"
"$BIN" classify "$TMP/s" --out "$TMP/c2" --no-figures --no-prune --quiet >/dev/null 2>"$TMP/err"
check "--no-figures --no-prune: tables only, nothing on stderr" \
  test ! -e "$TMP/c2/pruned" -a ! -e "$TMP/c2/eig_vs_loss.png" -a -s "$TMP/c2/runs.csv" -a ! -s "$TMP/err"
finish
