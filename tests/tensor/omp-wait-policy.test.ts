/**
 * OpenMP wait policy (src/tensor/omp-wait-policy.ts): PASSIVE set where unset, the user's value kept,
 * and libgomp — which reads the variable once, when libtorch loads it — reporting the policy in effect
 * (OMP_DISPLAY_ENV=VERBOSE makes libgomp print its settings as it initialises; its OMP_WAIT_POLICY line says
 * PASSIVE for an unset policy too, so the spin count tells them apart: 0 for PASSIVE, 300,000 unset).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ensurePassiveOmpWait } from '../../src/tensor/omp-wait-policy.js';

test('ensurePassiveOmpWait: sets an unset or empty variable to PASSIVE, keeps the user’s value', () => {
  const env: NodeJS.ProcessEnv = {};
  assert.equal(ensurePassiveOmpWait(env), 'PASSIVE');
  assert.equal(env.OMP_WAIT_POLICY, 'PASSIVE');
  const empty: NodeJS.ProcessEnv = { OMP_WAIT_POLICY: '' };
  assert.equal(ensurePassiveOmpWait(empty), 'PASSIVE');
  assert.equal(empty.OMP_WAIT_POLICY, 'PASSIVE');
  const user: NodeJS.ProcessEnv = { OMP_WAIT_POLICY: 'ACTIVE' };
  assert.equal(ensurePassiveOmpWait(user), 'ACTIVE');
  assert.equal(user.OMP_WAIT_POLICY, 'ACTIVE');
});

/** libgomp's spin count (GOMP_SPINCOUNT) in a child process that loads libtorch, or null without libgomp's report. */
function spinCountLibgompReads(userPolicy: string | undefined): number | null {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_DISPLAY_ENV: 'VERBOSE' };
  delete env.OMP_WAIT_POLICY;
  if (userPolicy !== undefined) env.OMP_WAIT_POLICY = userPolicy;
  const code = "const t = await import('./src/tensor/index.js'); t.getNumThreads();";
  // A child that hangs (a crash caught by a signal handler that never returns) fails the test after 2 min, not the run.
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  assert.equal(
    child.status,
    0,
    `the child ${child.signal === null ? `exited with ${child.status}` : `ended by ${child.signal}`}:\n${child.stderr}`,
  );
  const count = /GOMP_SPINCOUNT = '(\d+)'/.exec(child.stderr)?.[1];
  return count === undefined ? null : Number(count);
}

test('libgomp does not spin when the user set nothing, and spins as the user’s ACTIVE says', (t) => {
  const unset = spinCountLibgompReads(undefined);
  if (unset === null) {
    t.skip('this libtorch does not use libgomp (no OMP_DISPLAY_ENV report)');
    return;
  }
  assert.equal(unset, 0, 'PASSIVE: no spinning');
  assert.ok((spinCountLibgompReads('ACTIVE') ?? 0) > 300_000, 'ACTIVE spins longer than the unset default');
});
