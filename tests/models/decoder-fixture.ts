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
import { dispose } from '../../src/tensor/index.js';
import { loadFixture, type TensorFixture } from '../helpers/fixtures.js';

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
