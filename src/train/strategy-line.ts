/** The 'strategy:' line a run logs at its start: how the tasks share each step, and what acts on the steps' losses. */
import type { TrainingConfig } from '../io/config/index.js';

/** What the line reads besides the config: the run's built parts. */
export interface StrategyLineParts {
  /** The sampler's kind ('uniform', 'temperature', …); shown with the alternating schedule. */
  readonly samplerKind: string;
  /** The gradient surgery method and the shared parameters it acts on, when there is one. */
  readonly surgery?: { readonly method: string; readonly parameters: number };
}

/**
 * E.g. 'strategy: alternating schedule (uniform sampler), static loss weighting, fgm adversarial training
 * (tasks intent, sentiment)' or '…, reptile meta-learning (3 inner SGD steps, learning rate 0.01)'.
 */
export function strategyLine(training: TrainingConfig['training'], parts: StrategyLineParts): string {
  const t = training;
  const schedule = `${t.taskSchedule} schedule${t.taskSchedule === 'alternating' ? ` (${parts.samplerKind} sampler)` : ''}`;
  const s = parts.surgery;
  const a = t.adversarial;
  const m = t.meta;
  return [
    `strategy: ${schedule}`,
    `${t.weighting.method} loss weighting`,
    ...(s === undefined ? [] : [`${s.method} on ${s.parameters.toLocaleString('en-US')} shared parameters`]),
    ...(a === null ? [] : [`${a.method} adversarial training (${a.tasks === undefined ? 'every task' : `tasks ${a.tasks.join(', ')}`})`]),
    ...(m === null
      ? []
      : [
          `${m.method} meta-learning (${m.innerSteps} inner SGD step${m.innerSteps === 1 ? '' : 's'}, learning rate ${m.innerLearningRate})`,
        ]),
  ].join(', ');
}
