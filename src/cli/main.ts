/**
 * The `mtl` command line. Parses arguments (node:util parseArgs) and prints; the work is done by
 * library functions.
 */
import { parseArgs } from 'node:util';
import { ConfigError, MtlError } from '../errors.js';

const USAGE = `usage: mtl <command> [options]

commands:
  demo     train a small sentiment model on SST-2 through the tensor API and report accuracy
           --data DIR      the sst2 folder (default: ../shared/datasets/sst2, then ./datasets/sst2)
           --out DIR       where the weights and metrics go (default: runs/demo)
           --epochs N      passes over the training set (default 2)
           --seed N        random seed (default 0)
           --threads N     libtorch intra-op threads (default: libtorch's)
  help     this text`;

/** Runs the CLI with `argv` (without node and script); returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'demo': {
        const { values } = parseArgs({
          args: rest,
          options: {
            data: { type: 'string' },
            out: { type: 'string', default: 'runs/demo' },
            epochs: { type: 'string', default: '2' },
            seed: { type: 'string', default: '0' },
            threads: { type: 'string' },
          },
          strict: true,
        });
        const { runDemo } = await import('./demo.js');
        await runDemo({
          dataDir: values.data,
          outDir: values.out,
          epochs: positiveInt(values.epochs, '--epochs'),
          seed: nonNegativeInt(values.seed, '--seed'),
          threads: values.threads === undefined ? undefined : positiveInt(values.threads, '--threads'),
          log: (line) => console.log(line),
        });
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 1 : 0;
      default:
        console.error(`mtl: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof MtlError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`mtl ${command}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${flag} must be a non-negative integer, got '${text}'`);
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
