/**
 * `Linear`: y = x·Wᵀ + b (torch.nn.Linear), parameters `weight` (out, in) and `bias` (out).
 */
import { ConfigError, ShapeError } from '../errors.js';
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
  /**
   * Tensors to register as the parameters instead of new ones, already initialised: (out, in) and,
   * unless `bias` is false, (out). Views into a buffer that several layers share (BERT's q, k, v).
   */
  from?: { weight: Tensor; bias?: Tensor };
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
    const given = options.from;
    if (given !== undefined) checkGiven(given, inFeatures, outFeatures, options.bias !== false);
    this.weight = this.registerParameter(
      'weight',
      given?.weight ??
        (std === undefined ? uniformInit([outFeatures, inFeatures], bound, options) : normalInit([outFeatures, inFeatures], std, options)),
    );
    this.bias =
      options.bias === false
        ? undefined
        : this.registerParameter(
            'bias',
            given?.bias ?? (std === undefined ? uniformInit([outFeatures], bound, options) : zerosInit([outFeatures], options)),
          );
  }

  /** x (…, in) → (…, out) */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/** `from`'s tensors must have the layer's shapes, and a bias exactly when the layer has one. */
function checkGiven(given: { weight: Tensor; bias?: Tensor }, inFeatures: number, outFeatures: number, hasBias: boolean): void {
  const w = given.weight.shape;
  if (w.length !== 2 || w[0] !== outFeatures || w[1] !== inFeatures)
    throw new ShapeError(
      `Linear(${inFeatures}, ${outFeatures}): the given weight must be [${outFeatures}, ${inFeatures}], got [${w.join(', ')}]`,
    );
  const b = given.bias?.shape;
  if (hasBias !== (b !== undefined))
    throw new ConfigError(
      `Linear(${inFeatures}, ${outFeatures}): ${hasBias ? 'a bias tensor is needed' : 'a bias was given to a layer without bias'}`,
    );
  if (b !== undefined && (b.length !== 1 || b[0] !== outFeatures))
    throw new ShapeError(`Linear(${inFeatures}, ${outFeatures}): the given bias must be [${outFeatures}], got [${b.join(', ')}]`);
}
