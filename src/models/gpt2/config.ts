/**
 * `Gpt2Config`: GPT-2's hyper-parameters under the common camelCase names, mapped to GPT-2's own
 * config.json keys (`n_embd`, `n_layer`, `n_head`, `n_inner`, `n_positions`, `activation_function`,
 * `resid_pdrop`, `embd_pdrop`, `attn_pdrop`, `layer_norm_epsilon`). Shape, activation, dropout and
 * epsilon rules are BERT's (validated by src/models/bert/config.ts). Defaults: gpt2 (124M).
 */
import { ConfigError } from '../../errors.js';
import { validateBertConfig, type BertConfig, type HiddenAct } from '../bert/config.js';
import type { BackboneConfig } from '../backbone.js';
import { namedAsHf, readHfFields, rejectUnsupportedHf, writeHfFields } from '../hf-config.js';

export interface Gpt2Config extends BackboneConfig {
  readonly modelType: 'gpt2';
  readonly hiddenAct: HiddenAct;
  /** Dropout on the attention probabilities (`attn_pdrop`). */
  readonly attentionProbsDropoutProb: number;
  /** Dropout on the summed token and position embeddings (`embd_pdrop`). */
  readonly embeddingDropoutProb: number;
  /** Id of the beginning-of-text token (`bos_token_id`), or null. */
  readonly bosTokenId: number | null;
  /** Id of the end-of-text token (`eos_token_id`), or null: where generation stops. */
  readonly eosTokenId: number | null;
}

/** gpt2 (Radford et al., 2019, "Language Models are Unsupervised Multitask Learners"), Hugging Face's GPT2Config defaults. */
const GPT2_SMALL: Gpt2Config = Object.freeze({
  modelType: 'gpt2',
  vocabSize: 50257,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: 'gelu_new',
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  embeddingDropoutProb: 0.1,
  maxPositionEmbeddings: 1024,
  initializerRange: 0.02,
  layerNormEps: 1e-5,
  padTokenId: null,
  bosTokenId: 50256,
  eosTokenId: 50256,
});

/** config.json key of each field (`n_inner` null means 4·n_embd; `modelType` is `model_type`, checked apart). */
const HF_NAMES = {
  vocabSize: 'vocab_size',
  hiddenSize: 'n_embd',
  numHiddenLayers: 'n_layer',
  numAttentionHeads: 'n_head',
  intermediateSize: 'n_inner',
  hiddenAct: 'activation_function',
  hiddenDropoutProb: 'resid_pdrop',
  attentionProbsDropoutProb: 'attn_pdrop',
  embeddingDropoutProb: 'embd_pdrop',
  maxPositionEmbeddings: 'n_positions',
  initializerRange: 'initializer_range',
  layerNormEps: 'layer_norm_epsilon',
  padTokenId: 'pad_token_id',
  bosTokenId: 'bos_token_id',
  eosTokenId: 'eos_token_id',
} as const satisfies Record<Exclude<keyof Gpt2Config, 'modelType'>, string>;
type Field = keyof typeof HF_NAMES;
const FIELDS = Object.keys(HF_NAMES) as Field[];
const NULLABLE: ReadonlySet<Field> = new Set(['padTokenId', 'bosTokenId', 'eosTokenId']);

/** config.json entries that would change the architecture, with the only value supported here. */
const HF_FIXED: Readonly<Record<string, unknown>> = {
  scale_attn_weights: true,
  scale_attn_by_inverse_layer_idx: false,
  add_cross_attention: false,
};

/**
 * A validated Gpt2Config: `fields` (camelCase) over gpt2's defaults.
 * @throws ConfigError for an unknown key, or an invalid value (BERT's rules; token ids in [0, vocabSize) or null).
 */
export function gpt2Config(fields: Readonly<Record<string, unknown>> = {}): Gpt2Config {
  const { modelType: _type, ...rest } = fields;
  for (const key of Object.keys(rest))
    if (!(key in HF_NAMES)) throw new ConfigError(`unknown GPT-2 config key '${key}'; the keys are ${FIELDS.join(', ')}`);
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  // gpt2's <|endoftext|> (50256) is the default BOS/EOS only of a vocabulary that has it; a smaller one (a new tokenizer) has none unless given
  const vocabSize = (defined.vocabSize as number | undefined) ?? GPT2_SMALL.vocabSize;
  const special = vocabSize > 50256 ? {} : { bosTokenId: null, eosTokenId: null };
  const c = Object.freeze({ ...GPT2_SMALL, ...special, ...defined, modelType: 'gpt2' }) as Gpt2Config;
  validateBertConfig({ ...c, modelType: 'bert', typeVocabSize: 1 } as BertConfig);
  if (!(c.embeddingDropoutProb >= 0 && c.embeddingDropoutProb < 1))
    throw new ConfigError(`embeddingDropoutProb must be a probability in [0, 1), got ${String(c.embeddingDropoutProb)}`);
  for (const f of ['bosTokenId', 'eosTokenId'] as const) {
    const id = c[f];
    if (id !== null && (!Number.isInteger(id) || id < 0 || id >= c.vocabSize))
      throw new ConfigError(`${f} must be null or an integer in [0, vocabSize = ${c.vocabSize}), got ${String(id)}`);
  }
  return c;
}

/**
 * The Gpt2Config of a config.json object (`model_type` 'gpt2'); missing keys take gpt2's values,
 * others (architectures, task_specific_params, summary_*, …) are ignored.
 * @throws ConfigError for a wrong value (named by its config.json key), an attention variant not implemented, or
 *   tie_word_embeddings false (an untied lm_head, which this GPT-2 does not have: refused, not silently tied).
 */
export function gpt2ConfigFromHf(json: Readonly<Record<string, unknown>>): Gpt2Config {
  rejectUnsupportedHf(json, HF_FIXED, 'this GPT-2');
  if (json.tie_word_embeddings === false)
    // GPT2LMHeadModel then has an lm_head of its own; tying it would change the logits
    throw new ConfigError(
      'config.json has tie_word_embeddings = false; this GPT-2 ties its LM head to wte (an untied lm_head is not supported)',
    );
  const { n_inner: inner, ...rest } = json; // n_inner null or absent: 4 × n_embd
  const fields = readHfFields(inner === null ? rest : json, {
    names: HF_NAMES,
    typeOf: (f) => (f === 'hiddenAct' ? 'string' : 'number'),
    nullable: NULLABLE,
  });
  if ((inner ?? null) === null && typeof fields.hiddenSize === 'number') fields.intermediateSize = 4 * fields.hiddenSize;
  return namedAsHf(HF_NAMES, () => gpt2Config(fields));
}

/** The config.json object of `c` (GPT2Model's keys); `gpt2ConfigFromHf` reads it back unchanged. */
export function gpt2ConfigToHf(c: Gpt2Config): Record<string, unknown> {
  return writeHfFields(c, HF_NAMES, { model_type: 'gpt2', ...HF_FIXED });
}
