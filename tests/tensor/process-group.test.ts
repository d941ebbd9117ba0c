// Two processes on loopback form a Gloo group (tests/helpers/pg-worker.mjs); the collectives' results
// are checked against values computed by hand from each rank's inputs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { ProcessGroup, processGroupsAvailable } from '../../src/tensor/process-group.js';
import { freeLoopbackPort as freePort } from '../../src/distributed/launcher.js';
import { runNode } from '../helpers/processes.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'pg-worker.mjs');

async function twoRanks(scenario: string, timeoutMs: number): Promise<{ out: unknown[]; codes: (number | null)[]; stderr: string }> {
  const port = await freePort();
  const ready = mkdtempSync(path.join(tmpdir(), 'mtl-pg-'));
  const runs = await Promise.all(
    [0, 1].map((rank) => runNode([WORKER, String(rank), '2', String(port), String(timeoutMs), scenario, ready])),
  );
  rmSync(ready, { recursive: true, force: true });
  const out = runs.map((r) => (r.stdout.trim() === '' ? null : (JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as unknown)));
  return { out, codes: runs.map((r) => r.code), stderr: runs.map((r) => r.stderr).join('\n') };
}

describe('process groups (Gloo, 2 processes on loopback)', { skip: !processGroupsAvailable() && 'addon built without Gloo' }, () => {
  it('all-reduce, broadcast, all-gather and barrier give the hand-computed values on both ranks', async () => {
    const { out, codes, stderr } = await twoRanks('collectives', 30_000);
    assert.deepEqual(codes, [0, 0], stderr);
    for (const rank of [0, 1]) {
      assert.deepEqual(out[rank], {
        rank,
        worldSize: 2,
        // rank 0: [1, 2] and [[0, -0]]; rank 1: [2, 4] and [[10, -1]]
        sum: [[3, 6], [[10, -1]]],
        avg: [0.5, 1, 2], // ([0, 1, 0] + [1, 1, 4]) / 2
        broadcast: [5, 8], // rank 1's [5·1, 7 + 1]
        gathered: [
          [0, 3],
          [1, 4],
        ],
      });
    }
  });

  it('a peer that dies makes the collective fail at once, without blocking the event loop', async () => {
    const timeoutMs = 20_000;
    const { out, codes } = await twoRanks('peer-dies', timeoutMs);
    assert.equal(codes[1], 7);
    const r0 = out[0] as { error: string; ms: number; ticks: number };
    assert.match(r0.error, /^TorchError: pgAllReduce: .+/);
    assert.ok(r0.ms < timeoutMs, `failed after ${r0.ms} ms (timeout ${timeoutMs} ms)`);
  });

  it('a peer that stalls makes the collective fail after the timeout, the event loop turning meanwhile', async () => {
    const timeoutMs = 1500;
    const { out } = await twoRanks('peer-stalls', timeoutMs);
    const r0 = out[0] as { error: string; ms: number; ticks: number };
    assert.match(r0.error, /^TorchError: pgAllReduce: .*(timed out|Timed out|timeout)/i);
    assert.ok(r0.ms >= timeoutMs * 0.9 && r0.ms < timeoutMs + 10_000, `failed after ${r0.ms} ms (timeout ${timeoutMs} ms)`);
    assert.ok(r0.ticks >= 10, `the event loop ran ${r0.ticks} timer ticks of 20 ms while waiting ${r0.ms} ms`);
  });
});

describe('process group options', () => {
  it('refuses a rank outside the world and a bad port before any rendezvous', async () => {
    const rendezvous = { store: 'tcp' as const, host: '127.0.0.1', port: 29500 };
    await assert.rejects(ProcessGroup.create({ rank: 2, worldSize: 2, rendezvous }), ConfigError);
    await assert.rejects(ProcessGroup.create({ rank: 0, worldSize: 2, rendezvous: { ...rendezvous, port: 70000 } }), /from 1 to 65535/);
  });
});
