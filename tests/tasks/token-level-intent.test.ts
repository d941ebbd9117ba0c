/**
 * Sequence classification with pooling 'tokens' (token-level intent detection, Qin et al. EMNLP 2019,
 * §3.3): the soft vote `tokenLogProbs` by hand, its padding invariance, its loss (the mean token
 * cross-entropy, computed here in plain arithmetic) and its predictions (those of mean pooling).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import {
  meanPool,
  SequenceClassificationHead,
  sequenceClassification as sc,
  taskSpec,
  tokenLogProbs,
  type SequenceClassificationOptions,
  type TaskSpec,
} from '../../src/tasks/index.js';
import { liveTensorCount, manualSeed, randn, softmax, tensor, tidy } from '../../src/tensor/index.js';
import { assertClose } from '../helpers/fixtures.js';
import { taskOf, tinyConfig } from './helpers.js';

const spec = (labels: string[], options: Record<string, unknown> = {}): TaskSpec<SequenceClassificationOptions> =>
  taskSpec({ name: 'intent', kind: 'sequence-classification', labels, options }) as TaskSpec<SequenceClassificationOptions>;

/** log softmax of one row of scores, in plain arithmetic. */
const logSoftmaxRow = (z: readonly number[]): number[] => {
  const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
  return z.map((v) => v - lse);
};

// (B=2, T=3, C=2); row 1's third token is padding (its huge scores must not count).
const LOGITS = [
  [
    [1, 0],
    [0, 2],
    [3, 1],
  ],
  [
    [0, 0],
    [-1, 1],
    [100, -100],
  ],
];
const MASK = [
  [1, 1, 1],
  [1, 1, 0],
];

/** The soft vote of LOGITS by hand: each row's mean over its real tokens of the tokens' log-softmax. */
const byHand = LOGITS.map((row, b) => {
  const real = row.filter((_, t) => MASK[b]![t] === 1).map(logSoftmaxRow);
  return [0, 1].map((c) => real.reduce((s, lp) => s + lp[c]!, 0) / real.length);
});

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

describe("sequence classification, pooling 'tokens': the soft vote", () => {
  it('averages the real tokens’ log-softmax, by hand (padding left out)', () => {
    tidy(() => {
      const z = tokenLogProbs(tensor(LOGITS), tensor(MASK, { dtype: 'int64' }));
      assert.deepEqual(z.shape, [2, 2]);
      assertClose(z, { dtype: 'float32', shape: [2, 2], data: byHand.flat() }, { what: 'z' });
      // row 0: tokens' log-probabilities of class 0: −0.3133, −2.1269, −0.1269 → mean −0.8557
      assert.ok(Math.abs((z.toArray() as number[][])[0]![0]! - -0.8557) < 1e-4);
    });
  });

  it('its NLL is the mean over each row’s tokens of the token cross-entropy (the loss of the task)', () => {
    const s = spec(['a', 'b'], { pooling: 'tokens' });
    tidy(() => {
      const z = tokenLogProbs(tensor(LOGITS), tensor(MASK, { dtype: 'int64' }));
      const features = [0, 1].map((i) => ({
        exampleIndex: i,
        inputIds: [2, 5, 3],
        tokenTypeIds: [0, 0, 0],
        truncated: false,
        labels: [1 - i],
      }));
      const batch = sc.collate(taskOf(sc, s), features); // labels: row 0 'b', row 1 'a'
      const want = (-byHand[0]![1]! - byHand[1]![0]!) / 2;
      assert.ok(Math.abs((sc.loss(taskOf(sc, s), z, batch).item() as number) - want) < 1e-5, 'loss');
      const cross = sc.loss(taskOf(sc, spec(['a', 'b'], { pooling: 'mean' })), z, batch).item() as number;
      assert.ok(cross < want - 1e-3, 'mean pooling’s cross-entropy renormalises z, so it is lower: not the token loss');
    });
  });
});

describe("sequence classification, pooling 'tokens': the head", () => {
  const config = tinyConfig(99);

  it('(B, T, H) → (B, C); a row gives the same vote alone and padded beside a longer row', () => {
    manualSeed(1);
    const head = new SequenceClassificationHead(config, 5, 0, 'tokens').eval();
    tidy(() => {
      const hidden = randn([2, 6, config.hiddenSize]); // (B, T, H)
      const mask = tensor(
        [
          [1, 1, 1, 1, 1, 1],
          [1, 1, 1, 0, 0, 0],
        ],
        { dtype: 'int64' },
      );
      const z = head.forward({ lastHiddenState: hidden, attentionMask: mask });
      assert.deepEqual(z.shape, [2, 5]);
      const alone = head.forward({
        lastHiddenState: hidden.narrow(0, 1, 1).narrow(1, 0, 3),
        attentionMask: tensor([[1, 1, 1]], { dtype: 'int64' }),
      });
      assertClose(z.narrow(0, 1, 1), { dtype: 'float32', shape: [1, 5], data: alone.toFlatArray() as number[] }, { what: 'padded row' });
      const sums = (z.exp().sum(1).toArray() as number[]).map((v) => v <= 1 + 1e-6);
      assert.deepEqual(sums, [true, true], 'exp(z) sums to at most 1 (geometric means of distributions)');
    });
    head.dispose();
  });

  it('predicts as mean pooling with the same weights: softmax(z) = softmax(classifier(mean state))', () => {
    manualSeed(2);
    const tokens = new SequenceClassificationHead(config, 4, 0, 'tokens').eval();
    const mean = new SequenceClassificationHead(config, 4, 0, 'mean').eval();
    mean.loadStateDict(tokens.stateDict());
    tidy(() => {
      const hidden = randn([3, 5, config.hiddenSize]);
      const attentionMask = tensor(
        [
          [1, 1, 1, 1, 1],
          [1, 1, 0, 0, 0],
          [1, 1, 1, 1, 0],
        ],
        { dtype: 'int64' },
      );
      const a = softmax(tokens.forward({ lastHiddenState: hidden, attentionMask }), -1);
      const b = softmax(mean.forward({ lastHiddenState: hidden, attentionMask }), -1);
      assertClose(a, { dtype: 'float32', shape: [3, 4], data: b.toFlatArray() as number[] }, { what: 'probabilities' });
      assertClose(meanPool(hidden, attentionMask).narrow(0, 0, 1), {
        dtype: 'float32',
        shape: [1, config.hiddenSize],
        data: hidden.narrow(0, 0, 1).mean(1).toFlatArray() as number[],
      });
    });
    tokens.dispose();
    mean.dispose();
  });
});

describe("sequence classification, pooling 'tokens': options", () => {
  it('is accepted for single-label tasks, refused with multi_label, and has no Transformers class', () => {
    assert.equal(sc.resolveOptions({ pooling: 'tokens' }).pooling, 'tokens');
    assert.throws(
      () => sc.resolveOptions({ pooling: 'tokens', multiLabel: true }),
      (e: unknown) => e instanceof ConfigError && /'tokens' \(a softmax per token\) needs a single label per example/.test(e.message),
    );
    assert.throws(() => sc.resolveOptions({ pooling: 'max' }), /pooling must be one of 'cls', 'mean', 'tokens', got "max"/);
    const refused = sc.exportHf!(spec(['a', 'b'], { pooling: 'tokens' }));
    assert.ok('refused' in refused && /pooling: tokens/.test(refused.refused));
  });
});
