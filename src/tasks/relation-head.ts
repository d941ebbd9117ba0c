/**
 * The relation classifier of Baldini Soares et al., "Matching the Blanks: Distributional Similarity
 * for Relation Learning" (ACL 2019), §3.2, variant (f) "entity markers — entity start": the input
 * holds marker tokens around both entities, and the relation representation is the concatenation
 * of the last hidden states at the two start markers, [h(<e1>); h(<e2>)] (2H), read by dropout and
 * one linear layer, parameters `classifier.weight` (C, 2H) and `classifier.bias` (C).
 *
 * A head sees the encoder's states but not where the markers are (those belong to the batch), so
 * the linear layer is split in two: the head scores EVERY token as entity 1's start with the
 * weight's first half (bias included) and as entity 2's start with its second half, (B, T, 2, C);
 * `relationLogits` then adds the two scores at the batch's marker positions. That is exactly
 * W·[h(<e1>); h(<e2>)] + b, and dropout on each token's state is dropout on the concatenation.
 */
import { Dropout } from '../nn/dropout.js';
import { Linear } from '../nn/linear.js';
import { linear, stack, tensor, tidy, type Tensor } from '../tensor/index.js';
import { ShapeError } from '../errors.js';
import { TaskHead, type EncoderConfig, type EncoderOutputs } from './types.js';

/** Dropout + Linear(2H → C) over the states at the two entity start markers (scored per token; see the file's comment). */
export class RelationClassificationHead extends TaskHead {
  readonly dropout: Dropout;
  /** weight (C, 2H): columns [0, H) read entity 1's start marker, [H, 2H) entity 2's; bias (C) */
  readonly classifier: Linear;

  constructor(encoder: EncoderConfig, numLabels: number, dropout: number) {
    super();
    this.dropout = this.registerModule('dropout', new Dropout(dropout));
    this.classifier = this.registerModule(
      'classifier',
      new Linear(2 * encoder.hiddenSize, numLabels, { initStd: encoder.initializerRange }),
    );
  }

  /** lastHiddenState (B, T, H) → (B, T, 2, C): each token's scores as entity 1's start ([:, :, 0], bias added) and as entity 2's ([:, :, 1]). */
  forward(encoded: EncoderOutputs): Tensor {
    return tidy(() => {
      const hidden = this.dropout.forward(encoded.lastHiddenState); // (B, T, H)
      const H = hidden.shape[2] as number;
      const w = this.classifier.weight; // (C, 2H)
      const asE1 = linear(hidden, w.narrow(1, 0, H), this.classifier.bias); // (B, T, C)
      const asE2 = linear(hidden, w.narrow(1, H, H)); // (B, T, C)
      return stack([asE1, asE2], 2); // (B, T, 2, C)
    });
  }
}

/**
 * The relation logits (B, C) from the head's token scores `scores` (B, T, 2, C) and each row's
 * entity start positions `starts` (B) of [entity 1's, entity 2's] token index:
 * `scores[b, starts[b][0], 0] + scores[b, starts[b][1], 1]`.
 * @throws ShapeError when the shapes disagree or a position is outside [0, T).
 */
export function relationLogits(scores: Tensor, starts: readonly (readonly [number, number])[]): Tensor {
  const [B, T, two, C] = scores.shape as [number, number, number, number];
  if (scores.shape.length !== 4 || two !== 2 || B !== starts.length)
    throw new ShapeError(`relation scores must be (B, T, 2, C) with B = ${starts.length} rows, got [${scores.shape.join(', ')}]`);
  const index = new BigInt64Array(B * 2 * C);
  starts.forEach(([p1, p2], b) => {
    if (!(p1 >= 0 && p1 < T && p2 >= 0 && p2 < T))
      throw new ShapeError(`row ${b}: entity start positions [${p1}, ${p2}] must lie in [0, ${T})`);
    // (B, 2T, C) view: token p's score as entity k's start is at row 2p + k
    for (let c = 0; c < C; c++) {
      index[(b * 2 + 0) * C + c] = BigInt(2 * p1);
      index[(b * 2 + 1) * C + c] = BigInt(2 * p2 + 1);
    }
  });
  return tidy(() => {
    const at = tensor(index, { device: scores.device }, [B, 2, C]); // (B, 2, C) int64
    return scores
      .reshape([B, 2 * T, C])
      .gather(1, at)
      .sum(1); // (B, C)
  });
}
