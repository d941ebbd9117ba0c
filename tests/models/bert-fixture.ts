/**
 * The PyTorch reference of tests/fixtures/bert.json (made by scripts/fixtures/bert.py) and helpers
 * to build the tiny BertModel with its weights.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSafetensors } from '../../src/io/safetensors.js';
import { BertModel, bertConfigFromHf, splitHfStateDict } from '../../src/models/bert/index.js';
import { dispose, type Tensor } from '../../src/tensor/index.js';
import { fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';

export interface BertFixture {
  config: Record<string, unknown>;
  weights: string;
  param_names: string[];
  num_parameters: number;
  inputs: { input_ids: TensorFixture; attention_mask: TensorFixture; token_type_ids: TensorFixture; lengths: number[] };
  outputs: { last_hidden_state: TensorFixture; pooler_output: TensorFixture };
  outputs_default: { last_hidden_state: TensorFixture; pooler_output: TensorFixture };
  loss: { hidden_weight: TensorFixture; pooled_weight: TensorFixture; value: number };
  grads: Record<string, TensorFixture>;
}

export const fixture = loadFixture<BertFixture>('bert');
export const weightsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', fixture.weights);

/** The tiny BertModel of the fixture, with the fixture's weights, in eval mode. The caller disposes it. */
export function referenceModel(): BertModel {
  const model = new BertModel(bertConfigFromHf(fixture.config)).eval();
  const { tensors } = loadSafetensors(weightsPath);
  try {
    model.loadStateDict(splitHfStateDict(tensors).backbone);
  } finally {
    dispose(tensors);
  }
  return model;
}

/** The fixture's padded batch as tensors (owned by the caller or the enclosing tidy). */
export function referenceInputs(): { inputIds: Tensor; attentionMask: Tensor; tokenTypeIds: Tensor } {
  return {
    inputIds: fromFixture(fixture.inputs.input_ids),
    attentionMask: fromFixture(fixture.inputs.attention_mask),
    tokenTypeIds: fromFixture(fixture.inputs.token_type_ids),
  };
}

/** max |a − b| over all elements. */
export function maxAbsDiff(actual: Tensor, expected: TensorFixture): number {
  const got = actual.toFlatArray() as number[];
  return (expected.data as number[]).reduce((m, e, i) => Math.max(m, Math.abs((got[i] as number) - e)), 0);
}
