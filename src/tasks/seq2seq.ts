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
import { detokenize } from '../data/index.js';
import { ConfigError } from '../errors.js';
import { CausalLmHead } from './causal-lm.js';
import { exampleOf, inGoldOrder } from './features.js';
import { collatePromptTarget, promptTargetLoss, promptTargetScores, type PromptTargetFeatures } from './seq2seq-decoder.js';
import { seq2seqFeatures, type Seq2seqExample } from './seq2seq-features.js';
import { writeTargets, type Seq2seqPrediction } from './seq2seq-generation.js';
import { TEXT_METRIC_MAIN, textMetrics } from './text-metrics.js';
import { resolveSeq2seqOptions, SEQ2SEQ, seq2seqGenerateOptions, type Seq2seqOptions } from './seq2seq-options.js';
import {
  collateTextToText,
  targetScores,
  textToTextLoss,
  textToTextHead,
  tokenScoreMetrics,
  type TargetScores,
  type TextToTextFeatures,
} from './text-to-text.js';
import type { MainMetric, Metrics, TaskType } from './types.js';

/** A seq2seq task has no label list (its outputs are texts); a spec needs a non-empty one. */
export const SEQ2SEQ_LABELS: readonly string[] = ['[text]'];

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
    return { name: TEXT_METRIC_MAIN[o.metrics[0]!], greaterIsBetter: true };
  },

  resolveOptions(raw = {}) {
    return resolveSeq2seqOptions(raw);
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

  featurize(examples, tokenizer, spec, options) {
    return seq2seqFeatures(examples, tokenizer, spec, options);
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
    const made = await writeTargets(task, backbone, tokenizer, batch, seq2seqGenerateOptions(task.spec.options));
    const text = task.spec.options.detokenize ? detokenize : (t: string) => t;
    return made.map((m, i) => ({ exampleIndex: batch.features[i]!.exampleIndex, text: text(m.text) }));
  },

  /** The generated texts as decoded (no `detokenize`), with `decoding` for the task's own decoding options: back-translation's. */
  async generateTexts({ task, backbone, tokenizer, batch, examples }, decoding) {
    for (const f of batch.features) exampleOf(examples, f);
    return (await writeTargets(task, backbone, tokenizer, batch, decoding)).map((m) => m.text);
  },

  evaluate(predictions, gold, spec): Metrics {
    const ordered = inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`);
    const scored = ordered.filter((p) => p.text === undefined);
    if (scored.length === ordered.length) return tokenScoreMetrics(ordered as TargetScores[]);
    const texts = ordered.map((p) => p.text ?? '');
    const references = gold.map((g) => g.references ?? [g.label ?? '']);
    const o = spec.options;
    return textMetrics(texts, references, o.metrics, { lowercase: o.lowercaseMetrics, rougeStemmer: o.rougeStemmer });
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
