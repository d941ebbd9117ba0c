import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { crc32c, EventFileWriter, frameRecord, maskCrc, maskedCrc32c } from '../../src/io/tensorboard/index.js';
import { readEvents } from '../helpers/tensorboard.js';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));

test('CRC-32C: the test vectors of RFC 3720 Appendix B.4 and the catalogue check value', () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  // the iSCSI read PDU of B.4
  const pdu = hex('01c000000000000000000000000000001400000000000400000000140000001828000000000000000200000000000000');
  assert.equal(crc32c(pdu), 0xd9963a56);
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283); // CRC-32/ISCSI's check value
});

test("masked CRC: TensorFlow's formula, and the length header of a 24-byte record as TensorFlow writes it", () => {
  // Mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8, computed by hand for crc = 1: (1 << 17) + 0xa282ead8
  assert.equal(maskCrc(1), 0xa282ead8 + 0x20000);
  assert.equal(maskCrc(0), 0xa282ead8);
  // every event file TensorFlow writes starts with 18 00 00 00 00 00 00 00 a3 7f 4b 22 (a 24-byte file_version event)
  assert.equal(maskedCrc32c(hex('1800000000000000')), 0x224b7fa3);
  const framed = frameRecord(new Uint8Array(24));
  assert.deepEqual([...framed.subarray(0, 12)], [...hex('1800000000000000a37f4b22')]);
  assert.equal(framed.length, 24 + 16);
});

test('an event file our writer made reads back with the independent reader: file version, tags, steps, values', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-tb-'));
  try {
    const writer = new EventFileWriter(dir, 1_700_000_000.25);
    writer.addScalars(
      10,
      [
        { tag: 'train/loss', value: 2.5 },
        { tag: 'train/intent/weight', value: 0.1 },
      ],
      1_700_000_010.5,
    );
    writer.addScalars(20, [{ tag: 'eval/intent/accuracy', value: 0.9375 }], 1_700_000_020);
    writer.addScalars(2 ** 40, [{ tag: 'big/step', value: -3 }], 1_700_000_030);
    assert.deepEqual(readdirSync(dir), [path.basename(writer.file)]);
    assert.match(path.basename(writer.file), /^events\.out\.tfevents\.1700000000\.[^.]+\.\d+\.\d+$/);
    const events = readEvents(writer.file);
    assert.deepEqual(events, [
      { wall_time: 1_700_000_000.25, step: 0, file_version: 'brain.Event:2' },
      {
        wall_time: 1_700_000_010.5,
        step: 10,
        scalars: [
          ['train/loss', 2.5],
          ['train/intent/weight', Math.fround(0.1)],
        ],
      },
      { wall_time: 1_700_000_020, step: 20, scalars: [['eval/intent/accuracy', 0.9375]] },
      { wall_time: 1_700_000_030, step: 2 ** 40, scalars: [['big/step', -3]] },
    ]);
    // a flipped byte in the data is caught by the reader's CRC check
    const bytes = readFileSync(writer.file);
    bytes[bytes.length - 6]! ^= 1;
    const broken = path.join(dir, 'broken');
    writeFileSync(broken, bytes);
    assert.throws(() => readEvents(broken), /bad data CRC/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
