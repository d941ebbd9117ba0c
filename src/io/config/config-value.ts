/**
 * The one reader of config files for every command that takes a training config (`mtl train`,
 * `finetune`, `train --from`, `sweep`, `transfer`, a compare config's `base`): YAML (or JSON) text, or a
 * config written as a module — `config.ts` (or .mts, .js, .mjs) whose default export is the config in
 * the file's spelling, typically `export default defineConfig({ … })` (`defineConfig` from
 * 'multitask-lm/config' types it as you type). What it returns is not yet validated: each command
 * validates it as it does YAML, relative paths against the file's folder.
 *
 * A module is imported in this process's module graph, so the modules it imports (the package, a task
 * type it registers) are the ones the command uses. TypeScript is read through tsx (its loader
 * registered if Node cannot read the file by itself): tsx must be installed where the package is used
 * (`npm install --save-dev tsx`), as it is in this repository.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { ConfigError } from '../../errors.js';
import { readConfigText } from './config-text.js';

/** The file names read as modules rather than YAML. */
export const CONFIG_MODULE = /\.(?:[cm]?ts|[cm]?js)$/;
const TYPESCRIPT = /\.[cm]?ts$/;

/**
 * What the config file `file` holds, not yet validated: a YAML (or JSON) file parsed, or a module's
 * default export (see above).
 * @param what names the file in messages ('training config', 'fine-tuning config').
 * @throws ConfigError when the file cannot be read, parsed or imported, a module has no default
 *   export, or TypeScript is given without tsx.
 * @example const raw = await readConfigValue('examples/snips.config.ts'); // { output_dir: …, tasks: […], … }
 */
export async function readConfigValue(file: string, what = 'training config'): Promise<unknown> {
  if (CONFIG_MODULE.test(file)) return importDefault(path.resolve(file), what);
  const text = readConfigText(file, what);
  try {
    return parse(text);
  } catch (e) {
    throw new ConfigError(`cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
}

/** The default export of the module at `file` (an absolute path). */
async function importDefault(file: string, what: string): Promise<unknown> {
  let module: { default?: unknown };
  try {
    module = await importModule(file, what);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot load the ${what} ${file}: ${(e as Error).message}`);
  }
  // A TypeScript file outside an ESM package ("type": "module") is compiled to CommonJS, whose exports
  // object Node hands over as the default export: the file's own default is inside it.
  const inner = module.default as { __esModule?: boolean; default?: unknown } | undefined;
  const exported = inner?.__esModule === true ? inner.default : module.default;
  if (exported === undefined) {
    throw new ConfigError(
      `the ${what} ${file} has no default export; end it with \`export default defineConfig({ … })\` ` +
        "(defineConfig from 'multitask-lm/config')",
    );
  }
  return exported;
}

/** Imports `file`; TypeScript that Node cannot read by itself (no tsx loader registered, as in the installed package) once tsx's loader is registered. */
async function importModule(file: string, what: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as { default?: unknown };
  } catch (e) {
    if (!TYPESCRIPT.test(file) || (e as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  }
  (await tsx(file, what)).register();
  return (await import(`${url}?tsx`)) as { default?: unknown }; // Node keeps the failed load of `url` itself
}

/** tsx's API, which reads TypeScript. */
async function tsx(file: string, what: string): Promise<typeof import('tsx/esm/api')> {
  try {
    return await import('tsx/esm/api');
  } catch {
    throw new ConfigError(
      `the ${what} ${file} is TypeScript, which needs tsx: run \`npm install --save-dev tsx\` in your project ` +
        '(or write the config as YAML, or as JavaScript: config.mjs)',
    );
  }
}
