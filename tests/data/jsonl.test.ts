import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readJsonl, readJsonlText } from '../../src/data/readers/jsonl.js';
import { dataset, needs, tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

test('CLUENER files read as JSON lines: 10,748 / 1,343 objects', needs('cluener'), () => {
  assert.equal(readJsonl(dataset('cluener', 'train.json')).examples.length, 10748);
  const dev = readJsonl(dataset('cluener', 'dev.json')).examples;
  assert.equal(dev.length, 1343);
  assert.deepEqual(dev[1]!.value, {
    text: '温格的球队终于又踢了一场经典的比赛，2比1战胜曼联之后枪手仍然留在了夺冠集团之内，',
    label: { organization: { 曼联: [[23, 24]] }, name: { 温格: [[0, 1]] } },
  });
  assert.deepEqual(dev[1]!.source, { file: dataset('cluener', 'dev.json'), line: 2 });
});

test("bad JSON names file:line with the parser's message; skip counts it; blank lines are ignored", () => {
  const file = tmp.write('bad.jsonl', '{"text": "a", "label": 1}\r\n\r\n{"text": "b", \n{"text": "c", "label": 0}\n');
  throwsDataError(() => readJsonl(file), `${file}:3`, /^not valid JSON: .*JSON/);
  const { examples, skipped } = readJsonlText(file, { text: 'text', label: 'label' }, { onBadLine: 'skip' });
  assert.deepEqual(
    examples.map((e) => [e.id, e.text, e.label, e.source.line]),
    [
      ['0', 'a', '1', 1],
      ['2', 'c', '0', 4],
    ],
  );
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]!.line, 3);
  assert.match(skipped[0]!.reason, /^not valid JSON/);
});

test('readJsonlText: missing fields, wrong types and non-objects are bad lines', () => {
  const file = tmp.write('fields.jsonl', '{"review": "good", "stars": 5, "id": "r1"}\n{"review": "bad"}\n{"review": 3, "stars": 1}\n[1]\n');
  const fields = { text: 'review', label: 'stars', id: 'id' };
  throwsDataError(
    () => readJsonlText(file, { text: 'review', label: 'stars' }),
    `${file}:2`,
    'no field "stars" (asked for as label); the object has: review',
  );
  const { examples, skipped } = readJsonlText(file, { text: 'review', label: 'stars' }, { onBadLine: 'skip' });
  assert.deepEqual(
    examples.map((e) => [e.id, e.text, e.label]),
    [['0', 'good', '5']],
  );
  assert.deepEqual(
    skipped.map((s) => [s.line, s.reason]),
    [
      [2, 'no field "stars" (asked for as label); the object has: review'],
      [3, 'field "review" (text) must be a string, got 3'],
      [4, 'expected a JSON object, got an array'],
    ],
  );
  throwsDataError(() => readJsonlText(file, fields), `${file}:2`, 'no field "stars"');
  assert.equal(readJsonlText(file, fields, { onBadLine: 'skip' }).examples[0]!.id, 'r1');
});

test('empty and invalid UTF-8 JSON lines files', () => {
  const empty = tmp.write('empty.jsonl', '');
  throwsDataError(() => readJsonl(empty), empty, 'empty (0 bytes)');
  const bad = tmp.write(
    'bad-utf8.jsonl',
    Buffer.concat([Buffer.from('{"text": "ok"}\n{"text": "'), Buffer.from([0xe4, 0xb8]), Buffer.from('"}\n')]),
  );
  throwsDataError(() => readJsonl(bad), `${bad}:2`, 'invalid UTF-8 at byte offset 25');
});

test('a misspelt field is named with the nearest one the object has (a config typo, not a bad line)', () => {
  const file = tmp.write('typo.jsonl', '{"text": "where is my order", "intent": "status", "sentiment": "neutral"}\n');
  throwsDataError(
    () => readJsonlText(file, { text: 'text', label: 'sentimnt' }),
    `${file}:1`,
    'no field "sentimnt" (asked for as label); did you mean "sentiment"?; the object has: text, intent, sentiment',
  );
});
