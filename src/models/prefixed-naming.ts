/**
 * The Hugging Face naming of a family whose base model's names are the backbone's own and whose task
 * models hold it under one prefix (`roberta.`, `distilbert.`, `electra.`) beside their heads: the
 * `HfNaming` of src/models/backbone.ts, made from that prefix, the backbone's top-level children, the
 * buffers older checkpoints saved and the task models' tied keys.
 */
import type { Tensor } from '../tensor/index.js';
import type { HfNaming, HfStateDictParts } from './backbone.js';

export interface PrefixedNamingOptions {
  /** The base model inside task models ('roberta.'). */
  readonly basePrefix: string;
  /** The stem of the family's Transformers classes ('Roberta': `RobertaModel`, `RobertaForSequenceClassification`). */
  readonly classPrefix: string;
  /** The base model's top-level children ('embeddings.', 'encoder.'): names under these are the backbone's. */
  readonly roots: readonly string[];
  /**
   * Tensors of the language-model class beside the base model that the backbone holds (Llama's untied
   * `lm_head.`): the backbone's, read and written without the base prefix.
   */
  readonly lmRoots?: readonly string[];
  /** Buffers older checkpoints saved that the backbone computes ('embeddings.position_ids'): skipped. */
  readonly buffers?: readonly string[];
  /** Such buffers by pattern, on the backbone's own names (GPT-2's `h.0.attn.bias`, one per layer): skipped. */
  readonly bufferPattern?: RegExp;
  /** Task models' copies of other tensors (`_tied_weights_keys`): skipped. */
  readonly tiedKeys?: readonly string[];
  /** Where `…ForSequenceClassification` holds a pooled-first-token classifier (see `HfNaming.sequenceClassification`). */
  readonly sequenceClassification: NonNullable<HfNaming['sequenceClassification']>;
  /** The family's language-model class (see `HfNaming.lmClass`). */
  readonly lmClass?: string;
  /** The tokenizer class of its tokenizer.json (see `HfNaming.tokenizerClass`). */
  readonly tokenizerClass?: string;
}

/** The `HfNaming` of a prefixed family (see the file comment). */
export function prefixedHfNaming(o: PrefixedNamingOptions): HfNaming {
  const buffers = new Set(o.buffers ?? []);
  const tiedKeys: ReadonlySet<string> = new Set(o.tiedKeys ?? []);
  const lmRoots = o.lmRoots ?? [];
  const atTop = (name: string): boolean => lmRoots.some((root) => name.startsWith(root));
  const backboneKey = (name: string): string | undefined => {
    if (atTop(name)) return name;
    const key = name.startsWith(o.basePrefix) ? name.slice(o.basePrefix.length) : name;
    return o.roots.some((root) => key.startsWith(root)) ? key : undefined;
  };
  return Object.freeze({
    basePrefix: o.basePrefix,
    classPrefix: o.classPrefix,
    mlmHeadPrefix: undefined, // the family's LM head is not BERT's cls.predictions: a masked-LM task starts a fresh one
    tiedKeys,
    sequenceClassification: o.sequenceClassification,
    ...(o.lmClass === undefined ? {} : { lmClass: o.lmClass }),
    ...(o.tokenizerClass === undefined ? {} : { tokenizerClass: o.tokenizerClass }),
    splitStateDict(tensors: ReadonlyMap<string, Tensor>): HfStateDictParts {
      const parts: HfStateDictParts = { backbone: new Map(), rest: new Map(), ignored: [] };
      for (const [name, t] of tensors) {
        const key = backboneKey(name);
        if (tiedKeys.has(name)) parts.ignored.push(name);
        else if (key === undefined) parts.rest.set(name, t);
        else if (buffers.has(key) || o.bufferPattern?.test(key) === true) parts.ignored.push(name);
        else parts.backbone.set(key, t);
      }
      return parts;
    },
    toHf(state: ReadonlyMap<string, Tensor>, prefix = ''): Map<string, Tensor> {
      return new Map([...state].map(([k, t]) => [atTop(k) ? k : prefix + k, t]));
    },
  });
}
