/** Export of a checkpoint for other runtimes: a Hugging Face Transformers folder. */
export { exportHf } from './hf.js';
