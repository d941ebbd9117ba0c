/**
 * The `top_k` list of a classification's answer (Hugging Face's text-classification pipeline's
 * `top_k`): the k most probable labels with their scores, most probable first.
 */
import type { JsonObject } from '../io/checkpoint-state.js';

/**
 * The `k` labels of highest score, most probable first (ties: the earlier label first), as
 * `{ label, score }`; all labels when `k` exceeds their number.
 * @param scores (C) each label's probability, in label-list order.
 * @param labels (C) the label list.
 */
export function topLabels(scores: readonly number[], labels: readonly string[], k: number): JsonObject[] {
  const order = scores.map((_, c) => c).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return order.slice(0, k).map((c) => ({ label: labels[c] as string, score: scores[c] as number }));
}
