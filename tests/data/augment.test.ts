/**
 * EDA data augmentation (src/data/augment): each operation on a small tagged utterance with a
 * hand-made synonym table (slot values replaced whole or left alone, never deleted, swapped whole;
 * insertions tagged O), and the properties over SNIPS training utterances with WordNet's synonyms:
 * BIO stays valid, no label changes (the intent, the multiset of slot labels, each slot value the
 * original or a WordNet synonym of it), seeded copies reproduce, the cache gives them back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  augmentExamples,
  eda,
  edaExamples,
  fromUnits,
  randomDeletion,
  randomInsertion,
  randomSwap,
  synonymReplacement,
  toUnits,
  wordnetSynonyms,
  type SynonymTable,
} from '../../src/data/augment/index.js';
import { readJointFolder, type JointExample, type TextExample } from '../../src/data/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { ConfigFileError, parseTrainingConfig } from '../../src/io/config/index.js';
import { backTranslationSettings } from '../helpers/back-translation.js';
import { taskTypes } from '../../src/tasks/index.js';
import { dataset, needs } from '../helpers/datasets.js';

const tokens = ['play', 'some', 'jazz', 'by', 'miles', 'davis', 'now'];
const tags = ['O', 'O', 'B-genre', 'O', 'B-artist', 'I-artist', 'O'];
const table: SynonymTable = new Map([
  ['play', ['act out']],
  ['jazz', ['swing', 'swing music']],
  ['miles davis', ['davis', 'm davis']],
  ['now', ['straight off']],
]);

/** The labelled spans of tags, as `type:words`. */
function spans(words: readonly string[], bio: readonly string[]): string[] {
  return toUnits(words, bio)
    .filter((u) => u.tags![0] !== 'O')
    .map((u) => `${u.tags![0]!.slice(2)}:${u.words.join(' ')}`);
}

/** Every I-x follows B-x or I-x. */
function validBio(bio: readonly string[]): boolean {
  return bio.every((t, i) => !t.startsWith('I-') || (i > 0 && bio[i - 1] !== 'O' && bio[i - 1]!.slice(2) === t.slice(2)));
}

describe('EDA on a tagged utterance (hand-made synonyms)', () => {
  const units = toUnits(tokens, tags);

  it('units: one per slot value, one per other word; fromUnits gives the utterance back', () => {
    assert.deepEqual(
      units.map((u) => u.words.join(' ')),
      ['play', 'some', 'jazz', 'by', 'miles davis', 'now'],
    );
    assert.deepEqual(fromUnits(units), { words: tokens, tags });
  });

  it('SR replaces slot values whole by synonyms as long (their tags kept) and free words by O words; stop words never', () => {
    const out = fromUnits(synonymReplacement(units, 10, table, new Rng(1)));
    // 'now' has a synonym in the table but is one of EDA's stop words; 'swing music' and 'davis' would need other tags
    assert.deepEqual(out.words, ['act', 'out', 'some', 'swing', 'by', 'm', 'davis', 'now']);
    assert.deepEqual(out.tags, ['O', 'O', 'O', 'B-genre', 'O', 'B-artist', 'I-artist', 'O']);
    for (let seed = 0; seed < 20; seed++) {
      const kept = synonymReplacement(units, 1, table, new Rng(seed)).map((u) => u.words.join(' '));
      const gone = units.map((u) => u.words.join(' ')).filter((w) => !kept.includes(w));
      assert.equal(gone.length, 1, `n = 1 replaces one word or value (seed ${seed}: ${gone.join(', ')})`);
    }
  });

  it('RI inserts O words between units, RS moves units whole, RD deletes only unlabelled words', () => {
    for (let seed = 0; seed < 50; seed++) {
      const inserted = fromUnits(randomInsertion(units, 2, table, new Rng(seed)));
      assert.deepEqual(spans(inserted.words, inserted.tags!), spans(tokens, tags), `RI seed ${seed}`);
      assert.equal(inserted.words.length > tokens.length, true);
      const swapped = fromUnits(randomSwap(units, 2, new Rng(seed)));
      assert.deepEqual(spans(swapped.words, swapped.tags!).sort(), spans(tokens, tags).sort(), `RS seed ${seed}`);
      assert.ok(validBio(swapped.tags!));
      const deleted = fromUnits(randomDeletion(units, 0.9, new Rng(seed)));
      assert.deepEqual(spans(deleted.words, deleted.tags!), spans(tokens, tags), `RD seed ${seed}`);
    }
  });

  it('eda: at most n_aug versions, none equal to the utterance; plain text has no tags', () => {
    const versions = eda(units, { alphaSr: 0.1, alphaRi: 0.1, alphaRs: 0.1, pRd: 0.1, copies: 5 }, table, new Rng(3));
    assert.ok(versions.length > 0 && versions.length <= 5);
    for (const v of versions) assert.notDeepEqual(fromUnits(v), { words: tokens, tags });
    const text = eda(toUnits(tokens), { alphaSr: 0.5, alphaRi: 0, alphaRs: 0, pRd: 0, copies: 1 }, table, new Rng(4));
    assert.equal(fromUnits(text[0]!).tags, undefined);
  });

  it('text examples keep their label; ids are <id>~eda<k>; a seed repeats its copies', () => {
    const examples: TextExample[] = [{ id: '7', text: 'play some jazz now', label: 'PlayMusic', source: { file: 'x', line: 1 } }];
    const settings = { alphaSr: 0.3, alphaRi: 0.3, alphaRs: 0.3, pRd: 0.3, copies: 4 };
    const a = edaExamples(examples, settings, 5, table);
    assert.ok(a.length > 0);
    for (const [k, e] of a.entries()) {
      assert.equal(e.label, 'PlayMusic');
      assert.equal(e.id, `7~eda${k}`);
    }
    assert.deepEqual(edaExamples(examples, settings, 5, table), a);
  });
});

describe('EDA over SNIPS training utterances (WordNet synonyms)', needs('snips'), () => {
  const settings = { method: 'eda' as const, alphaSr: 0.2, alphaRi: 0.2, alphaRs: 0.2, pRd: 0.2, copies: 8 };

  it('keeps BIO valid and every label: the intent, the slot labels, each value the original or its synonym', () => {
    const original = readJointFolder(dataset('snips', 'train')).examples.slice(0, 400);
    const synonyms = wordnetSynonyms();
    const augmented = edaExamples(original, settings, 42);
    assert.ok(augmented.length > 5 * original.length, `${augmented.length} copies of ${original.length} utterances`);
    const byId = new Map(original.map((e) => [e.id, e]));
    let replacedValues = 0;
    for (const a of augmented) {
      const o = byId.get(a.id.replace(/~eda\d+$/, '')) as JointExample;
      assert.equal(a.intent, o.intent, `${a.id}: intent`);
      assert.equal(a.tokens.length, a.tags.length, `${a.id}: a tag per word`);
      assert.deepEqual(
        a.tags.filter((t) => t !== 'O').sort(),
        o.tags.filter((t) => t !== 'O').sort(),
        `${a.id}: the very tags of the values`,
      );
      assert.ok(validBio(a.tags), `${a.id}: BIO valid: ${a.tags.join(' ')}`);
      const before = spans(o.tokens, o.tags);
      const after = spans(a.tokens, a.tags);
      const type = (s: string) => s.slice(0, s.indexOf(':'));
      assert.deepEqual(after.map(type).sort(), before.map(type).sort(), `${a.id}: the slot labels`);
      for (const s of after) {
        if (before.includes(s)) continue;
        const [t, value] = [type(s), s.slice(s.indexOf(':') + 1)];
        const from = before.filter((b) => type(b) === t).map((b) => b.slice(b.indexOf(':') + 1).toLowerCase());
        assert.ok(
          from.some((v) => synonyms.get(v)?.includes(value)),
          `${a.id}: '${value}' (${t}) is neither an original ${t} value nor a synonym of one (${from.join(', ')})`,
        );
        replacedValues++;
      }
    }
    assert.ok(replacedValues > 0, 'some slot values were replaced by synonyms');
  });

  it('is seeded: the same seed gives the same copies, another seed others; the cache gives them back', () => {
    const original = readJointFolder(dataset('snips', 'train')).examples.slice(0, 60);
    assert.deepEqual(edaExamples(original, settings, 1), edaExamples(original, settings, 1));
    assert.notDeepEqual(edaExamples(original, settings, 1), edaExamples(original, settings, 2));
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-augment-'));
    try {
      const first = augmentExamples(original, settings, 1, dir);
      const second = augmentExamples(original, settings, 1, dir);
      assert.equal(first.fromCache, false);
      assert.equal(second.fromCache, true);
      assert.equal(second.cacheFile, first.cacheFile);
      assert.deepEqual(second.examples, first.examples);
      assert.equal(first.examples.length, original.length + first.added);
      assert.deepEqual(first.examples.slice(0, original.length), original, 'the originals first, unchanged');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('data.augment in the config', () => {
  const config = (task: string) =>
    `output_dir: out\ntokenizer: { train: { vocab_size: 99 } }\ntasks:\n${task}\ntraining: { max_steps: 1 }\n`;
  const parse = (text: string) => parseTrainingConfig(text, { taskTypes, source: path.join(tmpdir(), 'augment.yaml'), checkFiles: false });
  const issues = (text: string): string[] => {
    try {
      parse(text);
      return [];
    } catch (e) {
      assert.ok(e instanceof ConfigFileError, String(e));
      return e.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    }
  };

  it('takes EDA on tagged words and texts, with its defaults', () => {
    const c = parse(
      config('  - { name: slots, type: token-classification, data: { format: joint-folder, train: t, augment: { method: eda } } }'),
    );
    assert.deepEqual(c.tasks[0]!.data.augment, { method: 'eda', copies: 4, alphaSr: 0.1, alphaRi: 0.1, alphaRs: 0.1, pRd: 0.1 });
  });

  it('refuses data it cannot keep the labels of: questions, generated targets', () => {
    const squad = issues(config('  - { name: qa, type: extractive-qa, data: { format: squad, train: t, augment: { method: eda } } }'));
    assert.ok(
      squad.some((m) => /EDA augments texts, text pairs and tagged words .* not 'squad'/.test(m)),
      squad.join('\n'),
    );
    const s2s = issues(
      config(
        '  - { name: mt, type: seq2seq, data: { format: jsonl, train: t, augment: { method: eda } }, input: { text: src }, label: { field: tgt } }',
      ),
    );
    assert.ok(
      s2s.some((m) => /EDA keeps class, score and tag labels; a seq2seq task/.test(m)),
      s2s.join('\n'),
    );
  });

  const bt = 'augment: { method: back-translation, checkpoint: mt/last, forward_task: en_de, backward_task: de_en }';

  it('takes texts of a classification task, with its defaults and the checkpoint path resolved', () => {
    const c = parse(
      config(
        `  - { name: sst2, type: sequence-classification, data: { format: tsv, train: t, ${bt} }, input: { text: sentence }, label: { field: label } }`,
      ),
    );
    assert.deepEqual(c.tasks[0]!.data.augment, backTranslationSettings(path.join(tmpdir(), 'mt/last')));
  });

  it('refuses tagged words and entity spans, naming the task and why', () => {
    const slots = issues(config(`  - { name: slots, type: token-classification, data: { format: conll, train: t, ${bt} } }`));
    assert.ok(
      slots.some((m) =>
        /tasks\.0\.data\.augment: task 'slots' \(token-classification, conll data\): back-translation rewrites whole sentences, so word-level tags cannot be kept aligned/.test(
          m,
        ),
      ),
      slots.join('\n'),
    );
    const intent = issues(config(`  - { name: intent, type: sequence-classification, data: { format: joint-folder, train: t, ${bt} } }`));
    assert.ok(
      intent.some((m) => /task 'intent' \(sequence-classification, joint-folder data\): back-translation/.test(m)),
      intent.join('\n'),
    );
    const relation = issues(
      config(
        `  - { name: rel, type: relation-classification, data: { format: jsonl, train: t, ${bt} }, input: { text: t, e1_span: a, e2_span: b }, label: { field: r } }`,
      ),
    );
    assert.ok(
      relation.some((m) => /task 'rel' \(relation-classification, jsonl data\): .*entity or answer spans cannot be kept aligned/.test(m)),
      relation.join('\n'),
    );
    const s2s = issues(
      config(`  - { name: mt, type: seq2seq, data: { format: jsonl, train: t, ${bt} }, input: { text: src }, label: { field: tgt } }`),
    );
    assert.ok(
      s2s.some((m) => /task 'mt' \(seq2seq, jsonl data\): back-translation keeps the labels of whole texts/.test(m)),
      s2s.join('\n'),
    );
  });
});
