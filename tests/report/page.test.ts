import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { probabilityReport } from '../../src/metrics/index.js';
import { renderRunReport, runSeries } from '../../src/report/index.js';
import { cells, dumpDom, elements, inner, needsChromium } from '../helpers/chromium.js';

// A hand-made run log: train records at steps 2 and 4, one dev evaluation, one conflict sample.
const records = [
  { type: 'start', step: 0, total_steps: 4, warmup_steps: 0, streams: ['a+b'], task_schedule: 'alternating', weighting: 'static' },
  {
    type: 'train',
    step: 2,
    loss: 2.5,
    learning_rate: 1e-3,
    task_losses: { a: 2, b: 3 },
    task_weights: { a: 1, b: 0.5 },
    elapsed_seconds: 1,
  },
  {
    type: 'train',
    step: 4,
    loss: 1.5,
    learning_rate: 5e-4,
    task_losses: { a: 1, b: 2 },
    task_weights: { a: 1, b: 0.5 },
    elapsed_seconds: 2,
  },
  { type: 'conflict', step: 4, every: 4, pairs: { 'a~b': { cosine: -0.25, norm_ratio: 2 } }, norms: { a: 2, b: 1 }, seconds: 0.1 },
  {
    type: 'eval',
    split: 'dev',
    step: 4,
    metrics: { a: { accuracy: 0.75 }, b: { f1: 0.5 } },
    losses: { a: 0.9, b: 1.1 },
    joint: {},
    selection: { metric: 'average', value: 0.625, best: 0.625, best_step: 4, improved: true },
  },
];

// A classifier's report from src/metrics over four examples, worked by hand:
// gold a a b b, predicted a b b b → a: P 1/1, R 1/2, F1 2/3; b: P 2/3, R 2/2, F1 0.8; confusion [[1, 1], [0, 2]];
// scores of a 0.9 0.4 | 0.2 0.3: every positive above every negative → ROC AUC of a = 1.
const report = probabilityReport(
  ['a', 'a', 'b', 'b'],
  ['a', 'b', 'b', 'b'],
  ['a', 'b'],
  [
    [0.9, 0.1],
    [0.4, 0.6],
    [0.2, 0.8],
    [0.3, 0.7],
  ],
);

const chromium = needsChromium();
let dir: string;
let dom: string;

before(() => {
  if (chromium.skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'mtl-report-'));
  const file = path.join(dir, 'report.html');
  writeFileSync(
    file,
    renderRunReport({
      title: 'Run report: hand-made',
      series: runSeries(records),
      summary: { steps: '4 of 4' },
      reports: { a: { ...report } },
    }),
  );
  dom = dumpDom(file);
});

after(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the HTML report, rendered by headless Chromium', chromium, () => {
  it('draws every chart (its lines painted in the plot area) with the points of the log', () => {
    const canvases = elements(dom, 'canvas');
    const byId = Object.fromEntries(canvases.map((c) => [c.id!, c]));
    assert.deepEqual(Object.keys(byId), [
      'train-loss',
      'learning-rate',
      'task-weights',
      'eval-loss',
      'eval-a',
      'eval-b',
      'conflict-cosine',
      'conflict-norm-ratio',
      'roc-a',
      'pr-a',
    ]);
    assert.equal(elements(dom, 'body')[0]!['data-charts'], String(canvases.length));
    for (const c of canvases) assert.ok(Number(c['data-line-pixels']) > 0, `${c.id}: no line drawn`);
    assert.equal(byId['train-loss']!['data-points'], '6'); // total, a, b at steps 2 and 4
    assert.equal(byId['train-loss']!['data-series'], 'total (weighted)|a|b');
    assert.equal(byId['learning-rate']!['data-points'], '2');
    assert.equal(byId['conflict-cosine']!['data-series'], 'a~b');
    assert.equal(byId['eval-a']!['data-series'], 'accuracy');
    assert.equal(byId['roc-a']!['data-series'], 'a (AUC 1.000)|b (AUC 1.000)');
  });

  it('shows the per-label scores and the confusion matrix as computed by hand', () => {
    const task = inner(dom, 'section', { 'data-task': 'a' });
    const row = (label: string) => inner(task, 'tr', { 'data-label': label });
    assert.deepEqual(cells(row('a'), { 'data-metric': 'precision' }), ['1.0000']);
    assert.deepEqual(cells(row('a'), { 'data-metric': 'recall' }), ['0.5000']);
    assert.deepEqual(cells(row('a'), { 'data-metric': 'f1' }), ['0.6667']);
    assert.deepEqual(cells(row('b'), { 'data-metric': 'precision' }), ['0.6667']);
    assert.deepEqual(cells(row('b'), { 'data-metric': 'f1' }), ['0.8000']);
    assert.deepEqual(cells(row('accuracy'), { 'data-metric': 'f1' }), ['0.7500']);
    const cm = (gold: string, predicted: string) => cells(task, { 'data-gold': gold, 'data-predicted': predicted });
    assert.deepEqual([cm('a', 'a'), cm('a', 'b'), cm('b', 'a'), cm('b', 'b')], [['1'], ['1'], ['0'], ['2']]);
  });

  it("states the conflict probe's measured cost from the log: 0.1 s per sample, every 4 steps of 0.5 s", () => {
    assert.match(
      inner(dom, 'p', { id: 'conflict-cost' }),
      /0\.100 s per sample .*a training step: 0\.500 s.*every 4 steps = 5\.0 % of the training time/,
    );
  });
});
