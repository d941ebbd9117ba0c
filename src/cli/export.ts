/**
 * What `mtl export CKPT OUT [--task NAME] [--format hf|onnx]` runs: writes a checkpoint as a Hugging
 * Face Transformers model folder (hf, the default) or as ONNX models with transformers.js task folders (onnx).
 */
import { exportHf } from '../export/hf.js';
import { exportOnnx } from '../export/onnx/export.js';

/** `mtl export`'s flags, parsed (src/cli/commands/export.ts declares them). */
export interface ExportFlags {
  task?: string;
  format: 'hf' | 'onnx';
}

/** Runs `mtl export` of the checkpoint folder `checkpoint` into `out`; returns the exit code. */
export async function runExport(checkpoint: string, out: string, flags: ExportFlags): Promise<number> {
  const options = flags.task === undefined ? {} : { task: flags.task };
  if (flags.format === 'onnx') {
    const r = exportOnnx(checkpoint, out, options);
    console.log(`mtl export: ${r.dir}/onnx/model.onnx (${(r.bytes / 1e6).toFixed(1)} MB; outputs ${r.outputs.join(', ')})`);
    for (const t of r.tasks) console.log(`  ${t.name}: ${t.dir} (${t.architecture}; transformers.js reads it as a local model)`);
    for (const s of r.skipped) console.log(`  ${s.name}: left out, ${s.reason}`);
    return 0;
  }
  const r = exportHf(checkpoint, out, options);
  console.log(
    `mtl export: ${r.dir} (${r.architecture}, ${r.tensors} tensors); load it with ${r.architecture.includes('For') ? r.architecture : 'AutoModel'}.from_pretrained('${r.dir}')`,
  );
  return 0;
}
