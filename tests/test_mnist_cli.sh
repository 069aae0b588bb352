#!/usr/bin/env bash
# The checks that need MNIST (data/mnist, scripts/setup_mnist.sh): the MNIST and
# Fashion-MNIST examples load and evaluate, and `reproduce fig3` runs on 150 digits with the
# path starting at the teacher. Without the data the test is reported as skipped (exit 77),
# not passed. $1 = landsym binary, $2 = source dir.
. "$(dirname "$0")/cli_lib.sh" "$@"
SRC=$(cd "$SRC" && pwd)
check_flag() { flag "$2" "$1"; } # check_flag MESSAGE FLAG
MN="$SRC/data/mnist"
if [ ! -s "$MN/train-images.idx3-ubyte" ] || [ ! -s "$MN/train-labels.idx1-ubyte" ]; then
  echo "SKIP: MNIST not installed in $MN (scripts/setup_mnist.sh)"
  exit 77
fi
for f in "$SRC"/examples/mnist_*.json "$SRC"/examples/fashion_*.json; do
  [ -e "$f" ] || continue
  if ! "$BIN" eval --config "$f" --json > "$T/ex.json" 2> "$T/ex.err" \
      && grep -q "No such file\|cannot open\|not found" "$T/ex.err"; then
    echo "SKIP: example $(basename "$f") (its data set is not installed: $(head -c 200 "$T/ex.err"))"
    continue
  fi
  flag $([ -s "$T/ex.json" ] && python3 -c "import json; json.load(open('$T/ex.json'))" && echo 1) "example $(basename "$f") evaluates ($(cat "$T/ex.err"))"
done

cat > "$T/m.json" <<JSON
{"data": {"kind": "idx", "images": "$MN/train-images.idx3-ubyte",
        "labels": "$MN/train-labels.idx1-ubyte", "limit": 150, "pca": 8},
 "student": {"widths": [8, 3, 3, 10], "activation": "softplus", "bias": true, "loss": "nll"},
 "reproduce": {"hidden": [5], "seeds": 1, "steps": 8, "maxeval": 30, "train_iters": 300,
             "train_lr": 1e-2}}
JSON
"$BIN" reproduce fig3 --config "$T/m.json" --out "$T/m" >/dev/null 2>"$T/merr"
rc=$?
n0=$(awk -F, 'NR == 2 { print $4 }' "$T/m/paths/path_H5_s1.csv" 2>/dev/null)
check_flag "MNIST (150 digits): exit 0 and normalised MSE 0 at the start (exit $rc, ${n0:-none})" \
  $([ $rc = 0 ] && [ "${n0:-x}" = 0 ] && echo 1 || echo 0)
finish

