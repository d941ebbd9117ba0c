/** What `mtl report RUN_DIR` runs: writes the run's HTML report (src/report) and prints its path. */
import { writeRunReport } from '../report/index.js';
import { stderrLogger } from '../logger.js';

/** `mtl report`'s flags, parsed (src/cli/commands/report.ts declares them). */
export interface ReportFlags {
  out?: string;
  split: 'dev' | 'test';
  /** false with --no-eval. */
  eval: boolean;
}

/** Runs `mtl report` on the run folder `runDir`; returns the exit code. */
export async function runReport(runDir: string, flags: ReportFlags): Promise<number> {
  const file = await writeRunReport(runDir, {
    split: flags.split,
    evaluate: flags.eval,
    logger: stderrLogger,
    ...(flags.out === undefined ? {} : { out: flags.out }),
  });
  console.log(file);
  return 0;
}
