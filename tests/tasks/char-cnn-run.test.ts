import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { parseTrainingConfig, type TrainingConfig } from '../../src/io/config/index.js';
import { evaluateCheckpoint } from '../../src/eval/checkpoint.js';
import { Predictor } from '../../src/predict/predict.js';
import { resolveExplainOptions } from '../../src/explain/options.js';
import { taskTypes } from '../../src/tasks/index.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { needsTinyRunData, tinyRun, tinyYaml, type RunFolder } from '../train/trainer-fixture.js';
import { assertSameFiles, interruptAndResume } from '../helpers/resume.js';

const baseline = liveTensorCount();
const data = needsTinyRunData();
let run: RunFolder;
let full: TrainResult;

const TRAINING = `  max_steps: 16
  batch_size: 16
  learning_rate: 2.0e-3
  warmup_steps: 2
  word_dropout: 0.1
  eval_every: 8
  log_every: 8
  early_stopping: { metric: average, patience: 50 }`;

/** The tiny run with a CRF and a character CNN on the slots (small sizes), into `outputDir`. */
function charConfig(outputDir: string, charCnn = '{ embedding_size: 6, filters: 8, kernel_size: 3 }'): TrainingConfig {
  const yaml = tinyYaml(outputDir, { training: TRAINING }).replace(
    '    label: { unknown: keep } # 200',
    `    crf: true\n    char_cnn: ${charCnn}\n    label: { unknown: keep } # 200`,
  );
  assert.ok(yaml.includes('char_cnn'), 'the slots task carries char_cnn');
  return parseTrainingConfig(yaml, { taskTypes, source: path.join(run.dir, 'config.yaml') });
}

before(async () => {
  if (data.skip) return;
  run = tinyRun();
  full = await train(charConfig('full'), { logger: { info: () => undefined } });
});

after(() => {
  if (data.skip) return;
  run.remove();
  assert.equal(liveTensorCount(), baseline, 'every tensor of the runs is freed');
});

const out = (...rest: string[]) => path.join(run.dir, ...rest);

describe('token classification with char_cnn: train, checkpoint, evaluate, resume, predict', data, () => {
  it('saves the CNN under heads.slots.char_cnn (weight (F, Dc, k)) and a classifier over H + F; the resolved options in tasks.json', () => {
    assert.equal(full.status, 'completed');
    using ckpt = loadCheckpoint(out('full', 'best'));
    const shapes = new Map([...(ckpt.heads.get('slots') ?? [])].map(([k, t]) => [k, t.shape]));
    assert.deepEqual(shapes.get('char_cnn.embedding.weight'), [256, 6]);
    assert.deepEqual(shapes.get('char_cnn.weight'), [8, 6, 3]);
    assert.deepEqual(shapes.get('char_cnn.bias'), [8]);
    const C = ckpt.tasks.find((t) => t.name === 'slots')!.labels!.length;
    assert.deepEqual(shapes.get('classifier.weight'), [C, 32 + 8]);
    const slots = ckpt.tasks.find((t) => t.name === 'slots')!;
    assert.deepEqual((slots.options as Record<string, unknown>).charCnn, {
      charVocabSize: 256,
      embeddingSize: 6,
      filters: 8,
      kernelSize: 3,
      dropout: 0.5,
      maxWordLength: 20,
    });
  });

  it('the best checkpoint, loaded again, evaluates to the test metrics recorded at the end of training', async () => {
    const saved = JSON.parse(readFileSync(out('full', 'test_metrics.json'), 'utf8')) as Record<string, unknown>;
    const again = await evaluateCheckpoint(out('full', 'best'), { split: 'test' });
    assert.deepEqual(again.metrics, saved.metrics);
    assert.deepEqual(again.joint, saved.joint);
    assert.equal(typeof again.metrics.slots?.f1, 'number');
  });

  it('a run interrupted at step 5 and resumed ends with the same weights, bit for bit', async () => {
    const second = await interruptAndResume(charConfig('resumed'), 5, { logger: { info: () => undefined } });
    assert.equal(second.step, 16);
    assertSameFiles(out('resumed', 'last'), out('full', 'last'));
  });

  it('predicts every task of a text, and a word never seen in training still gets a tag', async () => {
    using predictor = Predictor.load(out('full', 'best'));
    const [record] = await predictor.predict(['play zyxwvutqponmlk by xqzjwv on spotify']);
    const slots = record!.predictions.slots as unknown as { tags: string[]; words: string[] };
    assert.deepEqual(slots.words, ['play', 'zyxwvutqponmlk', 'by', 'xqzjwv', 'on', 'spotify']);
    assert.equal(slots.tags.length, 6);
    assert.ok('intent' in record!.predictions);
    const live = liveTensorCount();
    const [explained] = await predictor.predict(['play zyxwvutqponmlk by xqzjwv on spotify'], {
      explain: resolveExplainOptions({ steps: 4 }),
    });
    assert.equal(liveTensorCount(), live, 'explaining leaves no tensor behind');
    const e = (explained!.predictions.slots as unknown as { explanation: { targets: unknown[] } }).explanation;
    assert.ok(e.targets.length > 0, 'the slots of a char_cnn head are explained (its characters held fixed along the path)');
  });

  it('refuses char_cnn on a task type that does not take it, and an even kernel size, naming the key', () => {
    const onIntent = tinyYaml('x', { training: TRAINING }).replace(
      '    options: { pooling: cls } # the pooled [CLS]: these',
      '    char_cnn: {}\n    options: { pooling: cls } # the pooled [CLS]: these',
    );
    assert.throws(
      () => parseTrainingConfig(onIntent, { taskTypes, source: path.join(run.dir, 'config.yaml') }),
      (e: Error) => e instanceof ConfigError && /char_cnn applies only to token-classification/.test(e.message),
    );
    assert.throws(
      () => charConfig('y', '{ kernel_size: 4 }'),
      (e: Error) => e instanceof ConfigError && /char_cnn\.kernel_size must be odd/.test(e.message),
    );
  });
});

describe('token classification with bilstm (BiLSTM-CNN-CRF): train, checkpoint, resume, predict', data, () => {
  /** The char_cnn run with a BiLSTM of 6 per direction between the states and the classifier. */
  const stackConfig = (outputDir: string) => {
    const yaml = tinyYaml(outputDir, { training: TRAINING }).replace(
      '    label: { unknown: keep } # 200',
      '    crf: true\n    char_cnn: { embedding_size: 6, filters: 8, kernel_size: 3 }\n    bilstm: { hidden_size: 6 }\n    label: { unknown: keep } # 200',
    );
    return parseTrainingConfig(yaml, { taskTypes, source: path.join(run.dir, 'config.yaml') });
  };

  it('saves the LSTM under heads.slots.bilstm with torch.nn.LSTM names, over H + F inputs, and a classifier over 2h', async () => {
    const r = await train(stackConfig('stack'), { logger: { info: () => undefined } });
    assert.equal(r.status, 'completed');
    using ckpt = loadCheckpoint(out('stack', 'best'));
    const shapes = new Map([...(ckpt.heads.get('slots') ?? [])].map(([k, t]) => [k, t.shape]));
    assert.deepEqual(shapes.get('bilstm.weight_ih_l0'), [24, 32 + 8]);
    assert.deepEqual(shapes.get('bilstm.weight_hh_l0_reverse'), [24, 6]);
    const C = ckpt.tasks.find((t) => t.name === 'slots')!.labels!.length;
    assert.deepEqual(shapes.get('classifier.weight'), [C, 12]);
    assert.deepEqual((ckpt.tasks.find((t) => t.name === 'slots')!.options as Record<string, unknown>).bilstm, { hiddenSize: 6 });
  });

  it('resumes bit for bit and predicts a tag per word', async () => {
    assert.equal((await interruptAndResume(stackConfig('stack-resumed'), 5, { logger: { info: () => undefined } })).step, 16);
    assertSameFiles(out('stack-resumed', 'last'), out('stack', 'last'));
    using predictor = Predictor.load(out('stack', 'best'));
    const [record] = await predictor.predict(['play some jazz on spotify']);
    assert.equal((record!.predictions.slots as unknown as { tags: string[] }).tags.length, 5);
  });

  it('refuses bilstm on a task type that does not take it, naming the key', () => {
    const onIntent = tinyYaml('x', { training: TRAINING }).replace(
      '    options: { pooling: cls } # the pooled [CLS]: these',
      '    bilstm: {}\n    options: { pooling: cls } # the pooled [CLS]: these',
    );
    assert.throws(
      () => parseTrainingConfig(onIntent, { taskTypes, source: path.join(run.dir, 'config.yaml') }),
      (e: Error) => e instanceof ConfigError && /bilstm applies only to token-classification/.test(e.message),
    );
  });
});
