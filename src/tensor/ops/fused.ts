/**
 * Fused optimizer kernels of the binding (native/adamw.cc): one pass over memory where the op-by-op
 * form makes many, with the same bits.
 */
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';

/** Settings of one AdamW update; the bias corrections 1 − βᵗ are the caller's (computed in double). */
export interface AdamwStepSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1 − β₁ᵗ */
  biasCorrection1: number;
  /** 1 − β₂ᵗ */
  biasCorrection2: number;
  maximize: boolean;
}

/**
 * One AdamW update in place, fused: the same float operations, in the same order, as torch 1.13's
 * `_single_tensor_adamw` (so the same bits), in one pass instead of about 25 (see native/adamw.cc).
 * @param param θ, updated in place; `grad` g, `expAvg` m and `expAvgSq` v (updated in place), and
 *   with AMSGrad `maxExpAvgSq` (updated in place), all of θ's shape.
 * @returns false, changing nothing, unless every tensor is a contiguous float32 CPU tensor of θ's
 *   shape; the caller then makes the update op by op.
 */
export function adamwStepFused(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  maxExpAvgSq: Tensor | undefined,
  s: AdamwStepSettings,
): boolean {
  return native.adamwStepFused(
    param.id,
    grad.id,
    expAvg.id,
    expAvgSq.id,
    maxExpAvgSq === undefined ? null : maxExpAvgSq.id,
    s.lr,
    s.beta1,
    s.beta2,
    s.eps,
    s.weightDecay,
    s.biasCorrection1,
    s.biasCorrection2,
    s.maximize,
  );
}
