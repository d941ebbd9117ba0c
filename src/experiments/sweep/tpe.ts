/**
 * The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl, "Algorithms for
 * Hyper-Parameter Optimization", NeurIPS 2011, section 4). The trials so far are split at the
 * γ-quantile of their losses into the good ones and the rest; each parameter gets two densities, l(x)
 * over the good values and g(x) over the others (Parzen windows: one Gaussian per value, widths from
 * the distances to its neighbours, plus the prior), and the next value is the one of `candidates` draws
 * from l that maximises l(x)/g(x) — which maximises expected improvement (eq. 4-6). Parameters are
 * treated independently, as in the paper's and hyperopt's implementation. Real ranges work in the
 * value (uniform) or its logarithm (log_uniform); integer ranges as reals rounded.
 */
import { drawValue, type Parameter, type ParameterValue, type Point, type Space } from './space.js';

export interface TpeOptions {
  /** Trials drawn at random before the model takes over (hyperopt: 20; small sweeps: fewer). */
  readonly startupTrials: number;
  /** Draws from l(x) among which the best l/g is chosen (hyperopt: 24). */
  readonly candidates: number;
  /** γ: the fraction of trials counted as good (the paper: 0.15–0.25). */
  readonly gamma: number;
}

export const TPE_DEFAULTS: TpeOptions = { startupTrials: 5, candidates: 24, gamma: 0.25 };

/** A finished trial as TPE sees it: its point and its loss (lower is better). */
export interface Observation {
  readonly point: Point;
  readonly loss: number;
}

/** erf(x) within 1.5e-7 (Abramowitz & Stegun 7.1.26). */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

const normalCdf = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));

/** A mixture of Gaussians truncated to [low, high]: one component per value, plus the prior. */
interface Parzen {
  readonly mus: readonly number[];
  readonly sigmas: readonly number[];
  readonly low: number;
  readonly high: number;
}

/**
 * hyperopt's adaptive Parzen estimator: the prior N((low+high)/2, high−low) and one component per
 * value, whose σ is the larger distance to its sorted neighbours, clipped to [(high−low)/min(100, n+1), high−low].
 */
export function parzen(values: readonly number[], low: number, high: number): Parzen {
  const priorMu = (low + high) / 2;
  const priorSigma = high - low;
  const mus = [...values, priorMu].sort((a, b) => a - b);
  const minSigma = priorSigma / Math.min(100, mus.length);
  const sigmas = mus.map((mu, i) => {
    const left = i > 0 ? mu - mus[i - 1]! : mus.length > 1 ? mus[1]! - mu : priorSigma;
    const right = i < mus.length - 1 ? mus[i + 1]! - mu : mus.length > 1 ? mu - mus[i - 1]! : priorSigma;
    return Math.min(priorSigma, Math.max(minSigma, left, right));
  });
  const prior = mus.indexOf(priorMu);
  sigmas[prior] = priorSigma;
  return { mus, sigmas, low, high };
}

/** log p(x) under the truncated mixture (equal weights). */
export function parzenLogDensity(m: Parzen, x: number): number {
  let density = 0;
  let mass = 0;
  for (let j = 0; j < m.mus.length; j++) {
    const mu = m.mus[j]!;
    const sigma = m.sigmas[j]!;
    const z = (x - mu) / sigma;
    density += Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));
    mass += normalCdf((m.high - mu) / sigma) - normalCdf((m.low - mu) / sigma);
  }
  return Math.log(Math.max(density, 1e-300)) - Math.log(mass);
}

/** A draw from the truncated mixture (rejection of draws outside the range; clipped after 100 tries). */
function parzenDraw(m: Parzen, u: () => number): number {
  const j = Math.min(m.mus.length - 1, Math.floor(u() * m.mus.length));
  for (let tries = 0; tries < 100; tries++) {
    const normal = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()); // Box–Muller
    const x = m.mus[j]! + m.sigmas[j]! * normal;
    if (x >= m.low && x <= m.high) return x;
  }
  return Math.min(m.high, Math.max(m.low, m.mus[j]!));
}

/** The space TPE models a real or integer parameter in, and back. */
function realRange(p: Exclude<Parameter, { type: 'choice' }>): {
  low: number;
  high: number;
  to: (v: number) => number;
  from: (x: number) => number;
} {
  if (p.type === 'log_uniform') return { low: Math.log(p.low), high: Math.log(p.high), to: Math.log, from: Math.exp };
  if (p.type === 'int')
    return { low: p.low - 0.5, high: p.high + 0.5, to: (v) => v, from: (x) => Math.min(p.high, Math.max(p.low, Math.round(x))) };
  return { low: p.low, high: p.high, to: (v) => v, from: (x) => x };
}

/** The next value of a real or integer parameter given its good and other values. */
function nextReal(p: Exclude<Parameter, { type: 'choice' }>, good: number[], bad: number[], n: number, u: () => number): number {
  const r = realRange(p);
  const l = parzen(good.map(r.to), r.low, r.high);
  const g = parzen(bad.map(r.to), r.low, r.high);
  let best = Number.NaN;
  let bestScore = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = parzenDraw(l, u);
    const score = parzenLogDensity(l, x) - parzenLogDensity(g, x);
    if (score > bestScore) [best, bestScore] = [x, score];
  }
  return r.from(best);
}

/** The next value of a choice: l and g are the value frequencies (plus one for each value, the prior). */
function nextChoice(
  values: readonly ParameterValue[],
  good: ParameterValue[],
  bad: ParameterValue[],
  n: number,
  u: () => number,
): ParameterValue {
  const freq = (seen: ParameterValue[]) => values.map((v) => (seen.filter((s) => s === v).length + 1) / (seen.length + values.length));
  const l = freq(good);
  const g = freq(bad);
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < n; i++) {
    let x = u();
    let k = 0;
    while (k < values.length - 1 && x >= l[k]!) x -= l[k++]!;
    const score = Math.log(l[k]!) - Math.log(g[k]!);
    if (score > bestScore) [best, bestScore] = [k, score];
  }
  return values[best] as ParameterValue;
}

/**
 * The next point to try after `observations`: drawn at random (`drawValue`) while there are fewer
 * than `startupTrials`, else by TPE (see the file comment).
 * @param u uniform draws in [0, 1) (seeded by the caller).
 */
export function tpePoint(space: Space, observations: readonly Observation[], options: TpeOptions, u: () => number): Point {
  if (observations.length < Math.max(2, options.startupTrials))
    return Object.fromEntries(space.map(([name, p]) => [name, drawValue(p, u)]));
  const sorted = [...observations].sort((a, b) => a.loss - b.loss);
  const nGood = Math.max(1, Math.ceil(options.gamma * sorted.length));
  const good = sorted.slice(0, nGood);
  const bad = sorted.slice(nGood);
  const point: Record<string, ParameterValue> = {};
  for (const [name, p] of space) {
    const valuesOf = (obs: readonly Observation[]) => obs.map((o) => o.point[name]).filter((v) => v !== undefined);
    point[name] =
      p.type === 'choice'
        ? nextChoice(p.values, valuesOf(good), valuesOf(bad), options.candidates, u)
        : nextReal(p, valuesOf(good) as number[], valuesOf(bad) as number[], options.candidates, u);
  }
  return point;
}
