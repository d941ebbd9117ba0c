/**
 * Deterministic memory scopes: `tidy(fn)` disposes every tensor handle created while `fn` runs,
 * except those it returns (found inside arrays, plain objects and Maps) or that were `keep()`-ed.
 * Returned tensors move to the enclosing scope. Modelled on tfjs-core's engine (`tidy`/`keep`).
 */
import { ConfigError } from '../errors.js';
import { native } from './native.js';

/** What a scope needs of a tensor; Tensor implements it (kept structural to avoid an import cycle). */
export interface ScopedTensor {
  kept: boolean;
  readonly isDisposed: boolean;
  dispose(): void;
}

/** The handles created while one tidy() runs. */
interface Scope {
  tensors: ScopedTensor[];
  /** Length at which disposed handles are next swept out (a long loop inside one tidy stays bounded). */
  sweepAt: number;
}

const SWEEP_MIN = 1024;
const scopes: Scope[] = [];

/** Registers a new handle with the innermost scope, if any. Called by the Tensor constructor. */
export function track(t: ScopedTensor): void {
  const top = scopes[scopes.length - 1];
  if (top === undefined) return;
  top.tensors.push(t);
  if (top.tensors.length >= top.sweepAt) {
    top.tensors = top.tensors.filter((s) => !s.isDisposed);
    top.sweepAt = Math.max(SWEEP_MIN, 2 * top.tensors.length);
  }
}

function isTensorLike(v: unknown): v is ScopedTensor {
  return typeof v === 'object' && v !== null && 'kept' in v && typeof (v as ScopedTensor).dispose === 'function';
}

function collect(value: unknown, into: Set<ScopedTensor>, seen = new Set<unknown>()): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (isTensorLike(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, into, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, into, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, into, seen);
  }
}

/**
 * Runs `fn` synchronously and frees every tensor it created except those in its result.
 * @throws ConfigError if `fn` is async or returns a promise (a scope cannot span an await).
 * @example
 *   const y = tidy(() => x.mul(2).add(1)); // the intermediate x.mul(2) is freed here
 */
export function tidy<T>(fn: () => T): T {
  if (fn.constructor.name === 'AsyncFunction') {
    throw new ConfigError('tidy() takes a synchronous function; an async function would outlive its scope');
  }
  const scope: Scope = { tensors: [], sweepAt: SWEEP_MIN };
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    release(scope.tensors, new Set());
    throw e;
  }
  scopes.pop();
  const returned = new Set<ScopedTensor>();
  if (result instanceof Promise) {
    release(scope.tensors, returned);
    throw new ConfigError('tidy() got a promise back; a scope cannot span an await, so use tidy() inside the async code');
  }
  collect(result, returned);
  release(scope.tensors, returned);
  const parent = scopes[scopes.length - 1];
  if (parent !== undefined && returned.size > 0) {
    const created = new Set(scope.tensors);
    for (const t of returned) if (!t.kept && created.has(t)) parent.tensors.push(t);
  }
  return result;
}

function release(tensors: readonly ScopedTensor[], spare: Set<ScopedTensor>): void {
  for (const t of tensors) if (!t.kept && !spare.has(t) && !t.isDisposed) t.dispose();
}

/** Exempts `t` from every tidy() scope; its owner must dispose it. Returns `t`. */
export function keep<T extends ScopedTensor>(t: T): T {
  t.kept = true;
  return t;
}

/** Disposes every tensor found in `value` (a tensor, or arrays/objects/Maps of tensors). */
export function dispose(value: unknown): void {
  const found = new Set<ScopedTensor>();
  collect(value, found);
  for (const t of found) t.dispose();
}

/** Number of live native tensor handles (for leak checks: it must return to its baseline). */
export function liveTensorCount(): number {
  return native.liveCount();
}

/** Native memory of live tensors, as the binding reports it to V8 (napi_adjust_external_memory). */
export interface TensorMemory {
  /** Bytes of the distinct storages that live handles point into (views and aliases count once). */
  tensorBytes: number;
  /**
   * V8's own total of external memory after that report: what drives its GC heuristics. Node 20's
   * process.memoryUsage().external does not include it (it counts ArrayBuffer backing stores only).
   */
  v8ExternalBytes: number;
}

/** Bytes held by live tensors and V8's view of external memory (memory held only by autograd graphs is not counted). */
export function tensorMemory(): TensorMemory {
  return native.memoryInfo();
}
