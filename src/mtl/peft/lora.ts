/**
 * LoRA: Hu et al., "LoRA: Low-Rank Adaptation of Large Language Models", ICLR 2022. A frozen
 * Linear layer W (out, in) is adapted by a trainable low-rank update (§4.1, eq. 3):
 *
 *   h = W·x + b + (α/r)·B·A·dropout(x),   A (r, in), B (out, r)
 *
 * B starts at zero, so the adapted layer starts equal to the base layer; A starts Kaiming-uniform
 * (kaiming_uniform_(a=√5), i.e. U(−1/√in, 1/√in)), as the paper's reference code (loralib) and
 * Hugging Face PEFT do (the paper's text says Gaussian). Dropout
 * on the LoRA input and the α/r scaling are PEFT's `lora_dropout` and `lora_alpha`. For export,
 * `mergeLora` folds (α/r)·B·A into W, after which the layer costs nothing extra.
 *
 * GPT-2's Conv1D layers (weight stored transposed, (in, out)) are adapted the same way, as PEFT does with
 * `fan_in_fan_out`: the update's A and B keep their shapes and names, and merging adds (α/r)·(B·A)ᵀ.
 *
 * Several named adapters (one per task) may sit on the same layers; `setActiveAdapter` (./sites.ts)
 * chooses one per forward pass. Parameter names follow PEFT: `<layer>.lora_A.<adapter>.weight` (r, in)
 * and `<layer>.lora_B.<adapter>.weight` (out, r); the base weights keep their names.
 */
import { ConfigError } from '../../errors.js';
import { Conv1D } from '../../nn/conv1d.js';
import { Linear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { dropout, linear, mm, noGrad, tidy, type Tensor } from '../../tensor/index.js';
import { checkAdapterName, type AdapterDict } from './adapter-dict.js';
import { freezeBase } from './freeze.js';
import { nameMatcher, patternText, type NamePattern } from './patterns.js';
import {
  adapterDict,
  adapterSites,
  namedBaseModules,
  overrideForward,
  registerSite,
  setActiveAdapter,
  siteOf,
  unregisterSite,
  type AdapterSite,
} from './sites.js';

export interface LoraOptions {
  /** The Linear (or GPT-2 Conv1D) layers to adapt, by module path (`'query|value'`, `'attention.self.query|value'`, a RegExp). */
  targets: NamePattern;
  /** The adapter's name, normally a task name (default 'default', as PEFT). */
  adapter?: string;
  /** Rank r (default 8). */
  r?: number;
  /** α; the update is scaled by α/r (default 8, PEFT's `lora_alpha`). */
  alpha?: number;
  /** Dropout probability on the LoRA input path, active in training mode (default 0). */
  dropout?: number;
  /** Freeze every parameter under the root that belongs to no adapter (default true). */
  freezeBase?: boolean;
  /** Base parameters to leave trainable after freezing, e.g. 'heads' or 'LayerNorm' (PEFT's modules_to_save). */
  trainable?: NamePattern;
}

/** What `addLora` did. */
export interface LoraResult {
  adapter: string;
  /** Paths of the adapted Linear and Conv1D layers. */
  layers: string[];
  /** Scalars added: Σ r·(in + out) over the layers. */
  parameters: number;
}

interface LoraSettings {
  r: number;
  alpha: number;
  /** α/r */
  scaling: number;
  dropout: number;
}

function resolveOptions(o: LoraOptions): LoraSettings & { adapter: string } {
  const { adapter = 'default', r = 8, alpha = 8, dropout: p = 0 } = o;
  checkAdapterName(adapter);
  if (!Number.isSafeInteger(r) || r < 1) throw new ConfigError(`LoRA rank r must be a positive integer, got ${String(r)}`);
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha))
    throw new ConfigError(`LoRA alpha must be a finite number > 0, got ${String(alpha)}`);
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ConfigError(`LoRA dropout must be a probability in [0, 1), got ${String(p)}`);
  return { adapter, r, alpha, scaling: alpha / r, dropout: p };
}

/** A layer LoRA adapts: a Linear (weight (out, in)) or a Conv1D (weight (in, out)). */
type Adaptable = Linear | Conv1D;

/** The LoRA adapters of one Linear or Conv1D layer: the site its forward is routed through. */
class LoraSite implements AdapterSite {
  readonly kind = 'lora';
  readonly #settings = new Map<string, LoraSettings>();
  #active: string | null = null;
  #merged: string | null = null;
  readonly loraA: AdapterDict<Linear>;
  readonly loraB: AdapterDict<Linear>;
  readonly #restoreForward: () => void;
  /** The layer's own forward (W·x + b; a Conv1D reads its (in, out) weight transposed), which merging changes in place. */
  #base!: (x: Tensor) => Tensor;

  constructor(readonly layer: Adaptable) {
    this.loraA = adapterDict<Linear>(layer, 'lora_A');
    this.loraB = adapterDict<Linear>(layer, 'lora_B');
    this.#restoreForward = overrideForward(layer, (original: (x: Tensor) => Tensor) => {
      this.#base = original;
      return (x: Tensor) => this.forward(x);
    });
    registerSite(layer, this);
  }

  get names(): string[] {
    return this.loraA.names;
  }

  get active(): string | null {
    return this.#active;
  }

  /** The adapter folded into the layer's weight, or null. */
  get merged(): string | null {
    return this.#merged;
  }

  /** Adds adapter `name`: A (r, in) Kaiming-uniform, B (out, r) zeros, on the weight's dtype and device. */
  add(name: string, s: LoraSettings): number {
    const { inFeatures, outFeatures, weight } = this.layer;
    const place = { dtype: weight.dtype, device: weight.device, bias: false };
    const a = new Linear(inFeatures, s.r, place); // PyTorch's default init: kaiming_uniform_(a=√5) = U(−1/√in, 1/√in)
    const b = new Linear(s.r, outFeatures, place);
    noGrad(() => b.weight.zero_());
    this.loraA.set(name, a);
    this.loraB.set(name, b);
    this.#settings.set(name, s);
    return s.r * (inFeatures + outFeatures);
  }

  /** x (…, in) → (…, out): W·x + b, plus (α/r)·B·A·dropout(x) for the active adapter unless it is merged. */
  forward(x: Tensor): Tensor {
    const name = this.#merged === null ? this.#active : null;
    if (name === null) return this.#base(x);
    const [a, b, s] = this.parts(name);
    return tidy(() => {
      const h = s.dropout > 0 && this.layer.training ? dropout(x, s.dropout, true) : x;
      const update = linear(linear(h, a.weight), b.weight); // (…, r) → (…, out)
      return this.#base(x).add_(update, s.scaling); // fresh output, so in place is safe
    });
  }

  private parts(name: string): [Linear, Linear, LoraSettings] {
    const [a, b, s] = [this.loraA.get(name), this.loraB.get(name), this.#settings.get(name)];
    if (a === undefined || b === undefined || s === undefined) throw new ConfigError(`this layer has no LoRA adapter '${name}'`);
    return [a, b, s];
  }

  activationProblem(name: string | null): string | undefined {
    if (this.#merged === null || name === this.#merged) return undefined;
    return `LoRA adapter '${this.#merged}' is merged into the weight; call unmergeLora first`;
  }

  activate(name: string | null): void {
    if (name !== null) this.parts(name);
    this.#active = name;
  }

  parameters(name?: string): Tensor[] {
    return this.names
      .filter((n) => name === undefined || n === name)
      .flatMap((n) => {
        const [a, b] = this.parts(n);
        return [a.weight, b.weight];
      });
  }

  /** W += sign·(α/r)·B·A (a Conv1D's W, (in, out): += sign·(α/r)·(B·A)ᵀ), without recording gradients. */
  private fold(name: string, sign: 1 | -1): void {
    const [a, b, s] = this.parts(name);
    noGrad(() =>
      tidy(() => {
        const update = this.layer instanceof Conv1D ? mm(a.weight.transpose(0, 1), b.weight.transpose(0, 1)) : mm(b.weight, a.weight); // (in, out) or (out, in)
        this.layer.weight.add_(update, sign * s.scaling);
      }),
    );
  }

  merge(name: string): void {
    if (this.#merged === name) return;
    if (this.#merged !== null) throw new ConfigError(`LoRA adapter '${this.#merged}' is already merged here; call unmergeLora first`);
    this.fold(name, 1);
    this.#merged = name;
  }

  unmerge(): void {
    if (this.#merged === null) return;
    this.fold(this.#merged, -1);
    this.#merged = null;
  }

  delete(name: string): void {
    if (this.#merged === name) this.unmerge();
    this.loraA.delete(name);
    this.loraB.delete(name);
    this.#settings.delete(name);
    if (this.#active === name) this.#active = null;
    if (this.names.length === 0) this.detach();
  }

  /** Frees every adapter without touching the weight (merged or not) and gives the layer its own forward back. */
  unload(): void {
    this.#merged = null;
    for (const name of this.names) this.delete(name);
  }

  private detach(): void {
    this.#restoreForward();
    unregisterSite(this.layer, this);
  }
}

/** The Linear and Conv1D layers under `root` that `targets` selects, with their paths. */
function targetLayers(root: Module, targets: NamePattern): [string, Adaptable][] {
  const matches = nameMatcher(targets);
  const linears = namedBaseModules(root).filter(
    (e): e is [string, Adaptable] => (e[1] instanceof Linear || e[1] instanceof Conv1D) && e[0] !== '',
  );
  const chosen = linears.filter(([path]) => matches(path));
  if (chosen.length === 0) {
    const sample = linears.slice(0, 6).map(([p]) => p);
    throw new ConfigError(
      `the LoRA targets ${patternText(targets)} match no Linear or Conv1D layer of ${root.constructor.name}; ` +
        `its Linear and Conv1D layers are ${sample.join(', ')}${linears.length > sample.length ? ', …' : ''}`,
    );
  }
  return chosen;
}

/**
 * Adds LoRA adapter `options.adapter` to the chosen Linear layers under `root`, makes it the active
 * adapter, and (by default) freezes every parameter that belongs to no adapter.
 * @throws ConfigError for invalid options, targets matching no Linear layer, an adapter name already
 *   present on a target, or a target with a merged adapter. Nothing changes when it throws.
 * @example
 *   addLora(model.backbone, { targets: 'attention.self.query|value', adapter: 'intent', r: 8, alpha: 16 });
 *   addLora(model.backbone, { targets: 'attention.self.query|value', adapter: 'slots', r: 8, alpha: 16 });
 *   setActiveAdapter(model.backbone, 'intent'); // before the intent batch's forward
 */
export function addLora(root: Module, options: LoraOptions): LoraResult {
  const s = resolveOptions(options);
  const layers = targetLayers(root, options.targets);
  for (const [path, layer] of layers) {
    const site = siteOf<LoraSite>(layer, 'lora');
    if (site?.names.includes(s.adapter)) throw new ConfigError(`${path} already has a LoRA adapter '${s.adapter}'`);
    if (site !== undefined && site.merged !== null)
      throw new ConfigError(`${path} has LoRA adapter '${site.merged}' merged; call unmergeLora before adding adapters`);
  }
  let parameters = 0;
  for (const [, layer] of layers) parameters += (siteOf<LoraSite>(layer, 'lora') ?? new LoraSite(layer)).add(s.adapter, s);
  if (options.freezeBase ?? true) freezeBase(root, options.trainable);
  setActiveAdapter(root, s.adapter);
  return { adapter: s.adapter, layers: layers.map(([path]) => path), parameters };
}

function loraSites(root: Module): { path: string; site: LoraSite }[] {
  const sites = adapterSites(root, 'lora').map(({ path, site }) => ({ path, site: site as LoraSite }));
  if (sites.length === 0) throw new ConfigError(`${root.constructor.name} has no LoRA adapters`);
  return sites;
}

/**
 * Folds (α/r)·B·A of one adapter into each adapted layer's weight (W ← W + (α/r)·B·A), so the layer
 * computes the adapted function at the cost of the base one.
 * @param options.adapter the adapter to merge (default: the active one).
 * @param options.unload also free every LoRA adapter and give the layers their own forward back,
 *   leaving a plain model whose state dict has only the base names (for export; the base weights
 *   stay frozen, `unfreeze` them to train on). Without it the
 *   adapters stay, and `unmergeLora` subtracts the update again.
 * @returns the number of layers merged into.
 * @throws ConfigError when there is nothing to merge or another adapter is merged already.
 */
export function mergeLora(root: Module, options: { adapter?: string; unload?: boolean } = {}): number {
  const sites = loraSites(root);
  const plan = sites.flatMap(({ path, site }) => {
    const name = options.adapter ?? site.active;
    return name !== null && site.names.includes(name) ? [{ path, site, name }] : [];
  });
  if (plan.length === 0) {
    throw new ConfigError(
      options.adapter === undefined
        ? 'no LoRA adapter is active; pass { adapter } to mergeLora or call setActiveAdapter first'
        : `no layer has a LoRA adapter '${options.adapter}'`,
    );
  }
  for (const { path, site, name } of plan)
    if (site.merged !== null && site.merged !== name) throw new ConfigError(`${path} has LoRA adapter '${site.merged}' merged already`);
  for (const { site, name } of plan) site.merge(name);
  if (options.unload) for (const { site } of sites) site.unload();
  return plan.length;
}

/** Subtracts every merged LoRA update from its weight again (W ← W − (α/r)·B·A). Returns the layers changed. */
export function unmergeLora(root: Module): number {
  let n = 0;
  for (const { site } of loraSites(root)) {
    if (site.merged === null) continue;
    site.unmerge();
    n++;
  }
  return n;
}
