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
 * `<Family>TokenizerFast` (lower-casing and the special tokens as tokenizer.json has them; a chat task's
 * `chat_template` with its `bos_token` / `eos_token`, ./chat-template.ts).
 * Language models (./hf-lm.ts): a task whose type exports a 'CausalLM' or 'Seq2SeqLM' head (causal-lm,
 * seq2seq, span-corruption; `--task`) as the family's LM class (`GPT2LMHeadModel`, `LlamaForCausalLM`,
 * `T5ForConditionalGeneration`, `BartForConditionalGeneration`, `MarianMTModel`), with generation_config.json. README.md is
 * the model card (./model-card.ts).
 */
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError, ConfigError } from '../errors.js';
import { writeFolderAtomically } from '../io/checkpoint-atomic.js';
import { loadCheckpoint, type LoadedCheckpoint, type TaskRecord } from '../io/checkpoint.js';
import { saveSafetensors } from '../io/safetensors.js';
import type { HfNaming } from '../models/backbone.js';
import { checkpointBackbone } from '../run/load-model.js';
import type { HfExport } from '../tasks/index.js';
import type { Tensor } from '../tensor/index.js';
import { languageModelParts, type HfParts } from './hf-lm.js';
import { exportedChatTemplate, withChatTemplate } from './chat-template.js';
import { modelCard, type CardUsage } from './model-card.js';
import { packageVersion } from './version.js';
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
  using plain = checkpointBackbone(ckpt); // the family's base model, by config.json's model_type
  checkPlainEncoder(ckpt.encoder, plain);
  const names = plain.hfNames;
  const record = options.task === undefined ? undefined : taskRecord(ckpt.tasks, options.task, ckpt.dir);
  const hf = record === undefined ? undefined : hfExportOf(record, names);
  const tokenizer = JSON.parse(readFileSync(ckpt.tokenizerFile, 'utf8')) as TokenizerJson;
  const parts =
    hf?.head === 'CausalLM' || hf?.head === 'Seq2SeqLM'
      ? languageModelParts(ckpt, plain, tokenizer, record && hf && { record, hf })
      : encoderParts(ckpt, names, record && hf && { record, hf });
  const tokenizerClass = names.tokenizerClass ?? `${names.classPrefix}TokenizerFast`;
  const plainTokenizerConfig = tokenizerConfig(tokenizer, tokenizerClass, modelMaxLength(ckpt), ckpt.tokenizerFile);
  const chat = exportedChatTemplate(ckpt.tasks, record);
  const tokenizerJson = chat === undefined ? plainTokenizerConfig : withChatTemplate(plainTokenizerConfig, chat);
  writeFolderAtomically(outDir, (tmp) => {
    const json = (file: string, value: unknown) => writeFileSync(path.join(tmp, file), `${JSON.stringify(value, null, 2)}\n`);
    json('config.json', parts.config);
    if (parts.generation !== undefined) json('generation_config.json', parts.generation);
    saveSafetensors(path.join(tmp, 'model.safetensors'), parts.tensors, { format: 'pt' });
    copyFileSync(ckpt.tokenizerFile, path.join(tmp, 'tokenizer.json'));
    json('tokenizer_config.json', tokenizerJson);
    writeFileSync(
      path.join(tmp, 'README.md'),
      modelCard(ckpt, path.basename(path.resolve(outDir)), hfUsage(outDir, parts, record), packageVersion()),
    );
  });
  return { dir: outDir, architecture: parts.architecture, tensors: parts.tensors.size };
}

/** An encoder alone (`<Family>Model`), or with a classification or QA head (`<Family>For<head>`). */
function encoderParts(ckpt: LoadedCheckpoint, names: HfNaming, task?: { record: TaskRecord; hf: HfExport }): HfParts {
  if (task === undefined)
    return {
      architecture: `${names.classPrefix}Model`,
      // an untied LM head (`lm_head.…`: Llama's, T5 v1.1's) belongs to the language-model class, not to <Family>Model
      tensors: names.toHf(new Map([...ckpt.encoder].filter(([name]) => !name.startsWith('lm_head.')))),
      config: { ...ckpt.encoderConfig, architectures: [`${names.classPrefix}Model`] },
    };
  const { record, hf } = task;
  const architecture = `${names.classPrefix}For${hf.head}`;
  const tensors = new Map<string, Tensor>();
  const head = ckpt.heads.get(record.name) ?? new Map<string, Tensor>();
  const named = hf.headTensors ?? ['classifier.weight', 'classifier.bias'];
  const extra = [...head.keys()].filter((k) => !named.includes(k));
  if (extra.length > 0)
    throw new ConfigError(
      `task '${record.name}': its head has ${extra.map((k) => `'${k}'`).join(', ')}, which ${architecture} has not` +
        (extra.some((k) => k.startsWith('crf.')) ? ' (a CRF; train the task with crf: false to export it)' : ''),
    );
  const layout = hf.head === 'SequenceClassification' ? sequenceLayout(names, record.name, architecture) : 'token';
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
  return { architecture, tensors, config: { ...ckpt.encoderConfig, architectures: [architecture], ...headConfig(record, hf) } };
}

/** How the card says to load the folder: the class's `from_pretrained` (and `generate` for a language model). */
function hfUsage(outDir: string, parts: HfParts, record: TaskRecord | undefined): CardUsage {
  const dir = JSON.stringify(path.resolve(outDir));
  const lines = [
    `from transformers import AutoTokenizer, ${parts.architecture}`,
    `tokenizer = AutoTokenizer.from_pretrained(${dir})`,
    `model = ${parts.architecture}.from_pretrained(${dir})`,
    parts.generation === undefined
      ? 'outputs = model(**tokenizer(["a text"], return_tensors="pt"))'
      : 'tokens = model.generate(**tokenizer(["a text"], return_tensors="pt"))  # decoding settings: generation_config.json',
  ];
  return {
    library: 'transformers',
    architectures: [parts.architecture],
    exported: record === undefined ? [] : [record.name],
    snippet: lines.join('\n'),
    language: 'python',
  };
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
