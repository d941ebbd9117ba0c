/**
 * A checkpoint as a Hugging Face Transformers model folder (`mtl export CKPT OUT`), for
 * `from_pretrained` in Python, in the classes of the checkpoint's family (`model_type`): the encoder
 * alone as `<Family>Model`, or the encoder with one task's head as `<Family>ForSequenceClassification`
 * (pooled first token → dropout → classifier: BERT's pooler + `classifier`, RoBERTa's
 * `classifier.dense` + `classifier.out_proj`; refused for families whose class computes something
 * else) or `<Family>ForTokenClassification` (each token's state → dropout → `classifier`; no pooler).
 * The folder holds config.json (the checkpoint's, with `architectures`, `id2label`/`label2id` and
 * `problem_type` for a head), model.safetensors under Transformers' names (the family's base prefix +
 * the encoder's, the head's), tokenizer.json unchanged, and tokenizer_config.json for
 * `<Family>TokenizerFast` (lower-casing and the special tokens as tokenizer.json has them).
 */
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError, ConfigError } from '../errors.js';
import { writeFolderAtomically } from '../io/checkpoint-atomic.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { saveSafetensors } from '../io/safetensors.js';
import type { HfNaming } from '../models/backbone.js';
import { backboneOf } from '../run/load-model.js';
import type { Tensor } from '../tensor/index.js';
import { checkPlainEncoder, headConfig, hfExportOf, modelMaxLength, taskRecord, tokenizerConfig, type TokenizerJson } from './hf-parts.js';

export interface ExportHfOptions {
  /** The task whose head is exported with the encoder; undefined: the encoder alone (`<Family>Model`). */
  task?: string;
}

/** What `exportHf` wrote. */
export interface ExportedHf {
  dir: string;
  /** The Transformers class config.json names (`architectures`). */
  architecture: string;
  /** Tensors in model.safetensors. */
  tensors: number;
}

/**
 * Writes the checkpoint at `checkpointDir` as a Transformers model folder at `outDir` (atomically).
 * @throws ConfigError when `outDir` exists and is not empty, the task is not in the checkpoint, its
 *   type or options have no Transformers counterpart (a CRF, mean pooling, masked-LM or link
 *   prediction heads), or the encoder holds tensors BertModel has not (adapters, LoRA); CheckpointError
 *   for a missing or broken checkpoint or a failed write.
 */
export function exportHf(checkpointDir: string, outDir: string, options: ExportHfOptions = {}): ExportedHf {
  if (existsSync(outDir) && readdirSync(outDir).length > 0)
    throw new ConfigError(`${outDir} exists and is not empty; export to a new folder`);
  using ckpt = loadCheckpoint(checkpointDir, { optimizer: false });
  using plain = backboneOf(ckpt.encoderConfig); // the family's base model, by config.json's model_type
  checkPlainEncoder(ckpt.encoder, plain);
  const names = plain.hfNames;
  const record = options.task === undefined ? undefined : taskRecord(ckpt.tasks, options.task, ckpt.dir);
  const hf = record === undefined ? undefined : hfExportOf(record);
  const architecture = hf === undefined ? `${names.classPrefix}Model` : `${names.classPrefix}For${hf.head}`;
  const tensors = new Map<string, Tensor>();
  if (record === undefined) {
    for (const [name, t] of names.toHf(ckpt.encoder)) tensors.set(name, t);
  } else {
    const head = ckpt.heads.get(record.name) ?? new Map<string, Tensor>();
    const named = hf!.headTensors ?? ['classifier.weight', 'classifier.bias'];
    const extra = [...head.keys()].filter((k) => !named.includes(k));
    if (extra.length > 0)
      throw new ConfigError(
        `task '${record.name}': its head has ${extra.map((k) => `'${k}'`).join(', ')}, which ${architecture} has not` +
          (extra.some((k) => k.startsWith('crf.')) ? ' (a CRF; train the task with crf: false to export it)' : ''),
      );
    const layout = hf!.head === 'SequenceClassification' ? sequenceLayout(names, record.name, architecture) : 'token';
    const backbone = new Map([...ckpt.encoder].filter(([name]) => layout === 'pooler' || !name.startsWith('pooler.'))); // only BERT's class keeps the pooler
    for (const [name, t] of names.toHf(backbone, names.basePrefix)) tensors.set(name, t);
    for (const [name, t] of head)
      tensors.set(layout === 'classification-head' ? name.replace('classifier.', 'classifier.out_proj.') : name, t);
    if (layout === 'classification-head') {
      for (const part of ['weight', 'bias']) {
        const t = ckpt.encoder.get(`pooler.dense.${part}`);
        if (t === undefined)
          throw new CheckpointError(`${ckpt.dir}: the encoder has no pooler.dense.${part}, which ${architecture}'s classifier.dense is`);
        tensors.set(`classifier.dense.${part}`, t);
      }
    }
  }
  const config = { ...ckpt.encoderConfig, architectures: [architecture], ...(record === undefined ? {} : headConfig(record, hf!)) };
  const tokenizerClass = `${names.classPrefix}TokenizerFast`;
  const tokenizer = JSON.parse(readFileSync(ckpt.tokenizerFile, 'utf8')) as TokenizerJson;
  writeFolderAtomically(outDir, (tmp) => {
    writeFileSync(path.join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    saveSafetensors(path.join(tmp, 'model.safetensors'), tensors, { format: 'pt' });
    copyFileSync(ckpt.tokenizerFile, path.join(tmp, 'tokenizer.json'));
    const maxLength = modelMaxLength(ckpt);
    writeFileSync(
      path.join(tmp, 'tokenizer_config.json'),
      `${JSON.stringify(tokenizerConfig(tokenizer, tokenizerClass, maxLength, ckpt.tokenizerFile), null, 2)}\n`,
    );
  });
  return { dir: outDir, architecture, tensors: tensors.size };
}

/**
 * Where `architecture` (a `…ForSequenceClassification`) holds the head: beside the pooler, or in a
 * classification head; ConfigError when the family's class computes something else.
 */
function sequenceLayout(names: HfNaming, task: string, architecture: string): 'pooler' | 'classification-head' {
  const layout = names.sequenceClassification ?? { refused: `the family declares no place for it in ${architecture}` };
  if (typeof layout === 'object')
    throw new ConfigError(`task '${task}' cannot be exported with its head: ${layout.refused}; export the encoder alone without --task`);
  return layout;
}
