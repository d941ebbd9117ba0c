/**
 * Knowledge-graph triples in the WN18RR / FB15k-237 layout of the RotatE repository
 * (DeepGraphLearning/KnowledgeGraphEmbedding): a folder with `train.txt`, `valid.txt`, `test.txt`
 * holding `head<TAB>relation<TAB>tail` per line, and optionally `entities.dict` / `relations.dict`
 * holding `index<TAB>name` per line. Names stay strings (WN18RR's synset ids keep their leading zeros).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../../errors.js';
import type { SourcePosition } from '../example.js';
import { BadLines, readTextFile, splitLines, type ReadOptions, type SkippedLine } from './source.js';

/** One triple as integer ids into a `KgVocab`. */
export interface Triple {
  readonly head: number;
  readonly relation: number;
  readonly tail: number;
}

/** The id ↔ name maps of a graph: `entities[id]` is the name, `entityIds.get(name)` the id. */
export interface KgVocab {
  readonly entities: readonly string[];
  readonly relations: readonly string[];
  readonly entityIds: ReadonlyMap<string, number>;
  readonly relationIds: ReadonlyMap<string, number>;
}

/** A read graph: its vocabulary, the three splits as ids, and any skipped lines. */
export interface KgDataset {
  readonly vocab: KgVocab;
  readonly train: Triple[];
  readonly valid: Triple[];
  readonly test: Triple[];
  readonly skipped: SkippedLine[];
}

/**
 * Reads an `index<TAB>name` dictionary: indices must be 0, 1, 2, … in order and names unique.
 * @returns the names by index.
 * @throws DataError naming file:line for a malformed line, an out-of-order index or a repeated name.
 */
export function readKgDict(file: string): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  splitLines(readTextFile(file)).forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.split('\t');
    const where = `${file}:${i + 1}`;
    if (fields.length !== 2 || fields[1] === '') {
      throw new DataError(`${where}: expected 'index<TAB>name' (2 tab-separated fields), got ${fields.length}: ${JSON.stringify(line)}`);
    }
    const [index, name] = fields as [string, string];
    if (index !== String(names.length)) {
      throw new DataError(`${where}: expected index ${names.length} (indices count up from 0 in order), got ${JSON.stringify(index)}`);
    }
    if (seen.has(name)) throw new DataError(`${where}: the name ${JSON.stringify(name)} appears twice; names must be unique`);
    seen.add(name);
    names.push(name);
  });
  return names;
}

/**
 * Reads one triples file (`head<TAB>relation<TAB>tail` per line; blank lines ignored). Names are
 * looked up in `vocab`; with `grow` set, unknown names are appended to it (used when no dictionaries exist).
 * @throws DataError naming file:line for a line without exactly 3 non-empty fields, or an unknown name
 *   (unless `onBadLine: 'skip'`, which records it in `bad.skipped`).
 */
export function readTriplesFile(file: string, vocab: MutableVocab, bad: BadLines, grow = false, lines?: number[]): Triple[] {
  const out: Triple[] = [];
  splitLines(readTextFile(file)).forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.split('\t');
    if (fields.length !== 3 || fields.some((f) => f === '')) {
      bad.report(
        file,
        i + 1,
        `expected 'head<TAB>relation<TAB>tail' (3 non-empty tab-separated fields), got ${fields.length}: ${JSON.stringify(line)}`,
      );
      return;
    }
    const [h, r, t] = fields as [string, string, string];
    const head = lookup(vocab.entities, vocab.entityIds, h, grow);
    const relation = lookup(vocab.relations, vocab.relationIds, r, grow);
    const tail = lookup(vocab.entities, vocab.entityIds, t, grow);
    const unknown = [
      head < 0 ? `entity ${JSON.stringify(h)}` : '',
      relation < 0 ? `relation ${JSON.stringify(r)}` : '',
      tail < 0 ? `entity ${JSON.stringify(t)}` : '',
    ]
      .filter((s) => s !== '')
      .join(', ');
    if (unknown !== '') {
      bad.report(file, i + 1, `unknown ${unknown}: not in entities.dict / relations.dict`);
      return;
    }
    out.push({ head, relation, tail });
    lines?.push(i + 1);
  });
  return out;
}

/** A vocabulary that `readTriplesFile` may extend. */
export interface MutableVocab {
  entities: string[];
  relations: string[];
  entityIds: Map<string, number>;
  relationIds: Map<string, number>;
}

function lookup(names: string[], ids: Map<string, number>, name: string, grow: boolean): number {
  const id = ids.get(name);
  if (id !== undefined) return id;
  if (!grow) return -1;
  ids.set(name, names.length);
  names.push(name);
  return names.length - 1;
}

const toVocab = (entities: string[], relations: string[]): MutableVocab => ({
  entities,
  relations,
  entityIds: new Map(entities.map((n, i) => [n, i])),
  relationIds: new Map(relations.map((n, i) => [n, i])),
});

/** The folder's `entities.dict` and `relations.dict` when both exist, else an empty vocabulary to grow. */
function folderVocab(folder: string): { vocab: MutableVocab; haveDicts: boolean } {
  const dictFiles = ['entities.dict', 'relations.dict'].map((f) => path.join(folder, f));
  const haveDicts = dictFiles.every((f) => existsSync(f));
  return { vocab: haveDicts ? toVocab(readKgDict(dictFiles[0]!), readKgDict(dictFiles[1]!)) : toVocab([], []), haveDicts };
}

/**
 * Reads a graph folder: `entities.dict` and `relations.dict` when both exist (ids as there; every
 * name in the splits must be in them), otherwise ids assigned in order of first appearance over
 * train, valid, test. All three split files must exist.
 * @example
 *   const kg = readKgFolder('../shared/datasets/wn18rr');
 *   kg.train.length; // 86835
 */
export function readKgFolder(folder: string, options: ReadOptions = {}): KgDataset {
  const bad = new BadLines(options.onBadLine);
  const { vocab, haveDicts } = folderVocab(folder);
  const split = (name: string): Triple[] => {
    const file = path.join(folder, `${name}.txt`);
    if (!existsSync(file)) throw new DataError(`${file}: missing; a triples folder needs train.txt, valid.txt and test.txt`);
    return readTriplesFile(file, vocab, bad, !haveDicts);
  };
  const train = split('train');
  const valid = split('valid');
  const test = split('test');
  return { vocab, train, valid, test, skipped: bad.skipped };
}

/** A true triple by names between two described entities (link prediction's example). */
export interface TripleExample {
  readonly id: string;
  /** Entity names (only compared for equality: the same name is the same entity). */
  readonly head: string;
  readonly relation: string;
  readonly tail: string;
  /** The entities' text descriptions, which an encoder reads (a triples folder has none: the names). */
  readonly headText: string;
  readonly tailText: string;
  readonly source: SourcePosition;
  /** Every known triple of the graph (all splits; one array shared by its examples): the ranking filter. */
  readonly graph?: readonly Pick<TripleExample, 'head' | 'relation' | 'tail'>[];
}

/**
 * The splits of a triples folder as named examples: train.txt → train, valid.txt → dev, test.txt →
 * test (ids as `readKgFolder` reads them). Each example's `graph` is the whole folder's triples.
 * @throws DataError as readKgFolder.
 */
export function readTripleExamples(
  folder: string,
  options: ReadOptions = {},
): Record<'train' | 'dev' | 'test', TripleExample[]> & { skipped: SkippedLine[] } {
  const bad = new BadLines(options.onBadLine);
  const { vocab, haveDicts } = folderVocab(folder);
  const graph: TripleExample[] = []; // filled as the splits are read
  const split = (name: string): TripleExample[] => {
    const file = path.join(folder, `${name}.txt`);
    if (!existsSync(file)) throw new DataError(`${file}: missing; a triples folder needs train.txt, valid.txt and test.txt`);
    const lines: number[] = [];
    return readTriplesFile(file, vocab, bad, !haveDicts, lines).map((t, i) => {
      const [head, relation, tail] = [vocab.entities[t.head]!, vocab.relations[t.relation]!, vocab.entities[t.tail]!];
      const e = { id: `${name}:${i}`, head, relation, tail, headText: head, tailText: tail, source: { file, line: lines[i]! }, graph };
      graph.push(e);
      return e;
    });
  };
  return { train: split('train'), dev: split('valid'), test: split('test'), skipped: bad.skipped };
}
