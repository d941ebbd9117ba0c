/**
 * MMoE: Ma et al., "Modeling Task Relationships in Multi-task Learning with Multi-gate
 * Mixture-of-Experts", KDD 2018 (§4.3). E expert networks read the shared representation x, and
 * each task k mixes their outputs with its own softmax gate:
 *
 *   y_k = Σ_i g_k(x)_i · f_i(x)        (eq. 5)
 *   g_k(x) = softmax(W_gk · x)         (eq. 6), W_gk (E, H)
 *
 * so tasks that conflict can draw on different experts while related tasks share them. It sits
 * between the encoder and the heads, over the pooled output (B, H) or every token (B, T, H), with one
 * output per task of width D (H by default, so the usual heads take it unchanged). Each expert is an
 * MLP H → expertHiddenSize → D (activation and dropout between the layers, none after the last).
 *
 * Parameter names: `experts.<i>.fc1.weight` (h, H), `experts.<i>.fc2.weight` (D, h), `gates.<task>.weight`
 * (E, H); under `mmoe.` when a model registers it as its child `mmoe`.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { Dropout } from '../nn/dropout.js';
import type { ParamOptions } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module, ModuleList } from '../nn/module.js';
import type { EncoderOutputs } from '../tasks/index.js';
import { gelu, matmul, relu, softmax, stack, tidy, type Tensor } from '../tensor/index.js';

export interface MmoeConfig {
  /** H: width of the shared representation. */
  inputSize: number;
  /** The tasks, one gate each (names without '.'). */
  tasks: readonly string[];
  /** E: number of experts. */
  numExperts: number;
  /** h: width of each expert's hidden layer. */
  expertHiddenSize: number;
  /** D: width of each expert's (and so each task's) output; default H. */
  outputSize?: number;
  /** Between the expert's layers (default 'relu', as the paper's experts). */
  activation?: 'relu' | 'gelu';
  /** Dropout probability between the expert's layers (default 0). */
  dropout?: number;
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

function validate(c: MmoeConfig): void {
  for (const f of ['inputSize', 'numExperts', 'expertHiddenSize'] as const)
    if (!isPositiveInt(c[f])) throw new ConfigError(`MMoE ${f} must be a positive integer, got ${String(c[f])}`);
  if (c.outputSize !== undefined && !isPositiveInt(c.outputSize))
    throw new ConfigError(`MMoE outputSize must be a positive integer, got ${String(c.outputSize)}`);
  if (!Array.isArray(c.tasks) || c.tasks.length === 0) throw new ConfigError('MMoE needs at least one task (one gate per task)');
  for (const t of c.tasks)
    if (typeof t !== 'string' || t === '' || t.includes('.'))
      throw new ConfigError(`MMoE task names must be non-empty and contain no '.', got ${JSON.stringify(t)}`);
  if (new Set(c.tasks).size !== c.tasks.length) throw new ConfigError(`MMoE tasks must be unique, got [${c.tasks.join(', ')}]`);
  if (c.activation !== undefined && c.activation !== 'relu' && c.activation !== 'gelu')
    throw new ConfigError(`MMoE activation must be 'relu' or 'gelu', got '${String(c.activation)}'`);
}

/** One expert: x (…, H) → fc2(dropout(act(fc1(x)))) (…, D). */
export class MmoeExpert extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly dropout: Dropout;
  readonly #act: (x: Tensor) => Tensor;

  constructor(
    inputSize: number,
    hiddenSize: number,
    outputSize: number,
    options: ParamOptions & Pick<MmoeConfig, 'activation' | 'dropout'> = {},
  ) {
    super();
    const place = { dtype: options.dtype, device: options.device };
    this.fc1 = this.registerModule('fc1', new Linear(inputSize, hiddenSize, place));
    this.fc2 = this.registerModule('fc2', new Linear(hiddenSize, outputSize, place));
    this.dropout = this.registerModule('dropout', new Dropout(options.dropout ?? 0));
    this.#act = options.activation === 'gelu' ? (x) => gelu(x) : (x) => relu(x);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => this.fc2.forward(this.dropout.forward(this.#act(this.fc1.forward(x)))));
  }
}

/** The gates by task name (`gates.<task>.weight`), each a bias-free Linear H → E as eq. 6. */
class MmoeGates extends Module {
  readonly #gates = new Map<string, Linear>();

  constructor(tasks: readonly string[], inputSize: number, numExperts: number, o: ParamOptions) {
    super();
    for (const task of tasks) this.#gates.set(task, this.registerModule(task, new Linear(inputSize, numExperts, { ...o, bias: false })));
  }

  get(task: string): Linear {
    const gate = this.#gates.get(task);
    if (gate === undefined)
      throw new ConfigError(`MMoE has no gate for task '${task}'; its tasks are ${[...this.#gates.keys()].join(', ')}`);
    return gate;
  }
}

/** Per-task outputs and the gate weights that made them. */
export interface MmoeOutputs {
  /** task → (…, D) */
  outputs: Map<string, Tensor>;
  /** task → (…, E), each row summing to 1 */
  gates: Map<string, Tensor>;
}

/**
 * What task `task`'s head reads through the MMoE: the encoder's outputs, each replaced by the task's
 * mixture of experts over it, computed when the head first reads it (a classification head reads
 * only the pooled output, a tagging head only the hidden states).
 * @param encoded lastHiddenState (B, T, H), pooledOutput (B, H); call inside a `tidy`.
 */
export function mmoeView(mmoe: MMoE, encoded: EncoderOutputs, task: string): EncoderOutputs {
  let hidden: Tensor | undefined;
  let pooled: Tensor | undefined;
  const pooledIn = encoded.pooledOutput;
  return {
    ...(encoded.attentionMask === undefined ? {} : { attentionMask: encoded.attentionMask }),
    ...(encoded.wordCharIds === undefined ? {} : { wordCharIds: encoded.wordCharIds }),
    ...(encoded.maskedLabels === undefined ? {} : { maskedLabels: encoded.maskedLabels }),
    get lastHiddenState(): Tensor {
      return (hidden ??= mmoe.forward(encoded.lastHiddenState, [task]).get(task) as Tensor); // (B, T, D)
    },
    get pooledOutput(): Tensor | undefined {
      if (pooledIn === undefined) return undefined;
      return (pooled ??= mmoe.forward(pooledIn, [task]).get(task) as Tensor); // (B, D)
    },
  };
}

export class MMoE extends Module {
  readonly config: Readonly<Required<Omit<MmoeConfig, 'tasks'>>> & { readonly tasks: readonly string[] };
  readonly experts: ModuleList<MmoeExpert>;
  readonly gates: MmoeGates;

  /**
   * Experts with PyTorch's default Linear initialisation.
   * @throws ConfigError for an invalid config.
   * @example
   *   const mmoe = new MMoE({ inputSize: 768, tasks: ['intent', 'sentiment'], numExperts: 4, expertHiddenSize: 256 });
   *   const perTask = tidy(() => mmoe.forward(encoded.pooledOutput)); // intent → (B, 768), sentiment → (B, 768)
   */
  constructor(config: MmoeConfig, o: ParamOptions = {}) {
    super();
    validate(config);
    this.config = Object.freeze({
      ...config,
      tasks: Object.freeze([...config.tasks]),
      outputSize: config.outputSize ?? config.inputSize,
      activation: config.activation ?? 'relu',
      dropout: config.dropout ?? 0,
    });
    const { inputSize: H, expertHiddenSize: h, outputSize: D, numExperts: E } = this.config;
    const expertOptions = { ...o, activation: this.config.activation, dropout: this.config.dropout };
    this.experts = this.registerModule('experts', new ModuleList(Array.from({ length: E }, () => new MmoeExpert(H, h, D, expertOptions))));
    this.gates = this.registerModule('gates', new MmoeGates(this.config.tasks, H, E, o));
  }

  /** x (B, H) or (B, T, H) → task → (…, D), for `tasks` (default all). Intermediates are freed. */
  forward(x: Tensor, tasks: readonly string[] = this.config.tasks): Map<string, Tensor> {
    return this.forwardWithGates(x, tasks).outputs;
  }

  /** The outputs and the gate weights g_k(x) (…, E) of `tasks` (default all); the experts run once. */
  forwardWithGates(x: Tensor, tasks: readonly string[] = this.config.tasks): MmoeOutputs {
    this.checkInput(x);
    const gateLayers = tasks.map((task) => [task, this.gates.get(task)] as const);
    return tidy(() => {
      const experts = stack(
        this.experts.items.map((e) => e.forward(x)),
        -2,
      ); // (…, E, D)
      const outputs = new Map<string, Tensor>();
      const gates = new Map<string, Tensor>();
      for (const [task, gate] of gateLayers) {
        const g = softmax(gate.forward(x), -1); // (…, E), eq. 6
        gates.set(task, g);
        outputs.set(task, matmul(g.unsqueeze(-2), experts).squeeze(-2)); // (…, 1, E)·(…, E, D) → (…, D), eq. 5
      }
      return { outputs, gates };
    });
  }

  private checkInput(x: Tensor): void {
    const s = x.shape;
    if ((s.length !== 2 && s.length !== 3) || s[s.length - 1] !== this.config.inputSize)
      throw new ShapeError(`MMoE input must be (B, ${this.config.inputSize}) or (B, T, ${this.config.inputSize}), got [${s.join(', ')}]`);
  }
}
