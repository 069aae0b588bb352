#!/bin/sh
# Issue 15, item 6: is the certified class of a seed independent of the optimiser? Trains
# the thesis toy's width-5 student over SEEDS seeds with the default protocol
# (examples/table6_1.json: gradient flow, then Newton) and with the thesis's
# (examples/table6_1_thesis.json: Adam lr 1e-4, shortened to 1e5 steps, then SLSQP),
# classifies both (certificates, docs/classify.md) and compares the classes seed by seed;
# every disagreement is printed with both runs' losses, certificates and reasons.
#
# usage: bench/sweep/agreement.sh [SEEDS] [THREADS]   (defaults: 100, all cores)
# env:   LANDSYM=path/to/landsym (default build/landsym), OUT=dir (default a temp dir)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seeds=${1:-100}
threads=${2:-$(nproc)}
landsym=${LANDSYM:-$root/build/landsym}
out=${OUT:-$(mktemp -d /tmp/landsym-agreement.XXXXXX)}
[ -x "$landsym" ] || { echo "agreement.sh: $landsym not built" >&2; exit 2; }
for p in default thesis; do
  cfg=$root/examples/table6_1.json
  [ $p = thesis ] && cfg=$root/examples/table6_1_thesis.json
  if [ ! -s "$out/$p/summary.csv" ]; then
    t0=$(date +%s)
    "$landsym" sweep --config "$cfg" --out "$out/$p" --seeds "$seeds" --threads "$threads" \
      --quiet >/dev/null
    echo "$p: sweep $(( $(date +%s) - t0 )) s"
  fi
  "$landsym" classify "$out/$p" --threads "$threads" --quiet --no-figures >/dev/null
done
{
  echo "per-seed agreement of the certified classes, $seeds seeds, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -F, '
    FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; file++; next }
    { k = $col["seed"]
      c[file, k] = $col["class"]; cert[file, k] = $col["certificate"]; L[file, k] = $col["loss"]
      why[file, k] = $col["reason"]; seeds[k] = 1 }
    END {
      n = 0; same = 0; ne = 0; se = 0
      for (k in seeds) {
        n++
        # the same end point: both at the loss floor, or losses within 1e-3 (relative)
        a = L[1, k] + 0; b = L[2, k] + 0; m = a > b ? a : b
        endpt = (a <= 1e-16 && b <= 1e-16) || (a - b <= 1e-3 * m && b - a <= 1e-3 * m)
        ne += endpt; se += endpt && c[1, k] == c[2, k]
        if (c[1, k] == c[2, k]) { same++; pair[c[1, k]]++; continue }
        printf "seed %s: default %s (%s, loss %.4g) / thesis %s (%s, loss %.4g)%s\n", k,
          c[1, k], cert[1, k], L[1, k], c[2, k], cert[2, k], L[2, k],
          endpt ? "" : ": different end points"
        if (why[1, k] != "") printf "    default: %s\n", why[1, k]
        if (why[2, k] != "") printf "    thesis:  %s\n", why[2, k]
      }
      printf "agreement: %d of %d seeds (%.1f%%)\n", same, n, 100 * same / n
      printf "seeds whose two runs end at the same point (same loss to 1e-3, or both at the\n"
      printf "floor): %d; of these, the same class: %d\n", ne, se
      for (p in pair) printf "  both %s: %d\n", p, pair[p]
      # the share of each class, protocol by protocol (what table 6.1 reports)
      for (k in seeds) { cnt[1, c[1, k]]++; cnt[2, c[2, k]]++; cls[c[1, k]] = 1; cls[c[2, k]] = 1 }
      printf "class counts (default / thesis):"
      for (p in cls) printf " %s %d / %d;", p, cnt[1, p], cnt[2, p]
      printf "\n"
    }' "$out/default/classify/runs.csv" "$out/thesis/classify/runs.csv"
  echo "outputs: $out/default, $out/thesis"
} | tee "$here/agreement.txt"
