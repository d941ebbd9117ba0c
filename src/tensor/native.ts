/**
 * Loads the libtorch binding (`build/Release/mtl_native.node`) and declares its functions.
 * Tensors cross the boundary as integer ids into the binding's table; see native/ops.h.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NativeLoadError, TorchError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { staleAddonSources } from './addon-freshness.js';
import { ensureOpenBlasCore } from './blas-core.js';
import { ensurePassiveOmpWait } from './omp-wait-policy.js';
import { ensureNoUcxMemoryHooks, ensureNoUcxSignalHandlers } from './ucx-error-handling.js';
import { onTorchWarning } from './torch-warnings.js';

/** An argument of a dispatcher call: tensor ids, scalars, lists, strings; undefined = schema default. */
export type NativeArg = number | boolean | string | null | undefined | readonly (number | boolean | null)[];

export interface NativeBinding {
  opHandle(name: string, overload: string): number;
  opSchema(handle: number): string;
  call(handle: number, ...args: NativeArg[]): unknown;
  fromBuffer(data: ArrayBufferView, dtype: number, shape: readonly number[]): number;
  toBuffer(id: number): ArrayBuffer;
  shape(id: number): number[];
  dtype(id: number): number;
  device(id: number): string;
  free(id: number): void;
  liveCount(): number;
  /** Bytes of the distinct storages live handles point into, and V8's total of external memory after reporting them. */
  memoryInfo(): { tensorBytes: number; v8ExternalBytes: number };
  requiresGrad(id: number): boolean;
  setRequiresGrad(id: number, flag: boolean): void;
  isLeaf(id: number): boolean;
  grad(id: number): number | null;
  setGrad(id: number, grad: number | null): void;
  backward(outputs: number[], gradOutputs: (number | null)[] | null, retainGraph: boolean | undefined, createGraph: boolean): void;
  autogradGrad(
    outputs: number[],
    inputs: number[],
    gradOutputs: (number | null)[] | null,
    retainGraph: boolean | undefined,
    createGraph: boolean,
    allowUnused: boolean,
  ): (number | null)[];
  setGradEnabled(flag: boolean): boolean;
  isGradEnabled(): boolean;
  inferenceMode<T>(fn: () => T): T;
  isInferenceMode(): boolean;
  manualSeed(seed: number | bigint): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  cudaDeviceCount(): number;
  version(): string;
  /**
   * One fused AdamW update in place (native/adamw.cc); maxExpAvgSq null without AMSGrad. Returns false,
   * changing nothing, unless all tensors are contiguous float32 CPU tensors of the parameter's shape.
   */
  adamwStepFused(
    param: number,
    grad: number,
    expAvg: number,
    expAvgSq: number,
    maxExpAvgSq: number | null,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    biasCorrection1: number,
    biasCorrection2: number,
    maximize: boolean,
  ): boolean;
  /** OpenBLAS's kernel set and build line; nulls when libtorch uses another BLAS. */
  blasInfo(): { core: string | null; config: string | null };
  /** Registers the function that builds every error the binding throws. */
  setErrorFactory(make: (message: string, op: string | undefined, inputs: string | undefined, torchMessage: string) => Error): void;
  /** Registers the function that receives every libtorch warning (TORCH_WARN), after the call that raised it. */
  setWarningHandler(handle: (message: string) => void): void;
  /** Opens an autocast region of 'cpu' or 'cuda' (native/autocast.cc); returns the state to restore. */
  autocastEnter(device: 'cpu' | 'cuda', enabled: boolean, dtype: number): [boolean, number];
  autocastExit(device: 'cpu' | 'cuda', previousEnabled: boolean, previousDtype: number): void;
  isAutocast(device: 'cpu' | 'cuda'): boolean;
  /**
   * Activation checkpointing (native/checkpoint.cc): runs fn(inputIds) without recording, again in
   * backward with grad on; fn owns the ids it is given and hands over the ids it returns.
   */
  checkpoint(fn: (ids: number[]) => number[], inputs: number[], params: number[]): number[];
  /** c10d process groups (native/distributed.cc; see ./process-group.ts): whether this build has Gloo. */
  pgAvailable(): boolean;
  pgCreate(options: NativeGroupOptions): Promise<NativeGroup>;
  pgDestroy(group: NativeGroup): void;
  /** In place over the flat concatenation of the tensors; 'avg' = sum / world size. */
  pgAllReduce(group: NativeGroup, ids: number[], op: 'sum' | 'avg'): Promise<void>;
  pgBroadcast(group: NativeGroup, ids: number[], root: number): Promise<void>;
  /** New tensor ids, one per rank. */
  pgAllGather(group: NativeGroup, id: number): Promise<number[]>;
  pgBarrier(group: NativeGroup): Promise<void>;
  /** Gradient all-reduce overlapped with the backward pass (native/reducer.cc; see ./gradient-reducer.ts). */
  reducerAvailable(): boolean;
  /** Hooks on every parameter of `buckets` (ids; launched in this order), disarmed; `foldFlags`: the "had a gradient" flags in the last bucket where its dtype allows. */
  reducerCreate(group: NativeGroup, buckets: number[][], foldFlags: boolean): NativeReducer;
  /** Arms the hooks for a backward pass from `roots`; the parameters it cannot reach are filled at once. */
  reducerPrepare(reducer: NativeReducer, roots: number[]): void;
  /** Resolves with what the pass did (see NativeReduction). */
  reducerFinish(reducer: NativeReducer): Promise<NativeReduction>;
  reducerDestroy(reducer: NativeReducer): void;
}

/** A native gradient reducer (an opaque handle). */
export type NativeReducer = object;

/** What reducerFinish resolves with (native/reducer.cc). */
export interface NativeReduction {
  /** Buckets launched before reducerFinish was called. */
  readonly launched: number;
  readonly buckets: number;
  /** Positions (in the flattened buckets of reducerCreate) of the parameters whose gradient came in the pass, in the order it came. */
  readonly readyOrder: number[];
  /** Elements of the buckets launched before the last parameter's slot was filled, of all `elements`. */
  readonly earlyElements: number;
  readonly elements: number;
  /** Collectives launched once every slot was filled (the flags' own all-reduce included). */
  readonly exposed: number;
  /** Whether the flags rode in the last bucket. */
  readonly flagsFolded: boolean;
}

/** A native process group (an opaque handle). */
export type NativeGroup = object;

/** What pgCreate reads: rank 0 serves the TCP store at host:port; a file store at `path`. */
export interface NativeGroupOptions {
  rank: number;
  worldSize: number;
  timeoutMs: number;
  rendezvousTimeoutMs: number;
  store: 'tcp' | 'file';
  host?: string;
  port?: number;
  path?: string;
  hostname?: string;
}

/**
 * What builds the addon, said for where the package is: a checkout of the repository has npm scripts
 * for it; a package installed into someone's project (under node_modules) is rebuilt by npm there,
 * once its install script is allowed (npm 11 skips dependencies' install scripts until approved).
 */
function howToBuild(root: string): string {
  const libtorch = 'libtorch (apt-get install libtorch-dev, pip install torch, or a libtorch archive with TORCH_DIR=/path)';
  if (root.split(path.sep).includes('node_modules')) {
    return `in your project, install ${libtorch}, then run \`npm install-scripts approve multitask-lm && npm rebuild multitask-lm\``;
  }
  return `run \`npm run setup\` (installs libtorch-dev on Debian when no libtorch is found, then builds), or install ${libtorch} and run \`npm run build:native\``;
}

function load(): NativeBinding {
  const root = packageRoot(import.meta.url);
  const file = path.join(root, 'build', 'Release', 'mtl_native.node');
  if (!existsSync(file)) throw new NativeLoadError(`the native addon ${file} is not built: ${howToBuild(root)}.`);
  const stale = staleAddonSources(root, file);
  if (stale.length > 0) {
    throw new NativeLoadError(
      `the native addon ${file} is older than its sources (${stale.join(', ')} changed since it was built); to rebuild it, ${howToBuild(root)}.`,
    );
  }
  ensureOpenBlasCore(); // before libtorch loads OpenBLAS, which reads it once
  ensurePassiveOmpWait(); // before libtorch loads libgomp, which reads it once
  ensureNoUcxSignalHandlers(); // before libtorch loads UCX (Debian's 2.x, through Open MPI), which would take over SIGSEGV
  ensureNoUcxMemoryHooks(); // …and would patch glibc's brk and move the program break under glibc's heap as it loads
  try {
    return createRequire(import.meta.url)(file) as NativeBinding;
  } catch (e) {
    throw new NativeLoadError(
      `the native addon ${file} failed to load (${(e as Error).message}). Its libtorch may have moved or changed; to rebuild it, ${howToBuild(root)}.`,
      e,
    );
  }
}

/**
 * The binding, loaded on first use: importing the package does not load libtorch (about 3 s and
 * 150 MiB); the first tensor operation does. Until then `native` has no functions of its own and its
 * prototype, a Proxy, loads the addon on the first property read and copies every function onto
 * `native`, so later calls are plain property reads that never reach the Proxy.
 *
 * Every failure inside it (libtorch's c10::Error, a C++ exception, an argument of the wrong type)
 * arrives as a TorchError naming the function or operator, its inputs and libtorch's message
 * without the C++ backtrace.
 * @throws NativeLoadError (on first use) when the addon is missing, stale or fails to load.
 */
export const native: NativeBinding = Object.create(
  new Proxy(
    {},
    {
      get(_, name, receiver: NativeBinding) {
        // Symbols and `then` are asked by inspection and `await`, not by callers of the binding.
        if (typeof name === 'symbol' || name === 'then') return undefined;
        const binding = load();
        binding.setErrorFactory((message, op, inputs, torchMessage) => new TorchError(message, { op, inputs, torchMessage }));
        binding.setWarningHandler(onTorchWarning);
        Object.assign(receiver, binding);
        return binding[name as keyof NativeBinding];
      },
    },
  ),
) as NativeBinding;
