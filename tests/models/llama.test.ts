/**
 * Llama against the PyTorch reference of scripts/fixtures/decoders.py (RMSNorm, rotary embeddings,
 * grouped-query attention with 4 query and 2 key/value heads, biased q/k/v/o projections, SwiGLU, an
 * untied lm_head; weights under LlamaForCausalLM's names): logits within 1e-5 right- and left-padded,
 * cached = full forward, and greedy / beam-search tokens equal to the reference's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { generate, type Generation } from '../../src/generate/index.js';
import { causalLmDecoder } from '../../src/models/causal-lm.js';
import { LLAMA_FAMILY } from '../../src/models/llama/family.js';
import type { LlamaConfig } from '../../src/models/llama/config.js';
import { keep, linear, type Tensor } from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { loadSafetensors } from '../../src/io/safetensors.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cachedLogitsDiff,
  decoderCases,
  generateOptions,
  paddedLogitsDiff,
  referenceDecoder,
  type DecoderCase,
} from './decoder-fixture.js';

checkNoLeaks();
const c = decoderCases.llama as DecoderCase;
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The reference model with its untied LM head (`lm_head.weight`, left for heads by the naming). */
async function withLlama<T>(
  fn: (model: ReturnType<typeof referenceDecoder>['model'], lmHead: (h: Tensor) => Tensor) => T | Promise<T>,
): Promise<T> {
  const { model, rest } = referenceDecoder('llama');
  assert.deepEqual(rest, ['lm_head.weight']);
  const { tensors } = loadSafetensors(path.join(FIXTURES, c.weights));
  const weight = keep(tensors.get('lm_head.weight')!);
  for (const [k, t] of tensors) if (k !== 'lm_head.weight') t.dispose();
  try {
    return await fn(model, (h) => linear(h, weight));
  } finally {
    weight.dispose();
    model.dispose();
  }
}

describe('llama', () => {
  it('loads LlamaForCausalLM names (model. prefix; lm_head beside it)', () =>
    withLlama((model) => {
      const names = model
        .namedParameters()
        .map(([n]) => n)
        .sort();
      assert.deepEqual(
        names,
        c.param_names
          .filter((n) => n !== 'lm_head.weight')
          .map((n) => n.replace(/^model\./, ''))
          .sort(),
      );
      assert.equal(model.kind, 'decoder');
    }));

  it('gives the reference logits right- and left-padded (within 1e-5 on real tokens), and cached = full forward', () =>
    withLlama((model, head) => {
      const padded = paddedLogitsDiff(c, model, head);
      assert.ok(padded < 1e-5, `max |logits − reference| = ${padded}`);
      const cached = cachedLogitsDiff(c, model, head);
      assert.ok(cached < 1e-5, `max |cached − full| = ${cached}`);
    }));

  it('greedy decoding and beam search give the reference tokens, batched and alone', () =>
    withLlama(async (model, head) => {
      const decoder = causalLmDecoder(model, head);
      for (const [name, d] of Object.entries(c.decoding)) {
        const options = generateOptions(d.options);
        const batched = await generate(decoder, c.prompts, options);
        const alone: Generation[] = [];
        for (const p of c.prompts) alone.push(...(await generate(decoder, [p], options)));
        d.outputs.forEach((want, i) => {
          assert.deepEqual(batched[i]!.tokens, want.tokens, `${name} row ${i} batched`);
          assert.deepEqual(alone[i]!.tokens, want.tokens, `${name} row ${i} alone`);
        });
      }
    }));

  it('maps config.json both ways and refuses what it does not implement', () => {
    const config = LLAMA_FAMILY.configFromHf(c.config);
    assert.deepEqual(LLAMA_FAMILY.configFromHf(LLAMA_FAMILY.configToHf(config)), config);
    assert.equal(
      (LLAMA_FAMILY.configFromHf({ model_type: 'llama', num_attention_heads: 8, hidden_size: 64 }) as LlamaConfig).numKeyValueHeads,
      8,
    );
    assert.throws(() => LLAMA_FAMILY.configFromHf({ model_type: 'llama', rope_scaling: { type: 'linear', factor: 2 } }), /rope_scaling/);
    assert.throws(
      () => LLAMA_FAMILY.configFromHf({ model_type: 'llama', num_attention_heads: 4, num_key_value_heads: 3, hidden_size: 32 }),
      ConfigError,
    );
    assert.throws(() => LLAMA_FAMILY.configFromHf({ model_type: 'llama', hidden_act: 'gelu' }), /hidden_act must be 'silu'/);
  });
});
