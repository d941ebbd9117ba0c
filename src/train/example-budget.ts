/**
 * `training.max_examples_per_task`: a training length given as the examples every task is to be
 * trained on, turned into optimizer steps before the run (so the learning-rate schedule spans it).
 */
import { ConfigError } from '../errors.js';

/** What the plan needs of one training stream (the tasks reading one data source). */
export interface BudgetStream {
  /** Training examples in an epoch of the stream. */
  readonly size: number;
  /** Batches in an epoch of the stream (its mean batch size is size / batchesPerEpoch). */
  readonly batchesPerEpoch: number;
  /** The stream's expected batches per draw of the schedule: 1 under the joint schedule, its sampler probability under the alternating one. */
  readonly share: number;
}

/**
 * The fewest optimizer steps after which every stream (so every task it trains) is expected to have
 * been trained on `examples` examples: max over streams of ⌈examples / (drawsPerStep · share · size / batchesPerEpoch)⌉.
 * Under the joint schedule and the uniform (round-robin) sampler the shares are exact; under a random
 * sampler they hold in expectation. A stream's mean batch size is exact over whole epochs; within an
 * epoch the shorter batches at its length buckets' ends make the count differ by less than a batch or so.
 * @param drawsPerStep micro-batches per optimizer step (gradient accumulation × data-parallel ranks).
 * @throws ConfigError when a stream has no examples, no batches or no share of the draws.
 */
export function stepsForExamples(examples: number, streams: readonly BudgetStream[], drawsPerStep: number): number {
  let steps = 1;
  for (const [i, s] of streams.entries()) {
    if (!(s.size > 0 && s.batchesPerEpoch > 0 && s.share > 0))
      throw new ConfigError(
        `training.max_examples_per_task: stream ${i} has ${s.size} examples in ${s.batchesPerEpoch} batches and a share of ${s.share} of the draws; ` +
          'every trained stream needs examples and a share above 0 to reach a budget in examples (set its sampler probability above 0, or give max_steps)',
      );
    const perStep = (drawsPerStep * s.share * s.size) / s.batchesPerEpoch;
    steps = Math.max(steps, Math.ceil(examples / perStep - 1e-9));
  }
  return steps;
}
