/**
 * How the model card of an ONNX export says to run it: transformers.js pipelines on the task folders
 * (the pipeline of each Transformers head), and onnxruntime on the shared graph.
 */
import type { HfExport } from '../../tasks/index.js';
import type { CardUsage } from '../model-card.js';

/** The transformers.js pipeline of each head with an ONNX graph. */
export const ONNX_PIPELINES: Readonly<Partial<Record<HfExport['head'], string>>> = {
  SequenceClassification: 'text-classification',
  TokenClassification: 'token-classification',
  QuestionAnswering: 'question-answering',
};

/**
 * The card's usage of a folder holding `tasks` (one: a task folder; several: the shared graph).
 * @param outDir the export's folder (absolute).
 */
export function onnxUsage(
  outDir: string,
  tasks: readonly { name: string; head: HfExport['head'] }[],
  architectures: readonly string[],
): CardUsage {
  const lines = [
    "import { env, pipeline } from '@huggingface/transformers';",
    'env.allowRemoteModels = false;',
    `env.localModelPath = ${JSON.stringify(`${outDir}/tasks`)};`,
    ...tasks.map(
      (t) =>
        `const ${t.name.replace(/\W/g, '_')} = await pipeline('${ONNX_PIPELINES[t.head] ?? 'feature-extraction'}', '${t.name}', { dtype: 'fp32' });`,
    ),
  ];
  if (tasks.length !== 1)
    lines.push(
      '',
      '// every task from one encoder pass: onnxruntime-node on the shared graph',
      "import * as ort from 'onnxruntime-node';",
      `const session = await ort.InferenceSession.create(${JSON.stringify(`${outDir}/onnx/model.onnx`)});`,
      `// outputs: last_hidden_state, ${tasks.map((t) => (t.head === 'QuestionAnswering' ? `${t.name}.start_logits, ${t.name}.end_logits` : `${t.name}.logits`)).join(', ')}`,
    );
  return { library: 'transformers.js', architectures, exported: tasks.map((t) => t.name), snippet: lines.join('\n'), language: 'js' };
}
