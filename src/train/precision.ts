/**
 * A training run's precision (`training.precision`, `training.grad_scaler`): the autocast region its
 * forward passes and losses run in, and its dynamic loss scaler. Used by the ordinary step (./step.ts)
 * and the meta-learning step (./meta-step.ts).
 */
import type { TrainingConfig } from '../io/config/index.js';
import { GradScaler } from '../optim/grad-scaler.js';
import { autocast } from '../tensor/autocast.js';

/**
 * Runs `fn` (forward passes and losses, synchronous) in the config's precision: a bfloat16 autocast
 * region for 'bf16', a float16 one for 'fp16' (CUDA; refused on the CPU by src/run/device.ts before the
 * run starts), `fn` as it is for 'fp32'. The region is of the run's device type ('cuda:1' → 'cuda').
 */
export function inPrecision<T>(config: Pick<TrainingConfig, 'device' | 'training'>, fn: () => T): T {
  const precision = config.training.precision;
  if (precision === 'fp32') return fn();
  const device = config.device.startsWith('cuda') ? 'cuda' : 'cpu';
  return autocast(precision === 'bf16' ? 'bfloat16' : 'float16', fn, device);
}

/**
 * The run's dynamic loss scaler: `training.grad_scaler`'s settings, torch's defaults (2^16, ×2, ×0.5,
 * 2000 steps) when it is null and the precision is fp16, none otherwise.
 */
export function createGradScaler(config: Pick<TrainingConfig, 'training'>): GradScaler | undefined {
  const t = config.training;
  const s = t.gradScaler;
  if (s === null) return t.precision === 'fp16' ? new GradScaler() : undefined;
  return new GradScaler({
    initScale: s.initScale,
    growthFactor: s.growthFactor,
    backoffFactor: s.backoffFactor,
    growthInterval: s.growthInterval,
  });
}
