/**
 * Checks of trainer_state.json against the run that resumes it, before any component takes its
 * state: src/io/checkpoint-state.ts checks each field's type when the file is read; here the fields
 * must agree with each other and with this run (a step within its steps, the dropout generator's
 * position that step implies), so a damaged or hand-edited file is refused with the field named
 * instead of ending as "completed after 1000000000 of 70 steps".
 */
import { CheckpointError } from '../errors.js';
import type { TrainerState } from '../io/checkpoint.js';

/** What the resuming run knows of itself. */
export interface RunExtent {
  /** Optimizer steps of the run (its max_steps or epochs, as now configured). */
  readonly totalSteps: number;
  /** Micro-batches per optimizer step (gradient_accumulation_steps). */
  readonly microBatchesPerStep: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStep = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Checks that `state` (read from `file`) is one this run can continue.
 * @throws CheckpointError naming `file`, the field, what it holds and what was expected: a global_step
 *   past the run's steps; a scheduler step, evaluation step or best step that disagrees with it; an
 *   rng_state that is not the generator state this trainer writes (method, seed, next micro-batch,
 *   collation states).
 */
export function checkRunState(state: TrainerState, file: string, run: RunExtent): void {
  const fail = (field: string, got: unknown, want: string) =>
    new CheckpointError(
      `${file}: '${field}' is ${JSON.stringify(got)}; expected ${want}. The file is damaged or was edited: resume from another checkpoint, or start the run again`,
    );
  const step = state.step;
  if (step > run.totalSteps)
    throw new CheckpointError(
      `${file}: 'global_step' is ${step}, past this run's ${run.totalSteps} steps; expected a step from 0 to ${run.totalSteps}. ` +
        `To train on from it, give more steps (--max-steps larger than ${step}); otherwise the file is damaged or was edited`,
    );
  if (state.bestStep !== null && state.bestStep > step)
    throw fail('best_global_step', state.bestStep, `a step from 0 to global_step (${step})`);
  const scheduler = state.scheduler;
  if (!isObject(scheduler) || scheduler.step !== step)
    throw fail('scheduler_state', scheduler, `an object whose step is global_step (${step})`);
  const early = state.earlyStopping;
  const lastEval = isObject(early) ? early.lastEvalStep : undefined;
  if (typeof lastEval !== 'number' || !Number.isSafeInteger(lastEval) || lastEval < -1 || lastEval > step)
    throw fail('early_stopping_state', early, `an object whose lastEvalStep is from -1 to global_step (${step})`);
  checkRng(state, run, fail);
}

function checkRng(state: TrainerState, run: RunExtent, fail: (field: string, got: unknown, want: string) => CheckpointError): void {
  const rng = state.rng;
  const want = (what: string) => `the dropout generator's state { method, seed, next_micro_batch, collation }, ${what}`;
  if (!isObject(rng)) throw fail('rng_state', rng, want('an object'));
  if (typeof rng.method !== 'string') throw fail('rng_state.method', rng.method, 'a string naming how dropout is seeded');
  if (rng.seed !== state.seed) throw fail('rng_state.seed', rng.seed, `the run's seed (${state.seed})`);
  const next = state.step * run.microBatchesPerStep;
  if (!isStep(rng.next_micro_batch) || rng.next_micro_batch !== next)
    throw fail('rng_state.next_micro_batch', rng.next_micro_batch, `global_step × micro-batches per step = ${next}`);
  if (!isObject(rng.collation)) throw fail('rng_state.collation', rng.collation, "an object of each masking task's generator state");
}
