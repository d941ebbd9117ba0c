/**
 * BiLstm against torch.nn.LSTM(bidirectional=True, batch_first=True) over packed sequences
 * (scripts/fixtures/bilstm.py): outputs and gradients, and padding invariance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BiLstm } from '../../src/nn/bilstm.js';
import { cat, full, grad, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

interface BiLstmCase {
  input_size: number;
  hidden_size: number;
  lengths: number[];
  params: Record<string, TensorFixture>;
  x: TensorFixture;
  output: TensorFixture;
  weights: TensorFixture;
  grad_x: TensorFixture;
  grad_params: Record<string, TensorFixture>;
}
const c = loadFixture<BiLstmCase>('bilstm');
const lengths = () => tensor(c.lengths, { dtype: 'int64' });

function lstmOf(): BiLstm {
  const lstm = new BiLstm(c.input_size, c.hidden_size, { dtype: 'float64' });
  tidy(() => lstm.loadStateDict(new Map(Object.entries(c.params).map(([k, v]) => [k, fromFixture(v)])), { strict: true }));
  return lstm;
}

test('BiLstm equals torch.nn.LSTM over packed sequences, outputs and gradients', () => {
  using lstm = lstmOf();
  tidy(() => {
    const x = fromFixture(c.x).requiresGrad_();
    const out = lstm.forward(x, lengths());
    assertClose(out, c.output, { rtol: 1e-10, atol: 1e-12, what: 'output (B, T, 2H)' });
    const names = Object.keys(c.params);
    const named = new Map(lstm.namedParameters());
    const params = names.map((n) => named.get(n) as Tensor);
    const grads = grad(out.mul(fromFixture(c.weights)).sum(), [x, ...params]) as Tensor[];
    assertClose(grads[0]!, c.grad_x, { rtol: 1e-10, atol: 1e-12, what: 'd/dx' });
    names.forEach((n, i) => assertClose(grads[i + 1]!, c.grad_params[n]!, { rtol: 1e-10, atol: 1e-12, what: `d/d ${n}` }));
  });
});

test('a row does not depend on its padding: two more padded positions of any value change no real output', () => {
  using lstm = lstmOf();
  tidy(() => {
    const x = fromFixture(c.x);
    const [B, T, I] = x.shape as [number, number, number];
    const longer = lstm.forward(cat([x, full([B, 2, I], -3, { dtype: 'float64' })], 1), lengths());
    const out = lstm.forward(x, lengths());
    assert.deepEqual(longer.narrow(1, 0, T).toFlatArray(), out.toFlatArray());
    assert.ok((longer.narrow(1, T, 2).abs().sum().item() as number) === 0, 'zeros at padding');
  });
});
