import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it, test } from 'node:test';
import { DataError } from '../../src/errors.js';
import { entityMarkerProblem, markEntities, readRelationJsonl, readSemeval2010, unmarkEntities } from '../../src/data/index.js';
import { dataset, needs } from '../helpers/datasets.js';

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'datasets', 'semeval2010.txt');
const dir = mkdtempSync(path.join(tmpdir(), 'mtl-relations-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('entity markers', () => {
  it('accepts disjoint entities in either order and nested ones; names what is wrong otherwise', () => {
    assert.equal(entityMarkerProblem('the <e1>kitchen</e1> of the <e2>house</e2>'), undefined);
    assert.equal(entityMarkerProblem('the <e2>kitchen</e2> of the <e1>house</e1>'), undefined);
    assert.equal(entityMarkerProblem('<e2>the <e1>kitchen</e1> of</e2> the house'), undefined);
    assert.match(entityMarkerProblem('the kitchen of the <e2>house</e2>')!, /<e1> occurs 0 times, <\/e1> occurs 0 times/);
    assert.match(entityMarkerProblem('<e1>a</e1> <e1>b</e1> <e2>c</e2>')!, /<e1> occurs 2 times/);
    assert.match(entityMarkerProblem('</e1>a<e1> <e2>c</e2>')!, /<\/e1> before <e1>/);
    assert.match(entityMarkerProblem('<e1></e1> <e2>c</e2>')!, /entity 1 is empty/);
    assert.match(entityMarkerProblem('<e1>a <e2>b</e1> c</e2>')!, /cross/);
  });

  it('unmarks to the plain text and the entity offsets', () => {
    const u = unmarkEntities('The <e1>meteor shower</e1> is caused by a <e2>comet</e2>.');
    assert.equal(u.text, 'The meteor shower is caused by a comet.');
    assert.equal(u.text.slice(u.e1.start, u.e1.end), 'meteor shower');
    assert.equal(u.text.slice(u.e2.start, u.e2.end), 'comet');
    const nested = unmarkEntities('<e2>the <e1>kitchen</e1> of</e2> it');
    assert.deepEqual([nested.text, nested.e1, nested.e2], ['the kitchen of it', { start: 4, end: 11 }, { start: 0, end: 14 }]);
  });

  it('marks spans counted in code points (an emoji is one), nested and adjacent spans in a well-formed order', () => {
    assert.equal(markEntities('😀 kitchen house', [2, 9], [10, 15]), '😀 <e1>kitchen</e1> <e2>house</e2>');
    assert.equal(markEntities('😀 kitchen house', [3, 10], [11, 16], 'utf16'), '😀 <e1>kitchen</e1> <e2>house</e2>');
    assert.equal(markEntities('abcd', [0, 2], [2, 4]), '<e1>ab</e1><e2>cd</e2>');
    assert.equal(markEntities('abcd', [1, 2], [0, 4]), '<e2>a<e1>b</e1>cd</e2>');
    assert.equal(markEntities('abcd', [0, 4], [0, 2]), '<e1><e2>ab</e2>cd</e1>');
    for (const marked of ['<e2>a<e1>b</e1>cd</e2>', '<e1><e2>ab</e2>cd</e1>']) assert.equal(entityMarkerProblem(marked), undefined);
  });
});

describe('readSemeval2010', () => {
  it('reads 4-line blocks: CRLF, quotes inside the sentence, comments, no blank line after the last', () => {
    const { examples } = readSemeval2010(FIXTURE);
    assert.deepEqual(
      examples.map((e) => [e.id, e.label, e.source.line]),
      [
        ['1', 'Component-Whole(e2,e1)', 1],
        ['2', 'Component-Whole(e1,e2)', 5],
        ['3', 'Other', 9],
      ],
    );
    assert.equal(
      examples[1]!.text,
      'The <e1>timer</e1> of the <e2>device</e2> automatically eliminates wasted "standby power" consumption.',
    );
  });

  it('a sentence without markers, a bad label line and a stray line are errors at their file:line, or skipped', () => {
    const noMarkers = file('a.txt', '1\t"The kitchen of the house."\nOther\nComment:\n\n');
    assert.throws(
      () => readSemeval2010(noMarkers),
      (e: unknown) => e instanceof DataError && /a\.txt:1: the sentence's entity markers: expected each/.test(e.message),
    );
    const badLabel = file(
      'b.txt',
      '1\t"A <e1>b</e1> <e2>c</e2>."\nOther\nComment:\n\n2\t"A <e1>b</e1> <e2>c</e2>."\nCause Effect\nComment:\n',
    );
    assert.throws(() => readSemeval2010(badLabel), /b\.txt:6: expected a relation label/);
    const stray = file('c.txt', '1\t"A <e1>b</e1> <e2>c</e2>."\nOther\nComment:\nmore\n');
    assert.throws(() => readSemeval2010(stray), /c\.txt:3: expected 'Comment: …' and then a blank line/);
    const unquoted = file('d.txt', '1 A <e1>b</e1> <e2>c</e2>.\nOther\nComment:\n');
    assert.throws(() => readSemeval2010(unquoted), /d\.txt:1: expected 'id<TAB>"sentence"'/);
    const skipped = readSemeval2010(badLabel, { onBadLine: 'skip' });
    assert.deepEqual([skipped.examples.length, skipped.skipped.map((s) => s.line)], [1, [6]]);
  });

  test('the task files: 8,000 train and 2,717 test examples with the label counts of SOURCE.md', needs('semeval2010_task8'), () => {
    const train = readSemeval2010(dataset('semeval2010_task8', 'TRAIN_FILE.TXT')).examples;
    const test = readSemeval2010(dataset('semeval2010_task8', 'TEST_FILE_FULL.TXT')).examples;
    assert.equal(train.length, 8000);
    assert.equal(test.length, 2717);
    assert.deepEqual([train[0]!.id, train.at(-1)!.id, test[0]!.id, test.at(-1)!.id], ['1', '8000', '8001', '10717']);
    const count = (label: string) => train.filter((e) => e.label === label).length;
    assert.deepEqual(
      [count('Other'), count('Entity-Destination(e1,e2)'), count('Cause-Effect(e2,e1)'), count('Entity-Destination(e2,e1)')],
      [1410, 844, 659, 1],
    );
    assert.equal(new Set(train.map((e) => e.label)).size, 19);
    assert.equal(test.at(-1)!.label, 'Entity-Destination(e2,e1)');
  });
});

describe('readRelationJsonl', () => {
  const fields = { text: 'sentence', e1Span: 'head', e2Span: 'tail', label: 'relation' };
  it('inserts the markers at [start, end) code-point spans', () => {
    const f = file(
      'r.jsonl',
      `${JSON.stringify({ sentence: '😀 The kitchen is part of the house.', head: [6, 13], tail: [29, 34], relation: 'Component-Whole(e1,e2)' })}\n`,
    );
    const [e] = readRelationJsonl(f, fields).examples;
    assert.equal(e!.text, '😀 The <e1>kitchen</e1> is part of the <e2>house</e2>.');
    assert.equal(e!.label, 'Component-Whole(e1,e2)');
  });

  it('spans out of range, not integer pairs, or crossing, and a missing label are bad lines at file:line', () => {
    const lines = [
      { sentence: 'a b c', head: [0, 1], tail: [4, 5], relation: 'X' },
      { sentence: 'a b c', head: [0, 9], tail: [4, 5], relation: 'X' },
      { sentence: 'a b c', head: [0, 3], tail: [2, 5], relation: 'X' },
      { sentence: 'a b c', head: '0-1', tail: [4, 5], relation: 'X' },
      { sentence: 'a b c', head: [0, 1], tail: [4, 5] },
    ];
    const f = file('bad.jsonl', lines.map((l) => JSON.stringify(l)).join('\n'));
    const { examples, skipped } = readRelationJsonl(f, fields, { onBadLine: 'skip' });
    assert.equal(examples.length, 1);
    assert.deepEqual(
      skipped.map((s) => s.line),
      [2, 3, 4, 5],
    );
    assert.match(skipped[0]!.reason, /span \[0, 9\) is empty or does not fit the text's 5 characters/);
    assert.match(skipped[1]!.reason, /overlap/);
    assert.match(skipped[2]!.reason, /integer \[start, end\) pair/);
    assert.match(skipped[3]!.reason, /field "relation" \(label\)/);
    assert.throws(() => readRelationJsonl(f, fields), /bad\.jsonl:2: field "head": span/);
  });
});
