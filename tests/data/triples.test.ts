import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readKgFolder } from '../../src/data/readers/triples.js';
import { dataset, needs, tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

test('WN18RR: counts as in SOURCE.md (86,835 / 3,034 / 3,134 triples, 40,943 entities, 11 relations)', needs('wn18rr'), () => {
  const kg = readKgFolder(dataset('wn18rr'));
  assert.deepEqual([kg.train.length, kg.valid.length, kg.test.length], [86835, 3034, 3134]);
  assert.equal(kg.vocab.entities.length, 40943);
  assert.equal(kg.vocab.relations.length, 11);
  // first line: 00260881 _hypernym 00260622; ids from the dicts (entities 0 and 1, relation 0), names keep leading zeros
  assert.deepEqual(kg.train[0], { head: 0, relation: 0, tail: 1 });
  assert.equal(kg.vocab.entities[0], '00260881');
  assert.equal(kg.vocab.relationIds.get('_hypernym'), 0);
  assert.deepEqual(kg.skipped, []);
});

test('without dictionaries, ids follow first appearance over train, valid, test', () => {
  const dir = 'nodict';
  tmp.write(`${dir}/train.txt`, 'a\tr\tb\nb\ts\tc\n');
  tmp.write(`${dir}/valid.txt`, 'c\tr\td\n');
  const test = tmp.write(`${dir}/test.txt`, '\na\ts\td\n');
  const kg = readKgFolder(test.replace(/\/test\.txt$/, ''));
  assert.deepEqual(kg.vocab.entities, ['a', 'b', 'c', 'd']);
  assert.deepEqual(kg.vocab.relations, ['r', 's']);
  assert.deepEqual(kg.test, [{ head: 0, relation: 1, tail: 3 }]);
});

test('malformed lines and unknown names raise DataError with file:line; skip records them', () => {
  const dir = 'bad';
  tmp.write(`${dir}/entities.dict`, '0\tx\n1\ty\n');
  tmp.write(`${dir}/relations.dict`, '0\tr\n');
  const train = tmp.write(`${dir}/train.txt`, 'x\tr\ty\nx r y\n');
  tmp.write(`${dir}/valid.txt`, 'x\tr\tz\n');
  tmp.write(`${dir}/test.txt`, 'y\tr\tx\n');
  const folder = train.replace(/\/train\.txt$/, '');
  throwsDataError(() => readKgFolder(folder), `${train}:2`, /expected 'head<TAB>relation<TAB>tail'.*got 1/);
  const kg = readKgFolder(folder, { onBadLine: 'skip' });
  assert.equal(kg.train.length, 1);
  assert.deepEqual(
    kg.skipped.map((s) => [s.line, s.reason.slice(0, 14)]),
    [
      [2, "expected 'head"],
      [1, 'unknown entity'],
    ],
  );
  const dict = tmp.write(`${dir}2/entities.dict`, '0\tx\n2\ty\n');
  tmp.write(`${dir}2/relations.dict`, '0\tr\n');
  throwsDataError(() => readKgFolder(dict.replace(/\/entities\.dict$/, '')), `${dict}:2`, /expected index 1/);
});
