/**
 * `training.gradient_conflict_every`: a probe of how the tasks' gradients on the shared backbone agree.
 * Each stream's first `examples` dev examples (a fixed batch, so samples over training compare like
 * with like) go through the model without dropout; each task's own loss (unweighted) is differentiated
 * by the backbone's trainable parameters (torch.autograd.grad per task: nothing reaches `.grad`, the
 * training step is untouched), giving G (K, P); the Gramian GGᵀ gives every pair's cosine similarity
 * and norm ratio (src/mtl/conflict.ts). Cost: one forward per stream and K backward passes, every N
 * steps; memory K × P floats for G.
 */
import { gradientConflicts, type GradientConflicts } from '../mtl/conflict.js';
import { taskLosses, type MultiTaskModel } from '../mtl/multitask-model.js';
import { gramian } from '../mtl/surgery/gramian.js';
import { taskJacobian } from '../mtl/surgery/jacobian.js';
import type { Stream } from '../run/streams.js';
import { headOf } from '../eval/evaluate.js';
import { collateJoint } from '../tasks/index.js';
import { dispose, tidy, type Tensor } from '../tensor/index.js';

/** One sample: the conflicts, and the probe's wall-clock time in seconds. */
export type ConflictSample = GradientConflicts & { readonly seconds: number };

/**
 * Samples the gradient conflicts of every task with dev data (streams without dev data are left out).
 * @param examples dev examples per stream (the first ones).
 * @returns undefined when fewer than two tasks have dev data or the backbone has no trainable parameter.
 */
export function sampleGradientConflicts(model: MultiTaskModel, streams: readonly Stream[], examples: number): ConflictSample | undefined {
  const started = performance.now();
  const shared = model.backbone.parameters().filter((p) => p.requiresGrad);
  const probed = streams.filter((s) => s.splits.dev !== undefined);
  if (shared.length === 0 || probed.reduce((n, s) => n + s.runs.length, 0) < 2) return undefined;
  const wasTraining = model.training;
  model.eval();
  try {
    const names: string[] = [];
    const gram = tidy(() => {
      const losses: Tensor[] = [];
      for (const stream of probed) {
        const split = headOf(stream.splits.dev!, examples);
        const tasks = split.tasks.map((t) => ({ ...t, state: t.type.createState?.(t.spec) }));
        const joint = collateJoint(
          tasks,
          tasks[0]!.features.map((_, row) => row),
        );
        try {
          const logits = model.forward(
            joint.inputs,
            tasks.map((t) => t.spec.name),
          );
          const owners = tasks.map((t) => ({ type: t.type, spec: t.spec, head: model.heads.get(t.spec.name), state: t.state }));
          for (const [name, loss] of taskLosses(logits, joint, owners)) {
            losses.push(loss);
            names.push(name);
          }
        } finally {
          dispose(joint);
        }
      }
      return gramian(taskJacobian(losses, shared, { retainGraph: false })); // (K, K) from G (K, P)
    });
    const flat = gram.toFlatArray() as number[];
    gram.dispose();
    const k = names.length;
    const rows = Array.from({ length: k }, (_, i) => flat.slice(i * k, (i + 1) * k));
    return { ...gradientConflicts(names, rows), seconds: (performance.now() - started) / 1000 };
  } finally {
    model.train(wasTraining);
  }
}
