# Bad input files are refused with exit 2 and a message naming the file and the problem,
# never read into a wrong result with exit 0 (issue 14 items 3, 4, 7, 9 and 10):
# CSV byte-order mark and a typo in the first row, NLL targets that are not probabilities,
# overflowing sample weights, .npy files with extra data or the wrong rank, /dev/zero,
# directories given as .npy, .csv or .json.
. "$(dirname "$0")/cli_lib.sh" "$@"
py() { python3 -c "$1"; }
# csv_cfg CSV LOSS OUTPUTS: a 2-3-OUTPUTS tanh student on the data of CSV
csv_cfg() {
  cat > "$T/c.json" <<JSON
{"data": {"kind": "csv", "file": "$1"},
 "student": {"widths": [2, 3, $3], "activation": "tanh", "bias": true, "loss": "$2"}}
JSON
}
loss_of() { "$BIN" eval --config "$T/c.json" --params "$T/p.json" --json 2>"$T/err" | py "import json,sys; print(json.load(sys.stdin)['loss'])"; }

# --- item 3: CSV with a UTF-8 byte-order mark keeps its first data row -----------------
printf '1,2,0.5\n3,4,0.25\n-1,0.5,1\n' > "$T/plain.csv"
printf '\xef\xbb\xbf1,2,0.5\n3,4,0.25\n-1,0.5,1\n' > "$T/bom.csv"
printf '\xef\xbb\xbfx1,x2,y\n1,2,0.5\n3,4,0.25\n-1,0.5,1\n' > "$T/bomhdr.csv"
echo '[0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1.0, -1.1, 0.2, 0.3]' > "$T/p.json"
csv_cfg "$T/plain.csv" mse 1; l0=$(loss_of)
csv_cfg "$T/bom.csv" mse 1; l1=$(loss_of)
csv_cfg "$T/bomhdr.csv" mse 1; l2=$(loss_of)
eq "$l1" "$l0" "CSV with a byte-order mark: same loss as without (all 3 rows read)"
eq "$l2" "$l0" "CSV with a byte-order mark and a header: same loss"
# a typo in one cell of the first row is an error, not a header
printf '1,2x,0.5\n3,4,0.25\n-1,0.5,1\n' > "$T/typo.csv"
csv_cfg "$T/typo.csv" mse 1
expect "first row with a typo in one cell" 2 "typo.csv" "line 1, column 2" -- eval --config "$T/c.json" --params "$T/p.json"
printf 'a,b,c\n1,2,0.5\n3,4,0.25\n' > "$T/hdr.csv"
csv_cfg "$T/hdr.csv" mse 1
expect "a real header row is still skipped" 0 -- eval --config "$T/c.json" --params "$T/p.json"

# --- item 4: NLL targets are probabilities ------------------------------------------------
echo '[0.1,-0.2,0.3,0.4,0.5,-0.6,0.7,0.8,-0.9,1,-1.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,0.1]' > "$T/p3.json"
printf '1,2,-1,1,1\n3,4,0,1,0\n' > "$T/neg.csv"
printf '1,2,1,2,2\n3,4,0,1,0\n' > "$T/sum5.csv"
printf '1,2,0.2,0.3,0.5\n3,4,0,1,0\n' > "$T/good.csv"
csv_cfg "$T/neg.csv" nll 3
expect "NLL target -1" 2 "neg.csv" "row 0" ">= 0" -- eval --config "$T/c.json" --params "$T/p3.json"
csv_cfg "$T/sum5.csv" nll 3
expect "NLL targets summing to 5" 2 "sum5.csv" "sums to 5" -- eval --config "$T/c.json" --params "$T/p3.json"
expect "train refuses them too" 2 "sums to 5" -- train --config "$T/c.json" --seed 1 --max-iter 5 --out "$T/tr" --no-plot
csv_cfg "$T/good.csv" nll 3
expect "NLL probability targets accepted" 0 -- eval --config "$T/c.json" --params "$T/p3.json"

# --- item 7: sample weights that overflow when summed ----------------------------------
# .npy files written here (format 1.0, '<f8', C order) without numpy
py "
import struct
def save(path, shape, vals, extra=b''):
    d = \"{'descr': '<f8', 'fortran_order': False, 'shape': %s, }\" % (('(%d,)' % shape[0]) if len(shape) == 1 else str(tuple(shape)))
    h = d + ' ' * ((64 - (10 + len(d) + 1) % 64) % 64) + chr(10)
    open(path, 'wb').write(b'\\x93NUMPY\\x01\\x00' + struct.pack('<H', len(h)) + h.encode() + struct.pack('<%dd' % len(vals), *vals) + extra)
x = [1,2, 3,4, -1,0.5, 0.2,0.1, 1,1, 2,0, 0,2, 1,-1, -2,1, 0.5,0.5]
save('$T/x.npy', (10, 2), x)
save('$T/y.npy', (10, 1), [-1 + 2 * i / 9 for i in range(10)])
save('$T/w.npy', (10,), [1e308] * 10)
save('$T/w1.npy', (10,), [1.0] * 10)
save('$T/p2d.npy', (13, 2), [0.0] * 26)
save('$T/p1d.npy', (13,), [0.0] * 13)
save('$T/extra.npy', (13,), [0.0] * 13, struct.pack('<13d', *([0.0] * 13)))
"
npy_cfg() {
  cat > "$T/n.json" <<JSON
{"data": {"kind": "npy", "x": "$T/x.npy", "y": "$T/y.npy", "weights": "$T/$1"},
 "student": {"widths": [2, 3, 1], "activation": "tanh", "bias": true}}
JSON
}
npy_cfg w.npy
lw=$("$BIN" eval --config "$T/n.json" --params "$T/p.json" --json 2>&1 | py "import json,sys; print(json.load(sys.stdin)['loss'])")
npy_cfg w1.npy
l1=$("$BIN" eval --config "$T/n.json" --params "$T/p.json" --json 2>&1 | py "import json,sys; print(json.load(sys.stdin)['loss'])")
flag $([ -n "$lw" ] && [ "$lw" = "$l1" ] && lt 0 "$lw" && echo 1) "weights [1e308]*10 give the loss of equal weights ($lw vs $l1), not 0"

# --- item 9: .npy with extra data, 2-D parameter vector, /dev/zero ----------------------
expect "npy with more data than its header" 2 "extra.npy" "more data than its header" -- eval --config "$T/n.json" --params "$T/extra.npy"
expect "2-D array as a parameter vector" 2 "p2d.npy" "1-D" -- eval --config "$T/n.json" --params "$T/p2d.npy"
ln -s /dev/zero "$T/zero.npy"
expect "/dev/zero as .npy" 2 "zero.npy" "not a .npy file" -- eval --config "$T/n.json" --params "$T/zero.npy"
expect "1-D parameter .npy accepted" 0 -- eval --config "$T/n.json" --params "$T/p1d.npy"

# --- item 10: directories given as input files -------------------------------------------
mkdir -p "$T/d.npy" "$T/d.csv" "$T/d.json"
expect "directory as --params .npy" 2 "d.npy" "is a directory" -- eval --config "$T/n.json" --params "$T/d.npy"
expect "directory as --params .json" 2 "d.json" "is a directory" -- eval --config "$T/n.json" --params "$T/d.json"
expect "directory as --config" 2 "d.json" "is a directory" -- eval --config "$T/d.json"
csv_cfg "$T/d.csv" mse 1
expect "directory as data.file .csv" 2 "d.csv" "is a directory" -- eval --config "$T/c.json" --params "$T/p.json"

# --- item 10: exit codes and messages ------------------------------------------------
: > "$T/afile"
expect "train --out an existing file" 2 "--out" "afile" "not a directory" -- train --config "$SRC/examples/thesis_toy.json" --seed 1 --max-iter 5 --out "$T/afile" --no-plot
grid() {
  cat > "$T/g.json" <<JSON
{"data": {"kind": "grid", "n": 5, "lo": $1, "hi": $2},
 "teacher": {"widths": [2, 4, 1], "activation": "sigmoid", "bias": false, "seed": 1},
 "student": {"widths": [2, 3, 1], "activation": "sigmoid", "bias": false},
 "sweep": {"seeds": 1, "student_widths": [${3:-3}]}}
JSON
}
grid 3 1
expect "grid hi < lo names the field" 2 "g.json" "data.hi" -- eval --config "$T/g.json"
grid -1e308 1e308
expect "grid range overflowing names data.lo, data.hi (not the teacher)" 2 "data.lo, data.hi" "overflows" -- eval --config "$T/g.json"
grid -1 1 1000000000
expect "student_widths 1e9 states the range" 2 "student_widths[0]" "1..100000" -- sweep --config "$T/g.json" --out "$T/sw"
py "print([1e300] * 15)" > "$T/big.json"
expect "eval at parameters of 1e300 says why" 1 "big.json" "not finite" "1e+300" -- eval --config "$SRC/examples/thesis_toy.json" --params "$T/big.json"
finish
