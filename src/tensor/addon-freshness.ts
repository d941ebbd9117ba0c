/**
 * Whether the built addon is older than its sources: after a pull that changed native/, the old
 * addon would load and lack (or misbehave in) the changed functions. build.mjs applies the same rule
 * when deciding to rebuild.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The sources compiled into the addon (native/*.cc, native/*.h and binding.gyp under `root`) newer
 * than `addon`, or [] when the addon is current or the sources are not there (an installed package
 * without them). The build scripts in native/ (build.mjs, find-torch.cjs) do not count: editing them
 * leaves a built addon as it was.
 * @param root the repository or package root; `addon` the built .node file.
 */
export function staleAddonSources(root: string, addon: string): string[] {
  const dir = path.join(root, 'native');
  if (!existsSync(dir) || !existsSync(addon)) return [];
  const built = statSync(addon).mtimeMs;
  const compiled = readdirSync(dir).filter((f) => /\.(cc|h)$/.test(f));
  const sources = [...compiled.map((f) => path.join(dir, f)), path.join(root, 'binding.gyp')].filter((f) => existsSync(f));
  return sources.filter((f) => statSync(f).mtimeMs > built).map((f) => path.relative(root, f));
}
