import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BertModel } from '../../src/models/bert/index.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { MaskedLmHead, taskSpec } from '../../src/tasks/index.js';
import { clone, liveTensorCount, manualSeed, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { tinyConfig } from '../tasks/helpers.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

const V = 99;
const specs = [
  taskSpec({ name: 'mlm', kind: 'masked-lm', labels: ['[vocabulary]'] }),
  taskSpec({ name: 'topic', kind: 'sequence-classification', labels: ['a', 'b'] }),
];

function model(seed: number): MultiTaskModel {
  manualSeed(seed);
  return MultiTaskModel.fromSpecs(new BertModel(tinyConfig(V)), specs);
}

const sameValues = (a: Tensor, b: Tensor): boolean => tidy(() => a.sub(b).abs().max().item() === 0);

describe('MultiTaskModel: the masked-LM head tied to the word embeddings', () => {
  it('the decoder IS the encoder word-embedding tensor, counted once among the parameters', () => {
    using m = model(1);
    const head = m.heads.get('mlm') as MaskedLmHead;
    assert.equal(head.cls.predictions.decoderWeight, m.backbone.inputEmbeddings().weight, 'same tensor object, not a copy');
    const params = m.parameters();
    assert.equal(new Set(params).size, params.length, 'no parameter listed twice');
    assert.ok(!m.namedParameters().some(([k]) => k.includes('decoder')), 'the tied decoder weight is not a parameter of the head');
  });

  it('saves the MLM head under Hugging Face names (cls.predictions.…) and loads them back; other heads stay heads.<task>.…', () => {
    using a = model(1);
    const saved = a.savedStateDict();
    const keys = [...saved.keys()];
    for (const k of ['cls.predictions.bias', 'cls.predictions.transform.dense.weight', 'cls.predictions.transform.LayerNorm.weight'])
      assert.ok(keys.includes(k), `${k} is saved`);
    assert.ok(!keys.some((k) => k.startsWith('heads.mlm.')), 'no heads.mlm.… key');
    assert.ok(keys.includes('heads.topic.classifier.weight'), 'the classifier keeps heads.<task>.…');
    assert.ok(!keys.includes('cls.predictions.decoder.weight'), 'the tied decoder is not saved twice');
    using b = model(2);
    const result = b.loadSavedStateDict(saved);
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    const hb = (b.heads.get('mlm') as MaskedLmHead).cls.predictions;
    const ha = (a.heads.get('mlm') as MaskedLmHead).cls.predictions;
    assert.ok(sameValues(hb.bias, ha.bias), 'MLM bias loaded');
    assert.ok(sameValues(hb.decoderWeight!, a.backbone.inputEmbeddings().weight), 'decoder still tied after loading');
  });

  it("loads a BertForMaskedLM state dict: bert.… and cls.predictions.…, skipping the tied decoder copies (HF's _tied_weights_keys)", () => {
    using a = model(1);
    using b = model(3);
    const hf = new Map<string, Tensor>();
    for (const [k, t] of a.savedStateDict()) if (!k.startsWith('heads.')) hf.set(k, clone(t));
    hf.set('cls.predictions.decoder.weight', clone(a.backbone.inputEmbeddings().weight));
    hf.set('cls.predictions.decoder.bias', clone((a.heads.get('mlm') as MaskedLmHead).cls.predictions.bias));
    try {
      const result = b.loadSavedStateDict(hf, { strict: false });
      assert.deepEqual(result.unexpectedKeys, [], 'decoder.weight and decoder.bias are recognised as tied copies');
      assert.deepEqual(result.missingKeys, ['heads.topic.classifier.weight', 'heads.topic.classifier.bias']);
      assert.ok(
        sameValues(
          (b.heads.get('mlm') as MaskedLmHead).cls.predictions.transform.dense.weight,
          (a.heads.get('mlm') as MaskedLmHead).cls.predictions.transform.dense.weight,
        ),
        'the MLM transform is loaded from cls.predictions.transform.…',
      );
    } finally {
      for (const t of hf.values()) t.dispose();
    }
  });

  it("with a batch's maskedLabels the MLM head's logits are the full logits' rows at the masked positions; without, every position", () => {
    using m = model(1);
    m.eval(); // no dropout: two passes see the same hidden states
    const inputIds = tensor(
      [
        [2, 10, 4, 11, 3],
        [2, 12, 13, 3, 0],
      ],
      { dtype: 'int64' },
    );
    const attentionMask = tensor(
      [
        [1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0],
      ],
      { dtype: 'int64' },
    );
    const maskedLabels = tensor(
      [
        [-100, 20, -100, 21, -100],
        [-100, -100, 22, -100, -100],
      ],
      { dtype: 'int64' },
    );
    tidy(() => {
      const full = m.forward({ inputIds, attentionMask }, ['mlm', 'topic']).get('mlm')!;
      const gathered = m.forward({ inputIds, attentionMask, maskedLabels }, ['mlm']).get('mlm')!;
      assert.deepEqual(full.shape, [2, 5, V]);
      assert.deepEqual(gathered.shape, [3, V]);
      const rows = [full.select(0, 0).select(0, 1), full.select(0, 0).select(0, 3), full.select(0, 1).select(0, 2)];
      rows.forEach((row, k) => {
        const diff = Number(row.sub(gathered.select(0, k)).abs().max().item());
        assert.ok(diff < 1e-5, `masked position ${k}: largest difference ${diff}`);
      });
    });
    for (const t of [inputIds, attentionMask, maskedLabels]) t.dispose();
  });
});
