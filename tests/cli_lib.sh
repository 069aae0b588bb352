# Shared by the command-line tests (tests/test_*.sh). Source it with the test's arguments:
#   . "$(dirname "$0")/cli_lib.sh" "$@"
# $1 = landsym binary, $2 = source directory. Sets BIN, SRC, a scratch directory T (removed on
# exit), the PASS/FAIL counters and the helpers below; a test ends with `finish`.
set -u
BIN=$1
SRC=${2:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/landsym_test.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $1"; fail=$((fail + 1)); }
# check DESCRIPTION COMMAND...: PASS when the command succeeds.
check() {
  local d=$1
  shift
  if "$@"; then ok "$d"; else ko "$d"; fi
}
# flag FLAG MESSAGE: PASS when FLAG is 1 (for `flag $(cond && echo 1) "message"`; a failed
# condition leaves FLAG empty and MESSAGE in its place).
flag() {
  if [ $# -ge 2 ] && [ "$1" = 1 ]; then ok "$2"; else ko "${2:-$1}"; fi
}
# status CODE MESSAGE: PASS when CODE (usually $?) is 0.
status() {
  if [ "$1" = 0 ]; then ok "$2"; else ko "$2"; fi
}
# eq GOT WANT MESSAGE: PASS when the two strings are equal.
eq() {
  [ "$1" = "$2" ]
  status $? "$3 (got '$1', want '$2')"
}
# expect NAME CODE NEEDLE... -- ARGS...: `landsym ARGS` exits with CODE and its stderr holds
# every NEEDLE (and is not empty when CODE is not 0: a failure always says why).
expect() {
  local name=$1 code=$2
  shift 2
  local needles=()
  while [ "$1" != "--" ]; do needles+=("$1"); shift; done
  shift
  local out rc good=1 n
  out=$("$BIN" "$@" 2>&1 >/dev/null)
  rc=$?
  [ "$rc" -eq "$code" ] || good=0
  [ "$code" -eq 0 ] || [ -n "$out" ] || good=0
  for n in "${needles[@]}"; do [[ "$out" == *"$n"* ]] || good=0; done
  if [ $good = 1 ]; then ok "$name (exit $rc: $out)"
  else ko "$name: exit $rc, want $code and '${needles[*]}', got: $out"; fi
}
# num FILE.json PYTHON-SUBSCRIPT: print a field, e.g. num r.json "['loss']".
num() { python3 -c "import json; d=json.load(open('$1')); print(d$2)"; }
# lt A B: true when A < B as floating-point numbers.
lt() { python3 -c "import sys; sys.exit(0 if float('$1') < float('$2') else 1)"; }
# A test in which no check ran has not passed.
finish() {
  echo "$pass passed, $fail failed"
  if [ $((pass + fail)) -eq 0 ]; then echo "FAIL: no check ran"; return 1; fi
  [ "$fail" -eq 0 ]
}
