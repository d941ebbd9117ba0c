/**
 * The special-token ids a new backbone takes from the run's tokenizer. A family's defaults name the
 * ids of its own vocabulary (BART pads with 1 and ends with 2, Marian pads with 58100); a model built
 * from scratch reads another one — a WordPiece vocabulary learned here has `[PAD]` at 0 and `[UNK]` at
 * 1 — and must pad, end and start decoding with that vocabulary's tokens, or it zeroes and freezes the
 * embedding of a real token (the padding row) and exports a generation config that stops at the wrong one.
 */
import type { Tokenizer } from '../tokenization/index.js';
import type { SpecialTokenRole } from '../tokenization/special-tokens.js';

/** The id of a role's token, or undefined when the tokenizer's vocabulary has none. */
function roleId(tokenizer: Tokenizer, role: SpecialTokenRole): number | undefined {
  return tokenizer.findSpecialTokenId(role) ?? undefined;
}

/**
 * The token-id fields of a new backbone's config that come from `tokenizer`: `padTokenId` (its pad
 * token), `eosTokenId` (the token ending a text: BERT's `[SEP]`, T5's and BART's `</s>`) and
 * `decoderStartTokenId`: padding for the families that start there (T5, Marian), else the token that
 * starts a text (`[CLS]`, `<s>`; the end token when the tokenizer has none). Pre-trained BART starts
 * from its end token `</s>` (fairseq's convention), but a small BART trained here from scratch that
 * starts from `[SEP]` — the token ending every source and target — stalled: SNIPS intents as text,
 * 500 steps, training loss stuck at 0.98 (the intents' prior), against 0.04 starting from `[CLS]`
 * (bench/issue13/text-to-text-snips.ts, docs/results/issue13-text-to-text.md). Only the fields that
 * `defaults` (the family's config for this vocabulary) holds as numbers, that `given` (the config
 * file's encoder keys, camelCase) leaves out, and whose role the tokenizer has.
 * @param defaults the family's config built from the file's fields alone.
 */
export function tokenizerTokenIds(
  tokenizer: Tokenizer,
  defaults: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, unknown>>,
): Record<string, number> {
  const pad = roleId(tokenizer, 'pad');
  const eos = roleId(tokenizer, 'sep');
  const start = defaults.decoderStartTokenId === defaults.padTokenId ? pad : (roleId(tokenizer, 'cls') ?? eos);
  const out: Record<string, number> = {};
  for (const [field, id] of [
    ['padTokenId', pad],
    ['eosTokenId', eos],
    ['decoderStartTokenId', start],
  ] as const) {
    if (id !== undefined && typeof defaults[field] === 'number' && given[field] === undefined) out[field] = id;
  }
  return out;
}
