#!/usr/bin/env bash
# The Python package (python/, docs/python.md): pip-installs it with the Debian python3 into
# BUILD/python/site against the library already built in BUILD (liblandsym.so), then runs
# its pytest suite (python/tests). Skipped (exit 77) when python3-cffi, python3-numpy or
# python3-pytest is missing, or in a sanitizer build (the interpreter is not instrumented).
# $1 = landsym binary (its folder is the build tree), $2 = source directory.
set -u
BUILD=$(cd "$(dirname "$1")" && pwd)
SRC=$(cd "$2" && pwd)
PY=${LANDSYM_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
if grep -q '^LANDSYM_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: sanitizer build (the Python interpreter is not instrumented)"
  exit 77
fi
for m in cffi numpy pytest pip setuptools; do
  if ! "$PY" -c "import $m" 2>/dev/null; then
    echo "SKIP: $PY has no module $m (scripts/setup.sh installs python3-$m)"
    exit 77
  fi
done
if [ ! -e "$BUILD/liblandsym.so" ]; then
  echo "FAIL: $BUILD/liblandsym.so not built (cmake --build build --target landsym_shared)"
  exit 1
fi
# Build from a copy, so that the checkout's python/ stays clean; one run at a time.
WORK="$BUILD/python"
mkdir -p "$WORK"
exec 9>"$WORK/.lock"
flock 9
rm -rf "$WORK/src" "$WORK/site"
cp -r "$SRC/python" "$WORK/src"
rm -rf "$WORK/src/build" "$WORK/src/"*.egg-info
if ! LANDSYM_ROOT="$SRC" LANDSYM_BUILD_DIR="$BUILD" "$PY" -m pip install --quiet \
    --no-build-isolation --no-deps --no-index --target "$WORK/site" "$WORK/src" \
    >"$WORK/pip.log" 2>&1; then
  echo "FAIL: pip install ./python"
  cat "$WORK/pip.log"
  exit 1
fi
echo "PASS: pip install ./python into $WORK/site"
cd "$SRC"
PYTHONPATH="$WORK/site" LANDSYM_BIN="$1" PYTHONDONTWRITEBYTECODE=1 \
  "$PY" -m pytest -q -rs -p no:cacheprovider "$SRC/python/tests"
