/**
 * Counts what one decoding step costs on our side: libtorch operators called (`native.call`, by
 * schema name) with the process CPU time spent inside each (process.cpuUsage around the call: what the
 * kernels cost, whatever the machine's load), and all N-API crossings (every function of the binding:
 * shape and dtype reads, frees, …), per step of a generation on the generation benchmark's models
 * (bench/run.ts generate writes them). Steps 2 … n are counted (the first runs the prompt or the
 * encoder): a generation of n steps less one of 1 step.
 * Usage: node --import tsx bench/generate/op-count.ts [--dir bench/out/generate] [--model t5] [--batch 1] [--beams 4] [--steps 8] [--gemv on|off]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate, type StepDecoder } from '../../src/generate/index.js';
import { causalLmDecoder } from '../../src/models/causal-lm.js';
import { isEncoderDecoder } from '../../src/models/encoder-decoder.js';
import { decoderPrompts, encoderDecoderLm } from '../../src/models/encoder-decoder-lm.js';
import { loadHfLanguageModel } from '../../src/predict/generate.js';
import * as T from '../../src/tensor/index.js';
import { native } from '../../src/tensor/native.js';
import type { BenchPrompts } from './configs.js';

const { values: a } = parseArgs({
  options: {
    dir: { type: 'string', default: 'bench/out/generate' },
    model: { type: 'string', default: 't5' },
    batch: { type: 'string', default: '1' },
    beams: { type: 'string', default: '1' },
    steps: { type: 'string', default: '8' },
    gemv: { type: 'string', default: 'on' },
  },
});
T.setNumThreads(1);
T.setOneRowGemv(a.gemv === 'on');
const name = a.model as 'gpt2' | 't5';
const batch = Number(a.batch);
const beams = Number(a.beams);
const steps = Number(a.steps);
const prompts = JSON.parse(readFileSync(path.join(a.dir as string, 'prompts.json'), 'utf8')) as BenchPrompts;
const m = loadHfLanguageModel(path.join(a.dir as string, name));
const rows = prompts[name].slice(0, batch);
let decoder: StepDecoder;
let decoderRows = rows;
let sources: T.Tensor | undefined;
if (isEncoderDecoder(m.backbone)) {
  sources = T.tensor(Int32Array.from(rows.flat()), {}, [rows.length, (rows[0] as number[]).length]).to('int64');
  decoder = encoderDecoderLm(m.backbone, { inputIds: sources });
  decoderRows = decoderPrompts(m.backbone, rows.length);
} else decoder = causalLmDecoder(m.backbone, m.lmHead);

// every binding function counted by name; operator calls by schema name (handles resolved through opHandle)
const opNames = new Map<number, string>();
const crossings = new Map<string, number>();
const ops = new Map<string, number>();
const opCpu = new Map<string, number>();
let counting = false;
const binding = native as unknown as Record<string, unknown>;
void native.shape; // loads the binding, so its functions are own properties to wrap
for (const key of Object.keys(binding)) {
  const f = binding[key];
  if (typeof f !== 'function') continue;
  binding[key] = (...args: unknown[]) => {
    const cpu = counting && key === 'call' ? process.cpuUsage() : undefined;
    const out = (f as (...x: unknown[]) => unknown)(...args);
    if (cpu !== undefined) {
      const used = process.cpuUsage(cpu);
      const op = opNames.get(args[0] as number) ?? `#${String(args[0])}`;
      opCpu.set(op, (opCpu.get(op) ?? 0) + (used.user + used.system) / 1000);
    }
    if (key === 'opHandle') opNames.set(out as number, `${String(args[0])}${args[1] ? `.${String(args[1])}` : ''}`);
    if (counting) {
      crossings.set(key, (crossings.get(key) ?? 0) + 1);
      if (key === 'call') {
        const op = opNames.get(args[0] as number) ?? `#${String(args[0])}`;
        ops.set(op, (ops.get(op) ?? 0) + 1);
      }
    }
    return out;
  };
}
const eos = (m.backbone.config as { eosTokenId?: number | null }).eosTokenId ?? undefined;
const options = { maxNewTokens: steps, minNewTokens: steps, numBeams: beams, eosTokenId: beams > 1 ? eos : undefined };
// the hook runs after each step's pick (greedy); for beams count the whole generation and subtract a 1-step one
const count = async (n: number) => {
  crossings.clear();
  ops.clear();
  opCpu.clear();
  counting = true;
  const cpu = process.cpuUsage();
  await generate(decoder, decoderRows, { ...options, maxNewTokens: n, minNewTokens: n });
  const used = process.cpuUsage(cpu);
  counting = false;
  crossings.set('(CPU ms in all)', (used.user + used.system) / 1000);
  return { crossings: new Map(crossings), ops: new Map(ops), opCpu: new Map(opCpu) };
};
await count(2); // warm-up (operator handles resolved)
const one = await count(1);
const many = await count(steps);
const per = (k: 'crossings' | 'ops' | 'opCpu') => {
  const out = new Map<string, number>();
  for (const [key, v] of many[k]) out.set(key, (v - (one[k].get(key) ?? 0)) / (steps - 1));
  return [...out].filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]);
};
const total = (l: [string, number][]) => l.reduce((s, [, v]) => s + v, 0);
const o = per('ops');
const c = per('crossings').filter(([k]) => k !== '(CPU ms in all)');
const all = (many.crossings.get('(CPU ms in all)')! - one.crossings.get('(CPU ms in all)')!) / (steps - 1);
const t = per('opCpu');
console.log(
  `${name} batch ${batch} beams ${beams} gemv ${a.gemv}: per step (steps 2…${steps}) ${total(o).toFixed(1)} operator calls, ${total(c).toFixed(1)} N-API crossings`,
);
console.log('operators:', o.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
console.log(
  `CPU ms per step: ${all.toFixed(1)} in all (the counting included), ${total(t).toFixed(1)} inside operators:`,
  t.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', '),
);
console.log('crossings:', c.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
sources?.dispose();
m.owner.dispose();
