/**
 * An explanation as `mtl predict --explain` prints it (plain JSON): the tokens and words of the input
 * with their character offsets, and for each explained output its integrated-gradients attributions
 * (with F(x), F(x′) and the completeness gap) and its attention rollout, per token and per word (the
 * sum over a word's tokens: both are additive). Numbers keep 6 significant digits.
 */
import type { JsonObject } from '../io/checkpoint-state.js';
import type { ExplanationTarget } from '../tasks/index.js';
import type { ExplainSettings, RowExplanation } from './explain-row.js';
import type { TokenLayout } from './token-layout.js';

const round = (x: number): number => Number(x.toPrecision(6));

/** Per-token values summed over each word's tokens. */
const perWord = (layout: TokenLayout, values: readonly number[]): number[] =>
  layout.words.map((w) => round(w.tokens.reduce((s, t) => s + values[t]!, 0)));

/** The JSON of one prediction's explanation. */
export function presentExplanation(
  layout: TokenLayout,
  targets: readonly ExplanationTarget[],
  explanation: RowExplanation,
  settings: ExplainSettings,
): JsonObject {
  const ig = explanation.integratedGradients;
  const pair = layout.words.some((w) => w.sequence === 1);
  const where = (sequence: 0 | 1 | null): JsonObject => (pair && sequence !== null ? { text: sequence === 1 ? 'text_pair' : 'text' } : {});
  return {
    integrated_gradients: {
      baseline: settings.baseline,
      steps: settings.steps,
      rule: settings.rule,
      embeddings: 'word embeddings, summed over H',
    },
    tokens: layout.tokens.map((t): JsonObject => ({ token: t.token, start: t.start, end: t.end, word: t.word, ...where(t.sequence) })),
    words: layout.words.map((w): JsonObject => ({ word: w.word, start: w.start, end: w.end, ...where(w.sequence) })),
    targets: targets.map((target, k): JsonObject => {
      const attributions = ig.attributions[k]!;
      const rollout = explanation.rollout?.[k];
      return {
        label: target.label,
        ...(target.word === undefined ? {} : { word: target.word }),
        logit: round(ig.outputs[k]!),
        integrated_gradients: {
          baseline_logit: round(ig.baselineOutputs[k]!),
          completeness_gap: round(ig.completenessGaps[k]!),
          tokens: attributions.map(round),
          words: perWord(layout, attributions),
        },
        attention_rollout: rollout === undefined ? null : { tokens: rollout.map(round), words: perWord(layout, rollout) },
      };
    }),
  };
}
