/**
 * OpenBLAS kernel choice (src/tensor/blas-core.ts): the core name for hand-written feature-flag sets
 * (which kernels need which instructions: OpenBLAS's driver/others/dynamic.c), the user's
 * OPENBLAS_CORETYPE kept, /proc/cpuinfo parsing, and the loaded OpenBLAS using the chosen core.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cpuFlags, ensureOpenBlasCore, openBlasCoreFor } from '../../src/tensor/blas-core.js';
import { blasInfo } from '../../src/tensor/index.js';

const AVX512 = ['sse3', 'avx', 'avx2', 'fma', 'avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];

test('openBlasCoreFor: AVX-512 (F, CD, BW, DQ, VL) → SkylakeX, AVX2 + FMA → Haswell, else OpenBLAS chooses', () => {
  assert.equal(openBlasCoreFor(new Set(AVX512)), 'SkylakeX');
  assert.equal(openBlasCoreFor(new Set(AVX512.filter((f) => f !== 'avx512vl'))), 'Haswell');
  assert.equal(openBlasCoreFor(new Set(['sse3', 'avx', 'avx2', 'fma'])), 'Haswell');
  assert.equal(openBlasCoreFor(new Set(['sse3', 'avx', 'avx2'])), undefined);
  assert.equal(openBlasCoreFor(new Set()), undefined);
});

test('ensureOpenBlasCore: sets an unset or empty variable, keeps the user’s value', () => {
  const env: NodeJS.ProcessEnv = {};
  assert.equal(ensureOpenBlasCore(env, new Set(AVX512)), 'SkylakeX');
  assert.equal(env.OPENBLAS_CORETYPE, 'SkylakeX');
  const empty: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: '' };
  assert.equal(ensureOpenBlasCore(empty, new Set(['avx2', 'fma'])), 'Haswell');
  const user: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'Sandybridge' };
  assert.equal(ensureOpenBlasCore(user, new Set(AVX512)), 'Sandybridge');
  assert.equal(user.OPENBLAS_CORETYPE, 'Sandybridge');
  const none: NodeJS.ProcessEnv = {};
  assert.equal(ensureOpenBlasCore(none, new Set(['sse3'])), undefined);
  assert.ok(!('OPENBLAS_CORETYPE' in none), 'nothing is set when OpenBLAS should choose');
});

test('cpuFlags: the first processor’s flags line; an empty set without the file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cpuinfo-'));
  try {
    const file = path.join(dir, 'cpuinfo');
    writeFileSync(file, 'processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse3 avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n');
    assert.deepEqual([...cpuFlags(file)], ['fpu', 'sse3', 'avx2', 'fma']);
    assert.equal(cpuFlags(path.join(dir, 'missing')).size, 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('the loaded OpenBLAS runs the core chosen before it loaded', () => {
  const info = blasInfo();
  if (info.config === null) return; // another BLAS: nothing to check
  const chosen = process.env.OPENBLAS_CORETYPE;
  if (chosen === undefined) return; // a CPU without AVX2: OpenBLAS's own choice
  assert.equal(info.core?.toLowerCase(), chosen.toLowerCase(), `OpenBLAS reports core ${info.core}, ${chosen} was set`);
});
