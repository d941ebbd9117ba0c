/**
 * Before/after of `linear`'s gemv path for one row (src/tensor/ops/linear-rows.ts, `setOneRowGemv`) in
 * one process: generations of the generation benchmark's models (bench/run.ts generate writes them)
 * alternate between the path off (every product through aten::linear, addmm) and on, so the load of
 * a shared machine hits both alike. Per model and configuration: the median wall ms and CPU ms
 * (process.cpuUsage, user + system: one libtorch and one OpenBLAS thread) of a generation each way,
 * their ratios off/on (above 1: the gemv path faster), and whether the tokens are identical.
 * Usage: node --import tsx bench/generate/one-row.ts [--dir bench/out/generate] [--repeats 3] [--new-tokens 32] [--models gpt2,t5] [--configs greedy/1,beam4/1]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate, type StepDecoder } from '../../src/generate/index.js';
import { causalLmDecoder } from '../../src/models/causal-lm.js';
import { isEncoderDecoder } from '../../src/models/encoder-decoder.js';
import { decoderPrompts, encoderDecoderLm } from '../../src/models/encoder-decoder-lm.js';
import { loadHfLanguageModel, type HfLanguageModel } from '../../src/predict/generate.js';
import * as T from '../../src/tensor/index.js';
import { median } from '../model/measure.js';
import { GENERATE_CONFIGS, type BenchPrompts } from './configs.js';

const { values: a } = parseArgs({
  options: {
    dir: { type: 'string', default: 'bench/out/generate' },
    repeats: { type: 'string', default: '3' },
    'new-tokens': { type: 'string', default: '32' },
    models: { type: 'string', default: 'gpt2,t5' },
    configs: { type: 'string', default: 'greedy/1' },
  },
});
T.setNumThreads(1);
const root = a.dir as string;
const newTokens = Number(a['new-tokens']);
const prompts = JSON.parse(readFileSync(path.join(root, 'prompts.json'), 'utf8')) as BenchPrompts;
const configs = GENERATE_CONFIGS.filter((c) => (a.configs as string).split(',').includes(c.key));

function decoderOf(m: HfLanguageModel, name: 'gpt2' | 't5', batch: number, held: T.Tensor[]): [StepDecoder, number[][]] {
  const rows = prompts[name].slice(0, batch);
  if (!isEncoderDecoder(m.backbone)) return [causalLmDecoder(m.backbone, m.lmHead), rows];
  const sources = T.tensor(Int32Array.from(rows.flat()), {}, [rows.length, (rows[0] as number[]).length]).to('int64');
  held.push(sources);
  return [encoderDecoderLm(m.backbone, { inputIds: sources }), decoderPrompts(m.backbone, rows.length)];
}

console.log(
  '| model | decoding | batch | wall ms off | wall ms on | off/on wall | CPU ms off | CPU ms on | off/on CPU | tokens identical |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const name of (a.models as string).split(',') as ('gpt2' | 't5')[]) {
  const m = loadHfLanguageModel(path.join(root, name));
  const eos = (m.backbone.config as { eosTokenId?: number | null }).eosTokenId ?? undefined;
  for (const c of configs) {
    const held: T.Tensor[] = [];
    const [decoder, rows] = decoderOf(m, name, c.batch, held);
    const options = (n: number) => ({ maxNewTokens: n, minNewTokens: n, numBeams: c.beams, eosTokenId: c.beams > 1 ? eos : undefined });
    const once = async (on: boolean, n: number) => {
      T.setOneRowGemv(on);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const g = await generate(decoder, rows, options(n));
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      return { wall, cpu: (cpu.user + cpu.system) / 1000, tokens: g.map((x) => x.tokens.join()).join('|') };
    };
    await once(false, 4); // warm-up
    await once(true, 4);
    const runs = { off: [] as Awaited<ReturnType<typeof once>>[], on: [] as Awaited<ReturnType<typeof once>>[] };
    for (let i = 0; i < Number(a.repeats); i++)
      for (const side of i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const))
        runs[side].push(await once(side === 'on', newTokens));
    const med = (side: 'off' | 'on', k: 'wall' | 'cpu') => median(runs[side].map((r) => r[k]));
    const same = [...runs.off, ...runs.on].every((r) => r.tokens === (runs.off[0] as { tokens: string }).tokens);
    console.log(
      `| ${name} | ${c.beams === 1 ? 'greedy' : `${c.beams} beams`} | ${c.batch} | ${med('off', 'wall').toFixed(0)} | ${med('on', 'wall').toFixed(0)} | ` +
        `${(med('off', 'wall') / med('on', 'wall')).toFixed(2)}× | ${med('off', 'cpu').toFixed(0)} | ${med('on', 'cpu').toFixed(0)} | ` +
        `${(med('off', 'cpu') / med('on', 'cpu')).toFixed(2)}× | ${same ? 'yes' : 'no'} |`,
    );
    for (const t of held) t.dispose();
  }
  m.owner.dispose();
}
T.setOneRowGemv(true);
