/**
 * Learning-rate schedules: the multiplier of the base learning rate as a pure function of the step
 * (the number of optimizer steps taken so far, from 0). Formulas of Hugging Face transformers'
 * optimization.py (get_constant_schedule, get_constant_schedule_with_warmup,
 * get_linear_schedule_with_warmup, get_cosine_schedule_with_warmup), which PyTorch's LambdaLR applies
 * as lr = base_lr · multiplier(step).
 */
import { ConfigError } from '../errors.js';
import type { Optimizer, ParamGroup } from './optimizer.js';

export interface WarmupOptions {
  /** Steps over which the multiplier rises linearly from 0 to 1. */
  warmupSteps: number;
}

export interface DecayOptions extends WarmupOptions {
  /** Steps of the whole run; the linear schedule reaches 0 here. */
  totalSteps: number;
}

export interface CosineOptions extends DecayOptions {
  /** Cosine periods over the decay phase: 0.5 (default) goes from 1 down to 0 once. */
  numCycles?: number;
}

/** A multiplier of the base learning rate as a function of the step. */
export type LrSchedule = (step: number) => number;

function checkStep(step: number): void {
  if (!Number.isInteger(step) || step < 0) throw new ConfigError(`schedule step must be an integer ≥ 0, got ${step}`);
}

function checkSteps(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be an integer ≥ 0 (steps), got ${value}`);
}

/** The warm-up ramp step / max(1, warmupSteps), or undefined once warm-up is over. */
function warmup(step: number, warmupSteps: number): number | undefined {
  checkStep(step);
  checkSteps('warmupSteps', warmupSteps);
  return step < warmupSteps ? step / Math.max(1, warmupSteps) : undefined;
}

/** 1 at every step (get_constant_schedule). */
export function constantSchedule(step: number): number {
  checkStep(step);
  return 1;
}

/** step / warmupSteps during warm-up, then 1 (get_constant_schedule_with_warmup). */
export function constantWithWarmup(step: number, { warmupSteps }: WarmupOptions): number {
  return warmup(step, warmupSteps) ?? 1;
}

/**
 * Linear warm-up to 1, then linear decay to 0 at `totalSteps`, 0 after (get_linear_schedule_with_warmup):
 * max(0, (totalSteps − step) / max(1, totalSteps − warmupSteps)).
 * @example
 *   linearWarmupDecay(5, { warmupSteps: 10, totalSteps: 100 }) // 0.5
 */
export function linearWarmupDecay(step: number, { warmupSteps, totalSteps }: DecayOptions): number {
  const ramp = warmup(step, warmupSteps);
  if (ramp !== undefined) return ramp;
  checkSteps('totalSteps', totalSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/**
 * Linear warm-up to 1, then cosine decay (get_cosine_schedule_with_warmup):
 * max(0, ½(1 + cos(π · numCycles · 2 · progress))), progress = (step − warmupSteps) / max(1, totalSteps − warmupSteps).
 * As in transformers, progress is not capped: past `totalSteps` with numCycles 0.5 the multiplier rises again.
 */
export function cosineWithWarmup(step: number, { warmupSteps, totalSteps, numCycles = 0.5 }: CosineOptions): number {
  const ramp = warmup(step, warmupSteps);
  if (ramp !== undefined) return ramp;
  checkSteps('totalSteps', totalSteps);
  if (!Number.isFinite(numCycles) || numCycles < 0) throw new ConfigError(`numCycles must be a finite number ≥ 0, got ${numCycles}`);
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
}

/** A schedule chosen by name, as a config names it. */
export type ScheduleSpec =
  | { kind: 'constant' }
  | ({ kind: 'constant_with_warmup' } & WarmupOptions)
  | ({ kind: 'linear' } & DecayOptions)
  | ({ kind: 'cosine' } & CosineOptions);

/** The schedule a spec names, with its options validated now. */
export function makeSchedule(spec: ScheduleSpec): LrSchedule {
  let fn: LrSchedule;
  switch (spec.kind) {
    case 'constant':
      fn = constantSchedule;
      break;
    case 'constant_with_warmup':
      fn = (s) => constantWithWarmup(s, spec);
      break;
    case 'linear':
      fn = (s) => linearWarmupDecay(s, spec);
      break;
    case 'cosine':
      fn = (s) => cosineWithWarmup(s, spec);
      break;
    default:
      throw new ConfigError(
        `unknown schedule kind '${String((spec as { kind: unknown }).kind)}'; expected constant, constant_with_warmup, linear or cosine`,
      );
  }
  fn(0);
  if (spec.kind === 'linear' || spec.kind === 'cosine') fn(Math.max(spec.warmupSteps, 0));
  return fn;
}

/**
 * Sets every group's learning rate to its initial rate times `schedule(step)` (what LambdaLR does
 * after `step` scheduler steps). Call it before each optimizer step with the number of steps taken.
 * @example
 *   for (let step = 0; step < total; step++) { applyLrSchedule(opt, sched, step); …; opt.step(); }
 */
export function applyLrSchedule<G extends ParamGroup>(optimizer: Optimizer<G>, schedule: LrSchedule, step: number): void {
  const multiplier = schedule(step);
  optimizer.initialLrs.forEach((base, i) => optimizer.setLr(base * multiplier, i));
}
