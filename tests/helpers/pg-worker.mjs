// Child process of tests/tensor/process-group.test.ts: one rank of a 2-process Gloo group on
// loopback. argv: rank worldSize port timeoutMs scenario readyDir. Prints one JSON line with what it
// saw. The ranks join through ./loopback-group.mjs (once all have loaded), so the short timeout times
// the collective, not a peer starting on a loaded machine.
//   collectives: all-reduce (sum of two tensors, avg), broadcast from rank 1, all-gather, barrier
//   peer-dies:   rank 1 exits right after joining; rank 0 all-reduces and reports the error and delay
//   peer-stalls: rank 1 joins and then waits without calling; rank 0 reports the error and delay
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { register } from 'tsx/esm/api';
import { joinLoopbackGroup } from './loopback-group.mjs';

register();
const T = await import('../../src/tensor/index.ts');

const [rank, worldSize, port, timeoutMs] = process.argv.slice(2, 6).map(Number);
const [scenario, readyDir] = process.argv.slice(6);
const report = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

const group = await joinLoopbackGroup({ rank, worldSize, port, timeoutMs, readyDir });

if (scenario === 'collectives') {
  const a = T.tensor([rank + 1, 2 * (rank + 1)]);
  const b = T.tensor([[10 * rank, -rank]]);
  await group.allReduce([a, b], 'sum');
  const mean = T.tensor([rank, 1, 4 * rank], { dtype: 'float64' });
  await group.allReduce([mean], 'avg');
  const c = T.tensor([5 * rank, 7 + rank]);
  await group.broadcast([c], 1);
  const gathered = await group.allGather(T.tensor([rank, rank * rank + 3], { dtype: 'int64' }));
  await group.barrier();
  report({
    rank: group.rank,
    worldSize: group.worldSize,
    sum: [a.toArray(), b.toArray()],
    avg: mean.toArray(),
    broadcast: c.toArray(),
    gathered: gathered.map((t) => t.toArray()),
  });
} else if (scenario === 'peer-dies' || scenario === 'peer-stalls') {
  if (rank === 1) {
    if (scenario === 'peer-dies') process.exit(7);
    await new Promise((resolve) => setTimeout(resolve, timeoutMs * 3));
    process.exit(0);
  }
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20); // the event loop keeps turning while the collective waits
  const started = performance.now();
  try {
    await group.allReduce([T.ones([1000])]);
    report({ error: null });
  } catch (e) {
    report({ error: `${e.constructor.name}: ${e.message}`, ms: performance.now() - started, ticks });
  } finally {
    clearInterval(timer);
  }
}
group.destroy();
