/**
 * Safetensors (Hugging Face's tensor file format) read/write, interoperable with Python:
 * `saveSafetensors`, `loadSafetensors`, and the lazy `openSafetensors` reader.
 * Header encoding and validation live in ./safetensors-header.ts.
 */
export { saveSafetensors, type NamedTensors } from './safetensors-write.js';
export { loadSafetensors, openSafetensors, SafetensorsReader, type SafetensorsTensorInfo, type ReadOptions } from './safetensors-read.js';
export { MAX_HEADER_BYTES, type SafetensorsDType } from './safetensors-header.js';
