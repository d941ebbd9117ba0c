/** The model benchmark's driver that runs the sides in turn, against small stand-in processes (no timing asserted). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { interleaved } from '../../bench/model/interleave.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-interleave-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in side as bench/model/ours.ts's protocol has it: prints `ready`, answers each request i with
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

const two = (a: string[], b: string[], units: number) =>
  interleaved(
    [
      { cmd: a, units },
      { cmd: b, units },
    ],
    process.env,
  );

describe('interleaved', () => {
  it('asks two sides in turn, alternating which goes first, and keeps each side’s answers in unit order', async () => {
    const log = path.join(dir, 'order.log');
    const [ours, peer] = await two(side('ours', log), side('peer', log), 4);
    assert.deepEqual(
      readFileSync(log, 'utf8').trim().split('\n'),
      ['ours 0', 'peer 0', 'peer 1', 'ours 1', 'ours 2', 'peer 2', 'peer 3', 'ours 3'],
      'requests in ABBA order',
    );
    assert.deepEqual(ours?.timesMs, [0.5, 1.5, 2.5, 3.5], 'ours: one answer per unit');
    assert.deepEqual(peer?.timesMs, [0.5, 1.5, 2.5, 3.5], 'peer: one answer per unit');
    assert.deepEqual(ours?.summary, { peakRssMiB: 1, side: 'ours' }, 'ours: the last JSON line');
    assert.deepEqual(peer?.summary, { peakRssMiB: 1, side: 'peer' }, 'peer: the last JSON line');
  });

  it('rotates the first side over three, and a side with fewer units drops out when they are done', async () => {
    const log = path.join(dir, 'three.log');
    const runs = await interleaved(
      [
        { cmd: side('a', log), units: 3 },
        { cmd: side('b', log), units: 3 },
        { cmd: side('c', log), units: 1 },
      ],
      process.env,
    );
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['a 0', 'b 0', 'c 0', 'b 1', 'a 1', 'a 2', 'b 2'], 'rotation');
    assert.deepEqual(
      runs.map((r) => r.timesMs.length),
      [3, 3, 1],
      'units per side',
    );
  });

  it('names the side that does not start with ready', async () => {
    const log = path.join(dir, 'ready.log');
    await assert.rejects(
      two(side('ours', log), side('peer', log, undefined, 'Traceback'), 2),
      /printed 'Traceback' where 'ready' was expected/,
    );
  });

  it('names the side that answers something other than a number', async () => {
    const log = path.join(dir, 'answer.log');
    await assert.rejects(two(side('ours', log, '"NaN ms"'), side('peer', log), 2), /answered 'NaN ms' where a time in ms was expected/);
  });

  it('reports a side that exits with a non-zero code', async () => {
    const log = path.join(dir, 'exit.log');
    await assert.rejects(two(side('ours', log), side('peer', log, undefined, 'ready', 3), 2), /exited with code 3/);
  });

  it('reports a side that ends before answering', async () => {
    await assert.rejects(
      two([process.execPath, '-e', 'console.log("ready")'], side('peer', path.join(dir, 'end.log')), 1),
      /ended its output before answering/,
    );
  });
});
