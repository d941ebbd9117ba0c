#!/usr/bin/env bash
# Installs what multitask-lm needs on this machine and says what it did; a no-op when all is there.
#   1. libtorch: TORCH_DIR, a Python torch, or Debian's libtorch-dev (installed with apt-get when
#      nothing is found and we are root on Debian).
#   2. npm packages (`npm ci` when node_modules is missing or older than package-lock.json; not when
#      node_modules is a link to another checkout's, which npm ci would empty).
#   3. Gloo's headers (Debian: libgloo-dev) for data-parallel training, when we are root on Debian.
#   4. the native addon (native/build.mjs rebuilds it when missing or older than its sources).
# With --test it also installs the reference tools the test suite calls: Debian's python3-torch
# (same libtorch; fixtures and file-format checks), python3-sklearn (metric references) and
# python3-onnx (ONNX's checker for exported models), and Debian's chromium (headless; it renders mtl
# report's page in tests) where we are root on Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "[setup] $*"; }

apt_install() {
  if ! command -v apt-get >/dev/null || [ "$(id -u)" != 0 ]; then
    say "missing: $*. Install them (e.g. sudo apt-get install $*) and run again."
    exit 1
  fi
  say "installing Debian packages: $*"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -q >/dev/null
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

if ! node native/find-torch.cjs >/dev/null 2>&1; then
  if [ -n "${TORCH_DIR:-}" ]; then node native/find-torch.cjs; fi  # prints why TORCH_DIR is unusable
  say "no libtorch found"
  apt_install libtorch-dev
fi

# Gloo's headers, for the addon's process groups (data-parallel training); without them it builds
# without process groups. Debian's libtorch links Gloo but ships its headers in libgloo-dev.
if [ ! -f /usr/include/gloo/config.h ] && [ -f /usr/include/torch/csrc/distributed/c10d/ProcessGroupGloo.hpp ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt_install libgloo-dev
  else
    say "note: without libgloo-dev (sudo apt-get install libgloo-dev) the addon has no process groups (mtl train --nproc-per-node)"
  fi
fi

if [ "${1:-}" = "--test" ]; then
  missing=()
  /usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
  /usr/bin/python3 -c 'import sklearn' 2>/dev/null || missing+=(python3-sklearn)
  /usr/bin/python3 -c 'import onnx' 2>/dev/null || missing+=(python3-onnx)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  # headless Chromium, which opens mtl report's page in tests (they skip without it, naming this package)
  if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      apt_install --no-install-recommends chromium
    else
      say "note: without chromium (sudo apt-get install --no-install-recommends chromium) the report-rendering tests skip"
    fi
  fi
fi

if [ -L node_modules ]; then
  # npm ci empties the folder a link points to (another checkout's packages): leave it to its owner.
  say "node_modules links to $(readlink node_modules): not reinstalled here"
elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

node native/build.mjs
