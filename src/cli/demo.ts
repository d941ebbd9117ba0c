/**
 * `mtl demo` (for now): trains a fastText-style sentiment classifier (Joulin et al., "Bag of Tricks
 * for Efficient Text Classification", EACL 2017) on SST-2 through the tensor API: hashed unigram +
 * bigram embeddings averaged per sentence, then a linear layer; AdamW with linear warmup/decay and
 * gradient clipping. Reports dev and test accuracy and writes the weights as safetensors.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatPosition, readDelimitedText } from '../data/index.js';
import { DataError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import * as T from '../tensor/index.js';
import { AdamW } from '../train/optim/adamw.js';
import { clipGradNorm } from '../train/clip.js';
import { linearWarmupDecay } from '../train/schedules.js';
import { saveSafetensors } from '../io/safetensors.js';

export interface DemoOptions {
  dataDir?: string;
  outDir: string;
  epochs: number;
  seed: number;
  threads?: number;
  log: (line: string) => void;
}

export interface DemoResult {
  devAccuracy: number;
  testAccuracy: number;
  trainSeconds: number;
  examplesPerSecond: number;
}

interface Example {
  features: number[];
  label: number;
}

const BUCKETS = 1 << 16; // hashed n-gram vocabulary; id 0 is padding
const DIM = 32;
const BATCH = 32;

/** FNV-1a 32-bit hash of a string, mapped to 1..BUCKETS-1. */
function bucket(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 1 + (h % (BUCKETS - 1));
}

function featurize(sentence: string): number[] {
  const words = sentence.trim().split(/\s+/).filter(Boolean);
  const grams = [...words, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)];
  return grams.length === 0 ? [0] : grams.map(bucket);
}

/** SST-2's GLUE `sentence<TAB>label` file as featurized examples (labels 0/1; errors name file and line). */
function readSst2(file: string): Example[] {
  return readDelimitedText(file, { text: 'sentence', label: 'label' }).examples.map((e) => {
    if (e.label !== '0' && e.label !== '1')
      throw new DataError(`${formatPosition(e.source)}: expected label 0 or 1, got '${e.label ?? ''}'`);
    return { features: featurize(e.text), label: Number(e.label) };
  });
}

function findData(dataDir: string | undefined): string {
  const candidates = dataDir ? [dataDir] : ['../shared/datasets/sst2', 'datasets/sst2'];
  const found = candidates.find((d) => existsSync(path.join(d, 'train.tsv')));
  if (!found) throw new DataError(`no SST-2 data: looked for train.tsv in ${candidates.join(', ')}; pass --data DIR`);
  return found;
}

/** (B, L) int64 ids padded with 0, and (B) int64 labels. */
function collate(batch: Example[]): { ids: T.Tensor; labels: T.Tensor } {
  const width = Math.max(...batch.map((e) => e.features.length));
  const flat = new BigInt64Array(batch.length * width);
  batch.forEach((e, b) => e.features.forEach((f, j) => (flat[b * width + j] = BigInt(f))));
  return {
    ids: T.tensor(flat, {}, [batch.length, width]),
    labels: T.tensor(BigInt64Array.from(batch, (e) => BigInt(e.label))),
  };
}

class BagOfNgrams {
  readonly embedding = T.keep(T.randn([BUCKETS, DIM]).mul_(0.1).requiresGrad_());
  readonly weight = T.keep(
    T.randn([2, DIM])
      .mul_(1 / Math.sqrt(DIM))
      .requiresGrad_(),
  );
  readonly bias = T.keep(T.zeros([2]).requiresGrad_());

  parameters(): T.Tensor[] {
    return [this.embedding, this.weight, this.bias];
  }

  /** ids (B, L) → logits (B, 2): mean of the non-padding n-gram embeddings, then linear. */
  forward(ids: T.Tensor): T.Tensor {
    const mask = ids.ne(0).unsqueeze(-1).to('float32'); // (B, L, 1)
    const summed = T.embedding(this.embedding, ids, 0).mul(mask).sum(1); // (B, DIM)
    const mean = summed.div(mask.sum(1).clamp(1)); // (B, DIM)
    return T.linear(mean, this.weight, this.bias); // (B, 2)
  }
}

function accuracy(model: BagOfNgrams, data: Example[]): number {
  let correct = 0;
  T.noGrad(() => {
    for (let i = 0; i < data.length; i += 256) {
      T.tidy(() => {
        const { ids, labels } = collate(data.slice(i, i + 256));
        correct += model.forward(ids).argmax(-1).eq(labels).sum().item() as number;
      });
    }
  });
  return correct / data.length;
}

/** Trains and evaluates the demo model; writes model.safetensors and metrics.json to `outDir`. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { log } = options;
  if (options.threads) T.setNumThreads(options.threads);
  T.manualSeed(options.seed);
  const dir = findData(options.dataDir);
  const train = readSst2(path.join(dir, 'train.tsv'));
  const dev = readSst2(path.join(dir, 'dev.tsv'));
  const test = readSst2(path.join(dir, 'test-labeled.tsv'));
  log(
    `SST-2 from ${dir}: ${train.length} train, ${dev.length} dev, ${test.length} test sentences; libtorch ${T.libtorchVersion()}, ${T.getNumThreads()} thread(s)`,
  );

  const model = new BagOfNgrams();
  const optimizer = new AdamW(model.parameters(), { lr: 5e-3, weightDecay: 0 });
  const stepsPerEpoch = Math.ceil(train.length / BATCH);
  const totalSteps = options.epochs * stepsPerEpoch;
  const schedule = (step: number) => linearWarmupDecay(step, { warmupSteps: Math.round(totalSteps * 0.05), totalSteps });
  const rng = new Rng(options.seed); // the epoch shuffles
  const started = performance.now();
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = train.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.float() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let lossSum = 0;
    for (let s = 0; s < stepsPerEpoch; s++, step++) {
      optimizer.setLr(5e-3 * schedule(step));
      const loss = T.tidy(() => {
        const { ids, labels } = collate(order.slice(s * BATCH, (s + 1) * BATCH).map((k) => train[k] as Example));
        const l = T.crossEntropy(model.forward(ids), labels);
        l.backward();
        clipGradNorm(model.parameters(), 1.0);
        optimizer.step();
        optimizer.zeroGrad();
        return l.item() as number;
      });
      lossSum += loss;
      if ((s + 1) % 500 === 0) {
        log(`epoch ${epoch + 1} step ${s + 1}/${stepsPerEpoch} loss ${(lossSum / 500).toFixed(4)}`);
        lossSum = 0;
      }
    }
    log(`epoch ${epoch + 1}: dev accuracy ${(100 * accuracy(model, dev)).toFixed(2)}%`);
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const result: DemoResult = {
    devAccuracy: accuracy(model, dev),
    testAccuracy: accuracy(model, test),
    trainSeconds,
    examplesPerSecond: (train.length * options.epochs) / trainSeconds,
  };
  mkdirSync(options.outDir, { recursive: true });
  saveSafetensors(path.join(options.outDir, 'model.safetensors'), {
    'embedding.weight': model.embedding,
    'classifier.weight': model.weight,
    'classifier.bias': model.bias,
  });
  writeFileSync(path.join(options.outDir, 'metrics.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(
    `done in ${trainSeconds.toFixed(1)} s (${result.examplesPerSecond.toFixed(0)} examples/s): dev accuracy ${(100 * result.devAccuracy).toFixed(2)}%, ` +
      `test accuracy ${(100 * result.testAccuracy).toFixed(2)}%; weights in ${options.outDir}/model.safetensors`,
  );
  optimizer.dispose();
  T.dispose(model.parameters());
  return result;
}
