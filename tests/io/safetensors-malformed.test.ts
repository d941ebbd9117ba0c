import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSafetensors, openSafetensors } from '../../src/io/safetensors.js';
import { CheckpointError } from '../../src/errors.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { craft, tempFolder } from './safetensors-helpers.js';

const tmp = tempFolder();
after(tmp.remove);

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Asserts that loading `file` fails with a CheckpointError whose message is "<file>: " + `problem`. */
function rejects(file: string, problem: RegExp | string): void {
  const before = liveTensorCount();
  const pattern = typeof problem === 'string' ? escape(problem) : problem.source;
  for (const load of [() => loadSafetensors(file), () => openSafetensors(file)]) {
    assert.throws(load, (e: unknown) => {
      assert.ok(e instanceof CheckpointError, `expected a CheckpointError, got ${String(e)}`);
      assert.equal(e.code, 'ERR_CHECKPOINT');
      assert.match(e.message, new RegExp(`^${escape(file)}: ${pattern}`));
      return true;
    });
  }
  assert.equal(liveTensorCount(), before);
}

const at = (name: string) => path.join(tmp.dir, name);

test('a file shorter than the 8-byte length field', () => {
  writeFileSync(at('short'), Buffer.from([1, 2, 3, 4, 5]));
  rejects(at('short'), 'not a safetensors file: it is 5 bytes long, shorter than the 8-byte header length');
  writeFileSync(at('empty'), '');
  rejects(at('empty'), 'not a safetensors file: it is 0 bytes long');
});

test('a missing file', () => {
  rejects(at('absent.safetensors'), /cannot open the safetensors file \(ENOENT/);
});

test('a header length beyond the file size', () => {
  craft(at('long-header'), { a: f32([1], 0, 4) }, 4, { length: 1000n });
  rejects(
    at('long-header'),
    /header length 1000 bytes goes beyond the file size \(\d+ bytes\); the file is truncated or not a safetensors file/,
  );
  craft(at('huge-header'), {}, 0, { length: 2n ** 64n - 1n });
  rejects(at('huge-header'), 'header length 18446744073709551615 bytes goes beyond the file size (16 bytes)');
});

test('a header that is not UTF-8, not JSON, or not an object', () => {
  craft(at('utf8'), new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
  rejects(at('utf8'), 'the header is not valid UTF-8');
  craft(at('json'), '{"a": {"dtype": "F32",');
  rejects(at('json'), /the header is not valid JSON \(.+\); the file is corrupt or not a safetensors file/);
  craft(at('array'), '[1, 2]');
  rejects(at('array'), 'the header must be a JSON object, got an array');
});

test('an unknown or unsupported dtype', () => {
  craft(at('dtype'), { w: { dtype: 'Q7', shape: [1], data_offsets: [0, 1] } }, 1);
  rejects(at('dtype'), `tensor 'w' has unknown or unsupported dtype "Q7"; supported: I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL`);
  craft(at('u32'), { w: { dtype: 'U32', shape: [1], data_offsets: [0, 4] } }, 4);
  rejects(at('u32'), `tensor 'w' has unknown or unsupported dtype "U32"`);
});

test('malformed entries: not an object, bad shape, bad offsets', () => {
  craft(at('entry'), { w: 3 });
  rejects(at('entry'), "tensor 'w' must be described by an object {dtype, shape, data_offsets}, got number");
  craft(at('shape'), { w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4);
  rejects(at('shape'), "tensor 'w' has shape [-1]; expected an array of non-negative integers");
  craft(at('offsets'), { w: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, 8);
  rejects(at('offsets'), "tensor 'w' has data_offsets [8,4]; expected [begin, end] with 0 <= begin <= end");
  craft(at('no-offsets'), { w: { dtype: 'F32', shape: [1] } }, 4);
  rejects(at('no-offsets'), "tensor 'w' has data_offsets undefined");
});

test('metadata that is not a map of strings', () => {
  craft(at('metadata'), { __metadata__: { epoch: 3 }, a: f32([1], 0, 4) }, 4);
  rejects(at('metadata'), `"__metadata__" must map strings to strings, but key 'epoch' holds number`);
});

test('a shape whose byte count differs from its offsets', () => {
  craft(at('count'), { w: f32([2, 3], 0, 20) }, 20);
  rejects(at('count'), "tensor 'w' (F32, shape [2, 3]) needs 24 bytes, but its data_offsets [0, 20] span 20");
});

test('overlapping tensors and holes in the buffer', () => {
  craft(at('overlap'), { a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12);
  rejects(at('overlap'), "tensors 'a' [0, 8] and 'b' [4, 12] overlap in the data buffer");
  craft(at('hole'), { a: f32([2], 0, 8), b: f32([1], 12, 16) }, 16);
  rejects(at('hole'), "bytes [8, 12) of the data buffer (after 'a') belong to no tensor; tensors must cover the buffer without holes");
  craft(at('hole-start'), { b: f32([1], 4, 8) }, 8);
  rejects(at('hole-start'), 'bytes [0, 4) of the data buffer (at the start) belong to no tensor');
});

test('truncated data, offsets past the end, and trailing bytes', () => {
  craft(at('truncated'), { a: f32([2], 0, 8), b: f32([2], 8, 16) }, 12);
  rejects(
    at('truncated'),
    "data truncated or offsets out of range: tensor 'b' ends at byte 16 of the data buffer, but the file holds only 12 bytes after the header",
  );
  craft(at('far'), { a: f32([1_000_000], 0, 4_000_000) }, 4);
  rejects(
    at('far'),
    "data truncated or offsets out of range: tensor 'a' ends at byte 4000000 of the data buffer, but the file holds only 4 bytes",
  );
  craft(at('trailing'), { a: f32([1], 0, 4) }, 8);
  rejects(at('trailing'), '4 bytes after the last tensor belong to no tensor (the tensors cover 4 of 8 data bytes)');
});

test('a file cut short after it was opened: the lazy read names tensor and offset', () => {
  const file = craft(at('shrinks'), { a: f32([2], 0, 8), b: f32([2], 8, 16) }, 16);
  const reader = openSafetensors(file);
  try {
    const dataStart = 8 + Number(readFileSync(file).readBigUInt64LE(0));
    truncateSync(file, dataStart + 12);
    const before = liveTensorCount();
    reader.read('a').dispose();
    assert.throws(() => reader.read('b'), {
      name: 'CheckpointError',
      message: `${file}: data truncated: tensor 'b' needs 8 bytes at file offset ${dataStart + 8}, only 4 could be read (the file changed or was cut short)`,
    });
    assert.equal(liveTensorCount(), before);
  } finally {
    reader.close();
  }
});
