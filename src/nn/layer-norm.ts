/**
 * `LayerNorm` over the last dimension (torch.nn.LayerNorm(H)): parameters `weight` (H), starting at
 * 1, and `bias` (H), starting at 0. Ba, Kiros & Hinton, "Layer Normalization", 2016.
 */
import { layerNorm, type Tensor } from '../tensor/index.js';
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

  /** x (…, H) → (…, H) */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
