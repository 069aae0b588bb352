#!/usr/bin/env bash
# landsym path: a short figure-2 run (ReLU, one pair and the cosine pair), a softplus run
# with a certified permutation point, outputs, and exit-2 rejections.
# $1 = landsym binary, $2 = source directory.
. "$(dirname "$0")/cli_lib.sh" "$@"
py() { python3 -c "$1"; }

"$BIN" path --help | grep -q "reproduce-fig2" && ok "--help" || ko "--help"

if "$BIN" path --config "$SRC/examples/fig2.json" --pair 0,1 --steps 25 --no-plot --out "$T/a" >/dev/null 2>&1; then
  ok "relu pair 0,1 runs"
else
  ko "relu pair 0,1 runs"
fi
py "
import json,csv
s=json.load(open('$T/a/summary.json'))['pairs'][0]
rows=list(csv.DictReader(open('$T/a/path_0_1.csv')))
assert len(rows)==53, len(rows)
assert abs(s['d_end']-1e-4*s['d0'])<1e-12*s['d0']
assert float(rows[-1]['loss'])==s['loss_start'] and abs(s['partner_loss']-s['loss_start'])<1e-14
# row 25 is d = 1e-4 d0, row 26 the exact end d = 0 (the merged, re-optimised network)
assert float(rows[25]['loss'])==s['loss_d_min'] and float(rows[26]['d'])==0
assert float(rows[26]['loss'])==s['loss_permutation_point'] and float(rows[26]['s'])==s['d0']
assert s['end_matches_merge'] and abs(s['loss_d_min']-s['loss_permutation_point'])<=1e-3*s['loss_permutation_point']
assert s['barrier']>=s['loss_permutation_point']-s['loss_start'] and s['barrier']>0
assert s['out_diff_end']<=1.01*s['out_bound']
" && ok "relu: 2*25+3 rows with the exact end d = 0, d_end = 1e-4 d0, loss there = merged loss, partner at start loss" || ko "relu summary"

# the partner file is the start with units 0 and 1 swapped (bitwise)
py "
import json,struct
def npy(p):
  b=open(p,'rb').read(); hl=struct.unpack('<H',b[8:10])[0]; d=b[10+hl:]
  return struct.unpack('<%dd'%(len(d)//8),d)
t=json.load(open('$SRC/examples/fig2.json'))['teacher']['params']
p=npy('$T/a/partner_0_1.npy')
sw=list(t); sw[0:2],sw[2:4]=t[2:4],t[0:2]; sw[10],sw[11]=t[11],t[10]; sw[15],sw[16]=t[16],t[15]
assert list(p)==sw, (p,sw)
" && ok "partner = start with units 0,1 swapped" || ko "partner swap"

"$BIN" path --config "$SRC/examples/fig2.json" --pairs cosine --steps 8 --out "$T/b" >/dev/null 2>&1 \
  && [ -s "$T/b/paths.png" ] && [ -s "$T/b/paths.svg" ] && [ -s "$T/b/paths.gp" ] && [ -s "$T/b/paths_full.dat" ] \
  && ok "cosine pair with figures" || ko "cosine pair with figures"
py "
import json,math
pr=json.load(open('$T/b/summary.json'))['pairs'][0]['pair']
t=json.load(open('$SRC/examples/fig2.json'))['teacher']['params']
v=[(t[2*i],t[2*i+1],t[10+i]) for i in range(5)]
c=lambda a,b: sum(x*y for x,y in zip(a,b))/math.sqrt(sum(x*x for x in a)*sum(y*y for y in b))
best=max(((i,j) for i in range(5) for j in range(i+1,5)), key=lambda p: c(v[p[0]],v[p[1]]))
assert list(best)==pr, (best,pr)
" && ok "cosine pair matches brute force" || ko "cosine pair"

# smooth toy: softplus teacher, permutation point certified critical
sed 's/"relu"/"softplus"/g; s/"n": 1000/"n": 150/' "$SRC/examples/fig2.json" > "$T/sp.json"
"$BIN" path --config "$T/sp.json" --pair 0,2 --steps 10 --maxeval 3000 --no-plot --out "$T/c" >/dev/null 2>&1 \
  && py "
import json
s=json.load(open('$T/c/summary.json'))['pairs'][0]
assert s['permutation_point_grad_inf']<1e-10, s
i=s['permutation_point_inertia']; assert i['neg']+i['zero']+i['pos']==21
" && ok "softplus: permutation point |grad| < 1e-10, inertia reported" || ko "softplus permutation point"

"$BIN" path --config "$SRC/examples/fig2.json" --pair 0,1 --steps 10 --lagrangian --no-plot --out "$T/d" >/dev/null 2>&1 \
  && py "
import json
s=json.load(open('$T/d/summary.json'))['pairs'][0]
assert s['d_end']<=1e-4*s['d0']*1.0000001, s
" && ok "lagrangian reaches dmin" || ko "lagrangian"

code() { "$BIN" path "$@" >/dev/null 2>&1; echo $?; }
[ "$(code --config "$SRC/examples/fig2.json" --pair 0,0 --out "$T/e")" = 2 ] && ok "pair 0,0 -> 2" || ko "pair 0,0"
[ "$(code --config "$SRC/examples/fig2.json" --pair 0,7 --out "$T/e")" = 2 ] && ok "pair 0,7 -> 2" || ko "pair 0,7"
[ "$(code --config "$SRC/examples/fig2.json" --out "$T/e")" = 2 ] && ok "no pair -> 2" || ko "no pair"
[ "$(code --config "$SRC/examples/fig2.json" --pair 0,1 --dmin 2 --out "$T/e")" = 2 ] && ok "dmin 2 -> 2" || ko "dmin"
[ "$(code --config "$SRC/examples/fig2.json" --pair 0,1 --out-bound -1 --out "$T/e")" = 2 ] && ok "out-bound -1 -> 2" || ko "out-bound"
[ "$(code --config /nonexistent.json --pair 0,1 --out "$T/e")" = 2 ] && ok "missing config -> 2" || ko "missing config"
[ ! -e "$T/e/summary.json" ] && ok "no partial files on failure" || ko "partial files"

finish
