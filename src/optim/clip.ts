/**
 * Gradient clipping by total norm, equal to torch.nn.utils.clip_grad_norm_ of torch 1.13
 * (same operations in the same order, so the same bits on CPU).
 */
import { ConfigError } from '../errors.js';
import { abs, add, clamp, max, mul, mul_, noGrad, norm, reciprocal, stack, tensor, tidy, type Tensor } from '../tensor/index.js';

/**
 * Scales the gradients of `params` in place so that their total norm (as if concatenated into one
 * vector) is at most `maxNorm`: each gradient is multiplied by min(1, maxNorm / (total + 1e-6)).
 * The factor is applied even when it is 1, so nothing is read back to the host (no synchronisation).
 * Parameters without a gradient are ignored.
 * @param params the parameters whose `.grad` to clip.
 * @param maxNorm largest allowed total norm.
 * @param normType p of the p-norm; Infinity for the largest absolute value.
 * @returns the total norm before clipping, a 0-d tensor of the gradients' dtype (0-d float32 zero
 *   when no parameter has a gradient); the caller owns it.
 * @throws ConfigError for a non-numeric maxNorm or normType.
 * @example
 *   loss.backward();
 *   clipGradNorm(model.parameters(), 1.0).dispose();
 *   optimizer.step();
 */
export function clipGradNorm(params: Tensor | readonly Tensor[], maxNorm: number, normType = 2): Tensor {
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm))
    throw new ConfigError(`clipGradNorm: maxNorm must be a number, got ${String(maxNorm)}`);
  if (typeof normType !== 'number' || Number.isNaN(normType))
    throw new ConfigError(`clipGradNorm: normType must be a number (Infinity for the max norm), got ${String(normType)}`);
  const list = Array.isArray(params) ? (params as readonly Tensor[]) : [params as Tensor];
  return noGrad(() =>
    tidy(() => {
      const grads = list.map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
      if (grads.length === 0) return tensor(0);
      let total: Tensor;
      if (normType === Infinity) {
        const norms = grads.map((g) => max(abs(g)));
        total = norms.length === 1 ? (norms[0] as Tensor) : max(stack(norms));
      } else {
        total = norm(stack(grads.map((g) => norm(g, normType))), normType);
      }
      // Python's `max_norm / (total_norm + 1e-6)` is Tensor.__rtruediv__: reciprocal, then multiply.
      const coef = clamp(mul(reciprocal(add(total, 1e-6)), maxNorm), undefined, 1.0);
      for (const g of grads) mul_(g, coef);
      return total;
    }),
  );
}
