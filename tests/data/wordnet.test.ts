import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  readWordNet,
  wordnetDir,
  wordnetGlosses,
  wordnetSupersenseExamples,
  wordnetTriples,
  WORDNET_LEXNAMES,
} from '../../src/data/readers/wordnet.js';
import { tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

const wn = readWordNet();
const raw = (name: string) => readFileSync(path.join(wordnetDir(), name), 'utf8').split('\n');

test('synsets per part of speech match the non-header lines of each data file', () => {
  const counted = Object.fromEntries(
    ['noun', 'verb', 'adj', 'adv'].map((f) => [f, raw(`data.${f}`).filter((l) => l !== '' && !l.startsWith('  ')).length]),
  );
  assert.deepEqual(counted, { noun: 82192, verb: 13789, adj: 18185, adv: 3625 }); // WordNet 3.1
  const byPos = { n: 0, v: 0, a: 0, s: 0, r: 0 };
  for (const s of wn.synsets) byPos[s.pos]++;
  assert.equal(byPos.n, counted.noun);
  assert.equal(byPos.v, counted.verb);
  assert.equal(byPos.a + byPos.s, counted.adj);
  assert.equal(byPos.r, counted.adv);
  assert.equal(wn.byId.size, wn.synsets.length, 'ids are unique');
});

test('hand-checked synsets: dog (noun), breathe (verb), able (adjective)', () => {
  const line = raw('data.noun').find((l) => l.startsWith('02086723 '))!;
  const dog = wn.byId.get('02086723.n')!;
  assert.deepEqual(dog.words, ['dog', 'domestic dog', 'Canis familiaris']);
  assert.equal(dog.lexName, 'noun.animal');
  assert.equal(dog.gloss, line.slice(line.indexOf(' | ') + 3).trim());
  assert.match(dog.gloss, /^a member of the genus Canis/);
  const hypernyms = dog.pointers.filter((p) => p.relation === 'hypernym').map((p) => p.target);
  assert.deepEqual(hypernyms, ['02085998.n', '01320032.n']);
  assert.deepEqual(wn.byId.get('02085998.n')!.words, ['canine', 'canid']);
  assert.equal(dog.pointers.length, 23);
  const breathe = wn.byId.get('00001740.v')!;
  assert.equal(breathe.lexName, 'verb.body');
  assert.match(breathe.gloss, /^draw air into, and expel out of, the lungs/);
  const able = wn.byId.get('00001740.a')!;
  assert.deepEqual(
    able.pointers.filter((p) => p.symbol === '!').map((p) => [p.target, p.sourceWord, p.targetWord]),
    [['00002098.a', 1, 1]],
  );
  assert.equal(wn.byId.get('00001740.n')!.lexName, 'noun.Tops');
});

test('glosses as a corpus, supersense examples, and triples with descriptions', () => {
  const glosses = wordnetGlosses(wn);
  assert.equal(glosses.length, wn.synsets.length);
  const sup = wordnetSupersenseExamples(wn);
  const labels = new Set(sup.map((e) => e.label));
  assert.equal(labels.size, WORDNET_LEXNAMES.length, 'every lexicographer file is used');
  const { triples, descriptions } = wordnetTriples(wn, { relations: ['hypernym', 'part_meronym', 'antonym'] });
  assert.ok(triples.some((t) => t.head === '02086723.n' && t.relation === 'hypernym' && t.tail === '02085998.n'));
  assert.equal(new Set(triples.map((t) => t.relation)).size, 3);
  assert.ok(descriptions.get('02086723.n')!.startsWith('dog, domestic dog, Canis familiaris: a member of the genus Canis'));
  for (const t of triples) assert.ok(descriptions.has(t.head) && descriptions.has(t.tail));
  // every hypernym pointer has its hyponym inverse
  const all = wordnetTriples(wn, { relations: ['hypernym', 'hyponym'] }).triples;
  const keys = new Set(all.map((t) => `${t.head} ${t.relation} ${t.tail}`));
  for (const t of all) if (t.relation === 'hypernym') assert.ok(keys.has(`${t.tail} hyponym ${t.head}`));
});

test('a malformed data line is a DataError naming file:line', () => {
  const dir = tmp.dir;
  tmp.write('data.noun', '  1 license\n00001740 03 n 01 entity 0 001 @ 0000 | gloss\n');
  for (const f of ['verb', 'adj', 'adv']) tmp.write(`data.${f}`, '  1 license\n');
  throwsDataError(() => readWordNet(dir), `${path.join(dir, 'data.noun')}:2`, /WordNet data line/);
});
