// Every assert.ok has a message: without one, node:assert re-parses the call site to build it, which
// takes minutes on the one long line tsx makes of this file.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSafetensors, openSafetensors, saveSafetensors } from '../../src/io/safetensors.js';
import { encodeHeader } from '../../src/io/safetensors-header.js';
import { typedView } from '../../src/io/safetensors-read.js';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { liveTensorCount, manualSeed, randint, randn, tensor, tidy, type DType, type Tensor } from '../../src/tensor/index.js';
import { fromFixture, loadFixture, values, type TensorFixture } from '../helpers/fixtures.js';
import { REFERENCE, readWithPython, tempFolder } from './safetensors-helpers.js';

interface SafetensorsCases {
  metadata: Record<string, string>;
  order: string[];
  safetensors_dtypes: Record<string, string>;
  tensors: Record<string, TensorFixture>;
  int64_exact: { ids: string[] };
}
const fx = loadFixture<SafetensorsCases>('safetensors');
const tmp = tempFolder();
after(tmp.remove);

/** Runs `fn` in a tidy scope and asserts the live-tensor count is back where it was. */
function noLeaks(fn: () => void): void {
  const before = liveTensorCount();
  tidy(fn);
  assert.equal(liveTensorCount(), before, 'live tensors after the test');
}

const bytesOf = (t: Tensor): Buffer => {
  const d = t.dataSync();
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
};

/** The fixture's tensors, rebuilt in TypeScript (int64 from exact decimal strings). */
function fixtureTensors(): Map<string, Tensor> {
  return new Map(
    Object.entries(fx.tensors).map(([name, f]) => [
      name,
      name === 'ids' ? tensor(BigInt64Array.from(fx.int64_exact.ids, BigInt), {}, f.shape) : fromFixture(f),
    ]),
  );
}

describe('reading a file written by Python', () => {
  test('every dtype, a 0-d scalar, an empty tensor and non-finite values equal the fixture, bit for bit', () => {
    const before = liveTensorCount();
    const { tensors, metadata } = loadSafetensors(REFERENCE);
    try {
      assert.deepEqual([...tensors.keys()], fx.order);
      assert.deepEqual(metadata, fx.metadata);
      for (const [name, expected] of Object.entries(fx.tensors)) {
        const t = tensors.get(name) as Tensor;
        assert.equal(t.dtype, expected.dtype, `${name}: dtype`);
        assert.deepEqual(t.shape, expected.shape, `${name}: shape`);
        assert.deepEqual(t.toFlatArray(), values(expected), `${name}: values`); // strict: -0 ≠ 0, NaN = NaN
      }
      const ids = tensors.get('ids') as Tensor;
      assert.deepEqual(Array.from(ids.dataSync() as BigInt64Array, String), fx.int64_exact.ids, 'int64 beyond 2^53 exact');
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
    assert.equal(liveTensorCount(), before);
  });

  test('writing the loaded tensors back reproduces the Python file byte for byte', () => {
    noLeaks(() => {
      const { tensors, metadata } = loadSafetensors(REFERENCE);
      const out = path.join(tmp.dir, 'rewrite.safetensors');
      saveSafetensors(out, tensors, metadata);
      assert.ok(readFileSync(out).equals(readFileSync(REFERENCE)), 'same bytes as reference.safetensors');
    });
  });
});

describe('writing a file that Python reads', () => {
  test('every dtype: values, dtypes, shapes, metadata and order as PyTorch sees them', () => {
    const file = path.join(tmp.dir, 'for-python.safetensors');
    noLeaks(() => {
      const tensors = fixtureTensors();
      tensors.set('0', tensor([1, 2])); // an integer-like name, which JS objects would reorder
      tensors.set('ünï/名前', tensor([3], { dtype: 'int8' }));
      saveSafetensors(file, tensors, { format: 'pt', ...fx.metadata });
    });
    const py = readWithPython(file);
    assert.deepEqual(py.metadata, { format: 'pt', ...fx.metadata });
    for (const [name, expected] of Object.entries(fx.tensors)) {
      assert.deepEqual(py.tensors[name], expected, name);
      assert.equal(py.safetensors_dtypes[name], fx.safetensors_dtypes[name], `${name}: safetensors dtype`);
    }
    assert.deepEqual(py.int64_exact.ids, fx.int64_exact.ids);
    assert.deepEqual(py.tensors['0'], { dtype: 'float32', shape: [2], data: [1, 2] });
    assert.deepEqual(py.tensors['ünï/名前'], { dtype: 'int8', shape: [1], data: [3] });
    // Layout as the reference writer: descending alignment, then name (so every tensor is aligned).
    assert.deepEqual(
      py.order.filter((n) => n in fx.tensors),
      fx.order,
    );
    assert.equal(py.header_length % 8, 0);
  });

  test('each tensor starts at a multiple of its element size in the file', () => {
    const sizes: Record<string, number> = { I64: 8, F64: 8, F32: 4, I32: 4, BF16: 2, F16: 2, I16: 2, I8: 1, U8: 1, BOOL: 1 };
    const file = path.join(tmp.dir, 'aligned.safetensors');
    noLeaks(() =>
      saveSafetensors(file, {
        a: tensor([1, 2, 3], { dtype: 'uint8' }),
        b: tensor([1.5]),
        c: tensor([1], { dtype: 'float64' }),
        d: tensor([1], { dtype: 'float16' }),
      }),
    );
    const raw = readFileSync(file);
    const n = Number(raw.readBigUInt64LE(0));
    const header = JSON.parse(raw.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    for (const [name, info] of Object.entries(header)) {
      assert.equal((8 + n + info.data_offsets[0]) % (sizes[info.dtype] as number), 0, `${name} (${info.dtype}) aligned`);
    }
  });

  test('the header of a single F32 tensor is the documented compact JSON, padded with spaces', () => {
    const { bytes, dataLength } = encodeHeader([{ name: 'attn0', dtype: 'float32', shape: [1, 1, 2, 3] }]);
    const json = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    assert.equal(Buffer.from(bytes).toString('utf8'), json + ' '.repeat(72 - json.length));
    assert.equal(dataLength, 24);
  });
});

describe('round trip', () => {
  const dtypes: DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];

  test('write → read gives the same bytes, dtypes and shapes (incl. a non-contiguous tensor); Map input; no metadata', () => {
    const file = path.join(tmp.dir, 'roundtrip.safetensors');
    noLeaks(() => {
      manualSeed(7);
      const made = new Map<string, Tensor>();
      for (const d of dtypes) {
        made.set(
          `t.${d}`,
          d === 'bool'
            ? randint(0, 2, [3, 4]).to('bool')
            : d.startsWith('float') || d === 'bfloat16'
              ? randn([3, 4]).to(d)
              : randint(-100, 100, [3, 4]).to(d),
        );
      }
      made.set('t.transposed', randn([2, 5]).transpose(0, 1));
      made.set('t.scalar', tensor(-3, { dtype: 'int64' }));
      made.set('t.empty', randn([0, 4]));
      saveSafetensors(file, made);
      const { tensors, metadata } = loadSafetensors(file);
      assert.deepEqual(metadata, {});
      assert.deepEqual(new Set(tensors.keys()), new Set(made.keys()));
      for (const [name, t] of made) {
        const back = tensors.get(name) as Tensor;
        assert.equal(back.dtype, t.dtype, `${name}: dtype`);
        assert.deepEqual(back.shape, t.shape, `${name}: shape`);
        assert.ok(bytesOf(back).equals(bytesOf(t)), `${name}: bytes`);
      }
    });
    assert.ok(!readFileSync(file).includes('__metadata__'), 'no empty __metadata__ entry');
  });

  test('loadSafetensors({ names }) reads only those; a missing name is an error that names the file and leaks nothing', () => {
    noLeaks(() => {
      const { tensors } = loadSafetensors(REFERENCE, { names: ['mask', 'half'] });
      assert.deepEqual([...tensors.keys()], ['mask', 'half']);
    });
    const before = liveTensorCount();
    assert.throws(() => loadSafetensors(REFERENCE, { names: ['half', 'nope'] }), {
      name: 'CheckpointError',
      message: new RegExp(
        `^${REFERENCE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no tensor named 'nope'; the file holds 'ids', 'encoder.bias'`,
      ),
    });
    assert.equal(liveTensorCount(), before);
  });
});

describe('lazy reader', () => {
  test('parses the header only, then reads single tensors by offset', () => {
    noLeaks(() => {
      const reader = openSafetensors(REFERENCE);
      try {
        assert.deepEqual(reader.names, fx.order);
        assert.deepEqual({ ...reader.metadata }, fx.metadata);
        assert.deepEqual(reader.info('half'), { dtype: 'float16', safetensorsDType: 'F16', shape: [2, 3], byteLength: 12 });
        assert.equal(reader.has('bhalf'), true);
        assert.equal(reader.has('bhalf.x'), false);
        const bhalf = reader.read('bhalf');
        assert.deepEqual(bhalf.toFlatArray(), values(fx.tensors.bhalf as TensorFixture));
        const scalar = reader.read('scalar');
        assert.deepEqual(scalar.shape, []);
        assert.equal(scalar.item(), 2.5);
        assert.throws(() => reader.read('missing'), CheckpointError);
      } finally {
        reader.close();
      }
      reader.close(); // idempotent
      assert.throws(
        () => reader.read('half'),
        (e: unknown) => e instanceof ConfigError && /is closed/.test(e.message),
      );
    });
  });

  test('works with `using` through Symbol.dispose', () => {
    const reader = openSafetensors(REFERENCE);
    reader[Symbol.dispose]();
    assert.throws(() => reader.read('half'), ConfigError);
  });

  test('typedView copies bytes whose offset does not suit the element size', () => {
    const backing = new Uint8Array(9);
    new Float32Array(backing.buffer, 4, 1)[0] = 1.5;
    backing.copyWithin(1, 4, 8); // now the float sits at offset 1
    const view = typedView(backing.subarray(1, 5), 'float32');
    assert.equal(view[0], 1.5);
    assert.equal(view.byteOffset % 4, 0);
    const aligned = backing.subarray(4, 8);
    assert.equal(typedView(aligned, 'float32').buffer, backing.buffer, 'aligned bytes are not copied');
  });
});

describe('atomic write', () => {
  test('a write failing midway leaves the older file intact and no temporary file', () => {
    const dir = path.join(tmp.dir, 'atomic');
    mkdirSync(dir);
    const file = path.join(dir, 'model.safetensors');
    writeFileSync(file, 'older contents');
    noLeaks(() => {
      const good = tensor([1, 2, 3]);
      // Shares `good`'s dtype and shape; fails when its data are copied, after the header is written.
      const failing = Object.create(good, {
        dataSync: {
          value: () => {
            throw new Error('device lost');
          },
        },
      }) as Tensor;
      assert.throws(() => saveSafetensors(file, { a: good, b: failing }), {
        name: 'CheckpointError',
        message: `${file}: could not write the safetensors file (device lost); any previous file there is unchanged`,
      });
    });
    assert.equal(readFileSync(file, 'utf8'), 'older contents');
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  });

  test('a target folder that does not exist, or a target that is a folder, gives CheckpointError and leaves nothing', () => {
    noLeaks(() => {
      const t = tensor([1]);
      const missing = path.join(tmp.dir, 'no-such-folder', 'model.safetensors');
      assert.throws(() => saveSafetensors(missing, { t }), {
        name: 'CheckpointError',
        message: /no-such-folder\/model\.safetensors: could not write .*ENOENT/,
      });
      assert.equal(existsSync(path.dirname(missing)), false, 'no folder created');
      const folder = path.join(tmp.dir, 'is-a-folder');
      mkdirSync(folder);
      assert.throws(() => saveSafetensors(folder, { t }), { name: 'CheckpointError', message: /is-a-folder: could not write/ });
      assert.deepEqual(readdirSync(folder), []);
      assert.deepEqual(
        readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp')),
        [],
        'temporary files left',
      );
    });
  });

  test('an existing file is replaced whole', () => {
    const file = path.join(tmp.dir, 'replace.safetensors');
    noLeaks(() => {
      saveSafetensors(file, { a: randn([100]) });
      saveSafetensors(file, { b: tensor([7]) });
      const reader = openSafetensors(file);
      assert.deepEqual(reader.names, ['b']);
      reader.close();
    });
  });

  test('invalid arguments are ConfigErrors and write nothing', () => {
    const file = path.join(tmp.dir, 'invalid.safetensors');
    noLeaks(() => {
      const t = tensor([1]);
      assert.throws(() => saveSafetensors(file, { __metadata__: t }), { name: 'ConfigError', message: /cannot be named '__metadata__'/ });
      assert.throws(() => saveSafetensors(file, { t }, { epoch: 3 } as unknown as Record<string, string>), {
        name: 'ConfigError',
        message: /'epoch' is number/,
      });
      assert.throws(() => saveSafetensors(file, { t: [1, 2] } as unknown as Record<string, Tensor>), {
        name: 'ConfigError',
        message: /'t' is not a Tensor/,
      });
    });
    assert.equal(existsSync(file), false, 'nothing written');
  });
});
