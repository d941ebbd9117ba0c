/**
 * Hugging Face checkpoint names ↔ BertModel's parameter names, in one place. BertModel's names are
 * already Hugging Face's (`encoder.layer.0.attention.self.query.weight`); task models such as
 * BertForSequenceClassification or BertForPreTraining put the encoder under `bert.` and their heads
 * beside it (`classifier.*`, `cls.*`).
 */
import type { Tensor } from '../../tensor/index.js';
import type { HfNaming, HfStateDictParts } from '../backbone.js';

/** The prefix of the encoder inside Hugging Face's task models. */
export const HF_BERT_PREFIX = 'bert.';

/** BertModel's top-level children: names starting with these belong to the encoder. */
const ENCODER_ROOTS = ['embeddings.', 'encoder.', 'pooler.'];

/** Buffers older checkpoints saved beside the parameters; BertModel computes them instead. */
const BUFFERS = new Set(['embeddings.position_ids', 'embeddings.token_type_ids']);

/** The prefix of BertForMaskedLM's and BertForPreTraining's masked-LM head (`cls.predictions.…`). */
export const HF_MLM_PREFIX = 'cls.predictions.';

/**
 * Keys of BertForMaskedLM that are the same tensors as others (its `_tied_weights_keys`): the decoder
 * weight is the word-embedding matrix and the decoder bias is `cls.predictions.bias`. Hugging Face
 * recreates them on load, so they are neither needed nor saved.
 */
export const HF_TIED_KEYS: ReadonlySet<string> = new Set(['cls.predictions.decoder.weight', 'cls.predictions.decoder.bias']);

/**
 * BertModel's name for a Hugging Face checkpoint entry, or undefined when the entry is not part of
 * the encoder (a head). Strips `bert.` and renames TensorFlow-era `LayerNorm.gamma`/`beta` to `weight`/`bias`.
 * @example
 *   encoderKeyFromHf('bert.encoder.layer.0.output.LayerNorm.gamma') // 'encoder.layer.0.output.LayerNorm.weight'
 *   encoderKeyFromHf('cls.predictions.bias')                         // undefined
 */
export function encoderKeyFromHf(name: string): string | undefined {
  const key = name.startsWith(HF_BERT_PREFIX) ? name.slice(HF_BERT_PREFIX.length) : name;
  if (!ENCODER_ROOTS.some((root) => key.startsWith(root))) return undefined;
  return key.replace(/\.LayerNorm\.gamma$/, '.LayerNorm.weight').replace(/\.LayerNorm\.beta$/, '.LayerNorm.bias');
}

/**
 * Sorts a Hugging Face state dict (of BertModel or of a `BertFor…` task model) into the encoder's
 * entries and the rest. The tensors are the same objects as in `tensors`: the caller still owns them.
 */
export function splitHfStateDict(tensors: ReadonlyMap<string, Tensor>): HfStateDictParts {
  const parts: HfStateDictParts = { backbone: new Map(), rest: new Map(), ignored: [] };
  for (const [name, t] of tensors) {
    const key = encoderKeyFromHf(name);
    if (HF_TIED_KEYS.has(name)) parts.ignored.push(name);
    else if (key === undefined) parts.rest.set(name, t);
    else if (BUFFERS.has(key)) parts.ignored.push(name);
    else parts.backbone.set(key, t);
  }
  return parts;
}

/**
 * BertModel's state dict under Hugging Face names: as BertModel saves it (prefix '', the default) or
 * as a task model holds it (prefix `HF_BERT_PREFIX`). Same tensor objects, new keys.
 */
export function toHfStateDict(state: ReadonlyMap<string, Tensor>, prefix = ''): Map<string, Tensor> {
  return new Map([...state].map(([k, t]) => [prefix + k, t]));
}

/** BERT's Hugging Face naming, as the Backbone contract declares it (src/models/backbone.ts). */
export const BERT_HF_NAMES: HfNaming = Object.freeze({
  basePrefix: HF_BERT_PREFIX,
  classPrefix: 'Bert',
  mlmHeadPrefix: HF_MLM_PREFIX,
  tiedKeys: HF_TIED_KEYS,
  sequenceClassification: 'pooler',
  splitStateDict: splitHfStateDict,
  toHf: toHfStateDict,
});
