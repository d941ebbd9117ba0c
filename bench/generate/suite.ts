/**
 * The generation benchmark: greedy decoding with a key/value cache, multitask-lm (bench/generate/ours.ts)
 * beside a PyTorch peer that decodes as Hugging Face's `generate` does (bench/peer/generate.py), on the
 * same weights (one safetensors file per model, written by the peer: a GPT-2 small-shaped decoder,
 * 124M parameters, and a t5-small-shaped encoder-decoder, 60M, seeded random weights) and the same
 * prompts (seeded random token ids: 16 per GPT-2 prompt, 32 per T5 source), batch 1 and batch 8, 64
 * new tokens. The two sides run as separate processes taking turns, `rounds` times each, each process
 * timing `repeats` generations after a warm-up; medians over all of them.
 * Reported per model and batch: generated tokens/s (batch × new tokens / wall time of the whole
 * generation), per-token latency (the wall time after the first token / the tokens after it), time to
 * the first token (the prompt or the encoder, and one step), and whether row 0's tokens agree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededUniform } from '../../src/generate/processors.js';
import { median } from '../model/measure.js';

export interface GenerateSuiteOptions {
  /** Processes per side, taking turns. */
  rounds: number;
  /** Timed generations per process. */
  repeats: number;
  threads: number;
  newTokens: number;
  /** Where the models and prompts go (bench/out/generate). */
  dir: string;
  env: NodeJS.ProcessEnv;
}

interface SideRuns {
  tokens: number[];
  firstMs: number[];
  totalMs: number[];
}

export interface GenerateRow {
  model: string;
  batch: number;
  ours: { tokensPerS: number; msPerToken: number; firstMs: number };
  peer: { tokensPerS: number; msPerToken: number; firstMs: number };
  /** ours/peer of tokens/s (above 1: ours faster). */
  ratio: number;
  /** Of row 0's new tokens, how many leading ones the two sides agree on. */
  sameTokens: number;
}

const BATCHES = [1, 8];
const VOCAB = { gpt2: 50257, t5: 32128 };

/** Seeded prompts: 8 rows of 16 GPT-2 token ids and 8 rows of 32 T5 token ids (none special). */
function writePrompts(dir: string): void {
  const uniform = seededUniform(20261206);
  const rows = (n: number, length: number, vocab: number) =>
    Array.from({ length: n }, () => Array.from({ length }, () => 2 + Math.floor(uniform() * (vocab - 3))));
  const prompts = { batches: BATCHES, gpt2: rows(8, 16, VOCAB.gpt2), t5: rows(8, 32, VOCAB.t5) };
  writeFileSync(path.join(dir, 'prompts.json'), `${JSON.stringify(prompts)}\n`);
}

function summary(runs: SideRuns[], batch: number, newTokens: number) {
  const total = median(runs.flatMap((r) => r.totalMs));
  const first = median(runs.flatMap((r) => r.firstMs));
  const after = median(runs.flatMap((r) => r.totalMs.map((t, i) => t - (r.firstMs[i] as number))));
  return { tokensPerS: (batch * newTokens) / (total / 1000), msPerToken: after / (newTokens - 1), firstMs: first };
}

/** Runs both sides `rounds` times each, in turns; one row per model and batch size. */
export function runGenerateSuite(o: GenerateSuiteOptions, log: (line: string) => void): GenerateRow[] {
  mkdirSync(o.dir, { recursive: true });
  if (!['gpt2', 't5'].every((m) => existsSync(path.join(o.dir, m, 'model.safetensors')))) {
    log(`writing the models to ${o.dir} (bench/peer/generate.py --write)`);
    execFileSync('/usr/bin/python3', ['bench/peer/generate.py', '--dir', o.dir, '--write'], { env: o.env, stdio: 'inherit' });
  }
  writePrompts(o.dir);
  const common = ['--dir', o.dir, '--threads', String(o.threads), '--repeats', String(o.repeats), '--new-tokens', String(o.newTokens)];
  const sides = {
    ours: [process.execPath, '--import', 'tsx', 'bench/generate/ours.ts', ...common],
    peer: ['/usr/bin/python3', 'bench/peer/generate.py', ...common],
  };
  const got: Record<'ours' | 'peer', Record<string, SideRuns>[]> = { ours: [], peer: [] };
  for (let r = 0; r < o.rounds; r++)
    for (const side of r % 2 === 0 ? (['ours', 'peer'] as const) : (['peer', 'ours'] as const)) {
      const cmd = sides[side];
      const out = execFileSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8', env: o.env })
        .trim()
        .split('\n')
        .pop() as string;
      got[side].push(JSON.parse(out) as Record<string, SideRuns>);
      log(`round ${r + 1}/${o.rounds}: ${side} done`);
    }
  const rows: GenerateRow[] = [];
  for (const model of ['gpt2', 't5'])
    for (const batch of BATCHES) {
      const key = `${model}/${batch}`;
      const ours = summary(
        got.ours.map((g) => g[key] as SideRuns),
        batch,
        o.newTokens,
      );
      const peer = summary(
        got.peer.map((g) => g[key] as SideRuns),
        batch,
        o.newTokens,
      );
      const a = (got.ours[0] as Record<string, SideRuns>)[key]?.tokens ?? [];
      const b = (got.peer[0] as Record<string, SideRuns>)[key]?.tokens ?? [];
      let same = 0;
      while (same < a.length && a[same] === b[same]) same++;
      rows.push({ model, batch, ours, peer, ratio: ours.tokensPerS / peer.tokensPerS, sameTokens: same });
    }
  return rows;
}

/** The Markdown table of the rows. */
export function generateTable(rows: readonly GenerateRow[], newTokens: number): string {
  const shape = { gpt2: 'GPT-2 small shape (124M), prompt 16', t5: 't5-small shape (60M), source 32' } as Record<string, string>;
  return [
    `| model | batch | tokens/s ours | tokens/s PyTorch | ours/PyTorch | ms/token ours | ms/token PyTorch | first token ms ours | PyTorch | row 0 agrees |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${shape[r.model] ?? r.model} | ${r.batch} | ${r.ours.tokensPerS.toFixed(1)} | ${r.peer.tokensPerS.toFixed(1)} | ${r.ratio.toFixed(2)}× | ` +
        `${r.ours.msPerToken.toFixed(2)} | ${r.peer.msPerToken.toFixed(2)} | ${r.ours.firstMs.toFixed(1)} | ${r.peer.firstMs.toFixed(1)} | ${r.sameTokens}/${newTokens} |`,
    ),
  ].join('\n');
}
