import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noiseCounts, randomSpansNoiseMask, spanCorruption, spanCorruptionLengths } from '../../src/data/span-corruption.js';
import { ConfigError } from '../../src/errors.js';
import { Rng } from '../../src/tensor/rng.js';

/** The runs of a mask: [value, length] in order. */
function runs(mask: readonly boolean[]): [boolean, number][] {
  const out: [boolean, number][] = [];
  for (const m of mask) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === m) last[1]++;
    else out.push([m, 1]);
  }
  return out;
}

describe("span corruption (T5's objective)", () => {
  it('draws round(L·0.15) noise tokens in round(n/3) spans (Python rounding, at least 1)', () => {
    assert.deepEqual(noiseCounts(100), { noiseTokens: 15, noiseSpans: 5 });
    assert.deepEqual(noiseCounts(10), { noiseTokens: 2, noiseSpans: 1 }); // round(1.5) = 2, round(0.67) = 1
    assert.deepEqual(noiseCounts(30), { noiseTokens: 4, noiseSpans: 1 }); // round(4.5) = 4 (half to even), round(1.33) = 1
    assert.deepEqual(noiseCounts(1), { noiseTokens: 1, noiseSpans: 1 }); // counted on max(L, 2)
    assert.throws(() => noiseCounts(10, { noiseDensity: 1 }), ConfigError);
  });
  it('the mask has exactly those counts, starts kept and ends corrupted, for many lengths and seeds', () => {
    const rng = new Rng(7);
    for (let L = 2; L <= 120; L += 7) {
      for (let trial = 0; trial < 5; trial++) {
        const mask = randomSpansNoiseMask(L, rng);
        const { noiseTokens, noiseSpans } = noiseCounts(L);
        assert.equal(mask.length, L);
        assert.equal(mask.filter(Boolean).length, noiseTokens, `L = ${L}`);
        const r = runs(mask);
        assert.equal(r.filter(([m]) => m).length, noiseSpans, `L = ${L}: spans`);
        assert.equal(r[0]![0], false);
        assert.equal(r[r.length - 1]![0], true);
      }
    }
  });
  it('span lengths average the mean span length (3) over many draws', () => {
    const rng = new Rng(3);
    let spans = 0;
    let tokens = 0;
    for (let i = 0; i < 400; i++) {
      const r = runs(randomSpansNoiseMask(200, rng)).filter(([m]) => m);
      spans += r.length;
      tokens += r.reduce((a, [, n]) => a + n, 0);
    }
    assert.equal(tokens / spans, 3); // 30 noise tokens in 10 spans each time
  });
  it('replaces each span by one sentinel in the input; the target lists sentinel + span; together they give the text back', () => {
    const rng = new Rng(11);
    const tokens = Array.from({ length: 50 }, (_, i) => 100 + i);
    const sentinels = [999, 998, 997, 996, 995, 994];
    const { inputIds, labels } = spanCorruption(tokens, sentinels, rng);
    const used = inputIds.filter((t) => t >= 990);
    assert.deepEqual(used, sentinels.slice(0, used.length));
    assert.deepEqual(
      labels.filter((t) => t >= 990),
      used,
    );
    // rebuild: each sentinel of the input is replaced by the tokens that follow it in the target
    const spansOf = new Map<number, number[]>();
    let current = -1;
    for (const t of labels) {
      if (t >= 990) spansOf.set((current = t), []);
      else spansOf.get(current)!.push(t);
    }
    assert.deepEqual(
      inputIds.flatMap((t) => (t >= 990 ? spansOf.get(t)! : [t])),
      tokens,
    );
    assert.equal(inputIds.length, 50 - 8 + 3); // round(7.5) = 8 noise tokens, round(2.67) = 3 spans
    assert.throws(() => spanCorruption(tokens, [999], new Rng(1)), /more than the 1 sentinel/);
  });
  it("input and target lengths as T5's compute_input_and_target_lengths (512 → 568 raw tokens, 114 target tokens)", () => {
    assert.deepEqual(spanCorruptionLengths(512), { tokensLength: 568, targetsLength: 114 });
    // hand-derived: 141 raw tokens → 21 noise tokens (round 21.15) in 7 spans: input 141 − 21 + 7 + 1 = 128, target 21 + 7 + 1 = 29;
    // 142 would give 142 − 21 + 7 + 1 = 129 > 128
    assert.deepEqual(spanCorruptionLengths(128), { tokensLength: 141, targetsLength: 29 });
  });
});
