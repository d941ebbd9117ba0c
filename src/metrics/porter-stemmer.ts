/**
 * The Porter stemmer (M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980) in the
 * variant of NLTK 3.8's `nltk.stem.porter.PorterStemmer()` default mode, `NLTK_EXTENSIONS` — the
 * stemmer rouge-score calls with `use_stemmer=True`, so ROUGE with stemming here gives its numbers.
 *
 * NLTK's extensions over the 1980 paper: a pool of irregular forms ("dying" → "die", "skies" → "sky",
 * …); words of at most 2 letters are left alone; step 1a "ies" on 4-letter words → "ie"; step 1b "ied"
 * → "ie"/"i"; step 1c turns a final y into i only after a consonant that is not the first letter;
 * *o (cvc) also holds for a 2-letter vowel-consonant stem; step 2 "alli" recurses, "bli" → "ble"
 * (Porter's later correction of "abli"), "fulli" → "ful", "logi" → "log". Checked word by word against
 * NLTK by tests/metrics/porter-stemmer.test.ts (fixture: scripts/fixtures/generation_metrics.py).
 *
 * Why not an npm stemmer: the npm packages `stemmer` 2.0.1 and `porter-stemmer` 0.9.1 implement
 * Porter's own rules without NLTK's extensions and differ from NLTK on 87 of the fixture's 7,506 words
 * (e.g. "age" → "ag", "allay" → "allai", "ate" → "at", where NLTK keeps the word), so ROUGE with
 * stemming would differ from rouge-score; this file keeps the rules of the stemmer that published
 * rouge-score numbers come from.
 */

const IRREGULAR: Readonly<Record<string, string>> = {
  sky: 'sky',
  skies: 'sky',
  dying: 'die',
  lying: 'lie',
  tying: 'tie',
  news: 'news',
  innings: 'inning',
  inning: 'inning',
  outings: 'outing',
  outing: 'outing',
  cannings: 'canning',
  canning: 'canning',
  howe: 'howe',
  proceed: 'proceed',
  exceed: 'exceed',
  succeed: 'succeed',
};

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/** Is letter i of `word` a consonant in Porter's sense (y is a consonant after a vowel or at the start)? */
function isConsonant(word: string, i: number): boolean {
  const c = word[i]!;
  if (VOWELS.has(c)) return false;
  if (c === 'y') return i === 0 ? true : !isConsonant(word, i - 1);
  return true;
}

/** Porter's m: the number of vowel-consonant sequences in [C](VC)^m[V]. */
function measure(stem: string): number {
  let m = 0;
  for (let i = 1; i < stem.length; i++) if (!isConsonant(stem, i - 1) && isConsonant(stem, i)) m++;
  return m;
}

function containsVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

function endsDoubleConsonant(word: string): boolean {
  const n = word.length;
  return n >= 2 && word[n - 1] === word[n - 2] && isConsonant(word, n - 1);
}

/** Porter's *o: the stem ends consonant-vowel-consonant, the last not w, x or y (NLTK: or is 2 letters VC). */
function endsCvc(word: string): boolean {
  const n = word.length;
  if (n === 2) return !isConsonant(word, 0) && isConsonant(word, 1);
  return (
    n >= 3 && isConsonant(word, n - 3) && !isConsonant(word, n - 2) && isConsonant(word, n - 1) && !['w', 'x', 'y'].includes(word[n - 1]!)
  );
}

/** A rule: suffix ("*d" = a double consonant), replacement, condition on the stem left. */
type Rule = readonly [suffix: string, replacement: string, condition: ((stem: string) => boolean) | null];

/** Applies the first rule whose suffix matches (and only that one): NLTK's `_apply_rule_list`. */
function applyRules(word: string, rules: readonly Rule[]): string {
  for (const [suffix, replacement, condition] of rules) {
    if (suffix === '*d' && endsDoubleConsonant(word)) {
      const stem = word.slice(0, -2);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
    if (suffix !== '*d' && word.endsWith(suffix)) {
      const stem = word.slice(0, word.length - suffix.length);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
  }
  return word;
}

const positive = (stem: string): boolean => measure(stem) > 0;
const measureAbove1 = (stem: string): boolean => measure(stem) > 1;

function step1a(word: string): string {
  if (word.endsWith('ies') && word.length === 4) return word.slice(0, -3) + 'ie';
  return applyRules(word, [
    ['sses', 'ss', null],
    ['ies', 'i', null],
    ['ss', 'ss', null],
    ['s', '', null],
  ]);
}

function step1b(word: string): string {
  if (word.endsWith('ied')) return word.slice(0, -3) + (word.length === 4 ? 'ie' : 'i');
  if (word.endsWith('eed')) {
    const stem = word.slice(0, -3);
    return measure(stem) > 0 ? stem + 'ee' : word;
  }
  let stem: string | null = null;
  for (const suffix of ['ed', 'ing']) {
    if (word.endsWith(suffix) && containsVowel(word.slice(0, word.length - suffix.length))) {
      stem = word.slice(0, word.length - suffix.length);
      break;
    }
  }
  if (stem === null) return word;
  const last = stem[stem.length - 1]!;
  return applyRules(stem, [
    ['at', 'ate', null],
    ['bl', 'ble', null],
    ['iz', 'ize', null],
    ['*d', last, () => !['l', 's', 'z'].includes(last)],
    ['', 'e', (s) => measure(s) === 1 && endsCvc(s)],
  ]);
}

function step1c(word: string): string {
  return applyRules(word, [['y', 'i', (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)]]);
}

const STEP2: readonly Rule[] = [
  ['ational', 'ate', positive],
  ['tional', 'tion', positive],
  ['enci', 'ence', positive],
  ['anci', 'ance', positive],
  ['izer', 'ize', positive],
  ['bli', 'ble', positive],
  ['alli', 'al', positive],
  ['entli', 'ent', positive],
  ['eli', 'e', positive],
  ['ousli', 'ous', positive],
  ['ization', 'ize', positive],
  ['ation', 'ate', positive],
  ['ator', 'ate', positive],
  ['alism', 'al', positive],
  ['iveness', 'ive', positive],
  ['fulness', 'ful', positive],
  ['ousness', 'ous', positive],
  ['aliti', 'al', positive],
  ['iviti', 'ive', positive],
  ['biliti', 'ble', positive],
  ['fulli', 'ful', positive],
];

function step2(word: string): string {
  if (word.endsWith('alli') && positive(word.slice(0, -4))) return step2(word.slice(0, -4) + 'al');
  // NLTK's "logi" rule tests the measure of the word less its last three letters ("l" kept).
  return applyRules(word, [...STEP2, ['logi', 'log', () => positive(word.slice(0, -3))]]);
}

function step3(word: string): string {
  return applyRules(word, [
    ['icate', 'ic', positive],
    ['ative', '', positive],
    ['alize', 'al', positive],
    ['iciti', 'ic', positive],
    ['ical', 'ic', positive],
    ['ful', '', positive],
    ['ness', '', positive],
  ]);
}

const STEP4_SUFFIXES = ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent'];
const STEP4_REST = ['ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize'];

function step4(word: string): string {
  return applyRules(word, [
    ...STEP4_SUFFIXES.map((s): Rule => [s, '', measureAbove1]),
    ['ion', '', (stem) => measure(stem) > 1 && (stem.endsWith('s') || stem.endsWith('t'))],
    ...STEP4_REST.map((s): Rule => [s, '', measureAbove1]),
  ]);
}

function step5a(word: string): string {
  if (!word.endsWith('e')) return word;
  const stem = word.slice(0, -1);
  const m = measure(stem);
  return m > 1 || (m === 1 && !endsCvc(stem)) ? stem : word;
}

function step5b(word: string): string {
  return applyRules(word, [['ll', 'l', () => measure(word.slice(0, -1)) > 1]]);
}

/**
 * The Porter stem of one word, lowercased first, as NLTK's `PorterStemmer().stem(word)` (mode
 * NLTK_EXTENSIONS).
 * @example porterStem('generously') // 'gener'
 * @example porterStem('dying') // 'die'
 */
export function porterStem(word: string): string {
  const lower = word.toLowerCase();
  // NLTK looks the word up as given but returns the entry of its lowercase form.
  if (Object.hasOwn(IRREGULAR, word)) return IRREGULAR[lower]!;
  if (word.length <= 2) return lower;
  let stem = step1a(lower);
  stem = step1b(stem);
  stem = step1c(stem);
  stem = step2(stem);
  stem = step3(stem);
  stem = step4(stem);
  stem = step5a(stem);
  return step5b(stem);
}
