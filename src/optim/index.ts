/** Optimizers (AdamW, SGD) as torch.optim, parameter groups, gradient clipping and learning-rate schedules. */
export { AdamW, type AdamWGroup, type AdamWOptions } from './adamw.js';
export { SGD } from './sgd.js';
export { Optimizer, type ParamGroup, type OptimizerStateDict } from './optimizer.js';
export { paramGroupsNoDecay, isNoDecayName } from './param-groups.js';
export { clipGradNorm } from './clip.js';
export * from './schedules.js';
export { createOptimizer, type OptimizerSpec, type AdamWSpec, type SgdSpec } from './create.js';
export { GradScaler, type GradScalerOptions, type GradScalerState } from './grad-scaler.js';
