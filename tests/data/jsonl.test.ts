import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { TextExample } from '../../src/data/example.js';
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
      [3, 'field "review" (text) must be a string or a non-empty list of strings, got 3'],
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

test('a list of sentences is one text, joined with spaces; a list label is a set of references only when asked for', () => {
  const file = tmp.write(
    'tldr.jsonl',
    [
      '{"source": ["We study X.", "It works."], "target": ["X works.", "We show X works.", "X."], "paper_id": "p1"}',
      '{"source": "One text.", "target": "one reference"}',
      '{"source": ["A."], "target": []}',
      '{"source": [], "target": "t"}',
      '{"source": ["A.", 2], "target": "t"}',
      '{"source": "A.", "target": ["t", null]}',
    ].join('\n'),
  );
  const { examples, skipped } = readJsonlText(file, { text: 'source', label: 'target', references: true }, { onBadLine: 'skip' });
  assert.deepEqual(
    examples.map((e) => [e.text, e.label, e.references]),
    [
      ['We study X. It works.', 'X works.', ['X works.', 'We show X works.', 'X.']],
      ['One text.', 'one reference', undefined],
    ],
  );
  assert.deepEqual(
    skipped.map((s) => [s.line, s.reason]),
    [
      [3, 'field "target" (label) must be a string, a number or a non-empty list of strings, got []'],
      [4, 'field "source" (text) must be a string or a non-empty list of strings, got []'],
      [5, 'field "source" (text) must be a string or a non-empty list of strings, got ["A.",2]'],
      [6, 'field "target" (label) must be a string, a number or a non-empty list of strings, got ["t",null]'],
    ],
  );
  // without `references` a list label stays a bad line: a classifier must not silently take its first element
  throwsDataError(
    () => readJsonlText(file, { text: 'source', label: 'target' }),
    `${file}:1`,
    'field "target" (label) must be a string or a number, got ["X works.","We show X works.","X."]',
  );
});

test('SciTLDR-A: 1,992 / 619 / 618 papers; one target each in train, 2–4 in test (SOURCE.md)', needs('scitldr'), () => {
  const fields = { text: 'source', label: 'target', references: true };
  const read = (split: string) => readJsonlText(dataset('scitldr', `${split}.jsonl`), fields).examples;
  const [train, dev, test] = ['train', 'dev', 'test'].map(read) as [TextExample[], TextExample[], TextExample[]];
  assert.deepEqual([train.length, dev.length, test.length], [1992, 619, 618]);
  const histogram = (es: readonly TextExample[]) => {
    const h: Record<number, number> = {};
    for (const e of es) h[e.references?.length ?? 1] = (h[e.references?.length ?? 1] ?? 0) + 1;
    return h;
  };
  assert.deepEqual(histogram(train), { 1: 1992 });
  assert.deepEqual(histogram(dev), { 1: 94, 2: 237, 3: 267, 4: 21 });
  assert.deepEqual(histogram(test), { 2: 83, 3: 339, 4: 196 });
  for (const e of test) assert.equal(e.label, e.references![0]);
});
