/**
 * TextGenerator (what `mtl generate` and `mtl serve`'s /generate run) on tiny Hugging Face GPT-2 and
 * Llama folders: with the key/value cache each step after the prompt runs the backbone on one new
 * token, and gives the same tokens and text as without it (greedy, sampling, beam search); the text
 * is decoded a window of recent tokens at a time while streaming, the pieces joined = the text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GenerateOptions } from '../../src/generate/index.js';
import type { ModelInputs } from '../../src/models/backbone.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { writeHfFolder } from '../helpers/hf-folder.js';

checkNoLeaks();
let root = '';
before(() => (root = mkdtempSync(path.join(tmpdir(), 'mtl-text-generator-'))));
after(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  tokens: number[];
  text: string;
  streamed: string;
  /** Per backbone call: [new tokens T, cached tokens P]. */
  calls: [number, number][];
  /** Tokens given to the tokenizer's decode, per call. */
  decoded: number[];
}

/** Generates from `prompt`, recording what the backbone and the tokenizer are given. */
async function run(generator: TextGenerator, prompt: string, options: GenerateOptions): Promise<Run> {
  const calls: [number, number][] = [];
  const decoded: number[] = [];
  const backbone = generator.backbone;
  const forward = backbone.forward.bind(backbone);
  const decode = generator.tokenizer.decode.bind(generator.tokenizer);
  Object.assign(backbone, {
    forward: (inputs: ModelInputs) => {
      calls.push([inputs.inputIds.shape[1] as number, inputs.pastKeyValues?.length ?? 0]);
      return forward(inputs);
    },
  });
  Object.assign(generator.tokenizer, {
    decode: (ids: readonly number[], o?: { skipSpecialTokens?: boolean }) => {
      decoded.push(ids.length);
      return decode(ids, o);
    },
  });
  try {
    const pieces: string[] = [];
    const g = await generator.generate(prompt, options, (piece) => void pieces.push(piece));
    return { tokens: g.tokens, text: g.text, streamed: pieces.join(''), calls, decoded };
  } finally {
    Object.assign(backbone, { forward });
    Object.assign(generator.tokenizer, { decode });
  }
}

const N = 48;
const CASES: [string, GenerateOptions][] = [
  ['greedy', { maxNewTokens: N, minNewTokens: N }],
  ['sampling', { maxNewTokens: N, minNewTokens: N, doSample: true, temperature: 1.2, topK: 30, seed: 11 }],
  ['beam search', { maxNewTokens: N, minNewTokens: N, numBeams: 3 }],
];

for (const family of ['gpt2', 'llama']) {
  describe(`TextGenerator (${family})`, () => {
    for (const [name, options] of CASES) {
      it(`${name}: one new token per step with the cache; the same tokens and text as without it`, async () => {
        using generator = TextGenerator.load(writeHfFolder(path.join(root, family), family, 'tokenizer.json'));
        const prompt = 'play some jazz on spotify';
        const cached = await run(generator, prompt, options);
        const uncached = await run(generator, prompt, { ...options, useCache: false });
        assert.equal(cached.tokens.length, N);
        assert.deepEqual(cached.tokens, uncached.tokens);
        assert.equal(cached.text, uncached.text);
        assert.equal(cached.streamed, cached.text);
        const P = (await generator.encodePrompt(prompt)).ids.length;
        // the prompt, then each step the one token chosen last, after all the tokens before it
        assert.deepEqual(cached.calls, [[P, 0], ...Array.from({ length: N - 1 }, (_, i): [number, number] => [1, P + i])]);
        // without the cache every step runs the whole sequence
        assert.deepEqual(
          uncached.calls,
          Array.from({ length: N }, (_, i): [number, number] => [P + i, 0]),
        );
        // streaming decodes a window of recent tokens per step, then the whole text once at the end
        const streaming = cached.decoded.slice(0, -1);
        assert.equal(cached.decoded.at(-1), N);
        if (options.numBeams === undefined)
          assert.ok(streaming.length >= N && streaming.every((n) => n <= 32), JSON.stringify(cached.decoded));
      });
    }
  });
}
