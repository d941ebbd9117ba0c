import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { readConll } from '../../src/data/readers/conll.js';
import { DataError } from '../../src/errors.js';
import type { TaggedExample } from '../../src/data/index.js';
import { BertModel } from '../../src/models/bert/index.js';
import {
  spansOf,
  taskSpec,
  tokenClassification as tc,
  type TaskSpec,
  type TokenClassificationOptions,
  type TokenClassificationPrediction,
  TokenClassificationHead,
} from '../../src/tasks/index.js';
import { dispose, grad, liveTensorCount, manualSeed, noGrad, tensor, tidy } from '../../src/tensor/index.js';
import { assertClose, fromFixture, loadFixture } from '../helpers/fixtures.js';
import { jointSplit, snipsTokenizer, taskOf, tinyConfig, type LossCase } from './helpers.js';
import { needs } from '../helpers/datasets.js';

const fixture = loadFixture<{ token: LossCase }>('tasks');

const spec = (labels: readonly string[]): TaskSpec<TokenClassificationOptions> =>
  taskSpec({ name: 'slots', kind: 'token-classification', labels }) as TaskSpec<TokenClassificationOptions>;
const tagged = (id: string, tokens: string[], tags: string[]): TaggedExample => ({
  id,
  tokens,
  tags,
  source: { file: 'mini.conll', line: 1 },
});

const snipsTags = () => tc.collectLabels(jointSplit('snips/train'), tc.resolveOptions());

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

describe('token classification: head and loss', () => {
  it('maps every hidden state to (B, T, C) logits, named classifier.*', () => {
    manualSeed(0);
    const config = tinyConfig(99);
    const encoder = new BertModel(config).eval();
    const head = tc.createHead(config, spec(['O', 'B-x', 'I-x', 'B-y'])).eval();
    assert.deepEqual(
      head.namedParameters().map(([n, p]) => [n, p.shape]),
      [
        ['classifier.weight', [4, 32]],
        ['classifier.bias', [4]],
      ],
    );
    tidy(() =>
      assert.deepEqual(head.forward(encoder.forward({ inputIds: tensor([[2, 5, 6, 3, 0]], { dtype: 'int64' }) })).shape, [1, 5, 4]),
    );
    [encoder, head].forEach((m) => m.dispose());
  });

  it('cross-entropy over (B·T, C) with -100 ignored equals PyTorch, gradient included', () => {
    const c = fixture.token;
    const [B, T, C] = c.logits.shape as [number, number, number];
    const s = spec(Array.from({ length: C }, (_, i) => `L${i}`));
    const features = Array.from({ length: B }, (_, i) => ({
      exampleIndex: i,
      inputIds: new Array<number>(T).fill(5),
      tokenTypeIds: new Array<number>(T).fill(0),
      truncated: false,
    }));
    tidy(() => {
      const batch = { ...tc.collate(taskOf(tc, s), features), labels: fromFixture(c.labels) };
      const logits = fromFixture(c.logits);
      logits.requiresGrad = true;
      const loss = tc.loss(taskOf(tc, s), logits, batch);
      assertClose(loss, c.loss, { what: 'loss' });
      assertClose(grad(loss, [logits])[0]!, c.grad, { what: 'grad' });
    });
  });
});

describe('token classification: alignment on SNIPS', needs('snips'), () => {
  it('each word label on its first sub-word, -100 on the rest', async () => {
    const tok = snipsTokenizer();
    const examples = jointSplit('snips/train').slice(0, 40);
    const s = spec(snipsTags());
    const { features, truncated } = await tc.featurize(examples, tok, s, { maxLength: 64 });
    assert.equal(truncated, 0);
    for (const [i, f] of features.entries()) {
      const e = examples[i]!;
      const enc = await tok.encodeWords(e.tokens);
      assert.deepEqual(f.inputIds, enc.inputIds);
      const starts = enc.wordIds.flatMap((w, t) => (w !== null && enc.wordIds[t - 1] !== w ? [t] : []));
      assert.deepEqual(f.wordTokens, starts, `first sub-words of example ${i}`);
      const expected = enc.inputIds.map(() => -100);
      starts.forEach((t, w) => (expected[t] = s.labels.indexOf(e.tags[w]!)));
      assert.deepEqual(f.labels, expected, `labels of example ${i}`);
    }
    // example 0: "listen to westbam …" → [CLS] listen to we ##st ##b ##am …: 'westbam' (B-artist) on 'we' only
    const f0 = features[0]!;
    assert.equal(tok.idToToken(f0.inputIds[3]!), 'we');
    assert.equal(f0.labels![3], s.labels.indexOf('B-artist'));
    assert.deepEqual(f0.labels!.slice(4, 7), [-100, -100, -100]);
  });

  it('an unknown tag is a data error in training and an ignored label at evaluation; word and tag counts must agree', async () => {
    const tok = snipsTokenizer();
    const s = spec(['O', 'B-x']);
    const e = tagged('0', ['play', 'music'], ['O', 'B-new']);
    await assert.rejects(
      tc.featurize([e], tok, s, { maxLength: 16 }),
      (err: unknown) => err instanceof DataError && /mini\.conll:1: tag 'B-new'/.test(err.message),
    );
    const { features } = await tc.featurize([e], tok, s, { maxLength: 16, training: false });
    assert.deepEqual(features[0]!.labels, [-100, 0, -100, -100]);
    await assert.rejects(tc.featurize([tagged('1', ['a', 'b'], ['O'])], tok, s, { maxLength: 16 }), /2 words but 1 tags/);
  });

  it("a CoNLL file's bad tag is named at the tag's own line, not the sentence's first (BIO check and unknown tag)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-conll-lines-'));
    try {
      const file = path.join(dir, 'train.conll');
      writeFileSync(file, 'EU\tB-ORG\nrejects\tO\nGerman\tB-MISC\ncall\tX-BAD\n\nPeter\tB-PER\nBlackburn\tI-PER\n');
      const [first, second] = readConll(file).examples;
      assert.throws(
        () => tc.collectLabels([first!], tc.resolveOptions()),
        (err: unknown) =>
          err instanceof DataError && err.message.startsWith(`${file}:4: tag 'X-BAD' (word 4 of example '0') is not a BIO tag`),
      );
      await assert.rejects(
        tc.featurize([second!], snipsTokenizer(), spec(['O', 'B-PER']), { maxLength: 16 }),
        (err: unknown) =>
          err instanceof DataError &&
          err.message.startsWith(`${file}:7: tag 'I-PER' (word 2 of example '1') of task 'slots' is not in its label list`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a tag that is not BIO (Z-weird, B-, lowercase o) is a DataError naming file:line in the label list and at evaluation, not a silent label', async () => {
    const tok = snipsTokenizer();
    for (const bad of ['Z-weird', 'B-', 'o', 'I_x', 'E-x']) {
      const e: TaggedExample = { ...tagged('7', ['play', 'some', 'music'], ['O', bad, 'O']), source: { file: 'train.conll', line: 12 } };
      const expected = (err: unknown) =>
        err instanceof DataError &&
        err.message.startsWith(
          `train.conll:12: tag '${bad}' (word 2 of example '7') is not a BIO tag; expected 'O', 'B-<type>' or 'I-<type>'`,
        );
      assert.throws(() => tc.collectLabels([tagged('0', ['a'], ['B-x']), e], tc.resolveOptions()), expected);
      await assert.rejects(tc.featurize([e], tok, spec(['O', 'B-x', bad]), { maxLength: 16, training: false }), expected);
    }
    assert.deepEqual(tc.collectLabels([tagged('0', ['a', 'b', 'c'], ['B-x', 'I-x', 'O'])], tc.resolveOptions()), ['B-x', 'I-x', 'O']);
  });
});

describe('token classification: decode', needs('snips'), () => {
  const s = () => spec(snipsTags());

  /** Logits (1, T, C) whose argmax at token t is `classAt(t)`. */
  const logitsFor = (T: number, C: number, classAt: (t: number) => number) => {
    const rows = Array.from({ length: T }, (_, t) => Array.from({ length: C }, (_, c) => (c === classAt(t) ? 5 : 0)));
    return tensor([rows]);
  };

  it('one repaired BIO tag per word and typed spans with character offsets (hand-checked)', async () => {
    // "add step to me to the 50 clásicos playlist": entity_name = "step to me" (chars 4–14), playlist = "50 clásicos" (22–33)
    const example = jointSplit('snips/train')[1]!;
    assert.equal(example.tokens.join(' '), 'add step to me to the 50 clásicos playlist');
    const sp = s();
    const { features } = await tc.featurize([example], snipsTokenizer(), sp, { maxLength: 64 });
    const f = features[0]!;
    // The model says I-entity_name for "step" (repaired to B-), and junk on non-first sub-words (ignored).
    const wanted = ['O', 'I-entity_name', 'I-entity_name', 'I-entity_name', 'O', 'O', 'B-playlist', 'I-playlist', 'O'];
    const byToken = new Map(f.wordTokens!.map((t, w) => [t, sp.labels.indexOf(wanted[w]!)]));
    const junk = sp.labels.indexOf('B-artist');
    const preds = tidy(() =>
      tc.decode(
        taskOf(tc, sp),
        logitsFor(f.inputIds.length, sp.labels.length, (t) => byToken.get(t) ?? junk),
        tc.collate(taskOf(tc, sp), features),
        [example],
      ),
    );
    const p = preds[0]!;
    assert.deepEqual(p.tags, ['O', 'B-entity_name', 'I-entity_name', 'I-entity_name', 'O', 'O', 'B-playlist', 'I-playlist', 'O']);
    assert.deepEqual(p.spans, [
      { type: 'entity_name', start: 1, end: 4, charStart: 4, charEnd: 14, text: 'step to me' },
      { type: 'playlist', start: 6, end: 8, charStart: 22, charEnd: 33, text: '50 clásicos' },
    ]);
    assert.equal(p.truncatedWords, 0);
    // Each word's score: softmax of a logit row with 5 at its tag and 0 elsewhere, e⁵ / (e⁵ + C − 1).
    const C = sp.labels.length;
    for (const score of p.scores) assert.ok(Math.abs(score - Math.exp(5) / (Math.exp(5) + C - 1)) < 1e-6, String(score));
    assert.equal(p.scores.length, 9);
    // Presented as Hugging Face's pipeline presents entities (aggregation 'simple').
    const words = example.tokens.map((word, i, all) => {
      const start = all.slice(0, i).join(' ').length + (i > 0 ? 1 : 0);
      return { word, start, end: start + word.length };
    });
    const shown = tc.present!(p, sp, { text: example.tokens.join(' '), words, splitIntoWords: true }) as {
      spans: { entity_group: string; score: number; word: string; start: number; end: number }[];
    };
    assert.deepEqual(
      shown.spans.map(({ score, ...rest }) => (assert.ok(Math.abs(score - p.scores[1]!) < 1e-6), rest)),
      [
        { entity_group: 'entity_name', word: 'step to me', start: 4, end: 14 },
        { entity_group: 'playlist', word: '50 clásicos', start: 22, end: 33 },
      ],
    );
    assert.deepEqual(tc.evaluate(preds, [example], sp), { precision: 1, recall: 1, f1: 1, tokenAccuracy: 1 });
  });

  it('words cut off by truncation come back as O and are counted', async () => {
    const example = jointSplit('snips/train')[0]!; // listen to westbam alumb allergic on google music
    const sp = s();
    const { features, truncated } = await tc.featurize([example], snipsTokenizer(), sp, { maxLength: 6 }); // [CLS] listen to we ##st [SEP]
    assert.equal(truncated, 1);
    assert.deepEqual(features[0]!.wordTokens, [1, 2, 3, -1, -1, -1, -1, -1]);
    const artist = sp.labels.indexOf('B-artist');
    const p = tidy(() =>
      tc.decode(
        taskOf(tc, sp),
        logitsFor(6, sp.labels.length, () => artist),
        tc.collate(taskOf(tc, sp), features),
        [example],
      ),
    )[0]!;
    assert.deepEqual(p.tags, ['B-artist', 'B-artist', 'B-artist', 'O', 'O', 'O', 'O', 'O']);
    assert.equal(p.truncatedWords, 5);
  });

  it('spansOf counts characters in UTF-16 units of words joined by single spaces', () => {
    assert.deepEqual(spansOf(['x😀', 'é', 'b'], ['B-t', 'I-t', 'B-u']), [
      { type: 't', start: 0, end: 2, charStart: 0, charEnd: 5, text: 'x😀 é' },
      { type: 'u', start: 2, end: 3, charStart: 6, charEnd: 7, text: 'b' },
    ]);
  });
});

describe('token classification: evaluate', () => {
  const pred = (exampleIndex: number, tags: string[]): TokenClassificationPrediction => ({
    exampleIndex,
    tags,
    scores: tags.map(() => 1),
    spans: [],
    truncatedWords: 0,
  });

  it('conlleval entity P/R/F1 and token accuracy on a hand-made set', () => {
    const gold = [tagged('0', ['a', 'b', 'c', 'd'], ['B-a', 'I-a', 'O', 'B-b']), tagged('1', ['e', 'f'], ['O', 'B-a'])];
    // gold chunks a(0–2), b(3), a(1); predicted a(0–2), b(0), a(1): 2 of 3 right either way
    const m = tc.evaluate([pred(1, ['B-b', 'B-a']), pred(0, ['B-a', 'I-a', 'O', 'O'])], gold, spec(['O', 'B-a', 'I-a', 'B-b']));
    for (const k of ['precision', 'recall', 'f1'] as const) assert.ok(Math.abs(m[k]! - 2 / 3) < 1e-12, k);
    assert.ok(Math.abs(m.tokenAccuracy! - 4 / 6) < 1e-12);
    assert.equal(tc.mainMetric.name, 'f1');
  });

  it('an unseen gold tag is a missed entity, not a crash', () => {
    const gold = [tagged('0', ['a', 'b'], ['B-new', 'B-x'])];
    const m = tc.evaluate([pred(0, ['O', 'B-x'])], gold, spec(['O', 'B-x']));
    assert.equal(m.precision, 1);
    assert.equal(m.recall, 0.5);
    assert.throws(() => tc.evaluate([pred(0, ['O'])], gold, spec(['O', 'B-x'])), /2 words, 2 gold tags and 1 predicted tags/);
  });
});

describe('token classification: CRF', needs('snips'), () => {
  const crfSpec = (labels: readonly string[]) =>
    taskSpec({ name: 'slots', kind: 'token-classification', labels, options: { crf: true } }) as TaskSpec<TokenClassificationOptions>;

  /** A CRF head with every transition, start and end score zero (noGrad: they are parameters). */
  function zeroCrfHead(sp: TaskSpec<TokenClassificationOptions>): TokenClassificationHead {
    const head = tc.createHead(tinyConfig(99), sp) as TokenClassificationHead;
    const crf = head.crf!;
    noGrad(() => [crf.transitions, crf.startTransitions, crf.endTransitions].forEach((p) => p.zero_()));
    return head;
  }

  it('adds crf.transitions (C, C), crf.start_transitions and crf.end_transitions (C) to the head', () => {
    const head = tc.createHead(tinyConfig(99), crfSpec(['O', 'B-x', 'I-x']));
    assert.deepEqual(
      head.namedParameters().map(([n, p]) => [n, p.shape]),
      [
        ['classifier.weight', [3, 32]],
        ['classifier.bias', [3]],
        ['crf.transitions', [3, 3]],
        ['crf.start_transitions', [3]],
        ['crf.end_transitions', [3]],
      ],
    );
    head.dispose();
  });

  it('with all transition scores zero, the CRF loss is the softmax cross-entropy of the first sub-words and Viterbi is the argmax', async () => {
    // A zero-transition CRF factorises over positions: log p(path) = Σ_t log softmax(emissions_t)[y_t].
    const labels = snipsTags();
    const [sp, plain] = [crfSpec(labels), spec(labels)];
    const examples = jointSplit('snips/train').slice(0, 6);
    const { features } = await tc.featurize(examples, snipsTokenizer(), sp, { maxLength: 64 });
    const head = zeroCrfHead(sp);
    tidy(() => {
      const batch = tc.collate(taskOf(tc, sp), features);
      const shape = [features.length, batch.inputIds.shape[1] as number, labels.length];
      const logits = tensor(Array.from({ length: shape[0]! * shape[1]! * shape[2]! }, (_, i) => Math.sin(i * 12.9898) * 3)).reshape(shape);
      const withCrf = tc.loss(taskOf(tc, sp, head), logits, batch).item() as number;
      const softmax = tc.loss(taskOf(tc, plain), logits, batch).item() as number;
      assert.ok(Math.abs(withCrf - softmax) < 1e-5, `CRF loss ${withCrf} vs cross-entropy ${softmax}`);
      const viaCrf = tc.decode(taskOf(tc, sp, head), logits, batch, examples).map((p) => p.tags);
      const viaArgmax = tc.decode(taskOf(tc, plain), logits, batch, examples).map((p) => p.tags);
      assert.deepEqual(viaCrf, viaArgmax, 'Viterbi with zero transitions = per-word argmax');
    });
    head.dispose();
  });

  it('a forbidding transition changes the decoded path (hand-checked)', async () => {
    // "add step to me to the 50 clásicos playlist": the emissions of "step" and "to" favour
    // B-entity_name (5) over I-entity_name (4), every other word O. Per-word argmax gives B B (a
    // split entity). With scores of −100 for B-entity_name → B-entity_name and O → I-entity_name,
    // the one best path is O B I O (5 + 5 + 4 + 5 = 19; O I B O and O B B O pay −100).
    const labels = snipsTags();
    const sp = crfSpec(labels);
    const example = jointSplit('snips/train')[1]!;
    const { features } = await tc.featurize([example], snipsTokenizer(), sp, { maxLength: 64 });
    const f = features[0]!;
    const [b, i, o] = ['B-entity_name', 'I-entity_name', 'O'].map((t) => labels.indexOf(t)) as [number, number, number];
    const head = zeroCrfHead(sp);
    noGrad(() =>
      tidy(() => {
        head.crf!.transitions.narrow(0, b, 1).narrow(1, b, 1).fill_(-100);
        head.crf!.transitions.narrow(0, o, 1).narrow(1, i, 1).fill_(-100);
      }),
    );
    const scoreAt = (t: number, c: number): number => {
      const w = f.wordTokens!.indexOf(t);
      if (w === 1 || w === 2) return c === b ? 5 : c === i ? 4 : 0;
      return c === o ? 5 : 0;
    };
    const [pred] = tidy(() => {
      const rows = Array.from({ length: f.inputIds.length }, (_, t) => Array.from({ length: labels.length }, (_, c) => scoreAt(t, c)));
      return tc.decode(taskOf(tc, sp, head), tensor([rows]), tc.collate(taskOf(tc, sp), features), [example]);
    });
    assert.deepEqual(pred!.tags.slice(0, 4), ['O', 'B-entity_name', 'I-entity_name', 'O']);
    head.dispose();
  });

  it('a CRF task without its head is a ConfigError naming the task', async () => {
    const sp = crfSpec(['B-x', 'O']);
    const example = tagged('a', ['x'], ['B-x']);
    const { features } = await tc.featurize([example], snipsTokenizer(), sp, { maxLength: 8 });
    tidy(() => {
      const batch = tc.collate(taskOf(tc, sp), features);
      const logits = tensor([Array.from({ length: batch.inputIds.shape[1] as number }, () => [0, 1])]);
      assert.throws(() => tc.loss(taskOf(tc, sp), logits, batch), /task 'slots' has crf: true, but its head has no CRF/);
      assert.throws(() => tc.decode(taskOf(tc, sp), logits, batch, [example]), /task 'slots' has crf: true, but its head has no CRF/);
    });
  });
});

describe('token classification: memory', needs('snips'), () => {
  it('featurize → collate → forward → loss → decode leaves no tensor behind', async () => {
    const before = liveTensorCount();
    const tok = snipsTokenizer();
    const examples = jointSplit('snips/dev').slice(0, 5);
    const sp = spec(snipsTags());
    const { features } = await tc.featurize(examples, tok, sp, { maxLength: 32 });
    const config = tinyConfig(tok.vocabSize);
    const encoder = new BertModel(config);
    const head = tc.createHead(config, sp);
    const preds = tidy(() => {
      const batch = tc.collate(taskOf(tc, sp), features);
      const logits = head.forward(encoder.forward(batch));
      assert.ok(Number.isFinite(tc.loss(taskOf(tc, sp), logits, batch).item() as number));
      return tc.decode(taskOf(tc, sp), logits, batch, examples);
    });
    assert.deepEqual(
      preds.map((p) => p.tags.length),
      examples.map((e) => e.tokens.length),
    );
    dispose([encoder.parameters(), head.parameters()]);
    assert.equal(liveTensorCount(), before);
  });
});
