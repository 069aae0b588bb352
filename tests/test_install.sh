#!/usr/bin/env bash
# Install rules and pkg-config file: install into a temporary prefix, then build and run
# a small C program against the installed library with `pkg-config --cflags --libs landsym`.
# $1 = landsym binary (its folder is the build tree), $2 = source directory.
set -u
BUILD=$(dirname "$1")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { if "$@" >"$T/log" 2>&1; then echo "PASS: ${DESC}"; else echo "FAIL: ${DESC}"; cat "$T/log"; fails=$((fails + 1)); fi; }

DESC="cmake --install into a fresh prefix"
check cmake --install "$BUILD" --prefix "$T/prefix"
cat >"$T/use.c" <<'C'
#include <stdio.h>
#include <landsym/engine.h>
int main(void) {
  int widths[3] = {2, 3, 1};
  ls_act act = {LS_ACT_TANH, 0, 0};
  ls_net net;
  if (ls_net_init(&net, 2, widths, act, 1, NULL) != LS_OK) return 1;
  printf("%zu\n", ls_net_nparams(&net));
  return ls_net_nparams(&net) == 13 ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig:$T/prefix/lib64/pkgconfig"
DESC="compile and link against the installed library via pkg-config"
check sh -c "cc '$T/use.c' \$(pkg-config --cflags --libs landsym) -o '$T/use'"
DESC="the program runs with the installed shared library (2-3-1 net with biases has 13 parameters)"
check env LD_LIBRARY_PATH="$T/prefix/lib:$T/prefix/lib64" "$T/use"
echo "$((3 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
