/**
 * Generation with the encoder-decoder families (t5, bart, marian) through the decoding loop: greedy
 * with the key/value cache = greedy without it = argmax of the teacher-forced forward step by step;
 * a batch of sources = each source alone; beam search with 1 beam = greedy; beams with the cache =
 * beams without it (the encoder states, masks and cross-attention keys/values reorder with the beams).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate } from '../../src/generate/index.js';
import { decoderPrompts, encoderDecoderLm } from '../../src/models/encoder-decoder-lm.js';
import type { EncoderDecoderBackbone } from '../../src/models/encoder-decoder.js';
import { argmax, noGrad, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { fromFixture, loadFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { loadCase, type EncoderDecoderCase } from './encoder-decoder-parity.js';

checkNoLeaks();

const CASES: [string, EncoderDecoderCase][] = [
  ['t5', loadFixture<Record<string, EncoderDecoderCase>>('t5').t5!],
  ['t5v11', loadFixture<Record<string, EncoderDecoderCase>>('t5').t5v11!],
  ['bart', loadFixture<Record<string, EncoderDecoderCase>>('bart').bart!],
  ['marian', loadFixture<Record<string, EncoderDecoderCase>>('bart').marian!],
];
const NEW = 6;

/** Greedy decoding by hand: the whole target so far through the teacher-forced forward, argmax of its last position. */
function greedyByHand(model: EncoderDecoderBackbone, ids: Tensor, mask: Tensor, row: number): number[] {
  const target = [model.config.decoderStartTokenId];
  for (let i = 0; i < NEW; i++) {
    const next = noGrad(() =>
      tidy(() => {
        const out = model.forward({
          inputIds: ids.narrow(0, row, 1),
          attentionMask: mask.narrow(0, row, 1),
          decoderInputIds: tensor([target], { dtype: 'int64' }),
        });
        return argmax(model.lmLogits(out.lastHiddenState).select(1, target.length - 1), -1).item() as number;
      }),
    );
    target.push(next);
  }
  return target.slice(1);
}

for (const [name, c] of CASES) {
  describe(`generation with ${name}`, () => {
    it('greedy with the cache = without it = argmax step by step; batch = one by one; 1 beam = greedy; beams cached = uncached', async () => {
      const { model } = loadCase(c);
      const ids = fromFixture(c.inputs.input_ids);
      const mask = fromFixture(c.inputs.attention_mask);
      try {
        const B = ids.shape[0] as number;
        const decoder = encoderDecoderLm(model, { inputIds: ids, attentionMask: mask });
        const prompts = decoderPrompts(model, B);
        const options = { maxNewTokens: NEW, eosTokenId: [] as number[], padTokenId: model.config.padTokenId ?? 0 };
        const cached = (await generate(decoder, prompts, options)).map((g) => g.tokens);
        const uncached = (await generate(decoder, prompts, { ...options, useCache: false })).map((g) => g.tokens);
        assert.deepEqual(cached, uncached);
        for (let r = 0; r < B; r++) {
          assert.deepEqual(cached[r], greedyByHand(model, ids, mask, r), `row ${r}`);
          const rowIds = ids.narrow(0, r, 1);
          const rowMask = mask.narrow(0, r, 1);
          const alone = encoderDecoderLm(model, { inputIds: rowIds, attentionMask: rowMask });
          assert.deepEqual((await generate(alone, decoderPrompts(model, 1), options))[0]!.tokens, cached[r], `row ${r} alone`);
          rowIds.dispose();
          rowMask.dispose();
        }
        assert.deepEqual(
          (await generate(decoder, prompts, { ...options, numBeams: 1 })).map((g) => g.tokens),
          cached,
        );
        const beams = await generate(decoder, prompts, { ...options, numBeams: 3 });
        const beamsUncached = await generate(decoder, prompts, { ...options, numBeams: 3, useCache: false });
        assert.deepEqual(
          beams.map((g) => g.tokens),
          beamsUncached.map((g) => g.tokens),
        );
        beams.forEach((g, r) => assert.ok(Math.abs(g.score! - beamsUncached[r]!.score!) < 1e-4, `row ${r} beam score`));
      } finally {
        ids.dispose();
        mask.dispose();
        model.dispose();
      }
    });
  });
}
