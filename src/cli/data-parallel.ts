/**
 * `mtl train`'s data-parallel side: `--nproc-per-node N` starts N workers of the same command on this
 * machine (src/distributed/launcher.ts); a worker (or a process started by torchrun, SLURM or any
 * launcher that sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) joins the process group they name.
 */
import path from 'node:path';
import { DataParallel } from '../distributed/data-parallel.js';
import { distributedEnvironment } from '../distributed/environment.js';
import { launchWorkers } from '../distributed/launcher.js';
import { packageRoot } from '../package-root.js';
import { ProcessGroup } from '../tensor/process-group.js';

/** `args` without `--nproc-per-node N` (or `--nproc-per-node=N`): what each worker is given. */
export function workerArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--nproc-per-node') i++;
    else if (!a.startsWith('--nproc-per-node=')) out.push(a);
  }
  return out;
}

/** Runs `mtl <command> <args>` in `nproc` worker processes; returns the launcher's exit code. */
export async function launchCommand(command: string, args: readonly string[], nproc: number): Promise<number> {
  const bin = path.join(packageRoot(import.meta.url), 'bin', 'mtl.js');
  return launchWorkers({ nproc, args: [bin, command, ...workerArgs(args)], env: process.env });
}

/**
 * The process group of this process's data-parallel environment (from process.env), or undefined
 * when it has none or a world of one.
 * @param timeoutMs longest wait for the rendezvous and each collective.
 * @throws ConfigError for bad variables; TorchError when the rendezvous fails.
 */
export async function joinFromEnvironment(timeoutMs: number): Promise<DataParallel | undefined> {
  const env = distributedEnvironment(process.env);
  if (env === undefined || env.worldSize === 1) return undefined;
  const group = await ProcessGroup.create({
    rank: env.rank,
    worldSize: env.worldSize,
    timeoutMs,
    rendezvous: { store: 'tcp', host: env.masterAddr, port: env.masterPort },
  });
  return new DataParallel(group);
}
