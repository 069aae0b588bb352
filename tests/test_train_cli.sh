#!/usr/bin/env bash
# landsym train end to end: machine-precision convergence near the thesis teacher, output
# files, config section and flag precedence, bitwise reproducibility, bad input (exit 2),
# a diverging run (exit 1, best finite point kept). $1 = binary, $2 = source dir.
. "$(dirname "$0")/cli_lib.sh" "$@"
py() { python3 -c "$1"; }
field() { py "import json; print(json.load(open('$1'))['$2'])"; }

# teacher + 0.05 * deterministic perturbation as the starting point of a width-4 student
py "
import json, math
t=[0.6,0.5,-0.5,0.5,-0.2,-0.6,0.1,-0.6,1,-1,1,-1]
json.dump([v+0.05*math.sin(3.7*i+1) for i,v in enumerate(t)], open('$T/start.json','w'))"
"$BIN" train --config "$SRC/examples/thesis_teacher_self.json" --params "$T/start.json" \
  --method adam --max-iter 2000 --polish newton --out "$T/a" > "$T/a.stdout" 2> "$T/a.stderr"
flag $([ $? = 0 ] && echo 1) "train near the teacher exits 0"
flag $(py "import json; r=json.load(open('$T/a/result.json')); print(1 if r['loss']<1e-30 and r['grad_norm_inf']<1e-14 and r['converged'] else 0)") \
   "loss < 1e-30 and gradient < 1e-14: $(field "$T/a/result.json" loss), $(field "$T/a/result.json" grad_norm_inf)"
flag $(cmp -s "$T/a.stdout" <(cat "$T/a/result.json") && echo 1) "stdout is result.json"
for f in params.npy init.npy trajectory.npy trajectory.csv loss.dat loss.gp; do
  flag $([ -s "$T/a/$f" ] && echo 1) "wrote $f"
done
if command -v gnuplot > /dev/null; then
  flag $([ -s "$T/a/loss.png" ] && [ -s "$T/a/loss.svg" ] && echo 1) "loss curve drawn (png, svg)"
fi
flag $([ -z "$(ls "$T/a" | grep tmp)" ] && echo 1) "no temporary files left"
flag $(py "
import struct
b=open('$T/a/params.npy','rb').read(); hl=struct.unpack('<H',b[8:10])[0]; h=b[10:10+hl].decode()
print(1 if \"'shape': (12,)\" in h and len(b)==10+hl+96 else 0)") "params.npy holds 12 float64"
flag $(py "
rows=open('$T/a/trajectory.csv').read().strip().split('\n')
h=rows[0].split(','); body=[list(map(float,r.split(','))) for r in rows[1:]]
it=[r[1] for r in body]
print(1 if h[:5]==['phase','iteration','wall_s','loss','grad_norm_inf'] and len(h)==17 and 30<len(body)<200 and it==sorted(it) else 0)") \
   "trajectory.csv: header, 12 parameter columns, log-spaced rows"
flag $(py "
import json; r=json.load(open('$T/a/result.json')); p=r['phases']
print(1 if [q['name'] for q in p]==['adam','newton'] and p[0]['stop'] in ('switch','max_iter') and p[0]['iterations']<=2001 and r['stop']=='grad_tol' else 0)") \
   "phases adam (switch or 2000 steps) then newton, stop grad_tol"

# config "train" section, overridden by flags
py "
import json; c=json.load(open('$SRC/examples/thesis_toy.json'))
c['train']={'method':'gd','lr':0.1,'max_iter':10,'polish':'none'}
json.dump(c, open('$T/cfg.json','w'))"
"$BIN" train --config "$T/cfg.json" --seed 2 --out "$T/b" --no-plot > /dev/null 2>&1
flag $(py "import json; r=json.load(open('$T/b/result.json')); print(1 if r['options']['lr']==0.1 and r['iterations']==11 and r['phases'][0]['name']=='gd' else 0)") \
   "train section read (gd, lr 0.1, 10 steps)"
"$BIN" train --config "$T/cfg.json" --seed 2 --out "$T/c" --no-plot --lr 0.2 --max-iter 5 > /dev/null 2>&1
flag $(py "import json; r=json.load(open('$T/c/result.json')); print(1 if r['options']['lr']==0.2 and r['iterations']==6 else 0)") \
   "flags override the section (lr 0.2, 5 steps)"

# the thesis preset: Adam with lr 1e-4 then SLSQP (thesis section 6.2.1)
"$BIN" train --config "$SRC/examples/thesis_toy.json" --preset thesis --max-iter 20 --time-limit 2 \
  --out "$T/p" --no-plot > /dev/null 2>&1
flag $(py "import json; r=json.load(open('$T/p/result.json')); o=r['options']
print(1 if o['lr']==1e-4 and o['method']=='adam' and o['polish']=='slsqp' and r['phases'][0]['iterations']==21 else 0)") \
   "preset thesis: adam lr 1e-4, then slsqp"

# bitwise reproducibility of a full default run (adam + newton)
for k in 1 2; do
  "$BIN" train --config "$SRC/examples/thesis_toy.json" --seed 7 --max-iter 1000 --out "$T/r$k" --no-plot > /dev/null 2>&1
done
flag $(cmp -s "$T/r1/params.npy" "$T/r2/params.npy" && cmp -s "$T/r1/init.npy" "$T/r2/init.npy" && echo 1) "same config and seed: identical params.npy"
flag $(py "
import json; a=json.load(open('$T/r1/result.json')); b=json.load(open('$T/r2/result.json'))
print(1 if all(a[k]==b[k] for k in ('loss','grad_norm_inf','iterations','stop')) else 0)") "same loss, gradient, iterations, stop"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$BIN" train --config "$SRC/examples/thesis_toy.json" --seed 7 --max-iter 1000 --out "$T/r3" --no-plot > /dev/null 2>&1
OMP_NUM_THREADS=3 OPENBLAS_NUM_THREADS=3 "$BIN" train --config "$SRC/examples/thesis_toy.json" --seed 7 --max-iter 1000 --out "$T/r4" --no-plot > /dev/null 2>&1
flag $(cmp -s "$T/r1/params.npy" "$T/r3/params.npy" && cmp -s "$T/r3/params.npy" "$T/r4/params.npy" && echo 1) "identical params.npy with 1 and 3 threads"
flag $(py "
import csv
a=[r[:2]+r[3:] for r in csv.reader(open('$T/r1/trajectory.csv'))]; b=[r[:2]+r[3:] for r in csv.reader(open('$T/r2/trajectory.csv'))]
print(1 if a==b else 0)") "identical trajectories (apart from wall time)"

# bad input exits 2 with a message naming the problem
bad() { # expected-substring, args...
  local want=$1; shift
  "$BIN" train "$@" --out "$T/bad" > /dev/null 2> "$T/err"
  local rc=$?
  flag $([ $rc = 2 ] && grep -q -- "$want" "$T/err" && [ ! -e "$T/bad" ] && echo 1) "exit 2 ($rc) naming '$want': $(head -c 150 "$T/err")"
}
bad "lr" --config "$SRC/examples/thesis_toy.json" --lr -1
bad "lr" --config "$SRC/examples/thesis_toy.json" --lr abc
bad "method" --config "$SRC/examples/thesis_toy.json" --method sgd
bad "merge" --config "$SRC/examples/thesis_toy.json" --merge-lambda 1 --merge-i 0 --merge-j 9
bad "config" --seed 1
bad "nonexistent" --config "$T/nonexistent.json"
py "
import json; c=json.load(open('$SRC/examples/thesis_toy.json')); c['train']={'lrr':1}
json.dump(c, open('$T/typo.json','w'))"
bad "lrr" --config "$T/typo.json"

# newton+lm: Newton, then Levenberg-Marquardt from its point (MSE residuals); lm refuses penalties
"$BIN" train --config "$SRC/examples/thesis_teacher_self.json" --params "$T/start.json" \
  --method adam --max-iter 2000 --polish newton+lm --out "$T/lm" --no-plot > /dev/null 2>&1
flag $(py "import json; r=json.load(open('$T/lm/result.json')); print(1 if [p['name'] for p in r['phases']]==['adam','newton','lm'] and r['loss']<1e-30 and r['converged'] else 0)") \
   "newton+lm: phases adam, newton, lm; loss $(field "$T/lm/result.json" loss)"
bad "penalt" --config "$SRC/examples/thesis_toy.json" --polish lm --max-norm 5

# a diverging run: stops on NaN, exit 1, keeps the best finite point (the start)
"$BIN" train --config "$SRC/examples/thesis_toy.json" --seed 1 --method gd --lr 1e300 --polish none \
  --out "$T/nan" --no-plot > /dev/null 2> "$T/nan.err"
rc=$?
flag $([ $rc = 1 ] && [ "$(field "$T/nan/result.json" stop)" = nan ] && cmp -s "$T/nan/params.npy" "$T/nan/init.npy" && echo 1) \
   "NaN run: exit $rc, stop nan, params = best finite point ($(tail -c 120 "$T/nan.err"))"

"$BIN" train --help > "$T/help" 2>&1
flag $([ $? = 0 ] && grep -q -- "--switch-grad-tol" "$T/help" && echo 1) "--help lists the training flags"

finish
