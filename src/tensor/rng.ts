/**
 * A small seeded pseudo-random generator whose whole state is four 32-bit words, so it can be saved
 * in trainer_state.json and restored exactly: `--resume` then draws the same numbers as an
 * uninterrupted run.
 *
 * The generator is xoshiro128** 1.1 (D. Blackman and S. Vigna, "Scrambled Linear Pseudorandom Number
 * Generators", ACM Transactions on Mathematical Software 47(4), 2021; reference C code at
 * https://prng.di.unimi.it/xoshiro128starstar.c): period 2^128 − 1, passes BigCrush. As the authors
 * recommend, the seed is expanded into the state by a SplitMix generator (Steele, Lea and Flood,
 * "Fast Splittable Pseudorandom Number Generators", OOPSLA 2014), here its common 32-bit form: a
 * golden-ratio counter mixed by MurmurHash3's fmix32 finalizer; so nearby seeds give unrelated streams.
 */
import { CheckpointError, ConfigError } from '../errors.js';

/** The saved form of an Rng: its algorithm and the four state words (unsigned 32-bit integers). */
export interface RngState {
  readonly algorithm: 'xoshiro128**';
  readonly s: readonly [number, number, number, number];
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** SplitMix32 (golden-ratio counter + MurmurHash3 fmix32): well-mixed 32-bit words from one seed, used only to fill the state. */
function splitMix32(seed: number): () => number {
  let z = seed >>> 0;
  return () => {
    z = (z + 0x9e3779b9) >>> 0;
    let x = z;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    return (x ^ (x >>> 16)) >>> 0;
  };
}

const isWord = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** xoshiro128**: a seeded, serialisable generator of 32-bit words and floats in [0, 1). */
export class Rng {
  readonly #s = new Uint32Array(4);

  /**
   * @param seed an integer (its low 32 bits are used; negative seeds wrap).
   * @example
   *   const rng = new Rng(42);
   *   const saved = rng.state();
   *   const a = rng.float();
   *   Rng.fromState(saved).float() === a; // true
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new ConfigError(`an Rng seed must be an integer, got ${String(seed)}`);
    const next = splitMix32(Number(BigInt.asUintN(32, BigInt(seed))));
    for (let i = 0; i < 4; i++) this.#s[i] = next();
  }

  /** A generator that continues from a saved state. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.restore(state);
    return rng;
  }

  /** The next unsigned 32-bit word. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** A float uniform in [0, 1) with 53 random bits (two words: the top 27 and 26 bits). */
  float(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** The current state, a plain JSON-able object (a copy). */
  state(): RngState {
    const s = this.#s;
    return { algorithm: 'xoshiro128**', s: [s[0]!, s[1]!, s[2]!, s[3]!] };
  }

  /**
   * Continues from a saved state.
   * @throws CheckpointError when `state` is not an xoshiro128** state of four 32-bit words, not all zero.
   */
  restore(state: RngState): void {
    const s = (state as { s?: unknown } | null)?.s;
    if (
      (state as { algorithm?: unknown } | null)?.algorithm !== 'xoshiro128**' ||
      !Array.isArray(s) ||
      s.length !== 4 ||
      !s.every(isWord)
    ) {
      throw new CheckpointError(
        `not an xoshiro128** generator state: expected { algorithm: 'xoshiro128**', s: [four unsigned 32-bit integers] }, got ${JSON.stringify(state)}`,
      );
    }
    if (s.every((w) => w === 0)) throw new CheckpointError('an xoshiro128** state cannot be all zero (the generator would only return 0)');
    this.#s.set(s as number[]);
  }
}
