/** Experiments built on training and evaluation: strategy comparison, single-task baselines, multi-task gain, transfer. */
export { singleTaskConfig } from './single-task.js';
export { multiTaskGain, type TaskScore } from './mtl-gain.js';
export { compare, encoderPassesPerRequest, type CompareOptions, type CompareResult } from './compare.js';
export {
  loadCompareConfig,
  mergeConfig,
  type CompareBudget,
  type CompareConfig,
  type CompareOverrides,
  type CompareStrategy,
} from './compare-config.js';
export {
  compareTable,
  compareMarkdown,
  type CompareCost,
  type CompareRow,
  type CompareRun,
  type CompareTable,
  type TaskMetric,
} from './compare-table.js';
export { pairedDifference, studentTQuantile, summarize, type SeedSummary } from './seed-stats.js';
