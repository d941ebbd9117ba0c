import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { loadCheckpoint, readMetrics, type JsonObject } from '../../src/io/checkpoint.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import type { EvaluateEvent, LogRecord, SaveEvent } from '../../src/train/callbacks.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { readEvents, type ReadEvent } from '../helpers/tensorboard.js';
import { cells, dumpDom, elements, inner, needsChromium } from '../helpers/chromium.js';
import { main } from '../../src/cli/main.js';
import { needsTinyRunData, tinyConfig, tinyRun, type RunFolder } from './trainer-fixture.js';

const baseline = liveTensorCount();
const data = needsTinyRunData();
let run: RunFolder;
let result: TrainResult;
let plain: TrainResult;
const logs: LogRecord[] = [];
const evaluations: EvaluateEvent[] = [];
const saves: SaveEvent[] = [];

const TRAINING = `  max_steps: 12
  batch_size: 16
  learning_rate: 2.0e-3
  warmup_steps: 2
  eval_every: 4
  log_every: 2
  save_steps: 2
  save_total_limit: 2
  report_to: [tensorboard]
  gradient_conflict_every: 4
  early_stopping: { metric: average, patience: 50 }`;

before(async () => {
  if (data.skip) return;
  run = tinyRun();
  result = await train(tinyConfig(run, 'out', { training: TRAINING }), {
    callbacks: [{ onLog: (r) => logs.push(r), onEvaluate: (e) => evaluations.push(e), onSave: (e) => saves.push(e) }],
  });
  const without = TRAINING.split('\n').filter((l) => !/report_to|save_|gradient_conflict/.test(l));
  plain = await train(tinyConfig(run, 'plain', { training: without.join('\n') }));
});

after(() => {
  if (data.skip) return;
  run.remove();
  assert.equal(liveTensorCount(), baseline, 'every tensor of the run is freed');
});

const out = (...rest: string[]) => path.join(run.dir, 'out', ...rest);

/** The run's one event file (one session folder under runs/, one file in it). */
function eventFile(): string {
  const sessions = readdirSync(out('runs'));
  assert.equal(sessions.length, 1);
  assert.match(sessions[0]!, /^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_.+$/);
  const files = readdirSync(out('runs', sessions[0]!));
  assert.equal(files.length, 1);
  return out('runs', sessions[0]!, files[0]!);
}

/** The value the event file holds for `tag` at `step` (float32), or undefined. */
function scalarAt(events: readonly ReadEvent[], tag: string, step: number): number | undefined {
  for (const e of events) if (e.step === step) for (const [t, v] of e.scalars ?? []) if (t === tag) return v;
  return undefined;
}

describe('run reports: TensorBoard, callbacks, save_steps and save_total_limit', data, () => {
  it('report_to [tensorboard] writes one event file whose scalars equal metrics.jsonl (read by the independent reader)', () => {
    const events = readEvents(eventFile());
    assert.equal(events[0]!.file_version, 'brain.Event:2');
    const records = readMetrics(out('metrics.jsonl'));
    const trains = records.filter((r) => r.type === 'train');
    assert.deepEqual(
      trains.map((r) => r.step),
      [2, 4, 6, 8, 10, 12],
    );
    for (const r of trains) {
      const step = r.step as number;
      assert.equal(scalarAt(events, 'train/loss', step), Math.fround(r.loss as number));
      assert.equal(scalarAt(events, 'train/learning_rate', step), Math.fround(r.learning_rate as number));
      for (const [task, loss] of Object.entries(r.task_losses as JsonObject))
        assert.equal(scalarAt(events, `train/${task}/loss`, step), Math.fround(loss as number));
      for (const [task, w] of Object.entries(r.task_weights as JsonObject))
        assert.equal(scalarAt(events, `train/${task}/weight`, step), Math.fround(w as number));
    }
    const evals = records.filter((r) => r.type === 'eval' && r.split === 'dev');
    assert.equal(evals.length, 3);
    const test = records.find((r) => r.type === 'eval' && r.split === 'test')!;
    const testIntent = (test.metrics as Record<string, Record<string, number>>).intent!.accuracy!;
    assert.equal(scalarAt(events, 'test/intent/accuracy', result.bestStep!), Math.fround(testIntent));
    for (const r of evals) {
      const metrics = r.metrics as Record<string, Record<string, number>>;
      const step = r.step as number;
      assert.equal(scalarAt(events, 'eval/intent/accuracy', step), Math.fround(metrics.intent!.accuracy!));
      assert.equal(scalarAt(events, 'eval/slots/f1', step), Math.fround(metrics.slots!.f1!));
      assert.equal(scalarAt(events, 'eval/sentiment/loss', step), Math.fround((r.losses as Record<string, number>).sentiment!));
      assert.equal(
        scalarAt(events, 'eval/intent+slots/sentenceAccuracy', step),
        Math.fround((r.joint as Record<string, Record<string, number>>)['intent+slots']!.sentenceAccuracy!),
      );
      assert.equal(scalarAt(events, 'eval/selection/average', step), Math.fround((r.selection as { value: number }).value));
    }
  });

  it('onLog sees every record of metrics.jsonl, in order; onEvaluate every dev evaluation', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(logs)), readMetrics(out('metrics.jsonl')));
    assert.deepEqual(
      evaluations.map((e) => e.step),
      [4, 8, 12],
    );
    assert.deepEqual(evaluations.at(-1)!.result.metrics, result.dev!.metrics);
    assert.equal(evaluations.filter((e) => e.improved).at(-1)!.step, result.bestStep);
  });

  it('onSave reports last/ at each evaluation, best/ when it improved, checkpoint-<step>/ every save_steps', () => {
    const of = (kind: SaveEvent['kind']) => saves.filter((s) => s.kind === kind).map((s) => s.step);
    assert.deepEqual(of('last'), [4, 8, 12]);
    assert.deepEqual(of('numbered'), [2, 4, 6, 8, 10, 12]);
    assert.deepEqual(
      of('best'),
      evaluations.filter((e) => e.improved).map((e) => e.step),
    );
    assert.equal(saves.find((s) => s.kind === 'numbered' && s.step === 6)!.dir, out('checkpoint-6'));
  });

  it('save_total_limit 2 keeps the newest numbered checkpoint and the best one (the two newest when the best is the newest)', () => {
    const best = result.bestStep!;
    const expected = best === 12 ? [10, 12] : [best, 12];
    const kept = readdirSync(out()).filter((n) => n.startsWith('checkpoint-'));
    assert.deepEqual(kept.sort(), expected.map((s) => `checkpoint-${s}`).sort());
    for (const step of expected) {
      using ckpt = loadCheckpoint(out(`checkpoint-${step}`));
      assert.equal(ckpt.trainerState?.step, step);
    }
  });

  it('gradient_conflict_every 4 logs every task pair on the shared backbone at steps 4, 8, 12, also to TensorBoard', () => {
    const conflicts = readMetrics(out('metrics.jsonl')).filter((r) => r.type === 'conflict');
    assert.deepEqual(
      conflicts.map((r) => r.step),
      [4, 8, 12],
    );
    const events = readEvents(eventFile());
    for (const r of conflicts) {
      const pairs = r.pairs as Record<string, { cosine: number; norm_ratio: number }>;
      assert.deepEqual(Object.keys(pairs), ['intent~slots', 'intent~sentiment', 'slots~sentiment']);
      for (const [pair, { cosine, norm_ratio }] of Object.entries(pairs)) {
        assert.ok(cosine >= -1 && cosine <= 1 && norm_ratio > 0, `${pair}: ${cosine}, ${norm_ratio}`);
        assert.equal(scalarAt(events, `conflict/${pair}/cosine`, r.step as number), Math.fround(cosine));
      }
      assert.ok((r.seconds as number) > 0);
    }
  });

  it('none of it changes training: the same losses and dev metrics as the run without these keys', () => {
    const trainLosses = (dir: string) =>
      readMetrics(path.join(run.dir, dir, 'metrics.jsonl'))
        .filter((r) => r.type === 'train')
        .map((r) => r.loss);
    assert.deepEqual(trainLosses('out'), trainLosses('plain'));
    assert.deepEqual(result.dev!.metrics, plain.dev!.metrics);
    assert.deepEqual(readdirSync(path.join(run.dir, 'plain')).sort(), ['best', 'last', 'metrics.jsonl', 'test_metrics.json']);
  });

  it(
    'mtl report RUN_DIR writes a page that Chromium renders: curves, conflicts, and the best checkpoint on dev per task',
    needsChromium(),
    async () => {
      const log = mock.method(console, 'log', () => undefined);
      const errors = mock.method(console, 'error', () => undefined);
      try {
        assert.equal(await main(['report', out()]), 0);
        assert.deepEqual(log.mock.calls[0]!.arguments, [out('report.html')]);
      } finally {
        log.mock.restore();
        errors.mock.restore();
      }
      const dom = dumpDom(out('report.html'));
      const canvases = elements(dom, 'canvas');
      for (const c of canvases) assert.ok(Number(c['data-line-pixels']) > 0, `${c.id}: no line drawn`);
      const ids = canvases.map((c) => c.id);
      for (const id of [
        'train-loss',
        'learning-rate',
        'task-weights',
        'conflict-cosine',
        'conflict-norm-ratio',
        'roc-intent',
        'pr-sentiment',
      ])
        assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
      const cosine = canvases.find((c) => c.id === 'conflict-cosine')!;
      assert.equal(cosine['data-series'], 'intent~slots|intent~sentiment|slots~sentiment');
      assert.equal(cosine['data-points'], '9'); // 3 pairs at steps 4, 8, 12
      // the best checkpoint on dev: its accuracy is the dev record's at the best step; the confusion matrix counts the 49 dev utterances
      const dev = readMetrics(out('metrics.jsonl')).find((r) => r.type === 'eval' && r.split === 'dev' && r.step === result.bestStep)!;
      const intent = inner(dom, 'section', { 'data-task': 'intent' });
      const accuracy = (dev.metrics as Record<string, Record<string, number>>).intent!.accuracy!;
      assert.deepEqual(cells(inner(intent, 'tr', { 'data-label': 'accuracy' }), { 'data-metric': 'f1' }), [accuracy.toFixed(4)]);
      const counts = [...intent.matchAll(/<td data-gold="[^"]*" data-predicted="[^"]*"[^>]*>(\d+)<\/td>/g)].map((m) => Number(m[1]));
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        49,
      );
      assert.ok(inner(dom, 'section', { 'data-task': 'slots' }).includes('overall'), 'slots: the per-type entity table');
    },
  );
});
