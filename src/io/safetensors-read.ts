/**
 * Reading safetensors files: `openSafetensors` parses the header only and reads one tensor at a time
 * by file offset (a large file is never in memory whole); `loadSafetensors` reads all or some tensors.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { CheckpointError, ConfigError } from '../errors.js';
import { tensor, type DType, type Tensor, type TypedArray } from '../tensor/index.js';
import { typedArrayClass } from '../tensor/dtype.js';
import { MAX_HEADER_BYTES, parseHeader, type SafetensorsDType, type TensorEntry } from './safetensors-header.js';

/** What the header says about one tensor. */
export interface SafetensorsTensorInfo {
  dtype: DType;
  safetensorsDType: SafetensorsDType;
  shape: number[];
  /** Bytes of data. */
  byteLength: number;
}

export interface ReadOptions {
  /** Where the tensor goes: 'cpu' (default), 'cuda', 'cuda:1', … */
  device?: string;
}

/** Bytes per readSync call: Node refuses single reads above 2 GiB − 1. */
const READ_CHUNK = 1 << 30;

/** Whether this machine stores numbers little-endian, as safetensors does. */
export function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new ConfigError('safetensors files are little-endian; this big-endian machine is not supported');
}

/**
 * A typed view of `bytes` as `dtype` elements (float16/bfloat16 as raw Uint16 bits). TypedArrays need
 * offsets that are multiples of their element size, so unaligned bytes are copied first.
 */
export function typedView(bytes: Uint8Array, dtype: DType): TypedArray {
  const ArrayClass = typedArrayClass(dtype);
  const size = ArrayClass.BYTES_PER_ELEMENT;
  const src = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new ArrayClass(src.buffer as ArrayBuffer, src.byteOffset, src.byteLength / size);
}

/** Fills `into` from `position` of `fd`; throws when the file ends first. */
function readExactly(fd: number, into: Uint8Array, position: number, fail: (got: number) => Error): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, Math.min(into.length - done, READ_CHUNK), position + done);
    if (n === 0) throw fail(done);
    done += n;
  }
}

function openFile(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (e) {
    throw new CheckpointError(`${file}: cannot open the safetensors file (${(e as Error).message})`);
  }
}

/**
 * An open safetensors file whose header has been read and validated. Tensors are read on demand.
 * Close it with `close()` (or `using reader = openSafetensors(path)`).
 */
export class SafetensorsReader implements Disposable {
  /** The "__metadata__" strings ({} when the file has none). */
  readonly metadata: Readonly<Record<string, string>>;
  private fd: number | undefined;
  private readonly index: Map<string, TensorEntry>;
  /**
   * The bytes of the last tensor read, reused by the next read (grown when one needs more): the data
   * are copied into native memory at once, so reading a whole file does not leave a dead buffer per
   * tensor in the JavaScript heap until the garbage collector runs (as much again as the file).
   */
  private scratch: Uint8Array | undefined;

  /** Internal: use `openSafetensors`. */
  constructor(
    readonly path: string,
    fd: number,
    /** Where the data buffer starts in the file: 8 + header length (bytes). */
    private readonly dataStart: number,
    entries: TensorEntry[],
    metadata: Record<string, string>,
  ) {
    this.fd = fd;
    this.index = new Map(entries.map((e) => [e.name, e]));
    this.metadata = Object.freeze(metadata);
  }

  /** Tensor names in file order (by offset). */
  get names(): string[] {
    return [...this.index.keys()];
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  /** Dtype, shape and size of `name`, without reading its data. */
  info(name: string): SafetensorsTensorInfo {
    const e = this.entry(name);
    return { dtype: e.dtype, safetensorsDType: e.safetensorsDType, shape: [...e.shape], byteLength: e.end - e.begin };
  }

  /**
   * Reads one tensor from the file (only its bytes) into a new Tensor, owned by the caller.
   * @throws CheckpointError when `name` is not in the file or the file is now shorter than its header says.
   */
  read(name: string, options: ReadOptions = {}): Tensor {
    const e = this.entry(name);
    const fd = this.openFd();
    const size = e.end - e.begin;
    if (this.scratch === undefined || this.scratch.length < size) this.scratch = new Uint8Array(size);
    const bytes = this.scratch.subarray(0, size); // offset 0: aligned for every dtype
    const position = this.dataStart + e.begin;
    readExactly(
      fd,
      bytes,
      position,
      (got) =>
        new CheckpointError(
          `${this.path}: data truncated: tensor '${name}' needs ${bytes.length} bytes at file offset ${position}, only ${got} could be read (the file changed or was cut short)`,
        ),
    );
    return tensor(typedView(bytes, e.dtype), { dtype: e.dtype, device: options.device ?? 'cpu' }, e.shape);
  }

  /** Closes the file; further reads throw. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.scratch = undefined;
    closeSync(fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private entry(name: string): TensorEntry {
    const e = this.index.get(name);
    if (e === undefined) {
      const names = this.names;
      const shown =
        names
          .slice(0, 10)
          .map((n) => `'${n}'`)
          .join(', ') + (names.length > 10 ? `, … (${names.length} in all)` : '');
      throw new CheckpointError(`${this.path}: no tensor named '${name}'; the file holds ${names.length === 0 ? 'no tensors' : shown}`);
    }
    return e;
  }

  private openFd(): number {
    if (this.fd === undefined)
      throw new ConfigError(`the safetensors reader of ${this.path} is closed; open the file again with openSafetensors()`);
    return this.fd;
  }
}

/**
 * Opens a safetensors file and validates its header (not the data: tensors are read by `read(name)`).
 * @throws CheckpointError naming the file and the problem: shorter than 8 bytes, header length beyond
 *   the file, invalid UTF-8/JSON, unknown dtype, shape/offset byte-count mismatch, holes, overlaps,
 *   offsets past the end of the file (truncated data) or trailing bytes.
 */
export function openSafetensors(path: string): SafetensorsReader {
  assertLittleEndian();
  const fd = openFile(path);
  try {
    const size = fstatSync(fd).size;
    if (size < 8)
      throw new CheckpointError(`${path}: not a safetensors file: it is ${size} bytes long, shorter than the 8-byte header length`);
    const lengthField = new Uint8Array(8);
    readExactly(fd, lengthField, 0, () => new CheckpointError(`${path}: could not read the 8-byte header length`));
    const n = Buffer.from(lengthField.buffer).readBigUInt64LE(0);
    if (n > BigInt(size - 8)) {
      throw new CheckpointError(
        `${path}: header length ${n} bytes goes beyond the file size (${size} bytes); the file is truncated or not a safetensors file`,
      );
    }
    const headerLength = Number(n);
    if (headerLength > MAX_HEADER_BYTES)
      throw new CheckpointError(`${path}: header length ${headerLength} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);
    const header = new Uint8Array(headerLength);
    readExactly(fd, header, 8, () => new CheckpointError(`${path}: the file ended inside the ${headerLength}-byte header`));
    const dataStart = 8 + headerLength;
    const { entries, metadata } = parseHeader(header, size - dataStart, path);
    return new SafetensorsReader(path, fd, dataStart, entries, metadata);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * Reads tensors of a safetensors file.
 * @param options.names only these tensors (each must exist); default all, in file order.
 * @param options.device where the tensors go (default 'cpu').
 * @returns tensors owned by the caller, and the file's metadata ({} when none).
 * @throws CheckpointError as `openSafetensors`, or for a requested name that is not in the file.
 * @example
 *   const { tensors, metadata } = loadSafetensors('model.safetensors', { names: ['pooler.dense.bias'] });
 */
export function loadSafetensors(
  path: string,
  options: { names?: readonly string[]; device?: string } = {},
): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const reader = openSafetensors(path);
  const tensors = new Map<string, Tensor>();
  try {
    const names = options.names ?? reader.names;
    for (const name of names) reader.info(name); // throws for a missing name before reading anything
    for (const name of names) tensors.set(name, reader.read(name, { device: options.device ?? 'cpu' }));
    return { tensors, metadata: { ...reader.metadata } };
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  } finally {
    reader.close();
  }
}
