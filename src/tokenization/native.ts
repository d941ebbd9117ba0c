/**
 * What this package uses of the `tokenizers` package's `Tokenizer` and `Encoding`, as structural types
 * of its own. The published declarations (dist/**.d.ts) therefore never import `tokenizers`' index.d.ts,
 * which does not type-check (undeclared `InputSequence`, `Merges`, initializers in declarations): a
 * TypeScript consumer compiles with `skipLibCheck: false`. The package's objects satisfy these types;
 * cast `Tokenizer.hf` to `import('tokenizers').Tokenizer` for the rest of its API.
 */

/** The getters of a native encoding that ./encoding.ts reads (each array of length T). */
export interface NativeEncoding {
  getIds(): number[];
  getTypeIds(): number[];
  /** Per token [start, end) in Unicode code points of its own sequence. */
  getOffsets(): number[][];
  getWordIds(): (number | undefined | null)[];
  getSequenceIds(): (number | undefined | null)[];
  /** The encodings cut off by truncation (only their number is read). */
  getOverflowing(): unknown[];
}

/** The methods of a `tokenizers` Tokenizer that ./tokenizer.ts calls. */
export interface NativeTokenizer {
  getVocab(withAddedTokens?: boolean | null): Record<string, number>;
  tokenToId(token: string): number | null;
  idToToken(id: number): string | null;
  addSpecialTokens(tokens: string[]): void;
  disablePadding(): void;
  disableTruncation(): void;
  setTruncation(maxLength: number, options?: { direction?: string; stride?: number } | null): void;
  encode(sentence: string, pair?: string | null): Promise<NativeEncoding>;
  encodeBatch(sentences: string[], options?: { addSpecialTokens?: boolean }): Promise<NativeEncoding[]>;
  decode(ids: number[], skipSpecialTokens: boolean): Promise<string>;
  save(path: string, pretty?: boolean | null): void;
}
