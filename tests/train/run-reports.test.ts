import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCheckpoint, readMetrics, type JsonObject } from '../../src/io/checkpoint.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import type { EvaluateEvent, LogRecord, SaveEvent } from '../../src/train/callbacks.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { readEvents, type ReadEvent } from '../helpers/tensorboard.js';
import { needsTinyRunData, tinyConfig, tinyRun, type RunFolder } from './trainer-fixture.js';

const baseline = liveTensorCount();
const data = needsTinyRunData();
let run: RunFolder;
let result: TrainResult;
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
  early_stopping: { metric: average, patience: 50 }`;

before(async () => {
  if (data.skip) return;
  run = tinyRun();
  result = await train(tinyConfig(run, 'out', { training: TRAINING }), {
    callbacks: [{ onLog: (r) => logs.push(r), onEvaluate: (e) => evaluations.push(e), onSave: (e) => saves.push(e) }],
  });
});

after(() => {
  if (data.skip) return;
  run.remove();
  assert.equal(liveTensorCount(), baseline, 'every tensor of the run is freed');
});

const out = (...rest: string[]) => path.join(run.dir, 'out', ...rest);

/** The value the event file holds for `tag` at `step` (float32), or undefined. */
function scalarAt(events: readonly ReadEvent[], tag: string, step: number): number | undefined {
  for (const e of events) if (e.step === step) for (const [t, v] of e.scalars ?? []) if (t === tag) return v;
  return undefined;
}

describe('run reports: TensorBoard, callbacks, save_steps and save_total_limit', data, () => {
  it('report_to [tensorboard] writes one event file whose scalars equal metrics.jsonl (read by the independent reader)', () => {
    const sessions = readdirSync(out('runs'));
    assert.equal(sessions.length, 1);
    assert.match(sessions[0]!, /^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_.+$/);
    const files = readdirSync(out('runs', sessions[0]!));
    assert.equal(files.length, 1);
    const events = readEvents(out('runs', sessions[0]!, files[0]!));
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
});
