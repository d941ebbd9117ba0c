/** Export of a checkpoint for other runtimes: a Hugging Face Transformers folder, ONNX models with transformers.js task folders. */
export { exportHf } from './hf.js';
export { exportOnnx, type ExportOnnxOptions, type ExportedOnnx } from './onnx/export.js';
