#!/usr/bin/env bash
# landsym eval --hessian against independent truth: the trace of the Hessian (sum of the
# printed eigenvalues) equals the sum of second differences of the loss computed by
# `landsym eval` itself at shifted parameters; eigenvalues come ascending; at a global
# minimum (the thesis teacher embedded in a width-5 student with a silent neuron) the
# spectrum is positive semi-definite with the two flat directions of the silent neuron's
# incoming weights. $1 = binary, $2 = source dir.
. "$(dirname "$0")/cli_lib.sh" "$@"

CFG="$SRC/examples/thesis_toy.json"
"$BIN" eval --config "$CFG" --seed 2 --hessian --json > "$T/h.json"
flag $([ $? = 0 ] && echo 1) "eval --hessian exits 0"
# ascending order on the Glorot point of seed 2; trace at explicit parameters theta by
# 2nd-order central differences: write theta +- h e_i as .json files and evaluate each
python3 - "$BIN" "$CFG" "$T" <<'PY'
import json, subprocess, sys
binp, cfg, t = sys.argv[1:4]
o = json.load(open(t + "/h.json"))
ev = o["hessian_eigenvalues"]
theta = [0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, 0.2, -0.1, -0.5, 0.9, -0.7, 0.4, 0.3, -0.8]
def ev_at(th, hess=False):
    p = t + "/p.json"
    json.dump(th, open(p, "w"))
    args = [binp, "eval", "--config", cfg, "--params", p, "--json"] + (["--hessian"] if hess else [])
    return json.loads(subprocess.check_output(args))
base = ev_at(theta, True)
lam = base["hessian_eigenvalues"]
h = 1e-4
tr = 0.0
for i in range(len(theta)):
    tp = list(theta); tp[i] += h
    tm = list(theta); tm[i] -= h
    tr += (ev_at(tp)["loss"] - 2 * base["loss"] + ev_at(tm)["loss"]) / h**2
err = abs(sum(lam) - tr) / max(1.0, abs(tr))
print("trace: sum of eigenvalues %.12f, finite differences %.12f, rel err %.1e" % (sum(lam), tr, err))
open(t + "/trace_ok", "w").write("1" if err < 1e-6 else "0")
asc = all(a <= b for a, b in zip(ev, ev[1:])) and len(ev) == 15
open(t + "/asc_ok", "w").write("1" if asc else "0")
PY
flag "$(cat "$T/trace_ok" 2>/dev/null)" "trace of the Hessian = sum of second differences of the loss"
flag "$(cat "$T/asc_ok" 2>/dev/null)" "15 eigenvalues in ascending order"

# global minimum: teacher neurons 1-4 plus a silent neuron 5 (incoming 0, outgoing 0)
echo '[0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 0, 0, 1, -1, 1, -1, 0]' > "$T/emb.json"
"$BIN" eval --config "$CFG" --params "$T/emb.json" --hessian --json > "$T/emb.out"
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
o = json.load(open(t + "/emb.out"))
ev = o["hessian_eigenvalues"]
flat = sum(1 for v in ev if abs(v) < 1e-12)
print("embedded teacher: loss %g, grad_norm %g, eigenvalues %s" % (o["loss"], o["grad_norm"], " ".join("%.3g" % v for v in ev)))
good = o["loss"] == 0.0 and o["grad_norm"] == 0.0 and min(ev) > -1e-12 and flat == 2 and ev[2] > 1e-8
open(t + "/emb_ok", "w").write("1" if good else "0")
PY
flag "$(cat "$T/emb_ok" 2>/dev/null)" "silent-neuron embedding of the teacher: loss 0, grad 0, PSD with exactly 2 flat directions (the third eigenvalue is 1e-6: the thesis teacher is ill-conditioned)"

finish
