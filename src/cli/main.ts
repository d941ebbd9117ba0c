/**
 * The `mtl` command line, on commander: each command's arguments, flags and help are declared in
 * src/cli/commands/<command>.ts, and its work (loaded only when it runs) is in src/cli/<command>.ts,
 * a thin shell over the library (src/train, src/experiments, src/eval, src/predict, src/export, src/serve).
 *
 * Exit codes: 0 done (also for --help and --version); 1 the work failed (a bad config, a missing
 * file: the message says what and how to fix it); 2 a usage error (unknown command or flag, with the
 * nearest one suggested; a missing argument; a bad flag value); 130 a run stopped by Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { MtlError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { UsageError } from './args.js';
import type { CliContext } from './context.js';
import { defineAverage } from './commands/average.js';
import { defineCompare } from './commands/compare.js';
import { defineDemo } from './commands/demo.js';
import { defineEval } from './commands/eval.js';
import { defineExport } from './commands/export.js';
import { defineFinetune } from './commands/finetune.js';
import { defineGenerate } from './commands/generate.js';
import { definePredict } from './commands/predict.js';
import { defineReport } from './commands/report.js';
import { defineServe } from './commands/serve.js';
import { defineSweep } from './commands/sweep.js';
import { defineTrain } from './commands/train.js';
import { defineTransfer } from './commands/transfer.js';

/** The commands, in the order `mtl --help` lists them. */
const COMMANDS: readonly ((program: Command, cli: CliContext) => void)[] = [
  defineTrain,
  defineCompare,
  defineSweep,
  defineEval,
  defineAverage,
  defineReport,
  definePredict,
  defineGenerate,
  defineServe,
  defineExport,
  defineFinetune,
  defineTransfer,
  defineDemo,
];

/** The version in the package's package.json. */
function version(): string {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot(import.meta.url), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * The `mtl` program for one run: commander throws instead of exiting (`main` turns that into the exit
 * code) and prints through console.log / console.error.
 */
export function createProgram(cli: CliContext): Command {
  const program = new Command('mtl')
    .description('multitask-lm: multi-task learning with transformer language models on Node.js, over libtorch')
    .version(version(), '-v, --version', "print the package's version")
    .helpCommand('help [command]', 'print the help of mtl or of one command (as mtl COMMAND --help)')
    .configureHelp({ subcommandTerm: (command) => command.name() })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => console.log(text.replace(/\n$/, '')),
      writeErr: (text) => console.error(text.replace(/\n$/, '')),
    })
    .showSuggestionAfterError()
    .showHelpAfterError('(mtl --help lists the commands)')
    .addHelpText('after', '\nmtl COMMAND --help (or mtl help COMMAND) prints its arguments and options.');
  for (const define of COMMANDS) define(program, cli);
  for (const command of program.commands) command.showHelpAfterError(`(mtl ${command.name()} --help lists its options)`);
  return program;
}

/**
 * The command line with two spellings kept from the first `mtl`: `mtl version` (= `--version`), and
 * `mtl help NAME` for a NAME that is no command, which becomes `mtl NAME` so that it gets the
 * unknown-command error with the nearest command (commander would print the whole help instead).
 */
function conventional(argv: readonly string[], program: Command): string[] {
  const [first, second] = argv;
  if (first === 'version' && argv.length === 1) return ['--version'];
  if (first === 'help' && second !== undefined && !program.commands.some((c) => c.name() === second)) return [second];
  return [...argv];
}

/**
 * Runs the CLI with `argv` (without node and script); returns the process exit code (see above).
 * @param io where streamed text goes (default: process.stdout); everything else prints through console.
 */
export async function main(argv: string[], io: { write?: (text: string) => void } = {}): Promise<number> {
  const cli: CliContext = { args: argv.slice(1), write: io.write ?? ((text) => void process.stdout.write(text)), exitCode: 0 };
  const program = createProgram(cli);
  try {
    await program.parseAsync(conventional(argv, program), { from: 'user' });
    return cli.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // commander has printed the message
    if (e instanceof MtlError) {
      console.error(`mtl ${argv[0]}: ${e.message}`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
