# Output files follow the umask, like any program's (open(O_CREAT, 0666) & ~umask): the
# atomic writes once left every file 0600 (mkstemp), unreadable to colleagues on a shared
# cluster. train and sweep outputs under umask 022, 002 and 077.
. "$(dirname "$0")/sweep_lib.sh" "$@"
write_config "$T/cfg.json" 2 100
for u in 022 002 077; do
  want=$(printf '%o' $((0666 & ~8#$u)))
  (umask $u && "$BIN" train --config "$SRC/examples/thesis_toy.json" --seed 2 --max-iter 20 \
     --out "$T/t$u" --no-plot >/dev/null 2>&1 \
   && "$BIN" sweep --config "$T/cfg.json" --out "$T/s$u" --threads 1 --quiet >/dev/null 2>&1)
  modes=$(find "$T/t$u" "$T/s$u" -type f -printf '%m\n' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
  nfiles=$(find "$T/t$u" "$T/s$u" -type f | wc -l)
  bad=$(find "$T/t$u" "$T/s$u" -type f ! -perm "$want" | head -3 | tr '\n' ' ')
  flag $([ "$nfiles" -gt 3 ] && [ -z "$bad" ] && echo 1) \
    "umask $u: all $nfiles output files have mode $want (modes:$modes ${bad:+wrong: $bad})"
done
finish
