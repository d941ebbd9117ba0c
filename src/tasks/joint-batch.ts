/**
 * Batches that carry several tasks over the same input: intent and slots of one SNIPS utterance are
 * two tasks (sequence and token classification) that read the same text, so one batch pads the
 * input once and carries each task's labels, and the model runs the encoder once for all of them.
 */
import { DataError, ShapeError } from '../errors.js';
import { tidy } from '../tensor/index.js';
import { padInputs, sameSegments } from './features.js';
import type { AnyTaskType } from './registry.js';
import type { Batch, BatchInputs, Features, TaskSpec } from './types.js';

/** A task's features over a data source: `features[i]` is of example i of that source. */
export interface TaskFeatures {
  readonly spec: TaskSpec;
  readonly type: AnyTaskType;
  /** The task's state (its type's `createState`), which `collate` draws from. */
  readonly state: unknown;
  readonly features: readonly Features[];
  /** `featurize`'s `evalInputs` (see FeaturizeResult), for `evaluateAll`. */
  readonly evalInputs?: readonly Features[];
}

/** One batch for several tasks: the inputs, padded once, and each task's batch (sharing those input tensors). */
export interface JointBatch {
  readonly inputs: BatchInputs;
  /** task name → its batch; every batch's inputIds, attentionMask and tokenTypeIds are `inputs`' tensors. */
  readonly batches: Map<string, Batch>;
}

/**
 * Task names grouped by their input source (a key such as the data set's path and split, and the
 * text field read), in first-seen order: tasks in one group can share batches and encoder passes.
 * @example groupBySource([{ name: 'intent', source: 'snips/train' }, { name: 'slots', source: 'snips/train' }]) // [['intent', 'slots']]
 */
export function groupBySource(tasks: ReadonlyArray<{ readonly name: string; readonly source: string }>): string[][] {
  const groups = new Map<string, string[]>();
  for (const { name, source } of tasks) {
    const group = groups.get(source);
    if (group === undefined) groups.set(source, [name]);
    else group.push(name);
  }
  return [...groups.values()];
}

const sameIds = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The joint batch of examples `rows` (indices into each task's features) for tasks that read the
 * same examples. A single task's batch is its own `collate` (so a task that makes its own inputs can
 * be trained alone); several tasks share inputs padded once.
 * @throws DataError when the tasks' features differ in number, or in input ids or token types for a row
 *   (they were not made from the same examples and text, or with different maxLength).
 */
export function collateJoint(tasks: readonly TaskFeatures[], rows: readonly number[]): JointBatch {
  const [first, ...rest] = tasks;
  if (first === undefined) throw new ShapeError('collateJoint: no tasks given; pass at least one');
  const n = first.features.length;
  const pick = (t: TaskFeatures): Features[] =>
    rows.map((r) => {
      const f = t.features[r];
      if (f === undefined)
        throw new DataError(`collateJoint: row ${r} is outside the ${t.features.length} features of task '${t.spec.name}'`);
      return f;
    });
  const names = new Set(tasks.map((t) => t.spec.name));
  if (names.size !== tasks.length) throw new DataError(`collateJoint: a task is given twice (${tasks.map((t) => t.spec.name).join(', ')})`);
  const firstRows = pick(first);
  for (const t of rest) {
    if (t.features.length !== n) {
      throw new DataError(
        `collateJoint: task '${t.spec.name}' has ${t.features.length} features but '${first.spec.name}' has ${n}; tasks in one batch must read the same examples`,
      );
    }
    pick(t).forEach((f, i) => {
      const g = firstRows[i] as Features;
      if (!sameIds(f.inputIds, g.inputIds) || !sameSegments(f, g)) {
        throw new DataError(
          `collateJoint: tasks '${first.spec.name}' and '${t.spec.name}' do not read the same input for example ${g.exampleIndex}; ` +
            'featurize both from the same examples with the same maxLength',
        );
      }
    });
  }
  if (rest.length === 0) {
    // One task collates its own inputs: masked-LM masks them, link prediction stacks two texts per row.
    const batch = first.type.collate(first, firstRows);
    const { inputIds, attentionMask, tokenTypeIds, decoderLabels, wordCharIds, maskedLabels } = batch;
    return {
      inputs: {
        inputIds,
        attentionMask,
        tokenTypeIds,
        decoderLabels,
        ...(wordCharIds === undefined ? {} : { wordCharIds }),
        ...(maskedLabels === undefined ? {} : { maskedLabels }),
      },
      batches: new Map([[first.spec.name, batch]]),
    };
  }
  const taskRows = tasks.map((t) => (t === first ? firstRows : pick(t)));
  // The words' characters come from the task that reads them (slots with char_cnn), when one does.
  const charRows = taskRows.find((r) => r.some((f) => f.wordChars !== undefined)) ?? firstRows;
  // tidy: if a task's collate throws, the inputs already made are freed.
  return tidy(() => {
    const inputs = padInputs(firstRows, charRows);
    const batches = new Map<string, Batch>();
    tasks.forEach((t, i) => batches.set(t.spec.name, t.type.collate(t, taskRows[i] as Features[], inputs)));
    return { inputs, batches };
  });
}
