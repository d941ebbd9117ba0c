import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it, test } from 'node:test';
import { DataError } from '../../src/errors.js';
import { readSquad } from '../../src/data/index.js';
import { dataset, needs } from '../helpers/datasets.js';

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'datasets', 'squad.json');
const dir = mkdtempSync(path.join(tmpdir(), 'mtl-squad-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readSquad', () => {
  it('one example per question: question and context as a pair, answer_start turned from code points to UTF-16', () => {
    const { examples } = readSquad(FIXTURE);
    assert.deepEqual(
      examples.map((e) => [e.id, e.title, e.source.line, e.answers.map((a) => a.text)]),
      [
        ['q1', 'Emoji', 10, ['2010']],
        ['q2', 'Emoji', 11, ['Ann Lee', 'Lee']],
        ['q3', 'Emoji', 12, []],
        ['q4', 'Plain', 20, ['Paris']],
      ],
    );
    for (const e of examples) for (const a of e.answers) assert.equal(e.textB.slice(a.start, a.start + a.text.length), a.text);
    assert.equal(examples[0]!.answers[0]!.start, 20); // code point 19, after one emoji (2 UTF-16 units)
    assert.equal(examples[0]!.textA, 'When did the face come?');
  });

  it('an answer that is not at its answer_start is a bad record at the line of its question', () => {
    const file = path.join(dir, 'bad.json');
    const doc = {
      data: [
        {
          title: 't',
          paragraphs: [
            {
              context: 'Paris is big.',
              qas: [
                { id: 'ok', question: 'q?', answers: [{ text: 'Paris', answer_start: 0 }] },
                { id: 'off', question: 'q?', answers: [{ text: 'big', answer_start: 3 }] },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(file, JSON.stringify(doc, null, 1));
    assert.throws(
      () => readSquad(file),
      (e: unknown) =>
        e instanceof DataError &&
        /bad\.json:\d+: question off: the answer "big" is not at answer_start 3 of the context \(found "is "\)/.test(e.message),
    );
    const skipped = readSquad(file, { onBadLine: 'skip' });
    assert.deepEqual([skipped.examples.map((e) => e.id), skipped.skipped.length], [['ok'], 1]);
    writeFileSync(file, '{"version": "1.1"}');
    assert.throws(() => readSquad(file), /found no "data" list/);
  });

  test('XQuAD English: 48 articles, 240 paragraphs, 1,190 questions with one answer each (SOURCE.md)', needs('squad_xquad_en'), () => {
    const { examples } = readSquad(dataset('squad_xquad_en', 'xquad.en.json'));
    assert.equal(examples.length, 1190);
    assert.equal(new Set(examples.map((e) => e.title)).size, 48);
    assert.equal(new Set(examples.map((e) => e.textB)).size, 240);
    assert.ok(examples.every((e) => e.answers.length === 1));
    assert.deepEqual(examples[0]!.answers, [{ text: '308', start: 34 }]);
  });
});
