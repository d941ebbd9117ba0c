/**
 * `mtl predict --explain` on a tiny trained checkpoint (SNIPS intent + slots over words, SST-2
 * sentiment over text): every task's prediction carries its explanation; the attributions add up to
 * the logit's difference from the baseline's within the reported gap; tokens and words map back to
 * the text by their offsets; a chosen label is explained instead of the prediction; the HTML page
 * shows the words.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { resolveExplainOptions } from '../../src/explain/options.js';
import { Predictor } from '../../src/predict/predict.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { needsTinyRunData, tinyRun, trainTiny, type RunFolder } from '../train/trainer-fixture.js';

interface Explanation {
  integrated_gradients: { baseline: string; steps: number; rule: string };
  tokens: { token: string; start: number | null; end: number | null; word: number | null }[];
  words: { word: string; start: number; end: number }[];
  targets: {
    label: string;
    word?: number;
    logit: number;
    integrated_gradients: { baseline_logit: number; completeness_gap: number; tokens: number[]; words: number[] };
    attention_rollout: { tokens: number[]; words: number[] };
  }[];
}
type Explained<P> = P & { explanation: Explanation };
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

describe('mtl predict --explain', needsTinyRunData(), () => {
  let run: RunFolder;
  let checkpoint: string;
  let predictor: Predictor;
  before(async () => {
    run = tinyRun();
    checkpoint = await trainTiny(run, path.join(run.dir, 'explain-out'), 16);
    predictor = Predictor.load(checkpoint);
  });
  after(() => {
    predictor?.dispose();
    run?.remove();
  });

  const texts = ['play some jazz on spotify', 'a gripping, funny film.'];

  it('explains every task: attributions add up to logit − baseline logit within the reported gap; offsets map back to the words', async () => {
    const live = liveTensorCount();
    const records = await predictor.predict(texts, { explain: resolveExplainOptions({ steps: 64 }) });
    assert.equal(liveTensorCount(), live, 'explaining leaves no tensor behind');
    for (const [r, record] of records.entries()) {
      const text = texts[r]!;
      for (const [task, p] of Object.entries(record.predictions)) {
        const e = (p as Explained<object>).explanation;
        assert.deepEqual(e.integrated_gradients, {
          baseline: 'pad',
          steps: 64,
          rule: 'trapezoid',
          embeddings: 'word embeddings, summed over H',
        });
        for (const w of e.words)
          assert.ok(text.slice(w.start, w.end).length > 0 && w.word === text.slice(w.start, w.end), `${task}: word ${w.word}`);
        for (const t of e.tokens) {
          if (t.word === null) {
            assert.match(t.token, /^\[(CLS|SEP)\]$/, `${task}: only special tokens have no word`);
            continue;
          }
          const w = e.words[t.word]!;
          assert.ok(w.start <= t.start! && t.start! < t.end! && t.end! <= w.end, `${task}: token ${t.token} lies in its word ${w.word}`);
        }
        assert.ok(e.targets.length > 0);
        for (const target of e.targets) {
          const ig = target.integrated_gradients;
          const delta = target.logit - ig.baseline_logit;
          assert.ok(Math.abs(Math.abs(sum(ig.tokens) - delta) - ig.completeness_gap) < 1e-4, `${task}: the gap is |Σ a − Δ|`);
          assert.ok(
            ig.completeness_gap < 1e-2 * Math.max(1, Math.abs(delta)),
            `${task}: gap ${ig.completeness_gap} for Δ ${delta} at 64 steps`,
          );
          assert.ok(Math.abs(sum(ig.words) - sum(ig.tokens)) < 1e-4, `${task}: special tokens get nothing; words add their tokens`);
          e.tokens.forEach((t, i) => t.word === null && assert.equal(ig.tokens[i], 0));
          assert.ok(Math.abs(sum(target.attention_rollout.tokens) - 1) < 1e-4, `${task}: rollout rows sum to 1`);
        }
      }
      const intent = record.predictions.intent as unknown as Explained<{ label: string }>;
      assert.deepEqual(
        intent.explanation.targets.map((t) => t.label),
        [intent.label],
        'the predicted intent is explained',
      );
      const slots = record.predictions.slots as unknown as Explained<{ tags: string[]; words: string[] }>;
      assert.deepEqual(
        slots.explanation.targets.map((t) => [t.word, t.label]),
        slots.tags.map((tag, w) => [w, tag]),
        'one target per word, its predicted tag',
      );
      assert.deepEqual(
        slots.explanation.words.map((w) => w.word),
        slots.words,
      );
    }
    const sentiment = records[1]!.predictions.sentiment as Explained<object>;
    assert.deepEqual(
      sentiment.explanation.words.map((w) => w.word),
      ['a', 'gripping', ',', 'funny', 'film', '.'],
      "a text task's words are the tokenizer's",
    );
  });

  it('explains a chosen label instead of the prediction; a label the task lacks is an error of that explanation', async () => {
    const [record] = await predictor.predict([texts[0]!], { explain: resolveExplainOptions({ steps: 4, labels: { intent: 'RateBook' } }) });
    const intent = record!.predictions.intent as Explained<object>;
    assert.equal(intent.explanation.targets[0]!.label, 'RateBook');
    const [bad] = await predictor.predict([texts[0]!], {
      explain: resolveExplainOptions({ steps: 4, labels: { intent: 'NoSuchIntent' } }),
    });
    const { error } = (bad!.predictions.intent as { explanation: { error: string } }).explanation;
    assert.match(error, /task 'intent' has no label 'NoSuchIntent' to explain; its \d+ labels include 'AddToPlaylist'/);
    assert.ok(
      'label' in bad!.predictions.intent! && 'targets' in (bad!.predictions.slots as { explanation: object }).explanation,
      'the prediction and other tasks stand',
    );
    const [plain] = await predictor.predict([texts[0]!]);
    assert.ok(!('explanation' in plain!.predictions.intent!), 'no explanation unless asked');
  });

  it('the command line prints the explanations and --html writes a page of the highlighted words', async () => {
    const out: string[] = [];
    const html = path.join(run.dir, 'explained.html');
    const log = mock.method(console, 'log', (line: string) => void out.push(line));
    try {
      assert.equal(
        await main(['predict', checkpoint, '--explain', '--explain-steps', '8', '--explain-baseline', 'zero', '--html', html, texts[0]!]),
        0,
      );
    } finally {
      log.mock.restore();
    }
    const record = JSON.parse(out[0]!) as { predictions: Record<string, { explanation: Explanation }> };
    assert.equal(record.predictions.intent!.explanation.integrated_gradients.baseline, 'zero');
    const page = readFileSync(html, 'utf8');
    assert.match(page, /^<!doctype html>/);
    for (const word of texts[0]!.split(' ')) assert.match(page, new RegExp(`>${word}</span>`));
    assert.ok(!/<script|https?:/.test(page), 'self-contained');
    const err: string[] = [];
    const error = mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
    try {
      assert.equal(await main(['predict', checkpoint, '--html', html, 'x']), 2);
      assert.equal(await main(['predict', checkpoint, '--explain', '--explain-steps', '2000', 'x']), 2);
    } finally {
      error.mock.restore();
    }
    assert.match(err.join('\n'), /--html goes with --explain/);
    assert.match(err.join('\n'), /steps must be an integer from 1 to 1024, got 2000/);
  });

  it('--explain-label, repeated, before the text (as docs/explanations.md writes it): the text stays a text', async () => {
    const out: string[] = [];
    const log = mock.method(console, 'log', (line: string) => void out.push(line));
    try {
      const argv = ['predict', checkpoint, '--explain', '--explain-steps', '4', '--explain-label', 'intent=RateBook'];
      assert.equal(await main([...argv, '--explain-label', 'slots=O', texts[0]!]), 0);
    } finally {
      log.mock.restore();
    }
    const record = JSON.parse(out[0]!) as { text: string; predictions: Record<string, { explanation: Explanation }> };
    assert.equal(record.text, texts[0]);
    assert.equal(record.predictions.intent!.explanation.targets[0]!.label, 'RateBook');
    assert.ok(record.predictions.slots!.explanation.targets.every((t) => t.label === 'O'));
  });
});
