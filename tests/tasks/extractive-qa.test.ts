import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, DataError } from '../../src/errors.js';
import type { QuestionAnswerExample } from '../../src/data/index.js';
import { evaluateCheckpoint } from '../../src/eval/checkpoint.js';
import { exportHf } from '../../src/export/hf.js';
import { readMetrics } from '../../src/io/checkpoint.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { Predictor } from '../../src/predict/predict.js';
import {
  bestSpan,
  extractiveQa,
  mergeWindows,
  QuestionAnsweringHead,
  taskSpec,
  taskTypes,
  type ExtractiveQaOptions,
  type QaFeatures,
  type QaPrediction,
  type TaskSpec,
} from '../../src/tasks/index.js';
import { liveTensorCount, tensor, tidy } from '../../src/tensor/index.js';
import { squadV2Scores } from '../../src/metrics/index.js';
import { trainWordPiece } from '../../src/tokenization/index.js';
import { train } from '../../src/train/trainer.js';
import { taskOf } from './helpers.js';

const spec = (options: Record<string, unknown> = {}): TaskSpec<ExtractiveQaOptions> =>
  taskSpec({ name: 'qa', kind: 'extractive-qa', labels: ['start', 'end'], options }) as TaskSpec<ExtractiveQaOptions>;

const CONTEXT =
  'The river rises in the hills near Oxford and flows east. Boats carried wool to London for many years. ' +
  'In 1850 the first railway reached the valley, and the old 🚂 station opened in 1852 beside the bridge.';
const tokenizer = trainWordPiece([CONTEXT, 'when did the station open ? where does the river rise ?'], { vocabSize: 120, minFrequency: 1 });
const qa = (i: number, question: string, answer?: string, context = CONTEXT): QuestionAnswerExample => ({
  id: `q${i}`,
  textA: question,
  textB: context,
  title: 't',
  answers: answer === undefined ? [] : [{ text: answer, start: context.indexOf(answer) }],
  source: { file: 'qa.json', line: i + 1 },
});

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

describe('extractive-qa: windows over a long context', () => {
  it('windows overlap by doc_stride tokens and every answer inside a window maps back to its exact text', async () => {
    const examples = [
      qa(0, 'when did the station open ?', '1852'),
      qa(1, 'where does the river rise ?', 'the hills near Oxford'),
      qa(2, 'which station ?', 'old 🚂 station'),
    ];
    const s = spec({ docStride: 10, maxQuestionLength: 8 });
    const { features } = await extractiveQa.featurize(examples, tokenizer, s, { maxLength: 24 });
    const byExample = (i: number) => (features as QaFeatures[]).filter((f) => f.exampleIndex === i);
    assert.ok(byExample(0).length > 3, `${byExample(0).length} windows`);
    for (const [i, e] of examples.entries()) {
      const windows = byExample(i);
      let holding = 0;
      windows.forEach((f, k) => {
        assert.ok(f.inputIds.length <= 24);
        const ctx = f.contextOffsets.flatMap((o) => (o === null ? [] : [o]));
        if (k > 0) {
          const prev = windows[k - 1]!.contextOffsets.flatMap((o) => (o === null ? [] : [o]));
          assert.deepEqual(prev.slice(-10), ctx.slice(0, 10), 'successive windows share doc_stride tokens');
        }
        const [start, end] = f.labels as [number, number];
        if (start === 0) return;
        holding++;
        assert.equal(e.textB.slice(f.contextOffsets[start]![0], f.contextOffsets[end]![1]), e.answers[0]!.text);
      });
      assert.ok(holding >= 1, `example ${i}: a window holds the answer`);
    }
    const last = byExample(0)
      .at(-1)!
      .contextOffsets.filter((o) => o !== null)
      .at(-1)!;
    assert.equal(last[1], CONTEXT.length, 'the last window reaches the last token (the final ".")');
  });

  it('refuses a doc_stride not below the window, and an unanswerable question unless unanswerable is on', async () => {
    await assert.rejects(
      extractiveQa.featurize([qa(0, 'when ?', '1852')], tokenizer, spec({ docStride: 30 }), { maxLength: 24 }),
      ConfigError,
    );
    await assert.rejects(
      extractiveQa.featurize([qa(0, 'who ate it ?')], tokenizer, spec({ docStride: 16 }), { maxLength: 64 }),
      (e: unknown) => e instanceof DataError && /qa\.json:1: question q0/.test(e.message),
    );
    const { features } = await extractiveQa.featurize([qa(0, 'who ate it ?')], tokenizer, spec({ unanswerable: true, docStride: 16 }), {
      maxLength: 64,
    });
    assert.ok(features.every((f) => f.labels![0] === 0 && f.labels![1] === 0));
  });
});

describe('extractive-qa: span search and merging, by hand', () => {
  it('bestSpan: the highest start + end among the n best, start <= end, at most max_answer_length tokens, context tokens only', () => {
    const offsets: ([number, number] | null)[] = [null, null, [0, 3], [4, 7], [8, 11], [12, 15], null];
    const starts = [9, 9, 1, 5, 0, 2, 9]; // [CLS] and question/special tokens score high but are not context
    const ends = [9, 9, 3, 0, 1, 6, 9];
    // candidates (start, end, score): (3,5) = 11, (2,5) = 7 (4 tokens), (3,3) = 5, (5,5) = 8, (2,2) = 4
    assert.deepEqual(bestSpan(starts, ends, offsets, { nBest: 20, maxAnswerLength: 3 }), { start: 3, end: 5, score: 11 });
    assert.deepEqual(bestSpan(starts, ends, offsets, { nBest: 20, maxAnswerLength: 2 }), { start: 5, end: 5, score: 8 });
    // n-best 1: start 3 (5), end 5 (6) -> (3, 5)
    assert.deepEqual(bestSpan(starts, ends, offsets, { nBest: 1, maxAnswerLength: 1 }), undefined);
  });

  it('mergeWindows: the best window’s span; no answer when the smallest null score beats it by more than the threshold', () => {
    const p = (i: number, answer: string, score: number, nullScore: number): QaPrediction => ({
      exampleIndex: i,
      answer,
      start: 1,
      end: 2,
      score,
      nullScore,
    });
    const windows = [p(0, 'a', 3, 6), p(0, 'b', 5, 4.5), p(1, 'c', 2, 1)];
    assert.deepEqual(
      mergeWindows(windows, { unanswerable: false, nullThreshold: 0 }).map((x) => [x.answer, x.nullScore]),
      [
        ['b', 4.5],
        ['c', 1],
      ],
    );
    assert.deepEqual(
      mergeWindows(windows, { unanswerable: true, nullThreshold: -1 }).map((x) => x.answer),
      ['', 'c'],
    ); // 4.5 - 5 > -1
    assert.deepEqual(
      mergeWindows(windows, { unanswerable: true, nullThreshold: 0 }).map((x) => x.answer),
      ['b', 'c'],
    );
  });

  it('the loss is the mean of the start and end cross-entropies; decode maps the span to characters', async () => {
    const head = new QuestionAnsweringHead({ hiddenSize: 4, hiddenDropoutProb: 0, initializerRange: 0.5 });
    const examples = [qa(0, 'when ?', '1852')];
    const s = spec({ docStride: 32 });
    const { features } = await extractiveQa.featurize(examples, tokenizer, s, { maxLength: 96 });
    const task = taskOf(extractiveQa, s, head);
    const T = features[0]!.inputIds.length;
    const hidden = [...Array(T * 4).keys()].map((k) => Math.cos(k * 0.9));
    const { logits, loss, answer } = tidy(() => {
      const batch = extractiveQa.collate({ spec: s, state: undefined }, features);
      const out = head.forward({ lastHiddenState: tensor(Float32Array.from(hidden), {}, [1, T, 4]) });
      const [pred] = extractiveQa.decode(task, out, batch, examples);
      return { logits: out.toArray() as number[][][], loss: extractiveQa.loss(task, out, batch).item() as number, answer: pred! };
    });
    const [gs, ge] = features[0]!.labels as [number, number];
    const ce = (k: number, target: number) => {
      const xs = logits[0]!.map((x) => x[k]!);
      return Math.log(xs.reduce((a, x) => a + Math.exp(x), 0)) - xs[target]!;
    };
    assert.ok(Math.abs(loss - (ce(0, gs) + ce(1, ge)) / 2) < 1e-5, `loss ${loss}`);
    assert.equal(CONTEXT.slice(answer.start, answer.end), answer.answer);
    head.dispose();
  });
});

/** A SQuAD file of synthetic paragraphs: "... the code of <name> is <code> ..." and "what is the code of <name> ?". */
function synthetic(n: number, seed: number): string {
  const names = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'heron'];
  let r = seed;
  const next = (k: number) => ((r = (r * 16807) % 2147483647), r % k);
  const paragraphs = [];
  for (let i = 0; i < n; i++) {
    const facts = names.map((name) => `the code of ${name} is ${100 + next(900)} .`);
    const context = `${facts.join(' ')} nothing else is known here .`;
    const name = names[next(names.length)]!;
    const fact = facts.find((f) => f.includes(` ${name} `))!;
    const answer = fact.split(' ')[5]!;
    const start = context.indexOf(fact) + fact.indexOf(answer);
    paragraphs.push({
      context,
      qas: [{ id: `s${seed}-${i}`, question: `what is the code of ${name} ?`, answers: [{ text: answer, answer_start: start }] }],
    });
  }
  return JSON.stringify({ version: '1.1', data: [{ title: 'codes', paragraphs }] });
}

describe('extractive-qa: a tiny run, evaluation, prediction and export', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-qa-'));
    writeFileSync(path.join(dir, 'train.json'), synthetic(200, 1));
    writeFileSync(path.join(dir, 'dev.json'), synthetic(40, 2));
    const yaml = `seed: 4
output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 48,
           hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 80, min_frequency: 1 } }
max_length: 40
tasks:
  - name: qa
    type: extractive-qa
    data: { format: squad, train: train.json, dev: dev.json }
    options: { doc_stride: 12, max_answer_length: 4 }
training: { max_steps: 200, batch_size: 16, learning_rate: 3.0e-3, warmup_steps: 5, eval_every: 100, log_every: 50 }
`;
    await train(parseTrainingConfig(yaml, { taskTypes, source: path.join(dir, 'config.yaml') }), {});
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the loss goes down; evaluateCheckpoint reproduces the dev EM and F1 over windows', async () => {
    const records = readMetrics(path.join(dir, 'out', 'metrics.jsonl'));
    const losses = records.filter((r) => r.type === 'train').map((r) => r.loss as number);
    assert.ok(losses.at(-1)! < 0.6 * losses[0]!, `losses ${losses.join(', ')}`);
    const last = records.filter((r) => r.type === 'eval' && r.split === 'dev').at(-1)!;
    const again = await evaluateCheckpoint(path.join(dir, 'out', 'last'));
    assert.deepEqual(again.metrics, last.metrics);
    const m = (last.metrics as Record<string, Record<string, number>>).qa!;
    assert.deepEqual(Object.keys(m).sort(), ['answerable', 'exactMatch', 'f1', 'unanswerable']);
    assert.equal(m.answerable, 40);
  });

  it('Predictor over the dev questions reproduces the evaluation: every window of a long context is read, the context is never cut', async () => {
    const dev = JSON.parse(readFileSync(path.join(dir, 'dev.json'), 'utf8')).data[0].paragraphs as {
      context: string;
      qas: { question: string; answers: { text: string }[] }[];
    }[];
    using predictor = Predictor.load(path.join(dir, 'out', 'last'));
    const records = await predictor.predict(dev.map((p) => ({ text: p.qas[0]!.question, textPair: p.context })));
    const answers = records.map((r) => (r.predictions.qa as { answer: string; unread?: unknown }).answer);
    assert.ok(
      records.every((r) => (r.predictions.qa as { unread?: unknown }).unread === undefined),
      'the whole context is read (over windows)',
    );
    const again = await evaluateCheckpoint(path.join(dir, 'out', 'last'));
    const s = squadV2Scores(
      answers,
      dev.map((p) => p.qas[0]!.answers.map((a) => a.text)),
    );
    const m = (again.metrics as Record<string, Record<string, number>>).qa!;
    assert.deepEqual({ exactMatch: s.exactMatch, f1: s.f1 }, { exactMatch: m.exactMatch, f1: m.f1 });
    assert.ok(m.f1! > 0.1, `dev F1 ${m.f1}: not a model that answers nothing`);
  });

  it('Predictor answers a (question, context) pair with character offsets into the context; export is BertForQuestionAnswering', async () => {
    using predictor = Predictor.load(path.join(dir, 'out', 'last'));
    const context = JSON.parse(synthetic(1, 3)).data[0].paragraphs[0].context as string;
    const [record] = await predictor.predict([{ text: 'what is the code of cedar ?', textPair: context }]);
    const p = record!.predictions.qa as { answer: string; start: number; end: number; score: number };
    assert.equal(context.slice(p.start, p.end), p.answer);
    const out = path.join(dir, 'hf');
    assert.equal(exportHf(path.join(dir, 'out', 'last'), out, { task: 'qa' }).architecture, 'BertForQuestionAnswering');
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(config.architectures, ['BertForQuestionAnswering']);
  });
});
