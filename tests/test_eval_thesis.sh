#!/usr/bin/env bash
# landsym eval on the thesis examples: the teacher as its own student is an exact global
# minimum (loss 0, gradient 0); the JSON output parses and has the promised fields;
# --params files give the same numbers as the built-in seeds. $1 = binary, $2 = source dir.
. "$(dirname "$0")/cli_lib.sh" "$@"
# field FILE KEY: print a JSON field with python3 when available, else with sed
field() { python3 -c "import json,sys; v=json.load(open('$1'))['$2']; print(repr(v) if isinstance(v,float) else v)"; }

"$BIN" eval --config "$SRC/examples/thesis_teacher_self.json" --params teacher --json > "$T/self.json"
flag $([ $? = 0 ] && echo 1) "eval teacher-as-student exits 0"
flag $([ "$(field "$T/self.json" loss)" = "0.0" ] && echo 1) "loss is exactly 0.0 ($(field "$T/self.json" loss))"
flag $([ "$(field "$T/self.json" grad_norm)" = "0.0" ] && echo 1) "grad_norm is exactly 0.0"
flag $([ "$(field "$T/self.json" n_samples)" = "1681" ] && echo 1) "1681 grid samples"
flag $(python3 -c "import json; g=json.load(open('$T/self.json'))['grad']; print(1 if len(g)==12 and all(v==0 for v in g) else 0)") \
   "grad has 12 zero entries"

# Glorot student from a seed, written to .npy by nobody but recomputed: seed 3 twice gives
# identical output; seed 4 differs
"$BIN" eval --config "$SRC/examples/thesis_toy.json" --seed 3 --json > "$T/a.json"
"$BIN" eval --config "$SRC/examples/thesis_toy.json" --seed 3 --json > "$T/b.json"
"$BIN" eval --config "$SRC/examples/thesis_toy.json" --seed 4 --json > "$T/c.json"
flag $(cmp -s "$T/a.json" "$T/b.json" && ! cmp -s "$T/a.json" "$T/c.json" && echo 1) "seeded evaluation reproducible, seed-dependent"
# the gradient norm is the 2-norm of the printed gradient
flag $(python3 -c "
import json, math
o = json.load(open('$T/a.json'))
g = o['grad']
print(1 if abs(math.sqrt(sum(v*v for v in g)) - o['grad_norm']) <= 1e-15 * o['grad_norm']
      and max(abs(v) for v in g) == o['grad_norm_inf'] and o['loss'] > 0 else 0)") "grad_norm = |grad|_2, grad_norm_inf = |grad|_inf"

# the memory statement: data n (din + dout) doubles, --hessian 3 P^2 doubles and the index
# arrays (24 P^2 + 68 P bytes), train at least the workspace
flag $(python3 -c "
import json
m = json.load(open('$T/a.json'))['memory']; P = 15; n = 1681
print(1 if m['data_bytes'] == n * 3 * 8 and m['hessian_bytes'] == 24 * P * P + 68 * P
      and m['train_bytes'] > m['workspace_bytes'] > 0 and m['train_peak_phase'] else 0)") \
   "eval states the memory of data, workspace, --hessian and train"

# --params with a .json file holding the teacher reproduces loss 0
echo '{"params": [0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1]}' > "$T/p.json"
"$BIN" eval --config "$SRC/examples/thesis_teacher_self.json" --params "$T/p.json" --json > "$T/p.out"
flag $([ "$(field "$T/p.out" loss)" = "0.0" ] && echo 1) "--params p.json with the teacher weights: loss 0"
# a permuted teacher (swap hidden neurons 1 and 3) is also an exact global minimum
echo '[-0.2, -0.6, -0.5, 0.5, 0.6, 0.5, 0.1, -0.6, 1, -1, 1, -1]' > "$T/perm.json"
"$BIN" eval --config "$SRC/examples/thesis_teacher_self.json" --params "$T/perm.json" --json > "$T/perm.out"
flag $(python3 -c "
import json; o=json.load(open('$T/perm.out')); print(1 if o['loss'] < 1e-30 and o['grad_norm'] < 1e-15 else 0)") \
   "permuted teacher: loss $(field "$T/perm.out" loss) grad_norm $(field "$T/perm.out" grad_norm)"
# wrong length params file
echo '[1, 2, 3]' > "$T/short.json"
"$BIN" eval --config "$SRC/examples/thesis_toy.json" --params "$T/short.json" 2> "$T/err" >/dev/null
rc=$?
flag $([ $rc = 2 ] && grep -q "short.json: 3 parameters, network 2-5-1" "$T/err" && echo 1) "wrong-length params: exit 2 ($(cat "$T/err"))"

# every example loads and evaluates (the MNIST examples, which need data that
# scripts/setup_mnist.sh installs, are evaluated by tests/test_mnist_cli.sh)
for f in "$SRC"/examples/*.json; do
  case "$(basename "$f")" in mnist_*|fashion_*) continue ;; esac
  "$BIN" eval --config "$f" --json > "$T/ex.json" 2> "$T/ex.err"
  flag $([ $? = 0 ] && python3 -c "import json; json.load(open('$T/ex.json'))" && echo 1) "example $(basename "$f") evaluates ($(cat "$T/ex.err"))"
done

finish
