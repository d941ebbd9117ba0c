import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CheckpointError } from '../../src/errors.js';
import { unpickle } from '../../src/io/pickle.js';
import { loadPytorchBin } from '../../src/io/pytorch-bin.js';
import { loadSafetensors } from '../../src/io/safetensors.js';
import { dispose } from '../../src/tensor/index.js';
import { assertClose, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const { torch_save: saved } = loadFixture<{ torch_save: { dtypes: Record<string, string>; tensors: Record<string, TensorFixture> } }>(
  'families',
);
const tmp = mkdtempSync(path.join(tmpdir(), 'mtl-pytorch-bin-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A stored (uncompressed) zip of `files`, as torch.save lays one out (CRCs left 0: the reader does not check them). */
function zip(files: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(n.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    central.push(entry, n);
    offset += 30 + n.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

describe('loadPytorchBin (torch.save files, no code executed)', () => {
  it('rebuilds every tensor torch.save wrote: 8 dtypes, shared storages, offsets, strides, 0-d and empty', () => {
    const tensors = loadPytorchBin(path.join(fixtures, 'torch-save.bin'));
    try {
      assert.deepEqual([...tensors.keys()], Object.keys(saved.tensors));
      for (const [name, t] of tensors) {
        assert.equal(t.dtype, saved.dtypes[name], `${name}: dtype`);
        const plain = ['float16', 'bfloat16'].includes(t.dtype) ? t.to('float32') : t;
        assertClose(plain, saved.tensors[name] as TensorFixture, { rtol: 0, atol: 0, what: name });
        if (plain !== t) plain.dispose();
      }
    } finally {
      dispose([...tensors.values()]);
    }
  });

  it("reads a model's pytorch_model.bin to the same tensors as its safetensors", () => {
    const bin = loadPytorchBin(path.join(fixtures, 'distilbert-tiny.bin'));
    const { tensors: st } = loadSafetensors(path.join(fixtures, 'distilbert-tiny.safetensors'));
    try {
      assert.ok(bin.size > 0);
      for (const [name, t] of bin) {
        const other = st.get(`distilbert.${name}`);
        assert.ok(other !== undefined, name);
        assert.deepEqual(t.shape, other.shape);
        assert.deepEqual(t.toFlatArray(), other.toFlatArray(), name);
      }
    } finally {
      dispose([...bin.values(), ...st.values()]);
    }
  });

  it('refuses a pickle that names a function beyond tensors, without running it, and says how to convert a trusted file', () => {
    // protocol 2: GLOBAL posix.system, the argument tuple ('touch PWNED',), REDUCE, STOP
    const evil = Buffer.concat([
      Buffer.from([0x80, 2]),
      Buffer.from('cposix\nsystem\n'),
      Buffer.from([0x8c, 11]),
      Buffer.from('touch PWNED'),
      Buffer.from([0x85, 0x52, 0x2e]),
    ]);
    const file = path.join(tmp, 'evil.bin');
    writeFileSync(file, zip({ 'evil/data.pkl': evil, 'evil/version': Buffer.from('3\n') }));
    assert.throws(
      () => loadPytorchBin(file),
      (e: Error) => {
        assert.ok(e instanceof CheckpointError);
        assert.match(e.message, /names posix\.system/);
        assert.match(e.message, /weights_only=True/);
        assert.match(e.message, /safetensors/);
        return true;
      },
    );
  });

  it("refuses a file in torch's legacy (pre-1.6) format, naming the conversion", () => {
    const file = path.join(tmp, 'legacy.bin');
    writeFileSync(file, Buffer.concat([Buffer.from([0x80, 2, 0x8a, 0x0a]), Buffer.alloc(64, 7)]));
    assert.throws(() => loadPytorchBin(file), /torch\.save's zip format.*python3 -c/s);
  });

  it('refuses opcodes that build arbitrary objects (INST, NEWOBJ)', () => {
    const hooks = { findClass: () => () => null, persistentLoad: () => null };
    assert.throws(() => unpickle(Buffer.from('(iposix\nsystem\n.'), hooks, 'x'), /opcode 0x69 is not allowed/);
    assert.throws(() => unpickle(Buffer.from([0x80, 2, 0x29, 0x29, 0x81, 0x2e]), hooks, 'x'), /opcode 0x81 is not allowed/);
  });

  it('reads plain values: ints of every width, floats, strings, lists, dicts, memo references', () => {
    const hooks = {
      findClass: () => {
        throw new Error('no globals');
      },
      persistentLoad: () => null,
    };
    // {'a': [1, 300, -5, 2**40, 1.5, 'é', None, True], 'b': <memo 0>}
    const bytes = Buffer.concat([
      Buffer.from([0x80, 2, 0x7d, 0x28, 0x8c, 1]),
      Buffer.from('a'),
      Buffer.from([0x5d, 0x71, 0, 0x28, 0x4b, 1, 0x4d, 0x2c, 0x01, 0x4a]),
      Buffer.from([0xfb, 0xff, 0xff, 0xff, 0x8a, 6, 0, 0, 0, 0, 0, 1, 0x47]),
      Buffer.from([0x3f, 0xf8, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0x58, 2, 0, 0, 0, 0xc3, 0xa9, 0x4e, 0x88, 0x65, 0x8c, 1]),
      Buffer.from('b'),
      Buffer.from([0x68, 0, 0x75, 0x2e]),
    ]);
    const v = unpickle(bytes, hooks, 'x') as Map<string, unknown>;
    assert.deepEqual(v.get('a'), [1, 300, -5, 2 ** 40, 1.5, 'é', null, true]);
    assert.equal(v.get('b'), v.get('a'));
  });
});
