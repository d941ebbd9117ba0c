/**
 * Cancelling a generation (hooks.signal): an abort that arrives while a step runs — from a timer or
 * a message, as a disconnected client's does in `mtl serve` — ends beam search, greedy decoding and
 * sampling before the next step, with the signal's reason; no tensor is left behind; a signal never
 * aborted changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate, type GenerateOptions, type StepDecoder } from '../../src/generate/index.js';
import { causalLmDecoder } from '../../src/models/causal-lm.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { decoderCases, referenceDecoder, type DecoderCase } from '../models/decoder-fixture.js';

checkNoLeaks();
const c = decoderCases.gpt2 as DecoderCase;

/** The reference GPT-2 as a StepDecoder that counts its steps and calls `onStep(n)` after step n. */
function counted(decoder: StepDecoder, onStep: (n: number) => void): { decoder: StepDecoder; steps: () => number } {
  let steps = 0;
  return {
    decoder: {
      startCache: (rows) => decoder.startCache(rows),
      step(inputIds, attentionMask, cache) {
        const logits = decoder.step(inputIds, attentionMask, cache);
        onStep(++steps);
        return logits;
      },
    },
    steps: () => steps,
  };
}

class ClientGone extends Error {}

const SEARCHES: [string, GenerateOptions][] = [
  ['beam search (4 beams)', { numBeams: 4, maxNewTokens: 40, minNewTokens: 40 }],
  ['greedy decoding', { maxNewTokens: 40, minNewTokens: 40 }],
  ['sampling', { doSample: true, seed: 3, maxNewTokens: 40, minNewTokens: 40 }],
];

describe('generate: cancelling', () => {
  for (const [name, options] of SEARCHES) {
    it(`${name}: an abort during step 5 (from a timer) ends it before step 6, with the signal's reason`, async () => {
      const { model } = referenceDecoder('gpt2');
      try {
        const controller = new AbortController();
        // the abort comes as an event does: after the step, once the event loop runs
        const probe = counted(causalLmDecoder(model), (n) => {
          if (n === 5) setImmediate(() => controller.abort(new ClientGone('the client went away')));
        });
        await assert.rejects(generate(probe.decoder, c.prompts, options, { signal: controller.signal }), ClientGone);
        assert.equal(probe.steps(), 5);

        // never aborted: the same tokens as without a signal, all 40 steps
        const plain = counted(causalLmDecoder(model), () => {});
        const signalled = await generate(plain.decoder, c.prompts, options, { signal: new AbortController().signal });
        assert.deepEqual(signalled, await generate(causalLmDecoder(model), c.prompts, options));
        assert.equal(plain.steps(), 40);
      } finally {
        model.dispose();
      }
    });
  }

  it('an already aborted signal runs no step', async () => {
    const { model } = referenceDecoder('gpt2');
    try {
      const probe = counted(causalLmDecoder(model), () => {});
      const signal = AbortSignal.abort(new ClientGone('gone before it started'));
      await assert.rejects(generate(probe.decoder, c.prompts, { numBeams: 3 }, { signal }), /gone before it started/);
      assert.equal(probe.steps(), 0);
    } finally {
      model.dispose();
    }
  });
});
