/**
 * Metrics of generated texts against references, for the task types that generate text: seq2seq's
 * targets (its `metrics` option) and chat's replies (its `reply_metrics` option). Each family is a
 * src/metrics implementation: sacreBLEU's corpus BLEU and chrF, rouge-score's ROUGE-1/2/L (F1), SQuAD's
 * exact match and token F1 (ParlAI's dialogue F1 is the same unigram F1 with SQuAD's normalisation),
 * and distinct-1/2 of the hypotheses (Li et al., NAACL 2016; dialogue's diversity measure, no reference).
 */
import { corpusBleu, corpusChrf, corpusRouge, distinctN, squadScores, tokenize13a } from '../metrics/index.js';
import { OptionError } from './options.js';
import type { Metrics } from './types.js';

/** The metric families of generated text. */
export const TEXT_METRICS = ['bleu', 'chrf', 'rouge', 'squad', 'distinct'] as const;
export type TextMetric = (typeof TEXT_METRICS)[number];

/** The metric each family reports first (`rouge` → rougeL, `squad` → f1, `distinct` → distinct2): a task's main metric when its family comes first. */
export const TEXT_METRIC_MAIN: Readonly<Record<TextMetric, string>> = {
  bleu: 'bleu',
  chrf: 'chrf',
  rouge: 'rougeL',
  squad: 'f1',
  distinct: 'distinct2',
};

/**
 * A task option listing metric families: distinct names among TEXT_METRICS, `fallback` when absent.
 * @param allowEmpty whether `[]` is valid (chat's reply metrics: none asked) or not (seq2seq's: the first is the main metric).
 * @throws OptionError naming the kind and the option.
 */
export function textMetricsOption(
  where: string,
  raw: Readonly<Record<string, unknown>>,
  key: string,
  fallback: readonly TextMetric[],
  allowEmpty: boolean,
): TextMetric[] {
  const v = raw[key] ?? fallback;
  const ok = Array.isArray(v) && (allowEmpty || v.length > 0) && v.every((m) => (TEXT_METRICS as readonly unknown[]).includes(m));
  if (!ok || new Set(v as unknown[]).size !== (v as unknown[]).length)
    throw new OptionError(
      where,
      key,
      `must be a ${allowEmpty ? '' : 'non-empty '}list of distinct names among ${TEXT_METRICS.join(', ')}, got ${JSON.stringify(v)}`,
    );
  return [...(v as TextMetric[])];
}

/** How `textMetrics` scores: lowercasing for BLEU, chrF and distinct-n, stemming for ROUGE (both default false). */
export interface TextMetricOptions {
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
 * @example textMetrics(['a b'], [['a c', 'a b']], ['rouge']).rouge1 // 1 (the second reference)
 */
export function textMetrics(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  metrics: readonly TextMetric[],
  options: TextMetricOptions = {},
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
