import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, DataError } from '../../src/errors.js';
import { loadCheckpoint, readMetrics } from '../../src/io/checkpoint.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { evaluateCheckpoint } from '../../src/eval/checkpoint.js';
import { microBatchSeed } from '../../src/run/seeding.js';
import { splitWords } from '../../src/predict/predict.js';
import { holdOut } from '../../src/data/subsets.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { needsTinyRunData, tinyConfig, tinyRun, type RunFolder } from './trainer-fixture.js';
import { assertSameFiles, interruptAndResume } from '../helpers/resume.js';

const baseline = liveTensorCount();
let run: RunFolder;
let full: TrainResult;
let fullLog: string[];

/** The tiny run's SNIPS and SST-2 samples; every test of the run is skipped without them. */
const data = needsTinyRunData();
before(async () => {
  if (data.skip) return;
  run = tinyRun();
  fullLog = [];
  full = await train(tinyConfig(run, 'full'), { logger: { info: (l) => fullLog.push(l) } });
});

after(() => {
  if (data.skip) return;
  run.remove();
  assert.equal(liveTensorCount(), baseline, 'every tensor of the runs is freed');
});

const out = (name: string, ...rest: string[]) => path.join(run.dir, name, ...rest);

describe('train: a tiny multi-task run end to end', data, () => {
  it('runs every step, evaluates every eval_every steps and writes loadable best/ and last/ checkpoints', () => {
    assert.equal(full.status, 'completed');
    assert.equal(full.step, 24);
    assert.equal(full.totalSteps, 24);
    for (const dir of ['best', 'last']) {
      using ckpt = loadCheckpoint(out('full', dir));
      assert.deepEqual(
        ckpt.tasks.map((t) => t.name),
        ['intent', 'slots', 'sentiment'],
      );
      assert.ok(ckpt.trainingConfig?.includes('max_steps: 24'));
      assert.equal(ckpt.trainerState?.step, dir === 'last' ? 24 : full.bestStep);
    }
    const records = readMetrics(out('full', 'metrics.jsonl'));
    const evals = records.filter((r) => r.type === 'eval' && r.split === 'dev').map((r) => r.step);
    assert.deepEqual(evals, [8, 16, 24]);
    assert.equal(records.filter((r) => r.type === 'train').length, 6);
    const train4 = records.find((r) => r.type === 'train' && r.step === 4) as Record<string, unknown>;
    assert.ok((train4.examples_per_second as number) > 0 && (train4.tokens_per_second as number) > 0);
    assert.deepEqual(Object.keys(train4.task_losses as object).sort(), ['intent', 'sentiment', 'slots']);
  });

  it('groups intent and slots into one stream and reports sentence accuracy for it', () => {
    const start = readMetrics(out('full', 'metrics.jsonl'))[0] as Record<string, unknown>;
    assert.deepEqual(start.streams, ['intent+slots', 'sentiment']);
    assert.ok(full.dev !== undefined && 'intent+slots' in full.dev.joint);
    assert.ok(fullLog.some((l) => l.includes('intent+slots sentenceAccuracy')));
  });

  it('counts and reports truncated examples', () => {
    const truncated = full.truncated.intent?.train ?? 0;
    assert.ok(truncated > 0, 'max_length 24 cuts some SNIPS utterances');
    assert.equal(full.truncated.slots?.train, truncated);
    assert.ok(fullLog.some((l) => l.includes(`truncated ${truncated} of 200 examples to max_length 24`)));
  });

  it('evaluates the best checkpoint on test into test_metrics.json, which eval reproduces exactly', async () => {
    const saved = JSON.parse(readFileSync(out('full', 'test_metrics.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(saved.step, full.bestStep);
    const again = await evaluateCheckpoint(out('full', 'best'), { split: 'test' });
    assert.deepEqual(again.metrics, saved.metrics);
    assert.deepEqual(again.losses, saved.losses);
    assert.deepEqual(again.joint, saved.joint);
  });

  it('eval of last/ on dev reproduces the last recorded dev metrics exactly', async () => {
    const last = readMetrics(out('full', 'metrics.jsonl'))
      .filter((r) => r.type === 'eval' && r.split === 'dev')
      .at(-1) as Record<string, unknown>;
    const again = await evaluateCheckpoint(out('full', 'last'));
    assert.equal(again.step, 24);
    assert.deepEqual(again.metrics, last.metrics);
    assert.deepEqual(again.losses, last.losses);
  });
});

describe('train: resume', data, () => {
  it('a run interrupted at step 11 and resumed ends with the same weights, bit for bit, as the uninterrupted run', async () => {
    const second = await interruptAndResume(tinyConfig(run, 'resumed'), 11, {}, () => {
      using ckpt = loadCheckpoint(out('resumed', 'last'));
      assert.equal(ckpt.trainerState?.step, 11);
    });
    assert.equal(second.status, 'completed');
    assert.equal(second.step, 24);
    assertSameFiles(out('resumed', 'last'), out('full', 'last'), ['model.safetensors', 'optimizer.safetensors']);
    assert.deepEqual(second.test?.metrics, full.test?.metrics);
    const devEvals = (dir: string) =>
      readMetrics(out(dir, 'metrics.jsonl'))
        .filter((r) => r.type === 'eval' && r.split === 'dev')
        .map((r) => [r.step, r.metrics]);
    assert.deepEqual(devEvals('resumed'), devEvals('full'), 'metrics.jsonl continues without doubled records');
  });

  it('stopAtStep pauses a run (dev evaluated and last/ saved there); resumed, it ends with the uninterrupted weights', async () => {
    const config = tinyConfig(run, 'paused');
    const first = await train(config, { stopAtStep: 12 });
    assert.equal(first.status, 'paused');
    assert.equal(first.step, 12);
    assert.equal(first.test, undefined, 'no test evaluation before the end');
    const evalSteps = () =>
      readMetrics(out('paused', 'metrics.jsonl'))
        .filter((r) => r.type === 'eval' && r.split === 'dev')
        .map((r) => r.step);
    assert.deepEqual(evalSteps(), [8, 12], 'evaluated at the pause, which is no eval_every step');
    const second = await train(config, { resume: true, stopAtStep: 30 });
    assert.equal(second.status, 'completed');
    assert.equal(second.step, 24);
    assert.deepEqual(evalSteps(), [8, 12, 16, 24]);
    assertSameFiles(out('paused', 'last'), out('full', 'last'), ['model.safetensors', 'optimizer.safetensors']);
  });

  it('refuses to resume with a changed config, naming the key', async () => {
    const changed = { ...tinyConfig(run, 'resumed'), seed: 8 };
    await assert.rejects(train(changed, { resume: true }), /seed: 7 in the checkpoint, 8 now/);
  });

  it('refuses to resume where there is no checkpoint', async () => {
    await assert.rejects(train(tinyConfig(run, 'nothing-here'), { resume: true }), /nothing to resume/);
  });

  it('reseeds dropout per micro-batch: distinct seeds, a pure function of (seed, position)', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, n) => microBatchSeed(7, n)));
    assert.equal(seeds.size, 1000);
    assert.equal(microBatchSeed(7, 123), microBatchSeed(7, 123));
    assert.notEqual(microBatchSeed(7, 123), microBatchSeed(8, 123));
  });
});

describe('train: errors before training', data, () => {
  it('a selection metric that no task reports stops the run before any step', async () => {
    const training = `  max_steps: 4
  batch_size: 16
  eval_every: 2
  early_stopping: { metric: slots.f2 }`;
    await assert.rejects(
      train(tinyConfig(run, 'bad-metric', { training })),
      (e: unknown) => e instanceof ConfigError && /'slots\.f2' is not a metric of this run.*slots\.f1/.test(e.message),
    );
    assert.equal(existsSync(out('bad-metric', 'last')), false);
  });

  it("selects by a stream's sentence accuracy: each dev record's selection value is its intent+slots sentenceAccuracy", async () => {
    const training = `  max_steps: 4
  batch_size: 16
  eval_every: 2
  early_stopping: { metric: intent+slots.sentenceAccuracy, patience: 5 }`;
    const result = await train(tinyConfig(run, 'by-sentence', { training }));
    const evals = readMetrics(out('by-sentence', 'metrics.jsonl')).filter((r) => r.type === 'eval' && r.split === 'dev') as {
      joint: Record<string, { sentenceAccuracy: number }>;
      selection: { metric: string; value: number };
    }[];
    assert.equal(evals.length, 2);
    for (const e of evals) {
      assert.equal(e.selection.metric, 'intent+slots.sentenceAccuracy');
      assert.equal(e.selection.value, e.joint['intent+slots']!.sentenceAccuracy);
    }
    assert.equal(result.status, 'completed');
  });

  it('a malformed data line is a DataError naming file:line; with skip_bad_lines it is counted and reported', async () => {
    cpSync(out('snips', 'dev'), out('snips', 'dev-bad'), { recursive: true });
    const seqOut = out('snips', 'dev-bad', 'seq.out');
    const lines = readFileSync(seqOut, 'utf8').split('\n');
    lines[2] = `${lines[2]} O`; // line 3: one tag too many
    writeFileSync(seqOut, lines.join('\n'));
    const training = '  max_steps: 2\n  batch_size: 16\n  eval_every: 2';
    await assert.rejects(
      train(tinyConfig(run, 'bad-line', { training, snipsDev: 'snips/dev-bad' })),
      (e: unknown) => e instanceof DataError && e.message.includes(`${out('snips', 'dev-bad', 'seq.in')}:3:`),
    );
    assert.equal(existsSync(out('bad-line', 'last')), false);
    const log: string[] = [];
    const skipped = await train(tinyConfig(run, 'skip-line', { training, snipsDev: 'snips/dev-bad', skipBadLines: true }), {
      logger: { info: (l) => log.push(l) },
    });
    assert.deepEqual(skipped.skipped.intent, { train: 0, dev: 1, test: 0 });
    assert.ok(log.some((l) => l.includes('skipped 1 bad line') && l.includes('3 (')));
    assert.equal(skipped.dev?.examples, 48 + 30, 'the bad utterance is left out of dev');
  });

  it('a dev intent never seen in training stops with file:line unless label.unknown is keep', async () => {
    cpSync(out('snips', 'dev'), out('snips', 'dev-new'), { recursive: true });
    const label = out('snips', 'dev-new', 'label');
    const lines = readFileSync(label, 'utf8').split('\n');
    lines[4] = 'OrderPizza';
    writeFileSync(label, lines.join('\n'));
    const training = '  max_steps: 2\n  batch_size: 16\n  eval_every: 2';
    await assert.rejects(
      train(tinyConfig(run, 'unseen', { training, snipsDev: 'snips/dev-new' })),
      (e: unknown) =>
        e instanceof DataError && e.message.includes(`${out('snips', 'dev-new')}:5`) && e.message.includes('label.unknown: keep'),
    );
    const kept = await train(tinyConfig(run, 'unseen-kept', { training, snipsDev: 'snips/dev-new', label: 'label: { unknown: keep }' }));
    assert.equal(kept.status, 'completed');
    assert.ok((kept.dev?.metrics.intent?.accuracy ?? 1) < 1, 'the unseen intent is scored as an error');
  });
});

describe('holdOut (data.dev_fraction)', () => {
  it('is a seeded split that keeps file order and puts every example in exactly one part', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const a = holdOut(xs, 0.1, 42);
    assert.equal(a.dev.length, 10);
    assert.deepEqual(
      [...a.train, ...a.dev].sort((x, y) => x - y),
      xs,
    );
    assert.deepEqual(
      a.dev,
      [...a.dev].sort((x, y) => x - y),
    );
    assert.deepEqual(holdOut(xs, 0.1, 42), a);
    assert.notDeepEqual(holdOut(xs, 0.1, 43).dev, a.dev);
  });

  it('holds out whole groups when given them (SQuAD questions by article), the same split without groups as before', () => {
    const questions = Array.from({ length: 60 }, (_, i) => ({ id: i, title: `article ${i % 10}` }));
    const { train, dev } = holdOut(questions, 0.2, 42, (q) => q.title);
    const articles = (qs: readonly { title: string }[]) => new Set(qs.map((q) => q.title));
    assert.equal(articles(dev).size, 2, '20 % of the 10 articles');
    assert.equal(dev.length, 12, 'every question of those articles');
    assert.ok(
      [...articles(dev)].every((t) => !articles(train).has(t)),
      'no article in both parts',
    );
    assert.deepEqual(
      holdOut(questions, 0.2, 42, (q) => q.title),
      { train, dev },
    );
    const ids = Array.from({ length: 100 }, (_, i) => i);
    assert.deepEqual(holdOut(ids, 0.1, 42, (i) => String(i)).dev, holdOut(ids, 0.1, 42).dev, 'groups of one each: as without');
  });
});

describe('splitWords (prediction input)', () => {
  it('splits at whitespace and peels punctuation off word ends, keeping offsets into the text', () => {
    const text = ' Play "Despacito" by Luis  Fonsi, on Spotify.';
    const words = splitWords(text);
    assert.deepEqual(
      words.map((w) => w.word),
      ['Play', '"', 'Despacito', '"', 'by', 'Luis', 'Fonsi', ',', 'on', 'Spotify', '.'],
    );
    for (const w of words) assert.equal(text.slice(w.start, w.end), w.word);
    assert.deepEqual(
      splitWords("i'd like it.").map((w) => w.word),
      ["i'd", 'like', 'it', '.'],
    );
  });
});
