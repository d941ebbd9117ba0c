/**
 * Activation checkpointing (torch.utils.checkpoint; Chen et al., "Training Deep Nets with Sublinear
 * Memory Cost", 2016): run a function without keeping its intermediate activations, and recompute
 * them in the backward pass. The function's inputs are saved; backward runs it again with gradients
 * on — the CPU generator and autocast state of the forward put back, so dropout draws the same masks
 * — and back-propagates through the re-run (native/checkpoint.cc).
 *
 * The re-run calls this JavaScript function from inside libtorch's backward, which runs CPU work on
 * the calling (JavaScript) thread; CUDA tensors are back-propagated on libtorch's own threads, where
 * backward throws a TorchError instead.
 */
import { ShapeError } from '../errors.js';
import { native } from './native.js';
import { tidy } from './scope.js';
import { Tensor } from './tensor.js';

/**
 * `fn(...inputs)`, whose intermediate tensors are not kept for backward but recomputed there.
 * @param fn a deterministic function of `inputs` (same number of outputs each call) whose only
 *   tensors that require grad are `inputs` and `params`: a tensor it reads from elsewhere gets no
 *   gradient. It runs twice (forward, and again in backward, with the inputs as new handles).
 * @param inputs the tensors `fn` reads that change per call (hidden states (B, T, H), attention bias);
 *   they are kept until backward, so pass every tensor `fn` needs that its caller may free.
 * @param params the parameters `fn` reads that require grad (a layer's); their gradients accumulate
 *   as without checkpointing (or are returned by `grad()`).
 * @returns `fn`'s outputs (new tensors, owned by the caller or the enclosing tidy), recorded as one
 *   autograd node.
 * @throws ShapeError when `fn` returns no tensor or the same tensor twice; what `fn` throws, as is, in the forward.
 */
export function checkpoint(fn: (...inputs: Tensor[]) => Tensor[], inputs: readonly Tensor[], params: readonly Tensor[]): Tensor[] {
  let thrown: unknown;
  const run = (ids: number[]): number[] => {
    try {
      const outputs = tidy(() => fn(...ids.map((id) => new Tensor(id)))); // the input handles are freed with the tidy
      if (outputs.length === 0 || new Set(outputs).size !== outputs.length)
        throw new ShapeError(`checkpoint: the function must return distinct tensors, got ${outputs.length} with repeats`);
      return outputs.map((t) => t.releaseId()); // the binding takes these slots
    } catch (e) {
      thrown = e;
      throw e;
    }
  };
  try {
    return native
      .checkpoint(
        run,
        inputs.map((t) => t.id),
        params.map((p) => p.id),
      )
      .map((id) => new Tensor(id));
  } catch (e) {
    throw thrown ?? e; // the function's own error rather than the binding's wrapping of it
  }
}
