/**
 * Freezing and unfreezing parameters by name, and counting what is left to train. A frozen parameter
 * (`requiresGrad = false`) gets no gradient, so an optimizer built over the trainable parameters
 * leaves it alone. Names are the dotted paths of `module.namedParameters()`; patterns as in
 * ./patterns.ts (`'embeddings'`, `'layer.0|layer.1'`, `/LayerNorm\.bias$/`).
 */
import { ConfigError } from '../../errors.js';
import type { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/index.js';
import { nameMatcher, patternText, type NamePattern } from './patterns.js';
import { adapterParameters } from './sites.js';

/** What `freeze` / `unfreeze` touched. */
export interface FreezeResult {
  /** Parameter tensors whose name matched. */
  tensors: number;
  /** Scalars in them (Σ numel). */
  parameters: number;
}

/** Scalar parameter counts of a module; a tensor shared under two names counts once. */
export interface ParameterCount {
  total: number;
  trainable: number;
}

function setRequiresGrad(module: Module, pattern: NamePattern | undefined, flag: boolean): FreezeResult {
  const matches = pattern === undefined ? () => true : nameMatcher(pattern);
  const hit = new Set<Tensor>();
  for (const [name, p] of module.namedParameters()) if (matches(name)) hit.add(p);
  if (hit.size === 0 && pattern !== undefined) {
    const sample = module
      .namedParameters()
      .slice(0, 4)
      .map(([n]) => n);
    throw new ConfigError(
      `the pattern ${patternText(pattern)} matches no parameter of ${module.constructor.name}; ` +
        `parameter names look like ${sample.join(', ')}${sample.length > 0 ? ', …' : ' (it has none)'}`,
    );
  }
  let parameters = 0;
  for (const p of hit) {
    p.requiresGrad = flag;
    parameters += p.numel;
  }
  return { tensors: hit.size, parameters };
}

/**
 * Stops training every parameter of `module` whose dotted name matches `pattern` (all of them
 * when omitted).
 * @throws ConfigError when the pattern matches no parameter (a typo would otherwise freeze nothing).
 * @example
 *   freeze(model, 'encoder.embeddings|encoder.encoder.layer.0'); // { tensors: 21, parameters: … }
 */
export function freeze(module: Module, pattern?: NamePattern): FreezeResult {
  return setRequiresGrad(module, pattern, false);
}

/** Trains again every parameter whose name matches `pattern` (all when omitted). Throws as `freeze`. */
export function unfreeze(module: Module, pattern?: NamePattern): FreezeResult {
  return setRequiresGrad(module, pattern, true);
}

/**
 * Freezes every parameter of `root` that belongs to no adapter, then unfreezes `trainable` (e.g.
 * 'heads'): the base model stays fixed and only adapters (and the named parts) train.
 * @returns the scalars left trainable.
 */
export function freezeBase(root: Module, trainable?: NamePattern): number {
  const own = new Set(adapterParameters(root));
  for (const p of root.parameters()) if (!own.has(p)) p.requiresGrad = false;
  if (trainable !== undefined) unfreeze(root, trainable);
  return countParameters(root).trainable;
}

/** Total and trainable (`requiresGrad`) scalar parameters of `module`. */
export function countParameters(module: Module): ParameterCount {
  let total = 0;
  let trainable = 0;
  for (const p of new Set(module.parameters())) {
    total += p.numel;
    if (p.requiresGrad) trainable += p.numel;
  }
  return { total, trainable };
}

/** 1234 → '1.2K', 11_300_000 → '11.3M' (numbers under 1000 as they are). */
export function formatCount(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) if (n >= size) return `${(n / size).toFixed(1)}${unit}`;
  return String(n);
}

/**
 * One line for logs: `trainable 1.2M of 11.3M (10.6%)`. Shares under 1% keep two significant digits
 * (`0.27%`), since that is where LoRA and adapters live.
 */
export function parameterSummary(module: Module): string {
  const { total, trainable } = countParameters(module);
  const share = total === 0 ? 0 : (100 * trainable) / total;
  const pct = share === 0 || share >= 1 ? share.toFixed(1) : share.toPrecision(2);
  return `trainable ${formatCount(trainable)} of ${formatCount(total)} (${pct}%)`;
}
