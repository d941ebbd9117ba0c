/**
 * `Module`: the base of every layer and model. A module owns named parameters and named child
 * modules, registered in its constructor; their dotted paths are PyTorch's state-dict keys
 * (`encoder.layer.0.attention.self.query.weight`). Parameters are keep()-ed, so no tidy() frees
 * them: the module frees them in `dispose()`. Modelled on torch.nn.Module, without its dynamic
 * attribute magic: registration is explicit, and each subclass has its own typed `forward`.
 */
import { CheckpointError, ConfigError } from '../errors.js';
import { keep, noGrad, sameDevice, toDevice, type Tensor } from '../tensor/index.js';

/** What `loadStateDict` did not match (both empty after a strict load). */
export interface LoadResult {
  /** Parameters of the module that the state dict lacks (left unchanged). */
  missingKeys: string[];
  /** Entries of the state dict that name no parameter (ignored). */
  unexpectedKeys: string[];
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;
const quoted = (keys: readonly string[]): string => keys.map((k) => `'${k}'`).join(', ');

export class Module implements Disposable {
  /** Whether the module is in training mode (dropout active); set with `train()` / `eval()`. */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly childModules = new Map<string, Module>();

  /**
   * Registers `t` as the parameter `name` of this module (the last part of its dotted path): keeps
   * it out of every tidy() scope, makes it require grad, and makes this module its owner.
   * @returns `t`, for `this.weight = this.registerParameter('weight', …)`.
   */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.checkName(name);
    keep(t);
    t.requiresGrad = true;
    this.ownParams.set(name, t);
    return t;
  }

  /** Registers `m` as the child `name`; its parameters appear under `name.`. Returns `m`. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkName(name);
    m.train(this.training);
    this.childModules.set(name, m);
    return m;
  }

  private checkName(name: string): void {
    if (name === '' || name.includes('.'))
      throw new ConfigError(`a parameter or module name must be non-empty and contain no '.', got '${name}'`);
    if (this.ownParams.has(name) || this.childModules.has(name))
      throw new ConfigError(`'${name}' is already registered in ${this.constructor.name}`);
  }

  /** The direct children, by name, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.childModules];
  }

  /**
   * Every parameter with its dotted path (PyTorch's `named_parameters()`): this module's own
   * parameters first, then each child's, depth first, in registration order.
   */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, p] of this.ownParams) out.push([prefix + name, p]);
    for (const [name, m] of this.childModules) out.push(...m.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Every parameter, in `namedParameters()` order. The module owns them: do not dispose them. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Moves every parameter onto `device` ('cpu', 'cuda', 'cuda:1'; PyTorch's `module.to(device)`), in
   * place: each parameter stays the same Tensor object (what holds it keeps working), holds a copy of
   * its data on `device`, and requires grad as before; gradients are dropped. Move a model before
   * an optimizer is made for it. Returns this.
   */
  to_(device: string): this {
    noGrad(() => {
      for (const p of this.parameters()) {
        if (sameDevice(p.device, device)) continue; // a parameter shared by two modules is moved once
        const flag = p.requiresGrad;
        p.assign_(toDevice(p, device));
        p.requiresGrad = flag;
      }
    });
    return this;
  }

  /** Sets training mode here and in every descendant (dropout active when true). Returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.childModules.values()) m.train(mode);
    return this;
  }

  /** Evaluation mode (`train(false)`): dropout off. Returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Freezes (false) or unfreezes (true) every parameter: frozen parameters get no gradient and an
   * optimizer leaves them alone. Returns this. Freeze one parameter with `p.requiresGrad = false`.
   */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /** Number of scalar parameters (only those that require grad with `trainableOnly`). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!options.trainableOnly || p.requiresGrad) n += p.numel;
    return n;
  }

  /**
   * The parameters by dotted path, as a Map of the module's own tensors (not copies): save them
   * with saveSafetensors, but do not dispose them.
   */
  stateDict(): Map<string, Tensor> {
    return new Map(this.namedParameters());
  }

  /**
   * Copies tensors into the parameters of the same name (cast to each parameter's dtype and device),
   * without recording gradients. Checks everything before copying anything, so a failed load leaves
   * the module unchanged. The caller keeps ownership of `state`.
   * @param options.strict (default true) every parameter must be present and every entry must name a
   *   parameter; when false, missing and unexpected keys are only reported in the result.
   * @throws CheckpointError naming the missing keys, the unexpected keys (strict) and every shape mismatch
   *   (key, model shape and state-dict shape; also when not strict).
   */
  loadStateDict(state: ReadonlyMap<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const strict = options.strict ?? true;
    const params = this.stateDict();
    const missingKeys = [...params.keys()].filter((k) => !state.has(k));
    const unexpectedKeys = [...state.keys()].filter((k) => !params.has(k));
    const mismatches: string[] = [];
    for (const [key, p] of params) {
      const src = state.get(key);
      if (src === undefined) continue;
      const [want, got] = [p.shape, src.shape];
      if (want.length !== got.length || want.some((d, i) => d !== got[i])) {
        mismatches.push(`'${key}' is ${shapeText(want)} in the model but ${shapeText(got)} in the state dict`);
      }
    }
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing keys: ${quoted(missingKeys)}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected keys: ${quoted(unexpectedKeys)}`);
    if (mismatches.length > 0) problems.push(`shape mismatch: ${mismatches.join('; ')}`);
    if (problems.length > 0) {
      const hint =
        strict && (missingKeys.length > 0 || unexpectedKeys.length > 0) ? ' (pass { strict: false } to load only the keys both have)' : '';
      throw new CheckpointError(`the state dict does not fit ${this.constructor.name}: ${problems.join('; ')}${hint}`);
    }
    noGrad(() => {
      for (const [key, p] of params) {
        const src = state.get(key);
        if (src !== undefined) p.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Frees every parameter of this module and its descendants. Idempotent; the module is unusable afterwards. */
  dispose(): void {
    for (const p of this.ownParams.values()) p.dispose();
    for (const m of this.childModules.values()) m.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Children indexed 0, 1, … (PyTorch's nn.ModuleList), so their paths are `layer.0.…`, `layer.1.…`. */
export class ModuleList<M extends Module> extends Module {
  readonly items: readonly M[];

  constructor(items: readonly M[]) {
    super();
    this.items = items.map((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}
