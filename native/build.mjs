// Builds the native addon with node-gyp when it is missing or older than its sources.
// `--force` rebuilds regardless. Says what it does; exits non-zero with instructions on failure.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const addon = path.join(root, 'build', 'Release', 'mtl_native.node');
const require = createRequire(import.meta.url);
const { findTorch, HOW_TO_INSTALL } = require('./find-torch.cjs');

// The files compiled into the addon (src/tensor/addon-freshness.ts applies the same rule); the
// build scripts beside them (this file, find-torch.cjs) are not sources of the addon.
function newestSource() {
  const files = readdirSync(path.join(root, 'native'))
    .filter((f) => /\.(cc|h)$/.test(f))
    .map((f) => path.join(root, 'native', f));
  return Math.max(...[...files, path.join(root, 'binding.gyp')].map((f) => statSync(f).mtimeMs));
}
// A package installed into someone's project (under node_modules), not a checkout of the repository.
const installed = root.split(path.sep).includes('node_modules');

const force = process.argv.includes('--force');
if (!force && existsSync(addon) && statSync(addon).mtimeMs >= newestSource()) process.exit(0);

let torch;
try {
  torch = findTorch();
} catch (e) {
  console.error(`[multitask-lm] ${e.message}`); // TORCH_DIR set to a folder without libtorch
  process.exit(1);
}
if (!torch) {
  console.error(HOW_TO_INSTALL);
  console.error(
    installed
      ? 'Then, in your project: npm rebuild multitask-lm'
      : 'Then: npm run build:native (or npm run setup, which installs libtorch-dev on Debian when run as root, and builds)',
  );
  process.exit(1);
}
const nodeGyp = process.env.npm_config_node_gyp ?? path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (!existsSync(nodeGyp)) {
  console.error(`node-gyp was not found at ${nodeGyp}; run \`npm ci\` first.`);
  process.exit(1);
}
console.log(`[multitask-lm] building the native addon against ${torch.source} (${torch.libdir}); this takes a few minutes`);
// Build against this Node's own headers when it ships them, so nothing is downloaded.
const prefix = path.resolve(path.dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir ?? (existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const args = [nodeGyp, 'rebuild', `--jobs=${cpus().length}`, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const result = spawnSync(process.execPath, args, {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error('[multitask-lm] the native addon failed to build; see the compiler output above.');
  process.exit(result.status ?? 1);
}
console.log(`[multitask-lm] built ${path.relative(root, addon)}`);
