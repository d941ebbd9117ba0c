/**
 * Keeps UCX out of Node's way when the linked libtorch brings it in: Node's own signal handlers, and
 * glibc's heap. Debian's libtorch 2.x links
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
 *
 * Memory hooks: libucs's constructor also installs UCX's memory hooks (UCM, for its registration caches):
 * it patches glibc's `brk` and tests the patch by moving the program break itself, a page up and back
 * (brk through a raw system call), while the dlopen of the addon runs and Node's other threads may be
 * growing glibc's main heap with sbrk. When the two interleave, glibc loses the top page(s) of its heap
 * and a later malloc or free there ends the process with SIGSEGV ("address not mapped"), at load or at
 * exit — the rare crash of 2.6 children (docs/install.md). UCX_MEM_EVENTS=no (UCX's `ucx_info -c`; read
 * once, when libucs loads) installs no hooks and never moves the break.
 */

/** Sets `env[name]` to `value` when it is unset or empty; returns the setting in effect. */
function ensureSetting(env: NodeJS.ProcessEnv, name: string, value: string): string {
  const set = env[name];
  if (set !== undefined && set !== '') return set;
  env[name] = value;
  return value;
}

/**
 * Sets `env.UCX_HANDLE_ERRORS` to `none` when it is unset or empty; must run before libtorch (and with
 * it UCX) is loaded. A value the user set is kept.
 * @returns the setting in effect.
 */
export function ensureNoUcxSignalHandlers(env: NodeJS.ProcessEnv = process.env): string {
  return ensureSetting(env, 'UCX_HANDLE_ERRORS', 'none');
}

/**
 * Sets `env.UCX_MEM_EVENTS` to `no` when it is unset or empty, so that UCX installs no memory hooks;
 * must run before libtorch (and with it UCX) is loaded. A value the user set is kept.
 * @returns the setting in effect.
 */
export function ensureNoUcxMemoryHooks(env: NodeJS.ProcessEnv = process.env): string {
  return ensureSetting(env, 'UCX_MEM_EVENTS', 'no');
}
