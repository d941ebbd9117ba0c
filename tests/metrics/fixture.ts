/**
 * The metrics fixture (tests/fixtures/metrics.json, made by scripts/fixtures/metrics.py with
 * scikit-learn and scipy), its types, and a number comparison. Read with tests/helpers/load-fixture.ts,
 * which needs no native addon.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFinite, loadFixture } from '../helpers/load-fixture.js';
import type { Label } from '../../src/metrics/index.js';

export const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type Num = number | 'nan' | 'inf' | '-inf';
export interface Prf {
  precision: Num;
  recall: Num;
  f1: Num;
}
export interface PerClass {
  labels: Label[];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}
export interface ClassificationCase {
  name: string;
  gold: Label[];
  pred: Label[];
  labels: Label[] | null;
  accuracy: Num;
  per_class: PerClass | null;
  micro: Prf | null;
  macro: Prf | null;
  weighted: Prf | null;
  confusion: number[][] | null;
  digits: number;
  report_text?: string;
  report_dict?: Record<string, number | Record<string, Num>>;
  macro_nan?: boolean;
}
export interface MultiLabelCase {
  name: string;
  gold: Label[][];
  pred: Label[][];
  labels: Label[] | null;
  subset_accuracy: number;
  per_class: PerClass;
  micro: Prf;
  macro: Prf;
  weighted: Prf;
  samples: Prf;
}
export interface CorrelationCase {
  name: string;
  x: number[];
  y: number[];
  pearson: Num;
  spearman: Num;
  ranks_x: number[];
}
export interface MetricsFixture {
  versions: Record<string, string | null>;
  classification: ClassificationCase[];
  multilabel: MultiLabelCase[];
  correlation: CorrelationCase[];
}

export const fixture = loadFixture<MetricsFixture>('metrics');

/** A fixture number ("nan"/"inf"/"-inf" are how common.py writes non-finite floats). */
export function num(v: Num): number {
  return decodeFinite(v);
}

/** |actual − expected| ≤ tol·max(1, |expected|); NaN matches NaN. */
export function assertNear(actual: number, expected: Num, what: string, tol = 1e-12): void {
  const e = num(expected);
  if (Number.isNaN(e)) return assert.ok(Number.isNaN(actual), `${what}: got ${actual}, expected NaN`);
  assert.ok(Math.abs(actual - e) <= tol * Math.max(1, Math.abs(e)), `${what}: got ${actual}, expected ${e}`);
}

/** Compares precision, recall and F1. */
export function assertPrf(actual: { precision: number; recall: number; f1: number }, expected: Prf, what: string): void {
  assertNear(actual.precision, expected.precision, `${what} precision`);
  assertNear(actual.recall, expected.recall, `${what} recall`);
  assertNear(actual.f1, expected.f1, `${what} f1`);
}
