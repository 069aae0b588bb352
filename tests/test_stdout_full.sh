# Every command with standard output on a full device (/dev/full): the write error must
# not pass silently. Each command runs a small real job with stdout redirected to
# /dev/full and must exit non-zero with a message naming the failed write (issue: results
# cut off at 4096 bytes with exit 0). Each command is first run once to a file, so that a
# failure below is the write error and not a broken invocation.
. "$(dirname "$0")/sweep_lib.sh" "$@"
if [ ! -w /dev/full ]; then
  echo "SKIP: /dev/full is not available"
  exit 77
fi
TOY=$SRC/examples/thesis_toy.json
write_config "$T/cfg.json" 2 200
"$BIN" sweep --config "$T/cfg.json" --out "$T/s" --threads 1 --quiet >/dev/null 2>&1
sed 's/"relu"/"softplus"/g; s/"n": 1000/"n": 60/' "$SRC/examples/fig2.json" > "$T/sp.json"
"$BIN" path --config "$T/sp.json" --pair 0,2 --steps 3 --maxeval 300 --no-plot --out "$T/p" >/dev/null 2>&1
n=0
# full NAME ARGS...: once to a file (must exit 0 and write something), then to /dev/full;
# an argument @ stands for a fresh output directory in each run.
full() {
  local name=$1 rc out a args=()
  shift
  n=$((n + 1))
  for a in "$@"; do [ "$a" = @ ] && args+=("$T/o${n}a") || args+=("$a"); done
  "$BIN" "${args[@]}" >"$T/out$n" 2>"$T/err$n"
  rc=$?
  if [ $rc -ne 0 ] || [ ! -s "$T/out$n" ]; then
    ko "$name: the reference run to a file failed (exit $rc): $(tail -2 "$T/err$n")"
    return
  fi
  args=()
  for a in "$@"; do [ "$a" = @ ] && args+=("$T/o${n}b") || args+=("$a"); done
  out=$("$BIN" "${args[@]}" 2>&1 >/dev/full)
  rc=$?
  if [ $rc -ne 0 ] && [[ "$out" == *"error writing standard output"* ]]; then
    ok "$name > /dev/full: exit $rc, '$(echo "$out" | tail -1)'"
  else
    ko "$name > /dev/full: exit $rc, stderr: $out"
  fi
}
full "--version" --version
full "--help" --help
full "eval" eval --config "$TOY" --seed 3 --json
full "count R" count R 30 31:1000
full "count T" count T 6 10
full "train" train --config "$TOY" --seed 2 --max-iter 50 --out @ --no-plot
full "sweep" sweep --config "$T/cfg.json" --out @ --threads 1
full "classify" classify "$T/s" --no-figures --no-prune --quiet --out @
full "expand" expand --config "$TOY" --seed 3 --json
full "connect" connect --config "$TOY" --out-dir @ --seed 2 --samples 20 --no-plot --json
full "split" split --config "$SRC/tests/test_split_thesis_w2_config.json" --params "$SRC/tests/test_split_thesis_w2.json" --layer 1 --neuron 0 --mu-range -1:2:5 --out @
full "path" path --config "$T/sp.json" --pair 0,2 --steps 3 --maxeval 300 --no-plot --out @
full "saddle" saddle --config "$T/sp.json" --params "$T/p/permpoint_certified_0_2.npy" --out @
full "locus" locus --config "$SRC/tests/test_locus_config.json" --locus star --layers 2
full "reproduce" reproduce fig1c --config "$T/cfg.json" --seeds 2 --threads 1 --out @
finish
