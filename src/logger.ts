/**
 * Where a run's lines go. One logger is made per run (by the command or the caller) and handed down as it
 * is; a part of a bigger recipe gets `prefixed(logger, …)` instead of a re-wrapped callback. `console`,
 * pino and winston loggers fit the interface as they are.
 */
export interface Logger {
  /** Writes one line (no trailing newline). */
  info(line: string): void;
}

/** A logger that drops every line: the default of library calls that were given none. */
export const silentLogger: Logger = { info: () => {} };

/** A logger that puts `prefix` before each line of `logger` ("[single-intent] step 20 …"). */
export function prefixed(logger: Logger, prefix: string): Logger {
  return { info: (line) => logger.info(`${prefix}${line}`) };
}

/** A logger writing each line to standard output through console.log (the commands' progress lines). */
export const stdoutLogger: Logger = { info: (line) => console.log(line) };

/** A logger writing each line to standard error (commands whose standard output is data). */
export const stderrLogger: Logger = { info: (line) => console.error(line) };
