/**
 * UCX's signal handlers and memory hooks (src/tensor/ucx-error-handling.ts): UCX_HANDLE_ERRORS=none and
 * UCX_MEM_EVENTS=no set where unset, the user's values kept, both in the process once libtorch loads, and Node's WebAssembly trap handler still working once libtorch is loaded — with
 * Debian's libtorch 2.x, UCX (through Open MPI) would otherwise take SIGSEGV over and an out-of-bounds
 * wasm load would kill the process instead of throwing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ensureNoUcxMemoryHooks, ensureNoUcxSignalHandlers } from '../../src/tensor/ucx-error-handling.js';

test('ensureNoUcxSignalHandlers: sets an unset or empty variable to none, keeps the user’s value', () => {
  const env: NodeJS.ProcessEnv = {};
  assert.equal(ensureNoUcxSignalHandlers(env), 'none');
  assert.equal(env.UCX_HANDLE_ERRORS, 'none');
  const empty: NodeJS.ProcessEnv = { UCX_HANDLE_ERRORS: '' };
  assert.equal(ensureNoUcxSignalHandlers(empty), 'none');
  const user: NodeJS.ProcessEnv = { UCX_HANDLE_ERRORS: 'bt' };
  assert.equal(ensureNoUcxSignalHandlers(user), 'bt');
  assert.equal(user.UCX_HANDLE_ERRORS, 'bt');
});

test('ensureNoUcxMemoryHooks: sets an unset or empty UCX_MEM_EVENTS to no, keeps the user’s value', () => {
  const env: NodeJS.ProcessEnv = {};
  assert.equal(ensureNoUcxMemoryHooks(env), 'no');
  assert.equal(env.UCX_MEM_EVENTS, 'no');
  const empty: NodeJS.ProcessEnv = { UCX_MEM_EVENTS: '' };
  assert.equal(ensureNoUcxMemoryHooks(empty), 'no');
  const user: NodeJS.ProcessEnv = { UCX_MEM_EVENTS: 'yes' };
  assert.equal(ensureNoUcxMemoryHooks(user), 'yes');
  assert.equal(user.UCX_MEM_EVENTS, 'yes');
});

test('loading libtorch sets both in the process (children inherit them), before UCX reads them', () => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.UCX_HANDLE_ERRORS;
  delete env.UCX_MEM_EVENTS;
  const code =
    "const before = [process.env.UCX_HANDLE_ERRORS, process.env.UCX_MEM_EVENTS]; const t = await import('./src/tensor/index.js'); t.getNumThreads();" +
    'console.log(JSON.stringify([before, [process.env.UCX_HANDLE_ERRORS, process.env.UCX_MEM_EVENTS]]));';
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout.trim()), [
    [null, null],
    ['none', 'no'],
  ]);
});

// A module with one page of memory and `f() = i32.load(131072)`: past its end, a trap V8 raises from SIGSEGV.
const OUT_OF_BOUNDS_WASM = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 5, 1, 1, 102, 0, 0, 10, 11, 1, 9, 0, 65, 128, 128, 8,
  40, 2, 0, 11,
];

test('after libtorch loads, an out-of-bounds WebAssembly load still throws (V8 keeps SIGSEGV)', () => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.UCX_HANDLE_ERRORS;
  const code =
    "const t = await import('./src/tensor/index.js'); t.getNumThreads();" +
    `const m = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${JSON.stringify(OUT_OF_BOUNDS_WASM)})));` +
    'try { m.exports.f(); console.log("no trap"); } catch (e) { console.log(e.constructor.name + ": " + e.message); }';
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  assert.equal(child.signal, null, `the child ended by ${child.signal}:\n${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'RuntimeError: memory access out of bounds');
});
