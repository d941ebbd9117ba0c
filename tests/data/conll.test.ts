import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readConll } from '../../src/data/readers/conll.js';
import { ConfigError } from '../../src/errors.js';
import { dataset, needs, tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

test('WNUT-17: sentence and token counts of SOURCE.md, 13 tags', needs('wnut17'), () => {
  const counts: [string, number, number][] = [
    ['wnut17train.conll', 3394, 62730],
    ['emerging.dev.conll', 1009, 15733],
    ['emerging.test.annotated', 1287, 23394],
  ];
  for (const [file, sentences, tokens] of counts) {
    const { examples, skipped } = readConll(dataset('wnut17', file));
    assert.equal(examples.length, sentences, file);
    assert.equal(
      examples.reduce((n, e) => n + e.tokens.length, 0),
      tokens,
      file,
    );
    assert.equal(skipped.length, 0);
    assert.equal(new Set(examples.flatMap((e) => e.tags)).size, 13, file);
  }
});

test('WNUT-17 train: the first sentence ends at a line holding only a tab', needs('wnut17'), () => {
  const file = dataset('wnut17', 'wnut17train.conll');
  const first = readConll(file).examples[0]!;
  assert.equal(first.tokens.length, 27); // lines 1-27; line 28 is "\t"
  assert.deepEqual(first.tokens.slice(0, 3), ['@paulwalk', 'It', "'s"]);
  assert.deepEqual(first.tokens.slice(14, 17), ['Empire', 'State', 'Building']);
  assert.deepEqual(first.tags.slice(14, 17), ['B-location', 'I-location', 'I-location']);
  assert.deepEqual(first.source, { file, line: 1 });
  assert.equal(readConll(file).examples[1]!.source.line, 29);
});

test('WNUT-17 test: the last sentence, with an emoji token; dev keeps a token with an inner U+FEFF', needs('wnut17'), () => {
  const file = dataset('wnut17', 'emerging.test.annotated');
  const last = readConll(file).examples.at(-1)!;
  assert.equal(last.source.line, 24663);
  assert.equal(last.tokens.length, 18);
  assert.deepEqual(last.tokens.slice(0, 2), ['@', 'KenyeahMonae']);
  assert.deepEqual(last.tags.slice(0, 3), ['B-person', 'I-person', 'O']);
  assert.equal(last.tokens.at(-1), '😂');
  const dev = readConll(dataset('wnut17', 'emerging.dev.conll')).examples;
  assert.ok(dev.some((e) => e.tokens.includes('Dubbz\ufeff')));
});

test('space-separated columns, -DOCSTART-, chosen columns, CRLF and several blank lines', () => {
  const file = tmp.write(
    'conll2003.txt',
    '-DOCSTART- -X- -X- O\r\n\r\nEU NNP B-NP B-ORG\r\nrejects VBZ B-VP O\r\n\r\n\r\nPeter NNP B-NP B-PER\r\n-DOCSTART- -X- -X- O\r\nBlackburn NNP B-NP B-PER\r\n',
  );
  const { examples } = readConll(file);
  assert.deepEqual(
    examples.map((e) => [e.id, e.tokens, e.tags, e.source.line]),
    [
      ['0', ['EU', 'rejects'], ['B-ORG', 'O'], 3],
      ['1', ['Peter'], ['B-PER'], 7],
      ['2', ['Blackburn'], ['B-PER'], 9],
    ],
  );
  const pos = readConll(file, { tagColumn: 1 }).examples[0]!;
  assert.deepEqual(pos.tags, ['NNP', 'VBZ']);
});

test('each word carries its own line (wordLines), so a bad tag can be named where it is written', () => {
  const file = tmp.write('lines.conll', '-DOCSTART- O\n\nEU\tB-ORG\nrejects\tO\n\n\nPeter\tB-PER\nBlackburn\tI-PER\n');
  assert.deepEqual(
    readConll(file).examples.map((e) => [e.source.line, e.wordLines]),
    [
      [3, [3, 4]],
      [7, [7, 8]],
    ],
  );
});

test('a line with too few columns names file:line; skip mode drops its whole sentence', () => {
  const file = tmp.write('short.conll', 'a\tO\nb\tO\n\nc\nd\tB-x\n\ne\tO\n');
  throwsDataError(() => readConll(file), `${file}:4`, /expected at least 2 columns .* got 1: "c"/);
  const { examples, skipped } = readConll(file, { onBadLine: 'skip' });
  assert.deepEqual(
    examples.map((e) => [e.id, e.tokens]),
    [
      ['0', ['a', 'b']],
      ['2', ['e']],
    ],
  );
  assert.deepEqual(
    skipped.map((s) => s.line),
    [4],
  );
});

test('an empty token under tab separation is a bad line; separator tab keeps spaces inside tokens', () => {
  const file = tmp.write('empty-token.conll', 'a\tO\n\tB-x\n');
  throwsDataError(() => readConll(file), `${file}:2`, 'empty token');
  const spaced = tmp.write('spaced.conll', 'New York\tB-loc\n');
  assert.deepEqual(readConll(spaced, { separator: 'tab' }).examples[0]!.tokens, ['New York']);
  assert.deepEqual(readConll(spaced, { separator: 'space' }).examples[0]!.tokens, ['New']);
});

test('a token holding a NUL byte or another control character is a bad line naming the code point; U+FEFF is not one', () => {
  const file = tmp.write('nul.conll', 'a\tO\nb\u0000c\tB-x\n\nd\u007f\tO\n\ne\uFEFF\tO\n');
  throwsDataError(() => readConll(file), `${file}:2`, /a control character U\+0000 inside the token/);
  const { examples, skipped } = readConll(file, { onBadLine: 'skip' });
  assert.deepEqual(
    skipped.map((s) => s.line),
    [2, 4],
  );
  assert.deepEqual(
    examples.map((e) => e.tokens),
    [['e\uFEFF']],
  );
});

test('empty file, invalid UTF-8 and bad options', () => {
  const empty = tmp.write('empty.conll', '');
  throwsDataError(() => readConll(empty), empty, 'empty');
  const latin = tmp.write('latin.conll', Buffer.from('a\tO\n\nS\xe3o\tB-loc\n', 'latin1'));
  throwsDataError(() => readConll(latin), `${latin}:3`, 'invalid UTF-8 at byte offset 6');
  assert.throws(() => readConll(empty, { tagColumn: 1.5 }), ConfigError);
  assert.throws(() => readConll(empty, { separator: 'comma' as 'tab' }), ConfigError);
});
