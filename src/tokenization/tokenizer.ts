/**
 * Our tokenizer: any Hugging Face `tokenizer.json`, run by Hugging Face's own code (the `tokenizers`
 * npm package, a binding of the Rust library), behind an interface in this project's vocabulary.
 *
 * Encoding is asynchronous because the package's is (it runs on libuv's thread pool); batch methods
 * encode many inputs in one call and are the fast path for data sets.
 */
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { CheckpointError, ConfigError, DataError } from '../errors.js';
import { fromHfEncoding, type Encoding } from './encoding.js';
import type { ChatTemplateSource } from './chat-template.js';
import type { NativeTokenizer } from './native.js';
import { checkInteger, rejectUnknownKeys } from './options.js';
import { defaultSpecialNames, SPECIAL_TOKEN_ROLES, type SpecialTokenRole } from './special-tokens.js';
import { joinWords, withInputWordIds } from './words.js';

/** Options of a Tokenizer. */
export interface TokenizerOptions {
  /**
   * Most tokens in one encoding (tokens), special tokens included. Longer inputs are truncated at the
   * end (for pairs, the longer text loses tokens first) and flagged `truncated`. null: no limit.
   * Default: the `truncation.max_length` of the loaded file, else no limit.
   */
  maxLength?: number | null;
  /**
   * The names of the special tokens by role. Default: BERT's `[PAD] [UNK] [CLS] [SEP] [MASK]`, or for a
   * role whose BERT token the vocabulary lacks, RoBERTa's `<pad> <unk> <s> </s> <mask>` when it has that.
   */
  specialTokens?: Partial<Record<SpecialTokenRole, string>>;
}

const OPTION_KEYS = ['maxLength', 'specialTokens'];

/** (V) the token of each id of `hf`'s vocabulary, added tokens included. */
function vocabOf(hf: NativeTokenizer): string[] {
  const vocab: string[] = [];
  for (const [token, id] of Object.entries(hf.getVocab(true))) vocab[id] = token;
  return vocab;
}

/** A tokenizer.json loaded through the `tokenizers` package. */
export class Tokenizer {
  readonly #hf: NativeTokenizer;
  readonly #specialNames: Record<SpecialTokenRole, string>;
  #vocabSize: number;
  /** (V) token of each id, added tokens included. */
  #vocab: string[];
  #maxLength: number | null = null;
  /** The chat template of the Hugging Face folder it was loaded from (./chat-template.ts), if it has one; chat tasks render dialogues with it. */
  chatTemplate: ChatTemplateSource | undefined;
  /**
   * The `type` of the tokenizer.json's decoder ('WordPiece', 'ByteLevel', 'Metaspace', …) when it was
   * loaded from one (`fromFile`, `fromString`); undefined for `fromHf` and a tokenizer.json without one.
   * A WordPiece decoder puts a space before every word it did not join, punctuation included (`it ' s .`).
   */
  readonly decoderType: string | undefined;

  private constructor(hf: NativeTokenizer, options: TokenizerOptions, fileMaxLength: number | null, decoderType?: string) {
    rejectUnknownKeys('Tokenizer', options, OPTION_KEYS);
    rejectUnknownKeys('Tokenizer specialTokens', options.specialTokens ?? {}, SPECIAL_TOKEN_ROLES);
    this.#hf = hf;
    this.decoderType = decoderType;
    this.#vocab = vocabOf(hf);
    this.#specialNames = { ...defaultSpecialNames((t) => this.#vocab.includes(t)), ...options.specialTokens };
    this.#vocabSize = this.#vocab.length;
    hf.disablePadding(); // batches are padded by collation, not here
    this.setMaxLength(options.maxLength === undefined ? fileMaxLength : options.maxLength);
  }

  /** Loads a `tokenizer.json` file. */
  static fromFile(file: string, options: TokenizerOptions = {}): Tokenizer {
    let json: string;
    try {
      json = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CheckpointError(`cannot read tokenizer file ${file}: ${(e as Error).message}`);
    }
    return Tokenizer.fromString(json, options, file);
  }

  /** Loads a tokenizer from the text of a `tokenizer.json`; `source` names it in error messages. */
  static fromString(json: string, options: TokenizerOptions = {}, source = 'tokenizer.json text'): Tokenizer {
    let hf: HfTokenizer;
    try {
      hf = HfTokenizer.fromString(json);
    } catch (e) {
      throw new CheckpointError(`${source}: not a tokenizer.json the tokenizers package can load (${(e as Error).message})`);
    }
    const { truncation, decoder } = JSON.parse(json) as {
      truncation?: { max_length?: unknown } | null;
      decoder?: { type?: unknown } | null;
    };
    const fileMaxLength = typeof truncation?.max_length === 'number' ? truncation.max_length : null;
    return new Tokenizer(hf, options, fileMaxLength, typeof decoder?.type === 'string' ? decoder.type : undefined);
  }

  /**
   * Wraps a tokenizer built with the `tokenizers` package's classes (`new HfTokenizer(WordPiece.init(…))`),
   * typed by the methods used (`NativeTokenizer`), so these declarations need not import that package's.
   */
  static fromHf(hf: NativeTokenizer, options: TokenizerOptions = {}): Tokenizer {
    return new Tokenizer(hf, options, null);
  }

  /** Number of tokens in the vocabulary, added tokens included (V). */
  get vocabSize(): number {
    return this.#vocabSize;
  }

  /**
   * Adds `tokens` the vocabulary lacks as special tokens (Hugging Face's `add_special_tokens`): each
   * is matched whole in the raw text before normalisation and splitting, gets the next free id, and
   * is left out when decoding. Tokens it has already are kept as they are (their ids unchanged).
   * The encoder's embedding table must grow with the vocabulary (`vocabSize`).
   * @returns the number of tokens added.
   * @example
   *   tok.addSpecialTokens(['<e1>', '</e1>', '<e2>', '</e2>']); // 4, then 0 when called again
   */
  addSpecialTokens(tokens: readonly string[]): number {
    const added = [...new Set(tokens)].filter((t) => this.tokenToId(t) === null);
    if (added.length === 0) return 0;
    this.#hf.addSpecialTokens(added);
    this.#vocab = vocabOf(this.#hf);
    this.#vocabSize = this.#vocab.length;
    return added.length;
  }

  /** The maximum length of an encoding (tokens), or null for none. */
  get maxLength(): number | null {
    return this.#maxLength;
  }

  /** Sets the maximum length (tokens, special tokens included), or null for none. Not while encodes are running. */
  setMaxLength(maxLength: number | null): void {
    if (maxLength === null) {
      this.#hf.disableTruncation();
    } else {
      checkInteger('Tokenizer', 'maxLength', maxLength, 1);
      this.#hf.setTruncation(maxLength, { direction: 'right', stride: 0 });
    }
    this.#maxLength = maxLength;
  }

  /** The id of a token, or null when the vocabulary lacks it. */
  tokenToId(token: string): number | null {
    return this.#hf.tokenToId(token) ?? null;
  }

  /** The token of an id, or null when out of range. */
  idToToken(id: number): string | null {
    return this.#hf.idToToken(id) ?? null;
  }

  /** The id of a special token by role, or null when the vocabulary has no token of that name. */
  findSpecialTokenId(role: SpecialTokenRole): number | null {
    return this.tokenToId(this.#specialNames[role]);
  }

  /** The id of a special token by role; throws when the vocabulary has no token of that name. */
  specialTokenId(role: SpecialTokenRole): number {
    const name = this.#specialNames[role];
    const id = this.findSpecialTokenId(role);
    if (id === null) {
      throw new ConfigError(
        `the tokenizer has no ${role} token: "${name}" is not in its vocabulary (${this.#vocabSize} tokens); ` +
          `if it uses another name, pass specialTokens: { ${role}: '<name>' } when loading it`,
      );
    }
    return id;
  }

  get padId(): number {
    return this.specialTokenId('pad');
  }
  get unkId(): number {
    return this.specialTokenId('unk');
  }
  get clsId(): number {
    return this.specialTokenId('cls');
  }
  get sepId(): number {
    return this.specialTokenId('sep');
  }
  get maskId(): number {
    return this.specialTokenId('mask');
  }

  /** Encodes one text, with the special tokens (`[CLS] text [SEP]` for BERT). */
  async encode(text: string): Promise<Encoding> {
    return this.#checked(fromHfEncoding(await this.#hf.encode(text), [text], this.#vocab));
  }

  /** Encodes a pair of texts: `[CLS] a [SEP] b [SEP]` for BERT, token types 0 for a's part and 1 for b's. */
  async encodePair(a: string, b: string): Promise<Encoding> {
    return this.#checked(fromHfEncoding(await this.#hf.encode(a, b), [a, b], this.#vocab));
  }

  /**
   * Encodes many texts in one native call (in parallel). `addSpecialTokens: false` leaves out what the
   * post-processor adds (`[CLS] … [SEP]`, a BOS): for text that writes its special tokens itself, as a
   * rendered chat template does (Transformers' `add_special_tokens=False`).
   */
  async encodeBatch(texts: readonly string[], options: { addSpecialTokens?: boolean } = {}): Promise<Encoding[]> {
    const natives = await this.#hf.encodeBatch([...texts], { addSpecialTokens: options.addSpecialTokens ?? true });
    return natives.map((n, i) => this.#checked(fromHfEncoding(n, [texts[i] ?? ''], this.#vocab)));
  }

  /** Encodes many pairs (the package's batch call takes no pairs, so one call each, concurrently). */
  async encodePairBatch(pairs: ReadonlyArray<readonly [string, string]>): Promise<Encoding[]> {
    return Promise.all(pairs.map(([a, b]) => this.encodePair(a, b)));
  }

  /**
   * Encodes pre-split words; `wordIds` are indices into `words` and offsets index `words.join(' ')`.
   * A word whose characters the normalizer removes entirely gets no token.
   */
  async encodeWords(words: readonly string[]): Promise<Encoding> {
    const joined = joinWords(words);
    return withInputWordIds(await this.encode(joined.text), joined);
  }

  /** `encodeWords` for many sentences in one native call. */
  async encodeWordsBatch(sentences: ReadonlyArray<readonly string[]>): Promise<Encoding[]> {
    const joined = sentences.map(joinWords);
    const encodings = await this.encodeBatch(joined.map((j) => j.text));
    return encodings.map((e, i) => withInputWordIds(e, joined[i] ?? joinWords([])));
  }

  /** Text of `ids`; special tokens are left out unless `skipSpecialTokens` is false. */
  async decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): Promise<string> {
    rejectUnknownKeys('decode', options, ['skipSpecialTokens']);
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.#vocabSize) {
        throw new DataError(`decode: id ${String(id)} at position ${i} is not a token id; expected an integer in [0, ${this.#vocabSize})`);
      }
    });
    return this.#hf.decode([...ids], options.skipSpecialTokens ?? true);
  }

  /** Writes the tokenizer as `tokenizer.json` (through a temporary file, so a crash leaves no half file). */
  save(file: string): void {
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      this.#hf.save(tmp, true);
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new CheckpointError(`cannot save the tokenizer to ${file}: ${(e as Error).message}`);
    }
  }

  /**
   * The `tokenizers` package's tokenizer, for what this class does not cover. Changing it changes this
   * tokenizer. Typed by the methods this class uses; cast to `import('tokenizers').Tokenizer` for the rest.
   */
  get hf(): NativeTokenizer {
    return this.#hf;
  }

  /** Fails loudly when truncation could not honour the maximum (it is shorter than the special tokens). */
  #checked(encoding: Encoding): Encoding {
    const n = encoding.inputIds.length;
    if (this.#maxLength !== null && n > this.#maxLength) {
      const special = encoding.specialTokensMask.reduce((a, b) => a + b, 0);
      throw new ConfigError(
        `maxLength (${this.#maxLength}) is too short: the encoding has ${n} tokens, ${special} of them special tokens the post-processor ` +
          `always adds; use a maxLength above ${special}`,
      );
    }
    return encoding;
  }
}
