/**
 * `mtl demo`: multi-task pre-training on WordNet 3.1, offline (examples/wordnet-pretrain.yaml: masked
 * LM on glosses, gloss → supersense classification, link prediction over WordNet's pointers with
 * synsets encoded by the shared encoder, ranked among all entities), on a small budget; then the
 * checkpoint's predictions on sample inputs, a small transfer table (a new task with few labels —
 * gloss → topic domain, examples/finetune/wordnet-domains.yaml — fine-tuned from the pre-trained
 * encoder and from scratch, same budget) and a report (runs/demo/report.json). The full transfer
 * report on other data sets is `mtl transfer` (docs/pretraining.md).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadTrainingConfig } from '../io/config/index.js';
import { packageRoot } from '../package-root.js';
import { NON_FRACTION_METRICS, taskTypes } from '../tasks/index.js';
import { setNumThreads } from '../tensor/index.js';
import { predict, type PredictionRecord } from '../predict/predict.js';
import type { MaskFill } from '../predict/fill-mask.js';
import { train } from '../train/trainer.js';
import { finetune, loadFinetuneConfig, type EncoderInit } from '../train/finetune.js';
import { withOverrides } from './train.js';
import type { Logger } from '../logger.js';
import { mean, sampleStd } from '../metrics/spread.js';

/** The demo's pre-training config, in the package's examples folder. */
export const DEMO_CONFIG = path.join(packageRoot(import.meta.url), 'examples', 'wordnet-pretrain.yaml');

/** The demo's downstream task: gloss → topic domain from a few labelled glosses, fine-tuned from the pre-trained encoder and from scratch. */
export const DEMO_DOWNSTREAM_CONFIG = path.join(packageRoot(import.meta.url), 'examples', 'finetune', 'wordnet-domains.yaml');

/** Inputs the report shows predictions for: glosses (supersense) and sentences with [MASK] (masked LM). */
export const DEMO_INPUTS: readonly string[] = [
  'a domesticated carnivorous mammal that typically has a long snout',
  "move fast by using one's feet, with one foot off the ground at any given time",
  'the quality of being pleasant to the taste',
  'a large body of salt [MASK] that covers most of the earth',
  'a young [MASK] that has not yet reached adulthood',
];

export interface DemoOptions {
  readonly outDir: string;
  /** Optimizer steps (default: the config's). */
  readonly maxSteps?: number;
  readonly seed?: number;
  readonly threads?: number;
  /** Fine-tune the downstream task from the pre-trained encoder and from scratch (default true). */
  readonly transfer?: boolean;
  /** Seeds of the transfer table's fine-tuning runs, 1…N for each encoder (default 3). */
  readonly transferSeeds?: number;
  readonly logger: Logger;
}

export interface DemoReport {
  readonly config: string;
  readonly checkpoint: string;
  readonly steps: number;
  /** Wall-clock seconds of the whole demo (reading, tokenizer, features, training, evaluation, predictions). */
  readonly wallSeconds: number;
  readonly trainSeconds: number;
  readonly dev: Record<string, Record<string, number>>;
  readonly predictions: PredictionRecord[];
  /** The downstream task under each encoder and seed (empty when `transfer` is false). */
  readonly transfer: DemoTransferRow[];
}

/** One fine-tuning run of the demo's transfer table: the downstream task's dev metrics after fine-tuning from one encoder with one seed. */
export interface DemoTransferRow {
  readonly encoder: 'pre-trained' | 'scratch';
  readonly task: string;
  readonly seed: number;
  /** Dev metrics after the last step (one evaluation, no checkpoint selection). */
  readonly dev: Record<string, number>;
  readonly trainSeconds: number;
}

const TRANSFER_ARMS: readonly [DemoTransferRow['encoder'], EncoderInit][] = [
  ['pre-trained', 'pretrained'],
  ['scratch', 'scratch'],
];

/**
 * Fine-tunes `DEMO_DOWNSTREAM_CONFIG` from `checkpoint`'s encoder and from a fresh one of its shape and
 * tokenizer (same steps and learning rates), with seeds 1…`seeds` each, in `<outDir>/downstream/<encoder>-<seed>`.
 */
async function transferRows(checkpoint: string, outDir: string, seeds: number): Promise<DemoTransferRow[]> {
  const rows: DemoTransferRow[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    for (const [encoder, init] of TRANSFER_ARMS) {
      const base = await loadFinetuneConfig(DEMO_DOWNSTREAM_CONFIG, checkpoint, init);
      const config = { ...base, seed, outputDir: path.join(outDir, 'downstream', `${encoder}-${seed}`) };
      const r = await finetune(config, { overwrite: true }); // the demo's own folder; no log lines
      for (const t of config.tasks)
        rows.push({ encoder, task: t.name, seed, dev: r.dev?.metrics[t.name] ?? {}, trainSeconds: r.trainSeconds });
    }
  }
  return rows;
}

/** `mean ± std (each seed's)` of one metric over the rows, in percent. */
function spread(rows: readonly DemoTransferRow[], metric: string): string {
  const values = rows.map((r) => r.dev[metric] ?? NaN);
  const pct = (x: number) => (100 * x).toFixed(2);
  return `${pct(mean(values))} ± ${pct(sampleStd(values))} (${values.map(pct).join(', ')})`;
}

/** The transfer table's lines: one row per encoder, mean ± sample std over the seeds. */
export function transferTableLines(rows: readonly DemoTransferRow[]): string[] {
  const seeds = [...new Set(rows.map((r) => r.seed))];
  const lines = [
    `transfer: a new task with few labels (gloss → topic domain, examples/finetune/wordnet-domains.yaml), same budget, seeds ${seeds.join(', ')}`,
    '  | encoder | dev accuracy (%) | dev macro-F1 (%) | training |',
    '  | --- | --- | --- | --- |',
  ];
  for (const [encoder] of TRANSFER_ARMS) {
    const mine = rows.filter((r) => r.encoder === encoder);
    const seconds = mine.reduce((a, r) => a + r.trainSeconds, 0);
    lines.push(`  | ${encoder} | ${spread(mine, 'accuracy')} | ${spread(mine, 'f1Macro')} | ${seconds.toFixed(0)} s |`);
  }
  lines.push("  mean ± sample standard deviation over the seeds (each seed's value in parentheses)");
  return lines;
}

const shown = (name: string, v: number): string => (NON_FRACTION_METRICS.has(name) ? v.toFixed(2) : `${(100 * v).toFixed(2)} %`);

/** One line per prediction record: each task's answer, briefly. */
function describe(p: PredictionRecord): string {
  const parts = Object.entries(p.predictions).map(([task, answer]) => {
    const a = answer as { label?: unknown; score?: unknown; masks?: readonly (readonly MaskFill[])[] };
    if (typeof a.label === 'string' && typeof a.score === 'number') return `${task}: ${a.label} (${(100 * a.score).toFixed(1)} %)`;
    if (a.masks !== undefined)
      return `${task}: [MASK] → ${a.masks.map((m) => m.map((f) => `${f.token} ${(100 * f.score).toFixed(1)} %`).join(', ')).join(' | ')}`;
    return `${task}: ${JSON.stringify(a)}`;
  });
  return `  "${p.text}"\n    ${parts.join('\n    ')}`;
}

/** Runs the demo (see the file comment) and writes `<outDir>/report.json`. */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const started = performance.now();
  const { logger } = options;
  if (options.threads !== undefined) setNumThreads(options.threads);
  let config = withOverrides(loadTrainingConfig(DEMO_CONFIG, { taskTypes }), path.resolve(options.outDir), options.maxSteps);
  if (options.seed !== undefined) config = { ...config, seed: options.seed };
  logger.info(`multi-task pre-training on WordNet 3.1 (${config.tasks.map((t) => `${t.name}: ${t.type}`).join(', ')}) — ${DEMO_CONFIG}`);
  const result = await train(config, { logger, overwrite: true }); // the demo's own folder: a new demo replaces it
  const checkpoint = path.join(config.outputDir, 'best');
  const predictions = await predict(checkpoint, DEMO_INPUTS);
  const dev = result.dev?.metrics ?? {};
  if (options.transfer !== false)
    logger.info(`fine-tuning a new task from the pre-trained encoder and from scratch — ${DEMO_DOWNSTREAM_CONFIG}`);
  const transfer = options.transfer === false ? [] : await transferRows(checkpoint, config.outputDir, options.transferSeeds ?? 3);
  const report: DemoReport = {
    config: DEMO_CONFIG,
    checkpoint,
    steps: result.step,
    wallSeconds: (performance.now() - started) / 1000,
    trainSeconds: result.trainSeconds,
    dev,
    predictions,
    transfer,
  };
  writeFileSync(path.join(config.outputDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  logger.info('');
  logger.info(`report (${path.join(config.outputDir, 'report.json')})`);
  logger.info(
    `  ${result.step} steps, ${result.trainSeconds.toFixed(0)} s of training, ${report.wallSeconds.toFixed(0)} s in all; checkpoint ${checkpoint}`,
  );
  for (const [task, m] of Object.entries(dev))
    logger.info(
      `  dev ${task}: ${Object.entries(m)
        .map(([k, v]) => `${k} ${shown(k, v)}`)
        .join(', ')}`,
    );
  logger.info('predictions on sample inputs:');
  for (const p of predictions) logger.info(describe(p));
  if (transfer.length > 0) for (const line of transferTableLines(transfer)) logger.info(line);
  return report;
}
