import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CheckpointError } from '../../src/errors.js';
import { loadHfWeights } from '../../src/io/hf-weights.js';
import { loadSafetensors, saveSafetensors } from '../../src/io/safetensors.js';
import { dispose, tidy, type Tensor } from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const tmp = mkdtempSync(path.join(tmpdir(), 'mtl-hf-weights-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const folder = () => {
  const dir = path.join(tmp, `f${n++}`);
  mkdirSync(dir);
  return dir;
};

/** The roberta fixture's tensors (float32), freed after `fn`. */
function withReference<T>(fn: (tensors: Map<string, Tensor>) => T): T {
  const { tensors } = loadSafetensors(path.join(fixtures, 'roberta-tiny.safetensors'));
  try {
    return fn(tensors);
  } finally {
    dispose([...tensors.values()]);
  }
}

function assertSame(got: Map<string, Tensor>, want: Map<string, Tensor>, round?: 'float16' | 'bfloat16'): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
  for (const [name, w] of want) {
    const g = got.get(name) as Tensor;
    assert.equal(g.dtype, 'float32', name);
    const expected = round === undefined ? w.toFlatArray() : tidy(() => w.to(round).to('float32').toFlatArray());
    assert.deepEqual(g.toFlatArray(), expected, name);
  }
}

describe('loadHfWeights', () => {
  it('reads model.safetensors', () => {
    const dir = folder();
    copyFileSync(path.join(fixtures, 'roberta-tiny.safetensors'), path.join(dir, 'model.safetensors'));
    withReference((want) => {
      const { tensors, files } = loadHfWeights(dir);
      assert.deepEqual(files, ['model.safetensors']);
      assertSame(tensors, want);
      dispose([...tensors.values()]);
    });
  });

  for (const dtype of ['float16', 'bfloat16'] as const) {
    it(`converts ${dtype === 'float16' ? 'F16' : 'BF16'} weights to float32`, () => {
      const dir = folder();
      withReference((want) => {
        const half = new Map([...want].map(([k, t]) => [k, tidy(() => t.to(dtype))]));
        saveSafetensors(path.join(dir, 'model.safetensors'), half);
        dispose([...half.values()]);
        const { tensors } = loadHfWeights(dir);
        assertSame(tensors, want, dtype);
        dispose([...tensors.values()]);
      });
    });
  }

  it('reads a sharded model.safetensors.index.json', () => {
    const dir = folder();
    withReference((want) => {
      const names = [...want.keys()];
      const shards = [names.slice(0, 10), names.slice(10)];
      const weightMap: Record<string, string> = {};
      shards.forEach((part, i) => {
        const file = `model-0000${i + 1}-of-00002.safetensors`;
        saveSafetensors(path.join(dir, file), new Map(part.map((k) => [k, want.get(k) as Tensor])));
        for (const k of part) weightMap[k] = file;
      });
      writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
      const { tensors, files } = loadHfWeights(dir);
      assert.deepEqual(files, ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
      assertSame(tensors, want);
      dispose([...tensors.values()]);
    });
  });

  it('reads pytorch_model.bin with the restricted reader', () => {
    const dir = folder();
    copyFileSync(path.join(fixtures, 'distilbert-tiny.bin'), path.join(dir, 'pytorch_model.bin'));
    const { tensors, files } = loadHfWeights(dir);
    assert.deepEqual(files, ['pytorch_model.bin']);
    assert.ok(tensors.has('transformer.layer.1.ffn.lin2.weight'));
    dispose([...tensors.values()]);
  });

  it('reads a sharded pytorch_model.bin.index.json', () => {
    const dir = folder();
    copyFileSync(path.join(fixtures, 'distilbert-tiny.bin'), path.join(dir, 'pytorch_model-00001-of-00001.bin'));
    writeFileSync(
      path.join(dir, 'pytorch_model.bin.index.json'),
      JSON.stringify({ weight_map: { 'embeddings.word_embeddings.weight': 'pytorch_model-00001-of-00001.bin' } }),
    );
    const { tensors, files } = loadHfWeights(dir);
    assert.deepEqual(files, ['pytorch_model-00001-of-00001.bin']);
    assert.ok(tensors.has('transformer.layer.0.attention.q_lin.weight'));
    dispose([...tensors.values()]);
  });

  it('names what is missing: no weights (and another framework’s file), a shard the index names', () => {
    const empty = folder();
    writeFileSync(path.join(empty, 'tf_model.h5'), '');
    assert.throws(
      () => loadHfWeights(empty),
      (e: Error) => e instanceof CheckpointError && /model\.safetensors, .*tf_model\.h5/.test(e.message),
    );
    const sharded = folder();
    writeFileSync(path.join(sharded, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 'model-1.safetensors' } }));
    assert.throws(() => loadHfWeights(sharded), /names the shard model-1\.safetensors, which the folder lacks/);
    writeFileSync(path.join(sharded, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: '../x.safetensors' } }));
    assert.throws(() => loadHfWeights(sharded), /not a file name in the folder/);
  });
});
