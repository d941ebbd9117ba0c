/**
 * A model folder loaded for prediction: a checkpoint of ours (`best/` or `last/` of a run), or a Hugging
 * Face Transformers task model (one task named after its pipeline), as an inference model, its
 * tokenizer, and each task with the input kind it reads. A checkpoint none of whose tasks answers a
 * text (link prediction only) is refused here, before its model is built.
 */
import { CheckpointError } from '../errors.js';
import type { InputKind } from '../data/task-reading.js';
import { loadCheckpoint, type TaskRecord } from '../io/checkpoint.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { isHfTaskFolder, loadHfTaskFolder } from '../run/hf-task-folder.js';
import { inferenceModelOf, specsOfRecords } from '../run/load-model.js';
import { makeTask, taskType, taskTypes, type AnyTaskType, type Task } from '../tasks/index.js';
import { Tokenizer } from '../tokenization/index.js';

/** A task of the loaded model, with the input kind it reads (its recorded one; else its type's first). */
export interface PredictTask extends Task {
  readonly input: InputKind;
}

/** What `loadModelFolder` gives: the caller owns `model` (dispose it). */
export interface ModelFolder {
  readonly model: MultiTaskModel;
  readonly tokenizer: Tokenizer;
  /** Every task of the folder, in its order. */
  readonly tasks: readonly PredictTask[];
  /** The model's max_length: tokens the encoder reads of one text (one window of a pair) at most. */
  readonly maxLength: number;
}

/** Whether `type` answers a text: it presents its predictions, or fills [MASK]s (a vocabulary label space). */
export const predictsTexts = (type: AnyTaskType): boolean => type.present !== undefined || type.labelSpace === 'vocabulary';

/** " and "-joined: "a, b and c". */
const listed = (xs: readonly string[]): string => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

/** Throws unless some task of the checkpoint makes a prediction per text. */
function checkPredictable(dir: string, tasks: readonly Pick<PredictTask, 'spec' | 'type'>[]): void {
  if (tasks.some((t) => predictsTexts(t.type))) return;
  const list = tasks.map((t) => `'${t.spec.name}' (${t.spec.kind})`).join(', ');
  const answered = taskTypes.all.filter(predictsTexts).map((t) => t.kind);
  throw new CheckpointError(
    `${dir}: nothing to predict: the checkpoint's ${tasks.length === 1 ? 'only task is' : 'tasks are'} ${list}, which ` +
      `make${tasks.length === 1 ? 's' : ''} no prediction for a text (${tasks.length === 1 ? 'its type presents' : 'their types present'} none); predict answers ` +
      `${listed(answered)} tasks. Measure the checkpoint with 'mtl eval ${dir}'`,
  );
}

/**
 * Loads `dir` for prediction (the folders `Predictor.load` takes): a checkpoint of ours, or a Hugging
 * Face Transformers task model as one task (`isHfTaskFolder`).
 * @throws CheckpointError for a missing or inconsistent checkpoint, one whose tasks make no
 *   prediction per text, or a Transformers folder of another class.
 */
export function loadModelFolder(dir: string): ModelFolder {
  if (isHfTaskFolder(dir)) {
    const hf = loadHfTaskFolder(dir);
    const task: PredictTask = { ...makeTask(hf.spec, hf.model.heads.get(hf.spec.name)), input: hf.record.input as InputKind };
    return { model: hf.model, tokenizer: hf.tokenizer, tasks: [task], maxLength: hf.maxLength };
  }
  const ckpt = loadCheckpoint(dir, { optimizer: false });
  try {
    const records = specsOfRecords(ckpt.tasks);
    const specs = ckpt.tasks.map((r: TaskRecord, i) => {
      const spec = records[i]!;
      const type = taskType(spec.kind);
      const input = (r.input as InputKind | undefined) ?? (type.inputs[0] as InputKind); // tasks.json before inputs were recorded
      return { spec, type, input };
    });
    checkPredictable(ckpt.dir, specs);
    const { model, maxLength } = inferenceModelOf(ckpt, records);
    const tasks = specs.map(({ spec, input }): PredictTask => ({ ...makeTask(spec, model.heads.get(spec.name)), input }));
    return { model, tokenizer: Tokenizer.fromFile(ckpt.tokenizerFile), tasks, maxLength };
  } finally {
    ckpt.dispose();
  }
}
