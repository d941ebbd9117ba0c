/**
 * Special tokens by role. A tokenizer trained here puts BERT's five special tokens first, at fixed ids:
 *
 * | id | token    | role |
 * | -- | -------- | ---- |
 * | 0  | `[PAD]`  | pad: fills batches to one length (attention mask 0) |
 * | 1  | `[UNK]`  | unk: stands for a word the vocabulary cannot spell |
 * | 2  | `[CLS]`  | cls: starts every input; its hidden state feeds sentence-level heads |
 * | 3  | `[SEP]`  | sep: ends each text of an input |
 * | 4  | `[MASK]` | mask: hides a token for masked-language-model pre-training |
 *
 * (The order is that of Hugging Face's `BertWordPieceTokenizer.train`.) A loaded `tokenizer.json` may
 * put them anywhere, or name them differently (`<pad>`, `<s>` …): ids are always looked up by name.
 */

/** The roles a special token can play. */
export type SpecialTokenRole = 'pad' | 'unk' | 'cls' | 'sep' | 'mask';

/** The roles, in the id order of a trained vocabulary. */
export const SPECIAL_TOKEN_ROLES: readonly SpecialTokenRole[] = ['pad', 'unk', 'cls', 'sep', 'mask'];

/** BERT's names of the special tokens. */
export const BERT_SPECIAL_TOKENS: Readonly<Record<SpecialTokenRole, string>> = {
  pad: '[PAD]',
  unk: '[UNK]',
  cls: '[CLS]',
  sep: '[SEP]',
  mask: '[MASK]',
};

/** BERT's special tokens in the id order of a trained vocabulary: `[PAD] [UNK] [CLS] [SEP] [MASK]` (ids 0–4). */
export const BERT_SPECIAL_TOKEN_LIST: readonly string[] = SPECIAL_TOKEN_ROLES.map((role) => BERT_SPECIAL_TOKENS[role]);

/** RoBERTa's (and XLM-R's, CamemBERT's, BART's) names of the special tokens. */
export const ROBERTA_SPECIAL_TOKENS: Readonly<Record<SpecialTokenRole, string>> = {
  pad: '<pad>',
  unk: '<unk>',
  cls: '<s>',
  sep: '</s>',
  mask: '<mask>',
};

/**
 * The special-token name of each role for a vocabulary: BERT's when it has that token, else RoBERTa's
 * when it has that one, else BERT's (so that a missing token is reported under BERT's name).
 */
export function defaultSpecialNames(has: (token: string) => boolean): Record<SpecialTokenRole, string> {
  const names = { ...BERT_SPECIAL_TOKENS };
  for (const role of SPECIAL_TOKEN_ROLES)
    if (!has(BERT_SPECIAL_TOKENS[role]) && has(ROBERTA_SPECIAL_TOKENS[role])) names[role] = ROBERTA_SPECIAL_TOKENS[role];
  return names;
}
