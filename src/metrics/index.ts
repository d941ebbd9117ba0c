/** Evaluation metrics: pure functions over plain arrays, one metric family per file. */
export * from './classification.js';
export * from './classification-report.js';
export * from './multilabel.js';
export * from './sequence-labeling.js';
export * from './joint.js';
export * from './correlation.js';
export * from './regression.js';
export * from './ranking.js';
export * from './curves.js';
export * from './agreement.js';
export * from './calibration.js';
export * from './probability-report.js';
