/**
 * Causal language modelling (Radford et al., 2018, "Improving Language Understanding by Generative
 * Pre-Training", §3.1, eq. 1): each token is predicted from the tokens before it, L = −Σₜ log p(xₜ | x<ₜ),
 * on a decoder backbone (gpt2, …), whose attention sees only earlier tokens.
 *
 * Features are the text's tokens (its tokenizer's special tokens included); `collate` pads them on the
 * right and labels every real token with its own id (-100 on padding); the loss shifts by one (the
 * logits at t predict the label at t + 1), as Hugging Face's `…ForCausalLM`, and averages over real
 * target tokens only. Evaluation pools every target token of a split: next-token accuracy (the main
 * metric: model selection maximises) and perplexity = exp(mean −ln p).
 *
 * The head is the backbone's LM head: tied to its input embeddings (logits = h·Eᵀ, E (V, H); Press &
 * Wolf, EACL 2017), as `GPT2LMHeadModel.lm_head`, or the backbone's own `lm_head` (V, H) where the family
 * has one untied (Llama with tie_word_embeddings false). The task head has no tensors of its own either
 * way, so a model loaded from a Hugging Face folder starts with the folder's exact logits and exports
 * back to the same class.
 */
import { ConfigError, ShapeError } from '../errors.js';
import type { SourcePosition } from '../data/index.js';
import type { LmHead } from '../models/causal-lm.js';
import { clamp, crossEntropy, linear, logSoftmax, noGrad, tidy, type Tensor } from '../tensor/index.js';
import { IGNORE_INDEX, type Tokenizer } from '../tokenization/index.js';
import { checkFeatures, exampleOf, inGoldOrder, longest, padInputs, paddedInt64, truncateEncoding } from './features.js';
import { rejectUnknownOptions } from './options.js';
import type { Batch, EncoderOutputs, Features, FeaturizeResult, Metrics, TaskType, TieableEncoder } from './types.js';
import { TaskHead } from './types.js';
import { tokenScoreMetrics, type TargetScores } from './text-to-text.js';

export const CAUSAL_LM = 'causal-lm';

/** A causal LM has no label list of its own (its classes are the vocabulary); a spec needs a non-empty one. */
export const CAUSAL_LM_LABELS: readonly string[] = ['[vocabulary]'];

/** What a causal LM reads: one text (a line of a corpus, a WordNet gloss, …); any label is ignored. */
export interface CausalLmExample {
  readonly id: string;
  readonly text: string;
  readonly source: SourcePosition;
}

/** No options yet (an empty object; unknown keys are refused). */
export type CausalLmOptions = Readonly<Record<string, never>>;

/** How well the model predicted one example's tokens. */
export interface CausalLmPrediction {
  readonly exampleIndex: number;
  /** Tokens predicted (the real tokens after the first). */
  readonly targetTokens: number;
  /** Σ −ln p(token | earlier tokens) over them (natural log). */
  readonly nll: number;
  /** How many of them were the most probable token. */
  readonly correct: number;
}

/**
 * The backbone's LM head: hidden (B, T, H) → logits (B, T, V) = h·Wᵀ, W (V, H) the backbone's untied
 * `lm_head` weight when it has one (`outputEmbeddings()`), else its input word embeddings. No tensors of its own.
 */
export class CausalLmHead extends TaskHead {
  #weight: Tensor | undefined;

  constructor(private readonly vocabSize: number) {
    super();
  }

  /** Takes the backbone's LM head weight (V, H): its own when untied, else the word embeddings; MultiTaskModel calls it. The backbone owns the weight. */
  override tieTo(backbone: TieableEncoder): void {
    const w = backbone.outputEmbeddings?.() ?? backbone.inputEmbeddings().weight;
    if (w.shape[0] !== this.vocabSize)
      throw new ShapeError(`causal-lm: the backbone's LM head has ${w.shape[0]} rows, the head's vocabulary ${this.vocabSize}`);
    this.#weight = w;
  }

  forward(encoded: EncoderOutputs): Tensor {
    const w = this.#weight;
    if (w === undefined)
      throw new ConfigError('causal-lm: the LM head is not tied to the word embeddings; call head.tieTo(backbone) first');
    return linear(encoded.lastHiddenState, w); // (B, T, V)
  }

  /** This head as the decoding loop's LM head (`causalLmDecoder`): hidden states (…, H) → logits (…, V). */
  asLmHead(): LmHead {
    return (h) => this.forward({ lastHiddenState: h });
  }
}

function checkLogits(logits: Tensor, batch: Batch, name: string): void {
  const s = logits.shape;
  const [B, T] = batch.inputIds.shape;
  if (s.length !== 3 || s[0] !== B || s[1] !== T)
    throw new ShapeError(`task '${name}': logits must be (B, T, V) with B, T = ${B}, ${T}, got [${s.join(', ')}]`);
}

/** logits (B, T, V) and labels (B, T) → the logits of positions 0…T−2 (B·(T−1), V) and the labels they predict, 1…T−1 (B·(T−1)). */
function shifted(logits: Tensor, labels: Tensor): [Tensor, Tensor] {
  const [B, T, V] = logits.shape as [number, number, number];
  return [logits.narrow(1, 0, T - 1).reshape([B * (T - 1), V]), labels.narrow(1, 1, T - 1).reshape([B * (T - 1)])];
}

/**
 * Mean next-token cross-entropy: the logits at t (B, T, V) against the labels at t + 1 (B, T), over the
 * labels that are not -100 (−Σ ln p / count); 0, still differentiable, when there are none.
 * @param labelSmoothing ε of label smoothing (Szegedy et al., CVPR 2016, §7; torch's `label_smoothing`), default 0.
 */
export function nextTokenLoss(logits: Tensor, labels: Tensor, labelSmoothing = 0): Tensor {
  return tidy(() => {
    const [x, y] = shifted(logits, labels);
    const total = crossEntropy(x, y, { reduction: 'sum', labelSmoothing }); // ignores -100
    return total.div(clamp(y.ne(IGNORE_INDEX).sum(), 1));
  });
}

/**
 * Each row's next-token scores (Σ −ln p, tokens, argmax hits) over its labels that are not -100, as
 * `nextTokenLoss` counts them; one per feature, in row order.
 * @param logits (B, T, V); labels (B, T).
 */
export function nextTokenScores(logits: Tensor, labels: Tensor, features: readonly Features[]): TargetScores[] {
  const B = features.length;
  const [nll, correct, count] = tidy(() =>
    noGrad(() => {
      const [x, y] = shifted(logits, labels); // (B·(T−1), V), (B·(T−1))
      const real = y.ne(IGNORE_INDEX);
      const lp = logSoftmax(x, -1);
      const target = lp.gather(-1, clamp(y, 0).unsqueeze(-1)).squeeze(-1).mul(real); // ln p(target), 0 on padding
      const hit = lp.argmax(-1).eq(y).logicalAnd(real);
      const rows = (t: Tensor) => t.to('float64').reshape([B, -1]).sum(1).toArray() as number[];
      return [rows(target.neg()), rows(hit), rows(real)];
    }),
  ) as [number[], number[], number[]];
  return features.map((f, i) => ({ exampleIndex: f.exampleIndex, targetTokens: count[i]!, nll: nll[i]!, correct: correct[i]! }));
}

export const causalLm: TaskType<CausalLmExample, CausalLmPrediction, CausalLmOptions> = {
  kind: CAUSAL_LM,
  // a text read as masked-LM reads it (self-supervised: WordNet glosses, corpus lines); its own collation
  inputs: ['masked-text'],
  sharesEncoderPass: false,
  formats: ['text', 'csv', 'tsv', 'jsonl', 'wordnet'],
  readsLabel: false,
  labelSpace: 'none',
  mainMetric: { name: 'accuracy', greaterIsBetter: true },

  resolveOptions(raw = {}) {
    rejectUnknownOptions(CAUSAL_LM, raw, []);
    return {};
  },

  collectLabels() {
    return [...CAUSAL_LM_LABELS];
  },

  /** The family's language-model class (`GPT2LMHeadModel`, `LlamaForCausalLM`). */
  exportHf() {
    return { head: 'CausalLM', config: {} };
  },

  createHead(backbone, spec) {
    const V = (backbone as { vocabSize?: number }).vocabSize;
    if (typeof V !== 'number')
      throw new ConfigError(`task '${spec.name}': the causal-LM head needs the backbone's vocabSize; pass its full config`);
    return new CausalLmHead(V);
  },

  async featurize(examples, tokenizer: Tokenizer, _spec, options): Promise<FeaturizeResult> {
    const encodings = await tokenizer.encodeBatch(examples.map((e) => e.text));
    let truncated = 0;
    const features = encodings.map((full, i): Features => {
      const e = truncateEncoding(full, options.maxLength);
      if (e.truncated) truncated++;
      return { exampleIndex: i, inputIds: e.inputIds, tokenTypeIds: e.tokenTypeIds, truncated: e.truncated };
    });
    return { features, truncated };
  },

  collate({ spec }, features, inputs) {
    if (inputs !== undefined) throw new ConfigError(`task '${spec.name}': causal-lm collates its own inputs`);
    checkFeatures(features, `collate '${spec.name}'`);
    const padded = padInputs(features);
    const labels = paddedInt64(features.length, longest(features), IGNORE_INDEX, (i) => (features[i] as Features).inputIds); // (B, T)
    return { ...padded, labels, features };
  },

  /** Mean next-token cross-entropy over the real target tokens; 0 (still differentiable) when a batch has none. */
  loss({ spec }, logits, batch) {
    const labels = batch.labels;
    if (labels === undefined) throw new ConfigError(`task '${spec.name}': the batch has no labels, so no loss; collate it with causal-lm`);
    checkLogits(logits, batch, spec.name);
    return nextTokenLoss(logits, labels);
  },

  decode({ spec }, logits, batch, examples) {
    checkLogits(logits, batch, spec.name);
    const labels = batch.labels;
    if (labels === undefined) throw new ConfigError(`task '${spec.name}': decoding needs the batch's labels`);
    for (const f of batch.features) exampleOf(examples, f);
    return nextTokenScores(logits, labels, batch.features);
  },

  evaluate(predictions, gold, spec): Metrics {
    return causalLmMetrics(inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`));
  },
};

/**
 * Next-token accuracy and perplexity = exp(Σ −ln p / Σ tokens), pooled over every target token of
 * every prediction; `targetTokens` is the count (with none: accuracy 0, perplexity NaN).
 */
export function causalLmMetrics(predictions: readonly CausalLmPrediction[]): Metrics {
  return tokenScoreMetrics(predictions);
}
