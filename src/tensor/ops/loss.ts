/**
 * Loss functions, as torch.nn.functional. `reduction` is 'mean' (default), 'sum' or 'none'.
 */
import { defineOp } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { run } from './run.js';

export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

const CROSS_ENTROPY = defineOp('aten::cross_entropy_loss');
const NLL = defineOp('aten::nll_loss_nd');
const BCE_LOGITS = defineOp('aten::binary_cross_entropy_with_logits');
const MSE = defineOp('aten::mse_loss');
const SMOOTH_L1 = defineOp('aten::smooth_l1_loss');

export interface ClassificationLossOptions {
  /** Per-class weights (C). */
  weight?: Tensor;
  /** Targets equal to this index are ignored (default -100, as PyTorch and Hugging Face). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/**
 * Cross-entropy between `logits` (N, C) or (N, C, d…) and class indices `target` (N) / (N, d…) int64.
 * With 'mean', the sum is divided by the total weight of non-ignored targets, as PyTorch does.
 * @param options.labelSmoothing ε ∈ [0, 1]: mixes the target with the uniform distribution (Szegedy et al. 2016).
 */
export const crossEntropy = (
  logits: Tensor,
  target: Tensor,
  options: ClassificationLossOptions & { labelSmoothing?: number } = {},
): Tensor =>
  run(
    CROSS_ENTROPY,
    logits.id,
    target.id,
    options.weight?.id ?? null,
    REDUCTION[options.reduction ?? 'mean'],
    options.ignoreIndex ?? -100,
    options.labelSmoothing ?? 0,
  );

/** Negative log-likelihood of `logProbs` (N, C, d…) at int64 `target` (N, d…). */
export const nllLoss = (logProbs: Tensor, target: Tensor, options: ClassificationLossOptions = {}): Tensor =>
  run(NLL, logProbs.id, target.id, options.weight?.id ?? null, REDUCTION[options.reduction ?? 'mean'], options.ignoreIndex ?? -100);

/**
 * Binary cross-entropy on logits (numerically stable): −[y·log σ(x) + (1−y)·log(1−σ(x))], for multi-label heads.
 * @param options.posWeight weight of positive examples per class (C).
 */
export const binaryCrossEntropyWithLogits = (
  logits: Tensor,
  target: Tensor,
  options: { weight?: Tensor; posWeight?: Tensor; reduction?: Reduction } = {},
): Tensor =>
  run(BCE_LOGITS, logits.id, target.id, options.weight?.id ?? null, options.posWeight?.id ?? null, REDUCTION[options.reduction ?? 'mean']);

/** Mean squared error (x − y)². */
export const mseLoss = (input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor =>
  run(MSE, input.id, target.id, REDUCTION[reduction]);

/** Smooth L1 (Huber with threshold β, divided by β): 0.5(x−y)²/β when |x−y| < β, else |x−y| − 0.5β. */
export const smoothL1Loss = (input: Tensor, target: Tensor, beta = 1, reduction: Reduction = 'mean'): Tensor =>
  run(SMOOTH_L1, input.id, target.id, REDUCTION[reduction], beta);
