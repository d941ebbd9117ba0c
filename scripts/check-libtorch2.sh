#!/usr/bin/env bash
# Builds the native addon against libtorch 2.x (Debian trixie's libtorch-dev 2.6; DEBIAN_SUITE=sid: sid's) in a scratch folder,
# to check that native/ still compiles against both 1.13 (this machine's) and 2.x; with --run, also loads
# it and runs the test files that exercise it. Nothing is installed: the .deb files are unpacked with
# `dpkg-deb -x` under WORK, the build runs in a copy of the checkout's tracked files (WORK/src, so the
# checkout's build/ is left alone), through native/build.mjs with TORCH_DIR.
#
#   scripts/check-libtorch2.sh [--run] [--rebuild] [WORK] [-- TEST_FILE...]
#       WORK defaults to /tmp/mtl-libtorch2 (downloads are kept there); the test files default to every
#       tests/**/*.test.ts, as `npm test` runs them (WORK/src has no ../shared beside it, so the tests that
#       read the public datasets skip, each naming the folder it needs: the suite's no-data phase).
#
# The build is reused when WORK/src already holds an addon built against the same libtorch version from
# the same native/ and binding.gyp (compared by content; the counts below then come from that build's
# log); --rebuild builds again regardless.
#
# Checks, and fails on the first three: every source of binding.gyp compiles to an object file against the
# 2.x headers (g++ -H lists every header read: none may come from the system's own libtorch under
# /usr/include); the objects link into mtl_native.node against the 2.x libraries; compiler warnings,
# deprecations included (binding.gyp hides them), are listed. Without --run, loading the result is tried
# and reported, not required: trixie's libtorch needs glibc >= 2.38 and libstdc++ from GCC 14, which
# bookworm lacks.
#
# --run: unpacks, beside the headers, everything the suite's libtorch2.x and libgloo0 load, with OpenBLAS's
# pthread build as libblas.so.3/liblapack.so.3 (as update-alternatives links it here) (the closure of
# their dependencies in the Packages index, scripts/debian-closure.mjs: about 100 packages, 150 MB,
# glibc and libstdc++ included) into WORK/runtime, copies this machine's node to WORK/runtime/bin/node
# with patchelf giving it trixie's dynamic loader and that prefix as its RPATH (so every node the tests
# start, process.execPath, runs the same way; nothing else on the machine sees those libraries), checks
# that the addon loads with every shared library from WORK (none from the system), and runs the test
# files with that node in WORK/src. Needs patchelf (on PATH, or `apt-get download patchelf` fetches the
# .deb, unpacked under WORK). Fails when a test fails.
#
# Needs curl, xz, dpkg-deb, git and the checkout's node_modules (node-gyp, node-addon-api, tsx).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN=0
REBUILD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --run) RUN=1 ;;
    --rebuild) REBUILD=1 ;;
    *) break ;;
  esac
  shift
done
WORK=/tmp/mtl-libtorch2
if [ $# -gt 0 ] && [ "$1" != -- ]; then WORK=$1; shift; fi
[ "${1:-}" = -- ] && shift
TESTS=("$@")  # relative to the checkout; the default is expanded there
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEBIAN_SUITE:-trixie}

mkdir -p "$WORK/debs"
cd "$WORK"
INDEX=Packages-$SUITE
if [ ! -s "$INDEX" ]; then
  echo "[check-libtorch2] fetching the $SUITE Packages index"
  curl -sfSL "$MIRROR/dists/$SUITE/main/binary-amd64/Packages.xz" | xz -dc > "$INDEX.tmp"
  mv "$INDEX.tmp" "$INDEX"
fi
# The suite's libtorch-dev names its library package (trixie: libtorch2.6; sid: libtorch2.14).
LIBTORCH=$(awk -v RS= '/(^|\n)Package: libtorch-dev\n/' "$INDEX" | grep -o 'libtorch2\.[0-9]*' | head -1)
[ -n "$LIBTORCH" ] || { echo "[check-libtorch2] no libtorch-dev depending on a libtorch2.x in the $SUITE index" >&2; exit 1; }
PACKAGES=(libtorch-dev "$LIBTORCH" libgloo-dev libgloo0)

# Downloads (once) and checks against the index's SHA256 the .deb of `file`; prints its path.
fetch_deb() {
  local file=$1 sum=$2 deb
  deb="debs/$(basename "$file")"
  [ -s "$deb" ] || curl -sfSL -o "$deb" "$MIRROR/$file"
  echo "$sum  $deb" | sha256sum -c --quiet - >&2 || { echo "[check-libtorch2] $deb: checksum mismatch" >&2; exit 1; }
  echo "$deb"
}

# Unpacked again only when the .deb files differ from those of the last unpacking (prefix.stamp).
prefix_debs=()
for pkg in "${PACKAGES[@]}"; do
  # The stanza of the package: its Filename and SHA256.
  read -r file sum < <(awk -v RS= -v p="$pkg" '$0 ~ "(^|\n)Package: " p "\n" {
      match($0, /\nFilename: [^\n]+/); f = substr($0, RSTART + 11, RLENGTH - 11)
      match($0, /\nSHA256: [^\n]+/); s = substr($0, RSTART + 9, RLENGTH - 9); print f, s; exit }' "$INDEX")
  [ -n "${file:-}" ] || { echo "[check-libtorch2] $pkg is not in the $SUITE index" >&2; exit 1; }
  prefix_debs+=("$(fetch_deb "$file" "$sum")")
done
if [ "$(cat prefix.stamp 2>/dev/null)" != "${prefix_debs[*]}" ]; then
  rm -rf prefix prefix.stamp && mkdir prefix
  for deb in "${prefix_debs[@]}"; do
    echo "[check-libtorch2] $(basename "$deb")"
    dpkg-deb -x "$deb" prefix
  done
  echo "${prefix_debs[*]}" > prefix.stamp
else
  echo "[check-libtorch2] prefix/ already holds ${prefix_debs[*]#debs/}"
fi

# A TORCH_DIR layout (include/, lib/) over Debian's paths.
multiarch=$(ls prefix/usr/lib | grep -- '-linux-gnu$' | head -1)
rm -rf torch && mkdir torch
ln -s "$WORK/prefix/usr/include" torch/include
ln -s "$WORK/prefix/usr/lib/$multiarch" torch/lib
version=$(awk '/#define TORCH_VERSION_(MAJOR|MINOR|PATCH) / {v = v (v == "" ? "" : ".") $3} END {print v}' \
  prefix/usr/include/torch/csrc/api/include/torch/version.h)

# The checkout's tracked files as they are in its working tree (the tests need src/ and tests/ beside the addon);
# the previous build is set aside, to be reused if it was made from the same sources against the same libtorch.
rm -rf build.kept
if [ -d src/build ]; then mv src/build build.kept; fi
rm -rf src && mkdir src
git -C "$ROOT" ls-files -z | tar -C "$ROOT" --null -T - -cf - | tar -C src -xf -
ln -s "$(readlink -f "$ROOT/node_modules")" src/node_modules
stamp="libtorch $version, sources $(cd src && cat binding.gyp native/* | sha256sum | cut -c1-16)"

status=0
if [ "$REBUILD" -eq 0 ] && [ -f build.kept/Release/mtl_native.node ] && [ "$(cat build.stamp 2>/dev/null)" = "$stamp" ]; then
  mv build.kept src/build
  touch src/build/Release/mtl_native.node # the copied sources carry the checkout's mtimes; their content is the build's
  echo "[check-libtorch2] reusing the addon built against libtorch $version from the same sources ($stamp; --rebuild to build again)"
  seconds=0
else
  rm -rf build.kept build.stamp
  echo "[check-libtorch2] building against libtorch $version (log: $WORK/build.log)"
  start=$(date +%s)
  (cd src && CXXFLAGS="-Wdeprecated-declarations -H" TORCH_DIR="$WORK/torch" node native/build.mjs --force) > build.log 2>&1 || status=$?
  seconds=$(($(date +%s) - start))
  [ "$status" -ne 0 ] || echo "$stamp" > build.stamp
fi

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
  if [ "$RUN" -eq 0 ]; then
    echo -n "[check-libtorch2] loading it with the system's libraries (not required): "
    { node -e "const a = require('$WORK/$node'); console.log('loaded, libtorch', a.version())" 2>&1 || true; } | { grep -E 'loaded|Error' || true; } | head -1
  fi
fi
[ "$status" -eq 0 ] && [ "$objects" -eq "$sources" ] && [ "$system_torch" -eq 0 ] && [ -f "$node" ]
[ "$RUN" -eq 1 ] || exit 0

# --run: everything libtorch loads, from the same index, in WORK/runtime.
echo "[check-libtorch2] unpacking what libtorch $version loads (log: $WORK/runtime.log)"
node "$ROOT/scripts/debian-closure.mjs" "$INDEX" "$LIBTORCH" libgloo0 libopenblas0-pthread libc6 libstdc++6 > closure.txt
if [ "$(cat runtime.stamp 2>/dev/null)" != "$(sha256sum < closure.txt)" ]; then
  rm -rf runtime runtime.stamp && mkdir runtime
  while read -r _ file sum _; do dpkg-deb -x "$(fetch_deb "$file" "$sum")" runtime; done < closure.txt > runtime.log 2>&1
  sha256sum < closure.txt > runtime.stamp
else
  echo "[check-libtorch2] runtime/ already holds those packages"
fi
multiarch_lib="$WORK/runtime/usr/lib/$multiarch"
# What update-alternatives links on an install with OpenBLAS (as this machine's 1.13 runs): its pthread build.
# (libopenblas.so.0 too: libblas.so.3 finds it through its RUNPATH $ORIGIN, the link's folder, else the system's.)
for lib in libblas.so.3 liblapack.so.3 libopenblas.so.0; do ln -sf "openblas-pthread/$lib" "$multiarch_lib/$lib"; done
patchelf=$(command -v patchelf || true)
if [ -z "$patchelf" ]; then
  (cd debs && apt-get download patchelf >> "$WORK/runtime.log" 2>&1) || { echo "[check-libtorch2] --run needs patchelf" >&2; exit 1; }
  rm -rf patchelf && dpkg-deb -x debs/patchelf_*.deb patchelf && patchelf="$WORK/patchelf/usr/bin/patchelf"
fi
mkdir -p runtime/bin
cp "$(command -v node)" runtime/bin/node.new # then renamed: a node of an earlier check may still be running
loader=$(find runtime/usr/lib/"$multiarch" -maxdepth 1 -name 'ld-linux*.so.*' | head -1)
"$patchelf" --set-interpreter "$WORK/$loader" --force-rpath --set-rpath "$multiarch_lib:$WORK/runtime/usr/lib" runtime/bin/node.new
mv runtime/bin/node.new runtime/bin/node
echo "[check-libtorch2] $(wc -l < closure.txt) packages; node $(runtime/bin/node --version) on trixie's glibc $(awk -F'[ (]' '/^Package: libc6$/ {p = 1} p && /^Version:/ {print $2; exit}' "$INDEX")"

# Every shared library the loaded addon maps must come from WORK (the 2.x prefix or the runtime).
foreign=$(cd src && ../runtime/bin/node -e "
  const a = require('./build/Release/mtl_native.node');
  const libs = new Set(require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n').map((l) => l.split(/\\s+/)[5]).filter((p) => p && p.includes('.so')));
  console.error('[check-libtorch2] loaded: libtorch ' + a.version() + ', ' + libs.size + ' shared libraries, ' + a.blasInfo().config);
  console.log([...libs].filter((p) => !p.startsWith('$WORK/')).join(' '));")
[ -z "$foreign" ] || { echo "[check-libtorch2] libraries from outside $WORK: $foreign" >&2; exit 1; }

cd src
[ ${#TESTS[@]} -gt 0 ] || mapfile -t TESTS < <(find tests -name '*.test.ts' | sort)
echo "[check-libtorch2] running ${#TESTS[@]} test files against libtorch $version (log: $WORK/tests.log)"
start=$(date +%s)
tests=0
# The patched node first on PATH: what npm and `#!/usr/bin/env node` scripts start (tests/package) runs on trixie's libraries too.
PATH="$WORK/runtime/bin:$PATH" ../runtime/bin/node --import tsx --test --test-reporter=spec "${TESTS[@]}" > ../tests.log 2>&1 || tests=$?
cd ..
echo "[check-libtorch2] tests exit status $tests, $(($(date +%s) - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg):"
grep -E '^ℹ (tests|suites|pass|fail|cancelled|skipped|todo) ' tests.log || true
[ "$tests" -eq 0 ]
