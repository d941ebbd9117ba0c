import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workerArgs } from '../../src/cli/data-parallel.js';
import { distributedEnvironment } from '../../src/distributed/environment.js';
import { ConfigError } from '../../src/errors.js';

describe('distributedEnvironment', () => {
  it("reads torchrun's variables; none is a plain run", () => {
    assert.equal(distributedEnvironment({}), undefined);
    assert.deepEqual(
      distributedEnvironment({ RANK: '1', WORLD_SIZE: '4', LOCAL_RANK: '1', MASTER_ADDR: '10.0.0.2', MASTER_PORT: '29500' }),
      {
        rank: 1,
        worldSize: 4,
        localRank: 1,
        masterAddr: '10.0.0.2',
        masterPort: 29500,
      },
    );
  });

  it('names the variable that is missing or out of range', () => {
    const ok = { RANK: '0', WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: '29500' };
    assert.throws(
      () => distributedEnvironment({ ...ok, RANK: '2' }),
      (e: Error) => e instanceof ConfigError && /RANK must be an integer from 0 to 1, got "2"/.test(e.message),
    );
    assert.throws(() => distributedEnvironment({ ...ok, MASTER_PORT: 'x' }), /MASTER_PORT must be an integer from 1 to 65535/);
    assert.throws(() => distributedEnvironment({ ...ok, MASTER_ADDR: undefined }), /MASTER_ADDR/);
    assert.throws(() => distributedEnvironment({ ...ok, RANK: undefined }), /RANK must be an integer/);
  });
});

describe('workerArgs', () => {
  it('drops --nproc-per-node and its value, in both spellings', () => {
    assert.deepEqual(workerArgs(['c.yaml', '--nproc-per-node', '2', '--resume']), ['c.yaml', '--resume']);
    assert.deepEqual(workerArgs(['--nproc-per-node=4', 'c.yaml']), ['c.yaml']);
  });
});
