/**
 * What a command's action gets from `main` besides its parsed arguments: the raw command line (a
 * data-parallel launch passes it on to its workers), where streamed text goes, and where the action
 * leaves its exit code (commander's actions return nothing `main` can read).
 */
export interface CliContext {
  /** The arguments after the command's name, as given. */
  readonly args: readonly string[];
  /** Writes text to standard output as it comes (`mtl generate` streams tokens). */
  readonly write: (text: string) => void;
  /** The process exit code the action sets: 0 unless it says otherwise. */
  exitCode: number;
}
