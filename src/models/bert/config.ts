/**
 * `BertConfig`: the encoder's hyper-parameters, in camelCase here and in Hugging Face's snake_case
 * in config.json. The one mapping between the two spellings is `HF_NAMES` below.
 */
import { ConfigError } from '../../errors.js';
import type { BackboneConfig } from '../backbone.js';
import { namedAsHf, readHfFields, rejectUnsupportedHf, writeHfFields } from '../hf-config.js';

/** Activations of the feed-forward block, by Hugging Face's names. */
export const HIDDEN_ACTS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'] as const;
export type HiddenAct = (typeof HIDDEN_ACTS)[number];

export interface BertConfig extends BackboneConfig {
  /** config.json's `model_type`: always 'bert'. */
  readonly modelType: 'bert';
  /** V: rows of the word embedding. */
  readonly vocabSize: number;
  /** H: width of every hidden state. */
  readonly hiddenSize: number;
  /** Number of transformer layers. */
  readonly numHiddenLayers: number;
  /** nh: attention heads per layer; H must be a multiple of it (head size hs = H / nh). */
  readonly numAttentionHeads: number;
  /** Width of the feed-forward block. */
  readonly intermediateSize: number;
  /** Activation of the feed-forward block ('gelu' is the exact erf form, as BERT). */
  readonly hiddenAct: HiddenAct;
  /** Dropout after the embeddings and after each sub-layer's output projection. */
  readonly hiddenDropoutProb: number;
  /** Dropout on the attention probabilities. */
  readonly attentionProbsDropoutProb: number;
  /** Longest sequence (tokens) the position embedding covers. */
  readonly maxPositionEmbeddings: number;
  /** Number of segment (token type) ids. */
  readonly typeVocabSize: number;
  /** Standard deviation of the normal initialiser of weights. */
  readonly initializerRange: number;
  /** Epsilon of every LayerNorm. */
  readonly layerNormEps: number;
  /** Id of the padding token, whose embedding row starts at zero and gets no gradient; null for none. */
  readonly padTokenId: number | null;
}

/** bert-base-uncased (Devlin et al., NAACL 2019), Hugging Face's BertConfig defaults. */
export const BERT_BASE: BertConfig = Object.freeze({
  modelType: 'bert',
  vocabSize: 30522,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
  padTokenId: 0,
});

/** Each field's name in Hugging Face's config.json (`modelType` is `model_type`, checked apart). */
const HF_NAMES: Readonly<Record<Exclude<keyof BertConfig, 'modelType'>, string>> = {
  vocabSize: 'vocab_size',
  hiddenSize: 'hidden_size',
  numHiddenLayers: 'num_hidden_layers',
  numAttentionHeads: 'num_attention_heads',
  intermediateSize: 'intermediate_size',
  hiddenAct: 'hidden_act',
  hiddenDropoutProb: 'hidden_dropout_prob',
  attentionProbsDropoutProb: 'attention_probs_dropout_prob',
  maxPositionEmbeddings: 'max_position_embeddings',
  typeVocabSize: 'type_vocab_size',
  initializerRange: 'initializer_range',
  layerNormEps: 'layer_norm_eps',
  padTokenId: 'pad_token_id',
};
const FIELDS = Object.keys(HF_NAMES) as Exclude<keyof BertConfig, 'modelType'>[];
const NULLABLE: ReadonlySet<Exclude<keyof BertConfig, 'modelType'>> = new Set(['padTokenId']);

/** Edit distance, for suggesting the nearest valid key. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length] as number;
}

/** Whether the letters of `short` appear in `long` in order ('numheads' in 'numattentionheads'). */
const isSubsequence = (short: string, long: string): boolean => {
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
};

/** The field a mistyped key most likely meant: same letters ('hidden_size'), an abbreviation ('numHeads'), else the closest spelling. */
function nearestField(key: string): string {
  const plain = (s: string) => s.replace(/_/g, '').toLowerCase();
  const k = plain(key);
  const exact = FIELDS.find((f) => plain(f) === k);
  if (exact !== undefined) return exact;
  const abbreviated = FIELDS.filter((f) => isSubsequence(k, plain(f))).sort((a, b) => a.length - b.length)[0];
  if (abbreviated !== undefined) return abbreviated;
  return FIELDS.reduce((best, f) => (distance(plain(f), k) < distance(plain(best), k) ? f : best));
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Checks every field; throws ConfigError for the first invalid one, naming it, the value and the rule. */
export function validateBertConfig(c: BertConfig): void {
  if (c.modelType !== 'bert') throw new ConfigError(`modelType must be 'bert' for a BERT config, got '${String(c.modelType)}'`);
  for (const f of [
    'vocabSize',
    'hiddenSize',
    'numHiddenLayers',
    'numAttentionHeads',
    'intermediateSize',
    'maxPositionEmbeddings',
    'typeVocabSize',
  ] as const) {
    if (!isInt(c[f]) || c[f] < 1) throw new ConfigError(`${f} must be a positive integer, got ${String(c[f])}`);
  }
  if (c.hiddenSize % c.numAttentionHeads !== 0) {
    throw new ConfigError(`hidden size (${c.hiddenSize}) is not a multiple of the number of attention heads (${c.numAttentionHeads})`);
  }
  if (!HIDDEN_ACTS.includes(c.hiddenAct))
    throw new ConfigError(`hiddenAct must be one of ${HIDDEN_ACTS.join(', ')}, got '${String(c.hiddenAct)}'`);
  for (const f of ['hiddenDropoutProb', 'attentionProbsDropoutProb'] as const) {
    if (typeof c[f] !== 'number' || !(c[f] >= 0 && c[f] < 1))
      throw new ConfigError(`${f} must be a probability in [0, 1), got ${String(c[f])}`);
  }
  for (const f of ['initializerRange', 'layerNormEps'] as const) {
    if (typeof c[f] !== 'number' || !(c[f] > 0) || !Number.isFinite(c[f]))
      throw new ConfigError(`${f} must be a finite number > 0, got ${String(c[f])}`);
  }
  const pad = c.padTokenId;
  if (pad !== null && (!isInt(pad) || pad < 0 || pad >= c.vocabSize)) {
    throw new ConfigError(`padTokenId must be null or an integer in [0, vocabSize = ${c.vocabSize}), got ${String(pad)}`);
  }
}

/**
 * A validated BertConfig: `fields` over the bert-base defaults.
 * @throws ConfigError for an unknown key (naming the nearest valid one) or an invalid value.
 * @example
 *   const tiny = bertConfig({ vocabSize: 99, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 37 });
 */
export function bertConfig(fields: Partial<BertConfig> = {}): BertConfig {
  for (const key of Object.keys(fields)) {
    if (!(key in HF_NAMES) && key !== 'modelType')
      throw new ConfigError(`unknown BERT config key '${key}'; did you mean '${nearestField(key)}'?`);
  }
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const config = Object.freeze({ ...BERT_BASE, ...defined }) as BertConfig;
  validateBertConfig(config);
  return config;
}

/** config.json entries that would change the architecture, with the only value supported here. */
const HF_FIXED: Readonly<Record<string, unknown>> = {
  model_type: 'bert',
  position_embedding_type: 'absolute',
  is_decoder: false,
  add_cross_attention: false,
};

/**
 * The BertConfig of a Hugging Face config.json object. Missing BERT keys take Hugging Face's
 * defaults; keys Hugging Face keeps for other purposes (architectures, id2label, torch_dtype, …) are ignored.
 * @throws ConfigError for a value of the wrong type, an invalid value (named by its snake_case key), or an
 *   architecture this encoder does not implement (model_type other than 'bert', relative positions, a decoder).
 */
export function bertConfigFromHf(json: Readonly<Record<string, unknown>>): BertConfig {
  rejectUnsupportedHf(json, HF_FIXED, 'this BERT encoder');
  const fields = readHfFields(json, { names: HF_NAMES, typeOf: (f) => (f === 'hiddenAct' ? 'string' : 'number'), nullable: NULLABLE });
  return namedAsHf(HF_NAMES, () => bertConfig(fields as Partial<BertConfig>));
}

/** The Hugging Face config.json object of `c` (BertModel's keys, snake_case); `bertConfigFromHf` reads it back unchanged. */
export function bertConfigToHf(c: BertConfig): Record<string, unknown> {
  return writeHfFields(c, HF_NAMES, { model_type: 'bert', position_embedding_type: 'absolute' });
}
