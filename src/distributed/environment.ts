/**
 * The data-parallel environment of a process, read from the variables torchrun (and SLURM wrappers,
 * Kubernetes operators, `mtl train --nproc-per-node`) set: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
 * MASTER_PORT. Only the command line reads process.env; it hands the variables here.
 */
import { ConfigError } from '../errors.js';

export interface DistributedEnvironment {
  /** This process's rank among all processes, 0 … worldSize − 1. */
  readonly rank: number;
  readonly worldSize: number;
  /** Its rank on this machine. */
  readonly localRank: number;
  /** Address and port of rank 0's rendezvous store. */
  readonly masterAddr: string;
  readonly masterPort: number;
}

function integer(env: Readonly<Record<string, string | undefined>>, name: string, min: number, max: number): number {
  const text = env[name];
  const value = text === undefined || !/^\d+$/.test(text.trim()) ? NaN : Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new ConfigError(`the environment variable ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text ?? null)}`);
  return value;
}

/**
 * The environment's data-parallel settings, or undefined when WORLD_SIZE is not set (a plain run).
 * @throws ConfigError naming the variable that is missing or out of range.
 */
export function distributedEnvironment(env: Readonly<Record<string, string | undefined>>): DistributedEnvironment | undefined {
  if (env.WORLD_SIZE === undefined) return undefined;
  const worldSize = integer(env, 'WORLD_SIZE', 1, 65_536);
  const rank = integer(env, 'RANK', 0, worldSize - 1);
  const localRank = env.LOCAL_RANK === undefined ? rank : integer(env, 'LOCAL_RANK', 0, worldSize - 1);
  const masterAddr = env.MASTER_ADDR ?? '';
  if (worldSize > 1 && masterAddr.trim() === '')
    throw new ConfigError("the environment variable MASTER_ADDR must name rank 0's address (e.g. 127.0.0.1) when WORLD_SIZE > 1");
  const masterPort = worldSize > 1 ? integer(env, 'MASTER_PORT', 1, 65_535) : 0;
  return { rank, worldSize, localRank, masterAddr, masterPort };
}
