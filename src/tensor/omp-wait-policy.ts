/**
 * Makes OpenMP's idle threads sleep instead of spin before libtorch loads libgomp. libtorch runs its
 * element-wise and reduction kernels on OpenMP threads (at::parallel_for), while OpenBLAS (the BLAS
 * behind Debian's libtorch, the pthreads build) runs every matrix product on threads of its own. By
 * default libgomp keeps a thread that has finished its part spinning (and calling sched_yield) for a
 * while, waiting for the next parallel region: beside OpenBLAS's threads that is one more busy thread
 * than there are cores, and the matrix products share their cores with it. OMP_WAIT_POLICY=PASSIVE
 * (OpenMP 5.2 §21.2.3; libgomp reads it once, when it loads) puts such threads to sleep at once.
 *
 * Measured on this project's 2-core machine (docs/results/issue13-multi30k.md §6): training the
 * Multi30k BART example with 2 threads ran 80 steps in 91–96 s by default and in 49–52 s with
 * PASSIVE (1.85×); a perf profile of the default showed 35 % of the time in libgomp's wait loop and
 * 21 % in the kernel (sched_yield), 24 % in OpenBLAS's GEMM. With one libtorch thread there is no
 * OpenMP worker to spin and nothing changes.
 */

/**
 * Sets `env.OMP_WAIT_POLICY` to PASSIVE when it is unset or empty; must run before libtorch (and with
 * it libgomp) is loaded. A value the user set (ACTIVE or PASSIVE) is kept.
 * @returns the policy in effect.
 */
export function ensurePassiveOmpWait(env: NodeJS.ProcessEnv = process.env): string {
  const set = env.OMP_WAIT_POLICY;
  if (set !== undefined && set !== '') return set;
  env.OMP_WAIT_POLICY = 'PASSIVE';
  return 'PASSIVE';
}
