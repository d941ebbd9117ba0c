/**
 * Entity-level (chunk) precision / recall / F1 for sequence labelling, with the semantics of the
 * CoNLL-2000 shared task's `conlleval.pl` (Tjong Kim Sang & Buchholz, CoNLL 2000; the script used
 * by CoNLL-2003 NER and the ATIS/SNIPS slot-filling literature): a predicted chunk is correct only
 * when its start, end and type all equal a gold chunk's.
 *
 * Tags are read as conlleval reads them: the text before the first "-" is the chunk tag (B, I, O,
 * E, S, …), the rest the type ("B-city_name" → B, "city_name"; "O" → O with no type). Chunks are
 * found with conlleval's `startOfChunk` / `endOfChunk` rules, so for BIO / IOB2 (and IOB1) tags the
 * result is conlleval's: an I-X after O, or after a tag of another type, starts a new chunk, and B-X
 * always starts one. E- and S- tags (IOE, IOBES) are read with the extra rules of seqeval's default
 * mode (a chunk ends after E- or S-; S- starts one), where conlleval itself would merge "S-X S-X".
 * Any tag other than O whose type differs from the previous tag's starts a chunk, as in conlleval
 * (so a stray "UNK" after "B-X" is a chunk of type ""). Sentences are scored separately.
 * Scores are fractions in [0, 1] (conlleval prints percentages).
 */
import { ShapeError } from '../errors.js';
import { checkSameLength, scoresFromCounts } from './classification.js';

/** A chunk (entity span): tokens `start` ≤ i < `end` of one sentence, of type `type`. */
export interface Chunk {
  type: string;
  start: number;
  end: number;
}

/** Splits a tag as conlleval's `/^([^-]*)-(.*)$/`: prefix before the first "-", type after it. */
function splitTag(tag: string): [prefix: string, type: string] {
  const dash = tag.indexOf('-');
  return dash < 0 ? [tag, ''] : [tag.slice(0, dash), tag.slice(dash + 1)];
}

/** conlleval's `endOfChunk`, with seqeval's E-/S- rules: does a chunk end before the current tag? */
function endsChunk(prevTag: string, tag: string, prevType: string, type: string): boolean {
  if (prevTag === 'E' || prevTag === 'S' || prevTag === ']' || prevTag === '[') return true;
  if ((prevTag === 'B' || prevTag === 'I') && (tag === 'B' || tag === 'S' || tag === 'O')) return true;
  return prevTag !== 'O' && prevTag !== '.' && prevType !== type;
}

/** conlleval's `startOfChunk`, with seqeval's E-/S- rules: does a chunk start at the current tag? */
function startsChunk(prevTag: string, tag: string, prevType: string, type: string): boolean {
  if (tag === 'B' || tag === 'S' || tag === '[' || tag === ']') return true;
  if ((tag === 'I' || tag === 'E') && (prevTag === 'O' || prevTag === 'E' || prevTag === 'S')) return true;
  return tag !== 'O' && tag !== '.' && prevType !== type;
}

/**
 * The chunks of one sentence's tags, in order, as conlleval finds them.
 * @example extractChunks(['B-PER', 'I-PER', 'O', 'I-LOC']) // [{type: 'PER', start: 0, end: 2}, {type: 'LOC', start: 3, end: 4}]
 */
export function extractChunks(tags: readonly string[]): Chunk[] {
  const chunks: Chunk[] = [];
  let prevTag = 'O';
  let prevType = '';
  let start = -1;
  tags.forEach((full, i) => {
    const [tag, type] = splitTag(full);
    const starts = startsChunk(prevTag, tag, prevType, type);
    // conlleval counts a chunk when it starts, so a start with no end (only odd tags do that) still
    // closes the open chunk here.
    if (start >= 0 && (starts || endsChunk(prevTag, tag, prevType, type))) {
      chunks.push({ type: prevType, start, end: i });
      start = -1;
    }
    if (starts) start = i;
    prevTag = tag;
    prevType = type;
  });
  // The sentence boundary closes the last chunk (conlleval reads it as an "O").
  if (start >= 0) chunks.push({ type: prevType, start, end: tags.length });
  return chunks;
}

/**
 * BIO tags with every I-X that conlleval reads as a chunk start (after O, at the sentence start or
 * after a tag of another type) turned into B-X, so that the chunks are unchanged and the sequence is
 * valid IOB2. Other tags pass through. For decoding token-classification predictions.
 * @example repairBio(['I-PER', 'I-PER', 'B-LOC', 'I-ORG']) // ['B-PER', 'I-PER', 'B-LOC', 'B-ORG']
 */
export function repairBio(tags: readonly string[]): string[] {
  let prevTag = 'O';
  let prevType = '';
  return tags.map((full) => {
    const [tag, type] = splitTag(full);
    const out = tag === 'I' && startsChunk(prevTag, tag, prevType, type) ? `B-${type}` : full;
    prevTag = tag;
    prevType = type;
    return out;
  });
}

/** Chunk counts and scores of one type, or of all types together. */
export interface EntityScores {
  precision: number;
  recall: number;
  f1: number;
  /** Chunks in the predictions (conlleval's "found guessed"). */
  predicted: number;
  /** Chunks in the gold tags ("found correct"); the support. */
  gold: number;
  /** Predicted chunks with the same start, end and type as a gold chunk ("correct chunks"). */
  correct: number;
}

/** Entity scores overall and per type, as `sequenceLabelingScores` and `surfaceFormScores` give them. */
export interface TypedEntityScores {
  /** Micro-averaged over all chunks (conlleval's overall line; the usual "slot F1" / "NER F1"). */
  overall: EntityScores;
  /** Per chunk type, for every type seen in gold or predictions, sorted by type. */
  perType: Record<string, EntityScores>;
}

/** conlleval's scores: entity scores overall and per type, and token accuracy. */
export interface SequenceLabelingScores extends TypedEntityScores {
  /** Fraction of tokens whose predicted tag equals the gold tag exactly (conlleval's "accuracy"). */
  tokenAccuracy: number;
  /** Number of tokens scored. */
  tokens: number;
}

const chunkKey = (c: Chunk): string => `${c.start}:${c.end}:${c.type}`;

interface Tally {
  predicted: number;
  gold: number;
  correct: number;
}

function entityScoresFrom(t: Tally): EntityScores {
  const s = scoresFromCounts(t.correct, t.predicted, t.gold);
  return { precision: s.precision, recall: s.recall, f1: s.f1, ...t };
}

/** Adds one sentence's chunk counts to the overall and per-type tallies. */
function tallySentence(gold: readonly string[], pred: readonly string[], overall: Tally, perType: Map<string, Tally>): void {
  const tallyOf = (type: string): Tally => {
    let t = perType.get(type);
    if (t === undefined) perType.set(type, (t = { predicted: 0, gold: 0, correct: 0 }));
    return t;
  };
  const goldKeys = new Set<string>();
  for (const c of extractChunks(gold)) {
    goldKeys.add(chunkKey(c));
    overall.gold++;
    tallyOf(c.type).gold++;
  }
  for (const c of extractChunks(pred)) {
    const t = tallyOf(c.type);
    overall.predicted++;
    t.predicted++;
    if (goldKeys.has(chunkKey(c))) {
      overall.correct++;
      t.correct++;
    }
  }
}

/**
 * conlleval's scores over sentences of tags: `gold[s][i]` and `pred[s][i]` tag token i of sentence s.
 * Precision = correct / predicted chunks, recall = correct / gold chunks, F1 their harmonic mean
 * (0 when undefined); token accuracy is NaN for no tokens.
 */
export function sequenceLabelingScores(gold: readonly (readonly string[])[], pred: readonly (readonly string[])[]): SequenceLabelingScores {
  checkSameLength(gold, pred, 'sequenceLabelingScores (sentences)');
  const overall: Tally = { predicted: 0, gold: 0, correct: 0 };
  const perTypeTally = new Map<string, Tally>();
  let tokens = 0;
  let rightTokens = 0;
  gold.forEach((g, s) => {
    const p = pred[s]!;
    checkSameLength(g, p, `sequenceLabelingScores (tokens of sentence ${s})`);
    tallySentence(g, p, overall, perTypeTally);
    tokens += g.length;
    for (let i = 0; i < g.length; i++) if (g[i] === p[i]) rightTokens++;
  });
  const perType: Record<string, EntityScores> = {};
  for (const type of [...perTypeTally.keys()].sort()) perType[type] = entityScoresFrom(perTypeTally.get(type)!);
  return { overall: entityScoresFrom(overall), perType, tokenAccuracy: rightTokens / tokens, tokens };
}

/** Overall entity-level F1 (conlleval), the usual single number for NER and slot filling. */
export function entityF1(gold: readonly (readonly string[])[], pred: readonly (readonly string[])[]): number {
  return sequenceLabelingScores(gold, pred).overall.f1;
}

/**
 * WNUT-17's second measure, surface-form precision / recall / F1 (Derczynski et al., "Results of the
 * WNUT2017 Shared Task on Novel and Emerging Entity Recognition", W-NUT 2017; the task's wnuteval.py
 * with surface forms on): each distinct (entity words, type) pair counts once, however often it
 * occurs. Gold forms are the distinct pairs of the gold chunks, predicted forms those of the
 * predicted chunks, and correct forms those of the predicted chunks that equal a gold chunk in
 * start, end and type (so a form is correct when it was found right at least once). Precision =
 * correct / predicted forms, recall = correct / gold forms; overall over every type, and per type.
 * Chunks are read as `extractChunks` reads them.
 * @param words `words[s][i]` is word i of sentence s, whose gold and predicted tags are `gold[s][i]`
 *   and `pred[s][i]`.
 * @throws ShapeError when the sentence or word counts differ.
 */
export function surfaceFormScores(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
  words: readonly (readonly string[])[],
): TypedEntityScores {
  checkSameLength(gold, pred, 'surfaceFormScores (sentences)');
  if (words.length !== gold.length)
    throw new ShapeError(`surfaceFormScores: ${gold.length} sentences of tags but ${words.length} of words`);
  const forms = {
    gold: new Map<string, Set<string>>(),
    predicted: new Map<string, Set<string>>(),
    correct: new Map<string, Set<string>>(),
  };
  const add = (into: Map<string, Set<string>>, c: Chunk, w: readonly string[]) => {
    let set = into.get(c.type);
    if (set === undefined) into.set(c.type, (set = new Set()));
    set.add(w.slice(c.start, c.end).join('\u0000'));
  };
  gold.forEach((g, s) => {
    const p = pred[s]!;
    const w = words[s]!;
    checkSameLength(g, p, `surfaceFormScores (tokens of sentence ${s})`);
    if (w.length !== g.length) throw new ShapeError(`surfaceFormScores: sentence ${s} has ${g.length} tags but ${w.length} words`);
    const goldKeys = new Set<string>();
    for (const c of extractChunks(g)) {
      goldKeys.add(chunkKey(c));
      add(forms.gold, c, w);
    }
    for (const c of extractChunks(p)) {
      add(forms.predicted, c, w);
      if (goldKeys.has(chunkKey(c))) add(forms.correct, c, w);
    }
  });
  const size = (m: Map<string, Set<string>>, type: string) => m.get(type)?.size ?? 0;
  const total = (m: Map<string, Set<string>>) => [...m.values()].reduce((n, set) => n + set.size, 0);
  const perType: Record<string, EntityScores> = {};
  for (const type of [...new Set([...forms.gold.keys(), ...forms.predicted.keys()])].sort())
    perType[type] = entityScoresFrom({
      predicted: size(forms.predicted, type),
      gold: size(forms.gold, type),
      correct: size(forms.correct, type),
    });
  const overall = entityScoresFrom({ predicted: total(forms.predicted), gold: total(forms.gold), correct: total(forms.correct) });
  return { overall, perType };
}
