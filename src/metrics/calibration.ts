/**
 * How far a classifier's confidence is from its accuracy, and whether the gold class is among its
 * top guesses: expected calibration error (Guo et al., "On Calibration of Modern Neural Networks",
 * ICML 2017, eq. 3) and top-k accuracy (scikit-learn 1.2's `top_k_accuracy_score`). Checked by
 * tests/metrics/calibration.test.ts against scripts/fixtures/scores.py.
 */
import { ConfigError } from '../errors.js';
import { checkSameLength } from './classification.js';

function checkRows(gold: readonly number[], probs: readonly (readonly number[])[], what: string): number {
  checkSameLength(gold, probs, what);
  const classes = probs[0]?.length ?? 0;
  for (const [n, row] of probs.entries()) {
    if (row.length !== classes) throw new ConfigError(`${what}: row ${n} has ${row.length} scores; expected ${classes} (one per class)`);
    const g = gold[n] as number;
    if (!Number.isInteger(g) || g < 0 || g >= classes)
      throw new ConfigError(`${what}: gold[${n}] is ${g}; expected a class id in [0, ${classes})`);
  }
  return classes;
}

/**
 * Expected calibration error: Σ_m |B_m|/N · |acc(B_m) − conf(B_m)| over M equal-width bins of the
 * top-class confidence, bin m holding confidences in (m/M, (m+1)/M]. 0 = perfectly calibrated.
 * @param gold (N) class ids.
 * @param probs (N, C) class probabilities (rows summing to 1).
 * @param bins M (default 15, as Guo et al.).
 */
export function expectedCalibrationError(gold: readonly number[], probs: readonly (readonly number[])[], bins = 15): number {
  checkRows(gold, probs, 'expectedCalibrationError');
  if (!Number.isInteger(bins) || bins < 1) throw new ConfigError(`expectedCalibrationError: bins must be a positive integer, got ${bins}`);
  const count = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  const confidence = new Array<number>(bins).fill(0);
  for (const [n, row] of probs.entries()) {
    let top = 0;
    for (let c = 1; c < row.length; c++) if ((row[c] as number) > (row[top] as number)) top = c; // first maximum, as argmax
    const conf = row[top] as number;
    const m = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1)); // (m/M, (m+1)/M]
    count[m]!++;
    confidence[m]! += conf;
    if (top === gold[n]) correct[m]!++;
  }
  let ece = 0;
  for (let m = 0; m < bins; m++) {
    const k = count[m] as number;
    if (k > 0) ece += (k / gold.length) * Math.abs((correct[m] as number) / k - (confidence[m] as number) / k);
  }
  return ece;
}

/**
 * Fraction of examples whose gold class is among the k highest-scored; among tied scores the
 * higher class id ranks first (scikit-learn's reversed stable sort).
 * @param gold (N) class ids; @param scores (N, C).
 */
export function topKAccuracy(gold: readonly number[], scores: readonly (readonly number[])[], k: number): number {
  const classes = checkRows(gold, scores, 'topKAccuracy');
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`topKAccuracy: k must be a positive integer, got ${k}`);
  let hits = 0;
  for (const [n, row] of scores.entries()) {
    const g = gold[n] as number;
    const s = row[g] as number;
    // classes ranked above gold: higher score, or equal score and higher id
    let above = 0;
    for (let c = 0; c < classes; c++) if ((row[c] as number) > s || ((row[c] as number) === s && c > g)) above++;
    if (above < k) hits++;
  }
  return gold.length === 0 ? 0 : hits / gold.length;
}
