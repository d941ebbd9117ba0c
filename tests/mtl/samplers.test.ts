import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import {
  AnnealedSampler,
  annealExponent,
  annealedRates,
  fixedRates,
  fixedSampler,
  RoundRobinSampler,
  Rng,
  createTaskSampler,
  proportionalRates,
  proportionalSampler,
  temperatureRates,
  temperatureSampler,
  type TaskSampler,
} from '../../src/mtl/samplers/index.js';

const DRAWS = 100_000;

/** Share of `n` draws that went to each of K tasks. */
function frequencies(sampler: TaskSampler, k: number, n = DRAWS): number[] {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) counts[sampler.next()]!++;
  return counts.map((c) => c / n);
}

/** Each empirical share within 4.5 binomial standard deviations of its probability (a false alarm about once in 10^5 runs per task). */
function assertFrequencies(got: number[], want: number[], n = DRAWS): void {
  want.forEach((p, k) => {
    const tolerance = 4.5 * Math.sqrt((p * (1 - p)) / n) + 1e-12;
    assert.ok(Math.abs(got[k]! - p) <= tolerance, `task ${k}: frequency ${got[k]} vs probability ${p} (tolerance ${tolerance.toFixed(5)})`);
  });
}

const close = (got: readonly number[], want: readonly number[], eps = 1e-12): void =>
  want.forEach((w, k) => assert.ok(Math.abs(got[k]! - w) <= eps, `[${k}]: ${got[k]} vs ${w}`));

// SNIPS, Banking77 and SST-2 train sizes.
const SIZES = [13084, 10003, 67349];

describe('Rng (xoshiro128**)', () => {
  it('matches the reference C code from state [1, 2, 3, 4]', () => {
    const rng = Rng.fromState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4] });
    // printed by https://prng.di.unimi.it/xoshiro128starstar.c with s = {1, 2, 3, 4}
    assert.deepEqual(
      Array.from({ length: 6 }, () => rng.nextUint32()),
      [11520, 0, 5927040, 70819200, 2031721883, 1637235492],
    );
  });

  it('gives floats in [0, 1) with mean about 1/2, the same stream for the same seed and another for another seed', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    let sum = 0;
    let differ = false;
    for (let i = 0; i < 10000; i++) {
      const x = a.float();
      assert.ok(x >= 0 && x < 1);
      assert.equal(b.float(), x);
      if (c.float() !== x) differ = true;
      sum += x;
    }
    assert.ok(Math.abs(sum / 10000 - 0.5) < 0.015);
    assert.ok(differ);
  });

  it('continues identically from a saved state, through JSON', () => {
    const rng = new Rng(123);
    for (let i = 0; i < 17; i++) rng.nextUint32();
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const want = Array.from({ length: 10 }, () => rng.float());
    const again = Rng.fromState(saved);
    assert.deepEqual(
      Array.from({ length: 10 }, () => again.float()),
      want,
    );
  });

  it('rejects malformed and all-zero states, and non-integer seeds', () => {
    assert.throws(() => Rng.fromState({ algorithm: 'xoshiro128**', s: [0, 0, 0, 0] }), CheckpointError);
    assert.throws(() => Rng.fromState({ algorithm: 'xoshiro128**', s: [1, 2, 3] } as never), /four unsigned 32-bit integers/);
    assert.throws(() => Rng.fromState({ algorithm: 'mulberry32', s: [1, 2, 3, 4] } as never), CheckpointError);
    assert.throws(() => new Rng(1.5), ConfigError);
  });
});

describe('proportional sampler', () => {
  it('p_k ∝ N_k, and empirical frequencies over 100k draws match', () => {
    const total = SIZES.reduce((a, b) => a + b, 0);
    const want = SIZES.map((n) => n / total);
    close(proportionalRates(SIZES), want);
    assertFrequencies(frequencies(proportionalSampler(SIZES, 1), 3), want);
  });

  it('p_k ∝ min(N_k, cap) with a cap', () => {
    close(proportionalRates(SIZES, 12000), [12000 / 34003, 10003 / 34003, 12000 / 34003]);
    close(proportionalRates([100, 300], 100), [0.5, 0.5]);
    assertFrequencies(frequencies(proportionalSampler(SIZES, 2, 12000), 3), [12000 / 34003, 10003 / 34003, 12000 / 34003]);
  });
});

describe('temperature sampler', () => {
  it('p_k ∝ min(N_k, cap)^(1/T): frequencies over 100k draws match', () => {
    const t = 3;
    const capped = SIZES.map((n) => Math.min(n, 50000) ** (1 / t));
    const sum = capped.reduce((a, b) => a + b, 0);
    const want = capped.map((w) => w / sum);
    close(temperatureRates(SIZES, { temperature: t, cap: 50000 }), want);
    assertFrequencies(frequencies(temperatureSampler(SIZES, { temperature: t, cap: 50000 }, 3), 3), want);
  });

  it('T = 1 equals proportional: the same rates, and the same draws for the same seed', () => {
    close(temperatureRates(SIZES, { temperature: 1 }), proportionalRates(SIZES), 1e-15);
    const a = temperatureSampler(SIZES, { temperature: 1 }, 9);
    const b = proportionalSampler(SIZES, 9);
    for (let i = 0; i < 1000; i++) assert.equal(a.next(), b.next());
  });

  it('T → ∞ approaches uniform; T = Infinity is exactly uniform', () => {
    close(temperatureRates(SIZES, { temperature: 1e6 }), [1 / 3, 1 / 3, 1 / 3], 1e-5);
    close(temperatureRates(SIZES, { temperature: Infinity }), [1 / 3, 1 / 3, 1 / 3], 1e-15);
    const spread = (t: number) => {
      const r = temperatureRates(SIZES, { temperature: t });
      return Math.max(...r) - Math.min(...r);
    };
    assert.ok(spread(1) > spread(2) && spread(2) > spread(5) && spread(5) > spread(100));
    assertFrequencies(frequencies(temperatureSampler(SIZES, { temperature: 1e6 }, 4), 3), [1 / 3, 1 / 3, 1 / 3]);
  });

  it('T5 example: sizes 100 and 10000 at T = 2 give 1/11 and 10/11', () => {
    close(temperatureRates([100, 10000], { temperature: 2 }), [1 / 11, 10 / 11]);
  });

  it('rejects bad temperatures, caps and sizes', () => {
    assert.throws(() => temperatureRates(SIZES, { temperature: 0 }), /temperature must be a number > 0/);
    assert.throws(() => temperatureRates(SIZES, { temperature: 2, cap: 0 }), /cap must be a positive integer/);
    assert.throws(() => temperatureRates([10, 0], { temperature: 2 }), /task 1 has 0 training examples/);
    assert.throws(() => temperatureRates([], { temperature: 2 }), ConfigError);
  });
});

describe('round-robin (uniform) sampler', () => {
  it('cycles 0, 1, …, K−1 deterministically', () => {
    const s = new RoundRobinSampler(3);
    assert.deepEqual(
      Array.from({ length: 8 }, () => s.next()),
      [0, 1, 2, 0, 1, 2, 0, 1],
    );
    assert.deepEqual(s.probabilities, [1 / 3, 1 / 3, 1 / 3]);
  });
});

describe('state save and restore', () => {
  const kinds = [
    { kind: 'proportional', cap: 20000 },
    { kind: 'temperature', temperature: 2 },
    { kind: 'uniform' },
    { kind: 'annealed', totalDraws: 3000 },
    { kind: 'fixed', probabilities: [1, 1, 2] },
  ] as const;
  for (const settings of kinds) {
    it(`${settings.kind}: a restored sampler continues the identical sequence (state through JSON)`, () => {
      const original = createTaskSampler(settings, SIZES, 42);
      for (let i = 0; i < 1234; i++) original.next();
      const saved = JSON.parse(JSON.stringify(original.state()));
      const want = Array.from({ length: 500 }, () => original.next());
      const resumed = createTaskSampler(settings, SIZES, 999); // another seed: the state decides
      resumed.restore(saved);
      assert.deepEqual(
        Array.from({ length: 500 }, () => resumed.next()),
        want,
      );
      assert.equal(resumed.state().draws, 1734);
    });
  }

  it('refuses a state of another kind, or saved for other task sizes', () => {
    const s = createTaskSampler({ kind: 'temperature', temperature: 2 }, SIZES, 1);
    assert.throws(() => s.restore(new RoundRobinSampler(3).state()), /saved by a 'uniform' sampler, this run uses 'temperature'/);
    const other = createTaskSampler({ kind: 'temperature', temperature: 2 }, [1, 2, 3], 1);
    assert.throws(() => s.restore(other.state()), /tasks or their training sets changed/);
    assert.throws(() => new RoundRobinSampler(2).restore(new RoundRobinSampler(3).state()), /saved for 3 tasks, this run has 2/);
  });

  it('createTaskSampler needs a temperature for the temperature kind', () => {
    assert.throws(() => createTaskSampler({ kind: 'temperature' }, SIZES, 1), /needs a temperature/);
  });

  it('createTaskSampler needs the draws of an annealed run and one probability per task for fixed', () => {
    assert.throws(() => createTaskSampler({ kind: 'annealed' }, SIZES, 1), /needs the run's number of draws/);
    assert.throws(() => createTaskSampler({ kind: 'fixed', probabilities: [1, 2] }, SIZES, 1), /2 probabilities for 3 tasks/);
    const annealed = createTaskSampler({ kind: 'annealed', totalDraws: 10 }, SIZES, 1);
    assert.throws(() => annealed.restore(new AnnealedSampler([1, 2, 3], 10, 1).state()), /training sets changed/);
  });
});

describe('annealed sampler (Stickland & Murray 2019, §4)', () => {
  it('α = 1 − 0.8·t/(T − 1): 1 at the first draw, 0.2 at the last and after it', () => {
    assert.equal(annealExponent(0, 11), 1);
    close([annealExponent(5, 11)], [0.6]);
    close([annealExponent(10, 11)], [0.2]);
    close([annealExponent(50, 11)], [0.2]);
    assert.equal(annealExponent(0, 1), 1);
  });

  it('starts proportional and ends at p_k ∝ N_k^0.2 (hand-computed rates)', () => {
    close(annealedRates(SIZES, 0, 100), proportionalRates(SIZES));
    const w = SIZES.map((n) => n ** 0.2);
    const total = w.reduce((a, b) => a + b, 0);
    close(
      annealedRates(SIZES, 99, 100),
      w.map((x) => x / total),
    );
    close(annealedRates([100, 100], 37, 100), [0.5, 0.5]);
  });

  it('its draws follow the current rates: the smallest task gains share over the run', () => {
    const sizes = [1000, 100000];
    const total = 200_000;
    const s = new AnnealedSampler(sizes, total, 5);
    /** The expected share of task 0 over draws [from, from + n): the mean of its rate at each draw. */
    const expected = (from: number, n: number): number => {
      let sum = 0;
      for (let t = from; t < from + n; t++) sum += annealedRates(sizes, t, total)[0]!;
      return sum / n;
    };
    const first = frequencies(s, 2, 20_000);
    for (let i = 0; i < 160_000; i++) s.next();
    const last = frequencies(s, 2, 20_000);
    assertFrequencies([first[0]!], [expected(0, 20_000)], 20_000);
    assertFrequencies([last[0]!], [expected(180_000, 20_000)], 20_000);
    assert.ok(first[0]! < 0.03 && last[0]! > 0.2, `the small task's share grows: ${first[0]} → ${last[0]}`);
  });
});

describe('fixed sampler', () => {
  it('normalises the given values and draws with them', () => {
    close(fixedRates([1, 3]), [0.25, 0.75]);
    close(fixedRates([0, 2, 2]), [0, 0.5, 0.5]);
    assertFrequencies(frequencies(fixedSampler([1, 2, 5], 3), 3), [1 / 8, 2 / 8, 5 / 8]);
  });

  it('rejects negative, non-finite and all-zero values', () => {
    assert.throws(() => fixedRates([1, -1]), /finite numbers ≥ 0/);
    assert.throws(() => fixedRates([1, Infinity]), /finite numbers ≥ 0/);
    assert.throws(() => fixedRates([0, 0]), /at least one fixed task probability must be positive/);
  });
});
