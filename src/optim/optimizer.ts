/**
 * The optimizer base class: parameter groups, per-parameter state owned by the optimizer, `step()`,
 * `zeroGrad()`, learning-rate setting for schedules, and a state dict for checkpoints.
 * Modelled on torch.optim.Optimizer (1.13); subclasses supply one parameter's update.
 *
 * State dict layout (`stateDict()` / `loadStateDict()`), split so a checkpoint can write the JSON
 * part into trainer_state.json and the tensors into a safetensors file, with PyTorch's spelling:
 * ```
 * json: {
 *   optimizer: "AdamW",                     // which class made it; load refuses another
 *   state: { "0": { step: 3 }, "4": { step: 2 } },   // per parameter index: updates applied
 *   param_groups: [                         // in order; settings in torch's names
 *     { params: [0, 1, 2], lr: 0.001, initial_lr: 0.001, weight_decay: 0.01, betas: [0.9, 0.999], … },
 *   ],
 * }
 * tensors: { "state.0.exp_avg": Tensor, "state.0.exp_avg_sq": Tensor, … }   // same shape as parameter 0
 * ```
 * Parameter indices count through the groups in order (group 0's parameters first), as in torch's
 * `optimizer.state_dict()`; a parameter that never had a gradient has no state entry.
 */
import { CheckpointError, ConfigError } from '../errors.js';
import { Tensor, copy_, detach, keep, noGrad, tidy, zero_, zeros } from '../tensor/index.js';

/** Settings every parameter group has. */
export interface ParamGroup {
  /** The parameters this group updates. They belong to the model, not to the optimizer. */
  params: Tensor[];
  /** Learning rate of the next step; schedules change it with `setLr`. */
  lr: number;
  /** Weight decay coefficient (decoupled for AdamW, an L2 term added to the gradient for SGD). */
  weightDecay: number;
}

/** A parameter group as given to a constructor: its parameters plus any settings that override the defaults. */
export type ParamGroupInput<G extends ParamGroup = ParamGroup> = { params: readonly Tensor[] } & Partial<Omit<G, 'params'>>;

/** Constructor input: a flat list of parameters (one group), or parameter groups. */
export type ParamsInput<G extends ParamGroup = ParamGroup> = readonly Tensor[] | readonly ParamGroupInput<G>[];

/** One parameter's state: updates applied so far, and named tensors (moments, momentum buffer), kept and owned here. */
export interface ParamState {
  step: number;
  tensors: Record<string, Tensor>;
}

export type JsonValue = number | boolean | string | null | JsonValue[] | { [key: string]: JsonValue };

/** A saved parameter group: parameter indices plus settings in PyTorch's names. */
export interface SavedParamGroup {
  params: number[];
  [setting: string]: JsonValue;
}

/** The JSON part of an optimizer state dict (see the module comment). */
export interface OptimizerStateJson {
  optimizer: string;
  state: Record<string, { step: number }>;
  param_groups: SavedParamGroup[];
}

/** An optimizer's state: JSON-able numbers and tensors keyed `state.<index>.<name>`. */
export interface OptimizerStateDict {
  json: OptimizerStateJson;
  tensors: Record<string, Tensor>;
}

/** Names of the state tensors a parameter of a group must have (required) or may have (optional). */
export interface StateNames {
  required: readonly string[];
  optional: readonly string[];
}

type Settings<G extends ParamGroup> = Omit<G, 'params'>;

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

export abstract class Optimizer<G extends ParamGroup = ParamGroup> {
  /** The groups, in order. Change learning rates with `setLr`; other settings may be edited between steps. */
  readonly paramGroups: G[];
  /** Each group's learning rate at construction (or as loaded): the base that schedules multiply. */
  readonly initialLrs: number[];
  protected readonly state = new Map<Tensor, ParamState>();
  private disposed = false;

  /**
   * @param name the class name, recorded in state dicts (e.g. 'AdamW').
   * @param defaults settings for every group that does not override them.
   * @throws ConfigError for an empty parameter list, a parameter in two groups, an unknown or invalid setting.
   */
  protected constructor(
    readonly name: string,
    params: ParamsInput<G>,
    defaults: Settings<G>,
  ) {
    if (params.length === 0) throw new ConfigError(`${name} got an empty parameter list; pass the model's parameters`);
    const inputs = (params[0] instanceof Tensor ? [{ params: params as readonly Tensor[] }] : params) as readonly ParamGroupInput<G>[];
    const seen = new Set<Tensor>();
    this.paramGroups = inputs.map((input, i) => {
      const where = `${name} parameter group ${i}`;
      for (const key of Object.keys(input)) {
        if (key !== 'params' && !(key in defaults)) {
          throw new ConfigError(`${where}: unknown setting '${key}'; valid settings are params, ${Object.keys(defaults).join(', ')}`);
        }
      }
      if (!Array.isArray(input.params)) throw new ConfigError(`${where}: 'params' must be an array of tensors`);
      for (const p of input.params) {
        if (!(p instanceof Tensor)) throw new ConfigError(`${where}: 'params' holds a ${typeof p}, expected only tensors`);
        if (seen.has(p))
          throw new ConfigError(
            `${where}: a parameter appears in more than one group (or twice in one); each parameter must be in exactly one group`,
          );
        seen.add(p);
      }
      const group = { ...structuredClone(defaults), ...definedOnly(input), params: [...input.params] } as G;
      const problem = this.checkSettings(group);
      if (problem !== undefined) throw new ConfigError(`${where}: ${problem}`);
      return group;
    });
    this.initialLrs = this.paramGroups.map((g) => g.lr);
  }

  /** Why these settings are invalid, or undefined when they are fine. */
  protected abstract checkSettings(settings: Settings<G>): string | undefined;

  /** New state tensors for a parameter's first update (kept; e.g. zero moments). */
  protected abstract initState(param: Tensor, group: G): Record<string, Tensor>;

  /** Names of the state tensors of `param` in `group`, for validating a loaded state. */
  protected abstract stateNames(group: Settings<G>, param: Tensor): StateNames;

  /**
   * The shape state tensor `name` of `param` has: the parameter's own unless a subclass keeps
   * smaller statistics (Adafactor's factored row and column moments). Loading checks saved tensors against it.
   */
  protected stateShape(name: string, param: Tensor): readonly number[] {
    void name;
    return param.shape;
  }

  /**
   * Updates one parameter in place; runs under noGrad() inside a tidy() (intermediates are freed).
   * `state.step` already counts this update. New state tensors must be keep()-ed into `state.tensors`.
   */
  protected abstract update(param: Tensor, grad: Tensor, group: G, state: ParamState): void;

  /** The group's settings in PyTorch's names (without params and initial_lr). */
  protected abstract settingsToJson(group: G): Record<string, JsonValue>;

  /** Settings read from a saved group; throws CheckpointError naming `where` for missing or mistyped values. */
  protected abstract settingsFromJson(saved: SavedParamGroup, where: string): Settings<G>;

  /**
   * Applies one update to every parameter that has a gradient; parameters without one are skipped
   * and their step count does not advance. No host synchronisation.
   */
  step(): void {
    this.assertLive();
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          // One scope per parameter, so temporaries never exceed one parameter's size.
          tidy(() => {
            const grad = param.grad;
            if (grad === undefined) return;
            let st = this.state.get(param);
            if (st === undefined) {
              st = { step: 0, tensors: this.initState(param, group) };
              this.state.set(param, st);
            }
            st.step += 1;
            this.update(param, grad, group, st);
          });
        }
      }
    });
  }

  /**
   * Clears the gradients of all parameters.
   * @param setToNone drop them (the default, like torch ≥ 2.0), or fill them with zeros in place (torch 1.13's default).
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.zeroGrad();
        else
          noGrad(() =>
            tidy(() => {
              const g = p.grad;
              if (g !== undefined) zero_(g);
            }),
          );
      }
    }
  }

  /**
   * Sets the learning rate of group `groupIndex`, or of every group when omitted.
   * @throws ConfigError for a negative or non-finite rate or an unknown group.
   */
  setLr(lr: number, groupIndex?: number): void {
    if (!Number.isFinite(lr) || lr < 0) throw new ConfigError(`${this.name}: learning rate must be a finite number ≥ 0, got ${lr}`);
    if (groupIndex === undefined) {
      for (const g of this.paramGroups) g.lr = lr;
      return;
    }
    const group = this.paramGroups[groupIndex];
    if (group === undefined)
      throw new ConfigError(`${this.name} has ${this.paramGroups.length} parameter groups, there is no group ${groupIndex}`);
    group.lr = lr;
  }

  /**
   * The learning rate of group `groupIndex` for logs: its `lr`, unless the optimizer sets its own step
   * size (Adafactor's relative step), which it then reports.
   */
  logLr(groupIndex = 0): number {
    const group = this.paramGroups[groupIndex];
    if (group === undefined)
      throw new ConfigError(`${this.name} has ${this.paramGroups.length} parameter groups, there is no group ${groupIndex}`);
    return this.ownLr(group) ?? group.lr;
  }

  /** The step size `group`'s last update used when the optimizer computes it itself; undefined: `group.lr`. */
  protected ownLr(group: G): number | undefined {
    void group;
    return undefined;
  }

  /** Updates applied to `param` so far (0 before its first gradient). */
  protected stepsOf(param: Tensor): number {
    return this.state.get(param)?.step ?? 0;
  }

  /**
   * The optimizer's state (layout in the module comment). The tensors are new handles sharing the
   * optimizer's storage (no copy): the caller disposes them; they change when the optimizer steps.
   */
  stateDict(): OptimizerStateDict {
    this.assertLive();
    const index = this.indexParams();
    const json: OptimizerStateJson = {
      optimizer: this.name,
      state: {},
      param_groups: this.paramGroups.map((g, gi) => ({
        ...this.settingsToJson(g),
        initial_lr: this.initialLrs[gi] as number,
        params: g.params.map((p) => index.get(p) as number),
      })),
    };
    const tensors: Record<string, Tensor> = {};
    const entries = [...this.state].sort(([a], [b]) => (index.get(a) as number) - (index.get(b) as number));
    for (const [param, st] of entries) {
      const i = index.get(param) as number;
      json.state[String(i)] = { step: st.step };
      for (const [key, t] of Object.entries(st.tensors)) tensors[`state.${i}.${key}`] = detach(t);
    }
    return { json, tensors };
  }

  /**
   * Replaces the state and group settings with a saved state dict's (learning rates included, as in
   * torch). Tensors are copied (cast to each parameter's dtype and device); the caller keeps its own.
   * Nothing changes when validation fails.
   * @throws CheckpointError when the optimizer class, group count, group sizes, state names or shapes differ.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    this.assertLive();
    const { json, tensors } = dict;
    if (json.optimizer !== this.name) {
      throw new CheckpointError(
        `the optimizer state was saved by ${String(json.optimizer)}, it cannot be loaded into ${this.name}; build the same optimizer as the run that saved it`,
      );
    }
    const settings = this.readGroups(json);
    const owners = new Map<number, { param: Tensor; group: number }>();
    json.param_groups.forEach((saved, gi) =>
      saved.params.forEach((index, k) => owners.set(index, { param: (this.paramGroups[gi] as G).params[k] as Tensor, group: gi })),
    );
    const fresh = this.readState(json, tensors, owners, settings);
    for (const st of this.state.values()) for (const t of Object.values(st.tensors)) t.dispose();
    this.state.clear();
    for (const [p, st] of fresh) this.state.set(p, st);
    this.paramGroups.forEach((g, gi) => {
      Object.assign(g, settings[gi]);
      const initial = json.param_groups[gi]?.initial_lr;
      this.initialLrs[gi] = typeof initial === 'number' ? initial : g.lr;
    });
  }

  /** Frees the optimizer's state tensors (not the parameters). The optimizer cannot be used afterwards. */
  dispose(): void {
    for (const st of this.state.values()) for (const t of Object.values(st.tensors)) t.dispose();
    this.state.clear();
    this.disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new ConfigError(`${this.name} was disposed (its state is freed); create a new optimizer`);
  }

  private indexParams(): Map<Tensor, number> {
    const index = new Map<Tensor, number>();
    for (const g of this.paramGroups) for (const p of g.params) index.set(p, index.size);
    return index;
  }

  /** Checks the saved groups against ours and reads their settings. */
  private readGroups(json: OptimizerStateJson): Settings<G>[] {
    const saved = json.param_groups;
    if (!Array.isArray(saved) || saved.length !== this.paramGroups.length) {
      throw new CheckpointError(
        `the optimizer state has ${Array.isArray(saved) ? saved.length : 'no'} parameter groups, this ${this.name} has ${this.paramGroups.length}; ` +
          'build the optimizer with the same groups as the run that saved it (e.g. the same paramGroupsNoDecay split)',
      );
    }
    const seen = new Set<number>();
    return saved.map((group, gi) => {
      const ours = (this.paramGroups[gi] as G).params.length;
      if (!Array.isArray(group.params) || group.params.length !== ours) {
        throw new CheckpointError(
          `parameter group ${gi}: the optimizer state has ${Array.isArray(group.params) ? group.params.length : 'no'} parameters, this ${this.name} has ${ours}; the model or its grouping changed since the state was saved`,
        );
      }
      for (const index of group.params) {
        if (!Number.isInteger(index) || index < 0 || seen.has(index))
          throw new CheckpointError(`param_groups[${gi}].params holds ${String(index)}: expected distinct integer indices ≥ 0`);
        seen.add(index);
      }
      const settings = this.settingsFromJson(group, `param_groups[${gi}]`);
      const problem = this.checkSettings(settings);
      if (problem !== undefined) throw new CheckpointError(`param_groups[${gi}]: ${problem}`);
      return settings;
    });
  }

  /** Copies the saved per-parameter state into new kept tensors; frees them all if anything is wrong. */
  private readState(
    json: OptimizerStateJson,
    tensors: Record<string, Tensor>,
    owners: Map<number, { param: Tensor; group: number }>,
    settings: Settings<G>[],
  ): Map<Tensor, ParamState> {
    const fresh = new Map<Tensor, ParamState>();
    const used = new Set<string>();
    try {
      for (const [key, entry] of Object.entries(json.state ?? {})) {
        const owner = owners.get(Number(key));
        if (owner === undefined)
          throw new CheckpointError(`the optimizer state has an entry for parameter ${key}, which no parameter group lists`);
        const step = entry?.step;
        if (!Number.isInteger(step) || step < 0) throw new CheckpointError(`state.${key}.step is ${String(step)}: expected an integer ≥ 0`);
        const names = this.stateNames(settings[owner.group] as Settings<G>, owner.param);
        const st: ParamState = { step, tensors: {} };
        fresh.set(owner.param, st);
        for (const name of [...names.required, ...names.optional]) {
          const tkey = `state.${key}.${name}`;
          const src = tensors[tkey];
          if (src === undefined) {
            if (names.required.includes(name))
              throw new CheckpointError(
                `the optimizer state lacks tensor '${tkey}' (parameter ${key} of group ${owner.group} needs ${names.required.join(', ')})`,
              );
            continue;
          }
          const want = this.stateShape(name, owner.param);
          if (shapeText(src.shape) !== shapeText(want)) {
            const ofParam = shapeText(owner.param.shape);
            const detail =
              shapeText(want) === ofParam
                ? `but parameter ${key} has shape ${ofParam}`
                : `expected ${shapeText(want)} (parameter ${key}: ${ofParam})`;
            throw new CheckpointError(`'${tkey}' has shape ${shapeText(src.shape)}, ${detail}`);
          }
          const { dtype, device } = owner.param;
          st.tensors[name] = keep(noGrad(() => copy_(zeros(want, { dtype, device }), src)));
          used.add(tkey);
        }
      }
      const extra = Object.keys(tensors).filter((k) => !used.has(k));
      if (extra.length > 0)
        throw new CheckpointError(
          `the optimizer state has tensors this ${this.name} does not use: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`,
        );
    } catch (e) {
      for (const st of fresh.values()) for (const t of Object.values(st.tensors)) t.dispose();
      throw e;
    }
    return fresh;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Reads a number setting of a saved group. */
export function savedNumber(saved: SavedParamGroup, key: string, where: string): number {
  const v = saved[key];
  if (typeof v !== 'number') throw new CheckpointError(`${where}.${key} is ${JSON.stringify(v)}: expected a number`);
  return v;
}

/** Reads a boolean setting of a saved group (absent = `fallback`, as torch's __setstate__ defaults). */
export function savedBoolean(saved: SavedParamGroup, key: string, where: string, fallback?: boolean): boolean {
  const v = saved[key] ?? fallback;
  if (typeof v !== 'boolean') throw new CheckpointError(`${where}.${key} is ${JSON.stringify(v)}: expected true or false`);
  return v;
}
