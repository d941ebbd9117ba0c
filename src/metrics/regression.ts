/**
 * Error measures of scalar predictions (regression tasks report them beside Pearson and Spearman),
 * as sklearn.metrics 1.2 `mean_squared_error` and `mean_absolute_error`; checked against sklearn by
 * tests/tasks/regression.test.ts.
 */
import { ShapeError } from '../errors.js';
import { checkSameLength } from './classification.js';

function checkPairs(gold: readonly number[], pred: readonly number[], what: string): void {
  checkSameLength(gold, pred, what);
  if (gold.length === 0) throw new ShapeError(`${what}: needs at least 1 pair, got 0`);
}

/**
 * Mean squared error (1/n) Σ (gold − pred)², in the squared unit of the scores.
 * @throws ShapeError for inputs of different lengths or no input.
 * @example meanSquaredError([1, 2, 3], [1, 2, 5]) // 4 / 3
 */
export function meanSquaredError(gold: readonly number[], pred: readonly number[]): number {
  checkPairs(gold, pred, 'meanSquaredError');
  let sum = 0;
  for (let i = 0; i < gold.length; i++) sum += (gold[i]! - pred[i]!) ** 2;
  return sum / gold.length;
}

/**
 * Mean absolute error (1/n) Σ |gold − pred|, in the unit of the scores.
 * @throws ShapeError for inputs of different lengths or no input.
 * @example meanAbsoluteError([1, 2, 3], [1, 2, 5]) // 2 / 3
 */
export function meanAbsoluteError(gold: readonly number[], pred: readonly number[]): number {
  checkPairs(gold, pred, 'meanAbsoluteError');
  let sum = 0;
  for (let i = 0; i < gold.length; i++) sum += Math.abs(gold[i]! - pred[i]!);
  return sum / gold.length;
}
