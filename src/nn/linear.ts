/**
 * `Linear`: y = x·Wᵀ + b (torch.nn.Linear), parameters `weight` (out, in) and `bias` (out).
 */
import { linear, type Tensor } from '../tensor/index.js';
import { normalInit, uniformInit, zerosInit, type ParamOptions } from './init.js';
import { Module } from './module.js';

export interface LinearOptions extends ParamOptions {
  /** Whether to add a bias (default true). */
  bias?: boolean;
  /**
   * Initialise the weight from N(0, initStd²) and the bias with zeros (BERT's scheme); when omitted,
   * PyTorch's default U(−1/√in, 1/√in) for both.
   */
  initStd?: number;
}

export class Linear extends Module {
  /** (out, in) */
  readonly weight: Tensor;
  /** (out), or undefined without bias */
  readonly bias: Tensor | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    const std = options.initStd;
    this.weight = this.registerParameter(
      'weight',
      std === undefined ? uniformInit([outFeatures, inFeatures], bound, options) : normalInit([outFeatures, inFeatures], std, options),
    );
    this.bias =
      options.bias === false
        ? undefined
        : this.registerParameter(
            'bias',
            std === undefined ? uniformInit([outFeatures], bound, options) : zerosInit([outFeatures], options),
          );
  }

  /** x (…, in) → (…, out) */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
