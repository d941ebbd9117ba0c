import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DataError } from '../../src/errors.js';
import { countPlainTextLines, FILE_START, readPlainText, readPlainTextWindow, streamPlainText } from '../../src/data/readers/plain-text.js';
import { tempFolder } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

test('one example per non-blank line, with its line number; BOM, CRLF and a missing final newline handled', async () => {
  const file = tmp.write('corpus.txt', '\ufeffFirst document.\r\n\r\n   \nSecond one\nthird, no newline');
  const docs = await readPlainText(file);
  assert.deepEqual(
    docs.map((d) => [d.id, d.text, d.source.line]),
    [
      ['1', 'First document.', 1],
      ['4', 'Second one', 4],
      ['5', 'third, no newline', 5],
    ],
  );
  assert.equal(docs[0]!.source.file, file);
  assert.deepEqual(
    (await readPlainText(file, { maxLines: 2 })).map((d) => d.text),
    ['First document.', 'Second one'],
  );
});

test('streams a file larger than its chunks: lines split across chunk boundaries come out whole', async () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `sentence ${i} ${'é'.repeat(i % 7)}`);
  const file = tmp.write('big.txt', lines.join('\n') + '\n');
  let n = 0;
  for await (const doc of streamPlainText(file, { chunkBytes: 997 })) {
    assert.equal(doc.text, lines[n]);
    n++;
  }
  assert.equal(n, lines.length);
});

test('invalid UTF-8 is a DataError naming file:line; a missing file is a DataError', async () => {
  const bytes = Buffer.concat([Buffer.from('good line\nalso good\nbad '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
  const file = tmp.write('bad.txt', bytes);
  await assert.rejects(readPlainText(file), (e: unknown) => e instanceof DataError && e.message.startsWith(`${file}:3: invalid UTF-8`));
  await assert.rejects(readPlainText(tmp.dir + '/missing.txt'), DataError);
});

test('windows from a position: consecutive windows read every line once, with file line numbers; counts agree', () => {
  const file = tmp.write('windows.txt', 'a\n\nb\nc\n  \nd\ne\nf\ng');
  const seen: [string, number][] = [];
  let at = FILE_START;
  let windows = 0;
  for (;;) {
    const w = readPlainTextWindow(file, at, 3, 5); // 5-byte chunks: lines cross chunk boundaries
    seen.push(...w.examples.map((e): [string, number] => [e.text, e.source.line]));
    windows++;
    if (w.atEnd) break;
    at = w.next;
  }
  assert.deepEqual(seen, [
    ['a', 1],
    ['b', 3],
    ['c', 4],
    ['d', 6],
    ['e', 7],
    ['f', 8],
    ['g', 9],
  ]);
  assert.equal(windows, 3, 'three lines, three lines, then the last one');
  const second = readPlainTextWindow(file, FILE_START, 3).next;
  assert.deepEqual(second, { offset: 7, line: 4 }, 'after "a\\n\\nb\\nc\\n": byte 7, 4 lines read (the blank one too)');
  assert.deepEqual(
    readPlainTextWindow(file, second, 2).examples.map((e) => e.text),
    ['d', 'e'],
  );
  assert.equal(countPlainTextLines(file), 7);
  assert.equal(countPlainTextLines(file, second), 4);
  assert.equal(countPlainTextLines(file, FILE_START, 5), 5, 'at most maxLines');
});
