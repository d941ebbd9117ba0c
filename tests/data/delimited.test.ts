import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readDelimited, readDelimitedText, readDelimitedTextPairs } from '../../src/data/readers/delimited.js';
import { ConfigError } from '../../src/errors.js';
import { dataset, needs, tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

test('Banking77: 10,003 / 3,080 rows over CRLF with quoted line breaks, 77 categories each', needs('banking77'), () => {
  for (const [split, n] of [
    ['train', 10003],
    ['test', 3080],
  ] as const) {
    const { examples, skipped } = readDelimitedText(dataset('banking77', `${split}.csv`), { text: 'text', label: 'category' });
    assert.equal(examples.length, n, split);
    assert.equal(skipped.length, 0);
    assert.equal(new Set(examples.map((e) => e.label)).size, 77, split);
    assert.ok(examples.every((e) => !e.text.includes('\r') && !e.label!.includes('\r')));
  }
  const file = dataset('banking77', 'train.csv');
  const train = readDelimitedText(file, { text: 'text', label: 'category' }).examples;
  assert.deepEqual(train[0], { id: '0', text: 'I am still waiting on my card?', label: 'card_arrival', source: { file, line: 2 } });
  assert.deepEqual(train.at(-1), {
    id: '10002',
    text: 'Which countries are represented?',
    label: 'country_support',
    source: { file, line: 10017 },
  });
  // Lines 1292-1296: a quoted text with line breaks; rows after it keep their true line numbers.
  const multi = train.filter((e) => e.text.includes('\n'));
  assert.equal(multi.length, 10);
  assert.deepEqual(multi[0], {
    id: '1290',
    text: "\nI can't seem to be able to use my card\n\n\n",
    label: 'card_not_working',
    source: { file, line: 1292 },
  });
  assert.equal(train[1291]!.source.line, 1297);
  assert.equal(train[1291]!.text, 'Why is my physical card not working?');
  const test = readDelimitedText(dataset('banking77', 'test.csv'), { text: 'text', label: 'category' }).examples;
  assert.equal(test.filter((e) => e.text.includes('\n')).length, 3);
  assert.equal(test.at(-1)!.text, 'Can the card be mailed and used in Europe?');
});

test('SST-2: counts and label balance of SOURCE.md; trailing spaces kept; test-labeled has CRLF', needs('sst2'), () => {
  const counts: [string, number, number][] = [
    ['train', 67349, 37569],
    ['dev', 872, 444],
    ['test-labeled', 1821, 904],
  ];
  for (const [split, n, positive] of counts) {
    const { examples } = readDelimitedText(dataset('sst2', `${split}.tsv`), { text: 'sentence', label: 'label' });
    assert.equal(examples.length, n, split);
    assert.equal(examples.filter((e) => e.label === '1').length, positive, split);
    assert.equal(examples.filter((e) => e.label === '0').length, n - positive, split);
  }
  const train = readDelimitedText(dataset('sst2', 'train.tsv'), { text: 'sentence', label: 'label' }).examples;
  assert.deepEqual([train[0]!.text, train[0]!.label], ['hide new secretions from the parental units ', '0']);
  assert.deepEqual(
    [train.at(-1)!.text, train.at(-1)!.label],
    ['this new jangle of noise , mayhem and stupidity must be a serious contender for the title . ', '0'],
  );
  const test = readDelimitedText(dataset('sst2', 'test.tsv'), { text: 'sentence', id: 'index' }).examples;
  const labeled = readDelimitedText(dataset('sst2', 'test-labeled.tsv'), { text: 'sentence', label: 'label' }).examples;
  assert.equal(test.length, 1821);
  assert.equal(test[0]!.label, undefined);
  assert.equal(test.at(-1)!.id, '1820');
  assert.ok(test.every((e, i) => e.text === labeled[i]!.text)); // CRLF removed: the files align
});

test('STS-B: counts of SOURCE.md with quoting off (sentences starting with ")', needs('stsb'), () => {
  const cols = { textA: 'sentence1', textB: 'sentence2', label: 'score', id: 'index' };
  assert.equal(readDelimitedTextPairs(dataset('stsb', 'train.tsv'), cols).examples.length, 5749);
  const dev = readDelimitedTextPairs(dataset('stsb', 'dev.tsv'), cols).examples;
  assert.equal(dev.length, 1500);
  assert.deepEqual(dev[0], {
    id: '0',
    textA: 'A man with a hard hat is dancing.',
    textB: 'A man wearing a hard hat is dancing.',
    label: '5.000',
    source: { file: dataset('stsb', 'dev.tsv'), line: 2 },
  });
  assert.equal(dev[1497]!.textB, 'Volkswagen\'s "gesture of goodwill" to diesel owners');
  assert.ok(dev.some((e) => e.textA.startsWith('"') || e.textB.startsWith('"')));
  const test = readDelimitedTextPairs(dataset('stsb', 'test.tsv'), { textA: 'sentence1', textB: 'sentence2' }).examples;
  assert.equal(test.length, 1379);
  // The original test file: no header, 7 columns, 284 rows with 2 extra attribution columns.
  const names = ['genre', 'filename', 'year', 'id', 'score', 'sentence1', 'sentence2'];
  const original = readDelimitedTextPairs(
    dataset('stsb', 'original', 'sts-test.tsv'),
    { textA: 'sentence1', textB: 'sentence2', label: 'score' },
    { header: names, extraFields: 'ignore' },
  ).examples;
  assert.equal(original.length, 1379);
  assert.deepEqual([original[0]!.label, original[0]!.source.line], ['2.500', 1]);
  // GLUE stripped trailing spaces that the original keeps (e.g. row 625).
  assert.ok(original.every((e, i) => e.textA.trimEnd() === test[i]!.textA && e.textB.trimEnd() === test[i]!.textB));
  const strict = readDelimited(dataset('stsb', 'original', 'sts-test.tsv'), { header: names, onBadLine: 'skip' });
  assert.equal(strict.rows.length, 1379 - 284);
  assert.equal(strict.skipped.length, 284);
});

test('a missing column is a DataError listing the header, found before any bad row', () => {
  const file = tmp.write('nolabel.tsv', 'sentence\tscore\nhi\t1\tbad\n');
  throwsDataError(
    () => readDelimitedText(file, { text: 'sentence', label: 'label' }),
    file,
    'no column "label" (asked for as label); the header\'s columns are: "sentence", "score"',
  );
});

test('a row with the wrong field count names file:line, after a quoted line break; skip counts it', () => {
  const file = tmp.write('fields.csv', 'text,category\r\n"two\r\nlines",a\r\n\r\nthree,fields,here\r\nok,b\r\n');
  throwsDataError(
    () => readDelimitedText(file, { text: 'text', label: 'category' }),
    `${file}:5`,
    'expected 2 fields (text, category), got 3',
  );
  const { examples, skipped } = readDelimitedText(file, { text: 'text', label: 'category' }, { onBadLine: 'skip' });
  assert.deepEqual(
    examples.map((e) => [e.id, e.text, e.label, e.source.line]),
    [
      ['0', 'two\nlines', 'a', 2],
      ['2', 'ok', 'b', 6],
    ],
  );
  assert.deepEqual(skipped, [{ file, line: 5, reason: 'expected 2 fields (text, category), got 3' }]);
  const short = tmp.write('short.tsv', 'a\tb\n1\t2\n3\n');
  throwsDataError(() => readDelimited(short), `${short}:3`, 'got 1');
});

test('quoting: on for CSV, off for TSV by default, configurable both ways', () => {
  const tsv = tmp.write('quotes.tsv', 'text\tlabel\n"quoted" start\t1\nend "quote\t0\n');
  assert.deepEqual(
    readDelimitedText(tsv, { text: 'text' }).examples.map((e) => e.text),
    ['"quoted" start', 'end "quote'],
  );
  throwsDataError(() => readDelimited(tsv, { quote: '"' }), `${tsv}:2`, /not a valid tab-separated file: .*Invalid Closing Quote/);
  const csv = tmp.write('quotes.csv', 'text,label\n"a, b",1\n');
  assert.equal(readDelimitedText(csv, { text: 'text' }).examples[0]!.text, 'a, b');
  assert.equal(readDelimitedText(csv, { text: 'text' }, { quote: false, extraFields: 'ignore' }).examples[0]!.text, '"a');
  const open = tmp.write('open.csv', 'text,label\nfine,1\n"never closed,2\n');
  throwsDataError(() => readDelimited(open), `${open}:3`, /Quote Not Closed.*pass quote: false/);
});

test('a quote left open is reported at the line of the record it opened, not where the parser gave up', () => {
  // line 3 opens a quoted field; the parser reads on through lines 4-5 and fails at line 6's quote
  const csv = tmp.write('open-mid.csv', 'text,label\nfine,1\n"opened, never closed,2\nnext,1\n\nmore,0\n"a, b",1\n');
  throwsDataError(() => readDelimited(csv), `${csv}:3`, /the record that starts on line 3 runs on to line 7.*Invalid Closing Quote/);
});

test('a header BOM, other delimiters, header problems, empty and invalid files', () => {
  const bom = tmp.write('bom.csv', '\ufefftext,label\nhi,1\n');
  assert.deepEqual(readDelimited(bom).columns, ['text', 'label']);
  const semi = tmp.write('semi.txt', 'text;label\nhi;1\n');
  assert.throws(() => readDelimited(semi), ConfigError);
  assert.equal(readDelimited(semi, { delimiter: ';' }).rows[0]!.fields.label, '1');
  const dup = tmp.write('dup.csv', 'text,text\na,b\n');
  throwsDataError(() => readDelimited(dup), dup, 'names column "text" twice');
  const headerOnly = tmp.write('header.csv', 'text,label\r\n');
  throwsDataError(() => readDelimited(headerOnly), headerOnly, 'no data rows');
  const empty = tmp.write('empty.csv', '');
  throwsDataError(() => readDelimited(empty), empty, 'empty (0 bytes)');
  const bad = tmp.write('bad.csv', Buffer.concat([Buffer.from('text,label\r\nok,1\r\n'), Buffer.from([0x80, 0x2c, 0x32, 0x0d, 0x0a])]));
  throwsDataError(() => readDelimited(bad), `${bad}:3`, 'invalid UTF-8 at byte offset 18');
});

test('option checks, and a column named __proto__ is an ordinary field', () => {
  const csv = tmp.write('proto.csv', '__proto__,text\nx,hi\n');
  const row = readDelimited(csv).rows[0]!;
  assert.equal(row.fields['__proto__'], 'x');
  assert.equal(Object.getPrototypeOf(row.fields), Object.prototype);
  assert.throws(() => readDelimited(csv, { delimiter: '' }), ConfigError);
  assert.throws(() => readDelimited(csv, { quote: "''" }), ConfigError);
  assert.throws(() => readDelimited(csv, { extraFields: 'drop' as 'ignore' }), ConfigError);
  assert.throws(() => readDelimited(csv, { onBadLine: 'warn' as 'skip' }), ConfigError);
});

test('a misspelt column is named with the nearest one in the header', () => {
  const file = tmp.write('typo.csv', 'question,answer\nwhere is it,let me check\n');
  throwsDataError(
    () => readDelimitedText(file, { text: 'question', label: 'answr' }),
    file,
    'no column "answr" (asked for as label); did you mean "answer"?; the header\'s columns are: "question", "answer"',
  );
});
