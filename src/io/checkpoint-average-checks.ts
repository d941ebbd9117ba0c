/**
 * Whether checkpoint folders hold the same model, so that averaging their weights means something
 * (./checkpoint-average.ts): the same tensors (names, shapes, dtypes) in model.safetensors, the same
 * architecture in config.json, the same tasks (label maps) and the same tokenizer. Reads headers and
 * small files only. Every difference is an error naming the file and the tensor or field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import type { DType } from '../tensor/index.js';
import { CHECKPOINT_FILES, type CheckpointInfo } from './checkpoint-inspect.js';
import { openSafetensors } from './safetensors-read.js';

/**
 * config.json fields that are no part of the architecture: regularisation used only in training
 * (dropout probabilities, BART's layer drop) and provenance (`_name_or_path`, `transformers_version`).
 * Every other field must be equal in the checkpoints averaged.
 */
const NOT_ARCHITECTURE = /dropout|layerdrop|^_name_or_path$|^transformers_version$/;

/** JSON text with object keys sorted, so equal values give equal text whatever order their keys were written in. */
function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Each tensor's dtype and shape in a checkpoint's model.safetensors, by name (file order). */
function tensorsOf(info: CheckpointInfo): Map<string, { dtype: DType; shape: number[] }> {
  const reader = openSafetensors(path.join(info.dir, CHECKPOINT_FILES.model));
  try {
    return new Map(reader.names.map((n) => [n, { dtype: reader.info(n).dtype, shape: reader.info(n).shape }]));
  } finally {
    reader.close();
  }
}

/**
 * Checks that every checkpoint holds the same model as the first (see the file comment).
 * @throws CheckpointError naming the file that differs, the tensor or field, and both values.
 */
export function checkSameModel(infos: readonly CheckpointInfo[]): void {
  const [first, ...rest] = infos;
  if (first === undefined) return;
  const file = (info: CheckpointInfo, name: string) => path.join(info.dir, name);
  const want = tensorsOf(first);
  const config = architecture(first.encoderConfig);
  for (const info of rest) {
    const got = tensorsOf(info);
    const model = file(info, CHECKPOINT_FILES.model);
    const firstModel = file(first, CHECKPOINT_FILES.model);
    for (const [name, w] of want) {
      const g = got.get(name);
      if (g === undefined) throw new CheckpointError(`${model}: has no tensor '${name}', which ${firstModel} has`);
      if (g.dtype !== w.dtype) throw new CheckpointError(`${model}: tensor '${name}' is ${g.dtype}, but ${w.dtype} in ${firstModel}`);
      if (canonical(g.shape) !== canonical(w.shape))
        throw new CheckpointError(`${model}: tensor '${name}' is [${g.shape.join(', ')}], but [${w.shape.join(', ')}] in ${firstModel}`);
    }
    const extra = [...got.keys()].find((n) => !want.has(n));
    if (extra !== undefined) throw new CheckpointError(`${model}: has tensor '${extra}', which ${firstModel} has not`);
    const fields = architecture(info.encoderConfig);
    const differ = [...new Set([...Object.keys(config), ...Object.keys(fields)])].find(
      (k) => canonical(config[k]) !== canonical(fields[k]),
    );
    if (differ !== undefined)
      throw new CheckpointError(
        `${file(info, CHECKPOINT_FILES.config)}: '${differ}' is ${canonical(fields[differ]) ?? '(unset)'}, but ` +
          `${canonical(config[differ]) ?? '(unset)'} in ${file(first, CHECKPOINT_FILES.config)}; only checkpoints of one architecture can be averaged`,
      );
    if (canonical(info.tasks) !== canonical(first.tasks))
      throw new CheckpointError(
        `${file(info, CHECKPOINT_FILES.tasks)}: the tasks (names, types, label maps) differ from ${file(first, CHECKPOINT_FILES.tasks)}'s; ` +
          'heads of different tasks or label orders cannot be averaged',
      );
    if (!readFileSync(file(info, CHECKPOINT_FILES.tokenizer)).equals(readFileSync(file(first, CHECKPOINT_FILES.tokenizer))))
      throw new CheckpointError(
        `${file(info, CHECKPOINT_FILES.tokenizer)} differs from ${file(first, CHECKPOINT_FILES.tokenizer)}: ` +
          'the embeddings of checkpoints with different tokenizers mean different tokens, so they cannot be averaged',
      );
  }
}

/** config.json without the fields that are not architecture. */
function architecture(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !NOT_ARCHITECTURE.test(k)));
}
