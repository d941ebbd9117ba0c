/** The fixture of score-based and agreement metrics (tests/fixtures/scores.json, made by scripts/fixtures/scores.py with scikit-learn). */
import { loadFixture } from '../helpers/load-fixture.js';

interface Curve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}
export interface BinaryCase {
  name: string;
  gold: number[];
  scores: number[];
  roc: Curve;
  roc_all: Curve;
  auc: number;
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
  ap: number;
}
export interface OvrCase {
  name: string;
  kind: 'multiclass' | 'multilabel';
  indicator: number[][];
  scores: number[][];
  auc: Record<'macro' | 'weighted' | 'micro', number>;
  ap: Record<'macro' | 'weighted' | 'micro', number>;
}
export interface AgreementCase {
  name: string;
  a: number[];
  b: number[];
  mcc: number;
  kappa: Record<'none' | 'linear' | 'quadratic', number>;
}
export interface ScoresFixture {
  binary: BinaryCase[];
  ovr: OvrCase[];
  agreement: AgreementCase[];
  top_k: { k: number; gold: number[]; scores: number[][]; accuracy: number }[];
  ece: { bins: number; gold: number[]; probs: number[][]; ece: number }[];
}

export const scores = loadFixture<ScoresFixture>('scores');

/** Element-wise |a − e| ≤ tol·max(1, |e|). */
export function near(actual: readonly number[], expected: readonly number[], tol = 1e-12): boolean {
  return (
    actual.length === expected.length && actual.every((a, i) => Math.abs(a - expected[i]!) <= tol * Math.max(1, Math.abs(expected[i]!)))
  );
}
