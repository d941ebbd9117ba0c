/**
 * `AdapterDict`: modules by adapter name (torch.nn.ModuleDict, plus removal), so that one layer can
 * hold several task adapters under `…<dict>.<adapter>.…` (`query.lora_A.intent.weight`). Its items
 * are not registered through `registerModule` (which cannot unregister): the dict reports them itself
 * through the public tree methods every traversal uses (`namedChildren`, `namedParameters`, `train`,
 * `dispose`), so an adapter can be deleted and leaves no parameter behind.
 */
import { ConfigError } from '../../errors.js';
import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/index.js';

/** Throws ConfigError unless `name` can be a path segment (non-empty, no '.'). */
export function checkAdapterName(name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.') || name.includes('|'))
    throw new ConfigError(`an adapter name must be a non-empty string without '.' or '|' (a task name), got ${JSON.stringify(name)}`);
}

export class AdapterDict<M extends Module> extends Module {
  readonly #items = new Map<string, M>();

  /** The adapter names, in insertion order. */
  get names(): string[] {
    return [...this.#items.keys()];
  }

  has(name: string): boolean {
    return this.#items.has(name);
  }

  get(name: string): M | undefined {
    return this.#items.get(name);
  }

  /** Adds `m` under `name` (in this dict's training mode). Returns `m`. */
  set(name: string, m: M): M {
    checkAdapterName(name);
    if (this.#items.has(name)) throw new ConfigError(`adapter '${name}' already exists here; delete it first or choose another name`);
    m.train(this.training);
    this.#items.set(name, m);
    return m;
  }

  /** Removes the adapter `name` and frees its parameters (nothing when absent). */
  delete(name: string): void {
    this.#items.get(name)?.dispose();
    this.#items.delete(name);
  }

  override namedChildren(): [string, Module][] {
    return [...this.#items];
  }

  override namedParameters(prefix = ''): [string, Tensor][] {
    return [...this.#items].flatMap(([name, m]) => m.namedParameters(`${prefix}${name}.`));
  }

  override train(mode = true): this {
    this.training = mode;
    for (const m of this.#items.values()) m.train(mode);
    return this;
  }

  override dispose(): void {
    for (const m of this.#items.values()) m.dispose();
    this.#items.clear();
  }
}
