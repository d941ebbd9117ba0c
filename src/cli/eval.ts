/** `mtl eval CKPT [--split dev|test]`: evaluates a checkpoint on its run's data and prints the metrics as JSON. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { evaluateCheckpoint } from '../eval/checkpoint.js';
import { onePositional } from './args.js';

export async function evalCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { split: { type: 'string', default: 'dev' } },
    allowPositionals: true,
    strict: true,
  });
  const dir = onePositional(positionals, 'checkpoint folder', 'eval');
  const split = values.split;
  if (split !== 'dev' && split !== 'test') throw new ConfigError(`--split must be dev or test, got '${split}'`);
  const r = await evaluateCheckpoint(dir, { split, log: (line) => console.error(line) });
  const out = {
    checkpoint: r.checkpoint,
    step: r.step,
    split: r.split,
    metrics: r.metrics,
    losses: r.losses,
    joint: r.joint,
    examples: r.examples,
  };
  console.log(JSON.stringify(out, null, 2));
  return 0;
}
