/**
 * The device a training run uses, checked against the linked libtorch and the run's other settings
 * before anything is read or built.
 */
import { ConfigError } from '../errors.js';
import type { TrainingConfig } from '../io/config/index.js';
import { checkDevice, checkPrecisionOnDevice } from '../tensor/index.js';

/**
 * Checks `config.device` and what the run asks of it; returns the device.
 * @param cudaDevices how many CUDA devices libtorch sees (default: asks it; tests pass a count).
 * @throws ConfigError for CUDA without a CUDA libtorch or device, a CUDA index out of range, `precision:
 *   fp16` on the CPU (CPU autocast is bfloat16 only), and gradient checkpointing on CUDA (its backward
 *   re-runs JavaScript, which CUDA's autograd threads cannot call).
 */
export function checkTrainingDevice(config: TrainingConfig, cudaDevices?: number): string {
  const device = checkDevice(config.device, 'device', cudaDevices);
  const t = config.training;
  checkPrecisionOnDevice(t.precision, device);
  if (t.gradientCheckpointing && device !== 'cpu') {
    throw new ConfigError(
      `training.gradient_checkpointing runs on the CPU only, the device is '${device}': its backward re-runs the layer's ` +
        "JavaScript forward, and libtorch back-propagates CUDA tensors on its own threads; turn it off or use device 'cpu'",
    );
  }
  return device;
}
