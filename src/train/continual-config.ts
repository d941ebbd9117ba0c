/**
 * The config of continual training (`mtl train CONFIG --from CKPT`; what the run does: ./continual.ts):
 * the config's tasks, then the checkpoint's tasks it does not name, on the checkpoint's encoder and tokenizer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CheckpointError } from '../errors.js';
import { validateTrainingConfig, type TrainingConfig } from '../io/config/index.js';
import { taskTypes } from '../tasks/index.js';
import { readFinetuneConfig } from './finetune.js';

type RawTask = Record<string, unknown> & { name: string; data: Record<string, unknown> };

/**
 * The training config of continuing `checkpoint` (a checkpoint folder of ours: config.json, weights,
 * tokenizer.json, tasks.json, training_config.yaml) as the config file `file` (YAML, or a module) says (see the file comment):
 * encoder and tokenizer the checkpoint's, its tasks that `file` does not name appended (with a
 * rehearsal sample, or `train: false`), `continual.from` recording the checkpoint.
 * @param set top-level keys that replace the file's (`seed`, `continual`, …).
 * @throws ConfigError as `loadFinetuneConfig` (no tokenizer section, no architecture keys) or for an
 *   invalid result; CheckpointError when the checkpoint has no training_config.yaml.
 */
export async function loadContinualConfig(file: string, checkpoint: string, set: Record<string, unknown> = {}): Promise<TrainingConfig> {
  const ckpt = path.resolve(checkpoint);
  let earlier: { tasks?: RawTask[] };
  try {
    earlier = parse(readFileSync(path.join(ckpt, 'training_config.yaml'), 'utf8')) as { tasks?: RawTask[] };
  } catch (e) {
    throw new CheckpointError(
      `${ckpt} cannot be continued: it needs the training_config.yaml of the run that wrote it (${(e as Error).message})`,
    );
  }
  const read = await readFinetuneConfig(file, `the tokenizer of ${ckpt}`);
  const config = { ...read.config, ...set };
  const encoder = read.encoder;
  const continual = (config.continual ?? {}) as Record<string, unknown>;
  const rehearsal = continual.rehearsal as { examples?: number } | null | undefined;
  const named = new Set(((config.tasks ?? []) as RawTask[]).map((t) => t.name));
  const kept = (earlier.tasks ?? [])
    .filter((t) => !named.has(t.name))
    .map(({ train: _train, ...t }): RawTask => {
      if (typeof rehearsal?.examples !== 'number') return { ...t, train: false };
      const subset = t.data.train_subset;
      return { ...t, data: { ...t.data, train_subset: Math.min(rehearsal.examples, typeof subset === 'number' ? subset : Infinity) } };
    });
  const resolved = {
    ...config,
    encoder: { ...encoder, from: ckpt },
    tokenizer: { path: path.join(ckpt, 'tokenizer.json') },
    tasks: [...((config.tasks ?? []) as RawTask[]), ...kept],
    continual: { ...continual, from: ckpt },
  };
  return validateTrainingConfig(resolved, { source: file, baseDir: path.dirname(path.resolve(file)), taskTypes });
}
