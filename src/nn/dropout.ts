/**
 * `Dropout` (Srivastava et al., JMLR 2014): in training mode zeroes each element with probability
 * p and scales the rest by 1/(1−p); in evaluation mode the identity.
 */
import { ConfigError } from '../errors.js';
import { dropout, type Tensor } from '../tensor/index.js';
import { Module } from './module.js';

export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
    if (!(p >= 0 && p < 1)) throw new ConfigError(`dropout probability must be in [0, 1), got ${p}`);
  }

  /**
   * x (…) → (…). In evaluation mode, or with p = 0, returns `x` itself (no operator, no new handle):
   * callers must not dispose the result separately from `x`.
   */
  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? dropout(x, this.p, true) : x;
  }
}
