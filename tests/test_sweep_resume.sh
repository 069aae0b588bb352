# A sweep killed with SIGKILL mid-way and resumed gives a summary.csv byte-identical to an
# uninterrupted sweep, keeps the runs finished before the kill, and leaves no temp files.
. "$(dirname "$0")/sweep_lib.sh" "$@"
cfg=$TMP/cfg.json
write_config "$cfg" 10 20000

"$BIN" sweep --config "$cfg" --out "$TMP/full" --threads 2 --quiet >/dev/null
check "uninterrupted sweep exits 0" test $? -eq 0

"$BIN" sweep --config "$cfg" --out "$TMP/part" --threads 2 --quiet >/dev/null &
pid=$!
for _ in $(seq 1 2000); do
  [ "$(count_runs "$TMP/part")" -ge 4 ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.01
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n=$(count_runs "$TMP/part")
check "killed mid-way: $n of 20 runs finished" test "$n" -ge 1 -a "$n" -lt 20
check "no summary after the kill" test ! -e "$TMP/part/summary.csv"
mkdir -p "$TMP/kept"
cp "$TMP"/part/runs/*.json "$TMP/kept/" 2>/dev/null

"$BIN" sweep --config "$cfg" --out "$TMP/part" --resume --threads 1 --quiet >"$TMP/out" 2>"$TMP/err"
check "resume exits 0" test $? -eq 0
check "resumed summary.csv byte-identical to the uninterrupted one" \
  cmp "$TMP/full/summary.csv" "$TMP/part/summary.csv"
kept=1
for f in "$TMP"/kept/*.json; do cmp -s "$f" "$TMP/part/runs/$(basename "$f")" || kept=0; done
check "the $n runs finished before the kill were kept, not redone" test $kept -eq 1
check "no temp files left" test -z "$(find "$TMP/part" -name '*.tmp.*')"
same=1
for f in "$TMP"/full/runs/*.npy; do cmp -s "$f" "$TMP/part/runs/$(basename "$f")" || same=0; done
check "every params .npy identical to the uninterrupted sweep" test $same -eq 1
finish
