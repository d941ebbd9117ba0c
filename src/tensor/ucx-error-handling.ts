/**
 * Keeps Node's own signal handlers when the linked libtorch brings in UCX. Debian's libtorch 2.x links
 * Open MPI (for ProcessGroupMPI), which links UCX; UCX's libucs, as it loads, installs handlers for
 * SIGSEGV, SIGBUS, SIGILL and SIGFPE that print a backtrace (UCX_HANDLE_ERRORS, default `bt`). That
 * replaces V8's WebAssembly trap handler, so an out-of-bounds WebAssembly access — a RuntimeError
 * otherwise — kills the process ("Caught signal 11"), and a crash inside malloc hangs in the handler's
 * own malloc instead of ending. UCX_HANDLE_ERRORS=none (UCX's `ucx_info -c`; read once, when libucs
 * loads) installs none of them. Nothing here uses MPI or UCX; with a libtorch without UCX (Debian's
 * 1.13) the variable is read by nobody.
 *
 * Measured (docs/install.md, libtorch 2.6): after loading the addon, the process catches signals 1, 4,
 * 7, 8 besides Node's, and a wasm load past its memory ends the process with SIGSEGV; with
 * UCX_HANDLE_ERRORS=none, only 1 is added and the load throws "memory access out of bounds".
 */

/**
 * Sets `env.UCX_HANDLE_ERRORS` to `none` when it is unset or empty; must run before libtorch (and with
 * it UCX) is loaded. A value the user set is kept.
 * @returns the setting in effect.
 */
export function ensureNoUcxSignalHandlers(env: NodeJS.ProcessEnv = process.env): string {
  const set = env.UCX_HANDLE_ERRORS;
  if (set !== undefined && set !== '') return set;
  env.UCX_HANDLE_ERRORS = 'none';
  return 'none';
}
