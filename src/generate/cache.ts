/**
 * The key/value cache of incremental decoding (Hugging Face's `past_key_values`; llama2.c's
 * per-layer key/value cache): what each attention layer computed for the tokens already seen, so a
 * decoding step runs the model on the new tokens only and attends to the cached keys and values.
 *
 * Family-independent: a decoder-only family (gpt2, llama) fills `selfAttention` entries that grow by
 * the new tokens at every step; an encoder-decoder family (t5, bart) also keeps cross-attention keys
 * and values computed once from the encoder states (`staticEntry`), any other per-row tensor it
 * needs across steps (the encoder's attention mask and its bias) under a name (`rowTensor`,
 * `rowEntry`), and tensors of no row that every step reads (T5's position bias table, `sharedEntry`).
 * Beam search reorders every row-indexed tensor at once (`reorder`). The cache owns its tensors: they are `keep()`-ed out
 * of every tidy scope and freed by `dispose()` (or by being replaced).
 *
 * Self-attention keys and values live in preallocated buffers (R, nkv, capacity, hs) that each step
 * writes in place (llama2.c's `key_cache[layer][pos]`), the layers reading a view of the filled part;
 * a full buffer doubles. Appending with `cat`, as Hugging Face's `past_key_values` do, copies the
 * whole cache at every step: (R·nkv·P·hs) floats per layer, twice, growing with P.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { indexSelect, keep, noGrad, tidy, zeros, type Tensor } from '../tensor/index.js';

/** Keys and values of one attention layer, (R, nkv, T, hs) each (R rows, nkv key/value heads, hs head size). */
export interface KeyValues {
  readonly key: Tensor;
  readonly value: Tensor;
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Tokens a layer's buffers hold beyond the first step's before they first grow (then double). */
const HEADROOM = 64;

/** One layer's self-attention buffers, (R, nkv, capacity, hs) each, and the views of their first P positions. */
interface SelfEntry {
  keyBuffer: Tensor;
  valueBuffer: Tensor;
  /** (R, nkv, P, hs) views into the buffers: what `update` returns. */
  filled: KeyValues;
}

export class KeyValueCache implements Disposable {
  /** Self-attention keys/values per layer, written in place along T (dim 2). */
  private readonly self = new Map<number, SelfEntry>();
  /** Entries computed once per generation (cross-attention keys/values), by a name the family chooses. */
  private readonly statics = new Map<string, KeyValues>();
  /** Other per-row tensors (R, …) kept across steps (an encoder's attention mask), by name. */
  private readonly rows = new Map<string, Tensor>();
  /** Tensors of no row, kept across steps and never reordered (a relative position bias table), by name. */
  private readonly shared = new Map<string, Tensor>();
  private disposed = false;

  /** P: tokens whose keys and values the self-attention layers hold (0 before the first step). */
  get length(): number {
    const first = this.self.values().next().value;
    return first === undefined ? 0 : (first.filled.key.shape[2] as number);
  }

  /**
   * Appends a step's self-attention keys and values of `layer` and returns the whole of them, past
   * and new: (R, nkv, P + T, hs) each, views into the cache's buffers, owned by the cache (do not
   * dispose them; valid until the next `update`, `reorder` or `dispose`). Written without autograd:
   * the cache serves inference only.
   * @param key (R, nkv, T, hs) keys of the new tokens (already rotated, for rotary families).
   * @param value (R, nkv, T, hs).
   * @throws ShapeError when the new keys do not continue the cached ones (other rows, heads or head size).
   */
  update(layer: number, key: Tensor, value: Tensor): KeyValues {
    this.checkOpen();
    const past = this.self.get(layer);
    const s = key.shape;
    if (s.length !== 4) throw new ShapeError(`layer ${layer}: new keys must be (R, nkv, T, hs), got ${shapeText(s)}`);
    const T = s[2] as number;
    let entry: SelfEntry;
    if (past === undefined) {
      const [R, nkv, , hs] = s as [number, number, number, number];
      const buffer = (): Tensor => keep(zeros([R, nkv, T + HEADROOM, hs], { dtype: key.dtype, device: key.device }));
      const [keyBuffer, valueBuffer] = [buffer(), buffer()];
      entry = { keyBuffer, valueBuffer, filled: { key: keep(keyBuffer.narrow(2, 0, 0)), value: keep(valueBuffer.narrow(2, 0, 0)) } };
      this.self.set(layer, entry);
    } else {
      const [R, nkv, , hs] = past.keyBuffer.shape;
      if (s[0] !== R || s[1] !== nkv || s[3] !== hs)
        throw new ShapeError(
          `layer ${layer}: new keys ${shapeText(s)} do not continue the cached keys ${shapeText(past.filled.key.shape)}`,
        );
      entry = past;
    }
    const P = entry.filled.key.shape[2] as number;
    if (P + T > (entry.keyBuffer.shape[2] as number)) this.grow(entry, 2 * (P + T));
    // the new positions written in place, outside autograd (a cache only serves inference); no copy of the past
    noGrad(() =>
      tidy(() => {
        entry.keyBuffer.narrow(2, P, T).copy_(key);
        entry.valueBuffer.narrow(2, P, T).copy_(value);
      }),
    );
    this.setFilled(entry, P + T);
    return entry.filled;
  }

  /** Moves a layer's buffers to `capacity` positions, the filled ones copied. */
  private grow(entry: SelfEntry, capacity: number): void {
    const P = entry.filled.key.shape[2] as number;
    const bigger = (old: Tensor): Tensor => {
      const [R, nkv, , hs] = old.shape as [number, number, number, number];
      const b = keep(zeros([R, nkv, capacity, hs], { dtype: old.dtype, device: old.device }));
      noGrad(() => tidy(() => b.narrow(2, 0, P).copy_(old.narrow(2, 0, P))));
      old.dispose();
      return b;
    };
    entry.keyBuffer = bigger(entry.keyBuffer);
    entry.valueBuffer = bigger(entry.valueBuffer);
  }

  /** Points a layer's views at the first `P` positions of its buffers. */
  private setFilled(entry: SelfEntry, P: number): void {
    entry.filled.key.dispose();
    entry.filled.value.dispose();
    entry.filled = { key: keep(entry.keyBuffer.narrow(2, 0, P)), value: keep(entry.valueBuffer.narrow(2, 0, P)) };
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

  /**
   * The tensor `name` that belongs to no row (a table every row reads: T5's relative position bias by
   * distance), computed by `compute` at the first call and again whenever `fits` rejects the kept one
   * (too short for this step); never reordered. The cache takes ownership of what `compute` returns.
   */
  sharedEntry(name: string, compute: () => Tensor, fits: (kept: Tensor) => boolean = () => true): Tensor {
    this.checkOpen();
    let t = this.shared.get(name);
    if (t === undefined || !fits(t)) {
      t?.dispose();
      t = keep(compute());
      this.shared.set(name, t);
    }
    return t;
  }

  /**
   * The per-row tensor `name` (R, …), computed by `compute` at the first call (an encoder mask's
   * additive bias) and reordered with the rows after that. The cache takes ownership of it.
   */
  rowEntry(name: string, compute: () => Tensor): Tensor {
    this.checkOpen();
    let t = this.rows.get(name);
    if (t === undefined) {
      t = keep(compute());
      this.rows.set(name, t);
    }
    return t;
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
    for (const entry of this.self.values()) {
      const P = entry.filled.key.shape[2] as number;
      entry.keyBuffer = pick(entry.keyBuffer);
      entry.valueBuffer = pick(entry.valueBuffer);
      this.setFilled(entry, P);
    }
    for (const [name, kv] of this.statics) this.statics.set(name, { key: pick(kv.key), value: pick(kv.value) });
    for (const [name, t] of this.rows) this.rows.set(name, pick(t));
  }

  /** Frees every tensor the cache holds; the cache cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.self.values()) for (const t of [e.keyBuffer, e.valueBuffer, e.filled.key, e.filled.value]) t.dispose();
    for (const kv of this.statics.values()) {
      kv.key.dispose();
      kv.value.dispose();
    }
    for (const t of this.rows.values()) t.dispose();
    for (const t of this.shared.values()) t.dispose();
    this.shared.clear();
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
