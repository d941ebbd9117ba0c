/**
 * `mtl predict` against `mtl eval`: an input that comes split into words is read as the data reader
 * reads it, so predictions over a test split reproduce the evaluation's metrics; what max_length cuts
 * off is reported (`unread`) and never tagged.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { readJointFolder } from '../../src/data/index.js';
import { splitWhitespace } from '../../src/data/readers/source.js';
import { evaluateCheckpoint } from '../../src/eval/checkpoint.js';
import { sequenceLabelingScores } from '../../src/metrics/index.js';
import { Predictor } from '../../src/predict/predict.js';
import { predictInputOf } from '../../src/predict/predict-json.js';
import { readingOf, unreadOf } from '../../src/predict/reading.js';
import { splitWords, whitespaceWords, type Features } from '../../src/tasks/index.js';
import { DATASETS } from '../helpers/datasets.js';
import { needsTinyRunData, tinyRun, trainTiny, type RunFolder } from '../train/trainer-fixture.js';

describe('words of an input that comes split into words', () => {
  it("are the data reader's words (splitWhitespace), with offsets into the text", () => {
    for (const line of ['what time is it in p. m.', '  find the via dolorosa: songs  of redemption\t saga ', 'c. n. n.', '\ufeffa', '']) {
      const words = whitespaceWords(line);
      assert.deepEqual(
        words.map((w) => w.word),
        splitWhitespace(line),
      );
      for (const w of words) assert.equal(line.slice(w.start, w.end), w.word);
    }
    assert.equal(splitWords('c. n. n.').length, 6, "predict's own split takes the dots off: more words than the data has");
  });

  it('a JSON input gives them as "words" (is_split_into_words), or names what is wrong', () => {
    assert.deepEqual(predictInputOf({ words: ['p.', 'm.'] }), { text: 'p. m.', splitIntoWords: true });
    assert.deepEqual(predictInputOf({ words: ['a'], text_pair: 'b' }), { text: 'a', splitIntoWords: true, textPair: 'b' });
    assert.match(predictInputOf({ words: [] }) as string, /"words" must be a non-empty list of words, got an array/);
    assert.match(
      predictInputOf({ words: ['a', 'b c'] }) as string,
      /"words"\[1\] must be a word \(a non-empty string without spaces or tabs\), got "b c"/,
    );
    assert.match(predictInputOf({ words: ['a'], text: 'a' }) as string, /give "text" or "words", not both/);
    assert.equal(
      predictInputOf({ txt: 'typo', lang: 'en' }),
      'no "text" (nor "words" or "messages") in the object; its keys: "txt", "lang"',
    );
    assert.equal(predictInputOf({}), 'no "text" (nor "words" or "messages") in the object; its keys: none');
    assert.match(predictInputOf({ text: 3 }) as string, /"text" must be a string, got 3/);
  });
});

describe('what max_length leaves unread', () => {
  const feature = (readChars?: (number | null)[]): Features => ({
    exampleIndex: 0,
    inputIds: [1],
    truncated: readChars !== undefined,
    ...(readChars === undefined ? {} : { readChars }),
  });

  it('words: counted from the last word read, the words joined by spaces being what the features index', () => {
    const input = { text: 'book a table, at "nine" tonight please' };
    // splitWords: book a table , at " nine " tonight please (10 words); 4 given with max_length 4
    const reading = readingOf(input, 'words', 0, 4);
    assert.deepEqual(
      reading.words.map((w) => w.word),
      ['book', 'a', 'table', ','],
    );
    // "book a table ," : the kept tokens end after "table" (12): 3 words read, "," onwards not
    assert.deepEqual(unreadOf(input, 'words', reading, [feature([12])]), { text: { words: 7, characters: 26 } });
    // nothing cut by the tokens: the 6 words beyond the 4 given are unread
    assert.deepEqual(unreadOf(input, 'words', reading, [feature()]), { text: { words: 6, characters: 25 } });
    const short = { text: 'book a table' };
    assert.equal(unreadOf(short, 'words', readingOf(short, 'words', 0, 4), [feature()]), undefined);
  });

  it('text and pairs: characters after the last token read, whole words after it; several windows read as far as the farthest', () => {
    const input = { text: 'one two three four', textPair: 'five six seven' };
    const reading = readingOf(input, 'pair', 0, 8);
    assert.deepEqual(
      unreadOf(input, 'pair', reading, [feature([5, null])]),
      { text: { words: 2, characters: 13 } },
      '"tw" read: two is not counted',
    );
    assert.deepEqual(unreadOf(input, 'pair', reading, [feature([null, 8])]), { text_pair: { words: 1, characters: 6 } });
    assert.deepEqual(unreadOf(input, 'pair', reading, [feature([3, null]), feature([7, null])]), { text: { words: 2, characters: 11 } });
    assert.equal(unreadOf(input, 'pair', reading, [feature(), feature()]), undefined);
    const text = { text: 'a b c d e f' };
    const cut = readingOf(text, 'text', 0, 3);
    assert.equal((cut.example as { text: string }).text, 'a b c', 'a text is given up to its first max_length words');
    assert.deepEqual(unreadOf(text, 'text', cut, [feature()]), { text: { words: 3, characters: 6 } });
  });
});

describe('mtl predict on a test split reproduces mtl eval', needsTinyRunData(), () => {
  let run: RunFolder;
  let checkpoint: string;
  let testDir: string;
  before(async () => {
    run = tinyRun();
    // The test split: SNIPS test utterances with punctuation inside words ("dolorosa:", "vi:"), which
    // predict's own split cuts into more words than the data has, and others.
    const from = path.join(DATASETS, 'snips', 'test');
    const lines = ['seq.in', 'seq.out', 'label'].map((f) => readFileSync(path.join(from, f), 'utf8').split('\n'));
    const punctuated = lines[0]!.flatMap((l, i) => (/[^ ][.,!?;:"()]|[.,!?;:"()][^ ]/.test(l) ? [i] : [])).slice(0, 20);
    const rows = [...punctuated, ...Array.from({ length: 30 }, (_, k) => k * 20).filter((i) => !punctuated.includes(i))];
    testDir = path.join(run.dir, 'snips', 'test');
    ['seq.in', 'seq.out', 'label'].forEach((f, k) => writeFileSync(path.join(testDir, f), rows.map((r) => lines[k]![r]).join('\n') + '\n'));
    checkpoint = await trainTiny(run, path.join(run.dir, 'predict-out'), 150);
  });
  after(() => run?.remove());

  it('--split-into-words over seq.in: the same words, slot F1 and intent accuracy as the evaluation (the default split gives other words)', async () => {
    const lines = readFileSync(path.join(testDir, 'seq.in'), 'utf8').replace(/\n$/, '').split('\n');
    const input = path.join(run.dir, 'test.jsonl');
    writeFileSync(input, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const out: string[] = [];
    const log = mock.method(console, 'log', (line: string) => void out.push(line));
    try {
      assert.equal(await main(['predict', checkpoint, '--input', input, '--split-into-words']), 0);
    } finally {
      log.mock.restore();
    }
    type Slots = { tags: string[]; words: string[]; unread?: { text: { words: number } } };
    const records = out.map((l) => JSON.parse(l) as { text: string; predictions: { intent: { label: string }; slots: Slots } });
    const gold = readJointFolder(testDir).examples;
    assert.equal(records.length, gold.length);
    const tags = records.map((r, i) => {
      const slots = r.predictions.slots;
      const unread = slots.unread?.text.words ?? 0;
      assert.deepEqual(slots.words, gold[i]!.tokens.slice(0, slots.words.length), `line ${i + 1}: the data's words`);
      assert.equal(slots.tags.length + unread, gold[i]!.tokens.length, `line ${i + 1}: every word tagged or reported unread`);
      return [...slots.tags, ...new Array<string>(unread).fill('O')]; // evaluation scores a word it never read as O
    });
    const evaluated = await evaluateCheckpoint(checkpoint, { split: 'test' });
    const metrics = evaluated.metrics as Record<string, Record<string, number>>;
    const slotF1 = sequenceLabelingScores(
      gold.map((e) => e.tags),
      tags,
    ).overall.f1;
    assert.equal(slotF1, metrics.slots!.f1);
    const accuracy = records.filter((r, i) => r.predictions.intent.label === gold[i]!.intent).length / gold.length;
    assert.equal(accuracy, metrics.intent!.accuracy);

    using predictor = Predictor.load(checkpoint);
    const plain = await predictor.predict(lines);
    const differ = plain.filter((r, i) => (r.predictions.slots as Slots).words.length !== records[i]!.predictions.slots.words.length);
    assert.ok(differ.length >= 5, `${differ.length} utterances get other words from the default split`);
  });

  it('a text longer than max_length: its words beyond are reported unread and not tagged; a sentence task says what it did not read', async () => {
    using predictor = Predictor.load(checkpoint);
    const words = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'play' : 'jazz'));
    const [record] = await predictor.predict([words.join(' ')]);
    const slots = record!.predictions.slots as { tags: string[]; words: string[]; unread: { text: { words: number; characters: number } } };
    assert.ok(slots.tags.length > 0 && slots.tags.length <= 22, `${slots.tags.length} words read with max_length 24`);
    assert.equal(slots.words.length, slots.tags.length);
    assert.equal(slots.unread.text.words, 40 - slots.tags.length);
    assert.equal(slots.unread.text.characters, words.join(' ').length - words.slice(0, slots.tags.length).join(' ').length);
    const sentiment = record!.predictions.sentiment as { unread: { text: { words: number } } };
    assert.equal(sentiment.unread.text.words, 40 - slots.tags.length, 'the sentence task reads as many words (one token each)');
  });
});
