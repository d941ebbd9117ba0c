/**
 * multitask-lm's side of the generation benchmark (the peer is bench/peer/generate.py, which mirrors
 * it): greedy decoding through `generate` (src/generate/) with the key/value cache, on the Hugging Face
 * folders the peer wrote (DIR/gpt2, DIR/t5: config.json + model.safetensors), loaded as `mtl generate`
 * loads them (`loadHfLanguageModel`). gpt2: `causalLmDecoder` on the prompts (equal lengths, no
 * padding); t5: `encoderDecoderLm` on the sources, decoding from the decoder start token. Each step
 * runs the new token with the cache, the logits of each row read back, the processors and argmax over
 * them. For each model and batch size: a warm-up generation, then `--repeats` timed generations of
 * `--new-tokens` tokens; prints one JSON line, as the peer: per configuration the tokens of row 0 and
 * the times (ms) to the first token (row 0's, `onToken`) and of the whole generation, per repeat.
 * Usage: node --import tsx bench/generate/ours.ts --dir bench/out/generate [--threads 1] [--repeats 3] [--new-tokens 64]
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

const { values: a } = parseArgs({
  options: {
    dir: { type: 'string', default: 'bench/out/generate' },
    threads: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '3' },
    'new-tokens': { type: 'string', default: '64' },
  },
});
T.setNumThreads(Number(a.threads));
const root = a.dir as string;
const repeats = Number(a.repeats);
const newTokens = Number(a['new-tokens']);

/** The prompts the suite wrote: per model, rows of token ids (gpt2: prompts; t5: sources), and the batch sizes. */
interface Prompts {
  batches: number[];
  gpt2: number[][];
  t5: number[][];
}
const prompts = JSON.parse(readFileSync(path.join(root, 'prompts.json'), 'utf8')) as Prompts;

/** One timed generation: row 0's tokens, ms to row 0's first token and in all. */
async function timed(decoder: StepDecoder, rows: number[][], n: number): Promise<[number[], number, number]> {
  const t0 = performance.now();
  let first = 0;
  const onToken = (row: number) => {
    if (row === 0 && first === 0) first = performance.now() - t0;
  };
  const out = await generate(decoder, rows, { maxNewTokens: n, minNewTokens: n }, { onToken });
  return [(out[0] as { tokens: number[] }).tokens, first, performance.now() - t0];
}

const results: Record<string, { tokens: number[]; firstMs: number[]; totalMs: number[] }> = {};
for (const name of ['gpt2', 't5'] as const) {
  const { owner, backbone, lmHead } = loadHfLanguageModel(path.join(root, name));
  try {
    for (const batch of prompts.batches) {
      const rows = prompts[name].slice(0, batch);
      let sources: T.Tensor | undefined;
      let decoder: StepDecoder;
      let decoderRows = rows;
      if (isEncoderDecoder(backbone)) {
        sources = T.tensor(Int32Array.from(rows.flat()), {}, [batch, (rows[0] as number[]).length]).to('int64');
        decoder = encoderDecoderLm(backbone, { inputIds: sources });
        decoderRows = decoderPrompts(backbone, batch);
      } else {
        decoder = causalLmDecoder(backbone, lmHead);
      }
      try {
        await timed(decoder, decoderRows, 4); // warm-up
        const runs: [number[], number, number][] = [];
        for (let r = 0; r < repeats; r++) runs.push(await timed(decoder, decoderRows, newTokens));
        results[`${name}/${batch}`] = {
          tokens: (runs[0] as [number[], number, number])[0],
          firstMs: runs.map((r) => r[1]),
          totalMs: runs.map((r) => r[2]),
        };
      } finally {
        sources?.dispose();
      }
    }
  } finally {
    owner.dispose();
  }
}
console.log(JSON.stringify(results));
