#!/usr/bin/env bash
# landsym count from the command line: values printed in full, tables, JSON, figures, and
# bad arguments exiting 2 with a message. Usage: test_count_cli.sh LANDSYM SRCDIR
. "$(dirname "$0")/cli_lib.sh" "$@"
L=$BIN
tmp=$T

eq "$($L count T 2 3)" 12 "count T 2 3 (figure 4b)"
eq "$($L count T 3 4)" 60 "count T 3 4 (figure 4c)"
eq "$($L count G 3 4)" 36 "count G 3 4"
eq "$($L count g 10)" 115975 "count g 10 = Bell(10)"
eq "$($L count T 3,3 4,4)" 3600 "count T over two layers = 60^2"
eq "$($L count G 2,3 3,4)" 216 "count G over two layers = 6*36"
# full precision: 30! printed in full
eq "$($L count T 30 30)" 265252859812191058636308480000000 "T(30,30) = 30! printed in full"
eq "$($L count enumerate 3 4 --count 2>/dev/null)" 60 "enumerate 3 4 --count"
eq "$($L count enumerate 2 3 2>/dev/null | head -1)" "1,1,2" "enumerate lists labelled patterns"
eq "$($L count T 2 2:5 | tail -1)" "2,5,320" "CSV table over m"
eq "$($L count T 2 2:8:3 | wc -l)" 4 "CSV table with a step"
[ "$($L count T 1000 2000 | tr -d '\n' | wc -c)" -eq 5924 ]; status $? "T(1000,2000) has 5924 digits"
eq "$($L count R 30 31:40 --csv | head -1)" "m,R_1,R_2,R_3,R_4,R_5,total" "R table header"
$L count R 30 31 --digits 30 | grep -q "^R_1 = 6.64583333333333333333333333333e+00"; status $? "R_1(30,31) = 319/48 to 30 digits"
$L count brea 2 5 | grep -q "T_B(K,n) = G(n-K,n)/n! = 5/4"; status $? "Brea T(K=2,n=5) = 5/4 exactly"
$L count graph 3 2>&1 >/dev/null | grep -q "60 subspaces (24 blue, 36 green), 72 edges, blue degree 3..3, green degree 2..2, 1 connected"
status $? "graph r=3: figure 4(c) statistics"
[ "$($L count graph 3 2>/dev/null | grep -c -- ' -- ')" = 72 ]; status $? "DOT export has 72 edges"
$L count graph 2 --format graphml --output "$tmp/g.graphml" 2>/dev/null && grep -q "<graphml" "$tmp/g.graphml"
status $? "GraphML export to a file"
if command -v python3 >/dev/null; then
  for c in "T 3 4 --json --asym" "G 3,3 4,5 --json" "T 2 2:4 --json" "g 5 --json" "R 10 12 --json" \
           "R 10 11:13 --json" "brea 2 5,6 --json" "enumerate 2 3 --json"; do
    $L count $c 2>/dev/null | python3 -c "import json,sys; json.load(sys.stdin)"; status $? "valid JSON: count $c"
  done
  eq "$($L count T 3 4 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"])')" 60 "JSON value"
fi
for s in "" G T g R brea enumerate graph fig6 fig4c; do
  $L count $s --help >/dev/null; status $? "count $s --help exits 0"
done

# bad arguments: exit 2 and a message naming the problem
bad() { # expected-substring args...
  local want="$1"; shift
  out=$($L count "$@" 2>&1 >/dev/null); rc=$?
  [ $rc = 2 ] && echo "$out" | grep -q -- "$want"; status $? "count $* -> exit 2 ($out)"
}
bad "must not exceed" T 5 3
bad "must not exceed" G 5 3
bad "must be >= 1" T -1 3
bad "must be >= 1" G 0 3
bad "must be an integer" T 3 four
bad "must be an integer" T 3.5 4
bad "must be an integer" g x
bad "must be >= 0" g -2
bad "out of range" T 3 99999999999999999999
bad "memory limit" T 1000 100000000
bad "memory limit" G 1000 900000000
bad "memory limit" T 10 2000 --max-mem 1
bad "expected 2 arguments" T 3
bad "unknown option" T 3 4 --bogus
bad "unknown subcommand" nosuch 1 2
bad "M (5) must be >= RSTAR" R 10 5
bad "--k must lie" R 10 12 --k 10
bad "--weights" R 10 12 --weights abc
bad "must exceed K" brea 3 3
bad "too large for the brute-force" enumerate 2 9
bad "must not exceed" enumerate 4 3
bad "--format must be" graph 3 --format png
bad "too large for the brute-force graph" graph 7
bad "widths R but" T 3,3 4
bad "empty range" T 2 9:3

# figures
if command -v gnuplot >/dev/null; then
  $L count fig6 --out "$tmp/f6" 2>/dev/null && [ -s "$tmp/f6/fig6.png" ] && [ -s "$tmp/f6/fig6.svg" ] \
    && [ "$(grep -vc '^#' "$tmp/f6/fig6.dat")" = 970 ] && [ -s "$tmp/f6/fig6.gp" ]
  status $? "fig6 writes .dat (970 rows), .gp, .png, .svg"
  ! ls -a "$tmp/f6" | grep -q tmp; status $? "fig6 leaves no temporary files"
fi
if command -v neato >/dev/null; then
  $L count fig4c --out "$tmp/f4" 2>/dev/null && [ -s "$tmp/f4/fig4c.png" ] && [ -s "$tmp/f4/fig4c.svg" ] \
    && [ -s "$tmp/f4/fig4c.dot" ] && [ -s "$tmp/f4/fig4c.graphml" ]
  status $? "fig4c writes .dot, .graphml, .png, .svg"
fi
finish
