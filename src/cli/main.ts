/**
 * The `mtl` command line. Parses arguments (node:util parseArgs) and prints; the work is done by
 * library functions (src/train for train, eval and predict).
 */
import { parseArgs } from 'node:util';
import { MtlError } from '../errors.js';
import { nonNegativeInt, positiveInt } from './args.js';

const USAGE = `usage: mtl <command> [options]

commands:
  train CONFIG          train a multi-task model as the YAML config says; checkpoints in <output_dir>/best and /last,
                        metrics in <output_dir>/metrics.jsonl, the best checkpoint's test metrics in test_metrics.json.
                        Ctrl-C saves <output_dir>/last and stops (a second Ctrl-C exits at once)
           --resume        continue from <output_dir>/last (same config; steps, output and reporting may change)
           --output DIR    write to DIR instead of the config's output_dir
           --max-steps N   train N optimizer steps (instead of the config's max_steps or epochs)
  eval CKPT             evaluate a checkpoint folder on its run's data (from its training_config.yaml); prints JSON
           --split S       dev (default) or test
  predict CKPT TEXT...  print one JSON line per text: every task's prediction (label and probability; BIO tags and
                        typed spans with character offsets into the text)
           --input FILE    read the texts from a JSON lines file instead: "a text" or {"text": …, "text_pair": …} per line
  demo                  train a small sentiment model on SST-2 through the tensor API and report accuracy
           --data DIR      the sst2 folder (default: ../shared/datasets/sst2, then ./datasets/sst2)
           --out DIR       where the weights and metrics go (default: runs/demo)
           --epochs N      passes over the training set (default 1)
           --seed N        random seed (default 0)
           --threads N     libtorch intra-op threads (default: libtorch's)
  help                  this text`;

async function demoCommand(rest: string[]): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: {
      data: { type: 'string' },
      out: { type: 'string', default: 'runs/demo' },
      epochs: { type: 'string', default: '1' },
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

/** Runs the CLI with `argv` (without node and script); returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return await (await import('./train.js')).trainCommand(rest);
      case 'eval':
        return await (await import('./eval.js')).evalCommand(rest);
      case 'predict':
        return await (await import('./predict.js')).predictCommand(rest);
      case 'demo':
        return await demoCommand(rest);
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

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
