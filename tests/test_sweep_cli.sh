# landsym sweep from the command line: bad usage exits 2 with a message, 1 and 2
# threads give byte-identical results, progress goes to stderr, --quiet silences it.
. "$(dirname "$0")/sweep_lib.sh" "$@"
cfg=$TMP/cfg.json
write_config "$cfg" 4 200

expect "no --config" 2 -- sweep --out "$TMP/x"
expect "no --out" 2 -- sweep --config "$cfg"
expect "missing config file" 2 -- sweep --config "$TMP/nope.json" --out "$TMP/x"
expect "--seeds 0" 2 -- sweep --config "$cfg" --out "$TMP/x" --seeds 0
expect "--seeds -3" 2 -- sweep --config "$cfg" --out "$TMP/x" --seeds -3
expect "--seeds abc" 2 -- sweep --config "$cfg" --out "$TMP/x" --seeds abc
expect "--seeds without value" 2 -- sweep --config "$cfg" --out "$TMP/x" --seeds
expect "--threads 2x" 2 -- sweep --config "$cfg" --out "$TMP/x" --threads 2x
expect "unknown option" 2 -- sweep --config "$cfg" --out "$TMP/x" --sedes 3
echo '{"data": {"kind": "grid"}, "sweep": {"seeds": 2}' >"$TMP/bad.json"
expect "malformed config" 2 -- sweep --config "$TMP/bad.json" --out "$TMP/x"
sed 's/"student_widths"/"student_width"/' "$cfg" >"$TMP/typo.json"
expect "unknown key in the sweep section" 2 -- sweep --config "$TMP/typo.json" --out "$TMP/x"
sed 's/\[3, 2\]/[3, 0]/' "$cfg" >"$TMP/w0.json"
expect "student width 0" 2 -- sweep --config "$TMP/w0.json" --out "$TMP/x"
sed 's/"lr": 0.5/"lr": "big"/' "$cfg" >"$TMP/lr.json"
expect "non-numeric train.lr" 2 -- sweep --config "$TMP/lr.json" --out "$TMP/x"
sed 's/"seeds": 4, //' "$cfg" >"$TMP/noseeds.json"
expect "no seed count in config nor on the command line" 2 -- sweep --config "$TMP/noseeds.json" --out "$TMP/x"
expect "--seeds beyond 1e8" 2 -- sweep --config "$cfg" --out "$TMP/x" --seeds 100000000000
check "nothing created by failed invocations" test ! -e "$TMP/x"
check "--help exits 0 and prints usage" bash -c "'$BIN' sweep --help | grep -q 'usage: landsym sweep'"

"$BIN" sweep --config "$cfg" --out "$TMP/t1" --threads 1 >"$TMP/out1" 2>"$TMP/err1"
check "1-thread sweep exits 0" test $? -eq 0
check "stdout names summary.csv" grep -qx "$TMP/t1/summary.csv" "$TMP/out1"
check "plain progress lines on a non-terminal stderr" grep -q "runs done" "$TMP/err1"
"$BIN" sweep --config "$cfg" --out "$TMP/t2" --threads 2 --quiet >/dev/null 2>"$TMP/err2"
check "2-thread sweep exits 0" test $? -eq 0
check "--quiet leaves stderr empty" test ! -s "$TMP/err2"
check "summary has a header and 8 rows" test "$(wc -l <"$TMP/t1/summary.csv")" -eq 9
check "rows sorted by width then seed" \
  test "$(cut -d, -f1,2 "$TMP/t1/summary.csv" | tr '\n' ' ')" = "width,seed 2,1 2,2 2,3 2,4 3,1 3,2 3,3 3,4 "
check "summary.csv identical with 1 and 2 threads" cmp "$TMP/t1/summary.csv" "$TMP/t2/summary.csv"
same=1
for f in "$TMP"/t1/runs/*.npy; do cmp -s "$f" "$TMP/t2/runs/$(basename "$f")" || same=0; done
check "all 8 params .npy identical with 1 and 2 threads" test $same -eq 1 -a "$(ls "$TMP"/t1/runs/*.npy | wc -l)" -eq 8

if command -v script >/dev/null; then # a pseudo-terminal for stderr
  script -qc "'$BIN' sweep --config '$cfg' --out '$TMP/tty' --threads 2" /dev/null >"$TMP/tty.log" 2>&1
  check "progress bar on a terminal" grep -q '\[#*\] 8/8, [0-9]* converged, ETA 0s' "$TMP/tty.log"
else
  echo "note: 'script' not found, terminal progress bar not checked"
fi

# Run (width 3, seed 2) of the sweep is what `landsym train --seed 2` gives on the same
# config (student width 3): same initial point, same trainer, same section.
"$BIN" train --config "$cfg" --seed 2 --out "$TMP/train2" --no-plot --quiet >/dev/null 2>&1
check "sweep run w3_s2 has the parameters of landsym train --seed 2" \
  cmp "$TMP/t1/runs/w3_s2.npy" "$TMP/train2/params.npy"

expect "new sweep into an existing sweep directory" 2 -- sweep --config "$cfg" --out "$TMP/t1"
write_config "$TMP/cfg_tanh.json" 4 200 tanh
expect "resume with a changed config" 2 "config differs" -- sweep --config "$TMP/cfg_tanh.json" --out "$TMP/t1" --resume
expect "resume with another seed count" 2 -- sweep --config "$cfg" --out "$TMP/t1" --resume --seeds 5
"$BIN" sweep --config "$cfg" --out "$TMP/t1" --resume --quiet >/dev/null
check "resuming a finished sweep succeeds" test $? -eq 0
check "and leaves the summary unchanged" cmp "$TMP/t1/summary.csv" "$TMP/t2/summary.csv"
finish
