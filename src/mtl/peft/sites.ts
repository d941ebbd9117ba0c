/**
 * Adapter sites: the modules of a built model (a Linear, a BERT output block) that PEFT has fitted
 * with named adapters, and the per-task switch over them. PEFT never edits the model's classes: it
 * adds an `AdapterDict` child to the host module (so the adapters' parameters appear under the host's
 * path) and routes the host's `forward` through the site (an own property that shadows the class
 * method; `detach` deletes it again).
 *
 * At most one adapter per site is active; `setActiveAdapter(model, task)` chooses the task's adapter
 * at every site before that task's forward pass ("several task adapters in one model, chosen per
 * task at run time").
 */
import { ConfigError } from '../../errors.js';
import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/index.js';
import { AdapterDict } from './adapter-dict.js';

/** One host module's adapters of one kind. */
export interface AdapterSite {
  readonly kind: 'lora' | 'bottleneck';
  /** The adapters this site holds, in insertion order. */
  readonly names: readonly string[];
  /** The adapter in use, or null (the host computes as without adapters). */
  readonly active: string | null;
  /** Why `name` cannot become active now (undefined when it can). */
  activationProblem(name: string | null): string | undefined;
  /** Makes `name` (one of `names`, or null) the active adapter. */
  activate(name: string | null): void;
  /** The parameters of adapter `name` here, or of every adapter when omitted. */
  parameters(name?: string): Tensor[];
  /** Removes adapter `name` and frees its parameters; detaches the site when none is left. */
  delete(name: string): void;
}

const sitesByHost = new WeakMap<Module, AdapterSite[]>();

export function registerSite(host: Module, site: AdapterSite): void {
  sitesByHost.set(host, [...(sitesByHost.get(host) ?? []), site]);
}

export function unregisterSite(host: Module, site: AdapterSite): void {
  sitesByHost.set(
    host,
    (sitesByHost.get(host) ?? []).filter((s) => s !== site),
  );
}

/** The site of `kind` on `host`, if any. */
export function siteOf<S extends AdapterSite>(host: Module, kind: AdapterSite['kind']): S | undefined {
  return sitesByHost.get(host)?.find((s) => s.kind === kind) as S | undefined;
}

/** Every module under `root` with its dotted path ('' for `root`), depth first in registration order. */
export function namedModules(root: Module, prefix = ''): [string, Module][] {
  const out: [string, Module][] = [[prefix, root]];
  for (const [name, child] of root.namedChildren()) out.push(...namedModules(child, prefix === '' ? name : `${prefix}.${name}`));
  return out;
}

/** The dotted path of `target` under `root` ('' for `root` itself), or undefined when it is not under it. */
export function modulePath(root: Module, target: Module): string | undefined {
  return namedModules(root).find(([, m]) => m === target)?.[0];
}

/**
 * `namedModules` without descending into adapter dicts: the modules of the model itself, which
 * adapters may target (a pattern 'query' must not match the LoRA layers under `query.lora_A`).
 */
export function namedBaseModules(root: Module, prefix = ''): [string, Module][] {
  const out: [string, Module][] = [[prefix, root]];
  for (const [name, child] of root.namedChildren()) {
    if (!(child instanceof AdapterDict)) out.push(...namedBaseModules(child, prefix === '' ? name : `${prefix}.${name}`));
  }
  return out;
}

/** Every adapter site under `root` (of `kind` when given), with its host's path. */
export function adapterSites(root: Module, kind?: AdapterSite['kind']): { path: string; host: Module; site: AdapterSite }[] {
  const out: { path: string; host: Module; site: AdapterSite }[] = [];
  for (const [path, host] of namedModules(root)) {
    for (const site of sitesByHost.get(host) ?? []) if (kind === undefined || site.kind === kind) out.push({ path, host, site });
  }
  return out;
}

/**
 * Routes `target.forward` through `make(original)`, as an own property that shadows the class
 * method. Returns the function that undoes it.
 */
export function overrideForward<F extends (...args: never[]) => unknown>(target: { forward: F }, make: (original: F) => F): () => void {
  const hadOwn = Object.prototype.hasOwnProperty.call(target, 'forward');
  const previous = target.forward;
  target.forward = make(previous.bind(target) as F);
  return () => {
    if (hadOwn) target.forward = previous;
    else Reflect.deleteProperty(target, 'forward');
  };
}

/**
 * Module's registration is protected (only a module registers its own children). PEFT adds children
 * to modules built elsewhere, so it borrows that access here, in this one place; a public
 * `Module.addModule(name, m)` in src/nn would make this class unnecessary.
 */
abstract class ChildRegistrar extends Module {
  static attach<M extends Module>(host: Module, name: string, child: M): M {
    return (host as ChildRegistrar).registerModule(name, child);
  }
}

/**
 * Registers `child` as the child `name` of a module built elsewhere (its parameters then appear
 * under `<host path>.<name>.…`). Returns `child`.
 */
export function attachChild<M extends Module>(host: Module, name: string, child: M): M {
  return ChildRegistrar.attach(host, name, child);
}

/**
 * The `AdapterDict` child `name` of `host`, attached on first use (so its adapters' paths are
 * `<host>.<name>.<adapter>.…`). A later call returns the same dict, also after the site was detached.
 * @throws ConfigError when `host` has a child `name` that is not an AdapterDict.
 */
export function adapterDict<M extends Module>(host: Module, name: string): AdapterDict<M> {
  const existing = host.namedChildren().find(([n]) => n === name)?.[1];
  if (existing instanceof AdapterDict) return existing as AdapterDict<M>;
  if (existing !== undefined) throw new ConfigError(`${host.constructor.name} already has a child '${name}' that is not an adapter dict`);
  return ChildRegistrar.attach(host, name, new AdapterDict<M>());
}

/** Every adapter name under `root`, sorted. */
export function adapterNames(root: Module): string[] {
  return [...new Set(adapterSites(root).flatMap(({ site }) => site.names))].sort();
}

/** The adapters active somewhere under `root` (one, normally), sorted. */
export function activeAdapters(root: Module): string[] {
  const active = adapterSites(root).flatMap(({ site }) => (site.active === null ? [] : [site.active]));
  return [...new Set(active)].sort();
}

/** The parameters of adapter `name` under `root` (of every adapter when omitted). */
export function adapterParameters(root: Module, name?: string): Tensor[] {
  return [...new Set(adapterSites(root).flatMap(({ site }) => site.parameters(name)))];
}

/**
 * The adapters' parameters by dotted path under `root` (only adapter `name`'s when given): what to
 * save for a task adapter trained on a frozen, shared base. The model's own tensors: do not dispose them.
 */
export function adapterStateDict(root: Module, name?: string): Map<string, Tensor> {
  const own = new Set(adapterParameters(root, name));
  return new Map(root.namedParameters().filter(([, p]) => own.has(p)));
}

/**
 * Makes `name` the active adapter at every site that holds it and deactivates every other site
 * (which then computes as without adapters); `null` deactivates all. Checks every site before
 * changing any. Call it before each task's forward pass.
 * @throws ConfigError when no site holds `name`, or a site cannot switch (a merged LoRA adapter).
 * @example
 *   setActiveAdapter(model.backbone, 'intent');
 *   const logits = model.forward(batch.inputs, ['intent']);
 */
export function setActiveAdapter(root: Module, name: string | null): void {
  const sites = adapterSites(root);
  if (sites.length === 0) throw new ConfigError(`${root.constructor.name} has no adapters; add some with addLora or addBottleneckAdapters`);
  if (name !== null && !sites.some(({ site }) => site.names.includes(name)))
    throw new ConfigError(`no adapter is called '${name}'; the model has adapters ${adapterNames(root).join(', ')}`);
  const plan = sites.map(({ path, site }) => ({ path, site, target: name !== null && site.names.includes(name) ? name : null }));
  const problems = plan.flatMap(({ path, site, target }) => {
    const problem = site.activationProblem(target);
    return problem === undefined ? [] : [`${path}: ${problem}`];
  });
  if (problems.length > 0) throw new ConfigError(`cannot make '${String(name)}' the active adapter: ${problems.join('; ')}`);
  for (const { site, target } of plan) site.activate(target);
}

/**
 * Runs `fn` with adapter `name` active (as `setActiveAdapter`) and restores every site's previous
 * choice afterwards, also when `fn` throws. Returns what `fn` returns.
 */
export function withAdapter<T>(root: Module, name: string | null, fn: () => T): T {
  const before = adapterSites(root).map(({ site }) => [site, site.active] as const);
  setActiveAdapter(root, name);
  try {
    return fn();
  } finally {
    for (const [site, active] of before) site.activate(active);
  }
}

/**
 * Removes adapter `name` from every site under `root` and frees its parameters.
 * @returns the number of sites it was removed from.
 * @throws ConfigError when no site holds it.
 */
export function deleteAdapter(root: Module, name: string): number {
  const holders = adapterSites(root).filter(({ site }) => site.names.includes(name));
  if (holders.length === 0)
    throw new ConfigError(`no adapter is called '${name}'; the model has adapters ${adapterNames(root).join(', ') || '(none)'}`);
  for (const { site } of holders) site.delete(name);
  return holders.length;
}
