/**
 * Peak learning rates per parameter group, for fine-tuning that respects a pre-trained encoder: a
 * lower learning rate for the encoder than for the new heads (`training.encoder_learning_rate`), and
 * layer-wise learning-rate decay (`training.layer_lr_decay` = ξ; Howard and Ruder, "Universal Language
 * Model Fine-tuning for Text Classification", ACL 2018, §3.2 "discriminative fine-tuning"; Clark et al.,
 * "ELECTRA", ICLR 2020, Appendix A, "layer-wise learning-rate decay"): with L transformer layers,
 *
 *   layer i (0 = first, L − 1 = last)          encoder_learning_rate · ξ^(L − 1 − i)
 *   the backbone's embeddings                   encoder_learning_rate · ξ^L
 *   the backbone's other parameters (pooler)    encoder_learning_rate
 *   everything else (heads, strategy weights)   learning_rate
 *
 * Schedules scale every group's peak alike (warm-up, decay). Each learning rate splits into a decayed
 * and a weight-decay-exempt group (`paramGroupsNoDecay`). Without either key the groups are the trainer's
 * usual ones ([decayed, exempt] at `learning_rate`), so checkpoints saved before resume as they were.
 */
import type { ParamGroupInput } from '../optim/optimizer.js';
import { paramGroupsNoDecay } from '../optim/param-groups.js';
import type { Backbone } from '../models/backbone.js';
import type { Tensor } from '../tensor/index.js';

/** The learning-rate settings of `training` this module reads. */
export interface LearningRateSettings {
  /** Peak learning rate of the heads (and of the encoder unless `encoderLearningRate`). */
  readonly learningRate: number;
  readonly weightDecay: number;
  /** Peak learning rate of the backbone's parameters; default `learningRate`. */
  readonly encoderLearningRate?: number | undefined;
  /** ξ in (0, 1]: each layer below the last gets ξ times the learning rate of the one above; default 1 (none). */
  readonly layerLrDecay?: number | undefined;
}

/** Whether `t` sets anything beyond one learning rate for all parameters. */
const hasLayerLearningRates = (t: LearningRateSettings): boolean =>
  t.encoderLearningRate !== undefined || (t.layerLrDecay !== undefined && t.layerLrDecay !== 1);

/**
 * The peak learning rate of each trainable parameter of a model whose backbone is `backbone`
 * (see the file comment for the rule). `named` are (name, parameter) pairs, e.g. a Module's
 * `namedParameters()` filtered to the trainable ones; a backbone parameter is an embedding when its
 * name contains 'embeddings' (Hugging Face's `embeddings.` module of every family).
 * @returns one rate per entry of `named`, in order.
 */
export function parameterLearningRates(
  backbone: Backbone,
  named: readonly (readonly [string, Tensor])[],
  t: LearningRateSettings,
): number[] {
  const encoderLr = t.encoderLearningRate ?? t.learningRate;
  const decay = t.layerLrDecay ?? 1;
  const layers = backbone.layers();
  const L = layers.length;
  const depthOf = new Map<Tensor, number>(); // parameter → layer index
  layers.forEach((layer, i) => {
    for (const p of layer.parameters()) depthOf.set(p, i);
  });
  const inBackbone = new Set(backbone.parameters());
  return named.map(([name, p]) => {
    if (!inBackbone.has(p)) return t.learningRate;
    const layer = depthOf.get(p);
    if (layer !== undefined) return encoderLr * decay ** (L - 1 - layer);
    if (name.includes('embeddings')) return encoderLr * decay ** L;
    return encoderLr;
  });
}

/**
 * The optimizer's parameter groups for `named` (trainable parameters of the model over `backbone`)
 * and `extra` (parameters outside the model: loss-weighting strategies' own, at `learningRate`,
 * weight decay 0). Without encoder or layer-wise learning rates: [decayed, exempt, extra], the
 * trainer's usual layout. With them: for each distinct learning rate from the highest down, its
 * decayed then its exempt parameters (each group's `lr` set), then `extra`.
 */
export function learningRateGroups(
  backbone: Backbone,
  named: readonly (readonly [string, Tensor])[],
  extra: readonly Tensor[],
  t: LearningRateSettings,
): ParamGroupInput[] {
  const last = { params: [...extra], weightDecay: 0 };
  if (!hasLayerLearningRates(t)) return [...paramGroupsNoDecay(named, t.weightDecay), last];
  const rates = parameterLearningRates(backbone, named, t);
  const byRate = new Map<number, (readonly [string, Tensor])[]>();
  named.forEach((entry, i) => {
    const rate = rates[i] as number;
    const same = byRate.get(rate);
    if (same === undefined) byRate.set(rate, [entry]);
    else same.push(entry);
  });
  const groups: ParamGroupInput[] = [];
  for (const rate of [...byRate.keys()].sort((a, b) => b - a))
    for (const g of paramGroupsNoDecay(byRate.get(rate)!, t.weightDecay)) groups.push({ ...g, lr: rate });
  return [...groups, { ...last, lr: t.learningRate }];
}
