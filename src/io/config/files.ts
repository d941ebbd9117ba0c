/**
 * The paths of a training config: made absolute (relative paths are relative to the config file's
 * folder, so a config works from any working directory), and checked to exist before anything
 * trains — a data file missing after an hour of tokenizer training is a wasted hour.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { REQUIRED_CHECKPOINT_FILES } from '../checkpoint-inspect.js';
import { HF_WEIGHT_FILES } from '../hf-weights.js';
import type { SnakeTrainingConfig } from './schema.js';
import type { ConfigPath } from './yaml-source.js';

/** Files that a joint-folder split folder must hold (src/data/readers/joint-folder.ts). */
const JOINT_FOLDER_FILES = ['seq.in', 'seq.out', 'label'];
/** Files that a WordNet dict folder must hold (src/data/readers/wordnet.ts). */
const WORDNET_FILES = ['data.noun', 'data.verb', 'data.adj', 'data.adv'];
/** Files that a triples folder must hold (src/data/readers/triples.ts). */
const TRIPLES_FILES = ['train.txt', 'valid.txt', 'test.txt'];
/** Files that a checkpoint folder given as `encoder.from` must hold (and one of `HF_WEIGHT_FILES`). */
const CHECKPOINT_FILES = ['config.json'];

const SPLITS = ['path', 'train', 'dev', 'test'] as const;

/** A copy of `config` with every path made absolute against `baseDir`. */
export function resolvePaths(config: SnakeTrainingConfig, baseDir: string): SnakeTrainingConfig {
  const abs = (p: string) => path.resolve(baseDir, p);
  const opt = (p: string | undefined) => (p === undefined ? undefined : abs(p));
  return {
    ...config,
    output_dir: abs(config.output_dir),
    encoder: config.encoder.from === undefined ? config.encoder : { ...config.encoder, from: abs(config.encoder.from) },
    tokenizer: config.tokenizer === undefined ? undefined : { ...config.tokenizer, path: opt(config.tokenizer.path) },
    tasks: config.tasks.map((t) => ({
      ...t,
      data: {
        ...t.data,
        path: opt(t.data.path),
        train: opt(t.data.train),
        dev: opt(t.data.dev),
        test: opt(t.data.test),
        augment:
          t.data.augment?.method === 'back-translation'
            ? {
                ...t.data.augment,
                checkpoint: abs(t.data.augment.checkpoint),
                ...(t.data.augment.backward_checkpoint === undefined
                  ? {}
                  : { backward_checkpoint: abs(t.data.augment.backward_checkpoint) }),
              }
            : t.data.augment,
      },
    })),
  };
}

/** 'file or folder': a tokenizer.json, or a Hugging Face folder holding tokenizer files. */
type Kind = 'file' | 'folder' | 'file or folder';

/** What is missing at `p`, or undefined when it is a `kind` holding `inside`. */
function problemAt(p: string, kind: Kind, inside: readonly string[] = []): string | undefined {
  let isFolder: boolean;
  try {
    isFolder = statSync(p).isDirectory();
  } catch {
    return `no such ${kind}: ${p}`;
  }
  if (kind === 'file' && isFolder) return `expected a file, but ${p} is a folder`;
  if (kind === 'folder' && !isFolder) return `expected a folder, but ${p} is a file`;
  const missing = inside.filter((name) => problemAt(path.join(p, name), 'file') !== undefined);
  return missing.length === 0 ? undefined : `the folder ${p} lacks ${missing.join(', ')}`;
}

/** What a model folder (`encoder.from`) lacks: config.json, or every weight file a Hugging Face folder may have. */
function modelFolderProblem(p: string): string | undefined {
  const problem = problemAt(p, 'folder');
  if (problem !== undefined) return problem;
  const missing = CHECKPOINT_FILES.filter((name) => problemAt(path.join(p, name), 'file') !== undefined);
  if (!HF_WEIGHT_FILES.some((f) => problemAt(path.join(p, f), 'file') === undefined))
    missing.push(`${HF_WEIGHT_FILES[0]} (or ${HF_WEIGHT_FILES.slice(1).join(', ')})`);
  return missing.length === 0 ? undefined : `the folder ${p} lacks ${missing.join(', ')}`;
}

/**
 * A problem for every path of an (already resolved) config that does not exist or is of the wrong
 * kind; `written` is the path as the file wrote it, for the message.
 */
export function checkPaths(config: SnakeTrainingConfig, written: SnakeTrainingConfig): { path: ConfigPath; message: string }[] {
  const issues: { path: ConfigPath; message: string }[] = [];
  const check = (
    at: ConfigPath,
    p: string | undefined,
    as: string | undefined,
    kind: Kind | ((p: string) => string | undefined),
    inside?: readonly string[],
  ) => {
    if (p === undefined) return;
    const problem =
      typeof kind === 'function'
        ? kind(p)
        : kind === 'file or folder'
          ? problemAt(p, 'file') && problemAt(p, 'folder')
          : problemAt(p, kind, inside);
    if (problem !== undefined) issues.push({ path: at, message: as === p ? problem : `${problem} (written '${as}')` });
  };
  check(['encoder', 'from'], config.encoder.from, written.encoder.from, modelFolderProblem);
  check(['tokenizer', 'path'], config.tokenizer?.path, written.tokenizer?.path, 'file or folder');
  config.tasks.forEach((task, i) => {
    const format = task.data.format;
    const kind: Kind = format === 'joint-folder' || format === 'wordnet' || format === 'triples' ? 'folder' : 'file';
    const inside = { 'joint-folder': JOINT_FOLDER_FILES, wordnet: WORDNET_FILES, triples: TRIPLES_FILES }[format as string];
    // parallel data: each split is a stem whose two files are `<stem>.<input.text>` and `<stem>.<label.field>`
    const parallel = (stem: string) =>
      [task.input?.text, task.label.field].map((suffix) => problemAt(`${stem}.${suffix ?? ''}`, 'file')).find((m) => m !== undefined);
    for (const split of SPLITS)
      check(['tasks', i, 'data', split], task.data[split], written.tasks[i]?.data[split], format === 'parallel' ? parallel : kind, inside);
    const augment = task.data.augment;
    const wrote = written.tasks[i]?.data.augment;
    if (augment?.method === 'back-translation' && wrote?.method === 'back-translation') {
      check(['tasks', i, 'data', 'augment', 'checkpoint'], augment.checkpoint, wrote.checkpoint, 'folder', REQUIRED_CHECKPOINT_FILES);
      const back = augment.backward_checkpoint;
      check(['tasks', i, 'data', 'augment', 'backward_checkpoint'], back, wrote.backward_checkpoint, 'folder', REQUIRED_CHECKPOINT_FILES);
    }
  });
  const out = config.output_dir;
  if (problemAt(out, 'file') === undefined)
    issues.push({ path: ['output_dir'], message: `expected a folder (it is created when missing), but ${out} is a file` });
  return issues;
}
