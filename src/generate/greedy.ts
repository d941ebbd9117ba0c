/**
 * Token-by-token decoding: greedy (the most likely token) or sampling (a token drawn from the
 * processed, warped distribution), as karpathy/nanoGPT's `generate`: forward, process the last
 * position's scores, pick, append. A row that ends (EOS, a stop string) leaves the batch, so the
 * others run on; the rest of the rows never see it (batched = one by one).
 */
import { betweenSteps } from './abort.js';
import { DecodingBatch } from './batch.js';
import type { FinishReason, GenerateHooks, Generation, Prompts, StepDecoder } from './decoder.js';
import { IncrementalText } from './incremental-text.js';
import type { ResolvedGenerateOptions } from './options.js';
import { argmax, processScores, readsRowTokens, sampleToken, seededUniform, warpScores } from './processors.js';
import { argmax as torchArgmax, indexFill_, tensor, type Tensor } from '../tensor/index.js';

/**
 * Greedy decoding or sampling of every prompt.
 * @param o resolved options (numBeams 1).
 * @returns one Generation per prompt, in order.
 */
export async function decodeGreedy(
  decoder: StepDecoder,
  prompts: Prompts,
  o: ResolvedGenerateOptions,
  hooks: GenerateHooks = {},
): Promise<Generation[]> {
  const tokens = prompts.map((p) => [...p]); // real tokens per input row
  const generated: number[][] = prompts.map(() => []);
  const finish: (FinishReason | undefined)[] = prompts.map(() => undefined);
  // one generator per row, so a row draws the same numbers whatever else is in the batch
  const uniform = prompts.map((_, i) => seededUniform(o.seeds?.[i] ?? Math.imul(o.seed, 0x9e3779b1) + i));
  // each row's generated text, decoded a window at a time (for the stream and the stop strings)
  const decode = hooks.decode;
  const texts = decode === undefined ? undefined : prompts.map(() => new IncrementalText(decode));
  let live = prompts.map((_, i) => i); // input row of each decoding row
  /** The processors, then argmax or a draw, on each row's scores read back (`rows`: the input row of each). */
  const pickOnHost = (scores: Float32Array[], rows: readonly number[], step: number): number[] =>
    rows.map((row, r) => {
      const s = scores[r] as Float32Array;
      processScores(s, tokens[row] as number[], step, o);
      if (!o.doSample) return argmax(s);
      warpScores(s, o);
      return sampleToken(s, (uniform[row] as () => number)());
    });
  using batch = new DecodingBatch(decoder, prompts, live, o.padTokenId, o.useCache);
  // greedy with no rule that reads a row's tokens: the argmax runs in libtorch and only R ids come back
  const inTorch = !o.doSample && !readsRowTokens(o);
  for (let step = 0; step < o.maxNewTokens && live.length > 0; step++) {
    await betweenSteps(hooks.signal);
    const picked = inTorch
      ? batch.step((logits) => argmaxRows(logits, step < o.minNewTokens ? o.eosTokenIds : []))
      : pickOnHost(batch.scores(), live, step);
    const keep: number[] = [];
    for (const [r, row] of live.entries()) {
      const token = picked[r] as number;
      (tokens[row] as number[]).push(token);
      if (o.eosTokenIds.includes(token)) {
        finish[row] = 'eos';
        continue;
      }
      (generated[row] as number[]).push(token);
      const text = texts?.[row];
      const piece = text === undefined ? undefined : await text.push(token);
      await hooks.onToken?.(row, token, piece);
      if (text !== undefined && endsInStopString(text.text, (piece as string).length, o.stopStrings)) finish[row] = 'stop';
      else keep.push(r);
    }
    batch.append(picked);
    batch.select(keep);
    live = keep.map((r) => live[r] as number);
  }
  return generated.map((t, i) => ({ tokens: t, finishReason: finish[i] ?? 'length' }));
}

/**
 * Each row's highest-scoring token with the `banned` ids (EOS before `minNewTokens`) at −∞, computed in
 * libtorch: the argmax of the processed scores that `argmax` finds on the host (the first of equal
 * maxima, as torch.argmax), reading back R ids instead of R × V scores.
 * @param logits (R, V), owned by the caller (the banned entries are overwritten).
 */
export function argmaxRows(logits: Tensor, banned: readonly number[]): number[] {
  const V = logits.shape[1] as number;
  const ids = banned.filter((id) => id < V);
  const scores = ids.length === 0 ? logits : indexFill_(logits, 1, tensor(BigInt64Array.from(ids, BigInt)), -Infinity);
  return Array.from(torchArgmax(scores, -1).dataSync() as BigInt64Array, Number);
}

/** Whether a stop string ends within the last `added` characters of `text` (earlier ones were checked before). */
function endsInStopString(text: string, added: number, stopStrings: readonly string[]): boolean {
  if (added === 0) return false;
  return stopStrings.some((s) => text.slice(-(added + s.length - 1)).includes(s));
}
