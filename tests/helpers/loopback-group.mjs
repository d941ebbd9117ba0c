// Joining a Gloo group on loopback from a test's child process (tests/helpers/*-worker.mjs; the caller
// has registered tsx). Each rank joins only once every rank has loaded (a file per rank in readyDir),
// and the join has its own long timeout, so `timeoutMs` times the collectives, not a peer starting on a
// loaded machine.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout } from 'node:timers';

/** This rank's ProcessGroup of `worldSize` ranks over 127.0.0.1:`port` (a TCP store), collectives timing out after `timeoutMs`. */
export async function joinLoopbackGroup({ rank, worldSize, port, timeoutMs, readyDir }) {
  const { ProcessGroup } = await import('../../src/tensor/process-group.ts');
  writeFileSync(path.join(readyDir, `ready.${rank}`), '');
  while (![...Array(worldSize).keys()].every((r) => existsSync(path.join(readyDir, `ready.${r}`)))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return ProcessGroup.create({
    rank,
    worldSize,
    timeoutMs,
    rendezvousTimeoutMs: 60_000,
    rendezvous: { store: 'tcp', host: '127.0.0.1', port },
    hostname: '127.0.0.1',
  });
}
