#!/usr/bin/env bash
# landsym connect: equal-loss paths between permuted global minima (thesis 2-layer toy and a
# 3-layer teacher), CSV/figure/waypoint outputs, and exit-2 rejections.
# $1 = landsym binary, $2 = source directory.
. "$(dirname "$0")/cli_lib.sh" "$@"
TOY=$SRC/examples/thesis_toy.json
ML=$SRC/examples/multilayer_bias.json

mkdir -p "$T/a" "$T/b" "$T/c"
"$BIN" connect --config "$TOY" --out-dir "$T/a" --seed 2 --samples 40 --json > "$T/a.json" || ko "toy connect"
dev=$(num "$T/a.json" "['max_loss_deviation']")
seg=$(num "$T/a.json" "['segments']")
lt "$dev" 1e-12 && ok "thesis 2-5-1 minimum, layer 1: $seg segments, max |L - L0| = $dev" || ko "toy deviation $dev"
for f in connect_loss.csv connect_path.npy connect_loss.png connect_loss.svg connect_loss.dat connect_loss.gp; do
  [ -s "$T/a/$f" ] && ok "wrote $f" || ko "missing $f"
done
# every sampled loss in the CSV, checked independently of the summary
python3 - "$T/a/connect_loss.csv" <<'PY' && ok "CSV: all sampled losses within 1e-12 of the start" || ko "CSV check"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
l0 = float(rows[0]["loss"])
assert len(rows) > 100 and max(abs(float(r["loss"]) - l0) for r in rows) <= 1e-12
PY
# the end point is the permutation of the start (waypoints, numpy layout rows x P)
python3 - "$T/a/connect_path.npy" "$T/a.json" <<'PY' && ok "waypoints: last = P_pi first (exact)" || ko "waypoint permutation"
import json, sys, struct
raw = open(sys.argv[1], "rb").read()
hl = struct.unpack("<H", raw[8:10])[0]
hdr = raw[10:10 + hl].decode()
shape = eval(hdr[hdr.index("(", hdr.index("shape")):hdr.index(")", hdr.index("shape")) + 1])
vals = struct.unpack("<%dd" % (shape[0] * shape[1]), raw[10 + hl:])
P = shape[1]
first, last = vals[:P], vals[-P:]
perm = json.load(open(sys.argv[2]))["perm"]
# 2-5-1 sigmoid without bias: W1 (5x2) then W2 (1x5)
m = 5
want = [0.0] * P
for i in range(m):
    want[2 * i:2 * i + 2] = first[2 * perm[i]:2 * perm[i] + 2]
    want[10 + i] = first[10 + perm[i]]
assert list(last) == want
PY

"$BIN" connect --config "$ML" --layer 2 --perm 3,2,1,0 --out-dir "$T/b" --no-plot --json > "$T/b.json" || ko "ml connect"
dev=$(num "$T/b.json" "['max_loss_deviation']")
lt "$dev" 1e-12 && ok "3-5-4-2 minimum, layer 2, reversal: max |L - L0| = $dev" || ko "ml deviation $dev"
"$BIN" connect --config "$ML" --layer 1 --out-dir "$T/b" --no-plot --json > "$T/b1.json" || ko "ml connect 1"
dev=$(num "$T/b1.json" "['max_loss_deviation']")
lt "$dev" 1e-12 && ok "3-5-4-2 minimum, layer 1: max |L - L0| = $dev" || ko "ml1 deviation $dev"

# rejections
cat > "$T/irr.json" <<JSON
{"data": {"kind": "grid", "n": 11, "lo": -5, "hi": 5},
 "teacher": {"widths": [2, 4, 1], "activation": "sigmoid", "bias": false,
             "params": [0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1]},
 "student": {"widths": [2, 4, 1], "activation": "sigmoid", "bias": false}}
JSON
expect "irreducible layer" 2 "irreducible" -- connect --config "$T/irr.json" --out-dir "$T/c"
[ -z "$(ls -A "$T/c")" ] && ok "no files left after a failure" || ko "files left: $(ls "$T/c")"
expect "layer out of range" 2 "out of range" -- connect --config "$TOY" --layer 2 --out-dir "$T/c"
expect "bad permutation" 2 "permutation of 0..4" -- connect --config "$TOY" --perm 0,1,2,2,4 --out-dir "$T/c"
: > "$T/afile"
expect "out dir is a file" 2 "not a directory" -- connect --config "$TOY" --out-dir "$T/afile"
"$BIN" connect --config "$TOY" --seed 2 --samples 20 --no-plot --out-dir "$T/new" > /dev/null 2>&1 \
  && [ -s "$T/new/connect_loss.csv" ] && ok "a missing --out-dir is created" || ko "missing --out-dir not created"
expect "unknown option" 2 "unknown" -- connect --config "$TOY" --bogus
"$BIN" connect --help | grep -q "usage: landsym connect" && ok "--help" || ko "--help"
finish
