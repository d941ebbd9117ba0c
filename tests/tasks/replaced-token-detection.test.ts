/**
 * Replaced-token detection (ELECTRA): labels and loss on a hand-checked case, the loss and its
 * gradients against scripts/fixtures/rtd.py (PyTorch), and the head end to end on a tiny BERT.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { BertModel } from '../../src/models/bert/index.js';
import {
  corrupt,
  maskedPositions,
  packOutputs,
  replacedTokenDetection,
  replacedTokenMetrics,
  ReplacedTokenDetectionHead,
  RTD_CHANNEL,
  rtdLosses,
  sampleTokens,
  taskSpec,
  type MaskedLmExample,
  type MaskedLmState,
  type ReplacedTokenDetectionOptions,
  type TaskSpec,
} from '../../src/tasks/index.js';
import { backward, dispose, liveTensorCount, manualSeed, tensor, tidy, zeros } from '../../src/tensor/index.js';
import { trainWordPiece } from '../../src/tokenization/index.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { taskOf, tinyConfig } from './helpers.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

const spec = (options: Record<string, unknown> = {}): TaskSpec<ReplacedTokenDetectionOptions> =>
  taskSpec({
    name: 'rtd',
    kind: 'replaced-token-detection',
    labels: ['original', 'replaced'],
    options,
  }) as TaskSpec<ReplacedTokenDetectionOptions>;

const I64 = { dtype: 'int64' } as const;

describe('replaced-token detection: options', () => {
  it("fills ELECTRA's defaults and rejects bad values", () => {
    assert.deepEqual(replacedTokenDetection.resolveOptions(), {
      maskProbability: 0.15,
      maskTokenProbability: 0.85,
      randomTokenProbability: 0,
      wholeWordMasking: false,
      seed: 0,
      generatorSize: 0.25,
      generatorLayers: 0,
      discriminatorWeight: 50,
    });
    assert.throws(() => replacedTokenDetection.resolveOptions({ generatorSize: 2 }), ConfigError);
    assert.throws(() => replacedTokenDetection.resolveOptions({ discriminatorWeigth: 1 }), /did you mean 'discriminator_weight'/);
  });
});

describe('replaced-token detection: labels and loss, hand-checked', () => {
  it('replaces the masked positions with the samples; a sample equal to the original is "original"', () => {
    tidy(() => {
      // [CLS] a b c [SEP] | [CLS] d [SEP] pad pad: positions 1, 3 of row 0 and 1 of row 1 masked (mask id 3)
      const maskedIds = tensor(
        [
          [1, 3, 6, 3, 2],
          [1, 3, 2, 0, 0],
        ],
        I64,
      );
      const maskedLabels = tensor(
        [
          [-100, 5, -100, 7, -100],
          [-100, 8, -100, -100, -100],
        ],
        I64,
      );
      const positions = maskedPositions(maskedLabels);
      assert.deepEqual(positions.toArray(), [1, 3, 6]);
      const c = corrupt(maskedIds, maskedLabels, positions, tensor([9, 7, 4], I64)); // 7 = the original at (0, 3)
      assert.deepEqual(c.originalIds.toArray(), [
        [1, 5, 6, 7, 2],
        [1, 8, 2, 0, 0],
      ]);
      assert.deepEqual(c.corruptedIds.toArray(), [
        [1, 9, 6, 7, 2],
        [1, 4, 2, 0, 0],
      ]);
      // Generator logits all 0 over V = 10 → ln p(original) = −ln 10 at each masked position; discriminator
      // logits all 0 → BCE ln 2 per real token, whatever the label. L = ln 10 + 50 · ln 2.
      const out = packOutputs(zeros([2, 5]), zeros([3, 10]), positions, c);
      assert.deepEqual(out.select(-1, RTD_CHANNEL.replaced).toArray(), [
        [0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0],
      ]);
      const attentionMask = tensor(
        [
          [1, 1, 1, 1, 1],
          [1, 1, 1, 0, 0],
        ],
        I64,
      );
      const l = rtdLosses(out, maskedLabels, attentionMask, 50);
      assert.ok(Math.abs((l.generator.item() as number) - Math.log(10)) < 1e-6);
      assert.ok(Math.abs((l.discriminator.item() as number) - Math.log(2)) < 1e-6);
      assert.ok(Math.abs((l.total.item() as number) - Math.log(10) - 50 * Math.log(2)) < 1e-5);
      // ties: every token scores as the original, so its rank is 1
      assert.deepEqual(out.select(-1, RTD_CHANNEL.generatorRank).toArray(), [
        [0, 1, 0, 1, 0],
        [0, 1, 0, 0, 0],
      ]);
    });
  });

  it('metrics: accuracy, precision, recall and F1 of "replaced"; generator top-1 and top-5', () => {
    const m = replacedTokenMetrics([
      { exampleIndex: 0, replaced: [0, 1, 0, 1], predicted: [0, 1, 1, 0], generatorRanks: [1, 6] },
      { exampleIndex: 1, replaced: [0, 0], predicted: [0, 0], generatorRanks: [3] },
    ]);
    // 6 tokens, 4 right; TP 1, predicted 2, actual 2 → P = R = F1 = 0.5; ranks 1, 6, 3 → top-1 1/3, top-5 2/3
    assert.deepEqual(m, {
      accuracy: 4 / 6,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      replacedRate: 2 / 6,
      generatorAccuracy: 1 / 3,
      generatorTop5Accuracy: 2 / 3,
    });
  });
});

interface LossFixture {
  masked_ids: TensorFixture;
  masked_labels: TensorFixture;
  attention_mask: TensorFixture;
  generator_logits: TensorFixture;
  sampled_ids: TensorFixture;
  discriminator_logits: TensorFixture;
  corrupted_ids: TensorFixture;
  is_replaced: TensorFixture;
  generator_loss: TensorFixture;
  discriminator_loss: TensorFixture;
  loss: TensorFixture;
  discriminator_weight: number;
  grad_generator_logits: TensorFixture;
  grad_discriminator_logits: TensorFixture;
}

describe('replaced-token detection: the loss against PyTorch (scripts/fixtures/rtd.py)', () => {
  it('corrupted ids, labels, L_MLM, L_Disc, L = L_MLM + 50·L_Disc and the gradients of both logits', () => {
    const c = loadFixture<{ loss: LossFixture }>('rtd').loss;
    const generatorLogits = fromFixture(c.generator_logits);
    const discriminatorLogits = fromFixture(c.discriminator_logits);
    generatorLogits.requiresGrad = true;
    discriminatorLogits.requiresGrad = true;
    tidy(() => {
      const maskedIds = fromFixture(c.masked_ids);
      const maskedLabels = fromFixture(c.masked_labels);
      const positions = maskedPositions(maskedLabels);
      const corruption = corrupt(maskedIds, maskedLabels, positions, fromFixture(c.sampled_ids));
      assertClose(corruption.corruptedIds, c.corrupted_ids, { what: 'corrupted ids' });
      const out = packOutputs(discriminatorLogits, generatorLogits, positions, corruption);
      assertClose(out.select(-1, RTD_CHANNEL.replaced), c.is_replaced, { what: 'is_replaced' });
      const l = rtdLosses(out, maskedLabels, fromFixture(c.attention_mask), c.discriminator_weight);
      assertClose(l.generator, c.generator_loss, { what: 'L_MLM' });
      assertClose(l.discriminator, c.discriminator_loss, { what: 'L_Disc' });
      assertClose(l.total, c.loss, { rtol: 1e-5, what: 'L' });
      backward([l.total]);
    });
    const gg = generatorLogits.grad!;
    const gd = discriminatorLogits.grad!;
    assertClose(gg, c.grad_generator_logits, { rtol: 1e-4, atol: 1e-6, what: 'dL/d generator logits' });
    assertClose(gd, c.grad_discriminator_logits, { rtol: 1e-4, atol: 1e-6, what: 'dL/d discriminator logits' });
    dispose([gg, gd, generatorLogits, discriminatorLogits]);
  });
});

const TEXTS = [
  'a domesticated carnivorous mammal that typically has a long snout',
  'the quality of being pleasant to the taste',
  'a large body of salt water that covers most of the earth',
  'a young person that has not yet reached adulthood',
  'move fast by using one s feet with one foot off the ground',
  'a building where people live',
];

describe('replaced-token detection: the head on a tiny BERT', () => {
  it('generator at 1/4 width sharing the word embeddings; (B, T, 4) out; the loss reaches generator, classifier and encoder', async () => {
    const before = liveTensorCount();
    manualSeed(0);
    const tok = trainWordPiece(TEXTS, { vocabSize: 120, minFrequency: 1 });
    const s = spec({ seed: 1, maskProbability: 0.5 });
    const examples: MaskedLmExample[] = TEXTS.map((text, i) => ({ id: String(i), text, source: { file: 'texts', line: i + 1 } }));
    const { features } = await replacedTokenDetection.featurize(examples, tok, s, { maxLength: 24 });
    const bert = new BertModel(tinyConfig(tok.vocabSize), { addPoolingLayer: false });
    const head = replacedTokenDetection.createHead(bert.config, s) as ReplacedTokenDetectionHead;
    head.tieTo(bert);
    assert.equal(head.generator.config.hiddenSize, 8, 'a quarter of the 32-wide discriminator');
    assert.equal(head.generator.config.numHiddenLayers, 2, "the discriminator's layers");
    assert.ok(![...head.namedParameters()].some(([k]) => k.includes('word_embeddings')), 'no word embeddings of its own');
    const task = taskOf(replacedTokenDetection, s, head);
    const batch = replacedTokenDetection.collate(task as never, features);
    assert.equal(batch.maskedLabels, batch.labels, 'the head reads the masked labels from the inputs');
    assert.throws(() => replacedTokenDetection.collate(task as never, features, batch), /cannot share/);
    const preds = tidy(() => {
      const out = head.forwardInputs(batch);
      const [B, T] = batch.inputIds.shape;
      assert.deepEqual(out.shape, [B, T, 4]);
      const replaced = out.select(-1, RTD_CHANNEL.replaced);
      const masked = batch.labels!.ne(-100);
      assert.equal(replaced.gt(0).logicalAnd(masked.logicalNot()).sum().item(), 0, 'only masked positions are replaced');
      const ranks = out.select(-1, RTD_CHANNEL.generatorRank);
      assert.equal(ranks.gt(0).sum().item(), masked.sum().item(), 'a rank at every masked position');
      assert.ok((ranks.max().item() as number) <= tok.vocabSize);
      const loss = replacedTokenDetection.loss(task as never, out, batch);
      assert.ok(Number.isFinite(loss.item() as number));
      backward([loss]);
      return replacedTokenDetection.decode(task as never, out, batch, examples);
    });
    for (const [name, p] of [
      ['generator dense', head.generator.predictions.dense.weight],
      ['generator layer', head.generator.encoder.layer.items[0]!.attention.self.query.weight],
      ['discriminator classifier', head.discriminatorPredictions.densePrediction.weight],
      ['shared word embeddings', bert.embeddings.wordEmbeddings.weight],
      ['discriminator layer', bert.encoder.layer.items[1]!.output.dense.weight],
    ] as const) {
      tidy(() => assert.ok((p.grad!.abs().sum().item() as number) > 0, `a gradient reaches the ${name}`));
    }
    const m = replacedTokenDetection.evaluate(preds, examples, s);
    assert.ok(m.accuracy! >= 0 && m.accuracy! <= 1 && m.generatorTop5Accuracy! >= m.generatorAccuracy!);
    const state = task.state as MaskedLmState;
    const saved = replacedTokenDetection.collationState!.save(state);
    assert.equal((saved as { algorithm: string }).algorithm, 'xoshiro128**', "the masking generator's state is saved");
    dispose(batch.labels!);
    dispose([batch.inputIds, batch.attentionMask, ...(batch.tokenTypeIds ? [batch.tokenTypeIds] : [])]);
    head.dispose();
    bert.dispose();
    assert.equal(liveTensorCount(), before, 'no tensor leaked');
  });

  it('samples follow softmax(logits): a token with all the mass is always drawn', () => {
    tidy(() => {
      manualSeed(3);
      const logits = tensor([
        [0, 0, 30, 0],
        [-30, 0, -30, -30],
      ]);
      for (let i = 0; i < 5; i++) assert.deepEqual(sampleTokens(logits).toArray(), [2, 1]);
    });
  });
});
