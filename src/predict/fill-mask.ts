/**
 * Filling in masked tokens with a model's masked-LM head (Hugging Face's fill-mask pipeline): each
 * `[MASK]` written in a text gets the `k` most probable vocabulary tokens with their probabilities.
 * Nothing is masked at random here; the text says where.
 */
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { padInputs, truncateEncoding } from '../tasks/index.js';
import { noGrad, select, softmax, tidy } from '../tensor/index.js';
import type { Tokenizer } from '../tokenization/index.js';

/** One candidate token for a masked position. */
export interface MaskFill {
  readonly token: string;
  readonly score: number;
}

/** The `k` largest entries of `probs` (ids and values), most probable first. */
function topK(probs: readonly number[], k: number): { id: number; p: number }[] {
  const best: { id: number; p: number }[] = [];
  probs.forEach((p, id) => {
    if (best.length < k || p > best[best.length - 1]!.p) {
      best.push({ id, p });
      best.sort((a, b) => b.p - a.p);
      if (best.length > k) best.pop();
    }
  });
  return best;
}

/**
 * For each text, for each of its `[MASK]` tokens in order, the `k` most probable tokens.
 * @param task the masked-LM task of `model` whose head is used.
 * @param maxLength tokens per text at most (longer texts are cut; masks cut off get no answer).
 */
export async function fillMask(
  model: MultiTaskModel,
  tokenizer: Tokenizer,
  task: string,
  texts: readonly string[],
  options: { k?: number; maxLength: number },
): Promise<MaskFill[][][]> {
  const k = options.k ?? 5;
  const encodings = (await tokenizer.encodeBatch(texts)).map((e) => truncateEncoding(e, options.maxLength));
  const maskId = tokenizer.maskId;
  const features = encodings.map((e, i) => ({
    exampleIndex: i,
    inputIds: e.inputIds,
    tokenTypeIds: e.tokenTypeIds,
    truncated: e.truncated,
  }));
  const rows = noGrad(() =>
    tidy(() => {
      const logits = model.forward(padInputs(features), [task]).get(task)!; // (B, T, V)
      return features.map((f, b) =>
        f.inputIds.flatMap((id, t) => (id === maskId ? [softmax(select(select(logits, 0, b), 0, t), -1).toArray() as number[]] : [])),
      );
    }),
  );
  return rows.map((masks) =>
    masks.map((probs) => topK(probs, k).map(({ id, p }) => ({ token: tokenizer.idToToken(id) ?? `[${id}]`, score: p }))),
  );
}
