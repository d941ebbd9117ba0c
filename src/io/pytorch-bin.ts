/**
 * Reading `pytorch_model.bin` (a state dict written by `torch.save`) without executing code. The file
 * is a zip archive (torch ≥ 1.6): `<name>/data.pkl` pickles the dict, each tensor a call of
 * `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)` whose storage is a persistent id
 * `('storage', torch.FloatStorage, key, location, numel)` naming the raw little-endian bytes in
 * `<name>/data/<key>`. The unpickler (./pickle.ts) allows only the globals listed here — the same
 * allowance as torch.load(weights_only=True) for a state dict — so a file that tries to run code is
 * refused, not run.
 */
import { CheckpointError } from '../errors.js';
import { asStrided, tensor, tidy, type DType, type Tensor } from '../tensor/index.js';
import { unpickle, type PickleCallable } from './pickle.js';
import { assertLittleEndian, typedView } from './safetensors-read.js';
import { ZipReader } from './zip-stored.js';

/** torch's storage classes by the dtype of their elements. */
const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** A storage named by a persistent id: its dtype and the archive entry holding its bytes. */
interface StorageRef {
  readonly dtype: DType;
  readonly key: string;
  readonly numel: number;
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage. */
class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {}
}

const CONVERT_HINT =
  'convert it to safetensors with Python: python3 -c "import torch, safetensors.torch as st; ' +
  "st.save_file({k: v.contiguous() for k, v in torch.load('pytorch_model.bin', weights_only=True).items()}, 'model.safetensors')\"";

const isInts = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x));

/** The callables a state dict's pickle may name, and nothing else. */
function findClass(source: string) {
  return (module: string, name: string): PickleCallable => {
    const qualified = `${module}.${name}`;
    const dtype = module === 'torch' ? STORAGE_DTYPES[name] : undefined;
    if (dtype !== undefined) {
      return Object.assign(
        () => {
          throw new CheckpointError(`${source}: ${qualified} is called, but a storage class is only named in a persistent id`);
        },
        { storageDType: dtype },
      );
    }
    switch (qualified) {
      case 'collections.OrderedDict':
        return () => new Map();
      case 'torch._utils._rebuild_tensor_v2':
        return ([storage, offset, size, stride]) => {
          if (!(storage instanceof Object && 'key' in storage) || !Number.isSafeInteger(offset) || !isInts(size) || !isInts(stride))
            throw new CheckpointError(`${source}: _rebuild_tensor_v2 with arguments that do not describe a tensor`);
          return new TensorRef(storage as StorageRef, offset as number, size, stride);
        };
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        return ([data]) => data;
      default:
        throw new CheckpointError(
          `${source}: the pickle names ${qualified}, which a state dict does not need; refused without running it ` +
            `(this reader allows tensors, storages and OrderedDict only, as torch.load(weights_only=True)). If you trust the file, ${CONVERT_HINT}`,
        );
    }
  };
}

/** `('storage', storage_type, key, location, numel)` → a StorageRef. */
function persistentLoad(source: string) {
  return (pid: unknown): StorageRef => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5)
      throw new CheckpointError(`${source}: persistent id ${JSON.stringify(pid)} is not a storage`);
    const [, type, key, , numel] = pid as [string, unknown, unknown, unknown, unknown];
    const dtype = typeof type === 'function' ? (type as { storageDType?: DType }).storageDType : undefined;
    if (dtype === undefined || typeof key !== 'string' || !Number.isSafeInteger(numel))
      throw new CheckpointError(`${source}: persistent id ${String(key)} does not name a storage class, key and size`);
    return { dtype, key, numel: numel as number };
  };
}

/** OrderedDict's BUILD carries `_metadata` (module versions): ignored. */
function build(source: string) {
  return (obj: unknown, state: unknown): unknown => {
    if (obj instanceof Map && (state instanceof Map || state === null)) return obj;
    throw new CheckpointError(`${source}: BUILD on something that is not an OrderedDict is refused`);
  };
}

/**
 * Reads the tensors of a state dict saved by `torch.save` (a `pytorch_model.bin`), without executing
 * any of the file's code. Tensors keep their dtype and are made contiguous; tensors that shared a
 * storage in Python are separate copies here.
 * @returns name → tensor, owned by the caller.
 * @throws CheckpointError for a file that is not torch.save's zip format (the legacy pre-1.6 format
 *   included), a pickle naming anything beyond tensors and OrderedDict (with how to convert the file
 *   if it is trusted), a value that is not a tensor, or storage bytes that are missing or short.
 * @example
 *   const tensors = loadPytorchBin('bert-base-uncased/pytorch_model.bin');
 */
export function loadPytorchBin(path: string): Map<string, Tensor> {
  assertLittleEndian();
  let zip: ZipReader;
  try {
    zip = ZipReader.open(path);
  } catch (e) {
    if (!(e instanceof CheckpointError) || !e.message.includes('not a zip archive')) throw e;
    throw new CheckpointError(
      `${path}: not in torch.save's zip format (torch < 1.6 wrote another, which is not read here); ${CONVERT_HINT}`,
    );
  }
  try {
    const pickles = [...zip.entries.keys()].filter((n) => n.endsWith('/data.pkl') && n.split('/').length === 2);
    if (pickles.length !== 1) throw new CheckpointError(`${path}: expected one <name>/data.pkl in the archive, found ${pickles.length}`);
    const prefix = (pickles[0] as string).slice(0, -'data.pkl'.length);
    const order = zip.entries.get(`${prefix}byteorder`);
    if (order !== undefined && zip.read(`${prefix}byteorder`).toString('latin1') !== 'little')
      throw new CheckpointError(`${path}: saved big-endian; only little-endian files are read`);
    const source = `${path} (${pickles[0]})`;
    const root = unpickle(
      zip.read(pickles[0] as string),
      { findClass: findClass(source), persistentLoad: persistentLoad(source), build: build(source) },
      source,
    );
    if (!(root instanceof Map)) throw new CheckpointError(`${source}: holds a ${typeof root}, not a state dict (a dict of tensors)`);
    return rebuild(root, zip, prefix, source);
  } finally {
    zip.close();
  }
}

/** Each TensorRef of the state dict as a contiguous tensor; storages read once each. */
function rebuild(root: Map<unknown, unknown>, zip: ZipReader, prefix: string, source: string): Map<string, Tensor> {
  const storages = new Map<string, Tensor>();
  const out = new Map<string, Tensor>();
  try {
    for (const [name, ref] of root) {
      if (typeof name !== 'string' || !(ref instanceof TensorRef))
        throw new CheckpointError(`${source}: entry ${JSON.stringify(name)} is not a tensor; a state dict maps names to tensors`);
      const s = ref.storage;
      let storage = storages.get(s.key);
      if (storage === undefined) {
        const entry = `${prefix}data/${s.key}`;
        const bytes = zip.read(entry);
        if (bytes.length !== s.numel * BYTES[s.dtype])
          throw new CheckpointError(
            `${source}: ${entry} has ${bytes.length} bytes; ${s.numel} ${s.dtype} elements need ${s.numel * BYTES[s.dtype]}`,
          );
        storage = tensor(typedView(bytes, s.dtype), { dtype: s.dtype });
        storages.set(s.key, storage);
      }
      const last = ref.offset + ref.size.reduce((a, n, i) => a + (n === 0 ? 0 : (n - 1) * (ref.stride[i] ?? 0)), 0);
      if (ref.size.length !== ref.stride.length || (ref.size.every((n) => n > 0) && last >= s.numel))
        throw new CheckpointError(`${source}: tensor '${name}' reaches past the end of its storage (${s.numel} elements)`);
      const view = storage;
      out.set(
        name,
        tidy(() => asStrided(view, ref.size, ref.stride, ref.offset).contiguous()),
      );
    }
    return out;
  } catch (e) {
    for (const t of out.values()) t.dispose();
    throw e;
  } finally {
    for (const t of storages.values()) t.dispose();
  }
}
