#!/usr/bin/env bash
# Bad configs and bad usage: `landsym eval` exits 2 and its message names the file and
# the field. $1 = landsym binary, $2 = source directory.
. "$(dirname "$0")/cli_lib.sh" "$@"

# write a config whose student section is $2 and data section is $3
cfg() {
  cat > "$T/$1" <<JSON
{"data": $3,
 "teacher": {"widths": [2, 4, 1], "activation": "sigmoid", "bias": false,
             "params": [0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1]},
 "student": $2}
JSON
}
GRID='{"kind": "grid", "n": 5}'
cfg act.json '{"widths": [2, 5, 1], "activation": "sigmod"}' "$GRID"
expect "unknown activation" 2 "act.json" "student.activation" "sigmod" -- eval --config "$T/act.json"
cfg width0.json '{"widths": [2, 0, 1]}' "$GRID"
expect "width 0" 2 "width0.json: student.widths[1]: width must be >= 1" -- eval --config "$T/width0.json"
cfg dims.json '{"widths": [3, 5, 1]}' "$GRID"
expect "student/teacher input mismatch" 2 "dims.json" "teacher.widths[0]" "student.widths[0] is 3" -- eval --config "$T/dims.json"
cfg datadim.json '{"widths": [2, 5, 1]}' '{"kind": "grid", "n": 5, "dim": 3}'
expect "data dim mismatch" 2 "datadim.json: data.dim" "student.widths[0] is 2" -- eval --config "$T/datadim.json"
cfg key.json '{"widths": [2, 5, 1], "actvation": "tanh"}' "$GRID"
expect "unknown key in a section" 2 "key.json: student.actvation: unknown key" -- eval --config "$T/key.json"
cfg top.json '{"widths": [2, 5, 1]}' "$GRID"
sed -i 's/^{"data"/{"trian": {}, "data"/' "$T/top.json"
expect "unknown top-level key" 2 "top.json: trian: unknown key" -- eval --config "$T/top.json"
printf '{"data": {"kind": "grid",}\n' > "$T/bad.json"
expect "malformed JSON" 2 "bad.json: line 1" -- eval --config "$T/bad.json"
expect "missing file" 2 "nothere.json" -- eval --config "$T/nothere.json"
cfg kind.json '{"widths": [2, 5, 1]}' '{"kind": "gird"}'
expect "unknown data kind" 2 "kind.json: data.kind: 'gird' unknown" -- eval --config "$T/kind.json"
cfg tlen.json '{"widths": [2, 5, 1]}' "$GRID"
sed -i 's/, 1, -1, 1, -1]/, 1, -1, 1]/' "$T/tlen.json"
expect "teacher params length" 2 "tlen.json: teacher.params: 11 values" -- eval --config "$T/tlen.json"

# NaN in user data: a CSV row and a .npy element, both named by position
printf 'x1,x2\n0,1\n2,nan\n' > "$T/x.csv"
cfg nancsv.json '{"widths": [2, 5, 1]}' '{"kind": "csv", "file": "x.csv"}'
expect "NaN in csv data" 2 "nancsv.json: data.file" "x.csv: line 3, column 2: NaN" -- eval --config "$T/nancsv.json"
# .npy float64 (3, 2) with x[1, 0] = NaN, written byte by byte
# header: magic, version 1.0, header length 118 (0x76) so that 10 + 118 = 128 bytes
printf '\x93NUMPY\x01\x00\x76\x00' > "$T/x.npy"
printf '%-117s\n' "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }" >> "$T/x.npy"
# data: 0, 1, NaN, 3, 4, 5 (little-endian float64)
printf '\x00\x00\x00\x00\x00\x00\x00\x00' >> "$T/x.npy"
printf '\x00\x00\x00\x00\x00\x00\xf0\x3f' >> "$T/x.npy"
printf '\x00\x00\x00\x00\x00\x00\xf8\x7f' >> "$T/x.npy"
printf '\x00\x00\x00\x00\x00\x00\x08\x40' >> "$T/x.npy"
printf '\x00\x00\x00\x00\x00\x00\x10\x40' >> "$T/x.npy"
printf '\x00\x00\x00\x00\x00\x00\x14\x40' >> "$T/x.npy"
cfg nannpy.json '{"widths": [2, 5, 1]}' '{"kind": "npy", "x": "x.npy"}'
expect "NaN in npy data" 2 "nannpy.json: data" "x.npy: element [1, 0] is NaN" -- eval --config "$T/nannpy.json"

# a dense Hessian larger than any machine (P = 300,601: 3 x 723 GB): refused, exit 2
cat > "$T/huge.json" <<JSON
{"data": {"kind": "gaussian", "n": 4, "seed": 1},
 "teacher": {"widths": [1000, 2, 1], "activation": "erf", "bias": false, "seed": 7, "init": "normal"},
 "student": {"widths": [1000, 300, 1], "activation": "erf", "bias": true}}
JSON
expect "Hessian too large for memory" 2 "--hessian: the dense Hessian of 300601 parameters needs" "GiB" -- eval --config "$T/huge.json" --hessian
# training the same network: Newton with the dense Hessian would need 4 P^2 doubles (2.6 TiB):
# refused before any work, no folder written; the automatic choice runs it on products
cat > "$T/huge_train.json" <<JSON
{"data": {"kind": "gaussian", "n": 4, "seed": 1},
 "teacher": {"widths": [1000, 2, 1], "activation": "erf", "bias": false, "seed": 7, "init": "normal"},
 "student": {"widths": [1000, 300, 1], "activation": "erf", "bias": true},
 "train": {"method": "none", "polish": "newton", "polish_max_iter": 2, "newton_hessian": "dense"}}
JSON
expect "dense Newton too large for memory" 2 "needs" "GiB at its peak (phase newton)" -- train --config "$T/huge_train.json" --out "$T/huge_run"
flag $([ ! -e "$T/huge_run" ] && echo 1) "the refused run wrote no folder"
sed 's/"newton_hessian": "dense"/"newton_hessian": "auto"/' "$T/huge_train.json" > "$T/huge_auto.json"
"$BIN" train --config "$T/huge_auto.json" --out "$T/huge_auto" >/dev/null 2>&1
flag $([ $? = 0 ] && [ -s "$T/huge_auto/result.json" ] && echo 1) "newton_hessian auto trains 300,601 parameters on Hessian-vector products"
expect "saddle's dense Hessian too large for memory" 2 "needs" "GiB" -- saddle --config "$T/huge.json" --params "$T/huge_auto/params.npy" --out "$T/huge_saddle"
flag $([ ! -e "$T/huge_saddle/summary.json" ] && echo 1) "the refused saddle search wrote no summary"
expect "unknown engine" 2 "--engine must be" -- eval --config builtin:thesis --engine fast

# bad usage
expect "no --config" 2 "--config FILE is required" -- eval
expect "bad seed" 2 "--seed" -- eval --config builtin:thesis --seed x
expect "unknown option" 2 "unknown" -- eval --config builtin:thesis --frobnicate
expect "params teacher with a different shape" 2 "--params teacher" -- eval --config builtin:thesis --params teacher
expect "unknown builtin" 2 "builtin:nope" -- eval --config builtin:nope
check "--help" bash -c "'$BIN' eval --help | grep -q -- --hessian"

finish
