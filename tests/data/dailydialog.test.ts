/**
 * DailyDialog's dialogue files (src/data/readers/dailydialog.ts): context → response examples from a
 * hand-made file (expected values written out by hand from the format in
 * ../shared/datasets/dailydialog/SOURCE.md), bad lines named by file and line, and the release's
 * counts where the dataset is present (SOURCE.md: turns − dialogues = 76,053 / 7,069 / 6,740 pairs).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { dialogueTurns, readDailyDialog } from '../../src/data/readers/dailydialog.js';
import { dataset, needs, tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

// line 1: ’ split off with spaces and a sentence boundary without one, as released; line 2: a DEL
// (train line 3987 has one) and K = 2 cutting the context
const GOOD =
  'Hi , Tom . __eou__ Hello ! How ’ s it going ? __eou__ Fine.Thanks . __eou__\nA . __eou__ B . __eou__ C . __eou__ D . __eou__ E \x7f . __eou__\n';

describe('DailyDialog reader', () => {
  it('each turn after the first is a response to the turns before it', () => {
    const file = tmp.write('good.txt', GOOD);
    const { examples, skipped } = readDailyDialog(file, { contextTurns: 2 });
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      examples.map((e) => [e.id, e.text, e.label, e.source.line]),
      [
        ['1.2', 'Hi , Tom .', 'Hello ! How ’ s it going ?', 1],
        ['1.3', 'Hi , Tom . | Hello ! How ’ s it going ?', 'Fine.Thanks .', 1],
        ['2.2', 'A .', 'B .', 2],
        ['2.3', 'A . | B .', 'C .', 2],
        ['2.4', 'B . | C .', 'D .', 2],
        ['2.5', 'C . | D .', 'E .', 2],
      ],
    );
  });

  it('detokenize: sources and targets as a person writes them (the release as is without it)', () => {
    const file = tmp.write('detok.txt', GOOD);
    const { examples } = readDailyDialog(file, { contextTurns: 2, detokenize: true });
    assert.deepEqual(
      examples.slice(0, 2).map((e) => [e.text, e.label]),
      [
        ['Hi, Tom.', 'Hello! How’s it going?'],
        ['Hi, Tom. | Hello! How’s it going?', 'Fine.Thanks.'],
      ],
    );
    assert.equal(readDailyDialog(file, { detokenize: false }).examples[0]!.label, 'Hello ! How ’ s it going ?');
  });

  it('the default window is 3 turns; the separator is an option', () => {
    const file = tmp.write('window.txt', GOOD);
    const last = readDailyDialog(file).examples.at(-1)!;
    assert.equal(last.text, 'B . | C . | D .');
    const joined = readDailyDialog(file, { contextTurns: 10, turnSeparator: ' [SEP] ' }).examples.at(-1)!;
    assert.equal(joined.text, 'A . [SEP] B . [SEP] C . [SEP] D .');
    assert.throws(() => readDailyDialog(file, { contextTurns: 0 }), ConfigError);
  });

  it('splits turns as SOURCE.md says: split on __eou__, drop the empty last piece, strip', () => {
    assert.deepEqual(dialogueTurns('Hi ! __eou__ Hello . __eou__'), ['Hi !', 'Hello .']);
    assert.deepEqual(dialogueTurns('Hi !__eou__Hello . __eou__'), ['Hi !', 'Hello .']);
  });

  it('bad lines raise a DataError with file:line; skip lists them', () => {
    const cases: [string, RegExp][] = [
      ['3 4 2 ', /no '__eou__' in the line.*act or emotion file/],
      ['Hi . __eou__ there', /text after the last '__eou__' \("there"\)/],
      ['Hi . __eou__  __eou__', /turn 2 of 2 is empty/],
      ['Solo . __eou__', /a dialogue of one turn/],
      ['', /a blank line/],
    ];
    for (const [i, [line, problem]] of cases.entries()) {
      const file = tmp.write(`bad${i}.txt`, `A . __eou__ B . __eou__\n${line}\n`);
      throwsDataError(() => readDailyDialog(file), `${file}:2`, problem);
    }
    const file = tmp.write('skip.txt', `A . __eou__ B . __eou__\n3 4 2 \nSolo . __eou__\nC . __eou__ D . __eou__\n`);
    const { examples, skipped } = readDailyDialog(file, { onBadLine: 'skip' });
    assert.deepEqual(
      examples.map((e) => e.id),
      ['1.2', '4.2'],
    );
    assert.deepEqual(
      skipped.map((s) => s.line),
      [2, 3],
    );
  });
});

describe('DailyDialog release', needs('dailydialog'), () => {
  const read = (split: string) => readDailyDialog(dataset('dailydialog', split, `dialogues_${split}.txt`));

  it('pairs: turns − dialogues of SOURCE.md (76,053 / 7,069 / 6,740); no control character, no __eou__ left', () => {
    const [train, validation, test] = ['train', 'validation', 'test'].map((s) => read(s).examples);
    assert.deepEqual([train!.length, validation!.length, test!.length], [87171 - 11118, 8069 - 1000, 7740 - 1000]);
    // eslint-disable-next-line no-control-regex
    const bad = train!.filter((e) => /[\u0000-\u001f\u007f]|__eou__/.test(e.text + e.label!));
    assert.deepEqual(bad, []);
    // train line 3987 ends "I like to paint . <DEL> __eou__"; line 7852 has 12 turns (SOURCE.md's version note)
    assert.ok(train!.some((e) => e.source.line === 3987 && e.label!.endsWith('I like to paint .')));
    assert.equal(train!.filter((e) => e.source.line === 7852).length, 11);
  });

  it("test's first dialogue opens as in the file", () => {
    const [first, second] = read('test').examples;
    assert.deepEqual([first!.id, first!.text, first!.label], ['1.2', 'Hey man , you wanna buy some weed ?', 'Some what ?']);
    assert.equal(second!.text, 'Hey man , you wanna buy some weed ? | Some what ?');
  });
});
