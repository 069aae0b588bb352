#!/usr/bin/env bash
# Installs the Debian packages landsym needs; skips what is already present.
# Usage: scripts/setup.sh            (run as root, or with sudo available)
set -euo pipefail
pkgs=(build-essential cmake pkg-config
      libopenblas-dev liblapacke-dev
      libgmp-dev libmpfr-dev
      libsundials-dev libnlopt-dev
      libjansson-dev zlib1g-dev
      libopenmpi-dev openmpi-bin
      gnuplot-nox graphviz
      python3   # shell tests read JSON output with python3 (standard library only)
      python3-dev python3-cffi python3-numpy python3-pytest python3-pip
      python3-setuptools)  # the Python package (python/, tests/test_python.sh)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#pkgs[@]} packages present" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
