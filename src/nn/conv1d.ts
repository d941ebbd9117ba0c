/**
 * GPT-2's "Conv1D" (Radford et al. 2019; Hugging Face `transformers.pytorch_utils.Conv1D`): a linear
 * layer whose weight is stored transposed, (in, out), as OpenAI's checkpoints keep it: y = x·W + b.
 * Same fields as `Linear` (inFeatures, outFeatures, weight, bias); LoRA adapts it as PEFT does with
 * `fan_in_fan_out` (src/mtl/peft/lora.ts).
 */
import { linear, tidy, type Tensor } from '../tensor/index.js';
import { normalInit, zerosInit, type ParamOptions } from './init.js';
import { Module } from './module.js';

export class Conv1D extends Module {
  /** (in, out) */
  readonly weight: Tensor;
  /** (out) */
  readonly bias: Tensor;

  /** Weight N(0, std²), bias 0 (GPT-2's initialisation). */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    std: number,
    o: ParamOptions = {},
  ) {
    super();
    this.weight = this.registerParameter('weight', normalInit([inFeatures, outFeatures], std, o));
    this.bias = this.registerParameter('bias', zerosInit([outFeatures], o));
  }

  /** x (…, in) → (…, out) */
  forward(x: Tensor): Tensor {
    return tidy(() => linear(x, this.weight.transpose(0, 1), this.bias));
  }
}
