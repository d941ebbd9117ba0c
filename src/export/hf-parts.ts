/**
 * The parts of a Hugging Face model folder that every export format writes the same way (./hf.ts for
 * Transformers, ./onnx/ for ONNX and transformers.js): which task is exported with which head,
 * config.json's head fields, the check that the encoder is the family's plain base model, and
 * tokenizer_config.json for `<Family>TokenizerFast`.
 */
import { ConfigError, CheckpointError } from '../errors.js';
import type { LoadedCheckpoint, TaskRecord } from '../io/checkpoint.js';
import type { Backbone, HfNaming } from '../models/backbone.js';
import { trainingConfigOf } from '../run/load-model.js';
import { taskSpec, taskTypes, type HfExport, type HfRefusal } from '../tasks/index.js';
import type { Tensor } from '../tensor/index.js';

/**
 * The longest input (tokens) the checkpoint's tasks were trained with, which `mtl predict` truncates
 * to, so clients that read tokenizer_config.json's `model_max_length` truncate alike: the training
 * config's `max_length`, else config.json's `max_position_embeddings`.
 */
export function modelMaxLength(ckpt: LoadedCheckpoint): number {
  return trainingConfigOf(ckpt)?.maxLength ?? Number(ckpt.encoderConfig.max_position_embeddings);
}

/** The record of task `name`. */
export function taskRecord(tasks: readonly TaskRecord[], name: string, dir: string): TaskRecord {
  const record = tasks.find((t) => t.name === name);
  if (record === undefined)
    throw new ConfigError(`${dir} has no task '${name}'; its tasks are ${tasks.map((t) => `'${t.name}'`).join(', ')}`);
  return record;
}

/**
 * How a task's head is exported, as its type declares, or why it is not: the type has no Transformers
 * class (`refused` lists the types that have one), or its options have none (a CRF, mean pooling).
 */
export function hfHeadOf(record: TaskRecord): HfExport | HfRefusal {
  const type = taskTypes.get(record.type);
  const options = (record.options ?? {}) as Record<string, unknown>;
  const spec = taskSpec({ name: record.name, kind: record.type, labels: record.labels ?? [], options });
  const hf = type.exportHf?.(spec);
  if (hf === undefined) {
    const exported = taskTypes.all.filter((t) => t.exportHf !== undefined).map((t) => t.kind);
    return { refused: `it is ${record.type}, which is not exported with its head (${exported.join(', ')} are)` };
  }
  return hf;
}

/**
 * How a task's head is exported; ConfigError when it is not (see `hfHeadOf`), telling to export the
 * encoder alone. With the family's `names`, a refused sequence-classification head also says whether
 * the family's …ForSequenceClassification could hold it at all (T5's reads the decoder), so the
 * message does not suggest an option that would not help.
 */
export function hfExportOf(record: TaskRecord, names?: HfNaming): HfExport {
  const hf = hfHeadOf(record);
  if (!('refused' in hf)) return hf;
  const family = names?.sequenceClassification;
  const familyToo =
    hf.head === 'SequenceClassification' && typeof family === 'object'
      ? `; nor would pooling: cls help with this ${names!.classPrefix} encoder: ${family.refused}. No Transformers class computes this head: ` +
        `export the encoder alone without --task (${names!.classPrefix}Model); the head's weights stay in the checkpoint (heads.${record.name}.* in model.safetensors)`
      : '; export the encoder alone without --task';
  throw new ConfigError(`task '${record.name}' cannot be exported with its head: ${hf.refused}${familyToo}`);
}

/** config.json's fields for a head: labels, the type's own fields (problem type), the head's dropout. */
export function headConfig(record: TaskRecord, hf: HfExport): Record<string, unknown> {
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
export function checkPlainEncoder(encoder: ReadonlyMap<string, Tensor>, plain: Backbone): void {
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

export interface TokenizerJson {
  normalizer?: { type?: string; lowercase?: boolean } | null;
  added_tokens?: { id?: number; content: string; special?: boolean }[];
}

/**
 * The special tokens' roles in the conventions tokenizers here follow, the fullest first: BERT's
 * (WordPiece), RoBERTa's and BART's (byte-level BPE, SentencePiece), T5's and Marian's (no BOS),
 * Llama's (no padding token), GPT-2's (`<|endoftext|>` for all).
 */
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
  { eos_token: '</s>', unk_token: '<unk>', pad_token: '<pad>' },
  { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' },
  { bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>' },
];

/** tokenizer_config.json for Transformers' `tokenizerClass`: lower-casing and the special tokens of `tokenizer` (the first role set it holds whole). */
export function tokenizerConfig(
  tokenizer: TokenizerJson,
  tokenizerClass: string,
  maxLength: number,
  file: string,
): Record<string, unknown> {
  const special = new Set((tokenizer.added_tokens ?? []).filter((t) => t.special === true).map((t) => t.content));
  const roles = ROLE_SETS.find((set) => Object.values(set).every((t) => special.has(t)));
  if (roles === undefined) {
    const sets = ROLE_SETS.map((set) => [...new Set(Object.values(set))].join(' ')).join(' or ');
    throw new CheckpointError(`${file} has not the special tokens ${sets}; ${tokenizerClass} needs one of these sets`);
  }
  return {
    tokenizer_class: tokenizerClass,
    do_lower_case: tokenizer.normalizer?.lowercase === true,
    model_max_length: maxLength,
    ...roles,
  };
}
