/**
 * Rules that relate `training.optimizer` to the other learning-rate keys: Adafactor's `relative_step`
 * computes the step size itself (min(1e-2, 1/√t); Shazeer & Stern 2018, §8), so a schedule, a warm-up or
 * per-layer rates would be silently ignored — they are refused instead (Hugging Face's Adafactor refuses an
 * `lr` with `relative_step=True` for the same reason).
 */
import type { SnakeTrainingConfig } from './schema.js';
import type { ConfigPath } from './yaml-source.js';

type Report = (path: ConfigPath, message: string) => void;

/** Reports the optimizer settings that contradict the rest of `training`. */
export function checkOptimizer(config: SnakeTrainingConfig, report: Report): void {
  const t = config.training;
  const o = t.optimizer;
  if (o.name !== 'adafactor') return;
  const at: ConfigPath = ['training', 'optimizer'];
  if (o.warmup_init && !o.relative_step)
    report([...at, 'warmup_init'], 'warmup_init needs relative_step: true (it sets the relative step size to min(1e-6·t, 1/√t))');
  if (!o.relative_step) return;
  const why = 'Adafactor with relative_step: true sets its own step size min(1e-2, 1/√t)';
  const fix = 'or set relative_step: false to use learning_rate and the schedule';
  if (t.schedule !== 'constant')
    report(['training', 'schedule'], `${why}; a '${t.schedule}' schedule would not apply: set schedule: constant, ${fix}`);
  if ((t.warmup_ratio ?? 0) > 0 || (t.warmup_steps ?? 0) > 0)
    report(
      ['training', t.warmup_steps !== undefined ? 'warmup_steps' : 'warmup_ratio'],
      `${why} (warmup_init: true for its own warm-up); remove the warm-up, ${fix}`,
    );
  for (const key of ['encoder_learning_rate', 'layer_lr_decay'] as const)
    if (t[key] !== undefined) report(['training', key], `${why}, the same for every parameter group; remove ${key}, ${fix}`);
}
