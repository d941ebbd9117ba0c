/**
 * Rules of the multi-task strategy keys that relate several keys: the task schedule, the sampler,
 * loss weighting, gradient surgery, adversarial training, parameter-efficient training and meta-learning (the schema checks each key alone).
 */
import { nearest } from './issues.js';
import type { SnakeTrainingConfig } from './schema.js';
import type { ConfigPath } from './yaml-source.js';

type Report = (path: ConfigPath, message: string) => void;

/** The weighting options and the methods that take them. */
const WEIGHTING_OPTIONS: Record<string, readonly string[]> = {
  initial_log_variance: ['uncertainty'],
  alpha: ['gradnorm'],
  lr: ['gradnorm'],
  shared: ['gradnorm'],
  temperature: ['dwa'],
  period: ['dwa'],
  scale: ['random'],
};

/** The surgery options and the methods that take them. */
const SURGERY_OPTIONS: Record<string, readonly string[]> = {
  reduction: ['pcgrad', 'gradvac'],
  c: ['cagrad'],
  rescale: ['cagrad'],
  beta: ['gradvac'],
  max_iterations: ['mgda', 'cagrad'],
};

/** Reports `options` keys set for a method that does not take them. */
function checkOptions(
  section: Record<string, unknown>,
  method: string,
  options: Record<string, readonly string[]>,
  at: ConfigPath,
  report: Report,
): void {
  for (const [key, methods] of Object.entries(options)) {
    if (section[key] !== undefined && !methods.includes(method))
      report([...at, key], `'${key}' applies only to ${methods.map((m) => `'${m}'`).join(', ')}, not to '${method}'`);
  }
}

function checkSampler(config: SnakeTrainingConfig, report: Report): void {
  const s = config.training.sampler;
  const at = ['training', 'sampler'];
  if (s.kind === 'fixed' && s.probabilities === undefined)
    report(at, "missing required key 'probabilities' of the 'fixed' sampler (task name → relative probability)");
  if (s.kind !== 'fixed' && s.probabilities !== undefined)
    report([...at, 'probabilities'], `'probabilities' applies only to kind 'fixed', not to '${s.kind}'`);
  if (s.kind === 'fixed' && s.cap !== undefined) report([...at, 'cap'], "'cap' does not apply to kind 'fixed' (it ignores task sizes)");
  if (s.probabilities === undefined) return;
  const names = config.tasks.map((t) => t.name);
  for (const key of Object.keys(s.probabilities)) {
    if (names.includes(key)) continue;
    const near = nearest(key, names);
    report(
      [...at, 'probabilities', key],
      `'${key}' names no task${near === undefined ? `; the tasks are ${names.join(', ')}` : `; did you mean '${near}'?`}`,
    );
  }
  const missing = names.filter((n) => s.probabilities?.[n] === undefined);
  if (missing.length > 0) report([...at, 'probabilities'], `give a probability for every task; missing: ${missing.join(', ')}`);
  if (Object.values(s.probabilities).every((p) => p === 0)) report([...at, 'probabilities'], 'at least one probability must be positive');
}

function checkWeightingAndSurgery(config: SnakeTrainingConfig, report: Report): void {
  const t = config.training;
  const w = t.weighting;
  checkOptions(w, w.method, WEIGHTING_OPTIONS, ['training', 'weighting'], report);
  if (w.method === 'gradnorm' && t.task_schedule !== 'joint')
    report(
      ['training', 'weighting', 'method'],
      "gradnorm compares every task's gradient norm in each step: set training.task_schedule: joint",
    );
  const s = t.surgery;
  if (s === null) return;
  checkOptions(s, s.method, SURGERY_OPTIONS, ['training', 'surgery'], report);
  if (t.task_schedule !== 'joint')
    report(['training', 'surgery'], "gradient surgery needs every task's gradient in each step: set training.task_schedule: joint");
  if (w.method !== 'static')
    report(
      ['training', 'weighting', 'method'],
      `gradient surgery combines the (statically weighted) task gradients itself; it cannot be used with '${w.method}' weighting`,
    );
}

/** The adversarial options and the methods that take them. */
const ADVERSARIAL_OPTIONS: Record<string, readonly string[]> = {
  step_size: ['pgd', 'freelb', 'smart'],
  steps: ['pgd', 'freelb', 'smart'],
  init: ['freelb', 'smart'],
  weight: ['fgm', 'pgd', 'smart'],
};

function checkAdversarial(config: SnakeTrainingConfig, report: Report): void {
  const a = config.training.adversarial;
  if (a === null) return;
  const at = ['training', 'adversarial'];
  checkOptions(a, a.method, ADVERSARIAL_OPTIONS, at, report);
  const names = config.tasks.map((t) => t.name);
  (a.tasks ?? []).forEach((name, i) => {
    if (names.includes(name)) return;
    const near = nearest(name, names);
    report(
      [...at, 'tasks', i],
      `'${name}' names no task${near === undefined ? `; the tasks are ${names.join(', ')}` : `; did you mean '${near}'?`}`,
    );
  });
}

function checkPeft(config: SnakeTrainingConfig, report: Report): void {
  const p = config.peft;
  if (p === null) return;
  if (p.lora === undefined && p.adapters === undefined && p.freeze === undefined)
    report(['peft'], "peft needs 'lora', 'adapters' or 'freeze' (a parameter-name pattern)");
  if (p.lora !== undefined && p.adapters !== undefined) report(['peft', 'adapters'], "give 'lora' or 'adapters', not both");
}

/** Messages of `training.meta`'s refusals, shared with src/train/meta-step.ts's `checkMetaRun`. */
export const metaRefusals = {
  joint: "training.meta: an episode adapts to one stream; use task_schedule: alternating (the default), not 'joint'",
  /** `what` (a setting that acts on a step's loss or gradients) and how to drop it. */
  combined: (what: string, fix: string) =>
    `training.meta cannot be combined with ${what}: an episode's loss is its stream's plain sum; ${fix}`,
  scaler: (precision: string, gradScaler: boolean) =>
    `training.meta cannot be combined with a loss scaler (precision '${precision}'${gradScaler ? ', training.grad_scaler' : ''}): ` +
    "an episode's inner SGD steps would take scaled gradients with no check for inf or NaN; use precision bf16 or fp32 and grad_scaler: null",
};

/**
 * `training.meta` (src/train/meta-step.ts): an episode adapts to one stream and its loss is the stream's
 * plain sum, so the joint schedule and settings that act on a step's loss or gradients are refused here,
 * each at its own key, before any data is read (`checkMetaRun` repeats it for runs built without a
 * config file, and refuses data-parallel runs, a command-line setting).
 */
function checkMeta(config: SnakeTrainingConfig, report: Report): void {
  const t = config.training;
  if (t.meta === null) return;
  const refuse = (path: ConfigPath, what: string, fix: string) => report(path, metaRefusals.combined(what, fix));
  if (t.task_schedule === 'joint') report(['training', 'task_schedule'], metaRefusals.joint);
  if (t.weighting.method !== 'static')
    refuse(['training', 'weighting', 'method'], `${t.weighting.method} loss weighting`, 'use training.weighting.method: static');
  if (t.adversarial !== null) refuse(['training', 'adversarial'], 'adversarial training', 'drop training.adversarial');
  if (t.word_dropout > 0) refuse(['training', 'word_dropout'], 'word dropout', 'set training.word_dropout: 0');
  if (config.continual?.ewc != null) refuse(['continual', 'ewc'], 'EWC', 'drop continual.ewc');
  if (t.precision === 'fp16' || t.grad_scaler !== null)
    report(
      t.grad_scaler !== null ? ['training', 'grad_scaler'] : ['training', 'precision'],
      metaRefusals.scaler(t.precision, t.grad_scaler !== null),
    );
}

/** Every cross-key problem of the strategy keys. */
export function checkStrategy(config: SnakeTrainingConfig, report: Report): void {
  checkSampler(config, report);
  checkWeightingAndSurgery(config, report);
  checkPeft(config, report);
  checkAdversarial(config, report);
  checkMeta(config, report);
}
