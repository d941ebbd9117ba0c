/**
 * Scoring generated texts against their references with the metric families a seq2seq task lists
 * (all from src/metrics), and the name of each family's main metric.
 */
import { corpusBleu, corpusChrf, corpusRouge, distinctN, squadScores, tokenize13a } from '../metrics/index.js';
import type { Seq2seqMetric } from './seq2seq-options.js';
import type { Metrics } from './types.js';

/** The metric a family's main figure is (ROUGE: ROUGE-L; SQuAD: F1; distinct: distinct-2). */
export const MAIN_METRIC: Record<Seq2seqMetric, string> = {
  bleu: 'bleu',
  chrf: 'chrf',
  rouge: 'rougeL',
  squad: 'f1',
  distinct: 'distinct2',
};

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
