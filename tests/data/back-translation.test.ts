/**
 * Back-translation's bookkeeping (src/data/augment/back-translation.ts) over a stand-in round trip
 * whose output is a known function of the text and its seed: labels and other fields kept, both texts
 * of a pair rewritten, copies equal to their source left out, one seed per (seed, copy, text) whatever
 * the batch, the cache read back (the models not opened again) and extended for new texts only. The
 * config's refusals (tagged words, spans, generated targets) are tests/data/augment.test.ts's; the
 * real models are tests/run/back-translation.test.ts's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { backTranslateExamples, textSeed, type RoundTrips } from '../../src/data/augment/index.js';
import type { TextExample, TextPairExample } from '../../src/data/example.js';
import { backTranslationSettings } from '../helpers/back-translation.js';

const settings = backTranslationSettings('/ckpt', { copies: 2 });

/** A round trip that appends `#<seed mod 7>` to each text, except texts holding 'same' (returned as they are); counts opens and texts. */
function standIn(identity = 'models-1') {
  const log = { opens: 0, texts: [] as string[], seeds: [] as number[] };
  const roundTrips: RoundTrips = {
    identity: () => identity,
    open: () => {
      log.opens++;
      return {
        translate: async (texts, seeds) => {
          log.texts.push(...texts);
          log.seeds.push(...seeds);
          return texts.map((t, i) => (t.includes('same') ? ` ${t} ` : `${t} #${seeds[i]! % 7}`));
        },
        [Symbol.dispose]: () => {},
      };
    },
  };
  return { roundTrips, log };
}

const at = (line: number) => ({ file: 'train.csv', line });
const texts: TextExample[] = [
  { id: '1', text: 'a good film', label: 'pos', source: at(2) },
  { id: '2', text: 'the same film', label: 'neg', source: at(3) },
  { id: '3', text: 'a good film', label: 'pos', source: at(4) },
];

describe('back-translation of training examples', () => {
  it('keeps every field but the text, leaves out copies equal to their source, and seeds each (copy, text)', async () => {
    const { roundTrips, log } = standIn();
    const out = await backTranslateExamples(texts, settings, 5, roundTrips);
    assert.deepEqual(out.examples.slice(0, 3), texts, 'the originals first, unchanged');
    const seed = (k: number, t: string) => textSeed(5, k, t) % 7;
    assert.deepEqual(out.examples.slice(3), [
      { id: '1~bt0', text: `a good film #${seed(0, 'a good film')}`, label: 'pos', source: at(2) },
      { id: '1~bt1', text: `a good film #${seed(1, 'a good film')}`, label: 'pos', source: at(2) },
      { id: '3~bt0', text: `a good film #${seed(0, 'a good film')}`, label: 'pos', source: at(4) },
      { id: '3~bt1', text: `a good film #${seed(1, 'a good film')}`, label: 'pos', source: at(4) },
    ]);
    assert.equal(out.added, 4);
    assert.equal(out.unchanged, 2, "'the same film' came back as it was (spaces aside), twice");
    assert.equal(out.translated, 4, 'two distinct texts, two copies each');
    assert.equal(out.cached, 0);
    assert.equal(log.opens, 1);
    assert.deepEqual(
      log.seeds,
      [0, 0, 1, 1].map((k, i) => textSeed(5, k, log.texts[i]!)),
    );
    assert.notEqual(textSeed(5, 0, 'a good film'), textSeed(6, 0, 'a good film'), 'another run seed, other seeds');
  });

  it("a text's seed is the first 31 bits of SHA-256 of [seed,copy,text] in JSON (Python's hashlib gives the same)", () => {
    // /usr/bin/python3: int.from_bytes(hashlib.sha256(b'[5,0,"a good film"]').digest()[:4], 'big') >> 1, and so on
    assert.deepEqual(
      [textSeed(5, 0, 'a good film'), textSeed(6, 0, 'a good film'), textSeed(5, 1, 'a good film')],
      [391327869, 1611173002, 922094622],
    );
  });

  it('back-translates both texts of a pair, the pair label kept', async () => {
    const pairs: TextPairExample[] = [{ id: 'p', textA: 'a man sleeps', textB: 'the same man', label: '3.5', source: at(2) }];
    const out = await backTranslateExamples(pairs, { ...settings, copies: 1 }, 1, standIn().roundTrips);
    const s = (t: string) => textSeed(1, 0, t) % 7;
    assert.deepEqual(out.examples[1], {
      id: 'p~bt0',
      textA: `a man sleeps #${s('a man sleeps')}`,
      textB: ' the same man ',
      label: '3.5',
      source: at(2),
    });
  });

  it('reads a rerun from the cache without opening the models, and translates only new texts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-bt-'));
    try {
      const first = standIn();
      const a = await backTranslateExamples(texts, settings, 5, first.roundTrips, dir);
      const second = standIn();
      const b = await backTranslateExamples(texts, settings, 5, second.roundTrips, dir);
      assert.equal(second.log.opens, 0, 'every text cached: the models are not loaded');
      assert.deepEqual(b.examples, a.examples);
      assert.equal(b.cacheFile, a.cacheFile);
      assert.deepEqual([b.translated, b.cached], [0, 4]);
      const more: TextExample[] = [...texts, { id: '4', text: 'a bad film', label: 'neg', source: at(5) }];
      const third = standIn();
      const c = await backTranslateExamples(more, settings, 5, third.roundTrips, dir);
      assert.deepEqual(third.log.texts, ['a bad film', 'a bad film'], 'only the new text, once per copy');
      assert.deepEqual([c.translated, c.cached], [2, 4]);
      assert.deepEqual(c.examples.slice(4, 8), a.examples.slice(3), 'the cached copies as they were');
      const other = standIn('models-2');
      await backTranslateExamples(texts, settings, 5, other.roundTrips, dir);
      assert.equal(other.log.opens, 1, 'other checkpoints: another cache file');
      const reseeded = standIn();
      await backTranslateExamples(texts, settings, 6, reseeded.roundTrips, dir);
      assert.equal(reseeded.log.opens, 1, 'another seed: another cache file');
      const beam = standIn();
      await backTranslateExamples(texts, { ...settings, doSample: false, numBeams: 4 }, 5, beam.roundTrips, dir);
      assert.equal(beam.log.opens, 1, 'other decoding settings: another cache file');
      const batched = standIn();
      await backTranslateExamples(texts, { ...settings, batchSize: 1 }, 5, batched.roundTrips, dir);
      assert.equal(batched.log.opens, 0, 'the batch size changes no translation');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
