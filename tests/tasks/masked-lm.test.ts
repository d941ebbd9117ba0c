import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { BERT_BASE, BertModel } from '../../src/models/bert/index.js';
import { Rng } from '../../src/tensor/rng.js';
import {
  maskedLm,
  maskedLmMetrics,
  MaskedLmHead,
  maskRow,
  type MaskedLmExample,
  type MaskedLmFeatures,
  type MaskedLmOptions,
  type MaskedLmState,
} from '../../src/tasks/masked-lm.js';
import { taskSpec, type Batch, type Task, type TaskSpec } from '../../src/tasks/index.js';
import { backward, dispose, liveTensorCount, manualSeed, tensor, tidy, zeros, type Tensor } from '../../src/tensor/index.js';
import { IGNORE_INDEX } from '../../src/tokenization/index.js';
import { assertClose, fromFixture, loadFixture, values, type TensorFixture } from '../helpers/fixtures.js';
import { jointSplit, snipsTokenizer, taskOf, tinyConfig } from './helpers.js';
import { needs } from '../helpers/datasets.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

const spec = (options: Record<string, unknown> = {}): TaskSpec<MaskedLmOptions> =>
  taskSpec({ name: 'mlm', kind: 'masked-lm', labels: ['[vocabulary]'], options }) as TaskSpec<MaskedLmOptions>;

const examples: MaskedLmExample[] = [];
let features: MaskedLmFeatures[] = [];

before(async () => {
  if (needs('snips').skip) return;
  jointSplit('snips/train').forEach((e, i) =>
    examples.push({ id: String(i), text: e.tokens.join(' '), source: { file: 'snips/train', line: i + 1 } }),
  );
  const r = await maskedLm.featurize(examples, snipsTokenizer(), spec(), { maxLength: 64 });
  features = r.features as MaskedLmFeatures[];
});

describe('masked-lm: options', () => {
  it('fills BERT defaults and rejects bad values', () => {
    assert.deepEqual(maskedLm.resolveOptions(), {
      maskProbability: 0.15,
      maskTokenProbability: 0.8,
      randomTokenProbability: 0.1,
      wholeWordMasking: false,
      seed: 0,
    });
    assert.throws(() => maskedLm.resolveOptions({ maskProb: 0.2 }), /did you mean 'mask_probability'/);
    assert.throws(() => maskedLm.resolveOptions({ maskTokenProbability: 0.95, randomTokenProbability: 0.1 }), ConfigError);
    assert.throws(() => maskedLm.resolveOptions({ seed: 1.5 }), ConfigError);
  });
});

describe('masked-lm: masking statistics', needs('snips'), () => {
  it('selects 15% ± 0.5% of the non-special tokens, and replaces 80/10/10 ± 1% of them; never a special token', () => {
    const s = spec({ seed: 7 });
    const o = s.options;
    const rng = new Rng(7);
    let candidates = 0;
    let selected = 0;
    let masked = 0;
    let unchanged = 0;
    let random = 0;
    const tok = snipsTokenizer();
    for (let pass = 0; pass < 2; pass++) {
      for (const f of features) {
        const { inputIds, labels } = maskRow(f, rng, o, tok.maskId, tok.vocabSize);
        f.inputIds.forEach((id, t) => {
          const special = f.specialTokensMask[t] === 1;
          if (special) {
            assert.equal(labels[t], IGNORE_INDEX, 'a special token is never selected');
            assert.equal(inputIds[t], id);
            return;
          }
          candidates++;
          if (labels[t] === IGNORE_INDEX) {
            assert.equal(inputIds[t], id, 'unselected tokens are kept');
            return;
          }
          assert.equal(labels[t], id, 'the label is the original token');
          selected++;
          if (inputIds[t] === tok.maskId) masked++;
          else if (inputIds[t] === id) unchanged++;
          else random++;
        });
      }
    }
    assert.ok(candidates >= 100_000, `${candidates} candidate tokens`);
    const rate = selected / candidates;
    assert.ok(Math.abs(rate - 0.15) <= 0.005, `selection rate ${rate}`);
    console.log({ candidates, selected, rate, masked: masked / selected, random: random / selected, unchanged: unchanged / selected });
    // a random draw equal to the original (1/V) or to [MASK] (1/V) counts as unchanged or masked: ≈ 0.02% at V = 600
    for (const [name, n, want] of [
      ['[MASK]', masked, 0.8],
      ['random', random, 0.1],
      ['unchanged', unchanged, 0.1],
    ] as const) {
      assert.ok(Math.abs(n / selected - want) <= 0.01, `${name}: ${n / selected}`);
    }
  });

  it('whole-word masking selects all sub-words of a word together, at about the same token rate', () => {
    const o = spec({ wholeWordMasking: true }).options;
    const rng = new Rng(3);
    let multi = 0;
    let candidates = 0;
    let selected = 0;
    for (const f of features) {
      const { labels } = maskRow(f, rng, o, 4, 600);
      const byWord = new Map<number, boolean[]>();
      f.wordIds.forEach((w, t) => {
        if (w < 0) return;
        candidates++;
        if (labels[t] !== IGNORE_INDEX) selected++;
        byWord.set(w, [...(byWord.get(w) ?? []), labels[t] !== IGNORE_INDEX]);
      });
      for (const flags of byWord.values()) {
        if (flags.length > 1) multi++;
        assert.ok(
          flags.every((x) => x === flags[0]),
          `example ${f.exampleIndex}: a word is only partly selected`,
        );
      }
    }
    assert.ok(multi > 1000, `${multi} words of several sub-words were checked`);
    assert.ok(Math.abs(selected / candidates - 0.15) <= 0.01, `token rate ${selected / candidates}`);
  });

  it('without whole-word masking, some multi-piece words are split (the two modes differ)', () => {
    const o = spec().options;
    const rng = new Rng(3);
    let split = 0;
    for (const f of features.slice(0, 3000)) {
      const { labels } = maskRow(f, rng, o, 4, 600);
      const byWord = new Map<number, Set<boolean>>();
      f.wordIds.forEach((w, t) => {
        if (w >= 0) byWord.set(w, (byWord.get(w) ?? new Set()).add(labels[t] !== IGNORE_INDEX));
      });
      for (const v of byWord.values()) if (v.size === 2) split++;
    }
    assert.ok(split > 0);
  });
});

describe('masked-lm: collate (dynamic masking)', needs('snips'), () => {
  const batchOf = (t: Task<MaskedLmOptions, MaskedLmState>) => maskedLm.collate(t, features.slice(0, 16));
  const arrays = (b: Batch) => [b.inputIds.toArray(), b.labels?.toArray(), b.attentionMask.toArray()];

  it('pads with labels -100, never selects padding, and redraws masks at every call', () => {
    const t = taskOf(maskedLm, spec({ seed: 1 }));
    const [a, b] = [batchOf(t), batchOf(t)];
    const [ids, labels, attention] = arrays(a) as number[][][];
    labels!.forEach((row, i) => row.forEach((l, t) => attention![i]![t] === 0 && assert.equal(l, IGNORE_INDEX)));
    assert.notDeepEqual(arrays(a)[1], arrays(b)[1], 'a second collate of the same features draws another mask');
    assert.equal(ids!.length, 16);
    dispose([a.inputIds, a.attentionMask, a.tokenTypeIds, a.labels!, b.inputIds, b.attentionMask, b.tokenTypeIds, b.labels!]);
  });

  it('same seed → same masks; a saved and restored generator continues identically', () => {
    const free = (b: Batch) => dispose([b.inputIds, b.attentionMask, b.tokenTypeIds, b.labels!]);
    const t1 = taskOf(maskedLm, spec({ seed: 5 }));
    const t2 = taskOf(maskedLm, spec({ seed: 5 }));
    const first = [batchOf(t1), batchOf(t2)];
    assert.deepEqual(arrays(first[0]!), arrays(first[1]!));
    const saved = maskedLm.collationState!.save(t1.state);
    const next = batchOf(t1);
    const resumed = taskOf(maskedLm, spec({ seed: 99 }));
    maskedLm.collationState!.restore(resumed.state, saved);
    const again = batchOf(resumed);
    assert.deepEqual(arrays(next), arrays(again));
    [...first, next, again].forEach(free);
  });

  it("masks at eval_mask_probability in an evaluation's state and at mask_probability in training", () => {
    const s = spec({ seed: 3, maskProbability: 0.4, evalMaskProbability: 0.15 });
    assert.equal(s.options.evalMaskProbability, 0.15);
    assert.equal(spec().options.evalMaskProbability, undefined, 'absent unless set: evaluation masks at mask_probability');
    const rows = features.slice(0, 2000);
    const selectable = rows.reduce((n, f) => n + f.specialTokensMask.filter((m) => m === 0).length, 0);
    const rate = (purpose: 'training' | 'evaluation') => {
      const b = maskedLm.collate({ spec: s, state: maskedLm.createState!(s, purpose) }, rows);
      const selected = tidy(() => Number(b.labels!.ne(IGNORE_INDEX).sum().item()));
      dispose(b);
      return selected / selectable;
    };
    const [training, evaluation] = [rate('training'), rate('evaluation')];
    assert.ok(Math.abs(training - 0.4) < 0.01, `training selects ${training}`);
    assert.ok(Math.abs(evaluation - 0.15) < 0.01, `evaluation selects ${evaluation}`);
    assert.equal(maskedLm.createState!(spec({ maskProbability: 0.3 }), 'evaluation').maskProbability, undefined);
    assert.throws(() => maskedLm.resolveOptions({ evalMaskProbability: 1.5 }), ConfigError);
  });

  it('refuses shared inputs (MLM changes its input ids)', () => {
    const b = batchOf(taskOf(maskedLm, spec()));
    assert.throws(() => maskedLm.collate(taskOf(maskedLm, spec()), features.slice(0, 16), b), ConfigError);
    dispose([b.inputIds, b.attentionMask, b.tokenTypeIds, b.labels!]);
  });
});

interface HeadCase {
  hidden: TensorFixture;
  params: Record<string, TensorFixture>;
  word_embeddings: TensorFixture;
  labels: TensorFixture;
  logits: TensorFixture;
  loss: TensorFixture;
  grad_word_embeddings: TensorFixture;
}

describe('masked-lm: head (BertForMaskedLM, tied decoder)', () => {
  const c = loadFixture<{ head: HeadCase }>('mlm').head;
  const config = {
    ...BERT_BASE,
    hiddenSize: 32,
    hiddenDropoutProb: 0,
    initializerRange: 0.02,
    vocabSize: 99,
    layerNormEps: 1e-12,
    hiddenAct: 'gelu',
  } as const;

  it('has Hugging Face parameter names and no decoder weight of its own', () => {
    using head = maskedLm.createHead(config, spec());
    assert.deepEqual(
      head.namedParameters().map(([n, p]) => `${n} [${p.shape.join(', ')}]`),
      [
        'cls.predictions.bias [99]',
        'cls.predictions.transform.dense.weight [32, 32]',
        'cls.predictions.transform.dense.bias [32]',
        'cls.predictions.transform.LayerNorm.weight [32]',
        'cls.predictions.transform.LayerNorm.bias [32]',
      ],
    );
    assert.throws(() => tidy(() => head.forward({ lastHiddenState: zeros([1, 1, 32]) })), /not tied/);
  });

  it('logits equal PyTorch on fixed weights, the loss is CE over masked positions only, and the gradient reaches the embeddings', () => {
    using head = maskedLm.createHead(config, spec()) as MaskedLmHead;
    const state = new Map(Object.entries(c.params).map(([k, v]) => [`cls.predictions.${k}`, fromFixture(v)]));
    head.loadStateDict(state);
    dispose([...state.values()]);
    const emb = fromFixture(c.word_embeddings);
    emb.requiresGrad = true;
    head.tieWordEmbeddings(emb);
    const hidden = fromFixture(c.hidden);
    const labels = fromFixture(c.labels);
    const inputIds = zeros([2, 5], { dtype: 'int64' });
    tidy(() => {
      const logits = head.forward({ lastHiddenState: hidden });
      assertClose(logits, c.logits, { rtol: 1e-4, atol: 1e-5, what: 'logits' });
      const batch = { inputIds, attentionMask: inputIds, tokenTypeIds: inputIds, labels, features: [] };
      const loss = maskedLm.loss(taskOf(maskedLm, spec(), head), logits, batch);
      assertClose(loss, c.loss, { rtol: 1e-5, atol: 1e-6, what: 'loss' });
      backward([loss]);
    });
    const g = emb.grad!; // a new handle per read
    assertClose(g, c.grad_word_embeddings, { rtol: 1e-4, atol: 1e-6, what: 'grad of the tied embeddings' });
    dispose([g, emb, hidden, labels, inputIds]);
  });
});

describe('masked-lm: logits at the masked positions only (the training and evaluation path)', () => {
  const c = loadFixture<{ head: HeadCase }>('mlm').head;
  const config = { ...BERT_BASE, hiddenSize: 32, hiddenDropoutProb: 0, initializerRange: 0.02, vocabSize: 99, layerNormEps: 1e-12 };

  /** The fixture's head (PyTorch's weights), tied to a fresh copy of its word embeddings that requires grad. */
  function fixtureHead(): { head: MaskedLmHead; emb: Tensor } {
    const head = maskedLm.createHead(config, spec()) as MaskedLmHead;
    const state = new Map(Object.entries(c.params).map(([k, v]) => [`cls.predictions.${k}`, fromFixture(v)]));
    head.loadStateDict(state);
    dispose([...state.values()]);
    const emb = fromFixture(c.word_embeddings);
    emb.requiresGrad = true;
    head.tieWordEmbeddings(emb);
    return { head, emb };
  }

  /** Loss, and the gradients of the embeddings, the hidden states and every head parameter, with or without maskedLabels. */
  function lossAndGrads(gathered: boolean, labels: Tensor): { loss: number; logitsShape: number[]; grads: Map<string, number[]> } {
    const { head, emb } = fixtureHead();
    const hidden = fromFixture(c.hidden);
    hidden.requiresGrad = true;
    const inputIds = zeros([2, 5], { dtype: 'int64' });
    const batch = { inputIds, attentionMask: inputIds, tokenTypeIds: inputIds, labels, maskedLabels: labels, features: [] };
    const task = taskOf(maskedLm, spec(), head);
    const out = tidy(() => {
      const logits = head.forward({ lastHiddenState: hidden, ...(gathered ? { maskedLabels: labels } : {}) });
      const loss = maskedLm.loss(task, logits, batch);
      backward([loss]);
      return { loss: Number(loss.item()), logitsShape: logits.shape };
    });
    const grads = new Map<string, number[]>();
    for (const [name, t] of [['word embeddings', emb], ['hidden states', hidden], ...head.namedParameters()] as [string, Tensor][]) {
      const g = t.grad;
      grads.set(name, g === undefined ? [] : (g.toFlatArray() as number[]));
      g?.dispose();
    }
    dispose([emb, hidden, inputIds]);
    head.dispose();
    return { ...out, grads };
  }

  it('gives the same loss and the same gradients (within 1e-6) as the head at every position, which PyTorch checks', () => {
    const labels = fromFixture(c.labels); // (2, 5), 3 masked positions
    const full = lossAndGrads(false, labels);
    const gathered = lossAndGrads(true, labels);
    assert.deepEqual(full.logitsShape, [2, 5, 99]);
    assert.deepEqual(gathered.logitsShape, [3, 99], 'logits only at the 3 masked positions');
    assert.ok(Math.abs(full.loss - (values(c.loss)[0] as number)) < 1e-5, `full loss ${full.loss} is PyTorch's`);
    assert.ok(Math.abs(gathered.loss - full.loss) < 1e-6, `loss ${gathered.loss} vs ${full.loss}`);
    assert.equal(gathered.grads.size, 7);
    for (const [name, g] of full.grads) {
      const h = gathered.grads.get(name)!;
      assert.ok(g.length > 0 && h.length === g.length, `${name}: a gradient of the same size`);
      const worst = Math.max(...g.map((x, i) => Math.abs(x - (h[i] as number))));
      assert.ok(worst < 1e-6, `${name}: largest gradient difference ${worst}`);
    }
    labels.dispose();
  });

  it('with nothing masked the loss is 0 and still back-propagates', () => {
    const labels = tensor(
      Array.from({ length: 2 }, () => Array<number>(5).fill(IGNORE_INDEX)),
      { dtype: 'int64' },
    );
    const r = lossAndGrads(true, labels);
    assert.deepEqual(r.logitsShape, [0, 99]);
    assert.equal(r.loss, 0);
    labels.dispose();
  });

  it('decodes the same predictions from the gathered logits as from the full ones', () => {
    const { head, emb } = fixtureHead();
    const hidden = fromFixture(c.hidden);
    const labels = fromFixture(c.labels);
    const inputIds = zeros([2, 5], { dtype: 'int64' });
    const features = [0, 1].map((i) => ({ exampleIndex: i, inputIds: [0, 0, 0, 0, 0], truncated: false }));
    const batch = { inputIds, attentionMask: inputIds, tokenTypeIds: inputIds, labels, maskedLabels: labels, features };
    const ex = [0, 1].map((i) => ({ id: String(i), text: 'a b c', source: { file: 'x', line: i + 1 } }));
    const task = taskOf(maskedLm, spec(), head);
    const [full, gathered] = tidy(() =>
      [undefined, labels].map((maskedLabels) =>
        maskedLm.decode(task, head.forward({ lastHiddenState: hidden, ...(maskedLabels ? { maskedLabels } : {}) }), batch, ex),
      ),
    );
    assert.deepEqual(
      full!.map((p) => p.positions),
      [[1, 3], [2]],
    );
    for (const [i, p] of full!.entries()) {
      const q = gathered![i]!;
      assert.deepEqual(
        [q.positions, q.targetIds, q.predictedIds, q.targetRanks],
        [p.positions, p.targetIds, p.predictedIds, p.targetRanks],
      );
      p.targetLogProbs.forEach((lp, k) => assert.ok(Math.abs(lp - (q.targetLogProbs[k] as number)) < 1e-5));
    }
    assert.throws(
      () => tidy(() => maskedLm.loss(task, zeros([4, 99]), batch)),
      (e: unknown) => e instanceof ShapeError && /\(N, V\) at the N = 3 masked positions/.test(e.message),
    );
    dispose([emb, hidden, labels, inputIds]);
    head.dispose();
  });
});

describe('masked-lm: end to end on a tiny BERT', needs('snips'), () => {
  it('featurize → collate → forward → loss → decode → evaluate, tied to the encoder, with no leaked tensor', () => {
    const before = liveTensorCount();
    manualSeed(0);
    const tok = snipsTokenizer();
    const s = spec({ seed: 2 });
    const bert = new BertModel(tinyConfig(tok.vocabSize), { addPoolingLayer: false });
    const head = maskedLm.createHead(bert.config, s) as MaskedLmHead;
    head.tieTo(bert);
    assert.equal(head.cls.predictions.decoderWeight, bert.embeddings.wordEmbeddings.weight, 'the very same tensor');
    const task = taskOf(maskedLm, s, head);
    const batch = maskedLm.collate(task, features.slice(0, 8));
    const preds = tidy(() => {
      const logits = head.forward(bert.forward(batch));
      assert.deepEqual(logits.shape, [8, batch.inputIds.shape[1], tok.vocabSize]);
      const loss = maskedLm.loss(task, logits, batch);
      const value = Number(loss.item());
      assert.ok(Math.abs(value - Math.log(tok.vocabSize)) < 1, `untrained loss ${value} ≈ ln V`);
      return maskedLm.decode(task, logits, batch, examples);
    });
    const m = maskedLm.evaluate(preds, examples.slice(0, 8), s);
    const n = preds.reduce((k, p) => k + p.positions.length, 0);
    assert.equal(m.maskedTokens, n);
    assert.ok(n > 0 && m.perplexity! > 1 && m.accuracy! >= 0 && m.accuracy! <= 1);
    dispose([batch.inputIds, batch.attentionMask, batch.tokenTypeIds, batch.labels!]);
    bert.dispose();
    head.dispose();
    assert.equal(liveTensorCount(), before);
  });
});

describe('masked-lm: decoding and metrics (hand-checked)', () => {
  it('decode ranks each target among the V tokens: 1 + the tokens scored strictly higher', () => {
    // One example, T = 3, V = 6; positions 0 and 2 are masked (targets 2 and 5), position 1 is not (-100).
    const rows = [
      [0.1, 0.2, 3.0, 0.4, 0.5, 0.6], // target 2 is the argmax: rank 1
      [9, 9, 9, 9, 9, 9],
      [6, 5, 4, 3, 2, 1], // target 5 is the lowest of six: rank 6
    ];
    const logits = tensor([rows]); // (1, 3, 6)
    const labels = tensor([[2, IGNORE_INDEX, 5]], { dtype: 'int64' });
    const inputIds = zeros([1, 3], { dtype: 'int64' });
    const feature = { exampleIndex: 0, inputIds: [0, 0, 0], attentionMask: [1, 1, 1], tokenTypeIds: [0, 0, 0] };
    const batch = { inputIds, attentionMask: inputIds, tokenTypeIds: inputIds, labels, features: [feature] } as unknown as Batch;
    const example = { id: '0', text: 'a b c', source: { file: 'x', line: 1 } };
    const [p] = maskedLm.decode(taskOf(maskedLm, spec()), logits, batch, [example]);
    assert.deepEqual(p!.positions, [0, 2]);
    assert.deepEqual(p!.targetIds, [2, 5]);
    assert.deepEqual(p!.predictedIds, [2, 0]);
    assert.deepEqual(p!.targetRanks, [1, 6]);
    dispose([logits, labels, inputIds]);
  });

  it('metrics: accuracy, top-5 accuracy and perplexity = exp(mean NLL) pooled over masked tokens', () => {
    const m = maskedLmMetrics([
      {
        exampleIndex: 0,
        positions: [1, 2],
        targetIds: [5, 6],
        predictedIds: [5, 7],
        targetLogProbs: [Math.log(0.5), Math.log(0.25)],
        targetRanks: [1, 6],
      },
      { exampleIndex: 1, positions: [3], targetIds: [9], predictedIds: [4], targetLogProbs: [Math.log(0.125)], targetRanks: [5] },
    ]);
    assert.equal(m.accuracy, 1 / 3);
    assert.equal(m.top5Accuracy, 2 / 3); // ranks 1 and 5 are in the top 5, rank 6 is not
    assert.ok(Math.abs(m.perplexity! - 4) < 1e-12); // exp((ln2 + ln4 + ln8)/3) = 4
    assert.equal(m.maskedTokens, 3);
  });
});
