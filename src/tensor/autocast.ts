/**
 * Autocast regions, as torch.autocast: inside `autocast(dtype, fn)` the operators on libtorch's
 * autocast lists run in `dtype` (matmul, linear, bmm, …) or in float32 (softmax, losses, norms,
 * reductions) whatever their inputs' dtype, while parameters stay float32 (mixed precision with
 * float32 master weights; Micikevicius et al., "Mixed Precision Training", ICLR 2018). The backward
 * pass belongs outside the region, as in PyTorch. CPU autocast runs in bfloat16 (libtorch 1.13 has no
 * float16 CPU autocast); CUDA autocast in float16 or bfloat16 where the linked libtorch has CUDA.
 */
import { ConfigError } from '../errors.js';
import { SCALAR_TYPE } from './dtype.js';
import { native } from './native.js';

/** The lower-precision dtypes autocast takes. */
export type AutocastDtype = 'bfloat16' | 'float16';

/**
 * Runs `fn` (synchronous) in an autocast region of `device`; regions nest, and the state before is
 * restored when `fn` returns or throws.
 * @throws ConfigError for float16 on the CPU; TorchError for CUDA without a CUDA libtorch.
 * @example
 *   const logits = autocast('bfloat16', () => model.forward(inputs)); // bfloat16 matmuls
 *   crossEntropy(logits, labels).backward();                            // float32 gradients
 */
export function autocast<T>(dtype: AutocastDtype, fn: () => T, device: 'cpu' | 'cuda' = 'cpu'): T {
  if (device === 'cpu' && dtype !== 'bfloat16')
    throw new ConfigError(`CPU autocast runs in bfloat16 only (libtorch's AutocastCPU), got ${dtype}`);
  const [enabled, previous] = native.autocastEnter(device, true, SCALAR_TYPE[dtype]);
  try {
    const out = fn();
    if (out instanceof Promise)
      throw new ConfigError('autocast(fn): fn must be synchronous (the region is thread state, not async context)');
    return out;
  } finally {
    native.autocastExit(device, enabled, previous);
  }
}

/** Whether an autocast region of `device` is open. */
export const isAutocast = (device: 'cpu' | 'cuda' = 'cpu'): boolean => native.isAutocast(device);
