/**
 * EDA (Wei & Zou, "EDA: Easy Data Augmentation Techniques for Boosting Performance on Text
 * Classification Tasks", EMNLP-IJCNLP 2019, §2 and the authors' eda.py): synonym replacement (SR),
 * random insertion (RI), random swap (RS) and random deletion (RD), with n = max(1, ⌊α·l⌋) changes for
 * a sentence of l words (RD: each word deleted with probability p), ⌊n_aug/4⌋ + 1 sentences per
 * operation, shuffled, the first n_aug kept.
 *
 * Over tagged words the operations work on units so that no label changes: a labelled slot value
 * (B-x I-x …) is one unit, replaced by a WordNet synonym of the whole value with as many words (its
 * tags kept as they are) or left alone, swapped as a whole and never deleted; words are inserted only between units, tagged O,
 * and only unlabelled words are deleted. Plain text is a sequence of one-word units without tags.
 */
import type { Rng } from '../../tensor/rng.js';
import { EDA_STOP_WORDS } from './stop-words.js';
import type { SynonymTable } from './synonyms.js';

/** EDA's parameters: α of SR, RI and RS, p of RD, and n_aug, the augmented sentences per sentence. */
export interface EdaSettings {
  readonly alphaSr: number;
  readonly alphaRi: number;
  readonly alphaRs: number;
  readonly pRd: number;
  readonly copies: number;
}

/** Words that EDA moves, replaces or deletes together, with their tags (undefined for plain text). */
export interface Unit {
  readonly words: readonly string[];
  readonly tags?: readonly string[];
}

/** Whole units of `words` (and their BIO tags): one per labelled span, one per other word. */
export function toUnits(words: readonly string[], tags?: readonly string[]): Unit[] {
  if (tags === undefined) return words.map((w) => ({ words: [w] }));
  const units: { words: string[]; tags: string[] }[] = [];
  words.forEach((w, i) => {
    const tag = tags[i] as string;
    const last = units[units.length - 1];
    const inside = /^[IEL]-/.test(tag) && last !== undefined && last.tags[0] !== 'O' && last.tags[0]!.slice(2) === tag.slice(2);
    if (inside) {
      last.words.push(w);
      last.tags.push(tag);
    } else units.push({ words: [w], tags: [tag] });
  });
  return units;
}

/** The words (and tags, when the units have them) of `units`, in order. */
export function fromUnits(units: readonly Unit[]): { words: string[]; tags: string[] | undefined } {
  const words = units.flatMap((u) => u.words);
  const tagged = units.some((u) => u.tags !== undefined);
  return { words, tags: tagged ? units.flatMap((u) => u.tags ?? u.words.map(() => 'O')) : undefined };
}

/** A unit without a label (one word, tag O or none): the only kind RD deletes and RI takes synonyms from. */
const isFree = (u: Unit): boolean => u.tags === undefined || u.tags[0] === 'O';
const key = (u: Unit): string => u.words.join(' ').toLowerCase();
const pick = <T>(items: readonly T[], rng: Rng): T => items[rng.nextUint32() % items.length] as T;

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** `synonym` as units standing for `unit`: one O word per word for a free unit, the value's own tags for a slot value. */
function replacement(unit: Unit, synonym: string): Unit[] {
  const words = synonym.split(' ');
  if (isFree(unit)) return words.map((w) => (unit.tags === undefined ? { words: [w] } : { words: [w], tags: ['O'] }));
  return [{ words, tags: unit.tags! }];
}

/**
 * The synonyms a unit may take: any of a free word's; of a slot value's, those with as many words, so
 * the value keeps its very tags (B-x I-x … as written: a longer synonym would need tags, such as
 * I-year, that the task may never have seen).
 */
function replacements(u: Unit, synonyms: SynonymTable): readonly string[] {
  const all = synonyms.get(key(u)) ?? [];
  return isFree(u) ? all : all.filter((s) => s.split(' ').length === u.words.length);
}

/** SR: up to n distinct non-stop words (or slot values) with synonyms, every occurrence replaced by one random synonym. */
export function synonymReplacement(units: readonly Unit[], n: number, synonyms: SynonymTable, rng: Rng): Unit[] {
  const options = new Map<string, readonly string[]>();
  for (const u of units) {
    if (isFree(u) && EDA_STOP_WORDS.has(key(u))) continue;
    const r = replacements(u, synonyms);
    if (r.length > 0 && !options.has(key(u))) options.set(key(u), r);
  }
  const chosen = new Map(
    shuffle([...options.keys()], rng)
      .slice(0, n)
      .map((k) => [k, pick(options.get(k)!, rng)] as const),
  );
  return units.flatMap((u) => {
    const synonym = chosen.get(key(u));
    return synonym === undefined ? [u] : replacement(u, synonym);
  });
}

/** RI, n times: a random synonym of a random unlabelled word (10 tries to find one with synonyms) inserted between two units. */
export function randomInsertion(units: readonly Unit[], n: number, synonyms: SynonymTable, rng: Rng): Unit[] {
  const out = [...units];
  const tagged = units.some((u) => u.tags !== undefined);
  for (let i = 0; i < n; i++) {
    const free = out.filter(isFree);
    if (free.length === 0) break;
    let options: readonly string[] | undefined;
    for (let tries = 0; tries < 10 && options === undefined; tries++) options = synonyms.get(key(pick(free, rng)));
    if (options === undefined) break;
    const inserted = replacement(tagged ? { words: [''], tags: ['O'] } : { words: [''] }, pick(options, rng));
    out.splice(rng.nextUint32() % (out.length + 1), 0, ...inserted);
  }
  return out;
}

/** RS, n times: two random units (3 tries to draw two positions) change places. */
export function randomSwap(units: readonly Unit[], n: number, rng: Rng): Unit[] {
  const out = [...units];
  if (out.length < 2) return out;
  for (let i = 0; i < n; i++) {
    const a = rng.nextUint32() % out.length;
    let b = a;
    for (let tries = 0; tries < 3 && b === a; tries++) b = rng.nextUint32() % out.length;
    [out[a], out[b]] = [out[b] as Unit, out[a] as Unit];
  }
  return out;
}

/** RD: each unlabelled word deleted with probability p; one random unit is kept when none would be. */
export function randomDeletion(units: readonly Unit[], p: number, rng: Rng): Unit[] {
  if (units.length <= 1) return [...units];
  const kept = units.filter((u) => !isFree(u) || rng.float() >= p);
  return kept.length > 0 ? kept : [pick(units, rng)];
}

/**
 * EDA's augmented versions of one sentence (at most `copies`; versions equal to the sentence are dropped).
 * @param units the sentence (`toUnits`).
 */
export function eda(units: readonly Unit[], settings: EdaSettings, synonyms: SynonymTable, rng: Rng): Unit[][] {
  const l = units.reduce((n, u) => n + u.words.length, 0);
  const per = Math.floor(settings.copies / 4) + 1;
  const changes = (alpha: number) => Math.max(1, Math.floor(alpha * l));
  const out: Unit[][] = [];
  const times = (alpha: number, make: () => Unit[]) => {
    if (alpha > 0) for (let i = 0; i < per; i++) out.push(make());
  };
  times(settings.alphaSr, () => synonymReplacement(units, changes(settings.alphaSr), synonyms, rng));
  times(settings.alphaRi, () => randomInsertion(units, changes(settings.alphaRi), synonyms, rng));
  times(settings.alphaRs, () => randomSwap(units, changes(settings.alphaRs), rng));
  times(settings.pRd, () => randomDeletion(units, settings.pRd, rng));
  const original = JSON.stringify(fromUnits(units));
  return shuffle(out, rng)
    .slice(0, settings.copies)
    .filter((u) => JSON.stringify(fromUnits(u)) !== original);
}
