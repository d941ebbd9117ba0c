/**
 * Continual training: `mtl train CONFIG --from CKPT` (its config: ./continual-config.ts) goes on from a trained model with new data or new
 * tasks. The model starts as the checkpoint was (its encoder, tokenizer and every head; a task named
 * again keeps its head, its label list extended by the labels new to it, old label ids keeping their
 * rows: src/run/continual-heads.ts); new tasks get fresh heads. The checkpoint's tasks that the config
 * does not name stay in the run (their heads kept and saved, their dev sets evaluated, so forgetting
 * shows in metrics.jsonl) and, against forgetting:
 * - `continual.rehearsal`: each earlier task trains on a seeded sample of its training examples (a
 *   replay buffer of `examples`, drawn with the run's seed), mixed with the new data by the sampler;
 *   without it they are evaluated only (`train: false`);
 * - `continual.ewc`: elastic weight consolidation (./ewc.ts) with the Fisher of the earlier tasks,
 *   each on `examples` of its training examples, at the checkpoint's weights.
 */
import { CheckpointError } from '../errors.js';
import type { LoadedCheckpoint } from '../io/checkpoint.js';
import type { Logger } from '../logger.js';
import { loadEarlierHeads } from '../run/continual-heads.js';
import type { TrainingConfig } from '../io/config/index.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { taskLosses } from '../mtl/multitask-model.js';
import { mulberry32, shuffleInPlace } from '../random.js';
import { taskOfRun } from '../run/build.js';
import type { PreparedRun } from '../run/prepare.js';
import { collateJoint } from '../tasks/index.js';
import { Ewc, fisherDiagonal } from './ewc.js';

/** `count` of `n` indices in a seeded random order (all of them when n ≤ count). */
function sample(n: number, count: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  return shuffleInPlace(order, mulberry32(seed)).slice(0, count);
}

/**
 * EWC for the earlier tasks `earlier`: every trainable parameter of `model` (at the checkpoint's
 * weights) anchored, with the Fisher summed over the tasks, each estimated on `examples` of its
 * training examples (seeded by `seed`) one at a time, without dropout.
 * @throws CheckpointError when an earlier task has no training examples to estimate it on.
 */
export function earlierTasksEwc(
  model: MultiTaskModel,
  prepared: PreparedRun,
  earlier: readonly string[],
  settings: { readonly lambda: number; readonly examples: number },
  seed: number,
): Ewc {
  const params = model
    .namedParameters()
    .filter(([, p]) => p.requiresGrad)
    .map(([, p]) => p);
  const wasTraining = model.training;
  model.eval();
  let total: ReturnType<typeof fisherDiagonal> | undefined;
  try {
    for (const name of earlier) {
      const stream = prepared.streams.find((s) => s.runs.some((r) => r.spec.name === name));
      const run = stream?.runs.find((r) => r.spec.name === name);
      const features = stream?.splits.train?.tasks.find((t) => t.spec.name === name);
      if (run === undefined || features === undefined || features.features.length === 0)
        throw new CheckpointError(`EWC: the earlier task '${name}' has no training examples to estimate its Fisher information on`);
      const rows = sample(features.features.length, settings.examples, seed);
      const task = taskOfRun(run, model);
      const fisher = fisherDiagonal(params, rows.length, (i) => {
        const batch = collateJoint([features], [rows[i]!]);
        return taskLosses(model.forward(batch.inputs, [name]), batch, [task]).get(name)!;
      });
      if (total === undefined) total = fisher;
      else {
        total.forEach((t, k) => t.add_(fisher[k]!));
        for (const t of fisher) t.dispose();
      }
    }
  } catch (e) {
    for (const t of total ?? []) t.dispose();
    throw e;
  } finally {
    model.train(wasTraining);
  }
  return new Ewc(params, total ?? [], settings.lambda);
}

/**
 * Puts the checkpoint `earlier` into the freshly built `model` of a continual run: its heads (label
 * lists extended), the heads of tasks evaluated only frozen, and, with `continual.ewc`, the EWC
 * penalty at these weights. Called before a resumed run's own weights are loaded, so a resume
 * anchors EWC where the first start did.
 * @returns the EWC penalty (owned by the caller), or undefined without `continual.ewc`.
 */
export function continueFrom(
  earlier: LoadedCheckpoint,
  model: MultiTaskModel,
  prepared: PreparedRun,
  config: TrainingConfig,
  logger: Logger,
): Ewc | undefined {
  const labels = new Map(prepared.runs.map((r) => [r.spec.name, r.spec.labels.length]));
  loadEarlierHeads(model, earlier, labels);
  const known = earlier.tasks.map((t) => t.name).filter((n) => model.taskNames.includes(n));
  const evalOnly = prepared.runs.filter((r) => r.data.task.train === false).map((r) => r.spec.name);
  for (const name of evalOnly) model.heads.get(name).requiresGrad_(false);
  const grown = earlier.tasks
    .filter((t) => (labels.get(t.name) ?? 0) > (t.labels?.length ?? 0))
    .map((t) => `${t.name} ${t.labels?.length ?? 0} → ${labels.get(t.name)} labels`);
  const fresh = model.taskNames.filter((n) => !known.includes(n));
  logger.info(
    `continual: from ${earlier.dir}: heads of ${known.join(', ')} loaded${grown.length > 0 ? ` (${grown.join(', ')})` : ''}` +
      `; new heads: ${fresh.length > 0 ? fresh.join(', ') : 'none'}; evaluated only: ${evalOnly.length > 0 ? evalOnly.join(', ') : 'none'}`,
  );
  const settings = config.continual?.ewc;
  if (settings === null || settings === undefined) return undefined;
  const ewc = earlierTasksEwc(model, prepared, known, settings, config.seed);
  logger.info(
    `continual: EWC with λ = ${settings.lambda}, the Fisher of ${known.join(', ')} on ${settings.examples} training examples each`,
  );
  return ewc;
}
