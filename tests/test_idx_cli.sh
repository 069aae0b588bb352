#!/usr/bin/env bash
# Malformed IDX files through `landsym eval --config` with an idx data section: each
# exits 2 with a message naming the file and the problem; a good pair evaluates (exit 0),
# also with parity targets, PCA and standardisation. $1 = landsym binary, $2 = source dir.
. "$(dirname "$0")/cli_lib.sh" "$@"
# hex bytes -> file
put() { printf "$(echo "$2" | sed 's/\([0-9a-f][0-9a-f]\)/\\x\1/g; s/ //g')" > "$T/$1"; }
# images: 3 images of 2 x 2 pixels; labels 3 (0, 1, 2)
IMG_HEAD="00000803 00000003 00000002 00000002"
IMG_DATA="00ff1020 30405060 708090a0"
put img.idx "$IMG_HEAD $IMG_DATA"
put lab.idx "00000801 00000003 000102"
gzip -c "$T/img.idx" > "$T/img.idx.gz"

config() { # images labels [extra data keys] [widths] [loss]
  cat > "$T/c.json" <<JSON
{"data": {"kind": "idx", "images": "$1", "labels": "$2"${3:-}},
 "student": {"widths": ${4:-[4, 2, 3]}, "loss": "${5:-nll}", "activation": "sigmoid"}}
JSON
}
# eval_expect NAME CODE NEEDLE...: `landsym eval` on $T/c.json
eval_expect() { expect "$@" -- eval --config "$T/c.json"; }

config img.idx lab.idx; eval_expect "good plain pair" 0
config img.idx.gz lab.idx; eval_expect "good gzip images" 0
config img.idx lab.idx ', "targets": "parity", "pca": 2, "standardize": true' "[2, 3, 1]" mse
eval_expect "parity, pca, standardize" 0

put b1 "0000"; config b1 lab.idx; eval_expect "truncated magic" 2 "b1" "truncated IDX header"
put b2 "00000803 00000003 0000"; config b2 lab.idx; eval_expect "truncated header" 2 "b2" "truncated IDX header"
put b3 "$IMG_HEAD 00ff1020 3040"; config b3 lab.idx; eval_expect "truncated data" 2 "b3" "truncated: header says 12 data bytes, file holds 6"
put b4 "01000803 00000003 00000002 00000002 $IMG_DATA"; config b4 lab.idx; eval_expect "wrong magic" 2 "b4" "bad magic"
put b5 "00000d03 00000003 00000002 00000002 $IMG_DATA"; config b5 lab.idx; eval_expect "float dtype" 2 "b5" "type 0x0d not supported"
put b6 "00000803 ffffffff ffffffff 00000002"; config b6 lab.idx; eval_expect "dims overflow" 2 "b6" "dimensions overflow"
put b7 "00000805 00000001"; config b7 lab.idx; eval_expect "5 dimensions" 2 "b7" "5 dimensions not supported"
put b8 "$IMG_HEAD $IMG_DATA 00"; config b8 lab.idx; eval_expect "trailing byte" 2 "b8" "1 trailing bytes"
head -c 20 "$T/img.idx.gz" > "$T/b9.gz"; config b9.gz lab.idx; eval_expect "gzip cut short" 2 "b9.gz" "gzip"
cp "$T/img.idx.gz" "$T/b10.gz"; sz=$(stat -c %s "$T/b10.gz")
printf '\x00\x00\x00\x00' | dd of="$T/b10.gz" bs=1 seek=$((sz - 8)) conv=notrunc status=none # CRC
config b10.gz lab.idx; eval_expect "gzip bad checksum" 2 "b10.gz" "gzip"
put l2 "00000801 00000002 0001"; config img.idx l2; eval_expect "label count mismatch" 2 "l2" "2 labels but" "holds 3 images"
put l3 "00000802 00000003 00000001 000102"; config img.idx l3; eval_expect "2-D labels" 2 "l3" "1-D label array"
config lab.idx lab.idx; eval_expect "labels as images" 2 "lab.idx" "n x rows x cols"
config missing lab.idx; eval_expect "missing file" 2 "missing" "cannot open"
config img.idx lab.idx ', "targets": "digits"'; eval_expect "unknown targets" 2 "data.targets" "digits"
config img.idx lab.idx ', "targets": "parity"'; eval_expect "parity needs 1 output" 2 "parity targets need 1 output"

# reproduce mnist-split with its data missing: exit 2 naming the file, before any training
cat > "$T/m.json" <<JSON
{"data": {"kind": "idx", "images": "nowhere-images", "labels": "nowhere-labels", "pca": 10, "targets": "parity"},
 "student": {"widths": [10, 10, 10, 10, 1], "activation": "sigmoid", "bias": true, "loss": "mse"}}
JSON
expect "reproduce mnist-split without data" 2 "nowhere-images: cannot open" -- \
  reproduce mnist-split --config "$T/m.json" --out "$T/rm"

finish
