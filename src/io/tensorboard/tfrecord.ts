/**
 * TFRecord framing (tensorflow/core/lib/io/record_writer.cc), the container of TensorBoard event files:
 * each record is
 *
 * ```
 * uint64 length            little-endian
 * uint32 masked_crc32c(length's 8 bytes)
 * byte   data[length]
 * uint32 masked_crc32c(data)
 * ```
 */
import { maskedCrc32c } from './crc32c.js';

/** One record framed: 8 + 4 + data.length + 4 bytes. */
export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(data.length + 16);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}
