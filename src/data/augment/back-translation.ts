/**
 * Back-translation of training examples (`data.augment: { method: back-translation }`; Sennrich et
 * al., ACL 2016; Edunov et al., EMNLP 2018, "Understanding Back-Translation at Scale"): each text is
 * translated into a pivot language and back, and the copy keeps the example's label. Texts are
 * rewritten whole, so only whole-text labels survive: a text's class or score, a pair's (both texts
 * back-translated). The config refuses tagged words and spans (src/io/config/checks.ts).
 *
 * The translation itself comes from outside this layer (a `RoundTrip`, src/run/back-translation.ts:
 * seq2seq tasks of encoder-decoder checkpoints decoded by src/generate); here: which texts, their
 * seeds, the cache and the copies. Each (text, copy) has its own sampling seed, drawn from the run's
 * seed and the text, so a text gets the same back-translation whatever else is translated with it;
 * the cache file (keyed by the checkpoints, the settings and the seed) maps each text to its copies,
 * so a rerun, or a run on a subset that overlaps, translates only the texts it has not seen.
 */
import { createHash } from 'node:crypto';
import { cacheFileOf, readCacheFile, writeCacheFile } from './cache.js';
import { ConfigError } from '../../errors.js';
import type { TextExample, TextPairExample } from '../example.js';

/** `data.augment` with `method: back-translation` (camelCase; src/io/config/schema.ts documents each key). */
export interface BackTranslationSettings {
  readonly method: 'back-translation';
  readonly checkpoint: string;
  readonly forwardTask: string;
  readonly backwardCheckpoint?: string;
  readonly backwardTask: string;
  readonly copies: number;
  readonly doSample: boolean;
  readonly topK: number;
  readonly topP: number;
  readonly temperature: number;
  readonly numBeams: number;
  readonly maxNewTokens: number;
  readonly batchSize: number;
}

/** Translation into the pivot language and back, as src/run/back-translation.ts loads it. */
export interface RoundTrip extends Disposable {
  /**
   * Each text translated forward and back.
   * @param seeds one sampling seed per text (the forward pass uses it, the backward pass a seed derived from it).
   * @returns one text per input, in order.
   */
  translate(texts: readonly string[], seeds: readonly number[]): Promise<string[]>;
}

/** Where round trips come from (src/run/back-translation.ts's `checkpointRoundTrips`). */
export interface RoundTrips {
  /** What identifies the models of `settings` without loading them (a hash of the checkpoints' files): part of the cache key. */
  identity(settings: BackTranslationSettings): string;
  /** Loads the models of `settings`; called only when some text is not cached. */
  open(settings: BackTranslationSettings): RoundTrip;
}

/** What back-translating a training split made. */
export interface BackTranslated<E> {
  /** The training examples followed by the back-translated ones. */
  readonly examples: readonly E[];
  /** Back-translated examples added. */
  readonly added: number;
  /** Copies left out because they came back equal to their source (or empty). */
  readonly unchanged: number;
  /** Texts (times copies) translated in this call. */
  readonly translated: number;
  /** Texts (times copies) read from the cache. */
  readonly cached: number;
  /** The cache file read and written; undefined without a cache folder. */
  readonly cacheFile: string | undefined;
}

/** Part of the cache key: raised whenever this file makes other copies from the same translations. */
const BACK_TRANSLATION_REVISION = 1;

type Example = TextExample | TextPairExample;

/** The texts of an example that are back-translated (one, or a pair's two). */
function textsOf(e: Example): string[] {
  if ('textA' in e) return [e.textA, e.textB];
  if ('text' in e && typeof e.text === 'string') return [e.text];
  throw new ConfigError(
    `data.augment: back-translation rewrites texts and text pairs; example ${String((e as { id?: unknown }).id)} is neither (tagged words and spans cannot be kept aligned)`,
  );
}

/** A 31-bit seed of (run seed, copy, text): the same text and copy get the same seed in every batch and run. */
export function textSeed(seed: number, copy: number, text: string): number {
  return (
    createHash('sha256')
      .update(JSON.stringify([seed, copy, text]))
      .digest()
      .readUInt32BE(0) >>> 1
  );
}

const normalised = (text: string): string => text.trim().replace(/\s+/g, ' ');

/** The settings that change a translation (not batchSize), in a fixed order, for the cache key. */
function keySettings(s: BackTranslationSettings): unknown[] {
  return [s.forwardTask, s.backwardTask, s.doSample, s.topK, s.topP, s.temperature, s.numBeams, s.maxNewTokens];
}

/**
 * `examples` followed by their back-translations (`settings.copies` per example, less those that came
 * back unchanged), ids `<id>~bt<k>`, every other field (the label) as it was.
 * @param seed the seed the copies are drawn from (the run's seed + 2, as EDA's).
 * @param roundTrips the translation models: their identity (in the cache key) and, when some text is not cached, the models.
 * @param cacheDir where `back-translation-<key>.json` is read and written (text → its copies); none: no cache.
 * @throws ConfigError for examples that are not texts or pairs.
 */
export async function backTranslateExamples<E>(
  examples: readonly E[],
  settings: BackTranslationSettings,
  seed: number,
  roundTrips: RoundTrips,
  cacheDir?: string,
): Promise<BackTranslated<E>> {
  const texts = [...new Set((examples as readonly Example[]).flatMap(textsOf))];
  const keyParts = [BACK_TRANSLATION_REVISION, roundTrips.identity(settings), keySettings(settings), seed];
  const cacheFile = cacheFileOf(cacheDir, 'back-translation', keyParts);
  const cache = readCacheFile<Record<string, string[]>>(cacheFile) ?? {};
  const missing = texts.filter((t) => (cache[t]?.length ?? 0) < settings.copies);
  let translated = 0;
  if (missing.length > 0) {
    using roundTrip = roundTrips.open(settings);
    for (let k = 0; k < settings.copies; k++) {
      const todo = missing.filter((t) => cache[t]?.[k] === undefined);
      const out = await roundTrip.translate(
        todo,
        todo.map((t) => textSeed(seed, k, t)),
      );
      todo.forEach((t, i) => (cache[t] ??= []).push(out[i]!)); // todo holds the texts with exactly k copies
      translated += todo.length;
    }
    writeCacheFile(cacheFile, cache);
  }
  const added: E[] = [];
  let unchanged = 0;
  for (const e of examples as readonly Example[]) {
    const sources = textsOf(e);
    const normalisedSources = sources.map(normalised);
    for (let k = 0; k < settings.copies; k++) {
      const back = sources.map((t) => cache[t]![k]!);
      const same = back.every((b, i) => normalised(b) === normalisedSources[i]) || back.some((b) => normalised(b) === '');
      if (same) {
        unchanged++;
        continue;
      }
      const id = `${e.id}~bt${k}`;
      added.push(('textA' in e ? { ...e, id, textA: back[0]!, textB: back[1]! } : { ...e, id, text: back[0]! }) as E);
    }
  }
  return {
    examples: [...examples, ...added],
    added: added.length,
    unchanged,
    translated,
    cached: texts.length * settings.copies - translated,
    cacheFile,
  };
}
