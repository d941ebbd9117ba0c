/** Optimizers (AdamW, SGD, Adagrad, Adafactor) as torch.optim, parameter groups, gradient clipping and learning-rate schedules. */
export { AdamW, type AdamWGroup, type AdamWOptions } from './adamw.js';
export { SGD } from './sgd.js';
export { Adagrad, type AdagradGroup, type AdagradOptions } from './adagrad.js';
export { Adafactor, relativeStepSize, type AdafactorGroup, type AdafactorOptions } from './adafactor.js';
export { Optimizer, type ParamGroup, type OptimizerStateDict } from './optimizer.js';
export { paramGroupsNoDecay, isNoDecayName } from './param-groups.js';
export { clipGradNorm } from './clip.js';
export * from './schedules.js';
export {
  createOptimizer,
  optimizerClassName,
  type OptimizerSpec,
  type AdamWSpec,
  type SgdSpec,
  type AdagradSpec,
  type AdafactorSpec,
} from './create.js';
export {
  GradScaler,
  gradScalerStateFromJson,
  gradScalerToJson,
  type GradScalerJson,
  type GradScalerOptions,
  type GradScalerState,
} from './grad-scaler.js';
