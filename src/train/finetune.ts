/**
 * Fine-tuning a pre-trained encoder on new tasks: `mtl finetune CKPT CONFIG`. The config is a training
 * config (YAML, or a module such as config.ts) without a `tokenizer` section, whose `encoder` section may set dropout only: the encoder's
 * architecture, weights and tokenizer come from the checkpoint (a run's `best/` or `last/`, or a
 * Hugging Face folder: model.safetensors (or sharded, or pytorch_model.bin) and tokenizer.json or the
 * older vocab.txt / vocab.json + merges.txt), each task of the config gets a fresh head, and
 * training runs as `train` does. The pre-training heads are not loaded.
 *
 * `init: 'scratch'` builds the same architecture with fresh weights over the same tokenizer, with the
 * checkpoint's dropout unless the config sets it: the baseline that isolates what pre-training adds (the
 * transfer report's third column).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { readConfigValue, validateTrainingConfig, type TrainingConfig } from '../io/config/index.js';
import { HF_WEIGHT_FILES } from '../io/hf-weights.js';
import { HF_TOKENIZER_FILES } from '../tokenization/index.js';
import { ENCODER_ARCHITECTURE_KEYS } from '../io/config/schema.js';
import { freeze } from '../mtl/peft/freeze.js';
import type { NamePattern } from '../mtl/peft/patterns.js';
import { train, type TrainOptions, type TrainResult } from './trainer.js';
import { taskTypes } from '../tasks/index.js';

/** Where the fine-tuned encoder's weights start: the checkpoint's, or fresh ones of the same architecture. */
export type EncoderInit = 'pretrained' | 'scratch';

/**
 * Hugging Face config.json keys copied from the checkpoint for a fresh encoder of the same shape, and its
 * dropout, which the pre-trained encoder brings too: a config that sets no dropout trains both arms with the
 * checkpoint's (before, the fresh encoder took the default 0.1 beside a checkpoint pre-trained without dropout).
 */
const COPIED_KEYS = [
  ...ENCODER_ARCHITECTURE_KEYS,
  'initializer_range',
  'layer_norm_eps',
  'hidden_dropout_prob',
  'attention_probs_dropout_prob',
] as const;

const withoutKeys = (o: Record<string, unknown>, keys: readonly string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

/**
 * The fine-tuning config `file` (YAML, or a module: `readConfigValue`), read and checked without a
 * checkpoint: it is a mapping, has no `tokenizer` section and sets no encoder architecture key
 * (`tokenizer` names the checkpoint's tokenizer in the message). `mtl transfer` checks every
 * downstream config with it before pre-training.
 * @throws ConfigError naming the file and the key.
 */
export async function readFinetuneConfig(
  file: string,
  tokenizer = "the checkpoint's tokenizer.json",
): Promise<{ config: Record<string, unknown>; encoder: Record<string, unknown> }> {
  const raw = await readConfigValue(file, 'fine-tuning config');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${file}: expected a mapping (a training config)`);
  const config = raw as Record<string, unknown>;
  if (config.tokenizer !== undefined) {
    throw new ConfigError(`${file}: a fine-tuning config uses the checkpoint's tokenizer (${tokenizer}); remove its 'tokenizer' section`);
  }
  const encoder = (config.encoder ?? {}) as Record<string, unknown>;
  const fixed = ENCODER_ARCHITECTURE_KEYS.filter((k) => encoder[k] !== undefined);
  if (fixed.length > 0 || encoder.from !== undefined) {
    throw new ConfigError(
      `${file}: encoder.${fixed[0] ?? 'from'} cannot be set when fine-tuning: the checkpoint fixes the encoder (only dropout may change)`,
    );
  }
  return { config, encoder };
}

/**
 * The training config of fine-tuning `checkpoint` as the config file `file` (YAML, or a module:
 * `readConfigValue`) says (see the file comment).
 * @throws ConfigError when the checkpoint lacks config.json, weights (`HF_WEIGHT_FILES`) or tokenizer files, when
 *   the file has a `tokenizer` section or sets the encoder's architecture, or as `loadTrainingConfig`.
 */
export async function loadFinetuneConfig(file: string, checkpoint: string, init: EncoderInit = 'pretrained'): Promise<TrainingConfig> {
  const ckpt = path.resolve(checkpoint);
  const has = (name: string) => existsSync(path.join(ckpt, name));
  if (!has('config.json')) throw new ConfigError(`${ckpt} is not a checkpoint to fine-tune: it has no config.json`);
  if (!HF_WEIGHT_FILES.some(has))
    throw new ConfigError(`${ckpt} is not a checkpoint to fine-tune: it has no weights (expected one of ${HF_WEIGHT_FILES.join(', ')})`);
  if (!has('tokenizer.json') && !has('vocab.txt') && !(has('vocab.json') && has('merges.txt')))
    throw new ConfigError(`${ckpt} is not a checkpoint to fine-tune: it has no tokenizer (expected ${HF_TOKENIZER_FILES.join(', or ')})`);
  const { config, encoder } = await readFinetuneConfig(file, `the tokenizer of ${ckpt}`);
  const architecture = JSON.parse(readFileSync(path.join(ckpt, 'config.json'), 'utf8')) as Record<string, unknown>;
  const copied = Object.fromEntries(COPIED_KEYS.filter((k) => architecture[k] !== undefined).map((k) => [k, architecture[k]]));
  const resolved = {
    ...config,
    encoder:
      init === 'pretrained' ? { ...encoder, from: ckpt } : { ...copied, ...withoutKeys(encoder, ['reinit_pooler', 'reinit_layers']) }, // scratch: all fresh
    tokenizer: { path: has('tokenizer.json') ? path.join(ckpt, 'tokenizer.json') : ckpt }, // a folder: its older tokenizer files
  };
  return validateTrainingConfig(resolved, { source: file, baseDir: path.dirname(path.resolve(file)), taskTypes });
}

export interface FinetuneOptions extends Omit<TrainOptions, 'adaptModel'> {
  /** Parameters to freeze (names as `MultiTaskModel.namedParameters()`; e.g. /^encoder\./ trains the heads only). */
  readonly freeze?: NamePattern;
}

/**
 * Trains `config` (from `loadFinetuneConfig`), freezing the parameters `options.freeze` names.
 * @returns the run's result, test metrics of its best checkpoint included.
 */
export function finetune(config: TrainingConfig, options: FinetuneOptions = {}): Promise<TrainResult> {
  const { freeze: pattern, ...rest } = options;
  return train(config, {
    ...rest,
    ...(pattern === undefined
      ? {}
      : {
          adaptModel: (model) => {
            const frozen = freeze(model, pattern);
            rest.logger?.info(`frozen: ${frozen.parameters.toLocaleString('en-US')} parameters in ${frozen.tensors} tensors`);
          },
        }),
  });
}
