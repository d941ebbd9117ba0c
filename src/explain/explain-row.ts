/**
 * The attributions of one input's explained outputs to its tokens, by two methods: integrated
 * gradients on the word embeddings (./integrated-gradients.ts) and attention rollout
 * (./attention-rollout.ts), both from ONE batch of m + 1 rows through the model: the points of the
 * integration path, whose last row (α = 1) is the input itself and gives the attention probabilities.
 *
 * The baseline x' keeps the input's special tokens ([CLS], [SEP]) and puts the [PAD] token's embedding
 * ('pad', the default) or a zero vector ('zero') at every other position; positions, segments and the
 * attention mask stay the input's (`Embedding`'s output hook on `Backbone.inputEmbeddings()` replaces
 * the word embeddings only, before the family adds position and segment embeddings and normalises). Special tokens therefore get attribution 0 by
 * construction, and the text's tokens share all of F(x) − F(x').
 */
import { ConfigError } from '../errors.js';
import { dispose, tensor, tidy, zeros, type Tensor } from '../tensor/index.js';
import type { Backbone, ModelInputs } from '../models/backbone.js';
import { recordAttentions } from '../models/attention-probe.js';
import type { ExplanationTarget } from '../tasks/index.js';
import { attentionRollout } from './attention-rollout.js';
import { integratedGradients, type IntegratedGradientsResult } from './integrated-gradients.js';
import type { IgBaseline, IntegrationRule } from './choices.js';

export interface ExplainSettings {
  /** m, steps of the integration path (m + 1 rows run through the model). */
  readonly steps: number;
  readonly rule: IntegrationRule;
  readonly baseline: IgBaseline;
}

/** A model as the explanation sees it: its backbone (for the embedding hook) and a task head's logits. */
export interface ExplainedModel {
  /** An encoder or decoder in evaluation mode. */
  readonly backbone: Backbone;
  /** inputs (B, T) → the task head's logits (B, …): `MultiTaskModel.forward(inputs, [task]).get(task)`. */
  logits(inputs: ModelInputs): Tensor;
}

/** One input row, as its feature has it. */
export interface ExplainedRow {
  /** (T) token ids, special tokens included. */
  readonly inputIds: readonly number[];
  /** (T) segment ids; absent: all 0. */
  readonly tokenTypeIds?: readonly number[];
  /** (T) true at the special tokens the baseline keeps. */
  readonly special: readonly boolean[];
}

/** The explanations of K outputs of one row over its T tokens. */
export interface RowExplanation {
  readonly integratedGradients: IntegratedGradientsResult;
  /**
   * (K, T) attention rollout: the share of each input token in the tokens each output is read from
   * (rows sum to 1); null when the backbone recorded no attention probabilities.
   */
  readonly rollout: number[][] | null;
}

/**
 * Integrated gradients and attention rollout of `targets` (logits of one row of the head's output) over the row's tokens.
 * An encoder-decoder backbone (t5, bart) is explained when the head reads its encoder alone (a
 * classification head on T5's encoder states): the word embeddings are then looked up once a pass.
 * @throws ConfigError for a head whose pass looks the word embeddings up more than once (one that also
 *   runs a decoder, whose inputs share the table), or the 'pad' baseline on a backbone without a padding token.
 */
export function explainRow(
  model: ExplainedModel,
  row: ExplainedRow,
  targets: readonly ExplanationTarget[],
  settings: ExplainSettings,
): RowExplanation {
  const { backbone } = model;
  const padId = backbone.config.padTokenId;
  if (settings.baseline === 'pad' && padId === null)
    throw new ConfigError(
      `the 'pad' baseline needs a padding token, which this ${backbone.config.modelType} model has not; use the 'zero' baseline`,
    );
  const T = row.inputIds.length;
  let attentions: Tensor[] = [];
  try {
    return tidy(() => {
      const inputIds = tensor([row.inputIds as number[]], { dtype: 'int64' }); // (1, T)
      const tokenTypeIds = row.tokenTypeIds && tensor([row.tokenTypeIds as number[]], { dtype: 'int64' });
      const table = backbone.inputEmbeddings();
      const input = table.forward(inputIds).select(0, 0).detach(); // x, (T, H)
      const H = input.shape[1] as number;
      const keep = tensor(
        row.special.map((s) => (s ? 1 : 0)),
        { dtype: input.dtype },
      ).view([T, 1]); // 1 at special tokens
      const fill =
        settings.baseline === 'pad' ? table.weight.select(0, padId!).detach().view([1, H]) : zeros([1, H], { dtype: input.dtype });
      const baseline = input.mul(keep).add(fill.mul(keep.neg().add(1))); // x', (T, H)
      const flat = targets.map((t) => t.logit);
      const forward = (points: Tensor): Tensor => {
        const n = points.shape[0] as number;
        const inputs: ModelInputs = {
          inputIds: inputIds.expand([n, T]),
          ...(tokenTypeIds === undefined ? {} : { tokenTypeIds: tokenTypeIds.expand([n, T]) }),
        };
        // the word-embedding lookup of the pass returns the path's points instead (Embedding's output hook)
        let lookups = 0;
        const recorded = table.withOutputHook(
          () => {
            if (++lookups > 1) throw decoderLookup(backbone);
            return points.clone();
          },
          () => recordAttentions(() => model.logits(inputs)),
        );
        attentions = recorded.attentions;
        return selectLogits(recorded.result, flat); // (n, K)
      };
      const integrated = integratedGradients(forward, input, baseline, settings);
      const last = attentions.map((a) => a.narrow(0, a.shape[0]! - 1, 1)); // α = 1: the input itself, (1, nh, T, T)
      const rollout = attentions.length === 0 ? undefined : (attentionRollout(last).select(0, 0).toArray() as number[][]); // (T, T)
      return {
        integratedGradients: integrated,
        rollout: rollout === undefined ? null : targets.map((t) => rolloutOf(rollout, t.readsTokens)),
      };
    });
  } finally {
    dispose(attentions);
  }
}

/** A head whose pass reads the word embeddings twice: the input's path points would also feed its decoder. */
function decoderLookup(backbone: Backbone): ConfigError {
  return new ConfigError(
    `explanations attribute a head's output to the input's word embeddings, looked up once a pass; this head's pass looks them up again ` +
      `(the ${backbone.config.modelType} decoder's inputs share the table), so its output is not explained. Heads that read the encoder alone are`,
  );
}

/** (n, K): column k is each row's logit at position `logits[k]` of the row's shape. */
function selectLogits(logits: Tensor, positions: readonly (readonly number[])[]): Tensor {
  const rowShape = logits.shape.slice(1);
  const flat = positions.map((p) => {
    if (p.length !== rowShape.length || p.some((i, d) => !(Number.isInteger(i) && i >= 0 && i < rowShape[d]!)))
      throw new ConfigError(`an explained logit at [${p}] is outside the head's output row of shape [${rowShape}]`);
    return p.reduce((at, i, d) => at * rowShape[d]! + i, 0);
  });
  return logits.reshape([logits.shape[0]!, -1]).indexSelect(1, tensor(flat, { dtype: 'int64' }));
}

/** The mean of the rollout's rows `reads`, (T). */
function rolloutOf(rollout: number[][], reads: readonly number[]): number[] {
  return rollout[0]!.map((_, j) => reads.reduce((s, r) => s + rollout[r]![j]!, 0) / reads.length);
}
