/**
 * `mtl train CONFIG` reads a YAML config, or a config written as a module: `config.ts` (or .mts,
 * .js, .mjs) whose default export is the config in the file's spelling, typically
 * `export default defineConfig({ … })` (`defineConfig` from 'multitask-lm/config' types it as you
 * type). Both go through the same validation; relative paths are relative to the file's folder.
 * TypeScript is read through tsx (its loader registered if Node cannot read the file by itself): tsx
 * must be installed where the package is used (`npm install --save-dev tsx`), as it is in this repository.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadTrainingConfig, validateTrainingConfig, type ConfigOptions } from '../config.js';
import { ConfigError } from '../errors.js';
import type { TrainingConfig } from '../io/config/index.js';

/** The file names read as modules rather than YAML. */
export const CONFIG_MODULE = /\.(?:[cm]?ts|[cm]?js)$/;
const TYPESCRIPT = /\.[cm]?ts$/;

/**
 * The training config of `file`: YAML (or JSON) text, or a module's default export (see above).
 * @param options as for `loadTrainingConfig` (task types default to the registry's).
 * @throws ConfigError when the file cannot be read or imported, a module has no default export,
 *   or TypeScript is given without tsx; ConfigFileError for every problem of the config itself.
 * @example const config = await loadConfigFile('examples/snips.config.ts');
 */
export async function loadConfigFile(file: string, options: Omit<ConfigOptions, 'source'> = {}): Promise<TrainingConfig> {
  if (!CONFIG_MODULE.test(file)) return loadTrainingConfig(file, options);
  const exported = await importDefault(path.resolve(file));
  return validateTrainingConfig(exported, { ...options, source: file });
}

/** The default export of the module at `file` (an absolute path). */
async function importDefault(file: string): Promise<unknown> {
  let module: { default?: unknown };
  try {
    module = await importModule(file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot load the training config ${file}: ${(e as Error).message}`);
  }
  // A TypeScript file outside an ESM package ("type": "module") is compiled to CommonJS, whose exports
  // object Node hands over as the default export: the file's own default is inside it.
  const inner = module.default as { __esModule?: boolean; default?: unknown } | undefined;
  const exported = inner?.__esModule === true ? inner.default : module.default;
  if (exported === undefined) {
    throw new ConfigError(
      `the training config ${file} has no default export; end it with \`export default defineConfig({ … })\` ` +
        "(defineConfig from 'multitask-lm/config')",
    );
  }
  return exported;
}

/**
 * Imports `file` in this process's module graph, so the modules it imports (the package, a task type
 * it registers) are the ones the command uses. TypeScript that Node cannot read by itself (no tsx
 * loader registered, as in the installed package) is read once tsx's loader is registered.
 */
async function importModule(file: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as { default?: unknown };
  } catch (e) {
    if (!TYPESCRIPT.test(file) || (e as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  }
  (await tsx(file)).register();
  return (await import(`${url}?tsx`)) as { default?: unknown }; // Node keeps the failed load of `url` itself
}
/** tsx's API, which reads TypeScript. */
async function tsx(file: string): Promise<typeof import('tsx/esm/api')> {
  try {
    return await import('tsx/esm/api');
  } catch {
    throw new ConfigError(
      `the training config ${file} is TypeScript, which needs tsx: run \`npm install --save-dev tsx\` in your project ` +
        '(or write the config as YAML, or as JavaScript: config.mjs)',
    );
  }
}
