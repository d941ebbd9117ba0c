/**
 * Evaluation of a multi-task model on a split: each stream's examples in length-sorted batches (a
 * pure function of the data and the batching settings, so `mtl eval` repeats it exactly), one encoder
 * pass per batch for all the stream's tasks, in evaluation mode without gradients; each task's
 * predictions scored by its type's `evaluate`, and the mean loss per task. Streams of an intent task
 * and a slot task over the same utterances also get sentence (semantic frame) accuracy.
 */
import { ConfigError } from '../errors.js';
import { LengthBucketBatcher } from '../data/index.js';
import { semanticFrameAccuracy, type JointFrame } from '../metrics/index.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { collateJoint, mainMetricOf, type Batch, type Metrics, type BatchInputs } from '../tasks/index.js';
import { dispose, inferenceMode, moveToDevice, noGrad, tidy } from '../tensor/index.js';
import type { Tokenizer } from '../tokenization/index.js';
import type { TrainingConfig } from '../io/config/index.js';
import type { Stream, StreamSplit, StreamTaskSplit } from '../run/streams.js';
import type { Split } from '../data/index.js';
import { foldOutcomes, gatherOutcomes, ownsBatch, type BatchOutcome, type EvalShard } from './shard.js';

/** What an evaluation found. Plain JSON. */
export interface EvalResult {
  readonly split: Split;
  /** task → its type's metrics (fractions). */
  readonly metrics: Record<string, Metrics>;
  /** task → mean loss per example over the split. */
  readonly losses: Record<string, number>;
  /** stream ('intent+slots') → { sentenceAccuracy }, for streams of one intent and one slot task. */
  readonly joint: Record<string, Metrics>;
  /** Examples evaluated (each stream's once). */
  readonly examples: number;
  readonly seconds: number;
  /** With `report`: task → its type's detailed report (per-label scores, confusion matrix, curves), for types that make one. */
  readonly reports?: Record<string, Readonly<Record<string, unknown>>>;
}

/** How evaluation batches are cut. */
export interface EvalBatching {
  readonly batchSize: number;
  readonly maxTokens?: number;
}

/** The evaluation batching of a run: at least 64 examples per batch (no gradients to hold), training's token limit. */
export function evalBatching(config: TrainingConfig): EvalBatching {
  const batchSize = Math.max(64, config.training.batchSize);
  const maxTokens = config.training.maxTokens;
  return maxTokens === undefined ? { batchSize } : { batchSize, maxTokens: Math.max(maxTokens, config.maxLength) };
}

type Prediction = { readonly exampleIndex: number };

/** What evaluation needs besides the model and the data. */
export interface EvalOptions {
  /** Also each task type's detailed report (`TaskType.report`). */
  readonly report?: boolean;
  /** The run's tokenizer: needed by tasks that generate text (seq2seq), whose outputs it decodes. */
  readonly tokenizer?: Tokenizer;
  /**
   * The ranks of a data-parallel run: each evaluates its share of the batches, and every rank gets the
   * metrics of the whole split (./shard.ts). Every rank must call with the same streams and split.
   */
  readonly shard?: EvalShard;
}

/**
 * How `task`'s predictions on `batch` are made: 'generated' (`TaskType.generate`) for a batch without
 * labels of a type that generates, or a labelled one where its `labelledScoring` says so (the default);
 * 'decoded' (`decode` on the logits the loss ran on, so the batch costs one forward pass) for the
 * others and 'teacher-forced' scoring; 'both' where `labelledScoring` says 'both' (each row's two
 * predictions merged, the generated one's fields last).
 */
function predictionSource(type: StreamTaskSplit['type'], options: unknown, batch: Batch): 'decoded' | 'generated' | 'both' {
  if (type.generate === undefined) return 'decoded';
  if (batch.labels === undefined) return 'generated';
  const scoring = type.labelledScoring?.(options) ?? 'generated';
  return scoring === 'teacher-forced' ? 'decoded' : scoring;
}

/** Each row's decoded and generated predictions merged (`{ ...decoded, ...generated }`), in row order. */
function mergedRows(decoded: readonly Prediction[], generated: readonly Prediction[], task: string): Prediction[] {
  return generated.map((g, i) => {
    const d = decoded[i];
    if (d?.exampleIndex !== g.exampleIndex)
      throw new ConfigError(
        `evaluating '${task}': decode and generate disagree on row ${i}'s example (${d?.exampleIndex} vs ${g.exampleIndex})`,
      );
    return { ...d, ...g };
  });
}

/**
 * Every task's predictions over one stream's split, and its summed loss (times examples). Tasks whose
 * type generates (`TaskType.generate`) are scored on generated outputs as `predictionSource` says; the
 * others on `decode` of the batch's one forward pass.
 */
async function predictStream(
  model: MultiTaskModel,
  data: StreamSplit,
  batching: EvalBatching,
  tokenizer: Tokenizer | undefined,
  shard: EvalShard | undefined,
) {
  // A fresh state per evaluation: a type whose collation draws random numbers (masked-LM) starts from
  // its seed at every evaluation, so evaluations repeat exactly and leave the training generator alone.
  const tasks = data.tasks.map((t) => {
    const state = t.type.createState?.(t.spec, 'evaluation');
    return { ...t, state, task: { type: t.type, spec: t.spec, head: model.heads.get(t.spec.name), state } };
  });
  const names = tasks.map((t) => t.spec.name);
  const batcher = new LengthBucketBatcher(data.lengths, { ...batching, shuffle: false });
  const device = model.parameters()[0]?.device ?? 'cpu'; // batches go where the model is
  const own: BatchOutcome<Prediction>[] = [];
  let index = 0;
  for (const rows of batcher.epochBatches(0)) {
    const batchIndex = index++;
    // Every rank collates every batch: collation may draw random numbers (masked-LM), in one-process order.
    const collated = collateJoint(tasks, rows);
    if (!ownsBatch(shard, batchIndex)) {
      dispose(collated);
      continue;
    }
    const joint = device === 'cpu' ? collated : moveToDevice(collated, device);
    const outcome: BatchOutcome<Prediction> = { batch: batchIndex, predictions: {}, losses: {} };
    const source = new Map(tasks.map((t) => [t, predictionSource(t.type, t.spec.options, joint.batches.get(t.spec.name)!)]));
    const generating = tasks.filter((t) => source.get(t) !== 'decoded');
    try {
      if (generating.length > 0 && tokenizer === undefined)
        throw new ConfigError(
          `evaluating ${generating.map((t) => `'${t.spec.name}'`).join(', ')} generates text and needs the run's tokenizer`,
        );
      noGrad(() =>
        tidy(() => {
          const logits = model.forward(joint.inputs, names);
          for (const t of tasks) {
            const name = t.spec.name;
            const batch = joint.batches.get(name)!;
            const out = logits.get(name)!;
            if (source.get(t) !== 'generated') outcome.predictions[name] = t.type.decode(t.task, out, batch, t.examples);
            if (batch.labels === undefined) continue;
            const value = t.type.loss(t.task, out, batch).item() as number;
            if (Number.isFinite(value)) outcome.losses[name] = [value, rows.length];
          }
        }),
      );
      for (const t of generating) {
        const batch = joint.batches.get(t.spec.name)!;
        const context = { task: t.task, backbone: model.backbone, tokenizer: tokenizer!, batch, examples: t.examples };
        const generated = await t.type.generate!(context);
        const decoded = outcome.predictions[t.spec.name];
        outcome.predictions[t.spec.name] = decoded === undefined ? generated : mergedRows(decoded, generated, t.spec.name);
      }
    } finally {
      dispose(joint);
    }
    own.push(outcome);
  }
  return foldOutcomes(names, await gatherOutcomes(shard, own));
}

/**
 * The metrics of `task`'s `evaluateAll` hook over the whole split (none when its type has no hook), under
 * inference mode: the hook only reads what it computes (every entity encoded, then ranked).
 */
function evaluateAll(model: MultiTaskModel, task: StreamTaskSplit): Metrics {
  const hook = task.type.evaluateAll;
  if (hook === undefined) return {};
  const name = task.spec.name;
  const forward = (inputs: BatchInputs) => model.forward(inputs, [name]).get(name)!;
  const owner = { type: task.type, spec: task.spec, head: model.heads.get(name), state: task.type.createState?.(task.spec, 'evaluation') };
  const context = { task: owner, forward, examples: task.examples, evalInputs: task.evalInputs ?? [] };
  return inferenceMode(() => tidy(() => hook(context)));
}

/**
 * Sentence accuracy of a stream of two tasks over words whose types are an utterance's intent and its
 * slots (their `framePart`s: sequence and token classification on SNIPS or ATIS).
 */
function jointMetrics(stream: Stream, data: StreamSplit, predictions: ReadonlyMap<string, Prediction[]>): Metrics | undefined {
  if (stream.runs.length !== 2 || stream.runs.some((r) => r.data.input !== 'words')) return undefined;
  const parts = stream.runs.map((r) => ({ name: r.spec.name, part: r.type.framePart?.(r.spec) }));
  const intent = parts.find((p) => p.part?.role === 'intent');
  const slots = parts.find((p) => p.part?.role === 'slots');
  if (intent?.part === undefined || slots?.part === undefined) return undefined;
  const byIndex = (name: string) => [...predictions.get(name)!].sort((a, b) => a.exampleIndex - b.exampleIndex);
  const [intents, tags] = [byIndex(intent.name), byIndex(slots.name)];
  const examplesOf = (name: string) => data.tasks.find((t) => t.spec.name === name)!.examples;
  const [intentGold, slotsGold] = [examplesOf(intent.name), examplesOf(slots.name)];
  const gold: JointFrame[] = data.examples.map((_, i) => ({
    intent: intent.part!.gold(intentGold[i]),
    slots: slots.part!.gold(slotsGold[i]) as readonly string[],
  }));
  const pred: JointFrame[] = data.examples.map((_, i) => ({
    intent: intent.part!.predicted(intents[i]!),
    slots: slots.part!.predicted(tags[i]!) as readonly string[],
  }));
  return { sentenceAccuracy: semanticFrameAccuracy(gold, pred) };
}

/**
 * Evaluates every stream that has `split` data. The model is put in evaluation mode and back. Tasks
 * that generate text need `options.tokenizer`.
 * @returns metrics, mean losses and joint metrics; tasks without data in `split` are absent.
 */
export async function evaluateStreams(
  model: MultiTaskModel,
  streams: readonly Stream[],
  split: Split,
  batching: EvalBatching,
  options: EvalOptions = {},
): Promise<EvalResult> {
  const started = performance.now();
  const wasTraining = model.training;
  const result: EvalResult = {
    split,
    metrics: {},
    losses: {},
    joint: {},
    examples: 0,
    seconds: 0,
    ...(options.report ? { reports: {} } : {}),
  };
  model.eval();
  try {
    for (const stream of streams) {
      const data = stream.splits[split];
      if (data === undefined || data.examples.length === 0) continue;
      const { predictions, loss } = await predictStream(model, data, batching, options.tokenizer, options.shard);
      const leader = (options.shard?.rank ?? 0) === 0;
      for (const t of data.tasks) {
        const name = t.spec.name;
        // A task's whole-split hook (ranking every entity) runs on rank 0 alone.
        const whole = leader ? evaluateAll(model, t) : {};
        result.metrics[name] = { ...t.type.evaluate(predictions.get(name)!, t.examples, t.spec), ...whole };
        if (result.reports !== undefined && t.type.report !== undefined)
          result.reports[name] = t.type.report(predictions.get(name)!, t.examples, t.spec);
        const l = loss.get(name)!;
        if (l.n > 0) result.losses[name] = l.sum / l.n;
      }
      const joint = jointMetrics(stream, data, predictions);
      if (joint !== undefined) result.joint[stream.name] = joint;
      (result as { examples: number }).examples += data.examples.length;
    }
  } finally {
    model.train(wasTraining);
  }
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** The first `n` examples of a split with their features (several per example for windowed tasks), for a quick check of the evaluation path. */
export function headOf(data: StreamSplit, n: number): StreamSplit {
  const k = Math.min(n, data.examples.length);
  return {
    tasks: data.tasks.map((t) => ({ ...t, features: t.features.filter((f) => f.exampleIndex < k), examples: t.examples.slice(0, k) })),
    examples: data.examples.slice(0, k),
    lengths: data.tasks[0]!.features.flatMap((f, i) => (f.exampleIndex < k ? [data.lengths[i]!] : [])),
  };
}

/**
 * The value of the selection metric: 'average' (the mean of each evaluated task's main metric),
 * '<task>.<metric>', or '<stream>.<metric>' for a metric of a stream's tasks together (`joint`: the
 * sentence accuracy of an intent + slots stream, `intent+slots.sentenceAccuracy`, as Stack-Propagation,
 * Qin et al. 2019, reports it).
 * @throws ConfigError naming the metrics there are, when the metric is not among them.
 */
export function selectionValue(result: EvalResult, metric: string, streams: readonly Stream[]): number {
  if (metric === 'average') {
    const values = streams
      .flatMap((s) => s.runs)
      .filter((r) => result.metrics[r.spec.name] !== undefined)
      .map((r) => result.metrics[r.spec.name]![mainMetricOf(r.type, r.spec.options).name] as number);
    if (values.length === 0) throw new ConfigError(`the selection metric 'average' needs ${result.split} data for at least one task`);
    return values.reduce((a, b) => a + b, 0) / values.length;
  }
  const dot = metric.indexOf('.');
  const [task, name] = [metric.slice(0, dot), metric.slice(dot + 1)];
  const value = result.metrics[task]?.[name] ?? result.joint[task]?.[name];
  if (value === undefined) {
    const known = [...Object.entries(result.metrics), ...Object.entries(result.joint)].flatMap(([t, m]) =>
      Object.keys(m).map((k) => `${t}.${k}`),
    );
    throw new ConfigError(
      `training.early_stopping.metric: '${metric}' is not a metric of this run; the ${result.split} metrics are ${known.join(', ')}`,
    );
  }
  return value;
}
