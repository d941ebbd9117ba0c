import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  readWordNet,
  wordnetDir,
  wordnetDomainExamples,
  wordnetGlosses,
  wordnetSupersenseExamples,
  wordnetTriples,
  WORDNET_LEXNAMES,
} from '../../src/data/readers/wordnet.js';
import { tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

const wn = readWordNet();
/** A dict folder at `dir` with data.noun = `noun` and empty verb/adj/adv files. */
function writeDict(dir: string, noun: string): void {
  const rel = path.relative(tmp.dir, dir);
  tmp.write(path.join(rel, 'data.noun'), noun);
  for (const f of ['verb', 'adj', 'adv']) tmp.write(path.join(rel, `data.${f}`), '  1 license\n');
}

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

test('topic-domain examples: one semantic ;c pointer, the largest domains, the leading usage mark cut (hand-written data)', () => {
  const mini = path.join(tmp.dir, 'mini');
  const noun = [
    '  1 license',
    '00000001 03 n 01 law 0 000 | the collection of rules imposed by authority',
    '00000002 03 n 01 music 0 000 | an artistic form of auditory communication',
    '00000010 04 n 01 tort 0 001 ;c 00000001 n 0000 | (law) a wrongful act for which an action for damages may be brought',
    '00000011 04 n 01 writ 0 001 ;c 00000001 n 0000 | a legal document issued by a court',
    '00000012 04 n 01 coda 0 001 ;c 00000002 n 0000 | the closing section of a movement',
    '00000013 04 n 01 fee 0 002 ;c 00000001 n 0000 ;c 00000002 n 0000 | two domains: left out',
    '00000014 04 n 01 tune 0 001 ;c 00000002 n 0101 | a lexical pointer only: left out',
  ];
  writeDict(mini, noun.join('\n') + '\n');
  const small = readWordNet(mini);
  const all = wordnetDomainExamples(small, 2);
  assert.deepEqual(
    all.map((e) => [e.id, e.label, e.text]),
    [
      ['00000010.n', 'law', 'a wrongful act for which an action for damages may be brought'],
      ['00000011.n', 'law', 'a legal document issued by a court'],
      ['00000012.n', 'music', 'the closing section of a movement'],
    ],
  );
  assert.deepEqual(
    wordnetDomainExamples(small, 1).map((e) => e.id),
    ['00000010.n', '00000011.n'],
    'top 1: the domain with the most glosses',
  );
  const real = wordnetDomainExamples(wn);
  const counts = new Map<string, number>();
  for (const e of real) counts.set(e.label!, (counts.get(e.label!) ?? 0) + 1);
  assert.equal(real.length, 2316); // WordNet 3.1, as scripts/fixtures/wordnet_counts.py counts them
  assert.equal(counts.get('law'), 585);
  assert.equal(counts.size, 10);
  assert.ok(!real.some((e) => e.text.startsWith(`(${e.label})`)), 'no gloss keeps its usage mark');
});

test('a malformed data line is a DataError naming file:line', () => {
  const dir = tmp.dir;
  tmp.write('data.noun', '  1 license\n00001740 03 n 01 entity 0 001 @ 0000 | gloss\n');
  for (const f of ['verb', 'adj', 'adv']) tmp.write(`data.${f}`, '  1 license\n');
  throwsDataError(() => readWordNet(dir), `${path.join(dir, 'data.noun')}:2`, /WordNet data line/);
});
