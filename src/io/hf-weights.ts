/**
 * The weights of a Hugging Face model folder, whichever way it ships them: `model.safetensors`, a
 * sharded `model.safetensors.index.json` (its `weight_map` names the shard of each tensor), or
 * `pytorch_model.bin` / `pytorch_model.bin.index.json` read by the restricted reader (./pytorch-bin.ts,
 * which never runs the file's code). Floating tensors (F16, BF16, F64) become float32, the dtype
 * this library trains in; integer buffers keep theirs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { tidy, type Tensor } from '../tensor/index.js';
import { loadPytorchBin } from './pytorch-bin.js';
import { loadSafetensors } from './safetensors-read.js';

/** The weight files a folder may hold, in the order they are looked for. */
export const HF_WEIGHT_FILES = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'pytorch_model.bin.index.json'];

/** Files of other frameworks, named in the error when a folder has only these. */
const OTHER_FORMATS = ['tf_model.h5', 'flax_model.msgpack', 'model.ckpt.index', 'rust_model.ot', 'model.onnx'];

/** What `loadHfWeights` read. */
export interface HfWeights {
  /** name → tensor under the file's own names, owned by the caller; floating ones float32. */
  readonly tensors: Map<string, Tensor>;
  /** The files read, relative to the folder. */
  readonly files: readonly string[];
}

/** The shard files of an index.json, each once, in order of first appearance. */
function shardsOf(dir: string, index: string): string[] {
  const file = path.join(dir, index);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${file}: not readable JSON (${(e as Error).message})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    throw new CheckpointError(`${file}: has no weight_map object (tensor name → shard file)`);
  const shards = [...new Set(Object.values(map as Record<string, unknown>))];
  for (const s of shards) {
    if (typeof s !== 'string' || s.includes('/') || s.includes('\\') || s.startsWith('.'))
      throw new CheckpointError(`${file}: weight_map names ${JSON.stringify(s)}, not a file name in the folder`);
    if (!existsSync(path.join(dir, s))) throw new CheckpointError(`${file}: names the shard ${s}, which the folder lacks`);
  }
  return shards as string[];
}

/** float32 of a floating tensor (the same tensor when it is float32 already or not floating). Frees the input when converted. */
function toFloat32(t: Tensor): Tensor {
  if (!isFloating(t.dtype) || t.dtype === 'float32') return t;
  const out = tidy(() => t.to('float32'));
  t.dispose();
  return out;
}

/**
 * Reads every tensor of a Hugging Face folder's weights (the first of `HF_WEIGHT_FILES` present).
 * @throws CheckpointError when the folder has none of them (naming other frameworks' files it has),
 *   when an index is malformed or names a missing shard, when two shards hold the same tensor, or as
 *   the safetensors and pytorch_model.bin readers do.
 * @example
 *   const { tensors } = loadHfWeights('models/roberta-base');
 */
export function loadHfWeights(dir: string): HfWeights {
  const found = HF_WEIGHT_FILES.find((f) => existsSync(path.join(dir, f)));
  if (found === undefined) {
    const others = OTHER_FORMATS.filter((f) => existsSync(path.join(dir, f)));
    throw new CheckpointError(
      `${dir} has no weights this library reads: expected one of ${HF_WEIGHT_FILES.join(', ')}` +
        (others.length > 0
          ? `; it has ${others.join(', ')} (another framework's format): save the model from PyTorch with save_pretrained()`
          : ''),
    );
  }
  const files = found.endsWith('.index.json') ? shardsOf(dir, found) : [found];
  const tensors = new Map<string, Tensor>();
  try {
    for (const file of files) {
      const full = path.join(dir, file);
      const read = file.endsWith('.safetensors') ? loadSafetensors(full).tensors : loadPytorchBin(full);
      const twice = [...read.keys()].find((name) => tensors.has(name));
      if (twice !== undefined) {
        for (const t of read.values()) t.dispose();
        throw new CheckpointError(`${dir}: tensor '${twice}' is in more than one shard (again in ${file})`);
      }
      for (const [name, t] of read) tensors.set(name, toFloat32(t));
    }
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
  return { tensors, files };
}
