/**
 * The addon's malloc settings (native/runtime.cc KeepFreedMemory): on glibc the memory of a disposed
 * 128 MB tensor stays with the process, for later tensors to reuse without page faults (RSS does not
 * drop); with glibc's own settings (kept when GLIBC_TUNABLES sets a glibc.malloc tunable) the block is
 * unmapped on dispose and RSS drops by its size. Each case runs in a child process, whose environment
 * it sets. (The page faults this saves a training step: bench/issue15/kg-step.ts, docs/results/issue15-wn18rr.md.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime !== undefined;
const ELEMENTS = 32_000_000; // float32: 128 MB, above glibc's largest mmap threshold (32 MiB)
const MB = 1e6;

/** How much RSS drops (bytes) when a zero-filled tensor of ELEMENTS floats is disposed. */
function rssReleasedByDispose(glibcTunables: string | undefined): number {
  const tensors = JSON.stringify(new URL('../../src/tensor/index.ts', import.meta.url).href);
  const script = [
    `const T = await import(${tensors});`,
    `const x = T.zeros([${ELEMENTS}]);`, // zero-filling writes every page
    'const before = process.memoryUsage().rss;',
    'x.dispose();',
    'console.log(before - process.memoryUsage().rss);',
  ].join('\n');
  const env = { ...process.env };
  delete env.GLIBC_TUNABLES;
  if (glibcTunables !== undefined) env.GLIBC_TUNABLES = glibcTunables;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env });
  assert.equal(child.status, 0, child.stderr);
  return Number(child.stdout.trim().split('\n').at(-1));
}

test('a disposed tensor’s memory stays with the process for reuse (RSS does not drop)', { skip: !glibc && 'not glibc' }, () => {
  const released = rssReleasedByDispose(undefined);
  assert.ok(released < 16 * MB, `RSS dropped by ${(released / MB).toFixed(1)} MB when a 128 MB tensor was disposed`);
});

test('a GLIBC_TUNABLES malloc setting is left alone: the block is unmapped on dispose', { skip: !glibc && 'not glibc' }, () => {
  const released = rssReleasedByDispose('glibc.malloc.arena_max=8');
  assert.ok(released > 100 * MB, `RSS dropped by ${(released / MB).toFixed(1)} MB, expected about 128 MB`);
});
