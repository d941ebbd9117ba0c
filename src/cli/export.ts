/**
 * `mtl export CKPT OUT [--task NAME] [--format hf|onnx]`: writes a checkpoint as a Hugging Face
 * Transformers model folder (hf, the default) or as ONNX models with transformers.js task folders (onnx).
 */
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';
import { exportHf } from '../export/hf.js';
import { exportOnnx } from '../export/onnx/export.js';

export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { task: { type: 'string' }, format: { type: 'string', default: 'hf' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 2)
    throw new UsageError(
      `mtl export takes a checkpoint folder and an output folder, got ${positionals.length === 0 ? 'none' : positionals.map((p) => `'${p}'`).join(' ')}`,
    );
  const [checkpoint, out] = positionals as [string, string];
  const options = values.task === undefined ? {} : { task: values.task };
  if (values.format === 'onnx') {
    const r = exportOnnx(checkpoint, out, options);
    console.log(`mtl export: ${r.dir}/onnx/model.onnx (${(r.bytes / 1e6).toFixed(1)} MB; outputs ${r.outputs.join(', ')})`);
    for (const t of r.tasks) console.log(`  ${t.name}: ${t.dir} (${t.architecture}; transformers.js reads it as a local model)`);
    for (const s of r.skipped) console.log(`  ${s.name}: left out, ${s.reason}`);
    return 0;
  }
  if (values.format !== 'hf')
    throw new UsageError(`--format must be hf (a Hugging Face Transformers folder) or onnx (ONNX models), got '${values.format}'`);
  const r = exportHf(checkpoint, out, options);
  console.log(
    `mtl export: ${r.dir} (${r.architecture}, ${r.tensors} tensors); load it with ${r.architecture.includes('For') ? r.architecture : 'AutoModel'}.from_pretrained('${r.dir}')`,
  );
  return 0;
}
