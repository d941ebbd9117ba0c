/**
 * The curves of a run, read from its metrics.jsonl records (src/train/run-log.ts): what `mtl report`
 * draws. Every series is a list of (step, value) points in step order.
 */

/** A point of a curve: x the optimizer step (or a rate for ROC/PR), y the value. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

type Curves = Record<string, Point[]>;

export interface RunSeries {
  /** The weighted total loss, the learning rate (train records). */
  readonly loss: Point[];
  readonly learningRate: Point[];
  /** task → its training loss; task → its loss weight. */
  readonly taskLoss: Curves;
  readonly taskWeight: Curves;
  /** task (or joint stream) → metric → dev values; task → dev loss. */
  readonly evalMetrics: Record<string, Curves>;
  readonly evalLoss: Curves;
  /** '<task>~<task>' → cosine similarity / norm ratio of their gradients on the shared backbone. */
  readonly conflictCosine: Curves;
  readonly conflictNormRatio: Curves;
  /** Seconds each conflict sample took; the steps between samples (`gradient_conflict_every`), null without samples. */
  readonly conflictSeconds: number[];
  readonly conflictEvery: number | null;
  /** Seconds per optimizer step between consecutive train records of one session (training time only). */
  readonly stepSeconds: number[];
}

type Rec = Readonly<Record<string, unknown>>;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const objectOf = (v: unknown): Rec => (v !== null && typeof v === 'object' ? (v as Rec) : {});

/** Appends (step, value) to `curves[name]` when value is a number. */
function add(curves: Curves, name: string, step: number, value: unknown): void {
  if (!isNumber(value)) return;
  (curves[name] ??= []).push({ x: step, y: value });
}

/** The curves of `records` (metrics.jsonl, in file order); the dev split's evaluations only. */
export function runSeries(records: readonly Rec[]): RunSeries {
  const s = {
    loss: [] as Point[],
    learningRate: [] as Point[],
    taskLoss: {} as Curves,
    taskWeight: {} as Curves,
    evalMetrics: {} as Record<string, Curves>,
    evalLoss: {} as Curves,
    conflictCosine: {} as Curves,
    conflictNormRatio: {} as Curves,
    conflictSeconds: [] as number[],
    conflictEvery: null as number | null,
    stepSeconds: [] as number[],
  };
  let previous: { step: number; elapsed: number } | undefined;
  for (const r of records) {
    const step = r.step;
    if (!isNumber(step)) continue;
    if (r.type === 'train') {
      if (isNumber(r.loss)) s.loss.push({ x: step, y: r.loss });
      if (isNumber(r.learning_rate)) s.learningRate.push({ x: step, y: r.learning_rate });
      for (const [task, v] of Object.entries(objectOf(r.task_losses))) add(s.taskLoss, task, step, v);
      for (const [task, v] of Object.entries(objectOf(r.task_weights))) add(s.taskWeight, task, step, v);
      const elapsed = r.elapsed_seconds;
      if (isNumber(elapsed)) {
        if (previous !== undefined && step > previous.step && elapsed > previous.elapsed)
          s.stepSeconds.push((elapsed - previous.elapsed) / (step - previous.step));
        previous = { step, elapsed };
      }
    } else if (r.type === 'start') {
      previous = undefined; // a new session's clock
    } else if (r.type === 'eval' && r.split === 'dev') {
      for (const group of [r.metrics, r.joint])
        for (const [task, metrics] of Object.entries(objectOf(group)))
          for (const [name, v] of Object.entries(objectOf(metrics))) add((s.evalMetrics[task] ??= {}), name, step, v);
      for (const [task, v] of Object.entries(objectOf(r.losses))) add(s.evalLoss, task, step, v);
    } else if (r.type === 'conflict') {
      for (const [pair, m] of Object.entries(objectOf(r.pairs))) {
        add(s.conflictCosine, pair, step, objectOf(m).cosine);
        add(s.conflictNormRatio, pair, step, objectOf(m).norm_ratio);
      }
      if (isNumber(r.seconds)) s.conflictSeconds.push(r.seconds);
      if (isNumber(r.every)) s.conflictEvery = r.every;
    }
  }
  return s;
}
