/**
 * Chooses OpenBLAS's kernels before libtorch loads it. OpenBLAS (the BLAS behind Debian's libtorch)
 * picks its GEMM kernels from the CPU model when the library loads; a model newer than the OpenBLAS
 * build is not recognised and gets the generic SSE3 "Prescott" kernels. On this project's machine
 * (Intel Xeon family 6 model 207, under KVM) Debian 12's OpenBLAS 0.3.21 does that, and float32
 * GEMM runs at ~18 GFLOP/s instead of ~135–190 GFLOP/s with the AVX-512 kernels the CPU supports.
 * OpenBLAS reads the environment variable OPENBLAS_CORETYPE at load time to override its choice
 * (OpenBLAS README, "Setting the target at runtime"); this module sets it from the CPU's feature
 * flags unless the user already has.
 */
import { readFileSync } from 'node:fs';

/** Feature flags (as /proc/cpuinfo names them) that OpenBLAS's SkylakeX kernels need. */
const SKYLAKEX_FLAGS = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];
/** …and its Haswell kernels. */
const HASWELL_FLAGS = ['avx2', 'fma'];

/**
 * The OpenBLAS core name whose kernels a CPU with these feature flags can run, fastest first:
 * "SkylakeX" (AVX-512), "Haswell" (AVX2 + FMA), or undefined (leave OpenBLAS's own choice).
 * @param flags CPU feature flags in /proc/cpuinfo spelling, e.g. "avx512f".
 */
export function openBlasCoreFor(flags: ReadonlySet<string>): 'SkylakeX' | 'Haswell' | undefined {
  if (SKYLAKEX_FLAGS.every((f) => flags.has(f))) return 'SkylakeX';
  if (HASWELL_FLAGS.every((f) => flags.has(f))) return 'Haswell';
  return undefined;
}

/** The first processor's feature flags from /proc/cpuinfo (empty where that file does not exist). */
export function cpuFlags(cpuinfo = '/proc/cpuinfo'): Set<string> {
  let text: string;
  try {
    text = readFileSync(cpuinfo, 'utf8');
  } catch {
    return new Set(); // not Linux: OpenBLAS keeps its own choice
  }
  const line = text.split('\n').find((l) => /^flags\s*:/.test(l));
  return new Set(
    line === undefined
      ? []
      : line
          .slice(line.indexOf(':') + 1)
          .trim()
          .split(/\s+/),
  );
}

/**
 * Sets `env.OPENBLAS_CORETYPE` from the CPU's flags when it is unset; must run before libtorch (and
 * with it OpenBLAS) is loaded. A value the user set is kept. Harmless with another BLAS (MKL), which
 * does not read the variable.
 * @returns the core type in effect, or undefined when OpenBLAS chooses.
 */
export function ensureOpenBlasCore(env: NodeJS.ProcessEnv = process.env, flags: ReadonlySet<string> = cpuFlags()): string | undefined {
  const set = env.OPENBLAS_CORETYPE;
  if (set !== undefined && set !== '') return set;
  const core = openBlasCoreFor(flags);
  if (core !== undefined) env.OPENBLAS_CORETYPE = core;
  return core;
}
