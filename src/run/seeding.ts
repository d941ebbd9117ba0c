/**
 * Reproducible dropout without saving libtorch's generator state (which libtorch 1.13's dispatcher
 * cannot read or set): the generator is reseeded at the start of every micro-batch with a hash of the
 * run's seed and the micro-batch's number, so its dropout masks depend only on where it is in the run.
 * A resumed run draws exactly the masks an uninterrupted run draws.
 */

/** MurmurHash3's 32-bit finalizer: a bijection on 32-bit words that mixes every bit. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The libtorch seed of micro-batch `n` (0-based, counted over the whole run) of a run seeded `seed`:
 * an unsigned 32-bit integer; different micro-batches get unrelated seeds.
 * @example manualSeed(microBatchSeed(42, step * accumulation + micro));
 */
export function microBatchSeed(seed: number, n: number): number {
  const hi = fmix32(Math.floor(n / 0x100000000) ^ 0x5bd1e995);
  return fmix32(fmix32(seed) ^ fmix32((n >>> 0) + 0x9e3779b9) ^ hi);
}

/**
 * The shuffling seed of window `window` (0-based within the epoch) of epoch `epoch` of a streamed
 * corpus read by a run seeded `seed`: a signed 32-bit integer; other windows and epochs get unrelated seeds.
 */
export function windowSeed(seed: number, epoch: number, window: number): number {
  return fmix32(fmix32(fmix32(seed) ^ fmix32(epoch + 0x27d4eb2f)) ^ fmix32(window + 0x165667b1)) | 0;
}
