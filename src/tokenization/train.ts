/**
 * Training a BERT-style WordPiece tokenizer from texts, for when no `tokenizer.json` is given.
 *
 * The `tokenizers` npm package cannot do this itself: its `Tokenizer.train(files)` takes no trainer
 * settings (the `Trainer` class it exports has no constructor), so vocabulary size, minimum frequency
 * and special tokens cannot be set. So the words are counted with the package's own BERT normalizer
 * and pre-tokenizer, the vocabulary is learned in TypeScript as Hugging Face's WordPieceTrainer learns
 * it (./wordpiece-trainer.ts), and the tokenizer is built from that vocabulary with the package's
 * WordPiece model (./bert.ts). Special tokens `[PAD] [UNK] [CLS] [SEP] [MASK]` get ids 0–4.
 */
import { bertPreTokenizer } from 'tokenizers';
import { BERT_TOKENIZER_KEYS, WORDPIECE_PREFIX, buildBertTokenizer, type BertTokenizerOptions } from './bert.js';
import { bertNormalizerOf } from './bert-normalizer.js';
import { checkInteger, rejectUnknownKeys } from './options.js';
import { BERT_SPECIAL_TOKEN_LIST } from './special-tokens.js';
import type { Tokenizer } from './tokenizer.js';
import { WORDPIECE_MAX_INPUT_CHARS, isOverlongWord, learnWordPieceVocab } from './wordpiece-trainer.js';

/** Settings of `trainWordPiece`: the vocabulary's, then the tokenizer's (normalization, length limit). */
export interface TrainWordPieceOptions extends BertTokenizerOptions {
  /** Vocabulary size (tokens), special tokens and alphabet included. Default 30000 (BERT's is 30522). */
  vocabSize?: number;
  /** Pairs seen fewer times than this (occurrences) are not merged. Default 2, as Hugging Face's BertWordPieceTokenizer. */
  minFrequency?: number;
  /** Keep only this many distinct characters (the most frequent). Default: all (Chinese needs thousands). */
  limitAlphabet?: number;
}

const TRAIN_KEYS = ['vocabSize', 'minFrequency', 'limitAlphabet', ...BERT_TOKENIZER_KEYS];

/** Texts with a word over WordPiece's limit (see `trainWordPiece`'s `onOverlongWords`). */
export interface OverlongWords {
  /** Texts (lines) with at least one such word. */
  readonly texts: number;
  /** Characters (code points) of the longest. */
  readonly longest: number;
  /** The limit: words of more characters are encoded as `[UNK]` and learned from for the alphabet only. */
  readonly limit: number;
}

/**
 * A BERT WordPiece tokenizer whose vocabulary is learned from `texts` (one string per sentence or line).
 * The alphabet always enters whole (unless `limitAlphabet`), so the vocabulary can exceed `vocabSize`
 * when the texts have more distinct characters than that, as in Hugging Face's trainer. A word of more
 * than 100 characters (WordPiece's limit, encoded as `[UNK]`) adds its characters to the alphabet
 * but no merges (./wordpiece-trainer.ts), which keeps learning linear in the text's length;
 * `onOverlongWords` hears how many texts had one.
 * @example
 * const tok = trainWordPiece(['hello world', 'hello there'], { vocabSize: 40, minFrequency: 1 });
 * tok.padId; // 0
 * (await tok.encode('hello')).tokens; // ['[CLS]', 'hello', '[SEP]']
 */
export function trainWordPiece(
  texts: Iterable<string>,
  options: TrainWordPieceOptions = {},
  onOverlongWords?: (found: OverlongWords) => void,
): Tokenizer {
  rejectUnknownKeys('trainWordPiece', options, TRAIN_KEYS);
  const vocabSize = options.vocabSize ?? 30000;
  const minFrequency = options.minFrequency ?? 2;
  checkInteger('trainWordPiece', 'vocabSize', vocabSize, BERT_SPECIAL_TOKEN_LIST.length);
  checkInteger('trainWordPiece', 'minFrequency', minFrequency, 0);
  if (options.limitAlphabet !== undefined) checkInteger('trainWordPiece', 'limitAlphabet', options.limitAlphabet, 0);
  const { vocabSize: _v, minFrequency: _m, limitAlphabet, ...tokenizerOptions } = options;
  const overlong = { texts: 0, longest: 0, limit: WORDPIECE_MAX_INPUT_CHARS };
  const vocab = learnWordPieceVocab(countWords(texts, tokenizerOptions, overlong), {
    vocabSize,
    minFrequency,
    limitAlphabet,
    specialTokens: BERT_SPECIAL_TOKEN_LIST,
    continuingSubwordPrefix: WORDPIECE_PREFIX,
  });
  if (overlong.texts > 0) onOverlongWords?.(overlong);
  return buildBertTokenizer(vocab, tokenizerOptions);
}

/**
 * How often each word occurs in `texts` after BERT's normalizer and pre-tokenizer (the package's own).
 * `overlong`, when given, counts the texts with a word over its `limit` (characters) and the longest such word.
 */
export function countWords(
  texts: Iterable<string>,
  options: BertTokenizerOptions = {},
  overlong?: { texts: number; longest: number; readonly limit: number },
): Map<string, number> {
  const normalizer = bertNormalizerOf(options);
  const preTokenizer = bertPreTokenizer();
  const counts = new Map<string, number>();
  for (const text of texts) {
    let long = 0;
    for (const [word] of preTokenizer.preTokenizeString(normalizer.normalizeString(text))) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
      if (overlong !== undefined && isOverlongWord(word, overlong.limit)) long = Math.max(long, [...word].length);
    }
    if (overlong !== undefined && long > 0) {
      overlong.texts++;
      overlong.longest = Math.max(overlong.longest, long);
    }
  }
  return counts;
}
