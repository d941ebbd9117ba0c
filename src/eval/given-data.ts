/**
 * Evaluating a model folder on data given by the caller (`mtl eval DIR --data FILE --format FORMAT`)
 * rather than on the data its training config names: the one way to evaluate a Hugging Face
 * task-model folder (exported, or from the Hub), which has no training config, and a way to measure a
 * checkpoint of ours on another file. The examples are read, featurized and scored by the same
 * functions as during training; only the task's `data` (and, for csv/tsv/jsonl, its fields) change.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { TaskRecord } from '../io/checkpoint.js';
import {
  ConfigFileError,
  formatPath,
  NAMED_FIELD_FORMATS,
  validateTrainingConfig,
  type DATA_FORMATS,
  type TrainingConfig,
} from '../io/config/index.js';
import type { Split } from '../data/index.js';
import { taskTypes } from '../tasks/index.js';

/** A data format, as the readers name it (csv, tsv, jsonl, conll, joint-folder, squad, …). */
export type DataFormat = (typeof DATA_FORMATS)[number];

/** The examples to evaluate on, in place of the training config's. */
export interface EvalData {
  /** The file (or folder, for joint-folder data) of examples, with gold labels. */
  readonly file: string;
  /** How it is written, as the readers name it; default the task's format in the checkpoint's training config. */
  readonly format?: DataFormat;
  /** The task the examples are for; default the model's only task (a Hugging Face folder's is named after its pipeline). */
  readonly task?: string;
  /** csv/tsv/jsonl: the column or field of the text; default the training config's, else `text`. */
  readonly textField?: string;
  /** csv/tsv/jsonl: the column or field of the label; default the training config's, else `label`. */
  readonly labelField?: string;
}

/** The data settings kept from the training config when the format stays: how its files are read, not which. */
const READING_KEYS = [
  'skip_bad_lines',
  'delimiter',
  'columns',
  'test_columns', // --split test reads the file as the config's test file
  'extra_fields',
  'token_column',
  'tag_column',
  'relations',
  'labels',
];

type Raw = Record<string, unknown>;
const mapping = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});

/** The record of the task `data` is for: the named one, or the only one. */
function taskOf(records: readonly TaskRecord[], task: string | undefined, dir: string): TaskRecord {
  const list = records.map((r) => `'${r.name}' (${r.type})`).join(', ');
  if (task === undefined) {
    if (records.length === 1) return records[0]!;
    throw new ConfigError(`${dir} has ${records.length} tasks (${list}): name the one the data are for (--task NAME)`);
  }
  const record = records.find((r) => r.name === task);
  if (record === undefined) throw new ConfigError(`${dir} has no task '${task}'; its tasks: ${list}`);
  return record;
}

/**
 * The training config that evaluates one task of the model folder `dir` on `data` as its `split`:
 * the task's entry of the run's saved config (`saved`, in the file's spelling, as
 * `trainingConfigToJson` writes it) with its data replaced, reading settings and fields kept unless
 * given; without a saved config (a Hugging Face folder), an entry made from `data` alone.
 * @param records the model's tasks (tasks.json, or the one a Hugging Face folder holds).
 * @param maxLength tokens per example without a saved config (the model's position embeddings).
 * @throws ConfigError when the file does not exist, the task is not the model's (or several could be
 *   meant), no format is known, or the fields do not fit the format (as a training config would say).
 */
export function givenDataConfig(
  dir: string,
  records: readonly TaskRecord[],
  data: EvalData,
  split: Split,
  saved: Raw | null,
  maxLength: number,
): TrainingConfig {
  const file = path.resolve(data.file);
  if (!existsSync(file)) throw new ConfigError(`the evaluation data ${data.file} do not exist`);
  const record = taskOf(records, data.task, dir);
  const savedTask = ((saved?.tasks ?? []) as Raw[]).find((t) => t.name === record.name);
  const savedData = mapping(savedTask?.data);
  const format = data.format ?? (savedData.format as DataFormat | undefined);
  if (format === undefined)
    throw new ConfigError(
      `${dir} has no training config that says how its data are written: give the format of ${data.file} (--format: ${NAMED_FIELD_FORMATS.slice(0, 3).join(', ')}, conll, …)`,
    );
  const reading =
    format === savedData.format ? Object.fromEntries(READING_KEYS.filter((k) => k in savedData).map((k) => [k, savedData[k]])) : {};
  // The validator asks every task for training data; only `split` is read (no dev_fraction hold-out).
  const taskData = { ...reading, format, train: file, [split]: file };
  const named = NAMED_FIELD_FORMATS.includes(format);
  const input = mapping(savedTask?.input);
  const label = mapping(savedTask?.label);
  const task = {
    ...(savedTask ?? { name: record.name, type: record.type }),
    data: taskData,
    ...(named || data.textField !== undefined ? { input: { ...input, text: data.textField ?? input.text ?? 'text' } } : {}),
    label: named || data.labelField !== undefined ? { ...label, field: data.labelField ?? label.field ?? 'label' } : label,
  };
  // Without a run's config: the model folder's encoder and tokenizer, and a length the validator asks for (nothing trains).
  const base = saved ?? { output_dir: dir, encoder: { from: dir }, max_length: maxLength, training: { max_steps: 1 } };
  try {
    return validateTrainingConfig({ ...base, tasks: [task] }, { source: file, checkFiles: false, taskTypes });
  } catch (e) {
    if (!(e instanceof ConfigFileError)) throw e;
    const problems = e.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join('\n');
    throw new ConfigError(
      `task '${record.name}' cannot be evaluated on ${data.file} as given (in a training config's terms; --text-field is input.text, --label-field label.field):\n${problems}`,
    );
  }
}
