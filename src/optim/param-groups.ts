/**
 * Parameter grouping by name: no weight decay for biases and normalisation weights, the convention
 * of BERT's original optimizer and Hugging Face's examples and Trainer (`no_decay = ["bias", "LayerNorm.weight"]`).
 */
import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/index.js';

/**
 * Whether a parameter is exempt from weight decay: its name ends in 'bias', or names a
 * normalisation layer ('LayerNorm', 'layer_norm' or '.norm' anywhere in it, so every LayerNorm
 * weight and bias of a Hugging Face BERT, and modules named `norm`, `norm1`, … elsewhere).
 * @example
 *   isNoDecayName('encoder.layer.0.attention.output.LayerNorm.weight') // true
 *   isNoDecayName('encoder.layer.0.attention.self.query.weight')       // false
 */
export function isNoDecayName(name: string): boolean {
  return name.endsWith('bias') || name.includes('LayerNorm') || name.includes('layer_norm') || name.includes('.norm');
}

/**
 * Two parameter groups for an optimizer: [decayed (weight decay `weightDecay`), exempt (weight decay 0)],
 * each in the order of `namedParams`. Both groups are always present (possibly empty), so a saved
 * optimizer state has the same layout whatever the model.
 * @param namedParams (name, parameter) pairs, e.g. a Module's named parameters; names as in the state dict.
 * @param weightDecay the coefficient for the decayed group (≥ 0).
 * @example
 *   const opt = new AdamW(paramGroupsNoDecay(model.namedParameters(), 0.01), { lr: 5e-5 });
 */
export function paramGroupsNoDecay(
  namedParams: Iterable<readonly [string, Tensor]>,
  weightDecay: number,
): [{ params: Tensor[]; weightDecay: number }, { params: Tensor[]; weightDecay: number }] {
  if (!Number.isFinite(weightDecay) || weightDecay < 0)
    throw new ConfigError(`weight decay must be a finite number ≥ 0, got ${weightDecay}`);
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  for (const [name, p] of namedParams) (isNoDecayName(name) ? noDecay : decay).push(p);
  return [
    { params: decay, weightDecay },
    { params: noDecay, weightDecay: 0 },
  ];
}
