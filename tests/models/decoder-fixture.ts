/**
 * The decoder references of scripts/fixtures/decoders.py (tests/fixtures/decoders.json and the
 * *-tiny.safetensors weights): the family's backbone built from the fixture's config.json through the
 * registry, weights loaded through its Hugging Face naming, in eval mode.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSafetensors } from '../../src/io/safetensors.js';
import type { Backbone } from '../../src/models/backbone.js';
import { backboneFamily } from '../../src/models/registry.js';
import { KeyValueCache } from '../../src/generate/cache.js';
import { cat, dispose, noGrad, tidy, type Tensor } from '../../src/tensor/index.js';
import { fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { maxAbsDiff } from './bert-fixture.js';

export interface DecodingCase {
  options: Record<string, unknown>;
  outputs: { tokens: number[]; finish_reason: string; score?: number }[];
}

export interface DecoderCase {
  config: Record<string, unknown>;
  weights: string;
  param_names: string[];
  inputs: {
    input_ids: TensorFixture;
    attention_mask: TensorFixture;
    left_input_ids: TensorFixture;
    left_attention_mask: TensorFixture;
    lengths: number[];
  };
  logits: TensorFixture;
  left_logits: TensorFixture;
  unpadded: TensorFixture[];
  prompts: number[][];
  decoding: Record<string, DecodingCase>;
}

export const decoderCases = loadFixture<Record<string, DecoderCase>>('decoders');
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The reference backbone of `family`, with what its naming ignored and left for heads. */
export function referenceDecoder(family: string): { model: Backbone; ignored: string[]; rest: string[] } {
  const c = decoderCases[family] as DecoderCase;
  const f = backboneFamily(c.config.model_type as string);
  const model = f.create(f.configFromHf(c.config)).eval();
  const { tensors } = loadSafetensors(path.join(FIXTURES, c.weights));
  try {
    const parts = f.hfNames.splitStateDict(tensors);
    model.loadStateDict(parts.backbone);
    return { model, ignored: parts.ignored.sort(), rest: [...parts.rest.keys()].sort() };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    dispose([...tensors.values()]);
  }
}

/** snake_case decoding options of the fixture → `GenerateOptions`. */
export function generateOptions(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()), v]));
}

/**
 * The logits (n, V) on each row's n real tokens of the fixture's right- and left-padded batches
 * (`lmHead`: the family's LM head on the loaded backbone); run it inside `noGrad` and `tidy`.
 */
export function paddedRowLogits(c: DecoderCase, model: Backbone, lmHead: (h: Tensor) => Tensor): { right: Tensor[]; left: Tensor[] } {
  const logits = (ids: TensorFixture, mask: TensorFixture) =>
    lmHead(model.forward({ inputIds: fromFixture(ids), attentionMask: fromFixture(mask) }).lastHiddenState);
  const T = c.inputs.input_ids.shape[1] as number;
  const right = logits(c.inputs.input_ids, c.inputs.attention_mask);
  const left = logits(c.inputs.left_input_ids, c.inputs.left_attention_mask);
  return {
    right: c.inputs.lengths.map((n, i) => right.select(0, i).narrow(0, 0, n)),
    left: c.inputs.lengths.map((n, i) => left.select(0, i).narrow(0, T - n, n)),
  };
}

/**
 * max |logits − reference| on real tokens of the fixture's right- and left-padded batches, each row
 * against the row run alone in Python (`lmHead`: the family's LM head on the loaded backbone).
 */
export function paddedLogitsDiff(c: DecoderCase, model: Backbone, lmHead: (h: Tensor) => Tensor): number {
  return noGrad(() =>
    tidy(() => {
      const { right, left } = paddedRowLogits(c, model, lmHead);
      return Math.max(...c.inputs.lengths.flatMap((_, i) => [maxAbsDiff(right[i]!, c.unpadded[i]!), maxAbsDiff(left[i]!, c.unpadded[i]!)]));
    }),
  );
}

/**
 * max |cached − full| on real tokens: the left-padded batch run in pieces (3 tokens, then 1, 2, 1) with
 * a KeyValueCache against one full forward.
 */
export function cachedLogitsDiff(c: DecoderCase, model: Backbone, lmHead: (h: Tensor) => Tensor): number {
  return noGrad(() =>
    tidy(() => {
      const ids = fromFixture(c.inputs.left_input_ids);
      const mask = fromFixture(c.inputs.left_attention_mask);
      const full = lmHead(model.forward({ inputIds: ids, attentionMask: mask }).lastHiddenState); // (B, T, V)
      using cache = new KeyValueCache();
      const steps: Tensor[] = [];
      for (const [from, n] of [
        [0, 3],
        [3, 1],
        [4, 2],
        [6, 1],
      ] as const) {
        const out = model.forward({ inputIds: ids.narrow(1, from, n), attentionMask: mask.narrow(1, 0, from + n), pastKeyValues: cache });
        steps.push(lmHead(out.lastHiddenState));
      }
      if (cache.length !== ids.shape[1]) throw new Error(`the cache holds ${cache.length} tokens`);
      return cat(steps, 1).sub(full).mul(mask.unsqueeze(2).to('float32')).abs().max().item() as number;
    }),
  );
}
