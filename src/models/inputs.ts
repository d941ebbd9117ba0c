/** Checks of a backbone's inputs shared by the families (src/models/<family>/). */
import { ShapeError } from '../errors.js';
import type { ModelInputs } from './backbone.js';

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * Throws ShapeError unless `inputIds` is (B, T) of integer ids with T ≤ `maxTokens`, and
 * `attentionMask` / `tokenTypeIds` (when given) are (B, T). `limit` names the bound in the message
 * ("maxPositionEmbeddings (512)").
 */
export function checkModelInputs({ inputIds, attentionMask, tokenTypeIds }: ModelInputs, maxTokens: number, limit: string): void {
  const shape = inputIds.shape;
  if (shape.length !== 2) throw new ShapeError(`inputIds must be (B, T), got shape ${shapeText(shape)}`);
  if (inputIds.dtype !== 'int64' && inputIds.dtype !== 'int32')
    throw new ShapeError(`inputIds must hold int64 token ids, got ${inputIds.dtype}`);
  const T = shape[1] as number;
  if (T > maxTokens) throw new ShapeError(`the sequence has ${T} tokens, more than ${limit}; truncate it`);
  for (const [name, t] of [
    ['attentionMask', attentionMask],
    ['tokenTypeIds', tokenTypeIds],
  ] as const) {
    if (t === undefined) continue;
    const s = t.shape;
    if (s.length !== 2 || s[0] !== shape[0] || s[1] !== T)
      throw new ShapeError(`${name} must have the shape of inputIds ${shapeText(shape)}, got ${shapeText(s)}`);
  }
}
