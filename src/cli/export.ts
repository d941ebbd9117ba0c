/** `mtl export CKPT OUT [--task NAME] [--format hf]`: writes a checkpoint as a Hugging Face Transformers model folder. */
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';
import { exportHf } from '../export/hf.js';

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
  if (values.format !== 'hf')
    throw new UsageError(`--format must be hf (a Hugging Face Transformers folder), got '${values.format}'; ONNX is not done yet`);
  const [checkpoint, out] = positionals as [string, string];
  const r = exportHf(checkpoint, out, values.task === undefined ? {} : { task: values.task });
  console.log(
    `mtl export: ${r.dir} (${r.architecture}, ${r.tensors} tensors); load it with ${r.architecture.includes('For') ? r.architecture : 'AutoModel'}.from_pretrained('${r.dir}')`,
  );
  return 0;
}
