/**
 * `report_to: [tensorboard]`: a callback that writes the run's log records as TensorBoard scalars
 * (src/io/tensorboard), in `<output_dir>/runs/<date>_<time>_<host>/` as Hugging Face's default
 * logging_dir (one folder per training session; a resumed run adds a folder). Tags:
 *
 * - train records: `train/loss`, `train/learning_rate`, `train/epoch`, `train/<task>/loss`,
 *   `train/<task>/weight`, `train/examples_per_second`, `train/tokens_per_second`
 * - dev evaluations: `eval/<task>/<metric>`, `eval/<task>/loss`, `eval/<stream>/<metric>` (joint
 *   metrics), `eval/selection/<metric>`; the best checkpoint's test evaluation: the same under `test/`
 * - conflict records: `conflict/<task>~<task>/cosine`, `conflict/<task>~<task>/norm_ratio`
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { EventFileWriter, type ScalarValue } from '../io/tensorboard/index.js';
import type { LogRecord, TrainerCallback } from './callbacks.js';

type Numbers = Readonly<Record<string, unknown>>;

/** `prefix/<key>` for each numeric entry of `values` (absent or non-numeric entries are left out). */
function scalars(prefix: string, values: unknown): ScalarValue[] {
  if (values === null || typeof values !== 'object') return [];
  return Object.entries(values as Numbers)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([k, v]) => ({ tag: `${prefix}/${k}`, value: v }));
}

/** `prefix/<name>/<key>` for each object of numbers in `groups` (task → metrics). */
function grouped(prefix: string, groups: unknown): ScalarValue[] {
  if (groups === null || typeof groups !== 'object') return [];
  return Object.entries(groups as Numbers).flatMap(([name, values]) => scalars(`${prefix}/${name}`, values));
}

/** The scalars of one metrics.jsonl record (see the file comment); [] for records without any (start, interrupted). */
export function recordScalars(record: LogRecord): ScalarValue[] {
  const r = record as Numbers;
  switch (record.type) {
    case 'train':
      return [
        ...scalars('train', { loss: r.loss, learning_rate: r.learning_rate, epoch: r.epoch }),
        ...scalars('train', { examples_per_second: r.examples_per_second, tokens_per_second: r.tokens_per_second }),
        ...Object.entries((r.task_losses ?? {}) as Numbers).flatMap(([task, v]) => scalars(`train/${task}`, { loss: v })),
        ...Object.entries((r.task_weights ?? {}) as Numbers).flatMap(([task, v]) => scalars(`train/${task}`, { weight: v })),
      ];
    case 'eval': {
      const split = r.split === 'test' ? 'test' : 'eval';
      const losses = Object.entries((r.losses ?? {}) as Numbers).flatMap(([task, v]) => scalars(`${split}/${task}`, { loss: v }));
      const selection = r.selection as { metric?: unknown; value?: unknown } | undefined;
      const chosen = typeof selection?.metric === 'string' ? scalars(`${split}/selection`, { [selection.metric]: selection.value }) : [];
      return [...grouped(split, r.metrics), ...losses, ...grouped(split, r.joint), ...chosen];
    }
    case 'conflict':
      return grouped('conflict', r.pairs);
    default:
      return [];
  }
}

/** `2026-12-06_03-40-07_<host>`: a session's folder under runs/. */
function sessionName(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', '_').replaceAll(':', '-')}_${hostname()}`;
}

export class TensorBoardCallback implements TrainerCallback {
  #writer: EventFileWriter | undefined;

  /** @param logDir the session's folder (default `<outputDir>/runs/<date>_<time>_<host>`), created at the first record. */
  constructor(readonly logDir: string) {}

  /** The callback of a run writing into `outputDir`. */
  static forRun(outputDir: string, now: Date = new Date()): TensorBoardCallback {
    return new TensorBoardCallback(path.join(outputDir, 'runs', sessionName(now)));
  }

  /** The event file written (undefined before the first record). */
  get file(): string | undefined {
    return this.#writer?.file;
  }

  onLog(record: LogRecord): void {
    this.#writer ??= new EventFileWriter(this.logDir);
    this.#writer.addScalars(record.step, recordScalars(record));
  }
}
