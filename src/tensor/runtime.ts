/**
 * Process-wide settings of the tensor engine: seeds, intra-op threads, devices, versions.
 */
import { ConfigError } from '../errors.js';
import { native } from './native.js';

/**
 * Seeds libtorch's default generators (CPU and CUDA): the same seed gives the same random draws
 * (randn, rand, randint, dropout, normal_, uniform_) run to run on the same machine and thread count.
 */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ConfigError(`seed must be a non-negative integer, got ${seed}`);
  native.manualSeed(seed);
}

/** Sets the number of threads libtorch uses inside one operator (at::set_num_threads). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`number of threads must be a positive integer, got ${n}`);
  native.setNumThreads(n);
}

/** Threads libtorch uses inside one operator. */
export const getNumThreads = (): number => native.getNumThreads();

/** Number of CUDA devices the linked libtorch can use (0 for a CPU-only build). */
export const cudaDeviceCount = (): number => native.cudaDeviceCount();

/** Whether the linked libtorch has CUDA and a device is present. */
export const cudaAvailable = (): boolean => native.cudaDeviceCount() > 0;

/** Version of the linked libtorch, e.g. "1.13.0". */
export const libtorchVersion = (): string => native.version();

/**
 * The BLAS kernels in use: OpenBLAS's core name (e.g. "SkylakeX"; "Prescott" is its generic SSE3
 * fallback) and build line, or nulls when the linked libtorch uses another BLAS. See ./blas-core.ts.
 */
export const blasInfo = (): { core: string | null; config: string | null } => native.blasInfo();
