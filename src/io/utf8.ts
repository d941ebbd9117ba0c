/**
 * Locating invalid UTF-8. `TextDecoder` with `fatal: true` says only that a file is invalid; this
 * finds where, so the error can name the byte offset and line (data files: src/data/readers/source.ts;
 * config files: ./config/config-text.ts).
 */

/**
 * The byte offset of the first byte that starts an invalid UTF-8 sequence, or -1 when all of
 * `bytes` is valid. Follows the well-formed byte sequences of Unicode 15, Table 3-7 (no overlong
 * forms, no surrogates, nothing above U+10FFFF), the same rules as `TextDecoder`.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

/** The length (1–4) of the well-formed sequence starting at `i`, or 0 when it is not well formed. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  // [count of continuation bytes, lowest and highest allowed second byte]
  let rule: [number, number, number];
  if (b0 >= 0xc2 && b0 <= 0xdf) rule = [1, 0x80, 0xbf];
  else if (b0 === 0xe0) rule = [2, 0xa0, 0xbf];
  else if (b0 === 0xed) rule = [2, 0x80, 0x9f];
  else if (b0 >= 0xe1 && b0 <= 0xef) rule = [2, 0x80, 0xbf];
  else if (b0 === 0xf0) rule = [3, 0x90, 0xbf];
  else if (b0 >= 0xf1 && b0 <= 0xf3) rule = [3, 0x80, 0xbf];
  else if (b0 === 0xf4) rule = [3, 0x80, 0x8f];
  else return 0;
  const [continuations, low, high] = rule;
  if (i + continuations >= bytes.length) return 0; // truncated at end of file
  const b1 = bytes[i + 1]!;
  if (b1 < low || b1 > high) return 0;
  for (let k = 2; k <= continuations; k++) {
    const b = bytes[i + k]!;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return continuations + 1;
}

/**
 * Where the invalid UTF-8 of `file` (its `bytes`) is, for an error message:
 * "a.jsonl:3: invalid UTF-8 at byte offset 109 (bytes e9 22 2c 20)", or "a.jsonl: not valid UTF-8"
 * when `TextDecoder` refused bytes this scan accepts.
 */
export function describeInvalidUtf8(file: string, bytes: Uint8Array): string {
  const offset = findInvalidUtf8(bytes);
  if (offset < 0) return `${file}: not valid UTF-8`;
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  const shown = Array.from(bytes.subarray(offset, offset + 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${file}:${line}: invalid UTF-8 at byte offset ${offset} (bytes ${shown})`;
}
