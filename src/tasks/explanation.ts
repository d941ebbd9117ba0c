/** What the task types share in naming the outputs `mtl predict --explain` explains (`TaskType.explanationTargets`). */
import { ConfigError } from '../errors.js';
import type { TaskSpec } from './types.js';

/**
 * The id of `label` in the task's label list.
 * @throws ConfigError naming the task and some of its labels when the list does not hold it.
 */
export function explainedLabelId(spec: Pick<TaskSpec, 'name' | 'labels'>, label: string): number {
  const id = spec.labels.indexOf(label);
  if (id >= 0) return id;
  const some = spec.labels.slice(0, 10).map((l) => `'${l}'`);
  throw new ConfigError(
    `task '${spec.name}' has no label '${label}' to explain; its ${spec.labels.length} labels include ${some.join(', ')}` +
      `${spec.labels.length > 10 ? ', …' : ''}; choose one of them, or none to explain the predicted label`,
  );
}
