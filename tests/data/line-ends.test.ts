/**
 * Line ends in data files: LF, CRLF (Windows) and a bare CR (classic Mac OS) read the same in every
 * reader — the same examples, the same line numbers in errors. A file's first line end decides: in
 * an LF file a stray CR stays inside its line as text (as before), so a text field holding one is not split.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readConll } from '../../src/data/readers/conll.js';
import { readDelimitedText } from '../../src/data/readers/delimited.js';
import { readJointFolder } from '../../src/data/readers/joint-folder.js';
import { readJsonlText } from '../../src/data/readers/jsonl.js';
import { readParallel } from '../../src/data/readers/parallel.js';
import { readPlainText, readPlainTextWindow, FILE_START } from '../../src/data/readers/plain-text.js';
import { normalizeLineEnds } from '../../src/data/readers/source.js';
import { tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

const ENDS = { lf: '\n', crlf: '\r\n', cr: '\r' } as const;
/** `lines` joined and ended with `end`. */
const text = (lines: readonly string[], end: string) => lines.map((l) => l + end).join('');

test('normalizeLineEnds: the first line end decides; CR files get universal newlines, LF files keep a stray CR', () => {
  assert.equal(normalizeLineEnds('a\rb\r\nc\nd\r'), 'a\nb\nc\nd\n');
  assert.equal(normalizeLineEnds('a\r\nb\rc\n'), 'a\nb\rc\n');
  assert.equal(normalizeLineEnds('a\nb\rc\n'), 'a\nb\rc\n');
  assert.equal(normalizeLineEnds('no line end'), 'no line end');
});

for (const [name, end] of Object.entries(ENDS)) {
  test(`${name} line ends: tsv, csv, jsonl, CoNLL, parallel, joint folder and plain text read the same examples and lines`, async () => {
    const tsv = readDelimitedText(tmp.write(`${name}.tsv`, text(['text\tlabel', 'a b\tx', 'c d\ty'], end)), {
      text: 'text',
      label: 'label',
    });
    assert.deepEqual(
      tsv.examples.map((e) => [e.text, e.label, e.source.line]),
      [
        ['a b', 'x', 2],
        ['c d', 'y', 3],
      ],
    );
    const csv = readDelimitedText(tmp.write(`${name}.csv`, text(['text,label', '"a, b",x', 'c,y'], end)), { text: 'text', label: 'label' });
    assert.deepEqual(
      csv.examples.map((e) => [e.text, e.source.line]),
      [
        ['a, b', 2],
        ['c', 3],
      ],
    );
    const jsonl = readJsonlText(tmp.write(`${name}.jsonl`, text(['{"text":"a b","label":"x"}', '', '{"text":"c","label":"y"}'], end)), {
      text: 'text',
      label: 'label',
    });
    assert.deepEqual(
      jsonl.examples.map((e) => [e.text, e.source.line]),
      [
        ['a b', 1],
        ['c', 3],
      ],
    );
    const conll = readConll(tmp.write(`${name}.conll`, text(['EU\tB-ORG', 'rejects\tO', '', 'Peter\tB-PER'], end)));
    assert.deepEqual(
      conll.examples.map((e) => [e.tokens, e.tags, e.wordLines]),
      [
        [
          ['EU', 'rejects'],
          ['B-ORG', 'O'],
          [1, 2],
        ],
        [['Peter'], ['B-PER'], [4]],
      ],
    );
    tmp.write(`${name}-p.en`, text(['hello world', 'red cat'], end));
    tmp.write(`${name}-p.de`, text(['hallo welt', 'rote katze'], end));
    const parallel = readParallel(`${tmp.dir}/${name}-p`, 'en', 'de');
    assert.deepEqual(
      parallel.examples.map((e) => [e.text, e.label, e.source.line]),
      [
        ['hello world', 'hallo welt', 1],
        ['red cat', 'rote katze', 2],
      ],
    );
    tmp.write(`${name}-joint/seq.in`, text(['play jazz', 'stop'], end));
    tmp.write(`${name}-joint/seq.out`, text(['O B-genre', 'O'], end));
    tmp.write(`${name}-joint/label`, text(['PlayMusic', 'Stop'], end));
    const joint = readJointFolder(`${tmp.dir}/${name}-joint`);
    assert.deepEqual(
      joint.examples.map((e) => [e.tokens, e.tags, e.intent]),
      [
        [['play', 'jazz'], ['O', 'B-genre'], 'PlayMusic'],
        [['stop'], ['O'], 'Stop'],
      ],
    );
    const corpus = tmp.write(`${name}.txt`, text(['first doc', '', 'second doc', 'third doc'], end));
    const docs = (await readPlainText(corpus)).map((e) => [e.text, e.source.line]);
    assert.deepEqual(docs, [
      ['first doc', 1],
      ['second doc', 3],
      ['third doc', 4],
    ]);
    // Windows of one line, chunks of 3 bytes: a CRLF split across chunks is still one line end.
    const lines: (string | number)[][] = [];
    for (let at = FILE_START, w = readPlainTextWindow(corpus, at, 1, 3); ; w = readPlainTextWindow(corpus, at, 1, 3)) {
      lines.push(...w.examples.map((e) => [e.text, e.source.line]));
      if (w.atEnd) break;
      at = w.next;
    }
    assert.deepEqual(lines, docs);
  });

  test(`${name} line ends: an error names the line an editor shows`, () => {
    const file = tmp.write(`${name}-bad.jsonl`, text(['{"text":"a","label":"x"}', '{"text":"b"', '{"text":"c","label":"y"}'], end));
    throwsDataError(() => readJsonlText(file, { text: 'text', label: 'label' }), `${file}:2`, /not valid JSON/);
  });
}

test('in an LF (or CRLF) file a stray CR inside a field stays text, so the row is not split', () => {
  const tsv = readDelimitedText(tmp.write('stray.tsv', 'text\tlabel\na\rb\tx\nc\ty\n'), { text: 'text', label: 'label' });
  assert.deepEqual(
    tsv.examples.map((e) => [e.text, e.label]),
    [
      ['a\rb', 'x'],
      ['c', 'y'],
    ],
  );
});
