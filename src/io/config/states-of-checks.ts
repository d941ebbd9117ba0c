/**
 * The rule of a task's `states_of` (a head that reads another task's BiLSTM states, src/mtl/shared-states.ts):
 * it names another task of the config, and that task has a `bilstm`. Whether the task type takes the key
 * at all is checked with the other kind-specific keys (./checks.ts).
 */
import type { SnakeTrainingConfig } from './schema.js';
import type { ConfigPath } from './yaml-source.js';

/** Adds an issue at `tasks[i].states_of` for each `states_of` that names no other task with a `bilstm`. */
export function checkStatesOf(config: SnakeTrainingConfig, report: (path: ConfigPath, message: string) => void): void {
  config.tasks.forEach((task, i) => {
    const name = task.states_of;
    if (name === undefined) return;
    const at = ['tasks', i, 'states_of'];
    const other = config.tasks.find((t) => t.name === name);
    const names = config.tasks.map((t) => `'${t.name}'`).join(', ');
    if (name === task.name) report(at, `task '${task.name}' cannot read its own states; name a task with a bilstm`);
    else if (other === undefined) report(at, `names task '${name}', which this config does not have (its tasks: ${names})`);
    else if (other.bilstm === undefined)
      report(at, `task '${name}' has no bilstm, so no states to read; give it 'bilstm: {}' or remove states_of`);
  });
}
