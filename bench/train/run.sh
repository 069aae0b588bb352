#!/usr/bin/env bash
# Training benchmark: the thesis protocol (Stoican 2022, section 6.2: width-5 student on
# the 2-4-1 sigmoid teacher and the 41x41 grid) over N seeds, landsym against PyTorch Adam
# + SciPy SLSQP (the thesis's own stack) and against JAX (Adam + exact-Hessian Newton),
# all from the same Glorot initial points and with the same rule: Adam (lr 1e-2) until the
# gradient infinity-norm is below 1e-3, then second-order polishing; converged when the
# gradient infinity-norm is < 1e-12, given up at the time limit. Every stack runs on one
# thread. landsym runs its default polishing (auto): Levenberg-Marquardt from the Adam point
# at gradient 1e-2, and when that does not converge, Adam to 1e-3 then LBFGS + Newton from
# the initial point; the former default (Adam to 1e-3, LBFGS + Newton) is a row of its own.
# Prints, per stack, the median time to convergence and the fraction of seeds converged.
#
# A second PyTorch + SciPy row uses the thesis's own Adam learning rate (1e-4, section
# 6.2.1) on the first BENCH_THESIS_SEEDS seeds, against landsym's default run.
#
# Timing is like for like: every stack's time is its in-process training time, after
# start-up, imports and data set-up (landsym: result.json's wall_s and cpu_s; the Python
# stacks: perf_counter and process_time around the training loop). landsym's whole-process
# time (start-up, config, data, output files with fsync) is printed beside it.
#
# usage: bench/train/run.sh   (env: BENCH_SEEDS=20, BENCH_TIME_LIMIT=30 seconds,
#                                   BENCH_THESIS_SEEDS=10, 0 to skip that row,
#                                   BENCH_VENV=bench/.venv: the Python environment)
# Python packages live only in BENCH_VENV (created there if missing); if they cannot be
# installed, landsym's numbers are reported alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${BENCH_SEEDS:-20}
TL=${BENCH_TIME_LIMIT:-30}
NT=${BENCH_THESIS_SEEDS:-10}
TOL=1e-12 LR=1e-2 SWITCH=1e-3
CFG=examples/thesis_toy.json

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j2 > /dev/null
BIN=build/landsym

VENV=${BENCH_VENV:-bench/.venv}
PY=$VENV/bin/python
if [ ! -x "$PY" ]; then python3 -m venv "$VENV" > /dev/null 2>&1 || true; fi
if [ -x "$PY" ]; then
  for pkg in numpy scipy torch jax; do
    "$PY" -c "import $pkg" 2> /dev/null || "$PY" -m pip install -q "$pkg" > /dev/null 2>&1 ||
      echo "bench: could not install $pkg into $VENV" >&2
  done
fi

# one thread everywhere: landsym (OpenMP, OpenBLAS), PyTorch (set in baselines.py), JAX/XLA
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
RUN=$(mktemp -d)
trap 'rm -rf "$RUN"' EXIT
SEEDS=$(seq -s, 1 "$N")
echo "thesis protocol: width-5 student, $N seeds, gradient inf-norm < $TOL or $TL s" >&2

# landsym: the same Adam settings with the default polishing (auto); the former default
# (lbfgs+newton); the gradient flow (CVODE) then auto, close to what MLPGradientFlow.jl
# does. time/cpu = the training as landsym
# reports it (result.json wall_s, cpu_s); proc_time/proc_cpu = the whole process (start,
# config, data, training, output files), wall and CPU (user + system) seconds.
for variant in adam lbfgs flow; do
  method=$variant polish=auto
  if [ "$variant" = lbfgs ]; then method=adam polish=lbfgs+newton; fi
  for s in $(seq 1 "$N"); do
    echo "$s"
  done | python3 -c "
import json, resource, subprocess, sys, time
for line in sys.stdin:
    s = int(line)
    out = '$RUN/$variant/%d' % s
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.perf_counter()
    subprocess.run(['$BIN', 'train', '--config', '$CFG', '--seed', str(s), '--method', '$method',
                    '--lr', '$LR', '--switch-grad-tol', '$SWITCH', '--polish', '$polish',
                    '--grad-tol', '$TOL', '--time-limit', '$TL', '--max-iter', '100000000',
                    '--out', out, '--no-plot', '--quiet'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t1 = time.perf_counter(); r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    r = json.load(open(out + '/result.json'))
    print(json.dumps({'stack': 'landsym', 'seed': s, 'converged': r['stop'] == 'grad_tol',
                      'time': r['wall_s'], 'cpu': r['cpu_s'], 'proc_time': t1 - t0, 'proc_cpu': cpu,
                      'loss': r['loss'], 'grad': r['grad_norm_inf'],
                      'phases': [(p['name'], p['iterations'], p['wall_s']) for p in r['phases']]}))
" > "$RUN/landsym-$variant.jsonl"
done

for stack in torch jax; do
  : > "$RUN/$stack.jsonl"
  if [ -x "$PY" ] && "$PY" -c "import numpy, scipy, $stack" 2> /dev/null; then
    "$PY" bench/train/baselines.py "$stack" "$RUN/adam" "$SEEDS" "$TOL" "$TL" "$LR" "$SWITCH" \
      > "$RUN/$stack.jsonl" 2> "$RUN/$stack.err" || echo "bench: $stack baseline failed: $(tail -3 "$RUN/$stack.err")" >&2
  else
    echo "bench: $stack not available in $VENV; skipped" >&2
  fi
done

: > "$RUN/torch-thesis.jsonl"
if [ "$NT" -gt 0 ] && [ -x "$PY" ] && "$PY" -c "import numpy, scipy, torch" 2> /dev/null; then
  "$PY" bench/train/baselines.py torch "$RUN/adam" "$(seq -s, 1 "$NT")" "$TOL" "$TL" 1e-4 "$SWITCH" \
    > "$RUN/torch-thesis.jsonl" 2> "$RUN/torch-thesis.err" || echo "bench: thesis-lr baseline failed" >&2
fi

python3 - "$RUN" "$N" "$TL" <<'PY'
import json, statistics, sys, os
run, n, tl = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rows = {}
for f in ["landsym-adam", "landsym-lbfgs", "landsym-flow", "torch", "jax", "torch-thesis"]:
    p = os.path.join(run, f + ".jsonl")
    recs = [json.loads(l) for l in open(p) if l.strip()] if os.path.exists(p) else []
    if recs:
        rows[f] = recs
names = {"landsym-adam": "landsym adam+auto", "landsym-lbfgs": "landsym adam+lbfgs+newton",
         "landsym-flow": "landsym flow+auto",
         "torch": "PyTorch Adam + SciPy SLSQP", "jax": "JAX Adam + Newton",
         "torch-thesis": "PyTorch+SciPy, thesis lr 1e-4"}
INF = float("inf")
def med(r, key, conv_only=False):
    # median time to convergence; a seed that did not converge counts as never (inf)
    ts = [x[key] if x["converged"] else INF for x in r if x["converged"] or not conv_only]
    return statistics.median(ts) if ts else INF
def fmt(x):
    return "   never" if x == INF else f"{x:8.4f}"
print("median time to convergence in seconds (seeds that never converge count as infinite);")
print("in-process training time for every stack; landsym's whole process in its own table below")
print("(converged seeds split by the loss reached: global minimum < 1e-20, local minimum above)")
print(f"{'stack':28s} {'converged':>9s} {'global/local':>12s} {'wall':>8s} {'cpu':>8s}   {'converged seeds only: wall':>26s} {'cpu':>8s}")
for k, r in rows.items():
    c = sum(x["converged"] for x in r)
    g = sum(x["converged"] and x["loss"] < 1e-20 for x in r)
    print(f"{names[k]:28s} {c:3d}/{len(r):<5d} {g:6d}/{c - g:<5d} {fmt(med(r,'time'))} {fmt(med(r,'cpu'))}   {fmt(med(r,'time',1)):>26s} {fmt(med(r,'cpu',1))}")
def ratio(a, b):
    if a == INF: return "n/a (landsym median not reached)"
    if b == INF: return f"> {tl / a:.0f}x (baseline median not reached within {tl:g} s)"
    return f"{b / a:.0f}x"
for lk in ["landsym-adam", "landsym-lbfgs"]:
    for base in ["torch", "jax"]:
        if lk in rows and base in rows:
            L, B = rows[lk], rows[base]
            print(f"{names[lk]} vs {names[base]}: wall {ratio(med(L,'time'), med(B,'time'))}, "
                  f"cpu {ratio(med(L,'cpu'), med(B,'cpu'))}")
if "landsym-adam" in rows and "torch-thesis" in rows:
    B = rows["torch-thesis"]
    L = [x for x in rows["landsym-adam"] if x["seed"] <= len(B)]
    print(f"{names['landsym-adam']} vs PyTorch+SciPy with the thesis's lr 1e-4 (seeds 1-{len(B)}): "
          f"wall {ratio(med(L,'time'), med(B,'time'))}, cpu {ratio(med(L,'cpu'), med(B,'cpu'))}")
print("\nlandsym, whole process (start-up, config, data, training, outputs with fsync):")
for k in ["landsym-adam", "landsym-lbfgs", "landsym-flow"]:
    if k in rows:
        r = rows[k]
        print(f"{names[k]:28s} wall {fmt(med(r,'proc_time'))} cpu {fmt(med(r,'proc_cpu'))}")
        for base in ["torch", "jax"]:
            if base in rows:
                print(f"  vs {names[base]} (its in-process time): wall {ratio(med(r,'proc_time'), med(rows[base],'time'))}, "
                      f"cpu {ratio(med(r,'proc_cpu'), med(rows[base],'cpu'))}")
print("\nper seed (converged, wall s, cpu s, final gradient inf-norm, final loss):")
for k, r in rows.items():
    print(f"  {names[k]}:")
    print("    " + "  ".join(f"{x['seed']}:{'y' if x['converged'] else 'n'}/{x['time']:.3g}/{x['cpu']:.3g}/{x['grad']:.0e}/{x['loss']:.0e}" for x in r))
if "landsym-adam" in rows:
    print("\nlandsym adam+auto phases per seed (name, iterations, wall ms):")
    for x in rows["landsym-adam"]:
        print(f"  {x['seed']}: " + ", ".join(f"{n} {i} {1e3 * t:.2f}" for n, i, t in x["phases"]))
PY
