/**
 * Before/after of a change to decoding: our side at another checkout (`--before`, e.g. a `git worktree`
 * of the commit before the change, its node_modules and build/ linked), our side here, and the peer,
 * three processes per model asked unit by unit in turns (bench/model/interleave.ts), on the models and
 * prompts of `bench/run.ts generate` (run it once first, or `bench/peer/generate.py --write` and
 * configs.ts's writePrompts). Prints, per model and configuration, the median tokens/s of each and the
 * ratios after/before and after/peer, and whether row 0's tokens agree.
 * Usage: node --import tsx bench/generate/revisions.ts --before /tmp/before [--repeats 2] [--models gpt2,t5] [--threads 1]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureOpenBlasCore } from '../../src/tensor/blas-core.js';
import { ensurePassiveOmpWait } from '../../src/tensor/omp-wait-policy.js';
import { interleaved } from '../model/interleave.js';
import { median } from '../model/measure.js';
import { GENERATE_CONFIGS } from './configs.js';

const { values: a } = parseArgs({
  options: {
    before: { type: 'string' },
    repeats: { type: 'string', default: '2' },
    models: { type: 'string', default: 'gpt2,t5' },
    threads: { type: 'string', default: '1' },
    'new-tokens': { type: 'string', default: '64' },
  },
});
if (a.before === undefined) throw new Error('--before: give the checkout of the revision to compare with');
const dir = path.resolve('bench/out/generate');
const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: a.threads, OPENBLAS_NUM_THREADS: a.threads };
ensureOpenBlasCore(env);
ensurePassiveOmpWait(env); // and the same OpenMP wait policy (as our side sets for itself)
const newTokens = Number(a['new-tokens']);
const names = ['before', 'after', 'peer'] as const;

console.log(
  '| model | decoding | batch | tokens/s before | tokens/s after | tokens/s PyTorch | after/before | after/PyTorch | row 0 agrees (after = before = PyTorch) |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const model of (a.models as string).split(',')) {
  const common = [
    '--dir',
    dir,
    '--model',
    model,
    '--mode',
    'generate',
    '--threads',
    a.threads as string,
    '--new-tokens',
    String(newTokens),
  ];
  const units = Number(a.repeats) * GENERATE_CONFIGS.length;
  const cmds = {
    before: [process.execPath, '--import', 'tsx', path.join(a.before, 'bench/generate/ours.ts'), ...common],
    after: [process.execPath, '--import', 'tsx', 'bench/generate/ours.ts', ...common],
    peer: ['/usr/bin/python3', 'bench/peer/generate.py', ...common],
  };
  const t0 = performance.now();
  const runs = await interleaved(
    names.map((n) => ({ cmd: cmds[n], units })),
    env,
  );
  console.error(`${model}: ${units} units per side in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  for (const c of GENERATE_CONFIGS) {
    const got = runs.map((r) => (r.summary.results as Record<string, { tokens: number[]; totalMs: number[] }>)[c.key]!);
    const tps = got.map((g) => (c.batch * newTokens) / (median(g.totalMs) / 1000));
    const [before, after, peer] = tps as [number, number, number];
    const same = got.every((g) => g.tokens.join() === got[0]!.tokens.join()) ? `${newTokens}/${newTokens}` : 'no';
    console.log(
      `| ${model} | ${c.beams === 1 ? 'greedy' : `${c.beams} beams`} | ${c.batch} | ${before.toFixed(1)} | ${after.toFixed(1)} | ${peer.toFixed(1)} | ` +
        `${(after / before).toFixed(2)}× | ${(after / peer).toFixed(2)}× | ${same} |`,
    );
  }
}
