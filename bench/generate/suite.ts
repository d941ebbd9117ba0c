/**
 * The generation benchmark: decoding with a key/value cache and training steps, multitask-lm
 * (bench/generate/ours.ts) beside a PyTorch peer that decodes as Hugging Face's `generate` does and
 * trains as its Trainer does (bench/peer/generate.py), on the same weights (one safetensors file per
 * model, written by the peer: a GPT-2 small-shaped decoder, 124M parameters, and a t5-small-shaped
 * encoder-decoder, 60M, seeded random weights) and the same token ids (./configs.ts).
 * Per model and mode (generate, train) one process per side, asked unit by unit in turns
 * (bench/model/interleave.ts: a unit of one side is seconds from the same unit of the other, so a
 * shared machine's load hits both alike); `repeats` units per configuration, medians.
 * Reported: generated tokens/s (batch × new tokens / wall time of the whole generation; beam search
 * counts the returned sequences' tokens), per-token latency (greedy: the wall time after the first
 * token / the tokens after it), time to the first token (the prompt or the encoder, and one step), and
 * whether row 0's tokens agree; training tokens/s (input tokens: gpt2 B·T, t5 B·(source + labels)) and
 * the losses' largest difference; each process's peak resident memory (VmHWM).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { interleaved, type SideRun } from '../model/interleave.js';
import { median } from '../model/measure.js';
import { GENERATE_CONFIGS, TRAIN_SHAPE, writePrompts } from './configs.js';

export interface GenerateSuiteOptions {
  /** Units per configuration and side (generations of each configuration; training steps: twice as many). */
  repeats: number;
  threads: number;
  newTokens: number;
  /** Where the models and prompts go (bench/out/generate). */
  dir: string;
  env: NodeJS.ProcessEnv;
}

type Model = 'gpt2' | 't5';
const MODELS: readonly Model[] = ['gpt2', 't5'];

interface ConfigRuns {
  tokens: number[];
  firstMs: (number | null)[];
  totalMs: number[];
}

export interface GenerateRow {
  model: Model;
  key: string;
  batch: number;
  beams: number;
  ours: { tokensPerS: number; msPerToken: number; firstMs: number };
  peer: { tokensPerS: number; msPerToken: number; firstMs: number };
  /** ours/peer of tokens/s (above 1: ours faster). */
  ratio: number;
  /** Of row 0's new tokens, how many leading ones the two sides agree on. */
  sameTokens: number;
}

export interface TrainRow {
  model: Model;
  tokensPerStep: number;
  ours: { msPerStep: number; tokensPerS: number };
  peer: { msPerStep: number; tokensPerS: number };
  ratio: number;
  /** The largest |loss ours − loss peer| over the steps. */
  lossDiff: number;
  firstLoss: number;
}

export interface MemoryRow {
  model: Model;
  mode: 'generate' | 'train';
  oursMiB: number;
  peerMiB: number;
}

export interface GenerateSuiteResult {
  rows: GenerateRow[];
  training: TrainRow[];
  memory: MemoryRow[];
}

function decoding(runs: ConfigRuns, batch: number, newTokens: number) {
  const total = median(runs.totalMs);
  const firsts = runs.firstMs.filter((f): f is number => f !== null && Number.isFinite(f));
  const after = runs.totalMs.map((t, i) => t - (runs.firstMs[i] ?? NaN)).filter(Number.isFinite);
  return {
    tokensPerS: (batch * newTokens) / (total / 1000),
    msPerToken: after.length === 0 ? NaN : median(after) / (newTokens - 1),
    firstMs: firsts.length === 0 ? NaN : median(firsts),
  };
}

const resultsOf = (run: SideRun) => run.summary.results as Record<string, ConfigRuns>;

function generateRows(model: Model, ours: SideRun, peer: SideRun, newTokens: number): GenerateRow[] {
  return GENERATE_CONFIGS.map((c) => {
    const a = resultsOf(ours)[c.key] as ConfigRuns;
    const b = resultsOf(peer)[c.key] as ConfigRuns;
    let same = 0;
    while (same < a.tokens.length && a.tokens[same] === b.tokens[same]) same++;
    const o = decoding(a, c.batch, newTokens);
    const p = decoding(b, c.batch, newTokens);
    return { model, key: c.key, batch: c.batch, beams: c.beams, ours: o, peer: p, ratio: o.tokensPerS / p.tokensPerS, sameTokens: same };
  });
}

function trainRow(model: Model, ours: SideRun, peer: SideRun): TrainRow {
  const s = TRAIN_SHAPE;
  const tokensPerStep = s.batch * (model === 'gpt2' ? s.gpt2Tokens : s.t5Source + s.t5Labels);
  const side = (r: SideRun) => {
    const ms = median(r.timesMs);
    return { msPerStep: ms, tokensPerS: tokensPerStep / (ms / 1000) };
  };
  const a = ours.summary.losses as number[];
  const b = peer.summary.losses as number[];
  const o = side(ours);
  const p = side(peer);
  return {
    model,
    tokensPerStep,
    ours: o,
    peer: p,
    ratio: o.tokensPerS / p.tokensPerS,
    lossDiff: Math.max(...a.map((l, i) => Math.abs(l - (b[i] as number)))),
    firstLoss: a[0] as number,
  };
}

/** Runs both sides, model by model and mode by mode, unit by unit in turns. */
export async function runGenerateSuite(o: GenerateSuiteOptions, log: (line: string) => void): Promise<GenerateSuiteResult> {
  mkdirSync(o.dir, { recursive: true });
  if (!MODELS.every((m) => existsSync(path.join(o.dir, m, 'model.safetensors')))) {
    log(`writing the models to ${o.dir} (bench/peer/generate.py --write)`);
    execFileSync('/usr/bin/python3', ['bench/peer/generate.py', '--dir', o.dir, '--write'], { env: o.env, stdio: 'inherit' });
  }
  writePrompts(o.dir);
  const result: GenerateSuiteResult = { rows: [], training: [], memory: [] };
  for (const model of MODELS)
    for (const mode of ['generate', 'train'] as const) {
      const common = [
        '--dir',
        o.dir,
        '--model',
        model,
        '--mode',
        mode,
        '--threads',
        String(o.threads),
        '--new-tokens',
        String(o.newTokens),
      ];
      const units = mode === 'generate' ? o.repeats * GENERATE_CONFIGS.length : 2 * o.repeats;
      const t0 = performance.now();
      const [ours, peer] = (await interleaved(
        [
          { cmd: [process.execPath, '--import', 'tsx', 'bench/generate/ours.ts', ...common], units },
          { cmd: ['/usr/bin/python3', 'bench/peer/generate.py', ...common], units },
        ],
        o.env,
      )) as [SideRun, SideRun];
      log(`${model} ${mode}: ${units} units per side in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      if (mode === 'generate') result.rows.push(...generateRows(model, ours, peer, o.newTokens));
      else result.training.push(trainRow(model, ours, peer));
      result.memory.push({ model, mode, oursMiB: ours.summary.peakRssMiB as number, peerMiB: peer.summary.peakRssMiB as number });
    }
  return result;
}

const SHAPE: Record<Model, string> = { gpt2: 'GPT-2 small shape (124M), prompt 16', t5: 't5-small shape (60M), source 32' };
const f = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** The Markdown tables of a run: decoding, training, peak resident memory. */
export function generateTable(r: GenerateSuiteResult, newTokens: number): string {
  const s = TRAIN_SHAPE;
  return [
    `| model | decoding | batch | tokens/s ours | tokens/s PyTorch | ours/PyTorch | ms/token ours | ms/token PyTorch | first token ms ours | PyTorch | row 0 agrees |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.map(
      (x) =>
        `| ${SHAPE[x.model]} | ${x.beams === 1 ? 'greedy' : `${x.beams} beams`} | ${x.batch} | ${f(x.ours.tokensPerS, 1)} | ${f(x.peer.tokensPerS, 1)} | ` +
        `${f(x.ratio, 2)}× | ${f(x.ours.msPerToken, 2)} | ${f(x.peer.msPerToken, 2)} | ${f(x.ours.firstMs, 1)} | ${f(x.peer.firstMs, 1)} | ${x.sameTokens}/${newTokens} |`,
    ),
    '',
    `Training steps (forward, cross-entropy, backward, loss read back, AdamW lr 1e-4 / weight decay 0.01, gradients cleared; ` +
      `batch ${s.batch}: GPT-2 ${s.gpt2Tokens} tokens a row, t5 ${s.t5Source} source + ${s.t5Labels} label tokens a row):`,
    '',
    '| model | tokens/step | ms/step ours | ms/step PyTorch | tokens/s ours | tokens/s PyTorch | ours/PyTorch | first loss | largest loss difference |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.training.map(
      (x) =>
        `| ${SHAPE[x.model].split(',')[0]} | ${x.tokensPerStep} | ${f(x.ours.msPerStep, 0)} | ${f(x.peer.msPerStep, 0)} | ${f(x.ours.tokensPerS, 0)} | ` +
        `${f(x.peer.tokensPerS, 0)} | ${f(x.ratio, 2)}× | ${f(x.firstLoss, 4)} | ${x.lossDiff.toExponential(1)} |`,
    ),
    '',
    'Peak resident memory of each process (VmHWM; one process per model and mode and side):',
    '',
    '| model | work | ours MiB | PyTorch MiB |',
    '| --- | --- | ---: | ---: |',
    ...r.memory.map(
      (x) =>
        `| ${SHAPE[x.model].split(',')[0]} | ${x.mode === 'generate' ? 'decoding (all configurations)' : 'training'} | ${f(x.oursMiB, 0)} | ${f(x.peerMiB, 0)} |`,
    ),
  ].join('\n');
}
