/**
 * The safetensors header (Hugging Face's format, https://huggingface.co/docs/safetensors): dtype
 * names, encoding a header for writing, and parsing + validating one that was read.
 *
 * File layout: 8 bytes little-endian u64 N · N bytes of UTF-8 JSON (padded with spaces to a multiple
 * of 8) · the data buffer. The JSON maps each tensor name to {dtype, shape, data_offsets: [begin, end]}
 * (offsets relative to the buffer, little-endian, row-major) plus an optional "__metadata__" map of
 * strings; the tensors must cover the buffer exactly, with no holes and no overlaps.
 */
import { CheckpointError, ConfigError } from '../errors.js';
import type { DType } from '../tensor/index.js';

/** The safetensors dtype names that map to multitask-lm dtypes. */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/**
 * Each dtype with its element size (bytes), in the order the reference (Rust) writer lays tensors
 * out: descending alignment, so every tensor starts at a multiple of its element size.
 */
const DTYPES: readonly (readonly [SafetensorsDType, DType, number])[] = [
  ['I64', 'int64', 8],
  ['F64', 'float64', 8],
  ['F32', 'float32', 4],
  ['I32', 'int32', 4],
  ['BF16', 'bfloat16', 2],
  ['F16', 'float16', 2],
  ['I16', 'int16', 2],
  ['I8', 'int8', 1],
  ['U8', 'uint8', 1],
  ['BOOL', 'bool', 1],
];
const BY_NAME = new Map(DTYPES.map(([st, dtype, size], rank) => [st as string, { dtype, size, rank }]));
const BY_DTYPE = new Map(DTYPES.map(([st, dtype, size], rank) => [dtype, { st, size, rank }]));

/** Largest header accepted, as in the reference reader (guards against absurd allocations). */
export const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = '__metadata__';

/** One tensor's entry in a header. Offsets are bytes from the start of the data buffer. */
export interface TensorEntry {
  name: string;
  dtype: DType;
  safetensorsDType: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/** What is written: tensors in file order, header bytes already padded to a multiple of 8. */
export interface EncodedHeader {
  bytes: Uint8Array;
  entries: TensorEntry[];
  /** Total bytes of the data buffer. */
  dataLength: number;
}

const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * Lays out tensors as the reference writer does (descending dtype alignment, then name by UTF-8
 * bytes) and encodes the header: compact JSON, "__metadata__" first with its keys sorted.
 * @throws ConfigError for the reserved name "__metadata__" or an unsupported dtype.
 */
export function encodeHeader(
  tensors: readonly { name: string; dtype: DType; shape: readonly number[] }[],
  metadata?: Readonly<Record<string, string>>,
): EncodedHeader {
  const ranked = tensors.map((t) => {
    if (t.name === METADATA_KEY)
      throw new ConfigError(`a tensor cannot be named '${METADATA_KEY}': safetensors reserves that key for metadata`);
    const info = BY_DTYPE.get(t.dtype);
    if (info === undefined) throw new ConfigError(`tensor '${t.name}' has dtype ${t.dtype}, which safetensors cannot store`);
    return { ...t, info };
  });
  ranked.sort((a, b) => a.info.rank - b.info.rank || utf8Compare(a.name, b.name));
  let offset = 0;
  const entries = ranked.map(({ name, dtype, shape, info }): TensorEntry => {
    const begin = offset;
    offset += numelOf(shape) * info.size;
    return { name, dtype, safetensorsDType: info.st, shape: [...shape], begin, end: offset };
  });
  // Built by hand: a JS object would move integer-like names ("0", "12") to the front.
  const parts: string[] = [];
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    const keys = Object.keys(metadata).sort(utf8Compare);
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  for (const e of entries) {
    parts.push(
      `${JSON.stringify(e.name)}:${JSON.stringify({ dtype: e.safetensorsDType, shape: e.shape, data_offsets: [e.begin, e.end] })}`,
    );
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  return { bytes: padded, entries, dataLength: offset };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/**
 * Parses and validates header bytes against the size of the data buffer that follows them.
 * @param bytes the N header bytes (after the 8-byte length).
 * @param dataLength bytes in the file after the header.
 * @param file named in error messages.
 * @returns tensors sorted by offset, and the metadata ({} when absent).
 * @throws CheckpointError naming the file and what is wrong.
 */
export function parseHeader(
  bytes: Uint8Array,
  dataLength: number,
  file: string,
): { entries: TensorEntry[]; metadata: Record<string, string> } {
  const fail = (problem: string) => new CheckpointError(`${file}: ${problem}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail('the header is not valid UTF-8; the file is corrupt or not a safetensors file');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw fail(`the header is not valid JSON (${(e as Error).message}); the file is corrupt or not a safetensors file`);
  }
  if (!isRecord(doc)) throw fail(`the header must be a JSON object, got ${typeName(doc)}`);
  const metadata = parseMetadata(doc[METADATA_KEY], fail);
  const entries = Object.entries(doc)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, value]) => parseEntry(name, value, fail));
  checkLayout(entries, dataLength, fail);
  return { entries, metadata };
}

type Fail = (problem: string) => CheckpointError;

function parseMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw fail(`"${METADATA_KEY}" must be an object of strings, got ${typeName(value)}`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw fail(`"${METADATA_KEY}" must map strings to strings, but key '${k}' holds ${typeName(v)}`);
  }
  return { ...(value as Record<string, string>) };
}

function parseEntry(name: string, value: unknown, fail: Fail): TensorEntry {
  if (!isRecord(value)) throw fail(`tensor '${name}' must be described by an object {dtype, shape, data_offsets}, got ${typeName(value)}`);
  const { dtype, shape, data_offsets: offsets } = value;
  const known = BY_NAME.get(String(dtype));
  if (typeof dtype !== 'string' || known === undefined) {
    throw fail(`tensor '${name}' has unknown or unsupported dtype ${JSON.stringify(dtype)}; supported: ${[...BY_NAME.keys()].join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount))
    throw fail(`tensor '${name}' has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || (offsets[0] as number) > (offsets[1] as number)) {
    throw fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with 0 <= begin <= end`);
  }
  const numel = numelOf(shape);
  const [begin, end] = offsets as [number, number];
  if (!Number.isSafeInteger(numel * known.size)) throw fail(`tensor '${name}' has shape [${shape.join(', ')}], too large to address`);
  if (end - begin !== numel * known.size) {
    throw fail(
      `tensor '${name}' (${dtype}, shape [${shape.join(', ')}]) needs ${numel * known.size} bytes, but its data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype: known.dtype, safetensorsDType: dtype as SafetensorsDType, shape: shape as number[], begin, end };
}

/** Sorts entries by offset and checks that they tile [0, dataLength) exactly. */
function checkLayout(entries: TensorEntry[], dataLength: number, fail: Fail): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let position = 0;
  let previous: TensorEntry | undefined;
  for (const e of entries) {
    if (e.begin < position) {
      throw fail(
        `tensors '${previous?.name}' [${previous?.begin}, ${previous?.end}] and '${e.name}' [${e.begin}, ${e.end}] overlap in the data buffer`,
      );
    }
    if (e.begin > position) {
      const after = previous === undefined ? 'at the start' : `after '${previous.name}'`;
      throw fail(
        `bytes [${position}, ${e.begin}) of the data buffer (${after}) belong to no tensor; tensors must cover the buffer without holes`,
      );
    }
    if (e.end > dataLength) {
      throw fail(
        `data truncated or offsets out of range: tensor '${e.name}' ends at byte ${e.end} of the data buffer, but the file holds only ${dataLength} bytes after the header`,
      );
    }
    position = e.end;
    previous = e;
  }
  if (position < dataLength) {
    throw fail(
      `${dataLength - position} bytes after the last tensor belong to no tensor (the tensors cover ${position} of ${dataLength} data bytes)`,
    );
  }
}
