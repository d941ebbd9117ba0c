/**
 * Between the model and the surgery methods: the per-task gradient matrix G (K, P) over a chosen set
 * of tensors, and the way back from a combined update (P) to the parameters' `.grad`.
 *
 * Surgery on a subset of the shared parameters (e.g. the last encoder layers, or adapters) bounds
 * the memory of G to K × (that subset's size); every other parameter keeps its ordinary gradient
 * from the usual backward pass. G's layout: the inputs in the order given, each flattened row-major.
 */
import { ConfigError, ShapeError } from '../../errors.js';
import { cat, grad, noGrad, split, stack, tidy, zeros, type Tensor } from '../../tensor/index.js';

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

export interface TaskJacobianOptions {
  /**
   * Keep the autograd graph after the last task's gradient (default true: the trainer's backward of
   * the total loss, or MGDA-UB's backward of Σ α_k L_k, still needs it). The graph is always kept between tasks.
   */
  readonly retainGraph?: boolean | undefined;
}

/** The K scalar losses of `losses`: a (K) tensor, or an array of K one-element tensors. */
function taskLosses(losses: Tensor | readonly Tensor[]): Tensor[] {
  if (Array.isArray(losses)) {
    const list = losses as readonly Tensor[];
    list.forEach((l, k) => {
      if (l.numel !== 1) throw new ShapeError(`taskJacobian: loss ${k} must be a scalar, got shape ${shapeText(l.shape)}`);
    });
    return list.map((l) => l.reshape([]));
  }
  const t = losses as Tensor;
  if (t.ndim !== 1)
    throw new ShapeError(`taskJacobian: the losses must be a vector (K) or an array of scalars, got shape ${shapeText(t.shape)}`);
  return Array.from({ length: t.shape[0]! }, (_, k) => t.select(0, k));
}

/**
 * G (K, P): row k is the gradient of task k's loss w.r.t. `inputs`, flattened and concatenated
 * (torch.autograd.grad per task; nothing accumulates into `.grad`). An input a task does not reach
 * gets zeros in that task's row.
 * @param losses (K) task losses attached to the graph, or K scalar tensors.
 * @param inputs the tensors to differentiate by: a subset of the shared parameters, or (MGDA-UB) the
 *   shared representation Z (B, T, H). All of one dtype and device; P = Σ numel.
 * @returns G (K, P) in the inputs' dtype, not attached to the graph.
 * @throws ShapeError for non-scalar losses or inputs of different dtypes; ConfigError when there are no losses or inputs.
 * @example
 *   const G = taskJacobian(losses, model.backbone.layers()[1]!.parameters()); // (K, P) for the last layer
 */
export function taskJacobian(losses: Tensor | readonly Tensor[], inputs: readonly Tensor[], options: TaskJacobianOptions = {}): Tensor {
  if (inputs.length === 0)
    throw new ConfigError('taskJacobian: no tensors to differentiate by; pass the shared parameters (or the representation) to operate on');
  const dtype = inputs[0]!.dtype;
  inputs.forEach((p, n) => {
    if (p.dtype !== dtype) throw new ShapeError(`taskJacobian: input ${n} is ${p.dtype} but input 0 is ${dtype}; G needs one dtype`);
  });
  return tidy(() => {
    const scalars = taskLosses(losses);
    if (scalars.length === 0) throw new ConfigError('taskJacobian: no losses (K = 0)');
    const retainLast = options.retainGraph ?? true;
    const rows = scalars.map((loss, k) => {
      const retainGraph = k < scalars.length - 1 || retainLast;
      const grads = grad(loss, inputs, { retainGraph, allowUnused: true });
      const pieces = grads.map((g, n) =>
        g === undefined ? zeros([inputs[n]!.numel], { dtype, device: inputs[n]!.device }) : g.reshape([-1]),
      );
      return pieces.length === 1 ? pieces[0]! : cat(pieces);
    });
    return noGrad(() => stack(rows));
  });
}

export interface AssignOptions {
  /** Add to the existing `.grad` instead of replacing it (default false: replace). */
  readonly accumulate?: boolean | undefined;
}

/**
 * Writes a combined update (P) into the `.grad` of `params`, undoing taskJacobian's layout: the
 * first numel(params[0]) entries shaped like params[0], and so on.
 * @param params the tensors G was built over, in the same order.
 * @param update (P) the combined update (e.g. `pcgrad(G)`), cast to each parameter's dtype.
 * @throws ShapeError when P ≠ Σ numel(params).
 */
export function assignGradients(params: readonly Tensor[], update: Tensor, options: AssignOptions = {}): void {
  const sizes = params.map((p) => p.numel);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (update.ndim !== 1 || update.numel !== total) {
    throw new ShapeError(
      `assignGradients: the update must be a vector of Σ numel(params) = ${total} entries (the layout of taskJacobian over the same params), got shape ${shapeText(update.shape)}`,
    );
  }
  noGrad(() =>
    tidy(() => {
      const pieces = params.length === 1 ? [update] : split(update, sizes);
      params.forEach((p, n) => {
        const g = pieces[n]!.to(p.dtype).reshape(p.shape);
        const old = options.accumulate ? p.grad : undefined;
        if (old !== undefined) old.add_(g);
        else p.grad = g.clone();
      });
    }),
  );
}
