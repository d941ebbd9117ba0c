#!/usr/bin/env bash
# Builds the native addon against libtorch 2.x (Debian trixie's libtorch-dev 2.6) in a scratch folder,
# to check that native/ still compiles against both 1.13 (this machine's) and 2.x. Nothing is installed:
# the .deb files are unpacked with `dpkg -x` into WORK/prefix, the build runs in a copy of native/ and
# binding.gyp (WORK/src, so the checkout's build/ is left alone), through native/build.mjs with TORCH_DIR.
#
#   scripts/check-libtorch2.sh [WORK]        (WORK defaults to /tmp/mtl-libtorch2; downloads are kept there)
#
# Checks, and fails on the first three: every source of binding.gyp compiles to an object file against the
# 2.6 headers (g++ -H lists every header read: none may come from the system's own libtorch under
# /usr/include); the objects link into mtl_native.node against the 2.6 libraries; compiler warnings,
# deprecations included (binding.gyp hides them), are listed. Loading the result is tried and reported,
# not required: trixie's libtorch needs glibc >= 2.38 and libstdc++ from GCC 14, which bookworm lacks.
# Needs curl, xz, dpkg-deb and the checkout's node_modules (node-gyp, node-addon-api).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/mtl-libtorch2}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEBIAN_SUITE:-trixie}
PACKAGES=(libtorch-dev libtorch2.6 libgloo-dev libgloo0)

mkdir -p "$WORK/debs"
cd "$WORK"
if [ ! -s Packages ]; then
  echo "[check-libtorch2] fetching the $SUITE Packages index"
  curl -sfSL "$MIRROR/dists/$SUITE/main/binary-amd64/Packages.xz" | xz -dc > Packages.tmp
  mv Packages.tmp Packages
fi

rm -rf prefix && mkdir prefix
for pkg in "${PACKAGES[@]}"; do
  # The stanza of the package: its Filename and SHA256.
  read -r file sum < <(awk -v RS= -v p="$pkg" '$0 ~ "(^|\n)Package: " p "\n" {
      match($0, /\nFilename: [^\n]+/); f = substr($0, RSTART + 11, RLENGTH - 11)
      match($0, /\nSHA256: [^\n]+/); s = substr($0, RSTART + 9, RLENGTH - 9); print f, s; exit }' Packages)
  [ -n "${file:-}" ] || { echo "[check-libtorch2] $pkg is not in the $SUITE index" >&2; exit 1; }
  deb="debs/$(basename "$file")"
  [ -s "$deb" ] || curl -sfSL -o "$deb" "$MIRROR/$file"
  echo "$sum  $deb" | sha256sum -c --quiet - || { echo "[check-libtorch2] $deb: checksum mismatch" >&2; exit 1; }
  echo "[check-libtorch2] $(basename "$file")"
  dpkg-deb -x "$deb" prefix
done

# A TORCH_DIR layout (include/, lib/) over Debian's paths.
multiarch=$(ls prefix/usr/lib | grep -- '-linux-gnu$' | head -1)
rm -rf torch && mkdir torch
ln -s "$WORK/prefix/usr/include" torch/include
ln -s "$WORK/prefix/usr/lib/$multiarch" torch/lib
version=$(awk '/#define TORCH_VERSION_(MAJOR|MINOR|PATCH) / {v = v (v == "" ? "" : ".") $3} END {print v}' \
  prefix/usr/include/torch/csrc/api/include/torch/version.h)

rm -rf src && mkdir src
cp -a "$ROOT/binding.gyp" "$ROOT/native" src/
ln -s "$(readlink -f "$ROOT/node_modules")" src/node_modules

echo "[check-libtorch2] building against libtorch $version (log: $WORK/build.log)"
start=$(date +%s)
status=0
(cd src && CXXFLAGS="-Wdeprecated-declarations -H" TORCH_DIR="$WORK/torch" node native/build.mjs --force) > build.log 2>&1 || status=$?
seconds=$(($(date +%s) - start))

sources=$(grep -c '"native/.*\.cc"' src/binding.gyp)
objects=$(find src/build/Release/obj.target/mtl_native -name '*.o' 2>/dev/null | wc -l)
# g++ -H prints each header read as ". path", ".. path", … (grep finding nothing is not an error here)
headers() { { grep -E "^\.+ $1" build.log || true; } | sed 's/^\.* //' | sort -u | wc -l; }
system_torch=$(headers '/usr/include/(ATen|c10|torch|caffe2|gloo)/')
from_prefix=$(headers "$WORK/torch/include/")
warnings=$({ grep 'warning:' build.log || true; } | wc -l)

echo "[check-libtorch2] libtorch $version: $objects of $sources sources compiled, build exit status $status, ${seconds} s"
echo "[check-libtorch2] headers read from the $version prefix: $from_prefix; from the system's libtorch (/usr/include): $system_torch"
echo "[check-libtorch2] compiler warnings: $warnings"
{ grep 'warning:' build.log || true; } | sort | uniq -c
{ grep -E '(error|Error):' build.log || true; } | head -20
node=src/build/Release/mtl_native.node
if [ -f "$node" ]; then
  echo "[check-libtorch2] linked: $(objdump -p "$node" | awk '/NEEDED/ && /torch|c10/ {printf "%s ", $2}')"
  echo -n "[check-libtorch2] loading it here (not required): "
  { node -e "const a = require('$WORK/$node'); console.log('loaded, libtorch', a.version())" 2>&1 || true; } | { grep -E 'loaded|Error' || true; } | head -1
fi
[ "$status" -eq 0 ] && [ "$objects" -eq "$sources" ] && [ "$system_torch" -eq 0 ] && [ -f "$node" ]
