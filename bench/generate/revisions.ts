/**
 * Before/after of a change to decoding: our side at another checkout (`--before`, e.g. a `git worktree`
 * of the commit before the change, its node_modules and build/ linked), our side here, and the peer,
 * three processes per model asked unit by unit in turns (bench/model/interleave.ts), on the models and
 * prompts of `bench/run.ts generate` (run it once first, or `bench/peer/generate.py --write` and
 * configs.ts's writePrompts). Prints, per model and configuration, the median tokens/s of each and the
 * ratios after/before and after/peer, the same ratios of the median CPU time (user + system) a
 * generation took in each process (what a shared machine's load moves least), and whether row 0's
 * tokens agree. The before side runs its own checkout's bench/generate/ours.ts; CPU figures need one that
 * reports them (copy this one's in).
 * Usage: node --import tsx bench/generate/revisions.ts --before /tmp/before [--repeats 2] [--models gpt2,t5] [--configs greedy/1,beam4/1] [--threads 1] [--new-tokens 64]
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
    configs: { type: 'string', default: GENERATE_CONFIGS.map((c) => c.key).join(',') },
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

const wanted = (a.configs as string).split(',');
console.log(
  '| model | decoding | batch | tokens/s before | tokens/s after | tokens/s PyTorch | after/before | after/PyTorch | ' +
    'CPU ms before | CPU ms after | CPU ms PyTorch | CPU before/after | CPU PyTorch/after | row 0 agrees (after = before = PyTorch) |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
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
  // ours.ts and generate.py run configuration (unit mod 4): ask only for the wanted ones
  const picked = GENERATE_CONFIGS.flatMap((c, k) => (wanted.includes(c.key) ? [k] : []));
  const units = Number(a.repeats) * picked.length;
  const unitLine = (i: number) => Math.floor(i / picked.length) * GENERATE_CONFIGS.length + (picked[i % picked.length] as number);
  const cmds = {
    before: [process.execPath, '--import', 'tsx', path.join(a.before, 'bench/generate/ours.ts'), ...common],
    after: [process.execPath, '--import', 'tsx', 'bench/generate/ours.ts', ...common],
    peer: ['/usr/bin/python3', 'bench/peer/generate.py', ...common],
  };
  const t0 = performance.now();
  const runs = await interleaved(
    names.map((n) => ({ cmd: cmds[n], units, unitLine })),
    env,
  );
  console.error(`${model}: ${units} units per side in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  for (const c of GENERATE_CONFIGS.filter((g) => wanted.includes(g.key))) {
    type Runs = { tokens: number[]; totalMs: number[]; cpuMs?: number[] };
    const got = runs.map((r) => (r.summary.results as Record<string, Runs>)[c.key]!);
    const tps = got.map((g) => (c.batch * newTokens) / (median(g.totalMs) / 1000));
    const [before, after, peer] = tps as [number, number, number];
    const [cpuBefore, cpuAfter, cpuPeer] = got.map((g) => (g.cpuMs === undefined ? NaN : median(g.cpuMs))) as [number, number, number];
    const same = got.every((g) => g.tokens.join() === got[0]!.tokens.join()) ? `${newTokens}/${newTokens}` : 'no';
    console.log(
      `| ${model} | ${c.beams === 1 ? 'greedy' : `${c.beams} beams`} | ${c.batch} | ${before.toFixed(1)} | ${after.toFixed(1)} | ${peer.toFixed(1)} | ` +
        `${(after / before).toFixed(2)}× | ${(after / peer).toFixed(2)}× | ${cpuBefore.toFixed(0)} | ${cpuAfter.toFixed(0)} | ${cpuPeer.toFixed(0)} | ` +
        `${(cpuBefore / cpuAfter).toFixed(2)}× | ${(cpuPeer / cpuAfter).toFixed(2)}× | ${same} |`,
    );
  }
}
