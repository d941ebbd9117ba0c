/**
 * Writes what both sides of the model benchmark read, once: SNIPS batches (bench/out/snips-batches.json)
 * and, per encoder size, the initial weights (bench/out/init-<size>.safetensors, Hugging Face names)
 * with the encoder's config.json fields, so multitask-lm and the Python peer start from the same
 * weights and see the same token ids.
 *
 * Data: examples/snips.yaml's SNIPS (WordPiece vocabulary learned from its training texts, max_length
 * 48), its tasks without the CRF (both sides tag each token with a softmax, as BertForTokenClassification). Of one seeded shuffle of the training examples, the first `trainExamples` are the training
 * set, cut in data order into batches of 32 padded to each batch's longest example (Hugging Face's
 * DataCollatorWithPadding: the `random` batches both sides train on in the side-by-side figures) and,
 * for multitask-lm's end-to-end figure, the same examples in length-bucketed batches of 32
 * (src/data/batcher.ts). Inference reads the dev split: its first `singles` examples one at a time
 * (unpadded), and all of it in data-order batches of 32 padded to their longest.
 * Usage: node --import tsx bench/model/export.ts [--out bench/out]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LengthBucketBatcher } from '../../src/data/index.js';
import { loadTrainingConfig } from '../../src/io/config/index.js';
import { saveSafetensors } from '../../src/io/safetensors.js';
import { BertModel } from '../../src/models/bert/index.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { taskTypes, type Features } from '../../src/tasks/index.js';
import { manualSeed } from '../../src/tensor/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { prepareRun, type StreamSplit } from '../../src/run/index.js';
import { ENCODER_SIZES, encoderConfig, type BenchBatch, type BenchData } from './shared.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench/out' },
    'train-examples': { type: 'string', default: '1280' },
    singles: { type: 'string', default: '200' },
  },
});
const out = values.out;
const BATCH = 32;

/** Pads `rows` (indices into `split`) to their longest example: ids, mask, intent id, slot ids (-100 on padding). */
function batchOf(split: StreamSplit, rows: readonly number[]): BenchBatch {
  const [intent, slots] = split.tasks.map((t) => t.features) as [readonly Features[], readonly Features[]];
  const T = Math.max(...rows.map((r) => (intent[r] as Features).inputIds.length));
  const pad = <V>(xs: readonly V[], fill: V): V[] => [...xs, ...Array<V>(T - xs.length).fill(fill)];
  return {
    inputIds: rows.map((r) => pad((intent[r] as Features).inputIds, 0)),
    attentionMask: rows.map((r) => pad(Array<number>((intent[r] as Features).inputIds.length).fill(1), 0)),
    intent: rows.map((r) => ((intent[r] as Features).labels as readonly number[])[0] as number),
    slots: rows.map((r) => pad((slots[r] as Features).labels as readonly number[], -100)),
  };
}

/** 0..n−1 in a seeded random order (Fisher–Yates with the project's xoshiro128** generator). */
function permutation(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  const xs = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.float() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as number, xs[i] as number];
  }
  return xs;
}

const chunks = (xs: readonly number[], n: number): number[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

// The peer is Transformers' BertForTokenClassification (softmax tagging): the example's CRF stays off here.
const loaded = loadTrainingConfig('examples/snips.yaml', { taskTypes });
const config = { ...loaded, tasks: loaded.tasks.map((t) => ({ ...t, crf: false })) };
const prepared = await prepareRun(config, { splits: ['train', 'dev'], logger: { info: (l) => console.error(l) } });
const stream = prepared.streams[0];
const train = stream?.splits.train;
const dev = stream?.splits.dev;
if (stream === undefined || train === undefined || dev === undefined)
  throw new Error('examples/snips.yaml: expected one stream with train and dev');
const n = Number(values['train-examples']);
const order = permutation(train.examples.length, config.seed).slice(0, n);
const bucketer = new LengthBucketBatcher(
  order.map((i) => train.lengths[i] as number),
  { batchSize: BATCH, seed: config.seed },
);
const devRows = Array.from({ length: dev.examples.length }, (_, i) => i);
const data: BenchData = {
  source: 'examples/snips.yaml (SNIPS, JointBERT split)',
  vocabSize: prepared.tokenizer.vocabSize,
  padTokenId: 0,
  labels: Object.fromEntries(stream.runs.map((r) => [r.spec.name, r.spec.labels.length])) as BenchData['labels'],
  specs: stream.runs.map((r) => r.spec),
  random: chunks(order, BATCH).map((rows) => batchOf(train, rows)),
  bucketed: bucketer.epochBatches(0).map((rows) =>
    batchOf(
      train,
      rows.map((i) => order[i] as number),
    ),
  ),
  devBatches: chunks(devRows, BATCH).map((rows) => batchOf(dev, rows)),
  singles: devRows.slice(0, Number(values.singles)).map((r) => batchOf(dev, [r])),
};
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'snips-batches.json'), JSON.stringify(data));
for (const size of Object.keys(ENCODER_SIZES) as (keyof typeof ENCODER_SIZES)[]) {
  const encoder = encoderConfig(size, data.vocabSize);
  manualSeed(0);
  const model = MultiTaskModel.fromSpecs(
    new BertModel(encoder),
    stream.runs.map((r) => r.spec),
  );
  saveSafetensors(path.join(out, `init-${size}.safetensors`), model.savedStateDict());
  model.dispose();
}
console.error(
  `wrote ${out}/snips-batches.json (${data.random.length} training batches of ${BATCH}, ${data.devBatches.length} dev batches, ${data.singles.length} single examples) and init-{${Object.keys(ENCODER_SIZES).join(',')}}.safetensors`,
);
