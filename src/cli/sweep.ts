/**
 * `mtl sweep CONFIG SPACE [--parallel N] [--quiet]`: parses, calls `sweep`, prints the results table.
 * Ctrl-C (or SIGTERM) stops the running trials at their next step (each saves `last/`) and the sweep;
 * running the same command again continues it.
 */
import { parseArgs } from 'node:util';
import { sweep } from '../experiments/sweep/sweep.js';
import { sweepMarkdown } from '../experiments/sweep/results.js';
import { positiveInt, UsageError } from './args.js';
import { stdoutLogger } from '../logger.js';
import { INTERRUPTED_EXIT_CODE } from './train.js';

/** Runs `mtl sweep`; returns the exit code (130 when interrupted). */
export async function sweepCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { parallel: { type: 'string', default: '1' }, quiet: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 2)
    throw new UsageError(
      `mtl sweep takes a training config and a space file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  const [config, space] = positionals as [string, string];
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await sweep(config, space, {
      parallel: positiveInt(values.parallel, '--parallel'),
      signal: stop.signal,
      ...(values.quiet ? {} : { logger: stdoutLogger }),
    });
    console.log(sweepMarkdown(result.table));
    console.log(
      `results: ${result.markdownFile} and ${result.jsonFile}${result.bestConfigFile === undefined ? '' : `; best config: ${result.bestConfigFile}`}`,
    );
    if (!result.finished) console.log('the sweep was stopped before its end: run the same command again to continue it');
    return result.finished ? 0 : INTERRUPTED_EXIT_CODE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
