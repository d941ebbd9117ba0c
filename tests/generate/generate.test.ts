/**
 * `generate` on the tiny GPT-2 of scripts/fixtures/decoders.py against that script's decoding
 * references (run there without a key/value cache, each prompt alone): greedy, EOS, repetition
 * penalty + no-repeat n-grams + min_new_tokens, beam search (3 beams; 4 beams with early stopping,
 * length penalty and the rules). Then the properties: batched = one by one, cache = no cache,
 * beam search with 1 beam = greedy, top-k 1 = greedy, seeded sampling reproducible, stop strings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { beamSearch } from '../../src/generate/beam-search.js';
import { generate, resolveGenerateOptions, type Generation, type StepDecoder } from '../../src/generate/index.js';
import { causalLmDecoder } from '../../src/models/causal-lm.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { decoderCases, generateOptions, referenceDecoder, type DecoderCase } from '../models/decoder-fixture.js';
import type { Backbone } from '../../src/models/backbone.js';

checkNoLeaks();
const c = decoderCases.gpt2 as DecoderCase;

/** Runs `fn` with the reference GPT-2 as a StepDecoder, then frees the model. */
async function withDecoder<T>(fn: (decoder: StepDecoder, model: Backbone) => Promise<T>): Promise<T> {
  const { model } = referenceDecoder('gpt2');
  try {
    return await fn(causalLmDecoder(model), model);
  } finally {
    model.dispose();
  }
}

const tokensOf = (gs: Generation[]): number[][] => gs.map((g) => g.tokens);

describe('generate (gpt2 tiny)', () => {
  for (const [name, d] of Object.entries(c.decoding)) {
    it(`${name}: equals the Python reference, one by one and as a left-padded batch`, () =>
      withDecoder(async (decoder) => {
        const options = generateOptions(d.options);
        const batched = await generate(decoder, c.prompts, options);
        const alone: Generation[] = [];
        for (const p of c.prompts) alone.push(...(await generate(decoder, [p], options)));
        d.outputs.forEach((want, i) => {
          for (const [how, got] of [
            ['batched', batched[i]!],
            ['alone', alone[i]!],
          ] as const) {
            assert.deepEqual(got.tokens, want.tokens, `${name} row ${i} (${how})`);
            assert.equal(got.finishReason, want.finish_reason, `${name} row ${i} (${how}) finish reason`);
            if (want.score !== undefined)
              assert.ok(Math.abs(got.score! - want.score) < 1e-4, `${name} row ${i} score ${got.score} vs ${want.score}`);
          }
        });
      }));
  }

  it('gives the same tokens with and without the key/value cache (greedy, sampling, beam search)', () =>
    withDecoder(async (decoder) => {
      for (const options of [
        generateOptions(c.decoding.greedy_rules!.options),
        { maxNewTokens: 10, doSample: true, temperature: 1.3, topK: 20, topP: 0.9, seed: 7 },
        generateOptions(c.decoding.beam_3!.options),
      ]) {
        const cached = await generate(decoder, c.prompts, options);
        const uncached = await generate(decoder, c.prompts, { ...options, useCache: false });
        assert.deepEqual(tokensOf(cached), tokensOf(uncached), JSON.stringify(options));
      }
    }));

  it('beam search with one beam is greedy decoding (stopping at its first hypothesis)', () =>
    withDecoder(async (decoder) => {
      // the rules that act on logits and log-probabilities alike (a ban is −∞ in both); the repetition
      // penalty divides logits in greedy decoding but log-probabilities in beam search (Hugging Face)
      const eosTokenId = c.decoding.greedy_rules!.options.eos_token_id as number;
      const options = { maxNewTokens: 12, eosTokenId, minNewTokens: 4, noRepeatNgramSize: 2, earlyStopping: true } as const;
      const greedy = await generate(decoder, c.prompts, { ...options, earlyStopping: undefined });
      assert.ok(
        greedy.some((g) => g.finishReason === 'eos'),
        JSON.stringify(greedy),
      );
      const oneBeam = await beamSearch(decoder, c.prompts, resolveGenerateOptions({ ...options, numBeams: 1 }));
      assert.deepEqual(tokensOf(oneBeam), tokensOf(greedy));
    }));

  it('sampling with top-k 1 (or a tiny top-p) is greedy decoding', () =>
    withDecoder(async (decoder) => {
      const greedy = tokensOf(await generate(decoder, c.prompts, { maxNewTokens: 12 }));
      for (const warp of [{ topK: 1 }, { topP: 1e-6 }])
        assert.deepEqual(
          tokensOf(await generate(decoder, c.prompts, { maxNewTokens: 12, doSample: true, temperature: 2, seed: 3, ...warp })),
          greedy,
        );
    }));

  it('seeded sampling is reproducible, batched or alone; another seed gives other tokens', () =>
    withDecoder(async (decoder) => {
      const options = { maxNewTokens: 12, doSample: true, temperature: 1.5, seed: 11 };
      const first = tokensOf(await generate(decoder, c.prompts, options));
      assert.deepEqual(tokensOf(await generate(decoder, c.prompts, options)), first);
      assert.deepEqual(tokensOf(await generate(decoder, [c.prompts[0]!], options)), [first[0]]);
      assert.notDeepEqual(tokensOf(await generate(decoder, c.prompts, { ...options, seed: 12 })), first);
      assert.notDeepEqual(
        first,
        tokensOf(await generate(decoder, c.prompts, { maxNewTokens: 12 })),
        'sampling at temperature 1.5 is not greedy here',
      );
    }));

  it('seeds: each prompt samples from its own seed, wherever it is in the batch; one seed per prompt or an error', () =>
    withDecoder(async (decoder) => {
      const options = { maxNewTokens: 12, doSample: true, temperature: 1.5 };
      const [a, b] = [c.prompts[0]!, c.prompts[1]!];
      const both = tokensOf(await generate(decoder, [a, b], { ...options, seeds: [5, 9] }));
      assert.deepEqual(
        tokensOf(await generate(decoder, [b, a], { ...options, seeds: [9, 5] })),
        [both[1], both[0]],
        'swapped rows, same tokens',
      );
      assert.deepEqual(tokensOf(await generate(decoder, [b], { ...options, seeds: [9] })), [both[1]]);
      const bySeed = tokensOf(await generate(decoder, [a], { ...options, seed: 5 }));
      assert.notDeepEqual(bySeed, [both[0]], 'seeds[i] is the seed of row i itself, not a stand-in for seed');
      await assert.rejects(generate(decoder, [a, b], { ...options, seeds: [5] }), /seeds gives 1 seeds for 2 prompts; give one per prompt/);
      assert.throws(() => resolveGenerateOptions({ seeds: [1.5] }), /seeds must be a list of integers >= 0/);
    }));

  it('streams each token as it is chosen, and stops at a stop string (the text cut after it)', () =>
    withDecoder(async (decoder) => {
      const streamed: [number, number][] = [];
      const decode = (ids: readonly number[]) => ids.map((t) => `<${t}>`).join('');
      const plain = await generate(decoder, c.prompts, { maxNewTokens: 12 }, { onToken: (row, t) => void streamed.push([row, t]) });
      plain.forEach((g, row) =>
        assert.deepEqual(
          streamed.filter(([r]) => r === row).map(([, t]) => t),
          g.tokens,
        ),
      );
      // the Python reference's greedy row 0 is 63 60 63 63 63 46 …: stop at "<63><46>"
      const reference = c.decoding.greedy!.outputs[0]!.tokens;
      const [stopped] = await generate(decoder, [c.prompts[0]!], { maxNewTokens: 12, stopStrings: ['<63><46>'] }, { decode });
      assert.deepEqual(stopped, { tokens: reference.slice(0, 6), finishReason: 'stop' });
    }));

  it('maxNewTokens 0 generates nothing; an empty prompt and bad options are ConfigErrors naming the field', () =>
    withDecoder(async (decoder) => {
      assert.deepEqual(
        (await generate(decoder, c.prompts, { maxNewTokens: 0 })).map((g) => g.tokens),
        [[], [], []],
      );
      await assert.rejects(generate(decoder, [[]], {}), /prompt 0 has no token/);
      await assert.rejects(generate(decoder, c.prompts, { maxNewTokens: -1 }), /maxNewTokens must be an integer >= 0, got -1/);
      await assert.rejects(generate(decoder, c.prompts, { topP: 0 }), /topP must be a number in \(0, 1\]/);
      await assert.rejects(generate(decoder, c.prompts, { numBeams: 2, doSample: true }), ConfigError);
      await assert.rejects(generate(decoder, c.prompts, { stopStrings: ['x'] }), /need a decode function/);
      await assert.rejects(generate(decoder, c.prompts, { maxNewToken: 3 } as never), /unknown option 'maxNewToken'/);
      await assert.rejects(
        generate(decoder, c.prompts, { minNewTokens: 5, maxNewTokens: 2 }),
        /minNewTokens \(5\) is more than maxNewTokens \(2\)/,
      );
    }));
});
