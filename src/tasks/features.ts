/**
 * What every task type shares between examples and tensors: label maps, truncation of encodings to
 * a maximum length, features from an encoding, and padding of features into (B, T) int64 tensors.
 */
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { tensor, type Tensor } from '../tensor/index.js';
import type { Encoding, Tokenizer } from '../tokenization/index.js';
import { checkInteger } from '../tokenization/options.js';
import type { BatchInputs, Features, TaskSpec } from './types.js';
import { padWordChars } from './word-chars.js';

/**
 * label → id of a spec's label list.
 * @throws ConfigError for an empty list, an empty label or a label listed twice.
 */
export function labelIndex(spec: Pick<TaskSpec, 'name' | 'labels'>): Map<string, number> {
  if (spec.labels.length === 0) throw new ConfigError(`task '${spec.name}': the label list is empty; give at least one label`);
  const index = new Map<string, number>();
  spec.labels.forEach((label, id) => {
    if (typeof label !== 'string' || label === '') throw new ConfigError(`task '${spec.name}': label ${id} must be a non-empty string`);
    const first = index.get(label);
    if (first !== undefined) throw new ConfigError(`task '${spec.name}': label '${label}' is listed twice (ids ${first} and ${id})`);
    index.set(label, id);
  });
  return index;
}

/** The tokens of sequence `s` (0 or 1) in an encoding, by position. */
function positionsOf(e: Encoding, s: number): number[] {
  const out: number[] = [];
  e.sequenceIds.forEach((id, t) => {
    if (id === s) out.push(t);
  });
  return out;
}

/** Which end of a text loses tokens when an encoding is too long (Hugging Face's `truncation_side`). */
export type TruncationSide = 'right' | 'left';

/**
 * `e` cut to at most `maxLength` tokens, special tokens kept: tokens are removed from the longer
 * sequence first (Hugging Face's `longest_first`; ties cut the second text), from its end (`side`
 * 'right', the default) or its start ('left': a dialogue context keeps its latest turns). Returns `e`
 * itself when it fits. Done here rather than by the tokenizer, whose length limit is shared state.
 * @throws ConfigError when `maxLength` leaves no room for one token of each sequence besides the special tokens.
 */
export function truncateEncoding(e: Encoding, maxLength: number, side: TruncationSide = 'right'): Encoding {
  checkInteger('featurize', 'maxLength', maxLength, 1);
  const T = e.inputIds.length;
  if (T <= maxLength) return e;
  const first = positionsOf(e, 0);
  const second = positionsOf(e, 1);
  const special = T - first.length - second.length;
  const room = maxLength - special;
  const sequences = second.length > 0 ? 2 : 1;
  if (room < sequences) {
    throw new ConfigError(
      `maxLength (${maxLength}) is too short: the input has ${special} special tokens and ${sequences} text(s); use at least ${special + sequences}`,
    );
  }
  let [n1, n2] = [first.length, second.length];
  while (n1 + n2 > room) {
    if (n1 > n2) n1--;
    else n2--;
  }
  const cut = (positions: readonly number[], n: number) =>
    side === 'right' ? positions.slice(n) : positions.slice(0, positions.length - n);
  const drop = new Set([...cut(first, n1), ...cut(second, n2)]);
  const keep = <X>(xs: readonly X[]): X[] => xs.filter((_, t) => !drop.has(t));
  return {
    inputIds: keep(e.inputIds),
    attentionMask: keep(e.attentionMask),
    tokenTypeIds: keep(e.tokenTypeIds),
    specialTokensMask: keep(e.specialTokensMask),
    tokens: keep(e.tokens),
    offsets: keep(e.offsets),
    wordIds: keep(e.wordIds),
    sequenceIds: keep(e.sequenceIds),
    truncated: true,
  };
}

/**
 * The truncation fields of a feature whose encoding `full` was cut to `kept` (`truncateEncoding`):
 * `truncated`, and when it is set, `readChars`: for each sequence, the end offset (UTF-16 units of
 * that sequence's text) of its last kept token, or null for a sequence that lost no token.
 */
export function truncationOf(full: Encoding, kept: Encoding): Pick<Features, 'truncated' | 'readChars'> {
  if (!kept.truncated) return { truncated: false };
  const sequences = full.sequenceIds.some((s) => s === 1) ? 2 : 1;
  const readChars = Array.from({ length: sequences }, (_, s): number | null => {
    const read = positionsOf(kept, s);
    if (read.length === positionsOf(full, s).length) return null;
    return read.length === 0 ? 0 : kept.offsets[read.at(-1)!]![1];
  });
  return { truncated: true, readChars };
}

/** Checks a batch of features before padding: non-empty, each with inputIds (and tokenTypeIds, when given) of one length. */
export function checkFeatures(features: readonly Features[], where: string): void {
  if (features.length === 0) throw new ShapeError(`${where}: no features to collate; a batch needs at least one`);
  for (const f of features) {
    const types = f.tokenTypeIds?.length ?? f.inputIds.length;
    if (f.inputIds.length === 0 || f.inputIds.length !== types) {
      throw new ShapeError(
        `${where}: example ${f.exampleIndex} has ${f.inputIds.length} input ids and ${types} token type ids; expected the same non-zero number`,
      );
    }
  }
}

/** Whether a feature has a segment id other than 0 (the second text of a pair). */
const hasSegments = (f: Features): boolean => f.tokenTypeIds?.some((t) => t !== 0) ?? false;

/** Whether two features have the same segment ids (absent = all 0). */
export function sameSegments(a: Features, b: Features): boolean {
  if (!hasSegments(a) && !hasSegments(b)) return true;
  const [x, y] = [a.tokenTypeIds ?? [], b.tokenTypeIds ?? []];
  return x.length === y.length && x.every((t, i) => t === y[i]);
}

/** T: the length of the longest feature (every row is padded to it). */
export const longest = (features: readonly Features[]): number => features.reduce((m, f) => Math.max(m, f.inputIds.length), 0);

/**
 * (B, T) int64 tensor of rows padded with `pad` to `T` columns; `row(i)` gives row i's values
 * (at most T of them).
 */
export function paddedInt64(B: number, T: number, pad: number, row: (i: number) => readonly number[]): Tensor {
  const flat = new BigInt64Array(B * T).fill(BigInt(pad));
  for (let i = 0; i < B; i++) {
    const values = row(i);
    for (let t = 0; t < values.length; t++) flat[i * T + t] = BigInt(values[t] as number);
  }
  return tensor(flat, {}, [B, T]);
}

/**
 * Pads features to the longest (dynamic padding): inputIds and tokenTypeIds with 0, attentionMask 1
 * on real tokens and 0 on padding. The padding id does not matter: masked positions are attended by
 * nothing and their outputs are ignored (labels -100). tokenTypeIds only when some feature has a
 * segment id other than 0 (text pairs); otherwise absent, which the backbones read as all 0.
 */
export function padInputs(features: readonly Features[], charFeatures: readonly Features[] = features): BatchInputs {
  checkFeatures(features, 'collate');
  const B = features.length;
  const T = longest(features);
  const at = (i: number): Features => features[i] as Features;
  const wordCharIds = padWordChars(charFeatures, T); // (B, T, L), when a task reads characters
  return {
    inputIds: paddedInt64(B, T, 0, (i) => at(i).inputIds),
    attentionMask: paddedInt64(B, T, 0, (i) => at(i).inputIds.map(() => 1)),
    ...(features.some(hasSegments) ? { tokenTypeIds: paddedInt64(B, T, 0, (i) => at(i).tokenTypeIds ?? []) } : {}),
    ...(wordCharIds === undefined ? {} : { wordCharIds }),
  };
}

/** Checks that given shared inputs fit `features` ((B, T) with T the longest). */
export function checkInputsFit(inputs: BatchInputs, features: readonly Features[]): void {
  const [B, T] = inputs.inputIds.shape;
  if (B !== features.length || T !== longest(features)) {
    throw new ShapeError(
      `collate: the shared inputs are [${inputs.inputIds.shape.join(', ')}] but the features need [${features.length}, ${longest(features)}]; ` +
        'pass the inputs padded from these same features',
    );
  }
}

/** The example of a feature, or a DataError saying the features were made from another example array. */
export function exampleOf<E>(examples: readonly E[], f: Features): E {
  const e = examples[f.exampleIndex];
  if (e === undefined) {
    throw new DataError(
      `feature of example ${f.exampleIndex} has no example (${examples.length} given); pass the array the features were made from`,
    );
  }
  return e;
}

/**
 * The predictions in gold order, checking that there is exactly one per gold example.
 * @throws DataError naming a missing, duplicated or out-of-range example index.
 */
export function inGoldOrder<P extends { readonly exampleIndex: number }>(predictions: readonly P[], numGold: number, where: string): P[] {
  const ordered = new Array<P | undefined>(numGold);
  for (const p of predictions) {
    const i = p.exampleIndex;
    if (!Number.isInteger(i) || i < 0 || i >= numGold)
      throw new DataError(`${where}: a prediction is for example ${i}, but there are ${numGold} gold examples`);
    if (ordered[i] !== undefined) throw new DataError(`${where}: example ${i} has two predictions`);
    ordered[i] = p;
  }
  const missing = ordered.findIndex((p) => p === undefined);
  if (missing >= 0 || predictions.length < numGold) {
    throw new DataError(
      `${where}: ${predictions.length} predictions for ${numGold} gold examples (example ${missing < 0 ? predictions.length : missing} has none); predict every example`,
    );
  }
  return ordered as P[];
}

/** What a task reads as its input: one text, a pair of texts, or pre-split words (SNIPS, ATIS, CoNLL). */
export type TextInput =
  { readonly text: string } | { readonly textA: string; readonly textB: string } | { readonly tokens: readonly string[] };

/**
 * Encodes inputs with the tokenizer's batch calls, in the order given. Pre-split words go through
 * `encodeWords` (text = the words joined by single spaces), so a classification task and a token
 * task that read the same utterance get the same ids and can share one encoder pass.
 */
export async function encodeInputs(inputs: readonly TextInput[], tokenizer: Tokenizer): Promise<Encoding[]> {
  const words: [number, readonly string[]][] = [];
  const pairs: [number, readonly [string, string]][] = [];
  const texts: [number, string][] = [];
  inputs.forEach((x, i) => {
    if ('tokens' in x) words.push([i, x.tokens]);
    else if ('textA' in x) pairs.push([i, [x.textA, x.textB]]);
    else texts.push([i, x.text]);
  });
  const [w, p, t] = await Promise.all([
    tokenizer.encodeWordsBatch(words.map(([, x]) => x)),
    tokenizer.encodePairBatch(pairs.map(([, x]) => x)),
    tokenizer.encodeBatch(texts.map(([, x]) => x)),
  ]);
  const out = new Array<Encoding>(inputs.length);
  const place = (indexed: [number, unknown][], encodings: Encoding[]) => indexed.forEach(([i], k) => (out[i] = encodings[k] as Encoding));
  place(words, w);
  place(pairs, p);
  place(texts, t);
  return out;
}
