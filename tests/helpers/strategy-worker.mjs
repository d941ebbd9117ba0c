// Child process of tests/train/data-parallel-strategies.test.ts: trains a tiny two-task BERT (two
// sequence classifications, no dropout) for a few SGD steps through the training strategy given in
// argv, and prints one JSON line: the parameters, the strategy's state and the task weights of each step.
// argv: rank worldSize port readyDir strategy steps [naive]
//   worldSize 2: one rank of a Gloo group on loopback, training on its half of each step's 16 examples
//     (rank r: rows 8r … 8r + 7) with src/train/step.ts's backwardMicroBatch and the gradients' all-reduce;
//     'naive' instead back-propagates each rank's own batch through the strategy and only averages the
//     gradients (per-rank weights and combinations: what the per-task all-reduce replaces).
//   worldSize 1: one process on all 16 examples of each step (port and readyDir unused).
// Each loss is a mean over its batch, so the loss of the 16 is the mean of the two halves' losses.
import { register } from 'tsx/esm/api';
import { joinLoopbackGroup } from './loopback-group.mjs';

register();
const T = await import('../../src/tensor/index.ts');
const { DataParallel } = await import('../../src/distributed/data-parallel.ts');
const { BertModel, bertConfig } = await import('../../src/models/bert/index.ts');
const { MultiTaskModel } = await import('../../src/mtl/multitask-model.ts');
const { TrainingStrategy } = await import('../../src/mtl/strategy.ts');
const { taskSpec } = await import('../../src/tasks/index.ts');
const { SGD } = await import('../../src/optim/sgd.ts');
const { backwardMicroBatch } = await import('../../src/train/step.ts');
const { mulberry32 } = await import('../../src/random.ts');

const [rank, worldSize, port] = process.argv.slice(2, 5).map(Number);
const [readyDir, strategyJson, stepsText, mode] = process.argv.slice(5);
const steps = Number(stepsText);
const naive = mode === 'naive';
const VOCAB = 40;
const LENGTH = 6;
const PER_RANK = 8;

let dp;
if (worldSize > 1) {
  const group = await joinLoopbackGroup({ rank, worldSize, port, timeoutMs: 60_000, readyDir });
  dp = new DataParallel(group);
}

T.manualSeed(3);
const specs = [
  taskSpec({ name: 'topic', kind: 'sequence-classification', labels: ['x', 'y', 'z'] }),
  taskSpec({ name: 'polarity', kind: 'sequence-classification', labels: ['neg', 'pos'] }),
];
const backbone = new BertModel(
  bertConfig({
    vocabSize: VOCAB,
    hiddenSize: 16,
    numHiddenLayers: 2,
    numAttentionHeads: 2,
    intermediateSize: 24,
    maxPositionEmbeddings: 16,
    hiddenDropoutProb: 0,
    attentionProbsDropoutProb: 0,
  }),
);
const model = MultiTaskModel.fromSpecs(backbone, specs);
const strategy = JSON.parse(strategyJson);
const config = {
  seed: 11,
  tasks: [
    { name: 'topic', weight: 1 },
    { name: 'polarity', weight: 0.5 },
  ],
  training: { weighting: { method: 'static', ...strategy.weighting }, surgery: strategy.surgery ?? null },
};
const trainingStrategy = new TrainingStrategy(config, model, 1, dp && { rank: dp.rank, worldSize: dp.worldSize });
const params = [...model.parameters().filter((p) => p.requiresGrad), ...trainingStrategy.parameters()];
const optimizer = new SGD(params, { lr: 0.5 });

/** Step `s`'s 16 examples (the same on every rank): token ids, and labels that depend on them so the losses fall. */
function stepData(s) {
  const random = mulberry32(1000 + s);
  const ids = Array.from({ length: 2 * PER_RANK }, () => Array.from({ length: LENGTH }, () => 1 + Math.floor(random() * (VOCAB - 1))));
  const topic = ids.map((row) => row[1] % 3);
  const polarity = ids.map((row) => (row[2] + row[3] > VOCAB ? 1 : 0));
  const rows = worldSize === 1 ? [0, 2 * PER_RANK] : [rank * PER_RANK, (rank + 1) * PER_RANK];
  const cut = (v) => v.slice(...rows);
  return { ids: cut(ids), topic: cut(topic), polarity: cut(polarity) };
}

const weights = [];
for (let s = 0; s < steps; s++) {
  const data = stepData(s);
  const forward = () => {
    const inputIds = T.tensor(data.ids, { dtype: 'int64' });
    const logits = model.forward({ inputIds, attentionMask: T.onesLike(inputIds) }, ['topic', 'polarity']);
    const train = new Map([
      ['topic', T.crossEntropy(logits.get('topic'), T.tensor(data.topic, { dtype: 'int64' }))],
      ['polarity', T.crossEntropy(logits.get('polarity'), T.tensor(data.polarity, { dtype: 'int64' }))],
    ]);
    return { train, clean: train };
  };
  if (naive) T.tidy(() => trainingStrategy.backward(forward().train, 1));
  else await backwardMicroBatch(trainingStrategy, dp, forward, 1, 1);
  if (dp !== undefined) await dp.allReduceGradients(params);
  optimizer.step();
  optimizer.zeroGrad();
  weights.push(trainingStrategy.taskWeights());
}

process.stdout.write(
  `${JSON.stringify({
    rank: dp?.rank ?? 0,
    parameters: model.namedParameters().map(([name, p]) => [name, p.toFlatArray()]),
    state: trainingStrategy.state(),
    weights,
  })}\n`,
);
dp?.group.destroy();
