/**
 * Sequence-to-sequence as text to text (Sutskever et al., NeurIPS 2014; Raffel et al., JMLR 2020, T5
 * §2.4): a source text, optionally behind a task prefix ("translate English to German: "), is encoded;
 * the decoder is trained by teacher forcing to produce the target text, cross-entropy on the target
 * tokens only (./text-to-text.ts). Several seq2seq tasks with different prefixes train one model with
 * the run's sampler: T5's text-to-text multi-task learning. Encoder-decoder backbones (t5, bart, marian),
 * or decoder-only ones (gpt2, llama): there the source becomes a prompt and the target its continuation
 * in one sequence, the prompt masked from the loss (./seq2seq-decoder.ts); `decoder_only` records
 * which, set from the model's family when a run starts (`completeWithBackbone`).
 *
 * Data: csv, tsv or jsonl with the source in `input.text` and the target in `label.field`; `parallel`
 * files (line i of `<stem>.<input.text>` translates line i of `<stem>.<label.field>`); `dailydialog` files
 * (each turn after the first a target, the turns before it its source; ../data/readers/dailydialog.ts). In jsonl the
 * source may be a list of sentences (joined with spaces) and the target a list of references
 * (SciTLDR's 1–4 TL;DRs per paper): training teaches the first, evaluation scores against all of them.
 *
 * Evaluation generates each dev/test target (greedy, or beam search with `num_beams`; at most
 * `max_new_tokens`) and scores the texts with the task's `metrics`, all from src/metrics: sacreBLEU's
 * corpus BLEU and chrF, rouge-score's ROUGE-1/2/L (F1), SQuAD's exact match and F1, and distinct-1/2
 * of the generated texts (dialogue's diversity measure; no reference). Scores are
 * fractions (BLEU 0.3512 is sacreBLEU's 35.12). The first metric listed is the main one. With several
 * references each metric takes them as its reference implementation does: BLEU's n-gram clipping
 * against the most matches in any reference and the closest reference length, chrF's best reference
 * per segment, ROUGE's best F1 per example and type (rouge-score's `score_multi`), SQuAD's best answer.
 */
import { detokenize, formatPosition, type SourcePosition } from '../data/index.js';
import { ConfigError, DataError } from '../errors.js';
import { corpusBleu, corpusChrf, corpusRouge, distinctN, squadScores, tokenize13a } from '../metrics/index.js';
import type { GenerateOptions } from '../generate/index.js';
import type { Encoding, Tokenizer } from '../tokenization/index.js';
import { CausalLmHead } from './causal-lm.js';
import { exampleOf, inGoldOrder, truncateEncoding, type TruncationSide } from './features.js';
import { booleanOption, numberOption, OptionError, rejectUnknownOptions } from './options.js';
import {
  collatePromptTarget,
  generateFromPrompts,
  promptTargetFeatures,
  promptTargetLoss,
  promptTargetScores,
  type PromptTargetFeatures,
} from './seq2seq-decoder.js';
import {
  collateTextToText,
  encoderDecoderOf,
  generateTargets,
  targetIds,
  targetScores,
  textIds,
  textToTextLoss,
  textToTextHead,
  type TextToTextHead,
  tokenScoreMetrics,
  type TargetScores,
  type TextToTextFeatures,
} from './text-to-text.js';
import { splitWord, type FeaturizeResult, type MainMetric, type Metrics, type TaskType } from './types.js';

export const SEQ2SEQ = 'seq2seq';

/** A seq2seq task has no label list (its outputs are texts); a spec needs a non-empty one. */
export const SEQ2SEQ_LABELS: readonly string[] = ['[text]'];

/** The metric families a seq2seq task can report. */
export const SEQ2SEQ_METRICS = ['bleu', 'chrf', 'rouge', 'squad', 'distinct'] as const;
export type Seq2seqMetric = (typeof SEQ2SEQ_METRICS)[number];

/** A source text and its target (the reader's `label`); the target is absent for prediction. */
export interface Seq2seqExample {
  readonly id: string;
  readonly text: string;
  /** The target that training teaches (with several references, the first). */
  readonly label?: string;
  /** Every reference evaluation scores against, `label` first; absent: `label` alone. */
  readonly references?: readonly string[];
  readonly source: SourcePosition;
}

export interface Seq2seqOptions {
  /** Put before every source text (T5's task prefixes, "translate English to German: "); default ''. */
  readonly prefix: string;
  /** Most target tokens, the end token included (longer targets are cut; default 128). */
  readonly maxTargetLength: number;
  /** Metric families of evaluation, the first the main one (default ['bleu']). */
  readonly metrics: readonly Seq2seqMetric[];
  /** Beams of evaluation and prediction (1 = greedy; default 1). */
  readonly numBeams: number;
  /** Most tokens generated per target (default: maxTargetLength). */
  readonly maxNewTokens: number;
  /** Beam search's length penalty exponent (default 1). */
  readonly lengthPenalty: number;
  /** No n-gram of this size twice in a generated target (0 = off; default 0). */
  readonly noRepeatNgramSize: number;
  /** Label smoothing ε of the training loss (default 0). */
  readonly labelSmoothing: number;
  /** Lowercase hypotheses and references before BLEU and chrF (default false). */
  readonly lowercaseMetrics: boolean;
  /** Which end of a source longer than the run's max_length loses tokens: 'right' (default) or 'left' (a dialogue context keeps its latest turns). */
  readonly truncationSide: TruncationSide;
  /** Porter-stem words of more than 3 letters before ROUGE (rouge-score's `use_stemmer`; default false). */
  readonly rougeStemmer: boolean;
  /**
   * Undo the spaces a WordPiece decode puts around punctuation in generated text (`I ' m fine , thanks .`
   * → `I'm fine, thanks.`; ../data/detokenize.ts) before it is scored, printed or served; for targets
   * written as normal text (dailydialog data with `detokenize: true`). Default false.
   */
  readonly detokenize: boolean;
  /**
   * Whether the backbone is a decoder (gpt2, llama): prompt and target in one sequence
   * (./seq2seq-decoder.ts) rather than a source for the encoder and a target for the decoder. Set from
   * the model's family when a run starts; default false (encoder-decoder, as checkpoints before it).
   */
  readonly decoderOnly: boolean;
  /**
   * The token that ends a target (and, on a decoder, a prompt); null (default): the special token the
   * tokenizer puts after a text (BERT's `[SEP]`, T5's `</s>`). A tokenizer that adds none (GPT-2's,
   * Llama's) needs it: `<|endoftext|>`, `</s>`.
   */
  readonly endToken: string | null;
}

/** One example's generated target (evaluation, prediction), or its teacher-forced scores (`decode`). */
export interface Seq2seqPrediction {
  readonly exampleIndex: number;
  /** The generated text (special tokens skipped). Absent for teacher-forced scores. */
  readonly text?: string;
  readonly targetTokens?: number;
  readonly nll?: number;
  readonly correct?: number;
}

const OPTION_KEYS = [
  'prefix',
  'maxTargetLength',
  'metrics',
  'numBeams',
  'maxNewTokens',
  'lengthPenalty',
  'noRepeatNgramSize',
  'labelSmoothing',
  'lowercaseMetrics',
  'truncationSide',
  'rougeStemmer',
  'detokenize',
  'decoderOnly',
  'endToken',
];

const MAIN_METRIC: Record<Seq2seqMetric, string> = { bleu: 'bleu', chrf: 'chrf', rouge: 'rougeL', squad: 'f1', distinct: 'distinct2' };

function metricsOption(raw: Readonly<Record<string, unknown>>): Seq2seqMetric[] {
  const v = raw.metrics ?? ['bleu'];
  const ok = Array.isArray(v) && v.length > 0 && v.every((m) => (SEQ2SEQ_METRICS as readonly unknown[]).includes(m));
  if (!ok || new Set(v as unknown[]).size !== (v as unknown[]).length)
    throw new OptionError(
      SEQ2SEQ,
      'metrics',
      `must be a non-empty list of distinct names among ${SEQ2SEQ_METRICS.join(', ')}, got ${JSON.stringify(v)}`,
    );
  return v as Seq2seqMetric[];
}

/**
 * The error for an example without target text, naming its file:line and split: a training target
 * teaches the model what to write, a dev or test target is what its text is scored against.
 */
function untargetedError(e: Seq2seqExample, task: string, split: string): DataError {
  const what = e.label === undefined ? 'no target' : 'an empty target';
  const why =
    split === 'training'
      ? 'a training target must have text (an empty one would teach the model to write nothing)'
      : `every ${split} example needs a target to score the generated text against`;
  return new DataError(
    `${formatPosition(e.source)}: the ${split} example of task '${task}' has ${what}; ${why}: fill it in or leave the row out`,
  );
}

/** The id that ends a target: the `endToken` option's token, else the last special token the tokenizer puts after the source. */
function endTokenIdOf(o: Seq2seqOptions, tokenizer: Tokenizer, source: Encoding, task: string): number {
  if (o.endToken === null) {
    const { end } = textIds(source);
    if (end === undefined)
      throw new ConfigError(
        `task '${task}': the tokenizer adds no special token after a text, so a target has no end token; name one in the task's end_token option (GPT-2's '<|endoftext|>', Llama's '</s>') or use a tokenizer that adds one (T5's </s>, BERT's [SEP])`,
      );
    return end;
  }
  const id = tokenizer.tokenToId(o.endToken);
  if (id === null) throw new ConfigError(`task '${task}': end_token ${JSON.stringify(o.endToken)} is not a token of the vocabulary`);
  return id;
}

function truncationSideOption(raw: Readonly<Record<string, unknown>>): TruncationSide {
  const v = raw.truncationSide ?? 'right';
  if (v !== 'right' && v !== 'left')
    throw new OptionError(SEQ2SEQ, 'truncationSide', `must be 'right' or 'left', got ${JSON.stringify(v)}`);
  return v;
}

/** The decoding options of a task's evaluation and prediction. */
function seq2seqGenerateOptions(o: Seq2seqOptions): GenerateOptions {
  return {
    maxNewTokens: o.maxNewTokens,
    numBeams: o.numBeams,
    lengthPenalty: o.lengthPenalty,
    noRepeatNgramSize: o.noRepeatNgramSize,
    ...(o.numBeams > 1 ? { earlyStopping: true } : {}),
  };
}

/** How `seq2seqMetrics` scores: lowercasing for BLEU and chrF, stemming for ROUGE (both default false). */
export interface Seq2seqMetricOptions {
  readonly lowercase?: boolean;
  readonly rougeStemmer?: boolean;
}

/**
 * The metrics of generated texts against their references: `bleu`, `chrf` (fractions of sacreBLEU's
 * 0–100 scores), `rouge1`, `rouge2`, `rougeL` (F1; with several references the best per example and
 * type), `exactMatch`, `f1` (SQuAD normalisation), `distinct1`, `distinct2` (of the hypotheses alone,
 * over their sacreBLEU 13a tokens: "sir." and the pre-tokenized "sir ." count the same words;
 * `lowercase` applies too).
 * @param references references[i] = the references of hypotheses[i] (1 or more).
 * @throws ShapeError (from src/metrics) when a hypothesis has no reference.
 * @example seq2seqMetrics(['a b'], [['a c', 'a b']], ['rouge']).rouge1 // 1 (the second reference)
 */
export function seq2seqMetrics(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  metrics: readonly Seq2seqMetric[],
  options: Seq2seqMetricOptions = {},
): Metrics {
  const lowercase = options.lowercase ?? false;
  const out: Metrics = {};
  if (hypotheses.length === 0) return out;
  for (const m of metrics) {
    if (m === 'bleu') out.bleu = corpusBleu(hypotheses, references, { lowercase }).score / 100;
    if (m === 'chrf') out.chrf = corpusChrf(hypotheses, references, { lowercase }).score / 100;
    if (m === 'rouge') {
      const r = corpusRouge(hypotheses, references, { types: ['rouge1', 'rouge2', 'rougeL'], useStemmer: options.rougeStemmer ?? false });
      for (const t of ['rouge1', 'rouge2', 'rougeL']) out[t] = r[t]!.fmeasure;
    }
    if (m === 'distinct') {
      const tokens = hypotheses.map((h) =>
        tokenize13a(lowercase ? h.toLowerCase() : h)
          .split(' ')
          .filter((w) => w !== ''),
      );
      out.distinct1 = distinctN(tokens, 1);
      out.distinct2 = distinctN(tokens, 2);
    }
    if (m === 'squad') Object.assign(out, squadScores(hypotheses, references));
  }
  return out;
}

export const seq2seq: TaskType<Seq2seqExample, Seq2seqPrediction, Seq2seqOptions> = {
  kind: SEQ2SEQ,
  inputs: ['text'],
  sharesEncoderPass: false,
  groupsByLength: false,
  formats: ['csv', 'tsv', 'jsonl', 'parallel', 'dailydialog'],
  readsLabel: true,
  readsReferences: true,
  labelSpace: 'none',
  mainMetric: { name: 'bleu', greaterIsBetter: true },

  mainMetricFor(o): MainMetric {
    return { name: MAIN_METRIC[o.metrics[0]!], greaterIsBetter: true };
  },

  resolveOptions(raw = {}) {
    const where = SEQ2SEQ;
    rejectUnknownOptions(where, raw, OPTION_KEYS);
    const prefix = raw.prefix ?? '';
    if (typeof prefix !== 'string') throw new OptionError(where, 'prefix', `must be a string, got ${JSON.stringify(prefix)}`);
    const maxTargetLength = numberOption(where, raw, 'maxTargetLength', 128, 2, true);
    const labelSmoothing = numberOption(where, raw, 'labelSmoothing', 0, 0);
    if (labelSmoothing >= 1) throw new OptionError(where, 'labelSmoothing', `must be in [0, 1), got ${labelSmoothing}`);
    const endToken = raw.endToken ?? null;
    if (endToken !== null && (typeof endToken !== 'string' || endToken === ''))
      throw new OptionError(where, 'endToken', `must be a token (a non-empty string), got ${JSON.stringify(endToken)}`);
    return {
      prefix,
      maxTargetLength,
      metrics: metricsOption(raw),
      numBeams: numberOption(where, raw, 'numBeams', 1, 1, true),
      maxNewTokens: numberOption(where, raw, 'maxNewTokens', maxTargetLength, 1, true),
      lengthPenalty: numberOption(where, raw, 'lengthPenalty', 1, -Infinity),
      noRepeatNgramSize: numberOption(where, raw, 'noRepeatNgramSize', 0, 0, true),
      labelSmoothing,
      lowercaseMetrics: booleanOption(where, raw, 'lowercaseMetrics', false),
      truncationSide: truncationSideOption(raw),
      rougeStemmer: booleanOption(where, raw, 'rougeStemmer', false),
      detokenize: booleanOption(where, raw, 'detokenize', false),
      decoderOnly: booleanOption(where, raw, 'decoderOnly', false),
      endToken,
    };
  },

  /** Records whether the model is a decoder (one sequence per example) or an encoder-decoder; refuses an encoder, which cannot write a target. */
  completeWithBackbone(o, kind) {
    if (kind === 'encoder')
      throw new ConfigError(
        `a seq2seq task writes its target, which an encoder (bert, roberta, …) cannot do; use an encoder-decoder (t5, bart, marian) or a decoder (gpt2, llama) as encoder.model_type or encoder.from`,
      );
    return { ...o, decoderOnly: kind === 'decoder' };
  },

  collectLabels() {
    return [...SEQ2SEQ_LABELS];
  },

  /** The target: the model writes it, so a learned vocabulary must hold its words (Multi30k's German). */
  vocabularyTexts: (e) => (e.label === undefined ? [] : [e.label]),

  /**
   * The family's language-model class (`T5ForConditionalGeneration`, `BartForConditionalGeneration`,
   * `MarianMTModel`); the prefix as config.json's `prefix` (which Transformers' text2text pipelines put
   * before each input) and the decoding options as generation_config.json's.
   */
  exportHf(spec) {
    const o = spec.options;
    const config: Record<string, string> = o.prefix === '' ? {} : { prefix: o.prefix };
    return { head: o.decoderOnly ? 'CausalLM' : 'Seq2SeqLM', config, generation: seq2seqGenerateOptions(o) };
  },

  /** An encoder-decoder's own LM head (./text-to-text.ts); on a decoder, the LM head tied to the word embeddings (as causal-lm's). */
  createHead(backbone, spec) {
    if (!spec.options.decoderOnly) return textToTextHead(backbone, spec.name);
    const V = (backbone as { vocabSize?: number }).vocabSize;
    if (typeof V !== 'number')
      throw new ConfigError(`task '${spec.name}': the LM head needs the backbone's vocabSize; pass its full config`);
    return new CausalLmHead(V);
  },

  async featurize(examples, tokenizer: Tokenizer, spec, options): Promise<FeaturizeResult> {
    const o = spec.options;
    const sources = await tokenizer.encodeBatch(examples.map((e) => o.prefix + e.text));
    const labelled = examples.every((e) => e.label !== undefined);
    // A training target must have text: an empty cell (a blank answer column) would teach "answer nothing";
    // a dev or test target is what the generated text is scored against.
    const untargeted = options.training === false ? undefined : examples.find((x) => x.label === undefined || x.label.trim() === '');
    if (untargeted !== undefined) throw untargetedError(untargeted, spec.name, splitWord(options));
    const targets = labelled ? await tokenizer.encodeBatch(examples.map((e) => e.label!)) : [];
    const ends = sources.map((s) => endTokenIdOf(o, tokenizer, s, spec.name));
    if (o.decoderOnly)
      return promptTargetFeatures(sources, labelled ? targets : undefined, ends, { ...o, maxLength: options.maxLength }, spec.name);
    let truncated = 0; // sources cut to max_length
    let truncatedTargets = 0; // targets cut to max_target_length
    const features = sources.map((full, i): TextToTextFeatures => {
      const endTokenId = ends[i]!;
      const source = truncateEncoding(full, options.maxLength, o.truncationSide);
      const target = labelled ? targetIds(targets[i]!, endTokenId, o.maxTargetLength) : undefined;
      if (source.truncated) truncated++;
      if (target?.truncated === true) truncatedTargets++;
      const cut = source.truncated || (target?.truncated ?? false);
      return { exampleIndex: i, inputIds: source.inputIds, truncated: cut, endTokenId, ...(target ? { labels: target.ids } : {}) };
    });
    return { features, truncated, truncatedTargets };
  },

  collate({ spec }, features) {
    const where = `collate '${spec.name}'`;
    if (spec.options.decoderOnly) return collatePromptTarget(features as readonly PromptTargetFeatures[], where);
    return collateTextToText(features as readonly TextToTextFeatures[], where);
  },

  loss({ spec }, logits, batch) {
    const o = spec.options;
    if (o.decoderOnly) return promptTargetLoss(logits, batch, spec.name, o.labelSmoothing);
    return textToTextLoss(logits, batch, spec.name, o.labelSmoothing);
  },

  /** Teacher-forced scores (what the model gives each gold target token); generated texts come from `generate`. */
  decode({ spec }, logits, batch, examples) {
    for (const f of batch.features) exampleOf(examples, f);
    if (spec.options.decoderOnly) return promptTargetScores(logits, batch, spec.name);
    return targetScores(logits, batch, spec.name);
  },

  /** Evaluation scores the generated texts (BLEU, ROUGE, chrF), not `decode`'s teacher-forced scores. */
  labelledScoring() {
    return 'generated';
  },

  /** Each row's target, generated from its source (on a decoder: continuing its prompt; the prompt is not in the text). */
  async generate({ task, backbone, tokenizer, batch, examples }) {
    for (const f of batch.features) exampleOf(examples, f);
    const options = seq2seqGenerateOptions(task.spec.options);
    const name = task.spec.name;
    const made = task.spec.options.decoderOnly
      ? await generateFromPrompts(backbone, task.head as CausalLmHead, tokenizer, batch, options)
      : await generateTargets(encoderDecoderOf(backbone, name), task.head as TextToTextHead, tokenizer, batch, options);
    const text = task.spec.options.detokenize ? detokenize : (t: string) => t;
    return made.map((m, i) => ({ exampleIndex: batch.features[i]!.exampleIndex, text: text(m.text) }));
  },

  evaluate(predictions, gold, spec): Metrics {
    const ordered = inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`);
    const scored = ordered.filter((p) => p.text === undefined);
    if (scored.length === ordered.length) return tokenScoreMetrics(ordered as TargetScores[]);
    const texts = ordered.map((p) => p.text ?? '');
    const references = gold.map((g) => g.references ?? [g.label ?? '']);
    const o = spec.options;
    return seq2seqMetrics(texts, references, o.metrics, { lowercase: o.lowercaseMetrics, rougeStemmer: o.rougeStemmer });
  },

  /**
   * Each example's generated text beside its source and reference, in data order (`mtl eval --report
   * FILE` writes it: the outputs behind the metrics, for samples and re-scoring subsets).
   */
  report(predictions, gold, spec) {
    const ordered = inGoldOrder(predictions, gold.length, `report '${spec.name}'`);
    const outputs = ordered.map((p, i) => {
      const g = gold[i]!;
      return { id: g.id, source: g.text, reference: g.label ?? null, output: p.text ?? null };
    });
    return { outputs };
  },

  present(p) {
    return { text: p.text ?? '' };
  },
};
