import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BadLines, describeSkipped, readTextFile, splitLines, splitWhitespace } from '../../src/data/readers/source.js';
import { findInvalidUtf8 } from '../../src/io/utf8.js';
import { ConfigError } from '../../src/errors.js';
import { tempFolder, throwsDataError } from './helpers.js';

const tmp = tempFolder();
after(tmp.remove);

test('findInvalidUtf8 agrees with a fatal TextDecoder on valid and invalid sequences', () => {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const valid = (bytes: number[]) => {
    try {
      decoder.decode(new Uint8Array(bytes));
      return true;
    } catch {
      return false;
    }
  };
  const cases: number[][] = [
    [0x61, 0x62],
    [0xc3, 0xa1], // á
    [0xe4, 0xb8, 0xad], // 中
    [0xf0, 0x9f, 0x98, 0x82], // 😂
    [0xff],
    [0xc0, 0xaf], // overlong '/'
    [0xe0, 0x80, 0xaf], // overlong
    [0xed, 0xa0, 0x80], // surrogate U+D800
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0xe4, 0xb8], // truncated
    [0x80], // lone continuation
    [0x61, 0xc3, 0x28], // bad continuation
  ];
  for (const bytes of cases) {
    assert.equal(findInvalidUtf8(new Uint8Array(bytes)) === -1, valid(bytes), `bytes ${bytes.map((b) => b.toString(16))}`);
  }
  assert.equal(findInvalidUtf8(new Uint8Array([0x61, 0x0a, 0xc3, 0xa1, 0xe9, 0x62])), 4);
});

test('invalid UTF-8 names the file, the line and the byte offset', () => {
  // "ok\ncafé" in Latin-1: é is the single byte 0xE9 at offset 6, on line 2.
  const file = tmp.write('latin1.txt', Buffer.from('ok\ncaf\xe9\n', 'latin1'));
  throwsDataError(() => readTextFile(file), `${file}:2`, /invalid UTF-8 at byte offset 6 \(bytes e9 0a\)/);
});

test('an empty file, and a file of only whitespace, are DataErrors', () => {
  const empty = tmp.write('empty.txt', '');
  throwsDataError(() => readTextFile(empty), empty, 'empty (0 bytes)');
  const blank = tmp.write('blank.txt', '\r\n \n\t\n');
  throwsDataError(() => readTextFile(blank), blank, 'holds no data');
  const bomOnly = tmp.write('bom.txt', '\ufeff');
  throwsDataError(() => readTextFile(bomOnly), bomOnly, 'holds no data');
});

test('a missing file is a DataError naming it', () => {
  const file = `${tmp.dir}/nope.txt`;
  throwsDataError(() => readTextFile(file), file, /cannot read the data file: ENOENT/);
});

test('a leading BOM is removed and CRLF becomes LF; a lone CR and an inner U+FEFF stay', () => {
  const file = tmp.write('bom-crlf.txt', '\ufeffa b\r\nc\rd\ufeff\r\n');
  assert.equal(readTextFile(file), 'a b\nc\rd\ufeff\n');
});

test('splitLines drops only the empty string after a final line end', () => {
  assert.deepEqual(splitLines('a\nb\n'), ['a', 'b']);
  assert.deepEqual(splitLines('a\nb'), ['a', 'b']);
  assert.deepEqual(splitLines('a\n\nb\n\n'), ['a', '', 'b', '']);
});

test('splitWhitespace splits at ASCII spaces and tabs only', () => {
  assert.deepEqual(splitWhitespace('  add  the\talbum '), ['add', 'the', 'album']);
  assert.deepEqual(splitWhitespace('a\u00a0b c'), ['a\u00a0b', 'c']);
  assert.deepEqual(splitWhitespace('   '), []);
});

test('BadLines throws under error, records under skip, and rejects unknown policies', () => {
  throwsDataError(
    () => new BadLines(undefined).report('f.txt', 3, 'why'),
    'f.txt:3',
    /^why \(to leave such lines out .*'skip_bad_lines: true' in the task's data section, or onBadLine: 'skip'/,
  );
  const skip = new BadLines('skip');
  skip.report('f.txt', 3, 'why');
  skip.report('f.txt', 9, 'because');
  assert.deepEqual(skip.skipped, [
    { file: 'f.txt', line: 3, reason: 'why' },
    { file: 'f.txt', line: 9, reason: 'because' },
  ]);
  assert.equal(describeSkipped(skip.skipped), 'skipped 2 bad lines in f.txt: 3 (why), 9 (because)');
  assert.equal(describeSkipped(skip.skipped, 1), 'skipped 2 bad lines in f.txt: 3 (why), and 1 more');
  assert.throws(() => new BadLines('ignore' as 'skip'), ConfigError);
});
