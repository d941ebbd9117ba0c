/**
 * A BERT-style WordPiece tokenizer from a vocabulary, assembled from the `tokenizers` package's own
 * parts, so that all encoding is Hugging Face's code:
 * - normalizer: BERT's (clean control characters, put spaces around CJK ideographs so that each is a
 *   word of its own, as BERT's BasicTokenizer does; optionally lowercase and strip accents);
 * - pre-tokenizer: BERT's (split on whitespace and punctuation);
 * - model: WordPiece (greedy longest-match-first, `##` continuation prefix, `[UNK]` for a word it cannot spell);
 * - post-processor: `[CLS] a [SEP]` and `[CLS] a [SEP] b [SEP]`, token types 0 then 1;
 * - decoder: WordPiece's (joins `##` pieces, tidies spaces before punctuation).
 */
import { Tokenizer as HfTokenizer, WordPiece, bertPreTokenizer, bertProcessing, wordPieceDecoder } from 'tokenizers';
import { ConfigError } from '../errors.js';
import { bertNormalizerOf } from './bert-normalizer.js';
import { rejectUnknownKeys } from './options.js';
import { BERT_SPECIAL_TOKENS, BERT_SPECIAL_TOKEN_LIST } from './special-tokens.js';
import { Tokenizer } from './tokenizer.js';

/** How a BERT tokenizer normalizes text, and its length limit. */
export interface BertTokenizerOptions {
  /** Lowercase the text (an "uncased" model). Default true. */
  lowercase?: boolean;
  /** Remove accents (é → e). Default: same as `lowercase`, as in BERT. */
  stripAccents?: boolean;
  /** Make each CJK ideograph a word of its own. Default true. */
  handleChineseChars?: boolean;
  /** Most tokens per encoding (see `TokenizerOptions.maxLength`). Default none. */
  maxLength?: number | null;
}

export const BERT_TOKENIZER_KEYS = ['lowercase', 'stripAccents', 'handleChineseChars', 'maxLength'];

/** The continuation prefix of WordPiece pieces. */
export const WORDPIECE_PREFIX = '##';

/** A BERT WordPiece tokenizer whose token of id i is `vocab[i]` (one token per line of a `vocab.txt`). */
export function buildBertTokenizer(vocab: readonly string[], options: BertTokenizerOptions = {}): Tokenizer {
  rejectUnknownKeys('buildBertTokenizer', options, BERT_TOKENIZER_KEYS);
  const ids: Record<string, number> = Object.create(null) as Record<string, number>; // no prototype: "__proto__" may be a token
  vocab.forEach((token, id) => {
    if (Object.hasOwn(ids, token)) throw new ConfigError(`vocabulary: token "${token}" appears twice (ids ${ids[token]} and ${id})`);
    ids[token] = id;
  });
  const idOf = (name: string): number => {
    const id = ids[name];
    if (id === undefined)
      throw new ConfigError(`vocabulary: a BERT tokenizer needs the token "${name}", which the vocabulary (${vocab.length} tokens) lacks`);
    return id;
  };
  const unk = BERT_SPECIAL_TOKENS.unk;
  idOf(unk);

  const hf = new HfTokenizer(WordPiece.init(ids, { unkToken: unk, continuingSubwordPrefix: WORDPIECE_PREFIX }));
  hf.setNormalizer(bertNormalizerOf(options));
  hf.setPreTokenizer(bertPreTokenizer());
  hf.setPostProcessor(
    bertProcessing([BERT_SPECIAL_TOKENS.sep, idOf(BERT_SPECIAL_TOKENS.sep)], [BERT_SPECIAL_TOKENS.cls, idOf(BERT_SPECIAL_TOKENS.cls)]),
  );
  hf.setDecoder(wordPieceDecoder(WORDPIECE_PREFIX, true));
  // Registered as special: never split or lowercased, and left out by decode().
  hf.addSpecialTokens(BERT_SPECIAL_TOKEN_LIST.filter((t) => ids[t] !== undefined));
  return Tokenizer.fromHf(hf, options.maxLength === undefined ? {} : { maxLength: options.maxLength });
}
