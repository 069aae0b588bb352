# The kernels of the hot loops agree: loss, gradient and Hessian of the problems of
# kernel_dump.c from each kernel this CPU has, against the baseline kernel. Bounds: loss
# within 1e-13 relative, gradient and Hessian within 1e-12 of their largest entry (the
# kernels differ only in FMA contraction and vector-sum order; docs/reliability.md).
# $1 $2 $3 = kernel_dump built for default, x86-64-v3, x86-64-v4. Skipped (77) when the
# CPU has only the baseline.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/landsym_kernel.XXXXXX")
trap 'rm -rf "$T"' EXIT
have=()
for b in "$@"; do
  k=$(basename "$b"); k=${k#kernel_dump_kernel_}
  "$b" > "$T/$k" 2>&1
  rc=$?
  if [ $rc = 77 ]; then echo "SKIP: kernel $k: $(tail -1 "$T/$k")"; continue; fi
  if [ $rc != 0 ]; then echo "FAIL: kernel $k: exit $rc: $(tail -3 "$T/$k")"; exit 1; fi
  have+=("$k")
done
if [ ${#have[@]} -lt 2 ]; then echo "SKIP: only the ${have[*]} kernel runs on this CPU"; exit 77; fi
python3 - "$T" "${have[@]}" <<'PY'
import sys
d, ks = sys.argv[1], sys.argv[2:]
def load(k):
    out = {}
    for line in open(f"{d}/{k}"):
        f = line.split()
        if len(f) >= 3 and f[1] in ("loss", "grad", "hess"):
            out[(f[0], f[1])] = [float.fromhex(x) for x in f[2:]]
    return out
ref = load(ks[0])
bound = {"loss": 1e-13, "grad": 1e-12, "hess": 1e-12}
fail = 0
for k in ks[1:]:
    got = load(k)
    for q in ("loss", "grad", "hess"):
        keys = [key for key in ref if key[1] == q]
        worst, where, same = 0.0, "", 0
        for key in keys:
            a, b = ref[key], got.get(key)
            if b is None or len(a) != len(b):
                print(f"FAIL: {k}: {key[0]} {q} missing or of another length"); fail += 1; continue
            scale = max(max(abs(x) for x in a), 1e-300)
            e = max(abs(x - y) for x, y in zip(a, b)) / scale
            same += a == b
            if e > worst: worst, where = e, key[0]
        ok = len(keys) > 0 and worst <= bound[q]
        fail += not ok
        print(f"{'PASS' if ok else 'FAIL'}: {k} vs {ks[0]}: {q} of {len(keys)} problems within "
              f"{bound[q]:g} (worst {worst:.2e} at {where or '-'}; {same} bitwise equal)")
print(f"{3 * (len(ks) - 1) - fail} passed, {fail} failed")
sys.exit(1 if fail else 0)
PY
