/**
 * Loss functions, checked against Python torch.nn.functional (tests/fixtures/ops.json, group
 * "loss"): cross-entropy with ignored targets, class weights, label smoothing, every reduction,
 * (N, C, d…) shapes and probability targets; NLL; BCE on logits with posWeight; MSE; smooth L1.
 */
import * as T from '../../src/tensor/index.js';
import { checkLiveTensorsAfterFile, expectTensor, fx, opsFixture, tidyTest, type TensorFixture } from './check.js';

interface TorchOptions {
  reduction?: T.Reduction;
  weight?: TensorFixture;
  ignore_index?: number;
  label_smoothing?: number;
  pos_weight?: TensorFixture;
}
interface Loss {
  cross_entropy: { name: string; logits: TensorFixture; target: TensorFixture; options: TorchOptions; out: TensorFixture }[];
  nll: { name: string; log_probs: TensorFixture; target: TensorFixture; options: TorchOptions; out: TensorFixture }[];
  bce: { x: TensorFixture; y: TensorFixture; cases: { name: string; options: TorchOptions; out: TensorFixture }[] };
  regression: {
    x: TensorFixture;
    y: TensorFixture;
    mse: { reduction: T.Reduction; out: TensorFixture }[];
    smooth_l1: { beta: number; reduction: T.Reduction; out: TensorFixture }[];
  };
}
const F = opsFixture<Loss>('loss');
const close = { rtol: 1e-5, atol: 1e-6 };

checkLiveTensorsAfterFile();

/** torch's keyword arguments as our options object. */
function options(o: TorchOptions) {
  return {
    reduction: o.reduction,
    weight: o.weight === undefined ? undefined : fx(o.weight),
    ignoreIndex: o.ignore_index,
    labelSmoothing: o.label_smoothing,
    posWeight: o.pos_weight === undefined ? undefined : fx(o.pos_weight),
  };
}

for (const c of F.cross_entropy) {
  tidyTest(`crossEntropy: ${c.name}`, () => {
    expectTensor(T.crossEntropy(fx(c.logits), fx(c.target), options(c.options)), c.out, close);
  });
}

for (const c of F.nll) {
  tidyTest(`nllLoss: ${c.name}`, () => {
    expectTensor(T.nllLoss(fx(c.log_probs), fx(c.target), options(c.options)), c.out, close);
  });
}

for (const c of F.bce.cases) {
  tidyTest(`binaryCrossEntropyWithLogits: ${c.name}`, () => {
    expectTensor(T.binaryCrossEntropyWithLogits(fx(F.bce.x), fx(F.bce.y), options(c.options)), c.out, close);
  });
}

tidyTest('mseLoss with each reduction', () => {
  const r = F.regression;
  for (const c of r.mse) expectTensor(T.mseLoss(fx(r.x), fx(r.y), c.reduction), c.out, { ...close, what: c.reduction });
});

tidyTest('smoothL1Loss with beta 1, 0.5, 2, 0 (= L1) and each reduction', () => {
  const r = F.regression;
  for (const c of r.smooth_l1) {
    expectTensor(T.smoothL1Loss(fx(r.x), fx(r.y), c.beta, c.reduction), c.out, { ...close, what: `beta ${c.beta}, ${c.reduction}` });
  }
});
