/**
 * Bottleneck adapters: Houlsby et al., "Parameter-Efficient Transfer Learning for NLP", ICML 2019
 * (§2.1, Figure 2). A small residual MLP inside each transformer layer,
 *
 *   adapter(h) = h + W_up·act(W_down·h + b_down) + b_up,   W_down (m, H), W_up (H, m), m ≪ H,
 *
 * applied to a sub-layer's projected output (after its dropout) before the residual add and
 * LayerNorm: LN(x + adapter(dropout(dense(·)))). The up-projection starts at zero, so a new adapter
 * is exactly the identity (the paper's near-identity initialisation, made exact); the down-projection
 * draws N(0, 0.01²), the paper's std 10⁻² without its truncation.
 *
 * Placements: 'houlsby' puts one adapter after the attention output and one after the feed-forward
 * output of every layer (Houlsby et al., Figure 2); 'pfeiffer' only after the feed-forward output
 * (Pfeiffer et al., "AdapterFusion: Non-Destructive Task Composition for Transfer Learning", EACL
 * 2021). The Adapters library's Pfeiffer config also re-applies the output LayerNorm around the
 * adapter; this implements the placement only, with the same block in both.
 *
 * Parameters are named as the Adapters library's, one level flatter: `….output.adapters.<task>.adapter_down.weight`.
 * Several per-task adapters may share a site; `setActiveAdapter` (./sites.ts) chooses one.
 */
import { ConfigError } from '../../errors.js';
import type { Backbone, BackboneLayer, ResidualBranch } from '../../models/backbone.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import type { ParamOptions } from '../../nn/init.js';
import { gelu, noGrad, relu, sigmoid, tanh, tidy, type Tensor } from '../../tensor/index.js';
import { checkAdapterName, type AdapterDict } from './adapter-dict.js';
import { freezeBase } from './freeze.js';
import { nameMatcher, patternText, type NamePattern } from './patterns.js';
import {
  adapterDict,
  namedBaseModules,
  overrideForward,
  registerSite,
  setActiveAdapter,
  siteOf,
  unregisterSite,
  type AdapterSite,
} from './sites.js';

export const ADAPTER_ACTIVATIONS = ['relu', 'gelu', 'swish', 'tanh'] as const;
export type AdapterActivation = (typeof ADAPTER_ACTIVATIONS)[number];

const ACTIVATIONS: Readonly<Record<AdapterActivation, (x: Tensor) => Tensor>> = {
  relu: (x) => relu(x),
  gelu: (x) => gelu(x),
  swish: (x) => x.mul(sigmoid(x)), // x·σ(x), the Houlsby config's non-linearity in the Adapters library
  tanh: (x) => tanh(x),
};

export class BottleneckAdapter extends Module {
  /** weight (m, H), bias (m) */
  readonly adapterDown: Linear;
  /** weight (H, m), bias (H); zeros at first */
  readonly adapterUp: Linear;
  readonly #act: (x: Tensor) => Tensor;

  /**
   * @param hiddenSize H.
   * @param bottleneckSize m.
   */
  constructor(hiddenSize: number, bottleneckSize: number, options: ParamOptions & { activation?: AdapterActivation } = {}) {
    super();
    const activation = options.activation ?? 'relu';
    if (!ADAPTER_ACTIVATIONS.includes(activation))
      throw new ConfigError(`adapter activation must be one of ${ADAPTER_ACTIVATIONS.join(', ')}, got '${String(activation)}'`);
    if (!Number.isSafeInteger(bottleneckSize) || bottleneckSize < 1)
      throw new ConfigError(`the adapter bottleneck size must be a positive integer, got ${String(bottleneckSize)}`);
    const place = { dtype: options.dtype, device: options.device };
    this.adapterDown = this.registerModule('adapter_down', new Linear(hiddenSize, bottleneckSize, { ...place, initStd: 1e-2 }));
    this.adapterUp = this.registerModule('adapter_up', new Linear(bottleneckSize, hiddenSize, { ...place, initStd: 1e-2 }));
    noGrad(() => this.adapterUp.weight.zero_()); // its bias is zero already: the adapter starts as the identity
    this.#act = ACTIVATIONS[activation];
  }

  /** h (…, H) → (…, H): h + up(act(down(h))). A new tensor; intermediates are freed. */
  forward(h: Tensor): Tensor {
    return tidy(() => this.adapterUp.forward(this.#act(this.adapterDown.forward(h))).add_(h));
  }
}

/** The adapters of one residual branch, applied to the branch's output (just before the residual add). */
class BottleneckSite implements AdapterSite {
  readonly kind = 'bottleneck';
  readonly adapters: AdapterDict<BottleneckAdapter>;
  #active: string | null = null;
  readonly #restoreForward: () => void;
  readonly host: Module;

  constructor(branch: ResidualBranch) {
    this.host = branch.block;
    this.adapters = adapterDict<BottleneckAdapter>(branch.block, 'adapters');
    // The family declares where the branch ends (BERT: the output block's dropout, in
    // LN(dropout(dense(x)) + residual)); its result is exactly where the adapter goes, so the model's
    // classes need no change.
    this.#restoreForward = overrideForward(branch.branchEnd, (branchEnd) => (x: Tensor) => {
      const h = branchEnd(x);
      const adapter = this.#active === null ? undefined : this.adapters.get(this.#active);
      return adapter === undefined ? h : adapter.forward(h);
    });
    registerSite(this.host, this);
  }

  get names(): string[] {
    return this.adapters.names;
  }

  get active(): string | null {
    return this.#active;
  }

  activationProblem(): undefined {
    return undefined;
  }

  activate(name: string | null): void {
    if (name !== null && !this.adapters.has(name)) throw new ConfigError(`this block has no adapter '${name}'`);
    this.#active = name;
  }

  parameters(name?: string): Tensor[] {
    return this.names.filter((n) => name === undefined || n === name).flatMap((n) => this.adapters.get(n)?.parameters() ?? []);
  }

  delete(name: string): void {
    this.adapters.delete(name);
    if (this.#active === name) this.#active = null;
    if (this.names.length === 0) {
      this.#restoreForward();
      unregisterSite(this.host, this);
    }
  }
}

export type AdapterPlacement = 'houlsby' | 'pfeiffer';

export interface BottleneckOptions {
  /** The adapter's name, normally a task name (default 'default'). */
  adapter?: string;
  /** 'houlsby' (after attention and feed-forward, default) or 'pfeiffer' (after feed-forward only). */
  placement?: AdapterPlacement;
  /** m; default H / reductionFactor. */
  bottleneckSize?: number;
  /** m = round(H / reductionFactor) when bottleneckSize is not given (default 16, as the Adapters library). */
  reductionFactor?: number;
  /** Non-linearity between the projections (default 'relu'). */
  activation?: AdapterActivation;
  /** The transformer layers to fit, by module path (default every layer of the backbone). */
  layers?: NamePattern;
  /** Freeze every parameter under the root that belongs to no adapter (default true). */
  freezeBase?: boolean;
  /** Base parameters left trainable after freezing (e.g. 'heads', or 'LayerNorm' as Houlsby et al. also train). */
  trainable?: NamePattern;
}

/** What `addBottleneckAdapters` did. */
export interface BottleneckResult {
  adapter: string;
  /** Paths of the output blocks fitted (`encoder.layer.0.attention.output`, `encoder.layer.0.output`, …). */
  sites: string[];
  /** m */
  bottleneckSize: number;
  /** Scalars added: (2·H·m + m + H) per site. */
  parameters: number;
}

function bottleneckSize(hidden: number, o: BottleneckOptions): number {
  if (o.bottleneckSize !== undefined) return o.bottleneckSize;
  const rf = o.reductionFactor ?? 16;
  if (typeof rf !== 'number' || !(rf > 0)) throw new ConfigError(`the adapter reduction factor must be a number > 0, got ${String(rf)}`);
  return Math.max(1, Math.round(hidden / rf));
}

/** Whether `m` is a backbone (has the contract's `layers`). */
const isBackbone = (m: Module): m is Backbone => typeof (m as unknown as Partial<Backbone>).layers === 'function';

/** The backbone layers under `root` (`root` itself or a backbone below it, as a MultiTaskModel's), with their paths. */
function backboneLayers(root: Module): [string, BackboneLayer][] {
  const paths = new Map(namedBaseModules(root).map(([path, m]) => [m, path] as const));
  const backbones = [...paths.keys()].filter(isBackbone);
  return backbones.flatMap((b) => b.layers().map((layer): [string, BackboneLayer] => [paths.get(layer) ?? '', layer]));
}

/** The residual branches of the chosen backbone layers under `root`, with the paths of their blocks. */
function residualBranches(root: Module, placement: AdapterPlacement, layers: NamePattern | undefined): [string, ResidualBranch][] {
  if (placement !== 'houlsby' && placement !== 'pfeiffer')
    throw new ConfigError(`adapter placement must be 'houlsby' or 'pfeiffer', got '${String(placement)}'`);
  const matches = layers === undefined ? () => true : nameMatcher(layers);
  const all = backboneLayers(root);
  const chosen = all.filter(([path]) => matches(path));
  if (chosen.length === 0) {
    const what = layers === undefined ? '' : ` matching ${patternText(layers)}`;
    const known = all.length === 0 ? 'it has none' : `its layers are ${all.map(([p]) => p).join(', ')}`;
    throw new ConfigError(`${root.constructor.name} has no backbone layer${what}; ${known}`);
  }
  const paths = new Map(namedBaseModules(root).map(([path, m]) => [m, path] as const));
  return chosen.flatMap(([, layer]): [string, ResidualBranch][] => {
    const { attention, feedForward } = layer.residualBranches();
    const at = (b: ResidualBranch): [string, ResidualBranch] => [paths.get(b.block) ?? '', b];
    return placement === 'houlsby' ? [at(attention), at(feedForward)] : [at(feedForward)];
  });
}

/**
 * Adds bottleneck adapter `options.adapter` to the layers of the backbone `root` (or of the backbone
 * under `root`), at the residual branches each layer declares (`BackboneLayer.residualBranches`),
 * makes it the active adapter and (by default) freezes every parameter that belongs to no adapter.
 * @throws ConfigError for invalid options, no backbone layer under `root`, or an adapter name already
 *   present at a site. Nothing changes when it throws.
 * @example
 *   addBottleneckAdapters(model.backbone, { adapter: 'intent', placement: 'pfeiffer', reductionFactor: 16 });
 */
export function addBottleneckAdapters(root: Module, options: BottleneckOptions = {}): BottleneckResult {
  const adapter = options.adapter ?? 'default';
  checkAdapterName(adapter);
  const branches = residualBranches(root, options.placement ?? 'houlsby', options.layers);
  const m = bottleneckSize(branches[0]?.[1].projection.outFeatures ?? 0, options);
  const made: [ResidualBranch, BottleneckAdapter][] = [];
  try {
    for (const [path, branch] of branches) {
      if (siteOf<BottleneckSite>(branch.block, 'bottleneck')?.names.includes(adapter))
        throw new ConfigError(`${path} already has an adapter '${adapter}'`);
      const { weight, outFeatures } = branch.projection;
      made.push([
        branch,
        new BottleneckAdapter(outFeatures, m, { activation: options.activation, dtype: weight.dtype, device: weight.device }),
      ]);
    }
  } catch (e) {
    for (const [, a] of made) a.dispose();
    throw e;
  }
  let parameters = 0;
  for (const [branch, a] of made) {
    (siteOf<BottleneckSite>(branch.block, 'bottleneck') ?? new BottleneckSite(branch)).adapters.set(adapter, a);
    parameters += a.numParameters();
  }
  if (options.freezeBase ?? true) freezeBase(root, options.trainable);
  setActiveAdapter(root, adapter);
  return { adapter, sites: branches.map(([path]) => path), bottleneckSize: m, parameters };
}
