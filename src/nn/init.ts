/**
 * Parameter initialisers. Each makes a new tensor (no gradient recorded; the module registering it
 * turns requiresGrad on). Draws use libtorch's default generator, so `manualSeed` makes them repeatable.
 *
 * Two schemes are used here:
 * - PyTorch's defaults (nn.Linear: U(−1/√in, 1/√in) for weight and bias, the kaiming_uniform(a=√5)
 *   of torch 1.13; nn.Embedding: N(0, 1)), for modules built without `initStd`;
 * - BERT's (Hugging Face `BertPreTrainedModel._init_weights`): Linear and Embedding weights
 *   N(0, initializer_range²), biases 0, the padding row 0, LayerNorm weight 1 and bias 0.
 */
import { ConfigError } from '../errors.js';
import { noGrad, ones, zeros, type DType, type Tensor } from '../tensor/index.js';

/** Where parameters are made. */
export interface ParamOptions {
  /** Default float32. */
  dtype?: DType;
  /** 'cpu' (default), 'cuda', 'cuda:1', … */
  device?: string;
}

const place = (o: ParamOptions) => ({ dtype: o.dtype ?? 'float32', device: o.device ?? 'cpu' });

/** Draws N(0, std²) of `shape`. */
export function normalInit(shape: readonly number[], std: number, o: ParamOptions = {}): Tensor {
  if (!(std >= 0) || !Number.isFinite(std))
    throw new ConfigError(`the standard deviation of a normal initialiser must be a finite number ≥ 0, got ${std}`);
  return noGrad(() => zeros(shape, place(o)).normal_(0, std));
}

/** Draws U(−bound, bound) of `shape`. */
export function uniformInit(shape: readonly number[], bound: number, o: ParamOptions = {}): Tensor {
  return noGrad(() => zeros(shape, place(o)).uniform_(-bound, bound));
}

/** Zeros of `shape` (biases). */
export const zerosInit = (shape: readonly number[], o: ParamOptions = {}): Tensor => zeros(shape, place(o));

/** Ones of `shape` (normalisation weights). */
export const onesInit = (shape: readonly number[], o: ParamOptions = {}): Tensor => ones(shape, place(o));

/** Sets row `index` of `weight` (V, H) to zero in place: the padding row of an embedding. Returns `weight`. */
export function zeroRow_(weight: Tensor, index: number): Tensor {
  noGrad(() => {
    const row = weight.select(0, index);
    row.zero_();
    row.dispose();
  });
  return weight;
}
