/**
 * One representative function per op family, written exactly as scripts/fixtures/autograd.py writes
 * it in PyTorch, under the same name. autograd.test.ts compares their gradients with the fixture;
 * gradcheck.test.ts checks them in float64 by finite differences.
 */
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';

/** Named inputs, as in the fixture (`inputs` of each case). */
export type Inputs = Record<string, Tensor>;

const need = (x: Inputs, name: string): Tensor => {
  const t = x[name];
  if (t === undefined) throw new Error(`case input '${name}' is missing`);
  return t;
};

const unaryCase = (f: (t: Tensor) => Tensor) => (x: Inputs) => f(need(x, 'x'));

export const GRAD_CASES: Record<string, (x: Inputs) => Tensor> = {
  elementwise: (x) => {
    const [a, b] = [need(x, 'a'), need(x, 'b')];
    const q = b.mul(b).add(1); // > 0
    const terms = [
      a.mul(b),
      a.div(b.abs().add(1)),
      a.pow(2).mul(-0.5),
      a.exp().mul(0.1),
      q.log(),
      q.sqrt(),
      q.rsqrt(),
      q.reciprocal(),
      a.mul(a).log1p(),
      a.sin().mul(b.cos()),
      a.clamp(-0.5, 0.5),
      a.maximum(b),
      a.minimum(b).mul(0.3),
      q.pow(a),
      a.sub(b, 2),
      a.neg().mul(-0.2),
    ];
    return terms.reduce((acc, t) => acc.add(t));
  },
  broadcast: (x) => {
    const [a, b, c] = [need(x, 'a'), need(x, 'b'), need(x, 'c')];
    return a
      .sub(b)
      .mul(c)
      .add(b.div(c.mul(c).add(1)));
  },

  sum_mean: (x) => {
    const t = need(x, 'x');
    return T.cat([t.sum(1).mul(2), t.mean(0), t.sum().reshape([1]), t.mean().reshape([1])]);
  },
  logsumexp: unaryCase((t) => t.logsumexp(1)),
  norm: unaryCase((t) => T.cat([t.norm(2, [1]), t.norm(1, [0]), t.norm().reshape([1]), t.norm(Infinity).reshape([1])])),
  max_min: unaryCase((t) => T.cat([t.max().reshape([1]), t.maxDim(1)[0], t.minDim(0)[0]])),
  var_std: unaryCase((t) => T.cat([t.variance([1]), t.std([0], false)])),
  cumsum: unaryCase((t) => t.cumsum(1)),

  matmul: (x) => need(x, 'a').matmul(need(x, 'b')),
  bmm: (x) => need(x, 'a').bmm(need(x, 'b')),
  linear: (x) => T.linear(need(x, 'x'), need(x, 'w'), need(x, 'bias')),
  einsum: (x) => T.einsum('bqd,bkd->bqk', need(x, 'q'), need(x, 'k')),

  views: unaryCase((t) => {
    let y = t.permute([2, 0, 1]).reshape([4, 6]).transpose(0, 1); // (6, 4)
    y = y.unsqueeze(0).expand([2, 6, 4]); // (2, 6, 4)
    y = y.slice(1, undefined, undefined, 2).slice(2, 1, 3); // (2, 3, 2)
    return T.cat([y.flatten(), t.narrow(1, 1, 2).select(2, 3).flatten(), t.slice(0, 0, 1).squeeze(0).repeat([1, 2]).flatten()]);
  }),
  gather: (x) => need(x, 'x').gather(1, need(x, 'idx')),
  index_select: (x) => need(x, 'x').indexSelect(0, need(x, 'idx')),
  index: (x) => need(x, 'x').index([need(x, 'i0'), need(x, 'i1')]),
  cat_split_stack: (x) => {
    const [a, b] = [need(x, 'x'), need(x, 'y')];
    const [p, q] = T.split(T.cat([a, b], 1), [2, 3], 1) as [Tensor, Tensor];
    return T.cat([p.mul(2).flatten(), q.sin().flatten(), T.stack([a.slice(1, undefined, 2), b]).flatten()]);
  },
  masked_fill: (x) => need(x, 'x').maskedFill(need(x, 'mask'), 0.5),
  where: (x) => T.where(need(x, 'cond'), need(x, 'x'), need(x, 'y').mul(2)),
  scatter_add: (x) => need(x, 'x').scatterAdd(1, need(x, 'idx'), need(x, 'src')),
  triangular: unaryCase((t) => t.triu(1).add(t.tril().mul(2))),

  embedding: (x) => T.embedding(need(x, 'weight'), need(x, 'idx'), 0),
  layer_norm: (x) => T.layerNorm(need(x, 'x'), [4], need(x, 'w'), need(x, 'b'), 1e-5),
  softmax: unaryCase((t) => t.softmax(1)),
  log_softmax: unaryCase((t) => t.logSoftmax(0)),
  gelu: unaryCase((t) => t.gelu()),
  gelu_tanh: unaryCase((t) => t.gelu('tanh')),
  tanh: unaryCase((t) => t.tanh()),
  sigmoid: unaryCase((t) => t.sigmoid()),
  relu: unaryCase((t) => t.relu()),

  cross_entropy: (x) =>
    T.crossEntropy(need(x, 'logits'), need(x, 'target'), { weight: need(x, 'weight'), ignoreIndex: -100, labelSmoothing: 0.1 }),
  cross_entropy_nd: (x) => T.crossEntropy(need(x, 'logits'), need(x, 'target'), { ignoreIndex: 3, labelSmoothing: 0.2, reduction: 'sum' }),
  nll_loss: (x) => T.nllLoss(need(x, 'logits').logSoftmax(1), need(x, 'target'), { reduction: 'none' }),
  bce_with_logits: (x) =>
    T.binaryCrossEntropyWithLogits(need(x, 'logits'), need(x, 'target'), { weight: need(x, 'weight'), posWeight: need(x, 'pos_weight') }),
  mse: (x) => T.mseLoss(need(x, 'x'), need(x, 'y')),
  smooth_l1: (x) => T.smoothL1Loss(need(x, 'x'), need(x, 'y'), 0.5),
};
