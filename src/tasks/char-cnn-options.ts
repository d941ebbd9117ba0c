/**
 * The `char_cnn` key of a token-classification task: a character-level CNN over each word (Ma & Hovy,
 * ACL 2016; src/nn/char-cnn.ts) whose vector joins the word's first sub-word state before the
 * classifier. Read from the validated config (camelCase) and from a checkpoint's tasks.json.
 */
import type { CharCnnShape } from '../nn/char-cnn.js';
import { numberOption, OptionError, probabilityOption, rejectUnknownOptions } from './options.js';

/** The CNN's shape and how many characters of a word it reads. */
export interface CharCnnOptions extends CharCnnShape {
  /** Characters read per word (the rest are cut; Ma & Hovy's data rarely exceed 20). */
  readonly maxWordLength: number;
}

/** Ma & Hovy 2016, Table 1 (character embedding 30, 30 filters of width 3, dropout 0.5); Latin-1 has a row per character. */
export const CHAR_CNN_DEFAULTS: CharCnnOptions = {
  charVocabSize: 256,
  embeddingSize: 30,
  filters: 30,
  kernelSize: 3,
  dropout: 0.5,
  maxWordLength: 20,
};

const KEYS = ['charVocabSize', 'embeddingSize', 'filters', 'kernelSize', 'dropout', 'maxWordLength'] as const;

/**
 * The resolved `charCnn` option of `where`'s options: null when absent or null, else the defaults
 * overridden by what is given.
 * @throws OptionError for an unknown key, a size below 1, an even kernel size or a dropout outside [0, 1).
 */
export function resolveCharCnn(where: string, value: unknown): CharCnnOptions | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new OptionError(where, 'charCnn', `must be an object of CNN settings (or null), got ${JSON.stringify(value)}`);
  const raw = value as Record<string, unknown>;
  const at = `${where} char_cnn`;
  rejectUnknownOptions(at, raw, KEYS);
  const size = (key: (typeof KEYS)[number], min: number) => numberOption(at, raw, key, CHAR_CNN_DEFAULTS[key], min, true);
  const kernelSize = size('kernelSize', 1);
  if (kernelSize % 2 === 0)
    throw new OptionError(at, 'kernelSize', `must be odd (the output keeps the word's length), got ${kernelSize}`, 'char_cnn.kernel_size');
  return {
    charVocabSize: size('charVocabSize', 2),
    embeddingSize: size('embeddingSize', 1),
    filters: size('filters', 1),
    kernelSize,
    dropout: probabilityOption(at, raw, 'dropout', CHAR_CNN_DEFAULTS.dropout, true),
    maxWordLength: size('maxWordLength', 1),
  };
}
