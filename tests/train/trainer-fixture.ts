/**
 * A tiny multi-task run for the trainer and CLI tests: ~200 SNIPS utterances (intent + slots, one
 * stream) and ~80 SST-2 sentences (sentiment, a second stream), sampled across each file so every
 * intent appears; a tiny encoder (hidden 32, 2 layers, 4 heads) with dropout on; a few dozen steps.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { parseTrainingConfig, type TrainingConfig } from '../../src/io/config/index.js';
import { loadSafetensors } from '../../src/io/safetensors-read.js';
import { taskTypes } from '../../src/tasks/index.js';
import { liveTensorCount } from '../../src/tensor/index.js';

import { DATASETS, needs } from '../helpers/datasets.js';

/** Skips a test or suite of the tiny run (SNIPS and SST-2 samples) where those datasets are absent. */
export const needsTinyRunData = () => needs('snips', 'sst2');

/** Every k-th of the non-empty lines of `text`, `count` of them (k spreads them over the file). */
function spread(lines: readonly string[], count: number): number[] {
  const step = Math.max(1, Math.floor(lines.length / count));
  return Array.from({ length: Math.min(count, lines.length) }, (_, i) => i * step);
}

const linesOf = (file: string): string[] => readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');

/** Writes a joint-folder split of `count` SNIPS examples to `to`. */
function writeSnipsSplit(split: string, count: number, to: string): void {
  const from = path.join(DATASETS, 'snips', split);
  const files = ['seq.in', 'seq.out', 'label'].map((f) => linesOf(path.join(from, f)));
  const rows = spread(files[0]!, count);
  mkdirSync(to, { recursive: true });
  ['seq.in', 'seq.out', 'label'].forEach((f, k) => writeFileSync(path.join(to, f), rows.map((r) => files[k]![r]).join('\n') + '\n'));
}

/** Writes `count` SST-2 rows (and the header) to `to`. */
function writeSst2(file: string, count: number, to: string): void {
  const [header, ...rows] = linesOf(path.join(DATASETS, 'sst2', file));
  writeFileSync(to, [header, ...spread(rows, count).map((r) => rows[r])].join('\n') + '\n');
}

export interface RunFolder {
  readonly dir: string;
  /** The config's YAML text, for writing variants. */
  readonly yaml: string;
  /** The config file's path. */
  readonly configFile: string;
  remove(): void;
}

/** The tiny run's YAML (paths relative to its folder). `training` lines replace the defaults below. */
export function tinyYaml(
  outputDir: string,
  extra: { training?: string; snipsDev?: string; label?: string; skipBadLines?: boolean } = {},
): string {
  const skip = extra.skipBadLines ? ', skip_bad_lines: true' : '';
  return `seed: 7
output_dir: ${outputDir}
encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 64,
           hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 }
tokenizer: { train: { vocab_size: 400, min_frequency: 1 } }
max_length: 24
tasks:
  - name: intent
    type: sequence-classification
    options: { pooling: cls } # the pooled [CLS]: these checkpoints export as BertForSequenceClassification
    data: &snips { format: joint-folder, train: snips/train, dev: ${extra.snipsDev ?? 'snips/dev'}, test: snips/test${skip} }
    ${extra.label ?? ''}
  - name: slots
    type: token-classification
    data: *snips
    label: { unknown: keep } # 200 training utterances do not have every slot tag
  - name: sentiment
    type: sequence-classification
    options: { pooling: cls }
    data: { format: tsv, train: sst2/train.tsv, dev: sst2/dev.tsv, test: sst2/test.tsv }
    input: { text: sentence }
    label: { field: label }
    weight: 0.5
training:
${
  extra.training ??
  `  max_steps: 24
  batch_size: 16
  learning_rate: 2.0e-3
  warmup_steps: 3
  gradient_accumulation_steps: 2
  sampler: { kind: temperature, temperature: 2 }
  eval_every: 8
  log_every: 4
  early_stopping: { metric: average, patience: 50 }`
}
`;
}

/** A temporary folder with the tiny data sets and config.yaml. */
export function tinyRun(): RunFolder {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-train-'));
  writeSnipsSplit('train', 200, path.join(dir, 'snips', 'train'));
  writeSnipsSplit('dev', 49, path.join(dir, 'snips', 'dev'));
  writeSnipsSplit('test', 49, path.join(dir, 'snips', 'test'));
  mkdirSync(path.join(dir, 'sst2'));
  writeSst2('train.tsv', 80, path.join(dir, 'sst2', 'train.tsv'));
  writeSst2('dev.tsv', 30, path.join(dir, 'sst2', 'dev.tsv'));
  writeSst2('test-labeled.tsv', 30, path.join(dir, 'sst2', 'test.tsv'));
  const yaml = tinyYaml('out');
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, yaml);
  return { dir, yaml, configFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The tiny run's config with another output folder (and YAML variations), as `loadTrainingConfig` would give it. */
export function tinyConfig(run: RunFolder, outputDir: string, extra: Parameters<typeof tinyYaml>[1] = {}): TrainingConfig {
  return parseTrainingConfig(tinyYaml(outputDir, extra), { taskTypes, source: path.join(run.dir, 'config.yaml') });
}

/**
 * Trains the tiny run for `steps` steps into `outputDir` (`mtl train … --output --max-steps`, its log
 * silenced) and returns the best checkpoint's folder.
 */
export async function trainTiny(run: RunFolder, outputDir: string, steps: number): Promise<string> {
  const log = mock.method(console, 'log', () => undefined);
  try {
    const code = await main(['train', run.configFile, '--output', outputDir, '--max-steps', String(steps)]);
    if (code !== 0) throw new Error(`the tiny training run exited with ${code}`);
  } finally {
    log.mock.restore();
  }
  return path.join(outputDir, 'best');
}

/**
 * The tiny run for a test file: made before its tests (unless the data sets are absent: then `data`
 * skips them) and removed after them, with a check that every tensor of the runs is freed.
 */
export function tinyRunForFile(): { readonly data: ReturnType<typeof needsTinyRunData>; readonly run: () => RunFolder } {
  const baseline = liveTensorCount();
  let folder: RunFolder | undefined;
  const data = needsTinyRunData();
  before(() => {
    if (!data.skip) folder = tinyRun();
  });
  after(() => {
    if (folder === undefined) return;
    folder.remove();
    assert.equal(liveTensorCount(), baseline, 'every tensor of the runs is freed');
  });
  return { data, run: () => folder as RunFolder };
}

/** The largest |a − b| over every weight of two runs' last checkpoints (`run.dir/<a>/last`, `run.dir/<b>/last`). */
export function maxWeightDiff(run: RunFolder, a: string, b: string): number {
  const load = (name: string) => loadSafetensors(path.join(run.dir, name, 'last', 'model.safetensors')).tensors;
  const [x, y] = [load(a), load(b)];
  let most = 0;
  try {
    assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort());
    for (const [name, t] of x) {
      const u = y.get(name)!;
      const d = t.sub(u).abs().max();
      most = Math.max(most, d.item() as number);
      d.dispose();
    }
  } finally {
    for (const t of [...x.values(), ...y.values()]) t.dispose();
  }
  return most;
}
