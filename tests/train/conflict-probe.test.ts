import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { headOf } from '../../src/eval/evaluate.js';
import type { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import type { PreparedRun } from '../../src/run/prepare.js';
import { collateJoint } from '../../src/tasks/index.js';
import { dispose, liveTensorCount, tidy } from '../../src/tensor/index.js';
import { sampleGradientConflicts } from '../../src/train/conflict-probe.js';
import { setUpRun } from '../../src/train/setup.js';
import { silentLogger } from '../../src/logger.js';
import { needsTinyRunData, tinyConfig, tinyRun, type RunFolder } from './trainer-fixture.js';

const data = needsTinyRunData();
let run: RunFolder;
let model: MultiTaskModel;
let prepared: PreparedRun;

before(async () => {
  if (data.skip) return;
  run = tinyRun();
  ({ model, prepared } = await setUpRun(tinyConfig(run, 'out'), {}, silentLogger));
});

after(() => {
  if (data.skip) return;
  model.dispose();
  run.remove();
});

/** Each task's gradient on the backbone by plain backward() into .grad (not the probe's autograd.grad), flattened, in float64. */
function gradientsByBackward(examples: number): Map<string, Float64Array> {
  const shared = model.backbone.parameters().filter((p) => p.requiresGrad);
  const out = new Map<string, Float64Array>();
  model.eval();
  for (const stream of prepared.streams) {
    const split = headOf(stream.splits.dev!, examples);
    for (const t of split.tasks) {
      const joint = collateJoint(
        [t],
        t.features.map((_, row) => row),
      );
      tidy(() => {
        const logits = model.forward(joint.inputs, [t.spec.name]);
        const task = { type: t.type, spec: t.spec, head: model.heads.get(t.spec.name), state: t.state };
        t.type.loss(task, logits.get(t.spec.name)!, joint.batches.get(t.spec.name)!).backward();
      });
      dispose(joint);
      out.set(
        t.spec.name,
        Float64Array.from(
          shared.flatMap((p) => (p.grad === undefined ? new Array(p.numel).fill(0) : [...(p.grad.toFlatArray() as number[])])),
        ),
      );
      for (const p of model.parameters()) p.zeroGrad();
    }
  }
  model.train();
  return out;
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('gradient-conflict probe', data, () => {
  it("gives each task pair's cosine and norm ratio as plain backward() passes do, and leaves .grad and the tensors as they were", () => {
    const live = liveTensorCount();
    const sample = sampleGradientConflicts(model, prepared.streams, 16)!;
    assert.equal(liveTensorCount(), live, 'the probe frees what it makes');
    assert.ok(
      model.parameters().every((p) => p.grad === undefined),
      'nothing reaches .grad',
    );
    assert.ok(model.training, 'training mode is restored');
    assert.deepEqual(Object.keys(sample.pairs), ['intent~slots', 'intent~sentiment', 'slots~sentiment']);
    const g = gradientsByBackward(16);
    for (const [pair, { cosine, norm_ratio }] of Object.entries(sample.pairs)) {
      const [a, b] = pair.split('~').map((name) => g.get(name)!);
      const [na, nb] = [Math.sqrt(dot(a!, a!)), Math.sqrt(dot(b!, b!))];
      assert.ok(Math.abs(cosine! - dot(a!, b!) / (na * nb)) < 1e-4, `${pair} cosine ${cosine} vs ${dot(a!, b!) / (na * nb)}`);
      assert.ok(Math.abs(norm_ratio! / (na / nb) - 1) < 1e-4, `${pair} norm ratio ${norm_ratio} vs ${na / nb}`);
    }
    assert.ok(sample.seconds > 0);
  });
});
