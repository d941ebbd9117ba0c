/**
 * The residual connection's add (He et al. 2016; Vaswani et al. 2017 §3.1: x + Sublayer(x)).
 */
import { isGradEnabled, type Tensor } from '../tensor/index.js';

/**
 * `branch` + `residual` (same shape, e.g. (B, T, H)): into `branch` in place when no gradient is being
 * recorded (`branch` must be a fresh tensor the caller owns, not a view of one it keeps), a new tensor
 * otherwise. In place under autograd breaks libtorch 1.13's (and Python torch 1.13's) differentiation
 * with respect to a subset of the parameters — `grad` over some layers, as GradNorm's shared layer and
 * surgery on chosen layers use — when `branch` is a 3-D Linear output that dropout did not replace
 * ("could not compute gradients for some functions"); the full backward was unaffected.
 */
export function addResidual(branch: Tensor, residual: Tensor): Tensor {
  return isGradEnabled() ? branch.add(residual) : branch.add_(residual);
}
