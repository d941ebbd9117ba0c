/**
 * One learned vocabulary for several runs of the same config (`mtl compare`'s strategies, `mtl
 * sweep`'s trials): learned once from the base config's training texts, so every run reads the same
 * token ids and none spends time learning it again.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TrainingConfig } from '../io/config/index.js';
import { buildTokenizer } from '../run/build.js';
import { readTaskData } from '../data/task-data.js';
import { taskTypes } from '../tasks/index.js';
import type { Logger } from '../logger.js';

/**
 * The base's learned vocabulary saved as `<dir>/tokenizer.json` (kept when it is there already), or
 * undefined when the base names a tokenizer file instead.
 * @param what names the runs in the log line ('every run', 'every trial').
 */
export async function sharedTokenizer(base: TrainingConfig, dir: string, logger: Logger, what: string): Promise<string | undefined> {
  if (base.tokenizer?.train === undefined) return undefined;
  const file = path.join(dir, 'tokenizer.json');
  if (!existsSync(file)) {
    const tokenizer = buildTokenizer(base, await readTaskData(base.tasks, base.seed, taskTypes.reading, ['train']), logger);
    tokenizer.save(file);
    logger.info(`learned a ${tokenizer.vocabSize}-token vocabulary shared by ${what}: ${file}`);
  }
  return file;
}
