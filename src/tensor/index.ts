/**
 * The tensor engine: libtorch tensors with autograd, deterministic memory scopes and PyTorch's ops.
 */
import './methods.js';

export { Tensor, type NestedArray } from './tensor.js';
export type { DType, TypedArray } from './dtype.js';
export { tidy, keep, dispose, liveTensorCount, tensorMemory, type TensorMemory } from './scope.js';
export { noGrad, enableGrad, inferenceMode, isInferenceMode, isGradEnabled, grad, backward, type GradOptions } from './autograd.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export { manualSeed, setNumThreads, getNumThreads, cudaAvailable, cudaDeviceCount, libtorchVersion, blasInfo } from './runtime.js';
export * from './ops/creation.js';
export * from './ops/cast.js';
export * from './ops/math.js';
export * from './ops/inplace.js';
export * from './ops/shape.js';
export * from './ops/reduce.js';
export * from './ops/linalg.js';
export { setOneRowGemv } from './ops/linear-rows.js';
export * from './ops/nn.js';
export * from './ops/loss.js';
export {
  fromNested,
  nestedFromMask,
  transformerEncoderLayer,
  type EncoderLayerOptions,
  type EncoderLayerWeights,
} from './ops/transformer.js';
export { adamwStepFused, type AdamwStepSettings } from './ops/fused.js';
export { checkDevice, checkPrecisionOnDevice, moveToDevice, sameDevice } from './device.js';
export { DEVICE_PATTERN } from './device-name.js';
export { checkpoint } from './checkpoint.js';
export { autocast, isAutocast, type AutocastDtype } from './autocast.js';
export { ProcessGroup, processGroupsAvailable, type ProcessGroupOptions, type Rendezvous } from './process-group.js';
export { GradientReducer, gradientReducerAvailable } from './gradient-reducer.js';
export type { TensorLike } from './ops/run.js';
