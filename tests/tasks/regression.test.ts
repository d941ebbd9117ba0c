import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, DataError, ShapeError } from '../../src/errors.js';
import { readDelimitedTextPairs, type TextPairExample } from '../../src/data/index.js';
import { evaluateCheckpoint } from '../../src/eval/checkpoint.js';
import { exportHf } from '../../src/export/hf.js';
import { loadCheckpoint, readMetrics } from '../../src/io/checkpoint.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { Predictor } from '../../src/predict/predict.js';
import {
  denormalizeOutput,
  normalizeTarget,
  regression,
  taskSpec,
  taskTypes,
  targetStats,
  type RegressionOptions,
  type RegressionPrediction,
  type TaskSpec,
} from '../../src/tasks/index.js';
import { grad, liveTensorCount, tensor, tidy } from '../../src/tensor/index.js';
import { trainWordPiece } from '../../src/tokenization/index.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { loadFixture } from '../helpers/fixtures.js';
import { taskOf } from './helpers.js';

interface LossFixture {
  predictions: number[][];
  targets: number[];
  mse: { loss: number; grad: number[] };
  huber: { delta: number; loss: number; grad: number[] }[];
}
interface MetricFixture {
  gold: number[];
  pred: number[];
  pearson: number;
  spearman: number;
  mse: number;
  mae: number;
}
const fixture = loadFixture<{
  versions: Record<string, string>;
  losses: LossFixture[];
  normalisation: { train: number[]; mean: number; std: number; scores: number[]; normalised: number[] };
  metrics: MetricFixture[];
}>('regression');

const near = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

const pair = (i: number, a: string, b: string, label?: string): TextPairExample => ({
  id: String(i),
  textA: a,
  textB: b,
  ...(label === undefined ? {} : { label }),
  source: { file: 'pairs.tsv', line: i + 2 },
});
const spec = (options: Record<string, unknown> = {}): TaskSpec<RegressionOptions> =>
  taskSpec({ name: 'similarity', kind: 'regression', labels: ['score'], options }) as TaskSpec<RegressionOptions>;

const tokenizer = trainWordPiece(['a man is playing a flute', 'a woman is slicing an onion', 'the cat sat on the mat'], {
  vocabSize: 80,
  minFrequency: 1,
});

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

describe('regression: options', () => {
  it('fills defaults and rejects bad values', () => {
    assert.deepEqual(regression.resolveOptions(), {
      loss: 'mse',
      huberDelta: 1,
      normalize: false,
      targetMean: null,
      targetStd: null,
      classifierDropout: null,
      pooling: 'cls',
    });
    assert.throws(() => regression.resolveOptions({ loss: 'l1' }), /loss must be one of 'mse', 'huber', got "l1"/);
    assert.throws(() => regression.resolveOptions({ huberDelta: 0 }), /huberDelta must be a number > 0, got 0/);
    assert.throws(() => regression.resolveOptions({ targetStd: -1 }), /targetStd must be a number > 0 or null, got -1/);
    assert.throws(
      () => regression.resolveOptions({ huberdelta: 2 }),
      (e: unknown) => e instanceof ConfigError && /'huberdelta': unknown option; did you mean 'huber_delta'\?/.test(e.message),
    );
  });

  it('is registered with a scalar label space, text and pair inputs, and Spearman as its main metric', () => {
    const type = taskTypes.get('regression');
    assert.equal(type.labelSpace, 'scalar');
    assert.deepEqual(type.inputs, ['text', 'pair']);
    assert.deepEqual(type.mainMetric, { name: 'spearman', greaterIsBetter: true });
    assert.deepEqual(regression.collectLabels([pair(0, 'a', 'b', '3.8')], regression.resolveOptions()), ['score']);
  });
});

describe('regression: loss against torch.nn.functional', () => {
  const batchOf = (c: LossFixture) => {
    const features = c.targets.map((y, i) => ({ exampleIndex: i, inputIds: [2, 3], tokenTypeIds: [0, 0], truncated: false, labels: [y] }));
    return regression.collate(taskOf(regression, spec()), features);
  };
  fixture.losses.forEach((c, k) => {
    it(`case ${k}: mse_loss and huber_loss (δ ${c.huber.map((h) => h.delta).join(', ')}), values and gradients`, () => {
      tidy(() => {
        const batch = batchOf(c);
        for (const [options, expected] of [
          [{}, c.mse],
          ...c.huber.map((h) => [{ loss: 'huber', huberDelta: h.delta }, h] as const),
        ] as const) {
          const logits = tensor(c.predictions, { dtype: 'float32' });
          logits.requiresGrad = true;
          const loss = regression.loss(taskOf(regression, spec(options)), logits, batch);
          near(loss.item() as number, expected.loss, 1e-5, `loss ${JSON.stringify(options)}`);
          const [g] = grad(loss, [logits]);
          assert.deepEqual(g!.shape, [c.targets.length, 1]);
          (g!.toArray() as number[][]).forEach((row, i) => near(row[0]!, expected.grad[i]!, 1e-5, `grad ${i}`));
        }
      });
    });
  });

  it('refuses outputs that are not (B, 1) and a batch without targets', () => {
    tidy(() => {
      const batch = batchOf(fixture.losses[1]!);
      const wide = tensor([
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ]);
      assert.throws(() => regression.loss(taskOf(regression, spec()), wide, batch), ShapeError);
      const unlabelled = regression.collate(taskOf(regression, spec()), [
        { exampleIndex: 0, inputIds: [2], tokenTypeIds: [0], truncated: false },
      ]);
      assert.equal(unlabelled.labels, undefined);
      assert.throws(() => regression.loss(taskOf(regression, spec()), tensor([[1]]), unlabelled), /has no targets/);
    });
  });
});

describe('regression: target normalisation', () => {
  const n = fixture.normalisation;
  it('mean and population std of the training targets (numpy), z-scores and their inverse', () => {
    const { mean, std } = targetStats(n.train);
    near(mean, n.mean, 1e-12, 'mean');
    near(std, n.std, 1e-12, 'std');
    const o = regression.resolveOptions({ normalize: true, targetMean: mean, targetStd: std });
    n.scores.forEach((y, i) => {
      near(normalizeTarget(y, o), n.normalised[i]!, 1e-12, `z ${i}`);
      near(denormalizeOutput(normalizeTarget(y, o), o), y, 1e-12, `round trip ${i}`);
    });
    assert.throws(
      () => targetStats([2, 2, 2]),
      (e: unknown) => e instanceof DataError && /no spread/.test(e.message),
    );
  });

  it('completeOptions reads the training targets only; featurize normalises, decode de-normalises', async () => {
    const trainSet = n.train.map((y, i) => pair(i, 'a man', 'a woman', String(y)));
    const dev = [pair(0, 'a man is playing', 'a flute', '100')];
    const o = regression.completeOptions!(regression.resolveOptions({ normalize: true }), [...trainSet, ...dev], trainSet);
    near(o.targetMean!, n.mean, 1e-12, 'stored mean');
    near(o.targetStd!, n.std, 1e-12, 'stored std');
    assert.equal(regression.completeOptions!(regression.resolveOptions(), trainSet, trainSet).targetMean, null);
    const s = spec(o as unknown as Record<string, unknown>);
    const examples = n.scores.map((y, i) => pair(i, 'the cat', 'sat on the mat', String(y)));
    const { features } = await regression.featurize(examples, tokenizer, s, { maxLength: 16 });
    features.forEach((f, i) => near(f.labels![0]!, n.normalised[i]!, 1e-12, `feature ${i}`));
    const predictions = tidy(() => {
      const batch = regression.collate(taskOf(regression, s), features);
      return regression.decode(taskOf(regression, s), tensor(n.normalised.map((z) => [z])), batch, examples);
    });
    predictions.forEach((p, i) => near(p.score, n.scores[i]!, 1e-5, `decoded ${i}`));
  });
});

describe('regression: featurize, decode, present', () => {
  it('pairs become [CLS] a [SEP] b [SEP] with segment ids; unlabelled examples predict; bad scores name file:line', async () => {
    const s = spec();
    const examples = [pair(0, 'a man', 'a flute', '3.8'), pair(1, 'the cat', 'the mat')];
    await assert.rejects(regression.featurize(examples, tokenizer, s, { maxLength: 16 }), /pairs\.tsv:3: example '1' .* has no score/);
    const { features } = await regression.featurize(examples, tokenizer, s, { maxLength: 16, training: false });
    assert.deepEqual(features[0]!.labels, [3.8]);
    assert.equal(features[1]!.labels, undefined);
    assert.deepEqual(features[0]!.tokenTypeIds, [0, 0, 0, 0, 1, 1, 1]);
    await assert.rejects(
      regression.featurize([pair(4, 'a', 'b', 'high')], tokenizer, s, { maxLength: 16 }),
      (e: unknown) => e instanceof DataError && /pairs\.tsv:6: the label 'high' of task 'similarity' is not a number/.test(e.message),
    );
    const predictions = tidy(() =>
      regression.decode(taskOf(regression, s), tensor([[1.25], [-0.5]]), regression.collate(taskOf(regression, s), features), examples),
    );
    assert.deepEqual(predictions, [
      { exampleIndex: 0, score: 1.25 },
      { exampleIndex: 1, score: -0.5 },
    ]);
    assert.deepEqual(regression.present!(predictions[0]!, s, { text: 'a man', textPair: 'a flute', words: [] }), { score: 1.25 });
  });

  it('exports as a …ForSequenceClassification, problem_type regression; not with mean pooling or normalisation', () => {
    assert.deepEqual(regression.exportHf!(spec()), { head: 'SequenceClassification', config: { problem_type: 'regression' } });
    assert.ok('refused' in regression.exportHf!(spec({ pooling: 'mean' })));
    assert.ok('refused' in regression.exportHf!(spec({ normalize: true, targetMean: 2, targetStd: 1 })));
  });
});

describe(`regression: metrics against scipy ${fixture.versions.scipy} and sklearn ${fixture.versions.sklearn}`, () => {
  fixture.metrics.forEach((c, k) => {
    it(`case ${k}: Pearson, Spearman (ties), MSE, MAE`, () => {
      const gold = c.gold.map((y, i) => pair(i, 'a', 'b', String(y)));
      const predictions: RegressionPrediction[] = c.pred.map((score, i) => ({ exampleIndex: i, score })).reverse();
      const m = regression.evaluate(predictions, gold, spec());
      near(m.pearson!, c.pearson, 1e-12, 'pearson');
      near(m.spearman!, c.spearman, 1e-12, 'spearman');
      near(m.mse!, c.mse, 1e-12, 'mse');
      near(m.mae!, c.mae, 1e-12, 'mae');
    });
  });
});

/**
 * A learnable pair task: the score is 1, plus 2 when the first sentence holds "red", plus 1 when the
 * second holds "blue" (1–4); the other words are filler.
 */
function synthetic(count: number, seed: number): string {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state >> 8) % n;
  };
  const fillers = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran', 'far'];
  const words = (n: number) => Array.from({ length: n }, () => fillers[next(fillers.length)]!);
  const rows = ['sentence1\tsentence2\tscore'];
  for (let i = 0; i < count; i++) {
    const red = next(2) === 1;
    const blue = next(2) === 1;
    const a = [...words(2), ...(red ? ['red'] : []), ...words(1)].join(' ');
    const b = [...words(1), ...(blue ? ['blue'] : []), ...words(2)].join(' ');
    rows.push(`${a}\t${b}\t${(1 + (red ? 2 : 0) + (blue ? 1 : 0)).toFixed(3)}`);
  }
  return rows.join('\n') + '\n';
}

describe('regression: a tiny training run end to end', () => {
  let dir: string;
  let result: TrainResult;
  const yamlOf = (outputDir: string, options: string, training: string): string => `seed: 3
output_dir: ${outputDir}
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 32,
           hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 60, min_frequency: 1 } }
max_length: 16
tasks:
  - name: similarity
    type: regression
    data: { format: tsv, train: train.tsv, dev: dev.tsv }
    input: { text: sentence1, text_pair: sentence2 }
    label: { field: score }
    options: ${options}
training:
${training}
`;
  const run = (yaml: string): Promise<TrainResult> =>
    train(parseTrainingConfig(yaml, { taskTypes, source: path.join(dir, 'config.yaml') }), {});
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-regression-'));
    writeFileSync(path.join(dir, 'train.tsv'), synthetic(160, 1));
    writeFileSync(path.join(dir, 'dev.tsv'), synthetic(40, 2));
    const training = '  max_steps: 60\n  batch_size: 16\n  learning_rate: 3.0e-3\n  warmup_steps: 2\n  eval_every: 30\n  log_every: 10';
    result = await run(yamlOf('out', '{ normalize: true, loss: huber, huber_delta: 1.0 }', training));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the loss goes down; the checkpoint carries the targets mean and std', () => {
    assert.equal(result.status, 'completed');
    const losses = readMetrics(path.join(dir, 'out', 'metrics.jsonl'))
      .filter((r) => r.type === 'train')
      .map((r) => r.loss as number);
    assert.equal(losses.length, 6);
    assert.ok(losses.at(-1)! < 0.7 * losses[0]!, `train loss ${losses.join(', ')}`);
    using ckpt = loadCheckpoint(path.join(dir, 'out', 'last'));
    const record = ckpt.tasks[0]!;
    assert.deepEqual(record.labels, ['score']);
    const targets = readDelimitedTextPairs(path.join(dir, 'train.tsv'), {
      textA: 'sentence1',
      textB: 'sentence2',
      label: 'score',
    }).examples.map((e) => Number(e.label));
    const { mean, std } = targetStats(targets);
    const options = record.options as Record<string, unknown>;
    near(options.targetMean as number, mean, 1e-12, 'mean');
    near(options.targetStd as number, std, 1e-12, 'std');
  });

  it('evaluateCheckpoint reproduces the last dev metrics; Predictor gives { score } on the data scale', async () => {
    const last = readMetrics(path.join(dir, 'out', 'metrics.jsonl'))
      .filter((r) => r.type === 'eval' && r.split === 'dev')
      .at(-1) as Record<string, unknown>;
    const again = await evaluateCheckpoint(path.join(dir, 'out', 'last'));
    assert.deepEqual(again.metrics, last.metrics);
    const dev = (last.metrics as Record<string, Record<string, number>>).similarity!;
    assert.deepEqual(Object.keys(dev).sort(), ['mae', 'mse', 'pearson', 'spearman']);
    assert.ok(dev.spearman! > 0.5, `dev spearman ${dev.spearman}`);

    using predictor = Predictor.load(path.join(dir, 'out', 'last'));
    const [record] = await predictor.predict([{ text: 'the cat red mat', textPair: 'a blue dog far' }]);
    const score = (record!.predictions.similarity as { score: number }).score;
    assert.equal(typeof score, 'number');
    assert.ok(score > 2.5 && score < 5, `score ${score} (gold 4)`);
  });

  it('exports to a Transformers folder with one output and problem_type regression (refused when normalised)', async () => {
    assert.throws(() => exportHf(path.join(dir, 'out', 'last'), path.join(dir, 'hf-refused'), { task: 'similarity' }), /normalize: false/);
    await run(yamlOf('plain', '{ loss: mse }', '  max_steps: 2\n  batch_size: 16\n  eval_every: 2'));
    const out = path.join(dir, 'hf');
    const exported = exportHf(path.join(dir, 'plain', 'last'), out, { task: 'similarity' });
    assert.equal(exported.architecture, 'BertForSequenceClassification');
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.problem_type, 'regression');
    assert.deepEqual(config.id2label, { 0: 'score' }); // Transformers reads num_labels 1 from it
    assert.deepEqual(config.architectures, ['BertForSequenceClassification']);
  });
});
