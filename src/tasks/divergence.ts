/**
 * How far a head's output on perturbed inputs is from its output on clean inputs: the smoothness
 * term ℓ_s of SMART (Jiang et al., "SMART: Robust and Efficient Fine-Tuning for Pre-trained Natural
 * Language Models through Principled Regularized Optimization", ACL 2020, eq. 3): the symmetric KL
 * divergence of the two predicted distributions for classification, the squared difference for
 * regression. A task type may declare its own (`TaskType.outputDivergence`: extractive QA's
 * distributions are over tokens); otherwise its label space decides.
 */
import { binaryCrossEntropyWithLogits, mseLoss, sigmoid, type Tensor } from '../tensor/index.js';
import type { Task } from './types.js';

/**
 * The symmetric KL divergence KL(P‖Q) + KL(Q‖P) of P = softmax(a) and Q = softmax(b) over `dim`,
 * averaged over every other position (rows of (B, C); B·T tokens of (B, T, C)).
 * With `detachTargets` each KL term's target distribution is a constant, as MT-DNN's SymKlCriterion
 * (mt_dnn/loss.py) computes SMART's final term: KL(sg(Q)‖P) + KL(sg(P)‖Q), sg = stop-gradient; the
 * value is the same, only the gradient differs.
 * @param a logits (…, C, …) float; `b` the same shape.
 * @returns 0-d float, ≥ 0.
 */
export function symmetricKl(a: Tensor, b: Tensor, dim = -1, detachTargets = false): Tensor {
  const logP = a.logSoftmax(dim);
  const logQ = b.logSoftmax(dim);
  const target = (t: Tensor): Tensor => (detachTargets ? t.detach() : t);
  const pLogP = target(logP);
  const qLogQ = target(logQ);
  const klQP = qLogQ.exp().mul(qLogQ.sub(logP)).sum(dim); // KL(Q‖P) per position
  const klPQ = pLogP.exp().mul(pLogP.sub(logQ)).sum(dim); // KL(P‖Q) per position
  return klQP.add(klPQ).mean();
}

/**
 * The symmetric KL divergence of independent Bernoulli outputs, for multi-label heads whose labels
 * are separate sigmoids rather than one softmax: with p = σ(a) and q = σ(b) per label,
 * KL(Q‖P) = q·log(q/p) + (1−q)·log((1−q)/(1−p)) = BCE(a; q) − BCE(b; q) (binary cross-entropy on
 * logits, target q), and the same with P and Q swapped; summed over the labels of `dim`, averaged over
 * every other position. `detachTargets`: each term's target distribution is a constant, as in
 * `symmetricKl`.
 * @param a logits (…, C) float, one per label; `b` the same shape.
 * @returns 0-d float, ≥ 0.
 */
export function symmetricBernoulliKl(a: Tensor, b: Tensor, dim = -1, detachTargets = false): Tensor {
  const target = (t: Tensor): Tensor => (detachTargets ? t.detach() : t);
  const kl = (target_: Tensor, logits: Tensor): Tensor => {
    const t = target(target_);
    const q = sigmoid(t);
    const crossEntropy = binaryCrossEntropyWithLogits(logits, q, { reduction: 'none' });
    return crossEntropy.sub(binaryCrossEntropyWithLogits(t, q, { reduction: 'none' }));
  };
  return kl(b, a).add(kl(a, b)).sum(dim).mean();
}

/**
 * ℓ_s(clean, perturbed) for `task`: the type's own `outputDivergence` when it declares one (a
 * multi-label sequence classification: `symmetricBernoulliKl`), else the
 * mean squared difference for a 'scalar' label space and the symmetric KL over the last dimension
 * (classes, or vocabulary tokens) for the others.
 * @param clean the head's output on the clean inputs; `perturbed` on the perturbed ones (same shape).
 * @param detachTargets see `symmetricKl` (the squared difference ignores it).
 * @returns 0-d float.
 */
export function outputDivergence(task: Task, clean: Tensor, perturbed: Tensor, detachTargets = false): Tensor {
  const own = task.type.outputDivergence;
  if (own !== undefined) return own(clean, perturbed, detachTargets, task.spec);
  if (task.type.labelSpace === 'scalar') return mseLoss(perturbed, clean);
  return symmetricKl(clean, perturbed, -1, detachTargets);
}
