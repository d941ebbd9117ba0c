/**
 * Adversarial training on the input embeddings, one function per method. Each takes a forward pass
 * of a micro-batch's tasks and returns the loss of each task to back-propagate (the training
 * strategy then weights and combines them as it does clean losses) and the clean losses (reported):
 * - FGM (Miyato et al., "Adversarial Training Methods for Semi-Supervised Text Classification", ICLR
 *   2017, eq. 2): r = ε·g/‖g‖₂ with g = ∇_e L(e), e the embedded inputs; loss L(e) + L(e + r).
 * - PGD (Madry et al., "Towards Deep Learning Models Resistant to Adversarial Attacks", ICLR 2018,
 *   eq. 2), as the "PGD-K" recipe for BERT fine-tuning runs it: K projected ascent steps
 *   δ ← Π_ε(δ + α·g/‖g‖) from δ = 0, the first from the clean gradient; loss L(e) + L(e + δ_K).
 * - FreeLB (Zhu et al., "FreeLB: Enhanced Adversarial Training for Natural Language Understanding",
 *   ICLR 2020, Algorithm 1): from δ₀ ~ U(−σ, σ)/√(T·H), the parameter gradients of K ascent steps are
 *   averaged: loss (1/K)·Σ_{t<K} L(e + δ_t), δ_{t+1} = Π_ε(δ_t + α·g_t/‖g_t‖).
 * - SMART (Jiang et al., "SMART: Robust and Efficient Fine-Tuning for Pre-trained Natural Language
 *   Models through Principled Regularized Optimization", ACL 2020, eq. 2–3 and Algorithm 1, as MT-DNN
 *   runs it): from δ₀ ~ N(0, σ²), K projected ascent steps on ℓ_s(f(e), f(e + δ)) with f(e) held
 *   constant; loss L(e) + λ_s·ℓ_s(f(e), f(e + δ_K)) (ℓ_s: src/tasks/divergence.ts).
 * The ascent direction of every method is that of Σ_k w_k·L_k over the tasks trained adversarially
 * (w_k: the strategy's current task weights); the other tasks keep their clean loss.
 */
import { grad, noGrad, rand, randn, tidy, type Tensor } from '../../tensor/index.js';
import { outputDivergence, type Task } from '../../tasks/index.js';
import type { Embedding } from '../../nn/embedding.js';
import { ascentDirection, ascentStep } from './geometry.js';
import { perturbed, type DeltaSource } from './perturbation.js';
import type { AdversarialSettings } from './settings.js';

/** One forward pass of a micro-batch's tasks: task → logits and → loss (0-d), attached to the graph. */
export interface PassOutput {
  readonly logits: ReadonlyMap<string, Tensor>;
  readonly losses: ReadonlyMap<string, Tensor>;
}

/** What a method gets: the pass, the input embeddings it perturbs, the tasks of the pass and their weights. */
export interface AdversarialContext {
  readonly pass: () => PassOutput;
  readonly embedding: Embedding;
  /** The tasks of the pass (their types give SMART's divergence). */
  readonly tasks: readonly Task[];
  /** Whether a task is trained adversarially. */
  readonly enabled: (task: string) => boolean;
  /** task → its weight in the ascent objective (the strategy's current weights). */
  readonly weights: Readonly<Record<string, number>>;
  /** Leaf parts of δ made during the passes; the caller disposes them. */
  readonly owned: Tensor[];
}

/** What a method gives: the losses to back-propagate and the clean ones, by task. */
export interface AdversarialLosses {
  readonly train: Map<string, Tensor>;
  readonly clean: ReadonlyMap<string, Tensor>;
}

/** δ = 0 with gradient, one part per lookup (FGM's and PGD's first pass reads ∇_e L through it). */
const zeroStart = (e: Tensor): Tensor => noGrad(() => e.mul(0)).requiresGrad_(true);

/** Σ_k w_k·L_k over the enabled tasks of `losses`, or undefined when none is enabled. */
function objective(ctx: AdversarialContext, terms: ReadonlyMap<string, Tensor>): Tensor | undefined {
  let sum: Tensor | undefined;
  for (const [name, term] of terms) {
    if (!ctx.enabled(name)) continue;
    const weighted = term.mul(ctx.weights[name] ?? 1);
    sum = sum === undefined ? weighted : sum.add(weighted);
  }
  return sum;
}

/** ∇_δ of `value` for every part, or undefined when δ was not used (a head that reads no embedding). */
function gradOf(value: Tensor, deltas: readonly Tensor[], retainGraph: boolean): Tensor[] | undefined {
  if (deltas.length === 0 || !value.requiresGrad) return undefined;
  const grads = grad(value, deltas, { retainGraph, allowUnused: true });
  if (grads.every((g) => g === undefined)) return undefined;
  return grads.map((g, i) => g ?? deltas[i]!.mul(0));
}

/** Leaf copies of `parts` that record gradients (the next pass's δ). */
const leaves = (parts: readonly Tensor[]): Tensor[] => parts.map((p) => noGrad(() => p.detach().clone()).requiresGrad_(true));

/** The clean losses with, for each enabled task, `weight`·(its term) added. */
function withTerms(
  ctx: AdversarialContext,
  clean: ReadonlyMap<string, Tensor>,
  terms: ReadonlyMap<string, Tensor>,
  weight: number,
): Map<string, Tensor> {
  return new Map(
    [...clean].map(([name, loss]) => {
      const term = terms.get(name);
      return [name, ctx.enabled(name) && term !== undefined ? loss.add(term.mul(weight)) : loss];
    }),
  );
}

/** The clean pass with δ = 0 recording ∇_e, and the ascent objective's gradient there (retained graph). */
function cleanWithGradient(ctx: AdversarialContext): { clean: PassOutput; grads: Tensor[] | undefined } {
  const { result: clean, deltas } = perturbed(ctx.embedding, zeroStart, ctx.owned, ctx.pass);
  const value = objective(ctx, clean.losses);
  return { clean, grads: value === undefined ? undefined : gradOf(value, deltas, true) };
}

/** FGM: L(e) + w·L(e + ε·g/‖g‖). */
export function fgm(ctx: AdversarialContext, s: AdversarialSettings): AdversarialLosses {
  const { clean, grads } = cleanWithGradient(ctx);
  if (grads === undefined) return { train: new Map(clean.losses), clean: clean.losses };
  const r = tidy(() => ascentDirection(grads, s.norm).map((d) => d.mul(s.epsilon)));
  const adversarial = perturbed(ctx.embedding, r, ctx.owned, ctx.pass).result;
  return { train: withTerms(ctx, clean.losses, adversarial.losses, s.weight), clean: clean.losses };
}

/** PGD-K: K projected ascent steps from δ = 0 (the first on the clean gradient); L(e) + w·L(e + δ_K). */
export function pgd(ctx: AdversarialContext, s: AdversarialSettings): AdversarialLosses {
  const { clean, grads } = cleanWithGradient(ctx);
  if (grads === undefined) return { train: new Map(clean.losses), clean: clean.losses };
  let delta = ascentStep(
    grads.map((g) => g.mul(0)),
    grads,
    s,
  );
  for (let t = 1; t < s.steps; t++) {
    const parts = leaves(delta);
    const out = perturbed(ctx.embedding, parts, ctx.owned, ctx.pass).result;
    const g = gradOf(objective(ctx, out.losses)!, parts, false);
    if (g === undefined) break;
    delta = ascentStep(parts, g, s);
  }
  const adversarial = perturbed(ctx.embedding, delta, ctx.owned, ctx.pass).result;
  return { train: withTerms(ctx, clean.losses, adversarial.losses, s.weight), clean: clean.losses };
}

/** FreeLB's random start: U(−σ, σ)/√(T·H) for a lookup of shape (B, T, H). */
const freelbStart = (sigma: number) => (e: Tensor) => {
  const perExample = e.shape.slice(1).reduce((a, b) => a * b, 1);
  return noGrad(() =>
    rand(e.shape, { dtype: e.dtype })
      .mul(2)
      .sub(1)
      .mul(sigma / Math.sqrt(perExample)),
  ).requiresGrad_(true);
};

/** FreeLB: (1/K)·Σ_{t<K} L(e + δ_t) for the enabled tasks (the others: their loss at δ = 0). */
export function freelb(ctx: AdversarialContext, s: AdversarialSettings): AdversarialLosses {
  const first = perturbed(ctx.embedding, freelbStart(s.init), ctx.owned, ctx.pass);
  const sums = new Map(first.result.losses);
  let out = first.result;
  let parts = first.deltas;
  for (let t = 1; t < s.steps; t++) {
    const value = objective(ctx, out.losses);
    const g = value === undefined ? undefined : gradOf(value, parts, true);
    if (g === undefined) break;
    parts = leaves(ascentStep(parts, g, s));
    out = perturbed(ctx.embedding, parts, ctx.owned, ctx.pass).result;
    for (const [name, loss] of out.losses) if (ctx.enabled(name)) sums.set(name, (sums.get(name) as Tensor).add(loss));
  }
  const steps = Math.max(1, s.steps);
  const needClean = [...first.result.losses.keys()].some((name) => !ctx.enabled(name));
  const clean = needClean ? ctx.pass().losses : first.result.losses;
  const train = new Map([...clean].map(([name, loss]) => [name, ctx.enabled(name) ? (sums.get(name) as Tensor).div(steps) : loss]));
  return { train, clean };
}

/** SMART's random start: δ₀ ~ N(0, σ²). */
const smartStart = (sigma: number) => (e: Tensor) => noGrad(() => randn(e.shape, { dtype: e.dtype }).mul(sigma)).requiresGrad_(true);

/** ℓ_s of each enabled task between the clean logits and `out`'s. */
function divergences(ctx: AdversarialContext, clean: PassOutput, out: PassOutput, holdClean: boolean): Map<string, Tensor> {
  const terms = new Map<string, Tensor>();
  for (const task of ctx.tasks) {
    const name = task.spec.name;
    const c = clean.logits.get(name);
    const p = out.logits.get(name);
    if (!ctx.enabled(name) || c === undefined || p === undefined) continue;
    terms.set(name, holdClean ? outputDivergence(task, c.detach(), p) : outputDivergence(task, c, p, true));
  }
  return terms;
}

/**
 * SMART: L(e) + λ_s·ℓ_s(f(e), f(e + δ)) with δ from K projected ascent steps on ℓ_s.
 * @param start δ₀: default N(0, σ²) per lookup; given parts (one per lookup) are copied.
 */
export function smart(ctx: AdversarialContext, s: AdversarialSettings, start: DeltaSource = smartStart(s.init)): AdversarialLosses {
  const clean = ctx.pass();
  let out = perturbed(ctx.embedding, typeof start === 'function' ? start : leaves(start), ctx.owned, ctx.pass);
  let parts = out.deltas;
  for (let t = 0; t < s.steps; t++) {
    const value = objective(ctx, divergences(ctx, clean, out.result, true));
    const g = value === undefined ? undefined : gradOf(value, parts, false);
    if (g === undefined) return { train: new Map(clean.losses), clean: clean.losses };
    const next = ascentStep(parts, g, s);
    parts = t + 1 < s.steps ? leaves(next) : next;
    out = perturbed(ctx.embedding, parts, ctx.owned, ctx.pass);
  }
  return { train: withTerms(ctx, clean.losses, divergences(ctx, clean, out.result, false), s.weight), clean: clean.losses };
}
