/** What `mtl compare CONFIG` runs: `compare` (src/experiments/compare.ts), then prints the table. */
import { compare } from '../experiments/compare.js';
import { compareMarkdown } from '../experiments/compare-table.js';
import { stdoutLogger } from '../logger.js';

/** `mtl compare`'s flags, parsed (src/cli/commands/compare.ts declares them). */
export interface CompareFlags {
  quiet?: boolean;
  /** `--seeds 1,2,3`, parsed. */
  seeds?: number[];
}

/** Runs `mtl compare` on the compare config `file`; returns the exit code. */
export async function runCompare(file: string, flags: CompareFlags): Promise<number> {
  const result = await compare(file, {
    ...(flags.quiet === true ? {} : { logger: stdoutLogger }),
    ...(flags.seeds === undefined ? {} : { seeds: flags.seeds }),
  });
  console.log(compareMarkdown(result.table));
  console.log(`table: ${result.markdownFile} and ${result.jsonFile}`);
  return 0;
}
