/** Requests queued while the model is busy run together in its next call. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Coalescer, QueueFullError } from '../../src/serve/coalesce.js';

/** A batched call that records its inputs and answers each input x with `x:call` after a turn of the event loop. */
function recorder(failOn?: string) {
  const calls: string[][] = [];
  const run = async (inputs: readonly string[]): Promise<string[]> => {
    calls.push([...inputs]);
    await new Promise((r) => setImmediate(r));
    if (failOn !== undefined && inputs.includes(failOn)) throw new Error(`bad input ${failOn}`);
    return inputs.map((x) => `${x}:${calls.length}`);
  };
  return { calls, run };
}

describe('Coalescer', () => {
  it('refuses a request at once when the inputs waiting would pass maxQueued (the queue grew without bound)', async () => {
    let open = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const calls: string[][] = [];
    const c = new Coalescer<string, string>(
      async (inputs) => {
        calls.push([...inputs]);
        await gate;
        return inputs.map((x) => `${x}!`);
      },
      8,
      3,
    );
    const running = c.submit(['a']); // taken at once: the queue is empty again
    const queued = c.submit(['b', 'c']);
    assert.equal(c.queued, 2);
    await assert.rejects(
      c.submit(['d', 'e']),
      (e: unknown) => e instanceof QueueFullError && /2 inputs waiting, at most 3/.test(e.message),
    );
    const fits = c.submit(['f']);
    assert.equal(c.accepts(1), false);
    open();
    assert.deepEqual(await Promise.all([running, queued, fits]), [['a!'], ['b!', 'c!'], ['f!']]);
    assert.deepEqual(calls, [['a'], ['b', 'c', 'f']]);
    assert.equal(c.queued, 0);
    assert.equal(c.accepts(100), true, 'an empty queue takes any one request');
  });

  it('runs the first request at once and the ones queued meanwhile together, each getting its own outputs in order', async () => {
    const { calls, run } = recorder();
    const c = new Coalescer(run, 64);
    const answers = await Promise.all([c.submit(['a']), c.submit(['b', 'c']), c.submit(['d'])]);
    assert.deepEqual(calls, [['a'], ['b', 'c', 'd']], 'one call alone, then one for the queue');
    assert.deepEqual(answers, [['a:1'], ['b:2', 'c:2'], ['d:2']], 'outputs split back per request');
  });

  it('puts at most maxInputs inputs in a call; a larger request runs alone', async () => {
    const { calls, run } = recorder();
    const c = new Coalescer(run, 3);
    await Promise.all([c.submit(['a']), c.submit(['b', 'c']), c.submit(['d', 'e']), c.submit(['f', 'g', 'h', 'i'])]);
    assert.deepEqual(calls, [['a'], ['b', 'c'], ['d', 'e'], ['f', 'g', 'h', 'i']], 'no call over 3 unless one request is');
  });

  it('rejects every request of a failing call and goes on with the next', async () => {
    const { calls, run } = recorder('x');
    const c = new Coalescer(run, 64);
    const results = await Promise.allSettled([c.submit(['a']), c.submit(['x']), c.submit(['b'])]);
    assert.deepEqual(calls, [['a'], ['x', 'b']], 'calls');
    assert.equal(results[0]?.status, 'fulfilled', 'the call before is untouched');
    assert.equal(results[1]?.status, 'rejected', 'the failing request');
    assert.equal(results[2]?.status, 'rejected', 'its call-mate shares the error');
    assert.deepEqual(await c.submit(['c']), ['c:3'], 'later requests run');
  });
});

describe('Coalescer with abort signals', () => {
  it('a request aborted while queued leaves the queue and is not run; one aborted while running is rejected at once', async () => {
    let open = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const calls: string[][] = [];
    const c = new Coalescer<string, string>(async (inputs) => {
      calls.push([...inputs]);
      await gate;
      return inputs.map((x) => `${x}!`);
    }, 8);
    const running = new AbortController();
    const first = c.submit(['a'], running.signal);
    const queued = new AbortController();
    const second = c.submit(['b', 'c'], queued.signal);
    const third = c.submit(['d']);
    assert.equal(c.queued, 3);
    queued.abort(new Error('timed out'));
    await assert.rejects(second, /timed out/);
    assert.equal(c.queued, 1, 'its two inputs left the queue');
    running.abort(new Error('client gone'));
    await assert.rejects(first, /client gone/, 'rejected before its call ends');
    open();
    assert.deepEqual(await third, ['d!']);
    assert.deepEqual(calls, [['a'], ['d']], 'the aborted queued request was never run');
    await assert.rejects(c.submit(['e'], AbortSignal.abort(new Error('already'))), /already/);
    assert.equal(c.queued, 0);
  });
});
