// Locates libtorch for the build: TORCH_DIR, else a Python torch install, else Debian's
// libtorch-dev paths. Prints the part binding.gyp asks for (`include`, `libdir`, `abi`, `std`), or a
// JSON summary with `--json`. Exits 1 with instructions when none is found.
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

function layout(root, source) {
  const include = path.join(root, 'include');
  const libdir = path.join(root, 'lib');
  if (!existsSync(path.join(include, 'ATen', 'ATen.h')) || !existsSync(path.join(libdir, 'libtorch.so'))) return null;
  return { source, include: [include, path.join(include, 'torch', 'csrc', 'api', 'include')], libdir };
}

function fromPython() {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      const out = execFileSync(
        python,
        ['-c', 'import torch,os;print(os.path.dirname(torch.__file__));print(int(torch._C._GLIBCXX_USE_CXX11_ABI))'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      )
        .trim()
        .split('\n');
      const found = layout(out[0], `Python torch (${python})`);
      if (found) return { ...found, abi: Number(out[1]) };
    } catch {
      // no torch for this interpreter
    }
  }
  return null;
}

function fromDebian() {
  const multiarch = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].find((d) => existsSync(`/usr/lib/${d}/libtorch.so`));
  if (!multiarch || !existsSync('/usr/include/ATen/ATen.h')) return null;
  return {
    source: 'Debian libtorch-dev',
    include: ['/usr/include', '/usr/include/torch/csrc/api/include'],
    libdir: `/usr/lib/${multiarch}`,
    abi: 1,
  };
}

// libtorch archives come in pre- and cxx11-ABI builds; the symbols tell which.
function detectAbi(libdir) {
  try {
    const lib = readdirSync(libdir).find((f) => /^libc10\.so/.test(f));
    const syms = execFileSync('nm', ['-D', '--defined-only', path.join(libdir, lib)], { encoding: 'utf8', maxBuffer: 1 << 28 });
    return syms.includes('__cxx11') ? 1 : 0;
  } catch {
    return 1;
  }
}

// The C++ standard the headers need: C++20 where ATen.h refuses older ones (libtorch 2.14: "#error C++20
// or later compatible compiler is required to use ATen"; its c10/util/intrusive_ptr.h uses operator<=>),
// else C++17 (libtorch 1.13 to 2.6 and the builds before that check).
function cxxStandard(include) {
  try {
    return /C\+\+20 or later/.test(readFileSync(path.join(include, 'ATen', 'ATen.h'), 'utf8')) ? 'c++20' : 'c++17';
  } catch {
    return 'c++17';
  }
}

function findTorch() {
  if (process.env.TORCH_DIR) {
    const found = layout(process.env.TORCH_DIR, `TORCH_DIR=${process.env.TORCH_DIR}`);
    if (!found)
      throw new Error(
        `TORCH_DIR=${process.env.TORCH_DIR} has no include/ATen/ATen.h and lib/libtorch.so; point it at a libtorch folder (the one holding include/ and lib/).`,
      );
    return { ...found, abi: detectAbi(found.libdir) };
  }
  return fromPython() ?? fromDebian();
}

const HOW_TO_INSTALL = [
  'multitask-lm needs libtorch and found none.',
  'Install one of:',
  '  - Debian/Ubuntu: sudo apt-get install libtorch-dev',
  '  - a Python torch: pip install torch',
  '  - a libtorch archive from pytorch.org, then export TORCH_DIR=/path/to/libtorch',
].join('\n');

module.exports = { findTorch, HOW_TO_INSTALL };

if (require.main === module) {
  let torch;
  try {
    torch = findTorch();
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  if (!torch) {
    process.stderr.write(`${HOW_TO_INSTALL}\n`);
    process.exit(1);
  }
  const what = process.argv[2];
  if (what === 'include') process.stdout.write(torch.include.join(' '));
  else if (what === 'libdir') process.stdout.write(torch.libdir);
  else if (what === 'abi') process.stdout.write(String(torch.abi));
  else if (what === 'std') process.stdout.write(cxxStandard(torch.include[0]));
  else process.stdout.write(`${JSON.stringify(torch)}\n`);
}
