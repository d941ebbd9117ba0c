/**
 * `MultiTaskModel`: one shared backbone (any registered family, src/models/registry.ts) and one head
 * per task (hard parameter sharing; Caruana, "Multitask Learning", Machine Learning 1997). Parameters
 * are named `encoder.…` (the backbone's own names under the module path `encoder`, which configs'
 * parameter patterns such as `encoder.encoder.layer.1` address) and `heads.<task>.…`; saved files
 * use Hugging Face's names for the backbone (the family's base-model prefix, `bert.…`, by the
 * family's `HfNaming`) and keep `heads.<task>.…`.
 *
 * Tasks that read the same input (intent and slots of an utterance) share one encoder pass: `forward`
 * encodes a batch once and runs every named head on it. A head may read another head's BiLSTM states
 * instead of the encoder's (`states_of`; ./shared-states.ts).
 *
 * Heads are tied to the backbone when they join (`TaskHead.tieTo`: the masked-LM decoder uses the
 * input embeddings). A model with exactly one head holding the family's masked-LM head (BERT's
 * `cls.predictions.…`, see src/tasks/masked-lm.ts) saves it under that name, beside `bert.…`, so the
 * file loads into BertForMaskedLM; and such a file (ours or Hugging Face's) loads into that head.
 */
import { ConfigError } from '../errors.js';
import type { Backbone, ModelInputs } from '../models/backbone.js';
import { Module, type LoadResult } from '../nn/module.js';
import { mmoeView, type MMoE } from './mmoe.js';
import { createHeads, forwardSharingStates, providerHead, statesOfSpecs } from './shared-states.js';
import { attachChild, withAdapter } from './peft/sites.js';
import { tidy, type Tensor } from '../tensor/index.js';
import { type BatchInputs, type EncoderOutputs, type JointBatch, type Task, type TaskHead, type TaskSpec } from '../tasks/index.js';

const ENCODER = 'encoder.';
const HEADS = 'heads.';

/** The heads by task name (children named after the tasks, so their paths are `heads.<task>.…`). */
export class TaskHeads extends Module {
  readonly #heads = new Map<string, TaskHead>();

  constructor(heads: ReadonlyMap<string, TaskHead>) {
    super();
    for (const [name, head] of heads) this.#heads.set(name, this.registerModule(name, head));
  }

  /** The head of `task`; ConfigError naming the known tasks otherwise. */
  get(task: string): TaskHead {
    const head = this.#heads.get(task);
    if (head === undefined)
      throw new ConfigError(`no head for task '${task}'; the model has heads for: ${[...this.#heads.keys()].join(', ')}`);
    return head;
  }

  get names(): string[] {
    return [...this.#heads.keys()];
  }
}

export class MultiTaskModel extends Module {
  /** The shared backbone, registered under the module path `encoder`. */
  readonly backbone: Backbone;
  readonly heads: TaskHeads;
  /**
   * Per-task adapters (src/mtl/peft): when true, each task's encoder pass runs with the adapter named
   * after the task, so tasks of one batch no longer share a pass. Default false (hard sharing).
   */
  taskAdapters = false;
  #mmoe: MMoE | undefined;
  /** Reader task → the task whose sequence states its head reads (`states_of`). */
  readonly #readers: ReadonlyMap<string, string>;

  /**
   * @param heads task name → head; names must be non-empty and contain no '.'.
   * @param readers task → the task whose sequence states its head reads (built on that head's `sequenceStateSize`); default none.
   * @example
   *   const model = MultiTaskModel.fromSpecs(createBackbone(config), [intentSpec, slotSpec]);
   *   const logits = tidy(() => model.forward(batch.inputs, ['intent', 'slots'])); // one backbone pass
   */
  constructor(backbone: Backbone, heads: ReadonlyMap<string, TaskHead>, readers: ReadonlyMap<string, string> = new Map()) {
    super();
    if (heads.size === 0) throw new ConfigError('a MultiTaskModel needs at least one task head');
    for (const [reader, provider] of readers) {
      if (!heads.has(reader)) throw new ConfigError(`readers names task '${reader}', which has no head`);
      providerHead(heads, readers, reader, provider);
    }
    this.#readers = readers;
    this.backbone = this.registerModule('encoder', backbone);
    this.heads = this.registerModule('heads', new TaskHeads(heads));
    for (const head of heads.values()) head.tieTo(backbone);
  }

  /** A model with a fresh head per spec (each made by its task type, a reader's on its provider's states) on `backbone`. */
  static fromSpecs(backbone: Backbone, specs: readonly TaskSpec[]): MultiTaskModel {
    const heads = createHeads(backbone.config, specs);
    try {
      return new MultiTaskModel(backbone, heads, statesOfSpecs(specs));
    } catch (e) {
      for (const head of heads.values()) head.dispose();
      throw e;
    }
  }

  /**
   * Puts a Multi-gate Mixture-of-Experts layer (./mmoe.ts) between the backbone and the heads: each
   * head reads its task's mixture of the experts' outputs. Its parameters are registered under the
   * backbone's layer stack (`Backbone.layerStack`; BERT: `encoder.encoder.mmoe.…`, saved as
   * `encoder.mmoe.…`), so checkpoints keep their two owners, backbone and heads. Its tasks must be the model's.
   * @throws ConfigError when the model already has one or the tasks differ.
   */
  useMmoe(mmoe: MMoE): void {
    if (this.#mmoe !== undefined) throw new ConfigError('this model already has an MMoE layer');
    const tasks = [...mmoe.config.tasks].sort().join(', ');
    if (tasks !== [...this.taskNames].sort().join(', '))
      throw new ConfigError(`the MMoE's gates are for ${tasks}, but the model's tasks are ${[...this.taskNames].sort().join(', ')}`);
    this.#mmoe = attachChild(this.backbone.layerStack(), 'mmoe', mmoe);
  }

  /** The MMoE layer, if any. */
  get mmoe(): MMoE | undefined {
    return this.#mmoe;
  }

  /** The task names, in head order. */
  get taskNames(): string[] {
    return this.heads.names;
  }

  /**
   * Runs the backbone ONCE on the batch and the head of each task in `taskNames` on its output (heads
   * that do not read the backbone get the inputs instead, and when no head reads it there is no backbone pass).
   * @param inputs (B, T) int64 inputIds, attentionMask (optional), tokenTypeIds (optional); wordCharIds (B, T, L) (optional) for heads that read characters; maskedLabels for a head that reads them (replaced-token detection; masked-LM, which then predicts at the masked positions only).
   * @returns task → logits (shape set by the task type: (B, C), (B, T, C), …); intermediates are freed.
   * @throws ConfigError for an unknown or repeated task name (before any computation).
   */
  forward(inputs: ModelInputs & Pick<BatchInputs, 'wordCharIds' | 'maskedLabels'>, taskNames: readonly string[]): Map<string, Tensor> {
    if (taskNames.length === 0) throw new ConfigError('forward: no task names given; name at least one task to run');
    if (new Set(taskNames).size !== taskNames.length) throw new ConfigError(`forward: a task is named twice in [${taskNames.join(', ')}]`);
    const heads = taskNames.map((name) => [name, this.heads.get(name)] as const);
    const mmoe = this.#mmoe;
    return tidy(() => {
      const mask = {
        ...(inputs.attentionMask === undefined ? {} : { attentionMask: inputs.attentionMask }),
        ...(inputs.wordCharIds === undefined ? {} : { wordCharIds: inputs.wordCharIds }), // for heads that read characters
        ...(inputs.maskedLabels === undefined ? {} : { maskedLabels: inputs.maskedLabels }), // masked-LM: logits at the masked positions only
      };
      const encode = (): EncoderOutputs => ({ ...this.backbone.forward(inputs), ...mask });
      const encoderHeads = heads.filter(([, head]) => head.readsEncoder).length;
      const shared = this.taskAdapters || encoderHeads === 0 ? undefined : encode(); // (B, T, H) and (B, H), shared by every head
      const run = (name: string, head: TaskHead): Tensor => {
        if (!head.readsEncoder) return head.forwardInputs(inputs); // free embeddings: no encoder pass
        const encoded = shared ?? withAdapter(this.backbone, name, encode); // per-task adapters: a pass per task
        return head.forward(mmoe === undefined ? encoded : mmoeView(mmoe, encoded, name));
      };
      if (this.#readers.size === 0) return new Map(heads.map(([name, head]) => [name, run(name, head)]));
      if (shared === undefined || mmoe !== undefined)
        throw new ConfigError(
          "a head that reads another head's states (states_of) needs one shared encoder pass: no per-task adapters, no MMoE",
        );
      return forwardSharingStates(heads, shared, this.#readers, (task) => this.heads.get(task), run);
    });
  }

  /**
   * The parameters under the names saved in `model.safetensors`: the backbone's under Hugging Face
   * names with `prefix` (default the family's base-model prefix, `bert.` as BertFor… models; '' for
   * the base model's own), heads under `heads.<task>.…`. The model's own tensors, not copies: do not dispose them.
   */
  savedStateDict(prefix: string = this.backbone.hfNames.basePrefix): Map<string, Tensor> {
    const out = this.backbone.hfNames.toHf(this.backbone.stateDict(), prefix);
    const mlm = this.#mlmTask();
    const own = mlm === undefined ? undefined : `${mlm}.${this.#mlmPrefix}`;
    for (const [key, t] of this.heads.stateDict()) {
      out.set(own !== undefined && key.startsWith(own) ? key.slice(mlm!.length + 1) : HEADS + key, t);
    }
    return out;
  }

  /** The family's masked-LM head prefix (`cls.predictions.`), or undefined when it has none. */
  get #mlmPrefix(): string | undefined {
    return this.backbone.hfNames.mlmHeadPrefix;
  }

  /** The task whose head holds the family's masked-LM head (`cls.predictions.…`) when exactly one does (its saved names are Hugging Face's). */
  #mlmTask(): string | undefined {
    const prefix = this.#mlmPrefix;
    if (prefix === undefined) return undefined;
    const holders = this.heads.names.filter((name) => [...this.heads.get(name).namedParameters()].some(([key]) => key.startsWith(prefix)));
    return holders.length === 1 ? holders[0] : undefined;
  }

  /**
   * Loads a saved state (names as `savedStateDict` writes them, or a Hugging Face checkpoint of the
   * backbone's family, converted by its `HfNaming`: for BERT the `bert.` prefix or none,
   * TensorFlow-era LayerNorm names, `cls.predictions.…` into the one MLM head, the tied
   * `cls.predictions.decoder.*` copies skipped). Everything is checked before anything is copied.
   * Keys in the result are saved names (`bert.…`, `heads.<task>.…`).
   * @param options.strict (default true) every parameter present, no unknown entry; pass false to
   *   load a pre-trained encoder into a model with new heads (the heads then show as missing).
   * @throws CheckpointError as Module.loadStateDict.
   */
  loadSavedStateDict(state: ReadonlyMap<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const names = this.backbone.hfNames;
    const parts = names.splitStateDict(state);
    const own = new Map<string, Tensor>();
    for (const [key, t] of parts.backbone) own.set(ENCODER + key, t);
    const mlm = this.#mlmTask();
    const mlmHead = mlm === undefined ? undefined : `${HEADS}${mlm}.`;
    const mlmPrefix = this.#mlmPrefix ?? '';
    for (const [key, t] of parts.rest) {
      // heads.<task>.… are own names already; cls.predictions.… belong to the MLM head; others are unexpected
      own.set(mlmHead !== undefined && key.startsWith(mlmPrefix) ? mlmHead + key : key, t);
    }
    const result = this.loadStateDict(own, options);
    const saved = (key: string): string => {
      if (key.startsWith(ENCODER)) return names.basePrefix + key.slice(ENCODER.length);
      return mlmHead !== undefined && key.startsWith(mlmHead + mlmPrefix) ? key.slice(mlmHead.length) : key;
    };
    return { missingKeys: result.missingKeys.map(saved), unexpectedKeys: result.unexpectedKeys.map(saved) };
  }
}

/**
 * The loss of each task of a joint batch, from `forward`'s logits: task → scalar. How the losses are
 * combined (sum, weights, gradient surgery) is the caller's choice. Each task carries its head and
 * state (see `makeTask`).
 */
export function taskLosses(logits: ReadonlyMap<string, Tensor>, batch: JointBatch, tasks: readonly Task[]): Map<string, Tensor> {
  return tidy(() => {
    const losses = new Map<string, Tensor>();
    for (const [name, taskLogits] of logits) {
      const task = tasks.find((t) => t.spec.name === name);
      const taskBatch = batch.batches.get(name);
      if (task === undefined || taskBatch === undefined) {
        throw new ConfigError(
          `taskLosses: task '${name}' has logits but no ${task === undefined ? 'task' : 'batch'}; pass the tasks and batch of the tasks run`,
        );
      }
      losses.set(name, task.type.loss(task, taskLogits, taskBatch));
    }
    return losses;
  });
}
