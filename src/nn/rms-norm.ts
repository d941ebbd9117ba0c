/**
 * `RMSNorm` over the last dimension (Zhang & Sennrich, "Root Mean Square Layer Normalization",
 * NeurIPS 2019): x·rsqrt(mean(x²) + eps)·weight, no mean subtraction and no bias, the statistic taken
 * in float32 whatever x's dtype (as Hugging Face's `T5LayerNorm` and `LlamaRMSNorm`). Parameter
 * `weight` (H), starting at 1.
 */
import { tidy, type Tensor } from '../tensor/index.js';
import { onesInit, type ParamOptions } from './init.js';
import { Module } from './module.js';

export class RMSNorm extends Module {
  /** (H) */
  readonly weight: Tensor;

  /** @param eps added to the mean square (T5: 1e-6; Llama: 1e-5 or 1e-6 per config). */
  constructor(
    readonly size: number,
    readonly eps = 1e-6,
    options: ParamOptions = {},
  ) {
    super();
    this.weight = this.registerParameter('weight', onesInit([size], options));
  }

  /** x (…, H) → (…, H) in x's dtype. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const x32 = x.dtype === 'float32' ? x : x.to('float32');
      const normed = x32.mul(x32.pow(2).mean(-1, true).add(this.eps).rsqrt()); // (…, H)
      return this.weight.mul(x.dtype === 'float32' ? normed : normed.to(x.dtype));
    });
  }
}
