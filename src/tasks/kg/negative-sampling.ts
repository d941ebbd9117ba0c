/**
 * Negative sampling for link prediction: corrupt the head or the tail of each positive triple with
 * entities drawn uniformly (Bordes et al. 2013), and the self-adversarial loss of RotatE (Sun et al.,
 * ICLR 2019, §3.2–3.3, eq. 4–5).
 */
import { ConfigError, ShapeError } from '../../errors.js';
import type { Triple } from '../../data/readers/triples.js';
import { detach, mean, mul, neg, softmax, sub, sum, tidy, add, fullLike, type Tensor } from '../../tensor/index.js';
import type { KnownTriples } from './known-triples.js';
import { logSigmoid } from './log-sigmoid.js';
import type { CorruptSide } from './scoring.js';

/** A seeded source of uniform floats in [0, 1) (an `Rng` from src/mtl/samplers fits). */
export interface UniformSource {
  float(): number;
}

export interface NegativeSamplingOptions {
  /** Corrupted entities per positive (N). */
  numNegatives: number;
  /** Entity count E: candidates are 0 … E−1. */
  numEntities: number;
  /** Which side each negative replaces. */
  side: CorruptSide;
  /**
   * When given, no negative is a known true triple (the positive included), as in the RotatE code:
   * draws that are are redrawn. Omit for plain uniform corruption (which may hit true triples).
   */
  exclude?: KnownTriples;
}

/** Redraws allowed per negative before giving up (only reachable when nearly every entity is a true filler). */
const MAX_TRIES = 1000;

/**
 * Corrupting entities for each positive.
 * @returns (B·N) entity ids, row-major (B, N): row b holds the fillers of `side` for `positives[b]`.
 * @throws ConfigError on bad counts, or when a positive has no entity left to corrupt with.
 */
export function sampleNegatives(positives: readonly Triple[], options: NegativeSamplingOptions, rng: UniformSource): Int32Array {
  const { numNegatives: N, numEntities: E, side, exclude } = options;
  if (!Number.isInteger(N) || N < 1) throw new ConfigError(`numNegatives must be a positive integer, got ${N}`);
  if (!Number.isInteger(E) || E < 2) throw new ConfigError(`numEntities must be an integer ≥ 2, got ${E}`);
  const out = new Int32Array(positives.length * N);
  positives.forEach((p, b) => {
    const taken = exclude?.trueFillers(p, side);
    const own = side === 'tail' ? p.tail : p.head;
    for (let j = 0; j < N; j++) {
      let e = Math.floor(rng.float() * E);
      for (let tries = 0; exclude !== undefined && (e === own || taken!.has(e)); tries++) {
        if (tries >= MAX_TRIES) {
          throw new ConfigError(
            `could not draw a negative ${side} for triple ${JSON.stringify(p)} in ${MAX_TRIES} tries: nearly all entities are true fillers`,
          );
        }
        e = Math.floor(rng.float() * E);
      }
      out[b * N + j] = e;
    }
  });
  return out;
}

export interface NegativeLossOptions {
  /** γ, the margin of eq. 4 (RotatE used 6–24 for distance models; 0 for DistMult/ComplEx as in its code). */
  margin?: number;
  /** α, the self-adversarial sampling temperature of eq. 5; omit for uniform weights 1/N. */
  adversarialTemperature?: number;
}

/**
 * The negative-sampling loss of RotatE (eq. 4), with self-adversarial weights (eq. 5):
 *   L = −log σ(γ + f(h, t)) − Σ_j p_j · log σ(−γ − f(h'_j, t'_j)),  p = softmax(α·f(h', t')) detached,
 * averaged over the batch. With f = −d this is the paper's −log σ(γ − d) − Σ p_j log σ(d'_j − γ).
 * (The authors' code averages the positive and negative terms, i.e. halves this.)
 * @param posScore (B,) scores of the positives.
 * @param negScore (B, N) scores of their negatives.
 * @returns () the loss.
 */
export function negativeSamplingLoss(posScore: Tensor, negScore: Tensor, options: NegativeLossOptions = {}): Tensor {
  const [B, N] = negScore.shape;
  if (negScore.ndim !== 2 || posScore.ndim !== 1 || posScore.shape[0] !== B) {
    throw new ShapeError(
      `expected posScore (B,) and negScore (B, N), got [${posScore.shape.join(', ')}] and [${negScore.shape.join(', ')}]`,
    );
  }
  const gamma = options.margin ?? 0;
  const alpha = options.adversarialTemperature;
  return tidy(() => {
    const posTerm = neg(logSigmoid(add(posScore, gamma))); // (B,)
    const negLog = logSigmoid(sub(neg(negScore), gamma)); // (B, N)
    const weights = alpha === undefined ? fullLike(negScore, 1 / N!) : detach(softmax(mul(negScore, alpha), 1)); // (B, N)
    const negTerm = neg(sum(mul(weights, negLog), 1)); // (B,)
    return mean(add(posTerm, negTerm));
  });
}
