/**
 * The plain examples that readers produce: strings only, no tensors, no tokenization. Labels stay
 * the strings written in the file (a class name, "0"/"1", a score such as "3.800", a `#`-joined
 * multi-intent); the task type decides how to map or parse them, and can name `source` when a
 * label is unusable.
 */

/** Where an example starts: a file path as given to the reader, and a 1-based line number. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
}

/** `file:line`, the form every data error message uses. */
export function formatPosition(p: SourcePosition): string {
  return `${p.file}:${p.line}`;
}

/** One text with an optional label (sentence classification, regression on one text, a seq2seq target). */
export interface TextExample {
  readonly id: string;
  readonly text: string;
  readonly label?: string;
  /**
   * Every reference target of the text, `label` first, when the data gives several (SciTLDR's 2–4
   * TL;DRs of a test paper): evaluation scores a generated text against all of them. Absent: `label` is the only one.
   */
  readonly references?: readonly string[];
  readonly source: SourcePosition;
}

/** Two texts with an optional label (similarity, entailment, paraphrase). */
export interface TextPairExample {
  readonly id: string;
  readonly textA: string;
  readonly textB: string;
  readonly label?: string;
  readonly source: SourcePosition;
}

/** A token sequence with one tag per token (`tokens.length === tags.length`, checked by every reader). */
export interface TaggedExample {
  readonly id: string;
  readonly tokens: readonly string[];
  readonly tags: readonly string[];
  readonly source: SourcePosition;
  /**
   * (tokens.length) the 1-based line of each word in `source.file`, for formats that write one word a
   * line (CoNLL), so an error about one word's tag names that word's line; absent where the words
   * share `source.line` (one sentence a line) or no longer match the file (augmented copies).
   */
  readonly wordLines?: readonly number[];
}

/** Where word `k` (0-based) of `e` is written: its own line when the format has one a word, else the example's. */
export function wordPosition(e: TaggedExample, k: number): SourcePosition {
  const line = e.wordLines?.[k];
  return line === undefined ? e.source : { file: e.source.file, line };
}

/** A tagged utterance with its intent (joint intent detection + slot filling); usable wherever a TaggedExample is. */
export interface JointExample extends TaggedExample {
  /** The intent as written, e.g. `atis_flight#atis_airfare`; see `splitIntents`. */
  readonly intent: string;
}

/** The splits of a task's data, in the order they are read. */
export const SPLITS = ['train', 'dev', 'test'] as const;
export type Split = (typeof SPLITS)[number];
