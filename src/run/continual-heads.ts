/**
 * Continuing a trained model with more labels: a task the checkpoint knows keeps its label list, in
 * order, and the labels new to it are appended (`extendTaskRuns`), so an old label keeps its id; its
 * head's saved tensors are copied into the larger head along every dimension that counts the labels
 * (`loadEarlierHeads`: a classifier's weight rows and bias, a CRF's transitions, start and end), the
 * new labels' entries keeping their fresh initialisation. The old labels' logits are then unchanged.
 */
import { CheckpointError } from '../errors.js';
import type { LoadedCheckpoint, TaskRecord } from '../io/checkpoint.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { taskSpec } from '../tasks/index.js';
import { clone, copy_, keep, narrow, noGrad, tidy, type Tensor } from '../tensor/index.js';
import type { TaskRun } from './build.js';

/**
 * The runs with the earlier records' labels first: a run whose task `records` has (same name) takes
 * the record's options and labels, then the labels its data adds.
 * @throws CheckpointError when a task of the same name was of another type.
 */
export function extendTaskRuns(runs: readonly TaskRun[], records: readonly TaskRecord[], from: string): TaskRun[] {
  return runs.map((run) => {
    const record = records.find((r) => r.name === run.spec.name);
    if (record === undefined) return run;
    if (record.type !== run.spec.kind)
      throw new CheckpointError(
        `task '${run.spec.name}' is a ${record.type} task in ${from} but a ${run.spec.kind} task in the config; give the new task another name`,
      );
    const old = record.labels ?? [];
    const labels = [...old, ...run.spec.labels.filter((l) => !old.includes(l))];
    const spec = taskSpec({ name: run.spec.name, kind: run.spec.kind, labels, options: (record.options ?? {}) as Record<string, unknown> });
    return { ...run, spec, state: run.type.createState?.(spec) };
  });
}

/**
 * `fresh` (the new head's tensor) with `saved` copied into its leading block: every dimension must be
 * equal, or `oldLabels` in `saved` and `labels` in `fresh`.
 * @throws CheckpointError naming `key` when the shapes differ otherwise.
 */
export function extendLabelTensor(fresh: Tensor, saved: Tensor, oldLabels: number, labels: number, key: string): Tensor {
  const ok =
    fresh.ndim === saved.ndim && fresh.shape.every((n, d) => n === saved.shape[d] || (saved.shape[d] === oldLabels && n === labels));
  if (!ok)
    throw new CheckpointError(
      `${key}: the checkpoint's tensor of shape [${saved.shape.join(', ')}] does not fit the head's [${fresh.shape.join(', ')}] ` +
        `(only dimensions of ${oldLabels} labels may grow to ${labels})`,
    );
  return tidy(() =>
    noGrad(() => {
      const out = clone(fresh);
      let block = out;
      saved.shape.forEach((n, d) => {
        if (n !== fresh.shape[d]) block = narrow(block, d, 0, n);
      });
      copy_(block, saved);
      return keep(out);
    }),
  );
}

/**
 * Loads the checkpoint's heads into `model`'s heads of the same tasks, extended to their grown label
 * lists (see the file comment); heads of tasks the checkpoint lacks are left as they are.
 * @throws CheckpointError when a head's tensors are missing or do not fit.
 */
export function loadEarlierHeads(model: MultiTaskModel, ckpt: LoadedCheckpoint, labelCounts: ReadonlyMap<string, number>): void {
  for (const [name, saved] of ckpt.heads) {
    if (!model.taskNames.includes(name)) continue;
    const oldLabels = ckpt.tasks.find((t) => t.name === name)?.labels?.length ?? 0;
    const labels = labelCounts.get(name) ?? oldLabels;
    const head = model.heads.get(name);
    const made: Tensor[] = [];
    try {
      const state = new Map<string, Tensor>();
      for (const [key, fresh] of head.stateDict()) {
        const old = saved.get(key);
        if (old === undefined) throw new CheckpointError(`${ckpt.dir}: the head of task '${name}' has no '${key}'`);
        if (old.shape.every((n, d) => n === fresh.shape[d]) && old.ndim === fresh.ndim) state.set(key, old);
        else {
          const grown = extendLabelTensor(fresh, old, oldLabels, labels, `heads.${name}.${key}`);
          made.push(grown);
          state.set(key, grown);
        }
      }
      head.loadStateDict(state, { strict: true });
    } finally {
      for (const t of made) t.dispose();
    }
  }
}
