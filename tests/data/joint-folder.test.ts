import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readJointFolder, splitIntents } from '../../src/data/readers/joint-folder.js';
import { dataset, needs, tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

test('SNIPS: counts of SOURCE.md (13,084 / 700 / 700), 7 intents, first and last examples', needs('snips'), () => {
  const counts = { train: 13084, dev: 700, test: 700 };
  for (const [split, n] of Object.entries(counts)) {
    const { examples, skipped } = readJointFolder(dataset('snips', split));
    assert.equal(examples.length, n, split);
    assert.equal(skipped.length, 0);
    assert.equal(new Set(examples.map((e) => e.intent)).size, 7);
  }
  const train = readJointFolder(dataset('snips', 'train')).examples;
  assert.deepEqual(train[0], {
    id: '0',
    tokens: 'listen to westbam alumb allergic on google music'.split(' '),
    tags: 'O O B-artist O B-album O B-service I-service'.split(' '),
    intent: 'PlayMusic',
    source: { file: dataset('snips', 'train'), line: 1 },
  });
  // Line 2 has a trailing space in seq.in and seq.out, and an accented word.
  assert.deepEqual(train[1]!.tokens, ['add', 'step', 'to', 'me', 'to', 'the', '50', 'clásicos', 'playlist']);
  assert.equal(new Set(train.flatMap((e) => e.tags)).size, 72);
  const test = readJointFolder(dataset('snips', 'test')).examples;
  const last = test.at(-1)!;
  assert.deepEqual(last.tokens, 'rate this album two out of 6'.split(' '));
  assert.deepEqual(last.tags, 'O B-object_select B-object_type B-rating_value O O B-best_rating'.split(' '));
  assert.equal(last.intent, 'RateBook');
  assert.equal(last.source.line, 700);
});

test('SNIPS: doubled and leading spaces in seq.in do not make empty tokens', needs('snips'), () => {
  for (const e of readJointFolder(dataset('snips', 'train')).examples) {
    assert.ok(e.tokens.every((t) => t !== '' && !/\s/.test(t)));
    assert.equal(e.tokens.length, e.tags.length);
  }
});

test('ATIS: counts (4,478 / 500 / 893), #-joined intents kept whole (23 / 3 / 15), unseen test intents', needs('atis'), () => {
  const counts = { train: [4478, 23], dev: [500, 3], test: [893, 15] };
  for (const [split, [n, multi]] of Object.entries(counts)) {
    const { examples } = readJointFolder(dataset('atis', split));
    assert.equal(examples.length, n, split);
    assert.equal(examples.filter((e) => e.intent.includes('#')).length, multi, split);
  }
  const train = readJointFolder(dataset('atis', 'train')).examples;
  assert.equal(new Set(train.map((e) => e.intent)).size, 21);
  assert.equal(new Set(train.flatMap((e) => e.tags)).size, 120);
  const dev = readJointFolder(dataset('atis', 'dev')).examples;
  assert.equal(dev[65]!.intent, 'atis_flight#atis_airfare'); // label line 66
  assert.equal(dev[65]!.source.line, 66);
  const test = readJointFolder(dataset('atis', 'test')).examples;
  const seen = new Set(train.map((e) => e.intent));
  assert.equal(test.filter((e) => !seen.has(e.intent)).length, 5);
  assert.deepEqual(test.at(-1)!.tokens, 'find me a flight that flies from memphis to tacoma'.split(' '));
  assert.deepEqual(test.at(-1)!.tags, 'O O O O O O O B-fromloc.city_name O B-toloc.city_name'.split(' '));
});

test('splitIntents', () => {
  assert.deepEqual(splitIntents('atis_airfare#atis_flight'), ['atis_airfare', 'atis_flight']);
  assert.deepEqual(splitIntents('atis_flight'), ['atis_flight']);
  assert.deepEqual(splitIntents('a|b', '|'), ['a', 'b']);
});

function writeSplit(name: string, seqIn: string, seqOut: string, label: string): string {
  tmp.write(`${name}/seq.in`, seqIn);
  tmp.write(`${name}/seq.out`, seqOut);
  tmp.write(`${name}/label`, label);
  return path.join(tmp.dir, name);
}

test('a token/tag count mismatch names seq.in:line and both counts; skip mode counts it', () => {
  const dir = writeSplit('mismatch', 'a b\nc d e\nf\n', 'O O\nO O\nO\n', 'x\ny\nz\n');
  throwsDataError(
    () => readJointFolder(dir),
    `${path.join(dir, 'seq.in')}:2`,
    `3 tokens in seq.in but 2 tags in ${path.join(dir, 'seq.out')}:2`,
  );
  const { examples, skipped } = readJointFolder(dir, { onBadLine: 'skip' });
  assert.deepEqual(
    examples.map((e) => [e.id, e.intent, e.source.line]),
    [
      ['0', 'x', 1],
      ['2', 'z', 3],
    ],
  );
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]!.line, 2);
  assert.equal(skipped[0]!.file, path.join(dir, 'seq.in'));
});

test('files with different line counts are a DataError naming all three, even under skip', () => {
  const dir = writeSplit('lines', 'a\nb\n', 'O\nO\n', 'x\n');
  for (const onBadLine of ['error', 'skip'] as const) {
    throwsDataError(() => readJointFolder(dir, { onBadLine }), dir, 'seq.in has 2 lines, seq.out has 2 and label has 1');
  }
});

test('CRLF files, an empty intent and an empty utterance', () => {
  const crlf = writeSplit('crlf', 'a b \r\nc\r\n', 'O B-x \r\nO\r\n', 'one\r\ntwo\r\n');
  const { examples } = readJointFolder(crlf);
  assert.deepEqual(examples[0]!.tags, ['O', 'B-x']);
  assert.equal(examples[1]!.intent, 'two');
  const noIntent = writeSplit('no-intent', 'a\nb\n', 'O\nO\n', 'x\n \n');
  throwsDataError(() => readJointFolder(noIntent), `${path.join(noIntent, 'label')}:2`, 'the intent is empty');
  const noTokens = writeSplit('no-tokens', 'a\n  \n', 'O\n\n', 'x\ny\n');
  throwsDataError(() => readJointFolder(noTokens), `${path.join(noTokens, 'seq.in')}:2`, 'no tokens');
  assert.equal(readJointFolder(noTokens, { onBadLine: 'skip' }).skipped.length, 1);
});

test('an empty seq.out and a missing label file are DataErrors naming the file', () => {
  const dir = writeSplit('empty', 'a\n', '', 'x\n');
  throwsDataError(() => readJointFolder(dir), path.join(dir, 'seq.out'), 'empty (0 bytes)');
  const other = writeSplit('renamed', 'a\n', 'O\n', 'x\n');
  throwsDataError(() => readJointFolder(other, { files: { intent: 'intent.txt' } }), path.join(other, 'intent.txt'), /ENOENT/);
});
