/**
 * The backbone contract (DESIGN.md, "The backbone contract"): what every model family offers the
 * rest of the toolkit. Task heads, MultiTaskModel, PEFT (LoRA, bottleneck adapters), MMoE, gradient
 * surgery and the checkpoint loader see a model only through these types; a family's classes stay
 * inside its folder (src/models/<family>/), and a family joins with one line in ./registry.ts.
 *
 * Naming rule: a backbone's own parameter names are Hugging Face's names of the family's base model
 * (`embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight` for BERT), so
 * a checkpoint's backbone tensors load with `loadStateDict` as they are; the family's `HfNaming`
 * converts the names of Hugging Face's task models (the `bert.` prefix, tied copies, legacy names).
 */
import type { Embedding } from '../nn/embedding.js';
import type { ParamOptions } from '../nn/init.js';
import type { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import type { KeyValueCache } from '../generate/cache.js';
import type { Tensor } from '../tensor/index.js';

/** What a backbone is made of: an encoder (BERT), a decoder (GPT-2), or both (T5). */
export type BackboneKind = 'encoder' | 'decoder' | 'encoder-decoder';

/**
 * The hyper-parameters every family has, in camelCase (Hugging Face's config.json spells them in
 * snake_case; each family maps its own names). A family's config extends this with its own fields.
 */
export interface BackboneConfig {
  /** config.json's `model_type`: the registry key of the family ('bert', …). */
  readonly modelType: string;
  /** V: rows of the word embedding. */
  readonly vocabSize: number;
  /** H: width of every hidden state the heads read. */
  readonly hiddenSize: number;
  /** Number of transformer layers. */
  readonly numHiddenLayers: number;
  /** nh: attention heads per layer. */
  readonly numAttentionHeads: number;
  /** Width of the feed-forward block. */
  readonly intermediateSize: number;
  /** Activation of the feed-forward block, by Hugging Face's name ('gelu', 'relu', …). */
  readonly hiddenAct: string;
  /** Dropout probability after the embeddings and each sub-layer (heads use it as their default dropout). */
  readonly hiddenDropoutProb: number;
  /** Standard deviation of the normal initialiser of weights (heads initialise with it too). */
  readonly initializerRange: number;
  /** Epsilon of the LayerNorms. */
  readonly layerNormEps: number;
  /** Longest sequence (tokens) the model takes. */
  readonly maxPositionEmbeddings: number;
  /** Id of the padding token, or null for none. */
  readonly padTokenId: number | null;
}

/** A batch of token ids for `Backbone.forward` (every tensor (B, T)). */
export interface ModelInputs {
  /** (B, T) int64 token ids. */
  readonly inputIds: Tensor;
  /** (B, T) 1 = attend, 0 = padding; all 1 when omitted. */
  readonly attentionMask?: Tensor;
  /** (B, T) int64 segment ids, for families that have segments (BERT); all 0 when omitted, ignored by families without. */
  readonly tokenTypeIds?: Tensor;
  /**
   * Decoders: the keys and values of the P tokens seen before `inputIds` (src/generate/cache.ts), which
   * the forward reads and appends to; `attentionMask` is then (B, P + T). Encoders ignore it.
   */
  readonly pastKeyValues?: KeyValueCache;
}

/** What `Backbone.forward` returns; tensors belong to the caller (or the enclosing tidy). */
export interface ModelOutput {
  /** (B, T, H) the last layer's hidden states. */
  readonly lastHiddenState: Tensor;
  /** (B, H) the pooled first-token state, for families with a pooling layer (BERT's pooler); absent otherwise. */
  readonly pooledOutput?: Tensor;
}

/**
 * A residual branch of a transformer layer, where a bottleneck adapter goes (Houlsby et al., ICML
 * 2019, Figure 2): the sub-layer's projected output, after its dropout, before the residual add and
 * LayerNorm. PEFT wraps `branchEnd`'s forward; the family's classes need no change.
 */
export interface ResidualBranch {
  /** The block that holds the branch (BERT: `attention.output`, `output`); adapters are registered under it (`<block>.adapters.<name>`). */
  readonly block: Module;
  /** The module whose result is the branch's output (…, H) (BERT: the block's dropout); an adapter is applied to what it returns. */
  readonly branchEnd: Module & { forward(x: Tensor): Tensor };
  /** The projection that makes the branch's output: its width, dtype and device are the adapter's. */
  readonly projection: Linear;
}

/** One transformer layer, as adapters, LoRA, surgery subsets and layer-wise learning rates address it. */
export interface BackboneLayer extends Module {
  /** Where bottleneck adapters go: after self-attention and after the feed-forward block. */
  residualBranches(): { readonly attention: ResidualBranch; readonly feedForward: ResidualBranch };
}

/**
 * A family's Hugging Face names: how its base model sits inside Hugging Face's task models
 * (`BertForSequenceClassification` holds `bert.…` and `classifier.…`), in both directions.
 */
export interface HfNaming {
  /** The prefix of the base model inside Hugging Face's task models ('bert.'). */
  readonly basePrefix: string;
  /** The class-name stem of the family's Transformers classes ('Bert': `BertModel`, `BertForSequenceClassification`). */
  readonly classPrefix: string;
  /** The prefix of the family's masked-LM head in `…ForMaskedLM` ('cls.predictions.'), or undefined when it has none. */
  readonly mlmHeadPrefix: string | undefined;
  /** Keys of Hugging Face task models that are copies of other tensors (`_tied_weights_keys`); neither loaded nor saved. */
  readonly tiedKeys: ReadonlySet<string>;
  /**
   * Where the family's `…ForSequenceClassification` puts what a sequence-classification head here
   * computes (the pooled first token, or the first token's state without a pooler → dropout → `classifier`):
   * - 'pooler': the base model keeps its pooler and `classifier.*` sits beside it (BertForSequenceClassification);
   * - 'classification-head': the pooler's dense layer is `classifier.dense` and the classifier
   *   `classifier.out_proj` (RobertaClassificationHead: first token → dense → tanh → out_proj);
   * - `{ refused }`: why the family's class computes something else (export with the head is refused with it).
   * Absent: as `{ refused }` with a generic reason.
   */
  readonly sequenceClassification?: 'pooler' | 'classification-head' | { readonly refused: string };
  /**
   * The family's Transformers language-model class, whose weights are the backbone's under `basePrefix`
   * with the LM head tied to the word embeddings (`GPT2LMHeadModel`, `LlamaForCausalLM`,
   * `T5ForConditionalGeneration`, `BartForConditionalGeneration`, `MarianMTModel`); absent for encoders.
   */
  readonly lmClass?: string;
  /** The Transformers tokenizer class that reads the family's tokenizer.json (default `<classPrefix>TokenizerFast`). */
  readonly tokenizerClass?: string;
  /**
   * Sorts a Hugging Face state dict (base model or task model, with or without `basePrefix`) into the
   * backbone's tensors under its own names, everything else under its own name, and what is skipped
   * (tied copies, buffers the backbone computes). Same tensor objects: the caller still owns them.
   */
  splitStateDict(tensors: ReadonlyMap<string, Tensor>): HfStateDictParts;
  /** The backbone's state dict under Hugging Face names with `prefix` ('' or `basePrefix`). Same tensor objects, new keys. */
  toHf(state: ReadonlyMap<string, Tensor>, prefix?: string): Map<string, Tensor>;
}

/** What `HfNaming.splitStateDict` found. */
export interface HfStateDictParts {
  /** The backbone's tensors under its own names, for `Backbone.loadStateDict`. */
  readonly backbone: Map<string, Tensor>;
  /** Everything else (heads: `cls.*`, `classifier.*`, `heads.<task>.*`, …) under its own name. */
  readonly rest: Map<string, Tensor>;
  /** Names skipped: tied copies (`tiedKeys`) and saved buffers the backbone computes. */
  readonly ignored: string[];
}

/**
 * A model family's backbone: a Module whose parameter names are Hugging Face's base-model names.
 * @example
 *   const backbone = backboneFamily('bert').create(config);
 *   const { lastHiddenState } = tidy(() => backbone.forward({ inputIds, attentionMask })); // (B, T, H)
 */
export interface Backbone extends Module {
  readonly kind: BackboneKind;
  readonly config: BackboneConfig;
  /** The family's Hugging Face names. */
  readonly hfNames: HfNaming;
  /**
   * Runs the backbone on a batch. Intermediates are freed.
   * @throws ShapeError for inputs that are not (B, T) or longer than maxPositionEmbeddings.
   */
  forward(inputs: ModelInputs): ModelOutput;
  /** The input word embeddings, weight (V, H): what a masked-LM decoder ties to. */
  inputEmbeddings(): Embedding;
  /**
   * A decoder's LM head weight (V, H) when it is its own (`lm_head.weight`, config `tie_word_embeddings: false`:
   * Llama 2/3-8B, Mistral); undefined, or no such method, when the LM head is tied to `inputEmbeddings()`.
   */
  outputEmbeddings?(): Tensor | undefined;
  /** The transformer layers, first to last. */
  layers(): readonly BackboneLayer[];
  /**
   * The module that holds the layers (BERT: `encoder`). Modules placed between the backbone and the
   * heads (an MMoE layer) are registered under it, so checkpoints keep them among the backbone's tensors.
   */
  layerStack(): Module;
  /**
   * Turns gradient checkpointing of the layers on or off (../models/checkpointing.ts); absent in
   * families that do not have it.
   */
  setGradientCheckpointing?(on: boolean): void;
}

/** A model family: everything needed to go from a config.json to a backbone and back. One line in ./registry.ts. */
export interface BackboneFamily {
  /** config.json's `model_type` ('bert'). */
  readonly modelType: string;
  readonly kind: BackboneKind;
  readonly hfNames: HfNaming;
  /** Default LoRA targets (module-path pattern of the attention projections LoRA adapts by default, e.g. 'query|value'). */
  readonly loraTargets: string;
  /**
   * A validated config: `fields` (camelCase, the family's names) over the family's defaults.
   * @throws ConfigError for an unknown key (naming the nearest valid one) or an invalid value.
   */
  config(fields?: Readonly<Record<string, unknown>>): BackboneConfig;
  /**
   * The config of a Hugging Face config.json object; keys for other purposes (architectures, id2label, …) are ignored.
   * @throws ConfigError for a wrong value or an architecture variant the family does not implement.
   */
  configFromHf(json: Readonly<Record<string, unknown>>): BackboneConfig;
  /** The config.json object of `config` (with `model_type`); `configFromHf` reads it back unchanged. */
  configToHf(config: BackboneConfig): Record<string, unknown>;
  /** A backbone with fresh weights (the family's initialisation; seed with manualSeed first). */
  create(config: BackboneConfig, options?: ParamOptions): Backbone;
}
