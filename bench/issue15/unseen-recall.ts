/**
 * Slot recall split by whether an entity holds a word never seen in the training utterances
 * (docs/results/issue15-joint.md): predicts a joint-folder split with a checkpoint (words as given,
 * `splitIntoWords`) and counts gold entities (exact span and type) found, for entities with an unseen
 * word and for the rest.
 *   node --import tsx bench/issue15/unseen-recall.ts CHECKPOINT TRAIN_FOLDER TEST_FOLDER [TASK]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extractChunks } from '../../src/metrics/index.js';
import { Predictor } from '../../src/predict/predict.js';

const [checkpoint, trainDir, testDir, task = 'slots'] = process.argv.slice(2);
if (checkpoint === undefined || trainDir === undefined || testDir === undefined) {
  console.error('usage: unseen-recall.ts CHECKPOINT TRAIN_FOLDER TEST_FOLDER [TASK]');
  process.exit(2);
}
const lines = (dir: string, f: string) =>
  readFileSync(path.join(dir, f), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const seen = new Set(lines(trainDir, 'seq.in').flatMap((l) => l.trim().split(/\s+/)));
const texts = lines(testDir, 'seq.in').map((l) => l.trim().split(/\s+/));
const gold = lines(testDir, 'seq.out').map((l) => l.trim().split(/\s+/));
using predictor = Predictor.load(checkpoint);
const records = await predictor.predict(
  texts.map((w) => ({ text: w.join(' '), splitIntoWords: true })),
  { batchSize: 64 },
);
const tally = { unseen: { gold: 0, found: 0 }, seen: { gold: 0, found: 0 } };
records.forEach((r, i) => {
  const words = texts[i]!;
  const tags = (r.predictions[task] as unknown as { tags: string[] }).tags;
  const predicted = new Set(extractChunks(tags).map((c) => `${c.start}:${c.end}:${c.type}`));
  for (const c of extractChunks(gold[i]!)) {
    const kind = words.slice(c.start, c.end).some((w) => !seen.has(w)) ? 'unseen' : 'seen';
    tally[kind].gold++;
    if (predicted.has(`${c.start}:${c.end}:${c.type}`)) tally[kind].found++;
  }
});
const pct = (t: { gold: number; found: number }) => ((100 * t.found) / t.gold).toFixed(2);
console.log(
  JSON.stringify({
    checkpoint,
    unseen: { ...tally.unseen, recall: pct(tally.unseen) },
    seen: { ...tally.seen, recall: pct(tally.seen) },
  }),
);
