/**
 * The trainer with multi-task strategies (joint and alternating schedules, loss weighting, gradient
 * surgery, per-task LoRA and adapters) on the tiny run of ./trainer-fixture.ts.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCheckpoint, readMetrics } from '../../src/io/checkpoint.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { evaluateCheckpoint } from '../../src/eval/checkpoint.js';
import { taskSpec } from '../../src/tasks/index.js';
import { Tokenizer } from '../../src/tokenization/index.js';
import { buildModel } from '../../src/run/build.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { needsTinyRunData, tinyConfig, tinyRun, type RunFolder } from './trainer-fixture.js';
import { assertSameFiles, interruptAndResume } from '../helpers/resume.js';

const baseline = liveTensorCount();
let run: RunFolder;

/** The tiny run's SNIPS and SST-2 samples; every test of the run is skipped without them. */
const data = needsTinyRunData();
before(() => {
  if (data.skip) return;
  run = tinyRun();
});

after(() => {
  if (data.skip) return;
  run.remove();
  assert.equal(liveTensorCount(), baseline, 'every tensor of the runs is freed');
});

const out = (name: string, ...rest: string[]) => path.join(run.dir, name, ...rest);

/** The tiny run's training section: 12 steps, evaluated every 6, logged every 3, plus `extra` lines. */
const training = (extra: string, accum = 1) =>
  `  max_steps: 12\n  batch_size: 16\n  learning_rate: 2.0e-3\n  warmup_steps: 2\n  gradient_accumulation_steps: ${accum}\n` +
  `  eval_every: 6\n  log_every: 3\n  early_stopping: { metric: average, patience: 50 }\n${extra}`;

const trainRecords = (dir: string) => readMetrics(out(dir, 'metrics.jsonl')).filter((r) => r.type === 'train') as Record<string, unknown>[];

describe('train with strategies: resume restores the weighting and sampler state', data, () => {
  const cases = {
    uncertainty: training('  task_schedule: joint\n  weighting: { method: uncertainty }'),
    annealed: training('  sampler: { kind: annealed }\n  weighting: { method: dwa, period: 2 }', 2),
    pcgrad: training("  task_schedule: joint\n  surgery: { method: pcgrad, parameters: 'encoder.encoder.layer.1' }"),
  };
  for (const [name, yaml] of Object.entries(cases)) {
    it(`${name}: interrupted at step 5 and resumed, it ends bit for bit as the uninterrupted run`, async () => {
      const full = await train(tinyConfig(run, `${name}-full`, { training: yaml }));
      const config = tinyConfig(run, `${name}-resumed`, { training: yaml });
      const second = await interruptAndResume(config, 5);
      assert.equal(second.step, 12);
      assertSameFiles(out(`${name}-resumed`, 'last'), out(`${name}-full`, 'last'));
      using a = loadCheckpoint(out(`${name}-resumed`, 'last'));
      using b = loadCheckpoint(out(`${name}-full`, 'last'));
      assert.deepEqual(a.trainerState?.strategy, b.trainerState?.strategy);
      assert.deepEqual(a.trainerState?.sampler, b.trainerState?.sampler);
      assert.deepEqual(second.test?.metrics, full.test?.metrics);
    });
  }

  it('uncertainty: the log-variances are saved and the logged task weights are exp(−s_k) times the config weight', () => {
    using ckpt = loadCheckpoint(out('uncertainty-full', 'last'));
    const s = (ckpt.trainerState?.strategy as { weighting: { logVariances: number[] } }).weighting.logVariances;
    assert.equal(s.length, 3);
    assert.ok(
      s.every((x) => x !== 0),
      `the log-variances trained: ${s.join(', ')}`,
    );
    const last = trainRecords('uncertainty-full').at(-1)!;
    const w = last.task_weights as Record<string, number>;
    // the record at step 12 is logged after the update of step 12, as is the checkpoint
    const want = { intent: Math.exp(-s[0]!), slots: Math.exp(-s[1]!), sentiment: 0.5 * Math.exp(-s[2]!) };
    for (const [task, value] of Object.entries(want)) assert.ok(Math.abs(w[task]! - value) < 1e-6, `${task}: ${w[task]} vs ${value}`);
  });
});

describe('train with GradNorm (joint schedule)', data, () => {
  it('logs task weights whose sum (config weights divided out) is K = 3 at every record, and they move', async () => {
    await train(tinyConfig(run, 'gradnorm', { training: training('  task_schedule: joint\n  weighting: { method: gradnorm, lr: 0.05 }') }));
    const records = trainRecords('gradnorm');
    assert.equal(records.length, 4);
    const weights = { intent: 1, slots: 1, sentiment: 0.5 };
    for (const r of records) {
      const w = r.task_weights as Record<string, number>;
      const sum = Object.entries(weights).reduce((s, [task, c]) => s + w[task]! / c, 0);
      assert.ok(Math.abs(sum - 3) < 1e-9, `step ${String(r.step)}: Σw = ${sum}`);
    }
    const w = records.at(-1)!.task_weights as Record<string, number>;
    assert.ok(w.intent !== 1 || w.slots !== 1, 'GradNorm changed the weights');
  });
});

describe('train with parameter-efficient adapters', data, () => {
  let plain: TrainResult;
  before(async () => {
    plain = await train(tinyConfig(run, 'plain', { training: training('  task_schedule: joint') }));
  });

  it('LoRA per task trains only the adapters and the heads, keeps the base at its initial values, and its checkpoint evaluates to the recorded test metrics', async () => {
    const config = tinyConfig(run, 'lora', { training: training('  task_schedule: joint') });
    const withLora = { ...config, peft: { ...peftDefaults, lora: { targets: 'query|value', r: 4, alpha: 8, dropout: 0 } } };
    const log: string[] = [];
    const result = await train(withLora, { logger: { info: (l) => log.push(l) } });
    using ckpt = loadCheckpoint(out('lora', 'best'));
    // 2 layers × (query + value) × r·(in + out) = 4 · 4·(32 + 32) = 1024 per task, 3 tasks; plus the heads
    const heads = [...ckpt.heads.values()].reduce((n, m) => n + [...m.values()].reduce((k, t) => k + t.numel, 0), 0);
    assert.equal(result.trainableParameters, 3 * 1024 + heads);
    assert.equal(result.parameters, plain.parameters + 3 * 1024);
    assert.ok(
      log.some((l) => /trainable [\d.]+K of [\d.]+K/.test(l)),
      'the trainable-parameter summary is printed',
    );
    const again = await evaluateCheckpoint(out('lora', 'best'), { split: 'test' });
    assert.deepEqual(again.metrics, result.test?.metrics);
    using initial = buildModel(
      withLora,
      Tokenizer.fromFile(ckpt.tokenizerFile),
      ckpt.tasks.map((t) => taskSpec({ name: t.name, kind: t.type, labels: t.labels ?? [] })),
    );
    const init = new Map(initial.backbone.namedParameters());
    for (const name of ['embeddings.word_embeddings.weight', 'encoder.layer.1.attention.self.query.weight']) {
      assert.deepEqual(ckpt.encoder.get(name)!.toFlatArray(), init.get(name)!.toFlatArray(), `${name} stayed frozen`);
    }
    assert.ok(ckpt.encoder.has('encoder.layer.1.attention.self.query.lora_B.sentiment.weight'), 'the adapters are saved beside the base');
  });

  it('per-task bottleneck adapters on a trained shared encoder: all parameters train, the checkpoint loads back', async () => {
    const config = tinyConfig(run, 'adapters', { training: training('  task_schedule: joint') });
    const result = await train({
      ...config,
      peft: { ...peftDefaults, freezeBase: false, adapters: { placement: 'pfeiffer', reductionFactor: 4, activation: 'relu' } },
    });
    assert.equal(result.trainableParameters, result.parameters);
    // Pfeiffer: one site per layer, 2·H·m + m + H = 2·32·8 + 8 + 32 = 552 each; 2 layers, 3 tasks
    assert.equal(result.parameters, plain.parameters + 3 * 2 * 552);
    const again = await evaluateCheckpoint(out('adapters', 'best'), { split: 'test' });
    assert.deepEqual(again.metrics, result.test?.metrics);
  });
});

describe('train with an MMoE layer between the encoder and the heads', data, () => {
  it('adds E experts and a gate per task, saves them with the encoder, and the checkpoint evaluates to the recorded test metrics', async () => {
    const plainCount = (() => {
      using plain = loadCheckpoint(out('plain', 'best')); // the hard-shared run of the tests above
      return [...plain.encoder.values(), ...[...plain.heads.values()].flatMap((m) => [...m.values()])].reduce((n, t) => n + t.numel, 0);
    })();
    const config = tinyConfig(run, 'mmoe', { training: training('  task_schedule: joint') });
    const log: string[] = [];
    const result = await train(
      { ...config, mmoe: { numExperts: 2, expertHiddenSize: 16, activation: 'relu', dropout: 0 } },
      { logger: { info: (l) => log.push(l) } },
    );
    // experts: 2 × (32·16 + 16 + 16·32 + 32) = 2144; gates: 3 tasks × 2·32 = 192
    assert.equal(result.parameters, plainCount + 2144 + 192);
    assert.ok(
      log.some((l) => l.includes('MMoE: 2 experts, one gate per task: 2,336 parameters')),
      'the MMoE is logged',
    );
    using ckpt = loadCheckpoint(out('mmoe', 'best'));
    assert.deepEqual(ckpt.encoder.get('encoder.mmoe.gates.sentiment.weight')?.shape, [2, 32]);
    const again = await evaluateCheckpoint(out('mmoe', 'best'), { split: 'test' });
    assert.deepEqual(again.metrics, result.test?.metrics);
  });
});

const peftDefaults = { perTask: true, freezeBase: true, trainable: 'heads' } as const;
