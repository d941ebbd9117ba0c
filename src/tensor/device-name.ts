/** The device names a run can give (no libtorch needed to check the spelling; ./device.ts checks the device exists). */

/** 'cpu', 'cuda' (the current CUDA device) or 'cuda:N'. */
export const DEVICE_PATTERN = /^(cpu|cuda(:\d+)?)$/;
