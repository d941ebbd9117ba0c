/**
 * The package's root folder, found from a module's URL: the nearest folder above it that holds
 * package.json. Modules find files that ship beside the code (the native addon, example configs)
 * from it, so they work both from the TypeScript sources (src/…) and from the compiled output
 * (dist/src/…, `npm run build`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @param moduleUrl `import.meta.url` of the calling module.
 * @throws Error when no folder above the module holds package.json (the package is incomplete).
 */
export function packageRoot(moduleUrl: string): string {
  const start = path.dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json in any folder above ${start}: the multitask-lm package is incomplete`);
  }
}
