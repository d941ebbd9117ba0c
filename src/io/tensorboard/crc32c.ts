/**
 * CRC-32C (Castagnoli), the checksum of TFRecord framing: the reflected polynomial 0x82F63B78,
 * initial value and final XOR 0xFFFFFFFF (RFC 3720 §12.1 and Appendix B.4, whose test vectors the
 * tests check), and TensorFlow's masked form of it (tensorflow/core/lib/hash/crc32c.h, `Mask`).
 */

/** The byte-at-a-time lookup table of the reflected polynomial. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32C of `bytes` as an unsigned 32-bit number.
 * @example crc32c(new Uint8Array(32)) === 0x8a9136aa // RFC 3720 B.4: 32 bytes of zeros
 */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TensorFlow's mask of a CRC stored beside the data it covers: rotate right by 15 bits, add 0xa282ead8 (mod 2^32). */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** The masked CRC-32C of `bytes`, as a TFRecord stores it. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc(crc32c(bytes));
}
