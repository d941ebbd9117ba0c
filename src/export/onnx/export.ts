/**
 * A checkpoint as ONNX models (`mtl export CKPT OUT --format onnx`), built from the family's
 * definition and the checkpoint's weights (./encoders.ts, ./heads.ts; libtorch has no ONNX exporter):
 *
 * - `OUT/onnx/model.onnx`: ONE graph with the shared encoder and every exported task's head, so one
 *   encoder pass serves all tasks: outputs `last_hidden_state` and `<task>.logits` (QA:
 *   `<task>.start_logits`, `<task>.end_logits`); `OUT/config.json` (the encoder's, `<Family>Model`,
 *   plus `task_outputs`: each task's type, Transformers head, outputs and labels), the tokenizer files;
 * - `OUT/tasks/<task>/`: per task the folder transformers.js reads (`config.json` with `architectures`
 *   `<Family>For<Head>` and `id2label`, `tokenizer.json`, `tokenizer_config.json`, `onnx/model.onnx`
 *   with the Transformers output names `logits` / `start_logits`, `end_logits`).
 *
 * Opset 17, inputs `input_ids`, `attention_mask` (and `token_type_ids` for BERT and ELECTRA) of int64
 * with dynamic `batch_size` and `sequence_length` axes. Tasks whose type has no Transformers task
 * class (masked LM, link prediction) or whose options have none (a CRF, mean pooling) are left out
 * and reported in `skipped`.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { writeFolderAtomically } from '../../io/checkpoint-atomic.js';
import { loadCheckpoint, type LoadedCheckpoint, type TaskRecord } from '../../io/checkpoint.js';
import type { BackboneConfig } from '../../models/backbone.js';
import { checkpointBackbone } from '../../run/load-model.js';
import type { HfExport } from '../../tasks/index.js';
import type { Tensor } from '../../tensor/index.js';
import {
  checkPlainEncoder,
  headConfig,
  hfExportOf,
  hfHeadOf,
  modelMaxLength,
  taskRecord,
  tokenizerConfig,
  type TokenizerJson,
} from '../hf-parts.js';
import { encoderGraph } from './encoders.js';
import { GraphBuilder, ONNX_FLOAT, type Graph } from './graph.js';
import { ONNX_HEADS, headGraph } from './heads.js';
import { modelCard } from '../model-card.js';
import { packageVersion } from '../version.js';
import { onnxUsage } from './usage.js';
import { encodeModel } from './write.js';

export interface ExportOnnxOptions {
  /** Export only this task (its folder, and the shared graph with its head alone); default every task that has a head class. */
  task?: string;
}

/** What `exportOnnx` wrote. */
export interface ExportedOnnx {
  readonly dir: string;
  /** The shared graph's outputs. */
  readonly outputs: readonly string[];
  /** Each exported task's folder and its Transformers class. */
  readonly tasks: readonly { readonly name: string; readonly dir: string; readonly architecture: string }[];
  /** Tasks left out, with why. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  /** Bytes of the shared model.onnx. */
  readonly bytes: number;
}

interface ExportedTask {
  readonly record: TaskRecord;
  readonly hf: HfExport;
}

/**
 * Writes the checkpoint at `checkpointDir` as ONNX models at `outDir` (atomically; layout above).
 * @throws ConfigError when `outDir` exists and is not empty, the family has no ONNX graph here
 *   (decoders, encoder-decoders), the encoder holds adapters or LoRA, or `options.task` is absent or has
 *   no head class; CheckpointError for a missing or broken checkpoint or a failed write.
 */
export function exportOnnx(checkpointDir: string, outDir: string, options: ExportOnnxOptions = {}): ExportedOnnx {
  if (existsSync(outDir) && readdirSync(outDir).length > 0)
    throw new ConfigError(`${outDir} exists and is not empty; export to a new folder`);
  using ckpt = loadCheckpoint(checkpointDir, { optimizer: false });
  using plain = checkpointBackbone(ckpt);
  checkPlainEncoder(ckpt.encoder, plain);
  const { exported, skipped } = chooseTasks(ckpt, options.task);
  const weights = new Map<string, Tensor>(ckpt.encoder);
  for (const { record } of exported)
    for (const [name, t] of ckpt.heads.get(record.name) ?? []) weights.set(`heads.${record.name}.${name}`, t);
  const where = `checkpoint ${ckpt.dir}`;
  const version = packageVersion();
  const shared = buildGraph(new GraphBuilder(weights, where), plain.config, exported, true);
  const classPrefix = plain.hfNames.classPrefix;
  const tokenizer = JSON.parse(readFileSync(ckpt.tokenizerFile, 'utf8')) as TokenizerJson;
  const tokenizerJson = tokenizerConfig(tokenizer, `${classPrefix}TokenizerFast`, modelMaxLength(ckpt), ckpt.tokenizerFile);
  const folders = exported.map(({ record, hf }) => ({
    name: record.name,
    dir: path.join(outDir, 'tasks', record.name),
    architecture: `${classPrefix}For${hf.head}`,
    config: { ...ckpt.encoderConfig, architectures: [`${classPrefix}For${hf.head}`], ...headConfig(record, hf) },
    graph: buildGraph(new GraphBuilder(weights, where), plain.config, [{ record, hf }], false),
  }));
  const sharedConfig = {
    ...ckpt.encoderConfig,
    architectures: [`${classPrefix}Model`],
    task_outputs: Object.fromEntries(exported.map(({ record, hf }) => [record.name, taskOutputs(record, hf)])),
  };
  let bytes = 0;
  writeFolderAtomically(outDir, (tmp) => {
    const writeFolder = (
      dir: string,
      name: string,
      config: Record<string, unknown>,
      graph: Graph,
      tasks: readonly ExportedTask[],
    ): number => {
      mkdirSync(path.join(dir, 'onnx'), { recursive: true });
      const usage = onnxUsage(
        path.resolve(outDir),
        tasks.map(({ record, hf }) => ({ name: record.name, head: hf.head })),
        config.architectures as string[],
      );
      writeFileSync(path.join(dir, 'README.md'), modelCard(ckpt, name, usage, version));
      writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
      copyFileSync(ckpt.tokenizerFile, path.join(dir, 'tokenizer.json'));
      writeFileSync(path.join(dir, 'tokenizer_config.json'), `${JSON.stringify(tokenizerJson, null, 2)}\n`);
      const model = encodeModel(graph, version, { source_checkpoint: path.resolve(ckpt.dir) });
      writeFileSync(path.join(dir, 'onnx', 'model.onnx'), model);
      return model.byteLength;
    };
    bytes = writeFolder(tmp, path.basename(path.resolve(outDir)), sharedConfig, shared, exported);
    for (const [i, f] of folders.entries()) writeFolder(path.join(tmp, 'tasks', f.name), f.name, f.config, f.graph, [exported[i]!]);
  });
  return {
    dir: outDir,
    outputs: shared.outputs.map((o) => o.name),
    tasks: folders.map(({ name, dir, architecture }) => ({ name, dir, architecture })),
    skipped,
    bytes,
  };
}

/** The tasks exported (every one with a head class, or `only`) and those left out with why. */
function chooseTasks(
  ckpt: LoadedCheckpoint,
  only: string | undefined,
): { exported: ExportedTask[]; skipped: { name: string; reason: string }[] } {
  if (only !== undefined) {
    const record = taskRecord(ckpt.tasks, only, ckpt.dir);
    return { exported: [{ record, hf: hfExportOf(record) }], skipped: [] };
  }
  const exported: ExportedTask[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const record of ckpt.tasks) {
    const hf = hfHeadOf(record);
    if ('refused' in hf) skipped.push({ name: record.name, reason: hf.refused });
    else if (!ONNX_HEADS.includes(hf.head)) skipped.push({ name: record.name, reason: `its ${hf.head} head has no ONNX graph here` });
    else exported.push({ record, hf });
  }
  return { exported, skipped };
}

/**
 * The encoder and the heads of `tasks` as one graph: the shared graph's outputs are `last_hidden_state`
 * and `<task>.<name>` for each task; a task folder's graph (one task) has the Transformers names (`logits`, …).
 */
function buildGraph(g: GraphBuilder, config: BackboneConfig, tasks: readonly ExportedTask[], shared: boolean): Graph {
  const encoder = encoderGraph(g, config);
  if (shared) g.output('last_hidden_state', encoder.lastHiddenState, ONNX_FLOAT, ['batch_size', 'sequence_length', config.hiddenSize]);
  for (const { record, hf } of tasks) {
    const outputs = headGraph(g, encoder, hf.head, `heads.${record.name}.`);
    for (const [key, out] of Object.entries(outputs)) g.output(shared ? `${record.name}.${key}` : key, out.value, ONNX_FLOAT, out.dims);
  }
  return g.build(shared ? 'multitask' : tasks[0]!.record.name);
}

/** What the shared graph gives for a task: its type, head class, output names and labels. */
function taskOutputs(record: TaskRecord, hf: HfExport): Record<string, unknown> {
  const names = hf.head === 'QuestionAnswering' ? ['start_logits', 'end_logits'] : ['logits'];
  return { type: record.type, head: hf.head, outputs: names.map((n) => `${record.name}.${n}`), ...headConfig(record, hf) };
}
