/**
 * Where the tests find the public datasets (SNIPS, ATIS, SST-2, …; never copied into the repository):
 * the folder named by the environment variable MTL_DATASETS, else `../shared/datasets` beside the
 * repository. A test that reads one declares it with `needs(...)`, which skips the test, naming the
 * missing folder, where it is absent: a fresh clone without the data passes `npm test`, with those
 * tests skipped; `npm test` prints one summary line (scripts/test.sh calls `summary`).
 *
 * The example configs (examples/*.yaml) name their data relative to themselves, under
 * `../shared/datasets`; tests that load them declare it with `needsExampleData(...)`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folder the examples' relative data paths point into. */
export const EXAMPLE_DATASETS = path.resolve(ROOT, '..', 'shared', 'datasets');

/** The datasets folder: $MTL_DATASETS, else ../shared/datasets beside the repository. */
export const DATASETS = process.env.MTL_DATASETS ? path.resolve(process.env.MTL_DATASETS) : EXAMPLE_DATASETS;

/** A path inside the datasets folder, e.g. `dataset('snips', 'train')`. */
export const dataset = (...parts: string[]): string => path.join(DATASETS, ...parts);

const HOW = 'set MTL_DATASETS to the folder that holds them (default ../shared/datasets beside the repository)';

function skipUnless(root: string, names: readonly string[], how: string): { skip?: string } {
  const missing = names.filter((n) => !existsSync(path.join(root, n)));
  return missing.length === 0
    ? {}
    : { skip: `needs the dataset${missing.length > 1 ? 's' : ''} ${missing.map((n) => path.join(root, n)).join(', ')}: ${how}` };
}

/**
 * Options for node:test's `test` / `describe`: `{}` when every named dataset folder is there, else
 * `{ skip: reason }` naming the missing folders and how to point at them.
 * @example test('SNIPS: counts', needs('snips'), () => { … })
 */
export function needs(...names: string[]): { skip?: string } {
  return skipUnless(DATASETS, names, HOW);
}

/** As `needs`, for the folders the example configs name (`../shared/datasets/<name>`, relative to examples/). */
export function needsExampleData(...names: string[]): { skip?: string } {
  return skipUnless(EXAMPLE_DATASETS, names, 'the example configs read their data from ../shared/datasets beside the repository');
}

/** One line for the test run: where the datasets are, or that the tests reading them are skipped and how to run them. */
export function summary(): string {
  if (existsSync(DATASETS)) return `[test] datasets: ${DATASETS}`;
  return `[test] no datasets at ${DATASETS}: the tests that read them are skipped (each says which folder it needs); ${HOW}`;
}
