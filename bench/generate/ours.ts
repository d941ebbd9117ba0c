/**
 * multitask-lm's side of the generation benchmark (the peer is bench/peer/generate.py, which mirrors
 * it), on one model of the Hugging Face folders the peer wrote (DIR/gpt2 or DIR/t5: config.json +
 * model.safetensors), loaded as `mtl generate` loads them (`loadHfLanguageModel`). One process per
 * model and mode, so its peak resident memory (VmHWM) is that work's alone. It speaks the line
 * protocol of bench/model/interleave.ts: set up, print `ready`, then for each line `i` do unit i and
 * print its wall time (ms); at the end of stdin one JSON line.
 * - `generate`: unit i is one generation of `--new-tokens` tokens (minNewTokens as many) of the
 *   configuration i mod 4 (./configs.ts: greedy at batch 1, 8, 16; 4 beams at batch 1) through
 *   `generate` (src/generate/) with the key/value cache: gpt2 `causalLmDecoder` on the prompts (equal
 *   lengths, no padding); t5 `encoderDecoderLm` on the sources, from the decoder start token. Each
 *   configuration runs once with 4 tokens before `ready` (warm-up). The JSON: per configuration row
 *   0's tokens (first unit), the ms to row 0's first token (`onToken`; greedy only) and in all, and the
 *   process's CPU ms (user + system, `process.cpuUsage`), per unit.
 * - `train`: unit i is a training step on batch i mod 2 (./configs.ts): forward in training mode (the
 *   configs have dropout 0, as the peer's reference modules), cross-entropy over the vocabulary (gpt2:
 *   next token, logits shifted; t5: the labels behind the decoder start token), backward, the loss read
 *   back, AdamW (lr 1e-4, β (0.9, 0.999), ε 1e-8, weight decay 0.01 on every parameter), gradients
 *   cleared. One step before `ready`. The JSON: the loss of each unit.
 * Usage: node --import tsx bench/generate/ours.ts --dir bench/out/generate --model gpt2|t5 --mode generate|train [--threads 1] [--new-tokens 64]
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate, type StepDecoder } from '../../src/generate/index.js';
import { causalLmDecoder, tiedLmHead } from '../../src/models/causal-lm.js';
import { isEncoderDecoder, type EncoderDecoderBackbone } from '../../src/models/encoder-decoder.js';
import { decoderPrompts, encoderDecoderLm } from '../../src/models/encoder-decoder-lm.js';
import { AdamW } from '../../src/optim/adamw.js';
import { loadHfLanguageModel, type HfLanguageModel } from '../../src/predict/generate.js';
import * as T from '../../src/tensor/index.js';
import { peakRssMiB } from '../model/measure.js';
import { GENERATE_CONFIGS, type BenchPrompts, type GenerateConfig } from './configs.js';

const { values: a } = parseArgs({
  options: {
    dir: { type: 'string', default: 'bench/out/generate' },
    model: { type: 'string', default: 'gpt2' },
    mode: { type: 'string', default: 'generate' },
    threads: { type: 'string', default: '1' },
    'new-tokens': { type: 'string', default: '64' },
  },
});
const name = a.model as 'gpt2' | 't5';
if (!['gpt2', 't5'].includes(name)) throw new Error(`unknown --model '${name}'; expected gpt2 or t5`);
if (!['generate', 'train'].includes(a.mode as string)) throw new Error(`unknown --mode '${a.mode}'; expected generate or train`);
T.setNumThreads(Number(a.threads));
const root = a.dir as string;
const newTokens = Number(a['new-tokens']);
const prompts = JSON.parse(readFileSync(path.join(root, 'prompts.json'), 'utf8')) as BenchPrompts;

/** A mode's work: `run(i)` does unit i and returns its wall ms; `summary()` what the JSON line reports. */
interface Work {
  run(i: number): Promise<number>;
  summary(): Record<string, unknown>;
}

const int64 = (rows: readonly (readonly number[])[]): T.Tensor =>
  T.tensor(Int32Array.from(rows.flat()), {}, [rows.length, (rows[0] as readonly number[]).length]).to('int64');

/** The decoder of `rows` (gpt2: prompts; t5: sources, whose tensor `held` keeps until disposed) and its decoding prompts. */
function decoderOf(m: HfLanguageModel, rows: number[][], held: T.Tensor[]): [StepDecoder, number[][]] {
  if (!isEncoderDecoder(m.backbone)) return [causalLmDecoder(m.backbone, m.lmHead), rows];
  const sources = int64(rows);
  held.push(sources);
  return [encoderDecoderLm(m.backbone, { inputIds: sources }), decoderPrompts(m.backbone, rows.length)];
}

async function generation(m: HfLanguageModel): Promise<Work> {
  const held: T.Tensor[] = [];
  const setups = GENERATE_CONFIGS.map((c) => ({ c, d: decoderOf(m, prompts[name].slice(0, c.batch), held) }));
  const out = GENERATE_CONFIGS.map(() => ({
    tokens: [] as number[],
    firstMs: [] as number[],
    totalMs: [] as number[],
    cpuMs: [] as number[],
  }));
  /** One generation of `n` tokens: row 0's tokens, ms to row 0's first token (greedy) and in all. */
  const once = async (c: GenerateConfig, [decoder, rows]: [StepDecoder, number[][]], n: number) => {
    const t0 = performance.now();
    let first = NaN;
    const onToken = (row: number) => {
      if (row === 0 && Number.isNaN(first)) first = performance.now() - t0;
    };
    const options = { maxNewTokens: n, minNewTokens: n, numBeams: c.beams, eosTokenId: c.beams > 1 ? eosOf(m) : undefined };
    const g = await generate(decoder, rows, options, { onToken });
    return { tokens: (g[0] as { tokens: number[] }).tokens, first, total: performance.now() - t0 };
  };
  for (const s of setups) await once(s.c, s.d, 4); // warm-up
  return {
    async run(i) {
      const k = i % setups.length;
      const s = setups[k] as (typeof setups)[number];
      const cpu = process.cpuUsage();
      const r = await once(s.c, s.d, newTokens);
      const used = process.cpuUsage(cpu);
      const o = out[k] as (typeof out)[number];
      o.cpuMs.push((used.user + used.system) / 1000);
      if (o.tokens.length === 0) o.tokens = r.tokens;
      o.firstMs.push(r.first);
      o.totalMs.push(r.total);
      return r.total;
    },
    summary: () => {
      for (const t of held) t.dispose();
      return { results: Object.fromEntries(GENERATE_CONFIGS.map((c, k) => [c.key, out[k]])) };
    },
  };
}

/** The model's EOS id (config.json's eos_token_id), which beam search's hypotheses end with (masked by minNewTokens). */
function eosOf(m: HfLanguageModel): number | undefined {
  return (m.backbone.config as { eosTokenId?: number | null }).eosTokenId ?? undefined;
}

/** Training steps: forward, cross-entropy, backward, loss read back, AdamW, gradients cleared. */
async function training(m: HfLanguageModel): Promise<Work> {
  m.owner.train();
  const optimizer = new AdamW(m.owner.parameters(), { lr: 1e-4, weightDecay: 0.01 });
  const batches = prompts.train[name].map((b) => ({
    inputIds: int64(b.inputIds),
    labels: b.labels.length > 0 ? int64(b.labels) : undefined,
  }));
  const step = (k: number): number => {
    const b = batches[k % batches.length] as (typeof batches)[number];
    const loss = T.tidy(() => {
      let logits: T.Tensor;
      let labels: T.Tensor;
      if (isEncoderDecoder(m.backbone)) {
        const bb = m.backbone as EncoderDecoderBackbone;
        // decoderLabels: the decoder reads them shifted right behind the decoder start token (teacher forcing)
        const { lastHiddenState } = bb.forward({ inputIds: b.inputIds, decoderLabels: b.labels as T.Tensor });
        logits = bb.lmLogits(lastHiddenState); // (B, T, V)
        labels = b.labels as T.Tensor;
      } else {
        const { lastHiddenState } = m.backbone.forward({ inputIds: b.inputIds }); // (B, T, H)
        const T_ = b.inputIds.shape[1] as number;
        logits = (m.lmHead ?? tiedLmHead(m.backbone))(lastHiddenState).narrow(1, 0, T_ - 1); // (B, T − 1, V)
        labels = b.inputIds.narrow(1, 1, T_ - 1);
      }
      const V = logits.shape[2] as number;
      const total = T.crossEntropy(logits.reshape([-1, V]), labels.reshape([-1]));
      total.backward();
      return total.item() as number;
    });
    optimizer.step();
    optimizer.zeroGrad();
    return loss;
  };
  step(0); // warm-up
  const losses: number[] = [];
  return {
    async run(i) {
      const t0 = performance.now();
      losses.push(step(i));
      return performance.now() - t0;
    },
    summary: () => ({ losses }),
  };
}

const model = loadHfLanguageModel(path.join(root, name));
const work = a.mode === 'train' ? await training(model) : await generation(model);
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) console.log(String(await work.run(Number(line))));
const summary = work.summary();
model.owner.dispose();
console.log(JSON.stringify({ ...summary, peakRssMiB: peakRssMiB() }));
