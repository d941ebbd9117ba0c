/**
 * Adversarial training on the backbone's input embeddings (`training.adversarial`): FGM, PGD, FreeLB
 * and SMART (./methods.ts), per task, for every task type and model family (the perturbation goes in
 * through `Backbone.inputEmbeddings()`'s output hook, ./perturbation.ts).
 */
import { ConfigError } from '../../errors.js';
import { dispose, type Tensor } from '../../tensor/index.js';
import type { Task } from '../../tasks/index.js';
import type { Embedding } from '../../nn/embedding.js';
import { fgm, freelb, pgd, smart, type AdversarialLosses, type PassOutput } from './methods.js';
import { adversarialSettings, type AdversarialConfig, type AdversarialSettings } from './settings.js';

export { ascentDirection, ascentStep, exampleNorms, projectToBall, type AscentOptions, type PerturbationNorm } from './geometry.js';
export { perturbed, type DeltaSource, type PerturbedResult } from './perturbation.js';
export { fgm, freelb, pgd, smart, type AdversarialContext, type AdversarialLosses, type PassOutput } from './methods.js';
export {
  ADVERSARIAL_METHODS,
  adversarialSettings,
  type AdversarialConfig,
  type AdversarialMethod,
  type AdversarialSettings,
} from './settings.js';

const METHODS = { fgm, pgd, freelb, smart } as const;

/** A run's adversarial training: its settings and which tasks it applies to. */
export class Adversary {
  readonly settings: AdversarialSettings;
  readonly #enabled: ReadonlySet<string>;

  /**
   * @param taskNames the run's tasks; `config.tasks` (default all) must be among them.
   * @throws ConfigError for a task the run does not have.
   */
  constructor(config: AdversarialConfig, taskNames: readonly string[]) {
    this.settings = adversarialSettings(config);
    const chosen = config.tasks ?? taskNames;
    const unknown = chosen.filter((name) => !taskNames.includes(name));
    if (unknown.length > 0)
      throw new ConfigError(`training.adversarial.tasks names ${unknown.join(', ')}, not a task of the run (${taskNames.join(', ')})`);
    this.#enabled = new Set(chosen);
  }

  /** Whether `task` is trained adversarially. */
  enabled(task: string): boolean {
    return this.#enabled.has(task);
  }

  /**
   * The losses of one micro-batch's pass under the method: task → loss to back-propagate, and the clean losses.
   * Call inside `tidy`; back-propagate before it ends.
   * @param pass runs the pass's tasks on the batch (logits and losses), as often as the method needs.
   * @param embedding the backbone's input embeddings (`Backbone.inputEmbeddings()`).
   * @param weights task → weight of its loss in the ascent objective (`TrainingStrategy.taskWeights()`).
   */
  losses(
    pass: () => PassOutput,
    embedding: Embedding,
    tasks: readonly Task[],
    weights: Readonly<Record<string, number>>,
  ): AdversarialLosses {
    const owned: Tensor[] = [];
    try {
      return METHODS[this.settings.method](
        { pass, embedding, tasks, weights, enabled: (name) => this.enabled(name), owned },
        this.settings,
      );
    } finally {
      dispose(owned); // the graph keeps what backward still needs
    }
  }
}
