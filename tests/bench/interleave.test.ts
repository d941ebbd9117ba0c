/** The benchmark's interleaved batch-1 latency driver, against small stand-in processes (no timing asserted). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { interleavedLatency } from '../../bench/model/interleave.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-interleave-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in side as the `--mode latency` protocol has it: prints `ready`, answers each request i with
 * `answer(i)` after appending `name i` to `log`, and prints a JSON line at the end of its input.
 */
function side(name: string, log: string, answer = '`${Number(line) + 0.5}`', ready = 'ready', exitCode = 0): string[] {
  const src = `
    const { appendFileSync } = require('node:fs');
    const rl = require('node:readline').createInterface({ input: process.stdin });
    console.log(${JSON.stringify(ready)});
    rl.on('line', (line) => { appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(name)} + ' ' + line + '\\n'); console.log(${answer}); });
    rl.on('close', () => { console.log(JSON.stringify({ peakRssMiB: 1, side: ${JSON.stringify(name)} })); process.exitCode = ${exitCode}; });`;
  return [process.execPath, '-e', src];
}

describe('interleavedLatency', () => {
  it('asks the two sides in turn, alternating which goes first, and keeps each side’s answers in example order', async () => {
    const log = path.join(dir, 'order.log');
    const r = await interleavedLatency(side('ours', log), side('peer', log), process.env, 4);
    assert.deepEqual(
      readFileSync(log, 'utf8').trim().split('\n'),
      ['ours 0', 'peer 0', 'peer 1', 'ours 1', 'ours 2', 'peer 2', 'peer 3', 'ours 3'],
      'requests in ABBA order',
    );
    assert.deepEqual(r.ours.latenciesMs, [0.5, 1.5, 2.5, 3.5], 'ours: one answer per example');
    assert.deepEqual(r.peer.latenciesMs, [0.5, 1.5, 2.5, 3.5], 'peer: one answer per example');
    assert.deepEqual(r.ours.summary, { peakRssMiB: 1, side: 'ours' }, 'ours: the last JSON line');
    assert.deepEqual(r.peer.summary, { peakRssMiB: 1, side: 'peer' }, 'peer: the last JSON line');
  });

  it('names the side that does not start with ready', async () => {
    const log = path.join(dir, 'ready.log');
    await assert.rejects(
      interleavedLatency(side('ours', log), side('peer', log, undefined, 'Traceback'), process.env, 2),
      /printed 'Traceback' where 'ready' was expected/,
    );
  });

  it('names the side that answers something other than a number', async () => {
    const log = path.join(dir, 'answer.log');
    await assert.rejects(
      interleavedLatency(side('ours', log, '"NaN ms"'), side('peer', log), process.env, 2),
      /answered 'NaN ms' where a latency in ms was expected/,
    );
  });

  it('reports a side that exits with a non-zero code', async () => {
    const log = path.join(dir, 'exit.log');
    await assert.rejects(
      interleavedLatency(side('ours', log), side('peer', log, undefined, 'ready', 3), process.env, 2),
      /exited with code 3/,
    );
  });

  it('reports a side that ends before answering', async () => {
    await assert.rejects(
      interleavedLatency([process.execPath, '-e', 'console.log("ready")'], side('peer', path.join(dir, 'end.log')), process.env, 1),
      /ended its output before answering/,
    );
  });
});
