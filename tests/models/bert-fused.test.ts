/**
 * BertModel's fused inference path (src/models/bert/fused-layer.ts): when it is taken, and that its
 * outputs match PyTorch's (tests/fixtures/bert.json, made by scripts/fixtures/bert.py) as the
 * op-by-op path's do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bertConfig, BertModel, type BertLayer } from '../../src/models/bert/index.js';
import { canFuse } from '../../src/models/bert/fused-layer.js';
import { addLora } from '../../src/mtl/peft/index.js';
import { cat, enableGrad, inferenceMode, noGrad, randn, tensor, tidy, unsqueeze, type Tensor } from '../../src/tensor/index.js';
import { assertClose, fromFixture } from '../helpers/fixtures.js';
import { assertCloseNumbers } from '../helpers/leaks.js';
import { fixture, referenceInputs, referenceModel } from './bert-fixture.js';

const layersOf = (model: BertModel): readonly BertLayer[] => model.encoder.layer.items;

describe('BertModel fused inference path', () => {
  it('is taken without gradients in evaluation mode, and not when training, recording gradients or with a tanh GELU', () => {
    const model = referenceModel();
    tidy(() => {
      const x = randn([2, 3, 32]);
      const fusable = () => layersOf(model).every((l) => canFuse(l, x));
      assert.equal(noGrad(fusable), true, 'eval mode under noGrad');
      assert.equal(inferenceMode(fusable), true, 'eval mode under inferenceMode');
      assert.equal(fusable(), false, 'gradients recorded');
      model.train();
      assert.equal(noGrad(fusable), false, 'training mode (dropout)');
      model.eval();
      assert.equal(
        noGrad(() => canFuse(layersOf(model)[0] as BertLayer, x.to('float64'))),
        false,
        'float64 hidden states',
      );
    });
    model.dispose();
    const tanhGelu = new BertModel(
      bertConfig({ vocabSize: 99, hiddenSize: 32, numHiddenLayers: 1, numAttentionHeads: 4, intermediateSize: 37, hiddenAct: 'gelu_new' }),
    ).eval();
    tidy(() => {
      const x = randn([1, 2, 32]);
      assert.equal(
        noGrad(() => canFuse(layersOf(tanhGelu)[0] as BertLayer, x)),
        false,
        'gelu_new has no fused form',
      );
    });
    tanhGelu.dispose();
  });

  it('keeps q, k and v in one buffer: stackedQkv is the three weights and biases stacked, also after loading and in-place updates', () => {
    const model = referenceModel(); // loaded by copying into the parameters
    const attention = (layersOf(model)[1] as BertLayer).attention.self;
    const same = (a: Tensor, b: Tensor) => assert.deepEqual(a.toFlatArray(), b.toFlatArray(), 'stacked view = concatenation');
    tidy(() => {
      const check = () => {
        const { weight, bias } = attention.stackedQkv();
        same(weight, cat([attention.query.weight, attention.key.weight, attention.value.weight]));
        same(bias, cat([attention.query.bias as Tensor, attention.key.bias as Tensor, attention.value.bias as Tensor]));
      };
      check();
      noGrad(() => attention.value.weight.mul_(2)); // as an optimizer step does
      check();
    });
    model.dispose();
  });

  for (const [name, mode] of [
    ['noGrad', noGrad],
    ['inferenceMode', inferenceMode],
  ] as const) {
    it(`matches PyTorch at the real positions of the padded batch under ${name}, zeros at its padding`, () => {
      const model = referenceModel();
      tidy(() => {
        const inputs = referenceInputs();
        const out = mode(() => model.forward(inputs));
        // The fused path runs the batch as a nested tensor: padded positions are not computed (0).
        const real = unsqueeze(inputs.attentionMask.to('float32'), 2); // (B, T, 1)
        const expected = fromFixture(fixture.outputs.last_hidden_state).mul(real);
        assertCloseNumbers(
          out.lastHiddenState.mul(real).toFlatArray() as number[],
          expected.toFlatArray() as number[],
          2e-5,
          'lastHiddenState, real positions',
        );
        const padded = out.lastHiddenState.mul(real.neg().add(1)).abs().max().item() as number;
        assert.equal(padded, 0, 'padded positions are zeros');
        assertClose(out.pooledOutput as Tensor, fixture.outputs.pooler_output, { atol: 1e-5, rtol: 1e-5, what: 'pooledOutput' });
      });
      model.dispose();
    });

    it(`matches PyTorch on an unpadded batch under ${name}`, () => {
      const model = referenceModel();
      tidy(() => {
        const { inputIds, attentionMask, tokenTypeIds } = referenceInputs();
        const b = fixture.inputs.lengths.indexOf(Math.max(...fixture.inputs.lengths)); // the longest example: no padding
        const row = (t: Tensor) => t.narrow(0, b, 1);
        const out = mode(() =>
          model.forward({ inputIds: row(inputIds), attentionMask: row(attentionMask), tokenTypeIds: row(tokenTypeIds) }),
        );
        const expected = row(fromFixture(fixture.outputs.last_hidden_state));
        assertCloseNumbers(out.lastHiddenState.toFlatArray() as number[], expected.toFlatArray() as number[], 2e-5, 'lastHiddenState');
      });
      model.dispose();
    });
  }

  it('applies a mask that is not right padding (left padding) as a key padding mask, as the op-by-op path does', () => {
    const model = referenceModel();
    tidy(() => {
      const { inputIds, tokenTypeIds } = referenceInputs();
      const [B, T] = inputIds.shape as [number, number];
      const rows = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b === 0 && t < 2 ? 0 : 1)));
      const attentionMask = tensor(rows, { dtype: 'int64' });
      const inputs = { inputIds, attentionMask, tokenTypeIds };
      const real = unsqueeze(attentionMask.to('float32'), 2);
      const fused = inferenceMode(() => model.forward(inputs).lastHiddenState).mul(real);
      const eager = enableGrad(() => model.forward(inputs).lastHiddenState)
        .detach()
        .mul(real);
      assertCloseNumbers(fused.toFlatArray() as number[], eager.toFlatArray() as number[], 2e-5, 'lastHiddenState, real positions');
    });
    model.dispose();
  });

  it('runs op by op when an adapter wraps a module of the layer, and applies the adapter', () => {
    const model = referenceModel();
    addLora(model, { targets: 'attention.self.query|value', adapter: 'a', r: 2, alpha: 4 });
    noGrad(() => {
      for (const [n, p] of model.namedParameters()) if (n.includes('lora_B')) p.fill_(0.05); // B = 0 at init would hide the adapter
    });
    tidy(() => {
      const x = randn([1, 2, 32]);
      assert.equal(
        noGrad(() => layersOf(model).some((l) => canFuse(l, x))),
        false,
        'no layer fuses with LoRA on query and value',
      );
      const inputs = referenceInputs();
      const eager = enableGrad(() => model.forward(inputs).lastHiddenState);
      const inference = inferenceMode(() => model.forward(inputs).lastHiddenState);
      const diff = (a: Tensor, b: Tensor) => a.sub(b).abs().max().item() as number;
      assert.ok(diff(inference, eager.detach()) <= 1e-6, 'inference gives the adapted outputs');
      const plain = referenceModel();
      const unadapted = noGrad(() => plain.forward(inputs).lastHiddenState);
      assert.ok(diff(inference, unadapted) > 1e-3, 'the adapter changes the outputs');
      plain.dispose();
    });
    model.dispose();
  });
});
