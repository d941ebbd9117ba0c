/** `mtl compare CONFIG`: parses, calls `compare`, prints the table. */
import { parseArgs } from 'node:util';
import { compare } from '../experiments/compare.js';
import { compareMarkdown } from '../experiments/compare-table.js';
import { onePositional } from './args.js';
import { stdoutLogger } from '../logger.js';

/** Runs `mtl compare`; returns the exit code. */
export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { quiet: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const file = onePositional(positionals, 'compare config', 'compare');
  const result = await compare(file, values.quiet ? {} : { logger: stdoutLogger });
  console.log(compareMarkdown(result.table));
  console.log(`table: ${result.markdownFile} and ${result.jsonFile}`);
  return 0;
}
