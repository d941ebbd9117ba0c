/**
 * The generation-metrics fixture (tests/fixtures/generation_metrics.json, made by
 * scripts/fixtures/generation_metrics.py with Debian's NLTK 3.8) and its types.
 */
import { loadFixture } from '../helpers/load-fixture.js';

export interface GenerationMetricsFixture {
  porter: { words: string[]; stems: string[]; nltk: string; mode: string };
  bleu: { hypotheses: string[]; references: string[][]; exp: number; none: number | null }[];
  chrf: { hypothesis: string; reference: string; beta: number; score: number }[];
  rouge: { target: string; prediction: string; use_stemmer: boolean; scores: Record<string, [number, number, number]> }[];
}

export const generationFixture = loadFixture<GenerationMetricsFixture>('generation_metrics');

/** |actual − expected| ≤ tol. */
export function near(actual: number, expected: number, tol: number): boolean {
  return Math.abs(actual - expected) <= tol;
}
