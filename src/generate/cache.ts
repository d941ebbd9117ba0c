/**
 * The key/value cache of incremental decoding (Hugging Face's `past_key_values`; llama2.c's
 * per-layer key/value cache): what each attention layer computed for the tokens already seen, so a
 * decoding step runs the model on the new tokens only and attends to the cached keys and values.
 *
 * Family-independent: a decoder-only family (gpt2, llama) fills `selfAttention` entries that grow by
 * the new tokens at every step; an encoder-decoder family (t5, bart) also keeps cross-attention keys
 * and values computed once from the encoder states (`staticEntry`), and any other per-row tensor it
 * needs across steps (the encoder's attention mask) under a name (`rowTensor`). Beam search reorders
 * every row-indexed tensor at once (`reorder`). The cache owns its tensors: they are `keep()`-ed out
 * of every tidy scope and freed by `dispose()` (or by being replaced).
 */
import { ConfigError, ShapeError } from '../errors.js';
import { cat, indexSelect, keep, type Tensor } from '../tensor/index.js';

/** Keys and values of one attention layer, (R, nkv, T, hs) each (R rows, nkv key/value heads, hs head size). */
export interface KeyValues {
  readonly key: Tensor;
  readonly value: Tensor;
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

export class KeyValueCache implements Disposable {
  /** Self-attention keys/values per layer, growing along T (dim 2). */
  private readonly self = new Map<number, KeyValues>();
  /** Entries computed once per generation (cross-attention keys/values), by a name the family chooses. */
  private readonly statics = new Map<string, KeyValues>();
  /** Other per-row tensors (R, …) kept across steps (an encoder's attention mask), by name. */
  private readonly rows = new Map<string, Tensor>();
  private disposed = false;

  /** P: tokens whose keys and values the self-attention layers hold (0 before the first step). */
  get length(): number {
    const first = this.self.values().next().value;
    return first === undefined ? 0 : (first.key.shape[2] as number);
  }

  /**
   * Appends a step's self-attention keys and values of `layer` and returns the whole of them, past
   * and new: (R, nkv, P + T, hs) each, owned by the cache (do not dispose them).
   * @param key (R, nkv, T, hs) keys of the new tokens (already rotated, for rotary families).
   * @param value (R, nkv, T, hs).
   * @throws ShapeError when the new keys do not continue the cached ones (other rows, heads or head size).
   */
  update(layer: number, key: Tensor, value: Tensor): KeyValues {
    this.checkOpen();
    const past = this.self.get(layer);
    let next: KeyValues;
    if (past === undefined) {
      next = { key: keep(key.contiguous()), value: keep(value.contiguous()) };
    } else {
      const [R, nkv, , hs] = past.key.shape;
      const s = key.shape;
      if (s.length !== 4 || s[0] !== R || s[1] !== nkv || s[3] !== hs)
        throw new ShapeError(`layer ${layer}: new keys ${shapeText(s)} do not continue the cached keys ${shapeText(past.key.shape)}`);
      next = { key: keep(cat([past.key, key], 2)), value: keep(cat([past.value, value], 2)) };
      past.key.dispose();
      past.value.dispose();
    }
    this.self.set(layer, next);
    return next;
  }

  /**
   * The entry `name` (cross-attention keys/values of a layer), computed by `compute` at the first
   * call and cached for the rest of the generation. The cache takes ownership of what `compute` returns.
   */
  staticEntry(name: string, compute: () => KeyValues): KeyValues {
    this.checkOpen();
    let entry = this.statics.get(name);
    if (entry === undefined) {
      const made = compute();
      entry = { key: keep(made.key), value: keep(made.value) };
      this.statics.set(name, entry);
    }
    return entry;
  }

  /** The per-row tensor `name` (R, …), if set. Owned by the cache. */
  rowTensor(name: string): Tensor | undefined {
    return this.rows.get(name);
  }

  /** Stores a per-row tensor (R, …) under `name`, taking ownership (a previous one is freed); reordered with the rest. */
  setRowTensor(name: string, t: Tensor): void {
    this.checkOpen();
    this.rows.get(name)?.dispose();
    this.rows.set(name, keep(t));
  }

  /**
   * Keeps, in this order, the rows `index` names of every row-indexed tensor (beam search: the beams
   * that survive a step, each continuing the row it came from).
   * @param index (R') int64 row indices into the current R rows.
   */
  reorder(index: Tensor): void {
    this.checkOpen();
    const pick = (t: Tensor): Tensor => {
      const picked = keep(indexSelect(t, 0, index));
      t.dispose();
      return picked;
    };
    for (const [layer, kv] of this.self) this.self.set(layer, { key: pick(kv.key), value: pick(kv.value) });
    for (const [name, kv] of this.statics) this.statics.set(name, { key: pick(kv.key), value: pick(kv.value) });
    for (const [name, t] of this.rows) this.rows.set(name, pick(t));
  }

  /** Frees every tensor the cache holds; the cache cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const kv of [...this.self.values(), ...this.statics.values()]) {
      kv.key.dispose();
      kv.value.dispose();
    }
    for (const t of this.rows.values()) t.dispose();
    this.self.clear();
    this.statics.clear();
    this.rows.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private checkOpen(): void {
    if (this.disposed) throw new ConfigError('this key/value cache was disposed; start a new one for a new generation');
  }
}
