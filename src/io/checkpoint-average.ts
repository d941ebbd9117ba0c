/**
 * Checkpoint averaging: one model whose every weight is the element-wise mean of that weight in N
 * checkpoints of the same model, usually the last N saves of one run. Vaswani et al., "Attention Is
 * All You Need" (NeurIPS 2017), §6.1: "For the base models, we used a single model obtained by
 * averaging the last 5 checkpoints, which were written at 10-minute intervals"; fairseq's
 * scripts/average_checkpoints.py does the same on saved state dicts.
 *
 * The average is taken here, on the files: each tensor of model.safetensors is read from every input
 * (one tensor at a time, so memory holds the averaged model plus one tensor's inputs), summed in
 * float64, divided by N and written back in its own dtype (float16/bfloat16 weights stay 16-bit; the
 * float64 sum cannot overflow where a float16 one would). Tensors that are not floating point (ids,
 * masks) are not averaged: they must be equal in every input, and are copied.
 *
 * The output is a complete checkpoint folder for inference (`mtl eval`, `predict`, `generate`,
 * `serve`, `export`, `finetune`): config.json, tokenizer.json, tasks.json and training_config.yaml of
 * the last input, the averaged model.safetensors, and averaging.json naming the inputs. It has no
 * trainer_state.json and no optimizer.safetensors: an average is no point of any run's trajectory, so
 * it is not a resume point (`--resume` refuses it, naming averaging.json).
 */
import { copyFileSync, existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError, ConfigError } from '../errors.js';
import { add_, cast, div_, tidy, type Tensor } from '../tensor/index.js';
import { isFloating } from '../tensor/dtype.js';
import { readableFolder, writeFolderAtomically, writeJson } from './checkpoint-atomic.js';
import { checkSameModel } from './checkpoint-average-checks.js';
import { CHECKPOINT_FILES, inspectCheckpoint, type CheckpointInfo } from './checkpoint-inspect.js';
import { openSafetensors, type SafetensorsReader } from './safetensors-read.js';
import { saveSafetensors } from './safetensors-write.js';

/** The file of an averaged checkpoint that names the checkpoints it averages; a folder with it is no resume point. */
export const AVERAGING_FILE = 'averaging.json';

/** What `averageCheckpoints` wrote. */
export interface AveragedCheckpoint {
  /** The folder written (absolute). */
  readonly output: string;
  /** The checkpoints averaged (absolute, in the order given), each with its optimizer step (null without trainer_state.json). */
  readonly inputs: readonly { readonly dir: string; readonly step: number | null }[];
  /** Tensors averaged (floating point) and copied (equal in every input). */
  readonly averaged: number;
  readonly copied: number;
}

export interface AverageOptions {
  /** Replace `output` when it exists (never when it is, or holds, an input). Default false: an existing folder is refused. */
  readonly overwrite?: boolean;
}

/**
 * Averages the weights of checkpoint folders into a new checkpoint folder (see the file comment).
 * Written atomically (./checkpoint-atomic.ts): a failure leaves `output` as it was.
 * @param inputs checkpoint folders of one model (same tensor names, shapes and dtypes, same config.json
 *   architecture, tasks.json and tokenizer.json); at least one, none twice. The last one's small files are kept.
 * @param output the folder to write; not an input, not a folder that holds one.
 * @returns what was written.
 * @throws ConfigError for no inputs, an input given twice, an output that is or holds an input, or an
 *   existing output without `overwrite`; CheckpointError naming the file (and tensor) where the inputs
 *   are no checkpoints or differ: tensor names, shapes, dtypes, non-float values, config.json's
 *   architecture fields, tasks.json, tokenizer.json.
 * @example averageCheckpoints(['runs/x/checkpoint-4000', 'runs/x/checkpoint-4400', 'runs/x/checkpoint-4800'], 'runs/x/avg3');
 */
export function averageCheckpoints(inputs: readonly string[], output: string, options: AverageOptions = {}): AveragedCheckpoint {
  const infos = inputs.map((dir) => inspectCheckpoint(dir));
  const dirs = checkFolders(
    infos.map((i) => i.dir),
    output,
    options.overwrite === true,
  );
  checkSameModel(infos);
  const last = infos.at(-1) as CheckpointInfo;
  const record = dirs.map((dir, k) => ({ dir, step: infos[k]!.trainerState?.step ?? null }));
  let counts = { averaged: 0, copied: 0 };
  writeFolderAtomically(
    output,
    (tmp) => {
      counts = writeAveragedModel(infos, path.join(tmp, CHECKPOINT_FILES.model));
      for (const name of [CHECKPOINT_FILES.config, CHECKPOINT_FILES.tokenizer, CHECKPOINT_FILES.tasks, CHECKPOINT_FILES.trainingConfig])
        if (existsSync(path.join(last.dir, name))) copyFileSync(path.join(last.dir, name), path.join(tmp, name));
      const averaging = { method: 'mean', dtype_of_sum: 'float64', checkpoints: record, ...counts };
      writeJson(path.join(tmp, AVERAGING_FILE), averaging);
    },
    (tmp) => void inspectCheckpoint(tmp),
  );
  return { output: path.resolve(output), inputs: record, ...counts };
}

/**
 * The inputs' real paths, checked: at least one, none twice, the output neither one of them nor a
 * folder above one (replacing it would delete the input), and not existing unless `overwrite`.
 */
function checkFolders(dirs: readonly string[], output: string, overwrite: boolean): string[] {
  if (dirs.length === 0) throw new ConfigError('averaging needs at least one checkpoint folder');
  const real = dirs.map((d) => realpathSync(d));
  const twice = real.find((d, k) => real.indexOf(d) !== k);
  if (twice !== undefined)
    throw new ConfigError(`${twice} is given twice: each checkpoint is averaged once (a weighted average is not what this does)`);
  const out = existsSync(output) ? realpathSync(output) : path.resolve(output);
  for (const d of real) {
    const rel = path.relative(out, d);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)))
      throw new ConfigError(
        `the output ${output} ${rel === '' ? 'is' : 'holds'} the input ${d}; write the average to a new folder (inputs are never replaced)`,
      );
  }
  if (existsSync(readableFolder(output)) && !overwrite)
    throw new ConfigError(`the output ${output} exists; pass --overwrite (overwrite: true) to replace it, or name a new folder`);
  return real;
}

/**
 * Writes the element-wise mean of every tensor of the inputs' model.safetensors to `file`: floating
 * point tensors summed in float64, divided by N, cast back to their dtype; others checked equal and copied.
 */
function writeAveragedModel(infos: readonly CheckpointInfo[], file: string): { averaged: number; copied: number } {
  const readers: SafetensorsReader[] = [];
  const out = new Map<string, Tensor>();
  let averaged = 0;
  try {
    for (const info of infos) readers.push(openSafetensors(path.join(info.dir, CHECKPOINT_FILES.model)));
    for (const name of readers[0]!.names) {
      const floating = isFloating(readers[0]!.info(name).dtype);
      out.set(name, floating ? meanOf(readers, name) : equalIn(readers, name));
      if (floating) averaged += 1;
    }
    saveSafetensors(file, out, { format: 'pt' });
    return { averaged, copied: out.size - averaged };
  } finally {
    for (const t of out.values()) t.dispose();
    for (const r of readers) r.close();
  }
}

/** (Σₖ xₖ) / N of tensor `name` over the readers, summed in float64, in the tensor's own dtype. */
function meanOf(readers: readonly SafetensorsReader[], name: string): Tensor {
  return tidy(() => {
    const dtype = readers[0]!.info(name).dtype;
    const sum = cast(readers[0]!.read(name), 'float64');
    for (const r of readers.slice(1)) add_(sum, r.read(name)); // float32/16 into float64: promoted, exact for float16/bfloat16
    return cast(div_(sum, readers.length), dtype);
  });
}

/** Tensor `name` of the first reader, after checking that every other reader holds the same values. */
function equalIn(readers: readonly SafetensorsReader[], name: string): Tensor {
  const first = readers[0]!.read(name);
  for (const r of readers.slice(1)) {
    const same = tidy(() => {
      const other = r.read(name);
      const bytes = (t: Tensor) => {
        const data = t.dataSync();
        return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      };
      return bytes(first).equals(bytes(other));
    });
    if (!same) {
      const dtype = first.dtype;
      first.dispose();
      throw new CheckpointError(
        `${r.path}: tensor '${name}' (${dtype}) differs from ${readers[0]!.path}'s; tensors that are not floating point ` +
          'are not averaged, so they must be equal in every checkpoint',
      );
    }
  }
  return first;
}
