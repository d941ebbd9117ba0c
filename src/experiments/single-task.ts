/**
 * Single-task baselines from a multi-task config: the same encoder, tokenizer settings, data,
 * optimizer and step budget, trained on one task alone with hard sharing and no multi-task strategy
 * (static weighting, no surgery, no adapters or MMoE). The reference point of the multi-task gain Δ
 * (./mtl-gain.ts).
 */
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { nearest, type TrainingConfig } from '../io/config/index.js';

/**
 * The config that trains only task `name` of `config`, writing to `<output_dir>/single-task/<name>`.
 * The early-stopping metric becomes 'average' (that task's main metric) unless it already names the task.
 * @throws ConfigError when the config has no task `name` (naming the nearest one).
 */
export function singleTaskConfig(config: TrainingConfig, name: string): TrainingConfig {
  const task = config.tasks.find((t) => t.name === name);
  const names = config.tasks.map((t) => t.name);
  if (task === undefined) {
    const near = nearest(name, names);
    throw new ConfigError(
      `--single-task: the config has no task '${name}'${near === undefined ? '' : `; did you mean '${near}'?`} (its tasks: ${names.join(', ')})`,
    );
  }
  const t = config.training;
  const es = t.earlyStopping;
  return {
    ...config,
    outputDir: path.join(config.outputDir, 'single-task', name),
    tasks: [{ ...task, weight: 1 }],
    training: {
      ...t,
      taskSchedule: 'alternating',
      sampler: { kind: 'proportional' },
      weighting: { method: 'static' },
      surgery: null,
      earlyStopping: es === null || es.metric.startsWith(`${name}.`) ? es : { ...es, metric: 'average' },
    },
    peft: null,
    mmoe: null,
  };
}
