/**
 * What `mtl average CKPT... --output OUT` and `mtl average RUN_DIR --last K --output OUT` run: the
 * element-wise mean of the checkpoints' weights, written as a new checkpoint folder (src/io/checkpoint-average.ts).
 */
import { averageCheckpoints } from '../io/checkpoint-average.js';
import { lastNumberedCheckpoints } from '../run/checkpoint-rotation.js';
import { UsageError } from './args.js';

/** `mtl average`'s flags, parsed (src/cli/commands/average.ts declares them). */
export interface AverageFlags {
  output: string;
  /** Average the last K numbered checkpoints of the one run folder given. */
  last?: number;
  overwrite?: boolean;
}

/** The checkpoint folders to average: those given, or the last K of the one run folder given. */
function inputsOf(given: readonly string[], last: number | undefined): string[] {
  if (last === undefined) return [...given];
  if (given.length !== 1)
    throw new UsageError(
      `--last K takes one run output folder (e.g. mtl average runs/x --last 5 --output runs/x/avg5), got ${given.length}`,
    );
  return lastNumberedCheckpoints(given[0] as string, last);
}

/** Runs `mtl average`; prints the folders averaged and the one written; returns the exit code. */
export function runAverage(given: readonly string[], flags: AverageFlags): number {
  const r = averageCheckpoints(inputsOf(given, flags.last), flags.output, { overwrite: flags.overwrite === true });
  const steps = r.inputs.map((i) => (i.step === null ? '?' : String(i.step))).join(', ');
  console.log(
    `mtl average: ${r.output} = mean of ${r.inputs.length} checkpoints (steps ${steps}; ${r.averaged} tensors averaged, ${r.copied} copied)`,
  );
  for (const i of r.inputs) console.log(`  ${i.dir}`);
  return 0;
}
