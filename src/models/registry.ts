/**
 * The model families by config.json's `model_type`: one line per family. Everything that turns a
 * config into a backbone (a new run, `encoder.from`, a checkpoint, an export) asks here.
 */
import { ConfigError } from '../errors.js';
import { snakeKey } from '../io/config/case.js';
import type { Backbone, BackboneConfig, BackboneFamily } from './backbone.js';
import type { ParamOptions } from '../nn/init.js';
import { BART_FAMILY, MARIAN_FAMILY } from './bart/family.js';
import { BERT_FAMILY } from './bert/family.js';
import { DISTILBERT_FAMILY } from './distilbert/family.js';
import { ELECTRA_FAMILY } from './electra/family.js';
import { GPT2_FAMILY } from './gpt2/family.js';
import { LLAMA_FAMILY, MISTRAL_FAMILY, QWEN2_FAMILY } from './llama/family.js';
import { ROBERTA_FAMILY } from './roberta/family.js';
import { T5_FAMILY } from './t5/family.js';
import { XLM_ROBERTA_FAMILY } from './xlm-roberta/family.js';

const FAMILIES: ReadonlyMap<string, BackboneFamily> = new Map([
  [BERT_FAMILY.modelType, BERT_FAMILY], // Devlin et al., NAACL 2019
  [ROBERTA_FAMILY.modelType, ROBERTA_FAMILY], // Liu et al., 2019
  [XLM_ROBERTA_FAMILY.modelType, XLM_ROBERTA_FAMILY], // Conneau et al., ACL 2020
  [DISTILBERT_FAMILY.modelType, DISTILBERT_FAMILY], // Sanh et al., 2019
  [ELECTRA_FAMILY.modelType, ELECTRA_FAMILY], // Clark et al., ICLR 2020
  [T5_FAMILY.modelType, T5_FAMILY], // Raffel et al., JMLR 2020
  [BART_FAMILY.modelType, BART_FAMILY], // Lewis et al., ACL 2020
  [MARIAN_FAMILY.modelType, MARIAN_FAMILY], // Junczys-Dowmunt et al., ACL 2018 (BART's layout)
  [GPT2_FAMILY.modelType, GPT2_FAMILY], // Radford et al., 2019
  [LLAMA_FAMILY.modelType, LLAMA_FAMILY], // Touvron et al., 2023
  [QWEN2_FAMILY.modelType, QWEN2_FAMILY], // Yang et al., 2024 (Llama's layout, q/k/v biases)
  [MISTRAL_FAMILY.modelType, MISTRAL_FAMILY], // Jiang et al., 2023 (Llama's layout, sliding-window attention)
]);

/** The `model_type`s a backbone can be built for, sorted. */
export function supportedModelTypes(): string[] {
  return [...FAMILIES.keys()].sort();
}

/**
 * The keys a new encoder's `encoder:` block may give a family beside `model_type` and `vocab_size`:
 * its config's fields (those of `config()`, which accepts exactly these) as the config file spells
 * them, snake_case (T5: d_kv, num_decoder_layers, feed_forward_proj, …). The config loader checks a
 * block against them, so an unknown key is reported with its file and line before the run starts.
 * @throws ConfigError for an unsupported model type (as `backboneFamily`).
 * @example familyConfigKeys('t5').includes('d_kv') // true
 */
export function familyConfigKeys(modelType: string): string[] {
  const fields = Object.keys(backboneFamily(modelType).config());
  return fields.filter((f) => f !== 'modelType' && f !== 'vocabSize').map(snakeKey);
}

/**
 * The family registered under `modelType`.
 * @throws ConfigError naming the supported model types when none is.
 */
export function backboneFamily(modelType: string): BackboneFamily {
  const family = FAMILIES.get(modelType);
  if (family === undefined) throw new ConfigError(unsupported(modelType));
  return family;
}

/** What an unsupported `modelType` is told: the supported ones. */
function unsupported(modelType: string): string {
  return `model_type '${modelType}' is not supported; the supported model types are ${supportedModelTypes().join(', ')}`;
}

/**
 * The family of a Hugging Face config.json object, by its `model_type` ('bert' when absent, as in
 * config.json files written before model types were recorded).
 * @param file the config.json the object was read from, named in errors (default 'config.json').
 * @throws ConfigError for a `model_type` that is not a string or not supported, naming the file, the
 *   field and the supported ones.
 */
export function familyOfHfConfig(json: Readonly<Record<string, unknown>>, file = 'config.json'): BackboneFamily {
  const modelType = json.model_type ?? 'bert';
  if (typeof modelType !== 'string')
    throw new ConfigError(`${file}: model_type must be a string such as 'bert', got ${JSON.stringify(modelType)}`);
  const family = FAMILIES.get(modelType);
  if (family === undefined) throw new ConfigError(`${file}: ${unsupported(modelType)}`);
  return family;
}

/** The config of a Hugging Face config.json object, read by its family (see `familyOfHfConfig`). */
export function backboneConfigFromHf(json: Readonly<Record<string, unknown>>): BackboneConfig {
  return familyOfHfConfig(json).configFromHf(json);
}

/** The config.json object of `config`, written by its family. */
export function backboneConfigToHf(config: BackboneConfig): Record<string, unknown> {
  return backboneFamily(config.modelType).configToHf(config);
}

/** A backbone with fresh weights for `config` (seed with manualSeed first). */
export function createBackbone(config: BackboneConfig, options: ParamOptions = {}): Backbone {
  return backboneFamily(config.modelType).create(config, options);
}
