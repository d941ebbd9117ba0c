/**
 * The text of a config file, read as strict UTF-8 as data files are: a config saved in Latin-1 or
 * Windows-1252 (`prefix: 'réponse : '`) is refused with its line, not read with U+FFFD in place of
 * its accented letters.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { describeInvalidUtf8 } from '../utf8.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of the config file `file` (a leading byte-order mark removed).
 * @param what names the file in messages ('training config', 'compare config').
 * @throws ConfigError when it cannot be read, or is not UTF-8 (naming the line and byte offset).
 */
export function readConfigText(file: string, what: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new ConfigError(`cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ConfigError(
      `the ${what} ${describeInvalidUtf8(file, bytes)}; config files must be UTF-8 — re-encode it (e.g. iconv -f latin1 -t utf-8)`,
    );
  }
}
