/**
 * `mtl train CONFIG` with a config written as a module (src/cli/config-file.ts): TypeScript through
 * tsx, JavaScript as is, each validated as the same YAML is; what a module without a default export
 * and a mistyped key in a TypeScript config say.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadConfigFile } from '../../src/cli/config-file.js';
import { loadTrainingConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = (name: string) => path.join(ROOT, 'examples', name);
const dir = mkdtempSync(path.join(tmpdir(), 'mtl-config-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The config module that exports `value` (through the repository's defineConfig for TypeScript). */
function writeModule(name: string, value: unknown): string {
  const file = path.join(dir, name);
  const define = name.endsWith('.ts') ? `import { defineConfig } from ${JSON.stringify(path.join(ROOT, 'src', 'config.ts'))};\n` : '';
  const body = name.endsWith('.ts') ? `defineConfig(${JSON.stringify(value)})` : JSON.stringify(value);
  writeFileSync(file, `${define}export default ${body};\n`);
  return file;
}

describe('training configs written as modules', () => {
  it('examples/snips.config.ts is examples/snips.yaml (paths resolved against examples/)', async () => {
    const fromTs = await loadConfigFile(example('snips.config.ts'), { checkFiles: false });
    const fromYaml = loadTrainingConfig(example('snips.yaml'), { checkFiles: false });
    assert.deepEqual(fromTs, fromYaml);
    assert.equal(fromTs.outputDir, path.join(ROOT, 'runs', 'snips'));
  });

  it('a .ts and a .mjs module elsewhere give the config of the same YAML in their folder', async () => {
    const value = parse(readFileSync(example('support-bot-tiny.yaml'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(dir, 'bot.yaml'), readFileSync(example('support-bot-tiny.yaml')));
    const fromYaml = loadTrainingConfig(path.join(dir, 'bot.yaml'), { checkFiles: false });
    assert.deepEqual(await loadConfigFile(writeModule('bot.ts', value), { checkFiles: false }), fromYaml);
    assert.deepEqual(await loadConfigFile(writeModule('bot.mjs', value), { checkFiles: false }), fromYaml);
  });

  it('a module without a default export is a ConfigError that says how to write one', async () => {
    const file = path.join(dir, 'named.ts');
    writeFileSync(file, 'export const config = { seed: 1 };\n');
    await assert.rejects(
      loadConfigFile(file),
      (e: unknown) => e instanceof ConfigError && /has no default export; end it with .export default defineConfig/.test(e.message),
    );
  });

  it('mtl train on a .ts config with a mistyped key names it with the nearest key, exit 1, nothing trained', async () => {
    const value = parse(readFileSync(example('support-bot-tiny.yaml'), 'utf8')) as { training: Record<string, unknown> };
    value.training = { ...value.training, learnig_rate: 0.001 };
    const file = writeModule('typo.ts', value);
    const { code, stderr } = await runCli('train', file);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /typo\.ts has a problem; nothing was trained:\n.*typo\.ts: training\.learnig_rate: unknown key 'learnig_rate'; did you mean 'learning_rate'\?/,
    );
  });
});
