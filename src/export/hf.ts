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
import { loadCheckpoint, type TaskRecord } from '../io/checkpoint.js';
import { saveSafetensors } from '../io/safetensors.js';
import type { Backbone, HfNaming } from '../models/backbone.js';
import { backboneOf } from '../run/load-model.js';
import { taskSpec, taskTypes, type HfExport } from '../tasks/index.js';
import type { Tensor } from '../tensor/index.js';

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
    const maxLength = Number(ckpt.encoderConfig.max_position_embeddings);
    writeFileSync(
      path.join(tmp, 'tokenizer_config.json'),
      `${JSON.stringify(tokenizerConfig(tokenizer, tokenizerClass, maxLength, ckpt.tokenizerFile), null, 2)}\n`,
    );
  });
  return { dir: outDir, architecture, tensors: tensors.size };
}

/** The record of task `name`. */
function taskRecord(tasks: readonly TaskRecord[], name: string, dir: string): TaskRecord {
  const record = tasks.find((t) => t.name === name);
  if (record === undefined)
    throw new ConfigError(`${dir} has no task '${name}'; its tasks are ${tasks.map((t) => `'${t.name}'`).join(', ')}`);
  return record;
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

/** How a task's head is exported, as its type declares; ConfigError when it has none. */
function hfExportOf(record: TaskRecord): HfExport {
  const type = taskTypes.get(record.type);
  const options = (record.options ?? {}) as Record<string, unknown>;
  const spec = taskSpec({ name: record.name, kind: record.type, labels: record.labels ?? [], options });
  const hf = type.exportHf?.(spec);
  if (hf === undefined) {
    const exported = taskTypes.all.filter((t) => t.exportHf !== undefined).map((t) => t.kind);
    throw new ConfigError(
      `task '${record.name}' is ${record.type}, which is not exported with its head (${exported.join(', ')} are); ` +
        'export the encoder alone without --task',
    );
  }
  if ('refused' in hf) throw new ConfigError(`task '${record.name}' cannot be exported with its head: ${hf.refused}`);
  return hf;
}

/** config.json's fields for a head: labels, the type's own fields (problem type), the head's dropout. */
function headConfig(record: TaskRecord, hf: HfExport): Record<string, unknown> {
  const labels = record.labels ?? [];
  const options = (record.options ?? {}) as Record<string, unknown>;
  return {
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    ...hf.config,
    ...(typeof options.classifierDropout === 'number' ? { classifier_dropout: options.classifierDropout } : {}),
  };
}

/** Refuses an encoder with tensors the family's plain base model has not (adapters, LoRA) or lacks some. */
function checkPlainEncoder(encoder: ReadonlyMap<string, Tensor>, plain: Backbone): void {
  const names = new Set(plain.stateDict().keys());
  const base = `${plain.hfNames.classPrefix}Model`;
  const extra = [...encoder.keys()].filter((k) => !names.has(k) && !k.startsWith('pooler.'));
  if (extra.length > 0)
    throw new ConfigError(
      `the encoder has tensors ${base} has not (${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', …' : ''}): ` +
        `adapters or LoRA are not exported; Transformers has no place for them in ${base}`,
    );
  const missing = [...names].filter((k) => !encoder.has(k) && !k.startsWith('pooler.'));
  if (missing.length > 0) throw new CheckpointError(`the checkpoint's encoder lacks ${missing.slice(0, 3).join(', ')}`);
}

interface TokenizerJson {
  normalizer?: { type?: string; lowercase?: boolean } | null;
  added_tokens?: { content: string; special?: boolean }[];
}

/** The special tokens' roles in the two conventions tokenizers here follow: BERT's (WordPiece) and RoBERTa's (byte-level BPE, SentencePiece). */
const ROLE_SETS: readonly Readonly<Record<string, string>>[] = [
  { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' },
  {
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    sep_token: '</s>',
    pad_token: '<pad>',
    cls_token: '<s>',
    mask_token: '<mask>',
  },
];

/** tokenizer_config.json for Transformers' `tokenizerClass`: lower-casing and the special tokens of `tokenizer` (BERT's or RoBERTa's set). */
function tokenizerConfig(tokenizer: TokenizerJson, tokenizerClass: string, maxLength: number, file: string): Record<string, unknown> {
  const special = new Set((tokenizer.added_tokens ?? []).filter((t) => t.special === true).map((t) => t.content));
  const roles = ROLE_SETS.find((set) => Object.values(set).every((t) => special.has(t)));
  if (roles === undefined) {
    const sets = ROLE_SETS.map((set) => [...new Set(Object.values(set))].join(' ')).join(' or ');
    throw new CheckpointError(`${file} has not the special tokens ${sets}; ${tokenizerClass} needs one set or the other`);
  }
  return {
    tokenizer_class: tokenizerClass,
    do_lower_case: tokenizer.normalizer?.lowercase === true,
    model_max_length: maxLength,
    ...roles,
  };
}
