/**
 * The rows being decoded, shared by the searches (./greedy.ts, ./beam-search.ts): each row's tokens
 * left-padded to one length with its attention mask, the key/value cache, and the step that turns
 * them into next-token scores. Rows are dropped (a finished row) or reordered (beams) with `select`,
 * which reorders the cache with them. Every model call runs under `inferenceMode`, so the searches may
 * await between steps (streaming, asynchronous decoding of the text so far).
 */
import { ConfigError } from '../errors.js';
import { inferenceMode, tensor, tidy, type Tensor } from '../tensor/index.js';
import type { KeyValueCache } from './cache.js';
import type { Prompts, StepDecoder } from './decoder.js';

export class DecodingBatch implements Disposable {
  /** Per row: left-padded token ids, prompt then generated. */
  private ids: number[][];
  /** Per row: 1 = real token, 0 = padding, as long as `ids`. */
  private mask: number[][];
  /** Per row: the input row it continues. */
  private source: number[];
  /** The cache, when the keys and values of earlier tokens are reused. */
  private cache: KeyValueCache | undefined;
  /** Trailing tokens of each row not yet in the cache (T of the next step). */
  private pending: number;

  /**
   * @param prompts the input rows (at least one token each).
   * @param rowSource the input row each decoding row continues (beam search repeats rows).
   * @param padTokenId what pads the shorter prompts on the left.
   * @throws ConfigError for an empty prompt.
   */
  constructor(
    private readonly decoder: StepDecoder,
    prompts: Prompts,
    rowSource: readonly number[],
    padTokenId: number,
    useCache: boolean,
  ) {
    prompts.forEach((p, i) => {
      if (p.length === 0) throw new ConfigError(`generate: prompt ${i} has no token; start it with the model's BOS token`);
    });
    const width = Math.max(...rowSource.map((r) => (prompts[r] as readonly number[]).length));
    this.source = [...rowSource];
    this.ids = this.source.map((r) => {
      const p = prompts[r] as readonly number[];
      return [...new Array<number>(width - p.length).fill(padTokenId), ...p];
    });
    this.mask = this.source.map((r) => {
      const n = (prompts[r] as readonly number[]).length;
      return [...new Array<number>(width - n).fill(0), ...new Array<number>(n).fill(1)];
    });
    this.pending = width;
    this.cache = useCache ? inferenceMode(() => decoder.startCache(this.source)) : undefined;
  }

  /** R: rows being decoded. */
  get rows(): number {
    return this.ids.length;
  }

  /**
   * Runs the model and returns each row's next-token scores (V floats; the arrays may be changed).
   * With the cache, on the tokens not yet seen; without, on the whole rows with a fresh cache.
   */
  scores(): Float32Array[] {
    const R = this.rows;
    if (R === 0) return [];
    const flat = this.step((logits) => logits.to('float32').dataSync() as Float32Array); // a fresh copy of the tensor's data
    const V = flat.length / R;
    return Array.from({ length: R }, (_, r) => flat.subarray(r * V, (r + 1) * V));
  }

  /**
   * Runs the model as `scores` does and hands the (R, V) logits tensor to `read`, which returns what
   * the search needs on the host (the chosen ids, the best candidates) so that the whole R × V scores
   * need not be read back; every tensor made is freed afterwards. Needs at least one row.
   */
  step<T>(read: (logits: Tensor) => T): T {
    const R = this.rows;
    const width = (this.ids[0] as number[]).length;
    const T = this.cache === undefined ? width : this.pending;
    const out = inferenceMode(() =>
      tidy(() => {
        const newIds = new BigInt64Array(R * T);
        this.ids.forEach((row, r) => {
          for (let t = 0; t < T; t++) newIds[r * T + t] = BigInt(row[width - T + t] as number);
        });
        const inputIds = tensor(newIds, {}, [R, T]);
        // no mask when no row is padded (padding is on the left, so a padded row starts with a 0)
        const padded = this.mask.some((row) => row[0] === 0);
        const attentionMask = padded ? tensor(BigInt64Array.from(this.mask.flat(), BigInt), {}, [R, width]) : undefined;
        const cache = this.cache ?? this.decoder.startCache(this.source);
        try {
          return read(this.decoder.step(inputIds, attentionMask, cache));
        } finally {
          if (cache !== this.cache) cache.dispose();
        }
      }),
    );
    this.pending = 0;
    return out;
  }

  /** Appends one token to each row (`tokens[r]` to row r), a real token in the mask. */
  append(tokens: readonly number[]): void {
    this.ids.forEach((row, r) => row.push(tokens[r] as number));
    for (const row of this.mask) row.push(1);
    this.pending += 1;
  }

  /** Keeps the rows `index` names, in that order (a row may come twice: beams), and the cache's with them. */
  select(index: readonly number[]): void {
    if (index.length === this.rows && index.every((i, r) => i === r)) return;
    this.ids = index.map((i) => [...(this.ids[i] as number[])]);
    this.mask = index.map((i) => [...(this.mask[i] as number[])]);
    this.source = index.map((i) => this.source[i] as number);
    if (this.cache !== undefined && index.length > 0) {
      const cache = this.cache;
      inferenceMode(() => tidy(() => cache.reorder(tensor(Int32Array.from(index)).to('int64'))));
    }
  }

  dispose(): void {
    this.cache?.dispose();
    this.cache = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
