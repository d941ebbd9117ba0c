/**
 * `LayerNorm` over the last dimension (torch.nn.LayerNorm(H)): parameters `weight` (H), starting at
 * 1, and `bias` (H), starting at 0. Ba, Kiros & Hinton, "Layer Normalization", 2016.
 */
import { cast, layerNorm, type Tensor } from '../tensor/index.js';
import { onesInit, zerosInit, type ParamOptions } from './init.js';
import { Module } from './module.js';

export class LayerNorm extends Module {
  /** (H) */
  readonly weight: Tensor;
  /** (H) */
  readonly bias: Tensor;
  private readonly normalizedShape: number[];

  /** @param eps added to the variance (BERT: 1e-12; PyTorch's default 1e-5). */
  constructor(
    readonly size: number,
    readonly eps = 1e-5,
    options: ParamOptions = {},
  ) {
    super();
    this.normalizedShape = [size];
    this.weight = this.registerParameter('weight', onesInit([size], options));
    this.bias = this.registerParameter('bias', zerosInit([size], options));
  }

  /**
   * x (…, H) → (…, H). An input of another dtype than the weights (bfloat16 from an autocast region)
   * is normalised in the weights' dtype, float32: libtorch 1.13's layer_norm takes no mixed dtypes and
   * its CPU autocast has no rule for it (torch ≥ 2.0 computes mixed bfloat16 layer norms in float32 too).
   */
  forward(x: Tensor): Tensor {
    const input = x.dtype === this.weight.dtype ? x : cast(x, this.weight.dtype);
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
