/**
 * Multi-task pre-training on WordNet (masked LM, supersense classification, link prediction) from a
 * YAML config, resumed mid-run; fine-tuning its checkpoint (pre-trained, frozen, from scratch); and a
 * one-seed transfer report — all on tiny settings (a few hundred examples, a 32-wide encoder, a few steps).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { loadTrainingConfig } from '../../src/io/config/index.js';
import { finetune, loadFinetuneConfig } from '../../src/train/finetune.js';
import { train } from '../../src/train/trainer.js';
import { downstreamConfig, selfSupervisedConfig, transferReport } from '../../src/experiments/transfer.js';
import { TRANSFER_ARMS } from '../../src/experiments/transfer-table.js';
import { buildModel } from '../../src/run/build.js';
import { taskSpec } from '../../src/tasks/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { Tokenizer } from '../../src/tokenization/index.js';
import { predict, Predictor } from '../../src/predict/predict.js';
import { DATASETS, needs } from '../helpers/datasets.js';
import { taskTypes } from '../../src/tasks/index.js';
import { assertSameFiles, interruptAndResume } from '../helpers/resume.js';

const PRETRAIN = `seed: 3
output_dir: out/pretrain
encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 64 }
tokenizer: { train: { vocab_size: 300, min_frequency: 1 } }
max_length: 24
tasks:
  - name: glosses
    type: masked-lm
    data: { format: wordnet, dev_fraction: 0.0005, train_subset: 300 }
    options: { whole_word_masking: true, seed: 5 }
  - name: supersense
    type: sequence-classification
    data: { format: wordnet, dev_fraction: 0.0005, train_subset: 300 }
  - name: relations
    type: link-prediction
    data: { format: wordnet, dev_fraction: 0.0002, train_subset: 300, relations: [hypernym, part_meronym] }
    options: { scoring: rotate, margin: 6, adversarial_temperature: 1 }
training:
  max_steps: 8
  batch_size: 8
  learning_rate: 2.0e-3
  schedule: constant
  sampler: { kind: uniform }
  eval_every: 8
  log_every: 4
`;

const FINETUNE = `seed: 1
output_dir: out/finetune
max_length: 24
tasks:
  - name: banking
    type: sequence-classification
    data: { format: csv, train: banking/train.csv, test: banking/test.csv }
    input: { text: text }
    label: { field: category, unknown: keep }
training:
  max_steps: 6
  batch_size: 8
  learning_rate: 2.0e-3
  eval_every: 6
`;

/** The pre-training config's sampler as a fixed mixture (what examples/transfer/pretrain.yaml uses). */
const FIXED_SAMPLER = 'sampler: { kind: fixed, probabilities: { glosses: 0.5, supersense: 0.3, relations: 0.2 } }';

let dir = '';
const at = (...parts: string[]) => path.join(dir, ...parts);

/** The fine-tuning task: about 40 Banking77 rows (the pre-training reads WordNet, inside an npm package). */
const banking = needs('banking77');
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mtl-pretrain-'));
  writeFileSync(at('pretrain.yaml'), PRETRAIN);
  writeFileSync(at('finetune.yaml'), FINETUNE);
  writeFileSync(at('pretrain-fixed.yaml'), PRETRAIN.replace('sampler: { kind: uniform }', FIXED_SAMPLER));
  if (banking.skip) return;
  mkdirSync(at('banking'));
  const [header, ...rows] = readFileSync(path.join(DATASETS, 'banking77', 'train.csv'), 'utf8')
    .trim()
    .split('\n');
  const pick = (from: number) => rows.filter((_, i) => i % 250 === from); // every 250th row: ~40 rows, many intents
  writeFileSync(at('banking', 'train.csv'), [header, ...pick(0)].join('\n') + '\n');
  writeFileSync(at('banking', 'test.csv'), [header, ...pick(1)].join('\n') + '\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('pre-training from a config: masked LM, supersense and link prediction on WordNet', () => {
  it('trains every objective, saves the MLM head under cls.predictions.… and the masking state', async () => {
    const r = await train(loadTrainingConfig(at('pretrain.yaml'), { taskTypes }));
    assert.equal(r.status, 'completed');
    for (const task of ['glosses', 'supersense', 'relations']) assert.ok(r.dev?.metrics[task] !== undefined, `dev metrics of ${task}`);
    assert.ok(r.dev!.metrics.relations!.inBatchMrr! > 0 && r.dev!.metrics.relations!.inBatchMrr! <= 1, 'in-batch MRR is a fraction');
    assert.ok(r.dev!.metrics.glosses!.perplexity! > 1, 'perplexity above 1');
    using ckpt = loadCheckpoint(at('out', 'pretrain', 'last'));
    assert.ok(ckpt.heads.get('glosses')!.has('cls.predictions.bias'), 'the MLM head is loaded from cls.predictions.…');
    const header = readFileSync(at('out', 'pretrain', 'last', 'model.safetensors'));
    const names = JSON.parse(header.subarray(8, 8 + Number(header.readBigUInt64LE(0))).toString('utf8')) as Record<string, unknown>;
    assert.ok('cls.predictions.transform.dense.weight' in names, 'saved under the Hugging Face name');
    assert.ok(!Object.keys(names).some((k) => k.startsWith('heads.glosses.')), 'not under heads.glosses.…');
    const state = JSON.parse(readFileSync(at('out', 'pretrain', 'last', 'trainer_state.json'), 'utf8')) as {
      rng_state: { collation: Record<string, { algorithm: string }> };
    };
    assert.equal(state.rng_state.collation.glosses?.algorithm, 'xoshiro128**', 'the masking generator state is saved');
  });

  it('a run interrupted at step 3 and resumed ends with the weights of the uninterrupted run (same masks)', async () => {
    const config = { ...loadTrainingConfig(at('pretrain.yaml'), { taskTypes }), outputDir: at('out', 'resumed') };
    assert.equal((await interruptAndResume(config, 3)).step, 8);
    assertSameFiles(at('out', 'resumed', 'last'), at('out', 'pretrain', 'last'));
  });

  it('predicts supersenses and fills [MASK]s with the pre-trained checkpoint', async () => {
    const [p] = await predict(at('out', 'pretrain', 'best'), ['a small [MASK] kept as a pet']);
    const fills = p!.predictions.glosses as { masks: { token: string; score: number }[][] };
    assert.equal(fills.masks.length, 1, 'one [MASK], one list of candidates');
    assert.equal(fills.masks[0]!.length, 5);
    assert.ok(
      fills.masks[0]!.every((f, i, a) => i === 0 || a[i - 1]!.score >= f.score),
      'most probable first',
    );
    assert.ok('label' in p!.predictions.supersense!, 'a supersense label');
    assert.equal(p!.predictions.relations, undefined, 'link prediction is not run on texts');
    using predictor = Predictor.load(at('out', 'pretrain', 'best'));
    assert.deepEqual(predictor.taskNames, ['glosses', 'supersense'], 'the tasks predict answers (what mtl serve lists), not relations');
  });
});

describe('masked LM on a plain-text corpus', needs('sst2'), () => {
  it('streams the first max_lines lines of a text file in windows and trains on them; the first dev_lines are the dev set', async () => {
    const lines = readFileSync(path.join(DATASETS, 'sst2', 'train.tsv'), 'utf8')
      .split('\n')
      .slice(1, 200);
    writeFileSync(at('corpus.txt'), lines.map((l) => l.split('\t')[0]).join('\n\n') + '\n'); // blank lines are skipped
    const yaml = `output_dir: out/text
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 64 }
tokenizer: { train: { vocab_size: 200, min_frequency: 1 } }
max_length: 24
tasks:
  - { name: mlm, type: masked-lm, data: { format: text, train: corpus.txt, max_lines: 120, dev_lines: 30, window_lines: 40 } }
training: { max_steps: 3, batch_size: 8, eval_every: 3 }
`;
    writeFileSync(at('text.yaml'), yaml);
    const r = await train(loadTrainingConfig(at('text.yaml'), { taskTypes }));
    assert.equal(r.step, 3);
    const start = JSON.parse(readFileSync(at('out', 'text', 'metrics.jsonl'), 'utf8').split('\n')[0]!) as {
      examples: { mlm: Record<string, number> };
    };
    assert.deepEqual(start.examples.mlm, { train: 90, dev: 30 }, '120 non-blank lines read, the first 30 held out');
    assert.ok(r.dev!.metrics.mlm!.maskedTokens! > 0, 'dev tokens were masked');
  });
});

describe('fine-tuning a pre-trained checkpoint', banking, () => {
  it('takes the encoder and tokenizer from the checkpoint, or its shape only (scratch); rejects a tokenizer or architecture', async () => {
    const ckpt = at('out', 'pretrain', 'best');
    const pre = await loadFinetuneConfig(at('finetune.yaml'), ckpt);
    assert.equal(pre.encoder.from, ckpt);
    assert.equal(pre.tokenizer?.path, path.join(ckpt, 'tokenizer.json'));
    const scratch = await loadFinetuneConfig(at('finetune.yaml'), ckpt, 'scratch');
    assert.equal(scratch.encoder.from, undefined);
    assert.equal((scratch.encoder as { hiddenSize: number }).hiddenSize, 32, 'the checkpoint architecture');
    writeFileSync(at('bad.yaml'), `${FINETUNE}tokenizer: { path: x.json }\n`);
    await assert.rejects(loadFinetuneConfig(at('bad.yaml'), ckpt), /uses the checkpoint's tokenizer/);
    writeFileSync(at('bad.yaml'), `${FINETUNE}encoder: { hidden_size: 64 }\n`);
    await assert.rejects(loadFinetuneConfig(at('bad.yaml'), ckpt), /encoder.hidden_size cannot be set when fine-tuning/);
    await assert.rejects(loadFinetuneConfig(at('finetune.yaml'), at('banking')), ConfigError);
  });

  it("scratch takes the checkpoint's dropout, as the pre-trained encoder does, unless the config sets it", async () => {
    const ckpt = at('dropout-ckpt');
    cpSync(at('out', 'pretrain', 'best'), ckpt, { recursive: true });
    const json = JSON.parse(readFileSync(path.join(ckpt, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(ckpt, 'config.json'), JSON.stringify({ ...json, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0.2 }));
    const dropout = (c: { encoder: object }) => {
      const e = c.encoder as { hiddenDropoutProb?: number; attentionProbsDropoutProb?: number };
      return [e.hiddenDropoutProb, e.attentionProbsDropoutProb];
    };
    assert.deepEqual(dropout(await loadFinetuneConfig(at('finetune.yaml'), ckpt, 'scratch')), [0, 0.2]);
    writeFileSync(at('dropout.yaml'), `${FINETUNE}encoder: { hidden_dropout_prob: 0.1 }\n`);
    assert.deepEqual(dropout(await loadFinetuneConfig(at('dropout.yaml'), ckpt, 'scratch')), [0.1, 0.2], 'the config wins');
  });

  it('encoder.reinit_pooler: the pooler starts as a new encoder of the same seed has it, every other tensor as the checkpoint', async () => {
    const ckpt = at('out', 'pretrain', 'best');
    const pre = await loadFinetuneConfig(at('finetune.yaml'), ckpt);
    const fresh = downstreamConfig(pre, { reinitPooler: true, pooling: 'mean', finetuneLearningRate: 1e-4, finetuneSteps: 3 });
    assert.equal(fresh.encoder.reinitPooler, true);
    assert.equal(fresh.tasks[0]!.options?.pooling, 'mean', '--pooling reaches sequence-classification heads');
    assert.deepEqual([fresh.training.learningRate, fresh.training.maxSteps], [1e-4, 3]);
    const scratch = await loadFinetuneConfig(at('finetune.yaml'), ckpt, 'scratch');
    const tokenizer = Tokenizer.fromFile(path.join(ckpt, 'tokenizer.json'));
    const specs = [taskSpec({ name: 'banking', kind: 'sequence-classification', labels: ['a', 'b'] })];
    const models = [pre, fresh, scratch].map((c) => buildModel(c, tokenizer, specs));
    const [kept, reinit, newEncoder] = models.map((m) => m.backbone.stateDict()) as [
      Map<string, Tensor>,
      Map<string, Tensor>,
      Map<string, Tensor>,
    ];
    const same = (a: Map<string, Tensor>, b: Map<string, Tensor>, k: string) => a.get(k)!.sub(b.get(k)!).abs().max().item() === 0;
    assert.ok(same(reinit, newEncoder, 'pooler.dense.weight') && same(reinit, newEncoder, 'pooler.dense.bias'), 'a fresh pooler');
    assert.ok(!same(reinit, kept, 'pooler.dense.weight'), 'not the pre-trained pooler');
    assert.ok(
      same(reinit, kept, 'encoder.layer.1.output.dense.weight') && same(reinit, kept, 'embeddings.word_embeddings.weight'),
      'the rest pre-trained',
    );
    models.forEach((m) => m.dispose());
  });

  it('with the encoder frozen, trains the new head only: the encoder weights stay the pre-trained ones', async () => {
    const ckpt = at('out', 'pretrain', 'best');
    const config = { ...(await loadFinetuneConfig(at('finetune.yaml'), ckpt)), outputDir: at('out', 'frozen') };
    const r = await finetune(config, { freeze: /^encoder\./ });
    assert.ok(r.test?.metrics.banking?.accuracy !== undefined, 'test accuracy of the new task');
    using before = loadCheckpoint(ckpt, { optimizer: false });
    using afterwards = loadCheckpoint(at('out', 'frozen', 'last'), { optimizer: false });
    const same = (k: string) => {
      const [a, b] = [before.encoder.get(k)!, afterwards.encoder.get(k)!];
      return a.sub(b).abs().max().item() === 0;
    };
    assert.ok(same('embeddings.word_embeddings.weight') && same('encoder.layer.1.output.dense.weight'), 'encoder unchanged');
    assert.deepEqual([...afterwards.heads.keys()], ['banking'], 'only the new task has a head');
  });
});

describe('the self-supervised arm of the transfer report', () => {
  it('keeps the fixed sampler probabilities of its self-supervised tasks only', () => {
    const config = loadTrainingConfig(at('pretrain-fixed.yaml'), { taskTypes });
    const { sampler } = selfSupervisedConfig(config).training;
    assert.equal(sampler.kind, 'fixed');
    assert.deepEqual(sampler.probabilities, { glosses: 0.5 });
  });
});

describe('transfer report', banking, () => {
  it('a missing or invalid fine-tuning config stops the report before anything is pre-trained', async () => {
    const pretrain = loadTrainingConfig(at('pretrain.yaml'), { taskTypes });
    const outDir = at('out', 'transfer-bad');
    writeFileSync(at('with-tokenizer.yaml'), 'tokenizer: { train: { vocab_size: 50 } }\n');
    const cases: [string, RegExp][] = [
      [at('missing.yaml'), /cannot read the fine-tuning config .*missing\.yaml/],
      [at('with-tokenizer.yaml'), /with-tokenizer\.yaml: a fine-tuning config uses the checkpoint's tokenizer/],
    ];
    for (const [file, message] of cases) {
      await assert.rejects(
        transferReport({ pretrain, finetune: [at('finetune.yaml'), file], seeds: [1], outDir }),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
        `${path.basename(file)}: a ConfigError matching ${String(message)}`,
      );
      assert.ok(!existsSync(path.join(outDir, 'pretrain-multi-task')), 'nothing pre-trained');
    }
  });

  it('pre-trains multi-task and self-supervised encoders and fine-tunes from each and from scratch under the same seeds', async () => {
    const pretrain = loadTrainingConfig(at('pretrain.yaml'), { taskTypes });
    assert.deepEqual(
      selfSupervisedConfig(pretrain).tasks.map((t) => t.name),
      ['glosses'],
    );
    const r = await transferReport({ pretrain, finetune: [at('finetune.yaml')], seeds: [1], outDir: at('out', 'transfer') });
    assert.deepEqual(
      r.cells.map((c) => c.arm),
      [...TRANSFER_ARMS],
    );
    for (const c of r.cells) assert.ok(c.values.length === 1 && c.values[0]! >= 0 && c.values[0]! <= 1, `${c.arm}: one accuracy`);
    assert.ok(existsSync(at('out', 'transfer', 'transfer.md')), 'transfer.md written');
    assert.match(r.table, /\| banking \| accuracy \|/);
    const again = await transferReport({
      pretrain,
      finetune: [at('finetune.yaml')],
      seeds: [2],
      outDir: at('out', 'transfer'),
      reuse: true,
      finetuneSteps: 2,
    });
    assert.deepEqual(
      Object.values(again.pretraining).map((p) => p.reused),
      [true, true],
      'both pre-trained encoders are reused',
    );
    const state = JSON.parse(
      readFileSync(at('out', 'transfer', 'finetune', 'finetune', 'scratch', 'seed-2', 'last', 'trainer_state.json'), 'utf8'),
    ) as {
      global_step: number;
    };
    assert.equal(state.global_step, 2, "--finetune-steps replaces the configs' max_steps");
  });

  it('pre-trains one arm per call (parallel processes), then reports with reuse, reading finished fine-tuning runs', async () => {
    const pretrain = loadTrainingConfig(at('pretrain-fixed.yaml'), { taskTypes });
    const outDir = at('out', 'transfer-split');
    const base = { pretrain, finetune: [at('finetune.yaml')], seeds: [1], outDir, finetuneSteps: 2 };
    await assert.rejects(
      transferReport({ ...base, pretrainOnly: 'self-supervised' }),
      (e: unknown) => e instanceof ConfigError && /tokenizer.*pre-train the multi-task arm first/.test(e.message),
    );
    const first = await transferReport({ ...base, pretrainOnly: 'multi-task' });
    assert.deepEqual(first.cells, [], 'no fine-tuning');
    assert.deepEqual(Object.keys(first.pretraining), ['multi-task']);
    assert.ok(existsSync(path.join(outDir, 'pretrain-multi-task', 'best', 'model.safetensors')), 'multi-task pre-trained');
    assert.ok(!existsSync(path.join(outDir, 'pretrain-self-supervised')), 'self-supervised not pre-trained');
    await transferReport({ ...base, pretrainOnly: 'self-supervised' });
    const r = await transferReport({ ...base, reuse: true });
    assert.deepEqual(
      Object.values(r.pretraining).map((p) => p.reused),
      [true, true],
      'both encoders pre-trained by the single-arm calls are reused (the fixed sampler of the self-supervised config re-reads)',
    );
    assert.ok(
      r.cells.every((c) => c.seconds.every((s) => s > 0)),
      'the fine-tuning runs trained',
    );
    const again = await transferReport({ ...base, reuse: true });
    assert.deepEqual(
      again.cells.map((c) => c.values),
      r.cells.map((c) => c.values),
      'the finished fine-tuning runs are read back',
    );
    assert.ok(
      again.cells.every((c) => c.seconds.every((s) => Number.isNaN(s))),
      'none trained again',
    );
  });
});
