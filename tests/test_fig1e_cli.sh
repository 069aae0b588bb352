# `landsym reproduce fig1e` on its first 3 seeds (examples/fig1e.json, Simsek et al. 2021
# figure 1e): every 20-20-20 student reaches zero loss (a global minimum, gradient at the
# rounding level) while the 5-5-5 students stop at nonzero loss; the classification and the
# loss-curve figure are written.
. "$(dirname "$0")/cli_lib.sh" "$@"
"$BIN" reproduce fig1e --seeds 3 --threads 2 --out "$T/r" >"$T/table" 2>"$T/err"
rc=$?
check "reproduce fig1e --seeds 3 exits 0 (stderr: $(tail -c 200 "$T/err"))" test $rc -eq 0
R=$T/r/classify/runs.csv
check "runs.csv has the 6 runs" test "$(tail -n +2 "$R" | wc -l)" -eq 6
# columns: width,seed,class,stop,loss,grad_inf
wide=$(awk -F, 'NR > 1 && $1 == 20 && $3 == "global" && $5 < 1e-25 && $6 < 1e-12 { n++ } END { print n + 0 }' "$R")
check "3 of 3 wide students at zero loss, classified global ($wide)" test "$wide" -eq 3
mild=$(awk -F, 'NR > 1 && $1 == 5 && $3 != "global" && $5 > 1e-10 { n++ } END { print n + 0 }' "$R")
check "at least 2 of 3 mild students stop at nonzero loss ($mild)" test "$mild" -ge 2
check "summary table printed for both widths" \
  bash -c "grep -q 'student width 5' '$T/table' && grep -q 'student width 20' '$T/table'"
check "the wide block says its students interpolate the data" \
  grep -q '1041 parameters for 200 residuals' "$T/table"
check "the narrow block does not (111 parameters)" test "$(grep -c 'parameters for' "$T/table")" -eq 1
if command -v gnuplot >/dev/null 2>&1; then
  check "loss-curve figure drawn" test -s "$T/r/classify/loss_curves.png"
fi
finish
