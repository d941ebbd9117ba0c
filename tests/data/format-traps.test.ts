/**
 * Each reader on a small hand-written file of its format (tests/fixtures/datasets/, a few lines each,
 * written for these tests) that holds the traps the public datasets' SOURCE.md files describe, so the
 * readers are checked on a fresh clone without the datasets; the tests beside these check the full
 * datasets' counts where they are present.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  readCluener,
  readConll,
  readDelimited,
  readDelimitedText,
  readDelimitedTextPairs,
  readJointFolder,
  readJsonl,
} from '../../src/data/index.js';
import { readKgFolder } from '../../src/data/readers/triples.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'datasets');
const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);

test('joint folder (SNIPS, ATIS): trailing, doubled and leading spaces make no empty token; accents and #-joined intents kept', () => {
  const dir = fixture('joint', 'train');
  const { examples, skipped } = readJointFolder(dir);
  assert.deepEqual(skipped, []);
  assert.deepEqual(examples[0], {
    id: '0',
    tokens: ['play', 'some', 'jazz', 'on', 'spotify'],
    tags: ['O', 'O', 'B-genre', 'O', 'B-service'],
    intent: 'PlayMusic',
    source: { file: dir, line: 1 },
  });
  assert.deepEqual(examples[1]!.tokens, ['add', 'this', 'song', 'to', 'my', 'clásicos', 'playlist']);
  assert.deepEqual(examples[2]!.tokens, ['list', 'flights', 'from', 'boston', 'to', 'denver']);
  assert.equal(examples[2]!.intent, 'atis_flight#atis_airfare');
  for (const e of examples) assert.equal(e.tokens.length, e.tags.length);
});

test('CoNLL (WNUT-17): a line holding only a tab ends a sentence; an inner U+FEFF, an emoji and &gt; tokens are kept', () => {
  const file = fixture('wnut.conll');
  const { examples, skipped } = readConll(file);
  assert.deepEqual(skipped, []);
  assert.equal(examples.length, 2);
  assert.deepEqual(examples[0]!.tokens, ['@paulwalk', 'the', 'Empire', 'State', 'Building']);
  assert.deepEqual(examples[0]!.tags, ['O', 'O', 'B-location', 'I-location', 'I-location']);
  assert.deepEqual(examples[1]!.source, { file, line: 7 });
  assert.deepEqual(examples[1]!.tokens, ['Dubbz\ufeff', 'said', '&', 'gt', ';', '😂']);
  assert.equal(examples[1]!.tags[0], 'B-person');
});

test('CSV (Banking77): CRLF rows, a quoted text with line breaks, quoted commas and doubled quotes; true line numbers after them', () => {
  const file = fixture('banking.csv');
  const { examples, skipped } = readDelimitedText(file, { text: 'text', label: 'category' });
  assert.deepEqual(skipped, []);
  assert.deepEqual(examples[0], { id: '0', text: 'I am still waiting on my card?', label: 'card_arrival', source: { file, line: 2 } });
  assert.deepEqual(examples[1], { id: '1', text: "\nI can't use my card\n\n", label: 'card_not_working', source: { file, line: 3 } });
  assert.equal(examples[2]!.text, 'Card, PIN and "top up" - how?');
  assert.deepEqual(examples[2]!.source, { file, line: 7 });
  assert.deepEqual(examples[3]!.source, { file, line: 8 });
  assert.ok(examples.every((e) => !e.text.includes('\r') && !e.label!.includes('\r')));
});

test('TSV (SST-2): the trailing space before the tab is kept; the CRLF test file aligns with the unlabeled one', () => {
  const train = readDelimitedText(fixture('sst-train.tsv'), { text: 'sentence', label: 'label' }).examples;
  assert.deepEqual(
    train.map((e) => [e.text, e.label]),
    [
      ['hide new secretions from the parental units ', '0'],
      ['a gorgeous , witty film ', '1'],
    ],
  );
  const labeled = readDelimitedText(fixture('sst-test-labeled.tsv'), { text: 'sentence', label: 'label' }).examples;
  const unlabeled = readDelimitedText(fixture('sst-test.tsv'), { text: 'sentence', id: 'index' }).examples;
  assert.deepEqual(
    labeled.map((e) => e.label),
    ['1', '0'],
  );
  assert.deepEqual(
    unlabeled.map((e) => [e.id, e.label]),
    [
      ['0', undefined],
      ['1', undefined],
    ],
  );
  assert.ok(unlabeled.every((e, i) => e.text === labeled[i]!.text));
});

test('TSV (STS-B): quoting off keeps sentences that start with "; the original test file has no header and extra columns', () => {
  const file = fixture('stsb', 'dev.tsv');
  const dev = readDelimitedTextPairs(file, { textA: 'sentence1', textB: 'sentence2', label: 'score', id: 'index' }).examples;
  assert.deepEqual(dev[0], {
    id: '0',
    textA: 'A man with a hard hat is dancing.',
    textB: 'A man wearing a hard hat is dancing.',
    label: '5.000',
    source: { file, line: 2 },
  });
  assert.deepEqual(
    [dev[1]!.textA, dev[1]!.textB],
    ['"Gesture of goodwill" to diesel owners', 'Volkswagen\'s "gesture of goodwill" to diesel owners'],
  );
  const names = ['genre', 'filename', 'year', 'id', 'score', 'sentence1', 'sentence2'];
  const original = fixture('stsb', 'original', 'sts-test.tsv');
  const pairs = readDelimitedTextPairs(
    original,
    { textA: 'sentence1', textB: 'sentence2', label: 'score' },
    { header: names, extraFields: 'ignore' },
  );
  assert.deepEqual(
    pairs.examples.map((e) => [e.label, e.textA, e.textB, e.source.line]),
    [
      ['2.500', 'A girl is styling her hair.', 'A girl is brushing her hair. ', 1],
      ['0.800', '"Who is it?"', 'What is it?', 2],
    ],
  );
  const strict = readDelimited(original, { header: names, onBadLine: 'skip' });
  assert.equal(strict.rows.length, 1);
  assert.equal(strict.skipped.length, 1);
});

test('JSON lines (CLUENER): inclusive ends, a nested company inside a book title dropped, offsets in code points', () => {
  const file = fixture('cluener.json');
  assert.equal(readJsonl(file).examples.length, 3);
  const { examples, droppedSpans, skipped } = readCluener(file);
  assert.deepEqual(skipped, []);
  assert.deepEqual(examples[0]!.tags, ['B-name', 'I-name', 'I-name', 'O', 'O', 'O', 'B-address', 'I-address', 'O', 'O', 'O', 'O', 'O']);
  assert.deepEqual(examples[1]!.tags, ['O', 'O', 'B-book', 'I-book', 'I-book', 'I-book', 'I-book', 'O']);
  assert.deepEqual(
    droppedSpans.map((s) => [s.line, s.type, s.text, s.start, s.end]),
    [[2, 'company', '招商银行', 2, 5]],
  );
  assert.deepEqual(examples[2]!.tokens, ['😂', '见', '王', '五']);
  assert.deepEqual(examples[2]!.tags, ['O', 'O', 'B-name', 'I-name']);
});

test('triples (WN18RR): synset offsets keep their leading zeros; ids from the dictionaries', () => {
  const kg = readKgFolder(fixture('kg'));
  assert.deepEqual([kg.train.length, kg.valid.length, kg.test.length], [2, 1, 1]);
  assert.deepEqual(kg.train[0], { head: 0, relation: 0, tail: 1 });
  assert.deepEqual(kg.train[1], { head: 2, relation: 1, tail: 0 });
  assert.equal(kg.vocab.entities[0], '00260881');
  assert.equal(kg.vocab.relationIds.get('_derivationally_related_form'), 1);
  assert.deepEqual(kg.skipped, []);
});
