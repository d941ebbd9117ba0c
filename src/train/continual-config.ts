/**
 * The config of continual training (`mtl train CONFIG --from CKPT`; what the run does: ./continual.ts):
 * the config's tasks, then the checkpoint's tasks it does not name, on the checkpoint's encoder and tokenizer.
 */
import { familyConfigKeys, supportedModelTypes } from '../models/registry.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CheckpointError, ConfigError } from '../errors.js';
import { existingFolder, runFolderHint } from '../io/checkpoint-inspect.js';
import { validateTrainingConfig, type TrainingConfig } from '../io/config/index.js';
import { taskTypes } from '../tasks/index.js';
import { readFinetuneConfig } from './finetune.js';

type RawTask = Record<string, unknown> & { name: string; type?: string; data: Record<string, unknown> };
type Rehearsal = { examples?: number; examples_per_class?: number };

/**
 * The data section of an earlier task's replay buffer: `examples_per_class` of each class where its type
 * samples per class and it trained on no `train_subset` (within its own `train_per_class`), else `examples`
 * (within its own `train_subset`; a task that trained on a `train_per_class` sample replays that sample).
 * @throws ConfigError when neither applies to the task (`examples_per_class` alone, a task without classes).
 */
function replayData(task: RawTask, rehearsal: Rehearsal, file: string): Record<string, unknown> {
  const { train_subset: subset, train_per_class: perClass, ...data } = task.data;
  const min = (n: number, own: unknown) => Math.min(n, typeof own === 'number' ? own : Infinity);
  const byClass = taskTypes.configKind(task.type ?? '')?.configKeys.includes('data.train_per_class') === true && subset === undefined;
  if (rehearsal.examples_per_class !== undefined && byClass)
    return { ...data, train_per_class: min(rehearsal.examples_per_class, perClass) };
  if (rehearsal.examples !== undefined)
    return perClass === undefined ? { ...data, train_subset: min(rehearsal.examples, subset) } : { ...data, train_per_class: perClass };
  throw new ConfigError(
    `${file}: continual.rehearsal.examples_per_class does not apply to the checkpoint's task '${task.name}' (${task.type}: ` +
      `no classes to sample by${subset === undefined ? '' : ', or trained on a train_subset'}); add 'examples' for such tasks`,
  );
}

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
  existingFolder(ckpt); // "no checkpoint at …: the folder does not exist"
  let earlier: { tasks?: RawTask[] };
  try {
    earlier = parse(readFileSync(path.join(ckpt, 'training_config.yaml'), 'utf8')) as { tasks?: RawTask[] };
  } catch (e) {
    throw new CheckpointError(
      `${ckpt} cannot be continued: it needs the training_config.yaml of the run that wrote it (${(e as Error).message})${runFolderHint(ckpt)}`,
    );
  }
  const read = await readFinetuneConfig(file, `the tokenizer of ${ckpt}`);
  const config = { ...read.config, ...set };
  const encoder = read.encoder;
  const continual = (config.continual ?? {}) as Record<string, unknown>;
  const rehearsal = continual.rehearsal as Rehearsal | null | undefined;
  const named = new Set(((config.tasks ?? []) as RawTask[]).map((t) => t.name));
  const kept = (earlier.tasks ?? [])
    .filter((t) => !named.has(t.name))
    .map(({ train: _train, ...t }): RawTask => (rehearsal ? { ...t, data: replayData(t, rehearsal, file) } : { ...t, train: false }));
  const resolved = {
    ...config,
    encoder: { ...encoder, from: ckpt },
    tokenizer: { path: path.join(ckpt, 'tokenizer.json') },
    tasks: [...((config.tasks ?? []) as RawTask[]), ...kept],
    continual: { ...continual, from: ckpt },
  };
  return validateTrainingConfig(resolved, {
    source: file,
    baseDir: path.dirname(path.resolve(file)),
    taskTypes,
    modelTypes: supportedModelTypes(),
    familyKeys: familyConfigKeys,
  });
}
