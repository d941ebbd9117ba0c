/**
 * What reading a task's data needs to know of its task type: the input kinds it reads, whether it
 * shares encoder passes, its classes (for `data.train_per_class`), whether a label lists references;
 * and the input kind a task reads (its data format's, when its type reads that).
 */
import { ConfigError } from '../errors.js';
import type { TaskConfig } from '../io/config/index.js';

/**
 * What a task reads as its input: pre-split words (joint-folder, conll), one text, a pair of texts, a
 * text a self-supervised objective makes its own targets of ('masked-text': masked-LM, replaced-token
 * detection, span corruption, causal LM), two entity descriptions per triple (link prediction), or a
 * dialogue's messages (chat). Its task type lists the kinds it reads; the data format picks among them
 * (`inputKindOf`).
 */
export type InputKind = 'words' | 'text' | 'pair' | 'masked-text' | 'triple' | 'messages';

/** What reading a task's data needs to know of its task type (src/tasks' TaskType has these fields). */
export interface TaskReading {
  /** The input kinds the type reads, in order of preference (see `inputKindOf`). */
  readonly inputs: readonly InputKind[];
  /** False when the type collates its own inputs, so its task never shares a batch or an encoder pass with another. */
  readonly sharesEncoderPass: boolean;
  /** The class of an example, for `data.train_per_class` (present on types with one label per example). */
  classOf?(example: unknown): string | undefined;
  /** True when a jsonl label field may list several references of one text (`TextExample.references`); default false. */
  readonly readsReferences?: boolean;
}

/** The task type's reading needs of a task (a lookup by `task.type` in the task-type registry). */
export type TaskReadingOf = (task: TaskConfig) => TaskReading;

/**
 * The input kind of a task: the one its data format gives ('words' for joint-folder, conll and cluener data,
 * 'pair' with `input.text_pair`, 'text' otherwise) when its type reads it, else the first its type reads.
 */
export function inputKindOf(task: TaskConfig, reading: TaskReading): InputKind {
  const given: InputKind =
    task.data.format === 'joint-folder' || task.data.format === 'conll' || task.data.format === 'cluener'
      ? 'words'
      : task.input?.textPair !== undefined
        ? 'pair'
        : 'text';
  if (reading.inputs.includes(given)) return given;
  const first = reading.inputs[0];
  if (first === undefined) throw new ConfigError(`task '${task.name}': its type ${task.type} lists no input kind it reads`);
  return first;
}
