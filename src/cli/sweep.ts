/**
 * What `mtl sweep CONFIG SPACE` runs: `sweep`, then prints the results table.
 * Ctrl-C (or SIGTERM) stops the running trials at their next step (each saves `last/`) and the sweep;
 * running the same command again continues it.
 */
import { sweep } from '../experiments/sweep/sweep.js';
import { sweepMarkdown } from '../experiments/sweep/results.js';
import { stdoutLogger } from '../logger.js';
import { INTERRUPTED_EXIT_CODE } from './train.js';

/** `mtl sweep`'s flags, parsed (src/cli/commands/sweep.ts declares them). */
export interface SweepFlags {
  parallel: number;
  quiet?: boolean;
}

/** Runs `mtl sweep` of the training config `config` over the space file `space`; returns the exit code (130 when interrupted). */
export async function runSweep(config: string, space: string, flags: SweepFlags): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await sweep(config, space, {
      parallel: flags.parallel,
      signal: stop.signal,
      ...(flags.quiet === true ? {} : { logger: stdoutLogger }),
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
