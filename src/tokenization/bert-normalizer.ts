/**
 * The `tokenizers` package's BERT normalizer for a BertTokenizerOptions. Its own file, imported by
 * ./bert.ts and ./train.ts but by no public entry's declarations: its return type is that package's
 * `Normalizer`, whose index.d.ts does not type-check (see ./native.ts).
 */
import { type Normalizer, bertNormalizer } from 'tokenizers';

/** How a BERT tokenizer normalizes text (BertTokenizerOptions' fields of ./bert.ts). */
interface NormalizerSettings {
  readonly lowercase?: boolean;
  readonly stripAccents?: boolean;
  readonly handleChineseChars?: boolean;
}

/** The package's BERT normalizer with these settings and defaults: lowercase, accents stripped when lowercasing, CJK spaced. */
export function bertNormalizerOf(options: NormalizerSettings): Normalizer {
  const lowercase = options.lowercase ?? true;
  const stripAccents = options.stripAccents ?? lowercase;
  return bertNormalizer({ cleanText: true, handleChineseChars: options.handleChineseChars ?? true, stripAccents, lowercase });
}
