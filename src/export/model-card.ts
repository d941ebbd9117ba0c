/**
 * The model card (README.md) of an exported folder, after Hugging Face's model cards (Mitchell et al.,
 * FAT* 2019, "Model Cards for Model Reporting"): YAML metadata, then what the model does — each task
 * with its type and labels, the dev metrics of the evaluation that chose the checkpoint (metrics.jsonl),
 * the training run in brief (training_config.yaml: encoder, data, steps, batch, learning rate, multi-task
 * strategy), the intended use, and how to load the folder. Facts only from the checkpoint's files.
 */
import path from 'node:path';
import { parse } from 'yaml';
import type { LoadedCheckpoint, TaskRecord } from '../io/checkpoint.js';
import type { JsonObject } from '../io/checkpoint-state.js';

/** What the card says about how the folder is loaded. */
export interface CardUsage {
  /** 'transformers' (a Transformers folder) or 'transformers.js' (ONNX task folders). */
  readonly library: 'transformers' | 'transformers.js';
  /** The Transformers class(es) written (`architectures`). */
  readonly architectures: readonly string[];
  /** The tasks exported with a head (all tasks are described). */
  readonly exported: readonly string[];
  /** Lines of code that load it, shown in a fenced block. */
  readonly snippet: string;
  /** The snippet's language ('python', 'js'). */
  readonly language: string;
}

/** The eval record that chose the checkpoint: the one at its step, else the last before it; undefined when none. */
function chosenEval(ckpt: LoadedCheckpoint): JsonObject | undefined {
  const step = ckpt.trainerState?.step ?? Infinity;
  const evals = ckpt.metrics.filter((r) => r.type === 'eval' && typeof r.step === 'number' && r.step <= step);
  return evals.at(-1);
}

/** A value as the card prints it: numbers to 4 significant digits, strings as they are. */
const shown = (v: unknown): string =>
  typeof v === 'number' ? String(Number(v.toPrecision(4))) : typeof v === 'string' ? v : JSON.stringify(v);

/** One table row per task: name, type, labels, dev metrics. */
function taskRows(tasks: readonly TaskRecord[], evaluation: JsonObject | undefined, exported: readonly string[]): string[] {
  const metrics = (evaluation?.metrics ?? {}) as Record<string, Record<string, unknown> | undefined>;
  return tasks.map((t) => {
    const labels = t.labels ?? [];
    const labelText = labels.length === 0 ? '–' : `${labels.length}: ${labels.slice(0, 8).join(', ')}${labels.length > 8 ? ', …' : ''}`;
    const m = Object.entries(metrics[t.name] ?? {})
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => `${k} ${shown(v)}`)
      .join(', ');
    return `| ${t.name}${exported.includes(t.name) ? '' : ' (not exported)'} | ${t.type} | ${labelText} | ${m || '–'} |`;
  });
}

/** The training run in brief, from training_config.yaml's resolved settings. */
function trainingLines(ckpt: LoadedCheckpoint): string[] {
  if (ckpt.trainingConfig === null) return ['No training_config.yaml in the checkpoint: the run is not described.'];
  const c = parse(ckpt.trainingConfig) as Record<string, Record<string, unknown> | unknown>;
  const training = (c.training ?? {}) as Record<string, unknown>;
  const encoder = (c.encoder ?? {}) as Record<string, unknown>;
  const tasks = (c.tasks ?? []) as { name: string; data?: Record<string, unknown> }[];
  const file = (v: unknown) => (typeof v === 'string' ? path.basename(v) : undefined);
  const data = tasks.map((t) => {
    const files = ['train', 'dev', 'test'].map((s) => [s, file(t.data?.[s])]).filter(([, f]) => f !== undefined);
    return `  - ${t.name}: ${String(t.data?.format ?? '?')} data, ${files.map(([s, f]) => `${s} \`${f}\``).join(', ') || 'no files named'}`;
  });
  const setting = (key: string) => (training[key] === undefined || training[key] === null ? [] : [`${key} ${shown(training[key])}`]);
  const strategy = ['task_schedule', 'sampler', 'weighting', 'surgery'].flatMap((k) =>
    training[k] === undefined || training[k] === null ? [] : [`${k} ${JSON.stringify(training[k])}`],
  );
  const peft = ['peft', 'mmoe'].flatMap((k) => (c[k] === undefined || c[k] === null ? [] : [`${k} ${JSON.stringify(c[k])}`]));
  return [
    `- Encoder: ${typeof encoder.from === 'string' ? `fine-tuned from \`${path.basename(encoder.from)}\`` : `\`${String(encoder.model_type ?? ckpt.encoderConfig.model_type)}\` trained from scratch`} (config.json's \`model_type\` ${String(ckpt.encoderConfig.model_type)}).`,
    `- Steps: ${ckpt.trainerState?.step ?? '?'} done (epoch ${shown(ckpt.trainerState?.epoch ?? '?')}), seed ${String(c.seed ?? '?')}, inputs cut to ${String(c.max_length ?? '?')} tokens.`,
    `- Optimisation: ${['max_steps', 'epochs', 'batch_size', 'learning_rate', 'warmup_ratio', 'warmup_steps', 'weight_decay', 'schedule'].flatMap(setting).join(', ') || 'defaults'}.`,
    ...(strategy.length > 0 ? [`- Multi-task strategy: ${strategy.join('; ')}.`] : []),
    ...(peft.length > 0 ? [`- Architecture: ${peft.join('; ')}.`] : []),
    '- Data:',
    ...data,
  ];
}

/**
 * The README.md of an exported folder.
 * @param name what the card calls the model (the output folder's name).
 */
export function modelCard(ckpt: LoadedCheckpoint, name: string, usage: CardUsage, version: string): string {
  const evaluation = chosenEval(ckpt);
  const types = [...new Set(ckpt.tasks.map((t) => t.type))];
  const where = evaluation === undefined ? 'no evaluation was recorded' : `dev split, step ${shown(evaluation.step)}`;
  return [
    '---',
    `library_name: ${usage.library}`,
    `tags: [multitask-lm, ${String(ckpt.encoderConfig.model_type)}, ${types.join(', ')}]`,
    '---',
    '',
    `# ${name}`,
    '',
    `A ${ckpt.tasks.length === 1 ? 'single-task' : `${ckpt.tasks.length}-task`} model trained with multitask-lm ${version} ` +
      `(one shared \`${String(ckpt.encoderConfig.model_type)}\` backbone, a head per task), exported as ${usage.architectures.map((a) => `\`${a}\``).join(', ')}.`,
    '',
    `## Tasks and metrics (${where})`,
    '',
    '| task | type | labels | metrics |',
    '| --- | --- | --- | --- |',
    ...taskRows(ckpt.tasks, evaluation, usage.exported),
    '',
    '## Training',
    '',
    ...trainingLines(ckpt),
    '',
    '## Intended use',
    '',
    `The tasks above, on text like their training data (listed above) and no longer than the ${String(parse(ckpt.trainingConfig ?? '{}')?.max_length ?? 'training')} tokens ` +
      'it was trained on. Its quality is what the metrics above measure on the dev data and nothing more: check it on your own data ' +
      'before relying on it, and do not use it for decisions about people.',
    '',
    '## How to load it',
    '',
    '```' + usage.language,
    usage.snippet,
    '```',
    '',
  ].join('\n');
}
