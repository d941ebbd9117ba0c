/**
 * Devices: checking a device name against the linked libtorch ('cpu', 'cuda', 'cuda:N'), and moving
 * the tensors of a structure (a batch) onto one.
 */
import { ConfigError } from '../errors.js';
import { cudaDeviceCount } from './runtime.js';
import { Tensor } from './tensor.js';
import { toDevice } from './ops/cast.js';

import { DEVICE_PATTERN } from './device-name.js';

/**
 * Checks that `device` names a device this process can use and returns it ('cpu', 'cuda', 'cuda:N').
 * @param what where the name came from, for the message ("device", "--device").
 * @param cudaDevices how many CUDA devices the linked libtorch sees (default: asks it; tests pass a count).
 * @throws ConfigError for another name, for CUDA when the linked libtorch has none (a CPU-only build or no
 *   GPU), and for an index past the last device.
 */
export function checkDevice(device: string, what = 'device', cudaDevices: number = cudaDeviceCount()): string {
  if (!DEVICE_PATTERN.test(device))
    throw new ConfigError(`${what} '${device}' is not a device: expected 'cpu', 'cuda' or 'cuda:N' (N = 0, 1, …)`);
  if (device === 'cpu') return device;
  if (cudaDevices === 0) {
    throw new ConfigError(
      `${what} '${device}' asks for CUDA, but the linked libtorch has no CUDA device (a CPU-only build, or no GPU visible); ` +
        "use 'cpu', or rebuild the addon against a CUDA libtorch (TORCH_DIR=/path/to/libtorch npm run build:native) on a machine with a GPU",
    );
  }
  const index = device === 'cuda' ? 0 : Number(device.slice('cuda:'.length));
  if (index >= cudaDevices) {
    throw new ConfigError(
      `${what} '${device}' is out of range: libtorch sees ${cudaDevices} CUDA device${cudaDevices === 1 ? '' : 's'} (cuda:0 … cuda:${cudaDevices - 1}); pick one of those`,
    );
  }
  return device;
}

/**
 * Checks that a training precision runs on `device`.
 * @throws ConfigError for 'fp16' on the CPU: CPU autocast in libtorch 1.13 runs bfloat16 only.
 */
export function checkPrecisionOnDevice(precision: 'fp32' | 'bf16' | 'fp16', device: string): void {
  if (precision === 'fp16' && device === 'cpu') {
    throw new ConfigError(
      "training.precision 'fp16' needs a CUDA device, but the device is 'cpu': CPU autocast (libtorch 1.13) runs bfloat16 only; " +
        "use precision 'bf16' on the CPU, or device 'cuda'",
    );
  }
}

/**
 * `value` with every tensor in it (in arrays, Maps and plain objects, at any depth) copied onto
 * `device` and the original disposed; other values are shared. On a tensor's own device nothing is
 * copied, so for 'cpu' batches this returns `value` itself.
 */
export function moveToDevice<T>(value: T, device: string): T {
  return move(value, device) as T;
}

function move(value: unknown, device: string): unknown {
  if (value instanceof Tensor) {
    if (sameDevice(value.device, device)) return value;
    const moved = toDevice(value, device);
    value.dispose();
    return moved;
  }
  if (Array.isArray(value)) return value.some((v) => holdsTensorOff(v, device)) ? value.map((v) => move(v, device)) : value;
  if (value instanceof Map) {
    if (![...value.values()].some((v) => holdsTensorOff(v, device))) return value;
    return new Map([...value].map(([k, v]) => [k, move(v, device)]));
  }
  if (isPlainObject(value)) {
    if (!Object.values(value).some((v) => holdsTensorOff(v, device))) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, move(v, device)]));
  }
  return value;
}

/** Whether `value` holds a tensor that is not on `device` (only tensors, arrays, Maps and plain objects are looked into). */
function holdsTensorOff(value: unknown, device: string): boolean {
  if (value instanceof Tensor) return !sameDevice(value.device, device);
  if (Array.isArray(value)) return value.some((v) => holdsTensorOff(v, device));
  if (value instanceof Map) return [...value.values()].some((v) => holdsTensorOff(v, device));
  if (isPlainObject(value)) return Object.values(value).some((v) => holdsTensorOff(v, device));
  return false;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Whether a tensor on `actual` (as Tensor.device says it) is on `wanted` ('cuda' = the current CUDA device, reported as 'cuda:0'). */
export const sameDevice = (actual: string, wanted: string): boolean => actual === wanted || (wanted === 'cuda' && actual === 'cuda:0');
