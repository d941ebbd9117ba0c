import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spansToBio } from '../../src/data/bio.js';
import { readCluener } from '../../src/data/readers/cluener.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { dataset, needs, tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

/** Entity mentions per type: count of B- tags. */
function mentions(tagged: { tags: readonly string[] }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of tagged) for (const t of e.tags) if (t.startsWith('B-')) counts[t.slice(2)] = (counts[t.slice(2)] ?? 0) + 1;
  return counts;
}

test('spansToBio: B/I/O tags, exclusive ends, longest span kept where spans overlap', () => {
  assert.deepEqual(spansToBio(4, [{ type: 'name', start: 0, end: 2 }]).tags, ['B-name', 'I-name', 'O', 'O']);
  const nested = spansToBio(6, [
    { type: 'company', start: 1, end: 3 },
    { type: 'book', start: 0, end: 6 },
    { type: 'x', start: 5, end: 6 },
  ]);
  assert.deepEqual(nested.tags, ['B-book', 'I-book', 'I-book', 'I-book', 'I-book', 'I-book']);
  assert.deepEqual(
    nested.dropped.map((s) => s.type),
    ['company', 'x'],
  );
  // Equal lengths that cross: the earlier start wins.
  assert.deepEqual(
    spansToBio(3, [
      { type: 'b', start: 1, end: 3 },
      { type: 'a', start: 0, end: 2 },
    ]).tags,
    ['B-a', 'I-a', 'O'],
  );
  assert.throws(() => spansToBio(3, [{ type: 'a', start: 2, end: 4 }]), DataError);
  assert.throws(() => spansToBio(3, [{ type: 'a', start: 1, end: 1 }]), DataError);
});

test('CLUENER: 10,748 / 1,343 sentences and the entity counts of SOURCE.md', needs('cluener'), () => {
  const train = readCluener(dataset('cluener', 'train.json'));
  assert.equal(train.examples.length, 10748);
  assert.equal(train.skipped.length, 0);
  // Train line 1507: a book title containing two company names; BIO keeps the book.
  assert.deepEqual(
    train.droppedSpans.map((s) => [s.line, s.type, s.text, s.start, s.end]),
    [
      [1507, 'company', '招商银行', 16, 19],
      [1507, 'company', '永隆银行', 23, 26],
    ],
  );
  const source = {
    address: 2891,
    book: 1139,
    company: 2980,
    game: 2376,
    government: 1835,
    movie: 1123,
    name: 3756,
    organization: 3210,
    position: 3141,
    scene: 1521,
  };
  assert.deepEqual(mentions(train.examples), { ...source, company: source.company - 2 });
  const dev = readCluener(dataset('cluener', 'dev.json'));
  assert.equal(dev.examples.length, 1343);
  assert.deepEqual(dev.droppedSpans, []);
  assert.deepEqual(mentions(dev.examples), {
    address: 373,
    book: 154,
    company: 378,
    game: 295,
    government: 247,
    movie: 151,
    name: 465,
    organization: 367,
    position: 433,
    scene: 209,
  });
});

test('CLUENER: first dev sentence and the nested train line, character by character', needs('cluener'), () => {
  const file = dataset('cluener', 'dev.json');
  const first = readCluener(file).examples[0]!;
  assert.equal(first.tokens.join(''), '彭小军认为，国内银行现在走的是台湾的发卡模式，先通过跑马圈地再在圈的地里面选择客户，');
  assert.deepEqual(first.tags.slice(0, 4), ['B-name', 'I-name', 'I-name', 'O']);
  assert.deepEqual(first.tags.slice(14, 18), ['O', 'B-address', 'I-address', 'O']); // 台湾 = [15, 16] inclusive
  assert.deepEqual(first.source, { file, line: 1 });
  const nested = readCluener(dataset('cluener', 'train.json')).examples[1506]!;
  assert.equal(nested.source.line, 1507);
  assert.deepEqual(nested.tags.slice(14, 36), ['O', 'B-book', ...new Array(19).fill('I-book'), 'O']);
  const last = readCluener(dataset('cluener', 'train.json')).examples.at(-1)!;
  assert.deepEqual(last.tags.slice(0, 4), ['B-position', 'I-position', 'I-position', 'O']);
  assert.deepEqual(last.tags.slice(9, 12), ['B-position', 'I-position', 'O']); // 老板 = [9, 10]
});

test("nested: 'error' makes an overlap a bad line", () => {
  const file = tmp.write('nested.json', '{"text": "ab", "label": {"x": {"ab": [[0, 1]]}, "y": {"b": [[1, 1]]}}}\n');
  throwsDataError(() => readCluener(file, { nested: 'error' }), `${file}:1`, 'overlapping spans cannot be BIO tags: y "b" [1, 1]');
  assert.equal(readCluener(file, { nested: 'error', onBadLine: 'skip' }).skipped.length, 1);
  assert.throws(() => readCluener(file, { nested: 'inner' as 'outer' }), ConfigError);
});

test('code points, not UTF-16 units: an emoji before an entity', () => {
  const file = tmp.write('emoji.json', '{"text": "😂张三来了", "label": {"name": {"张三": [[1, 2]]}}}\n');
  const [e] = readCluener(file).examples;
  assert.deepEqual(e!.tokens, ['😂', '张', '三', '来', '了']);
  assert.deepEqual(e!.tags, ['O', 'B-name', 'I-name', 'O', 'O']);
});

test('malformed CLUENER lines name file:line; skip counts them', () => {
  const lines = [
    '{"text": "张三来了", "label": {"name": {"张三": [[0, 1]]}}}',
    '{"text": "张三来了", "label": {"name": {"张三": [[0, 2]]}}}', // exclusive end by mistake
    '{"text": "张三来了", "label": {"name": {"张三": [[3, 4]]}}}', // past the end
    '{"text": "张三来了"}', // no label
    '{"text": "张三来了", "label": {"name": {"张三": [0, 1]}}}', // not a list of pairs
    '{"text": "张三来了", "label": ',
  ];
  const file = tmp.write('bad.json', lines.join('\n') + '\n');
  throwsDataError(
    () => readCluener(file),
    `${file}:2`,
    'label "name" entity "张三": span [0, 2] (inclusive end) covers "张三来", not the entity string',
  );
  const { examples, skipped } = readCluener(file, { onBadLine: 'skip' });
  assert.equal(examples.length, 1);
  assert.deepEqual(
    skipped.map((s) => s.line),
    [2, 3, 4, 5, 6],
  );
  assert.match(skipped[1]!.reason, /does not fit the text's 4 characters/);
  assert.match(skipped[2]!.reason, /expected a "label" object/);
  assert.match(skipped[3]!.reason, /expected an integer \[start, end\] pair, got 0/);
  assert.match(skipped[4]!.reason, /not valid JSON/);
});
