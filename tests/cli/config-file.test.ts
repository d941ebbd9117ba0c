/**
 * `mtl train CONFIG` with a config written as a module (loadConfigFile, src/config.ts;
 * src/io/config/config-value.ts reads the module): TypeScript through tsx, JavaScript as is, each
 * validated as the same YAML is; what a module without a default export and a mistyped key in a
 * TypeScript config say. Every other command that takes a training config (finetune, train --from,
 * sweep, transfer, a compare config's base) reads it through the same reader: a module gives the
 * config its YAML twin gives.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { loadConfigFile, loadTrainingConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { loadCompareConfig } from '../../src/experiments/compare-config.js';
import { loadSweepConfig } from '../../src/experiments/sweep/sweep-config.js';
import { loadContinualConfig } from '../../src/train/continual-config.js';
import { loadFinetuneConfig } from '../../src/train/finetune.js';
import { runCli } from '../helpers/cli.js';
import { tinyCsv, writeHfFolder } from '../helpers/hf-folder.js';

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

describe('every command that takes a training config reads a module as it reads YAML', () => {
  const at = (...parts: string[]) => path.join(dir, 'commands', ...parts);
  const task = {
    name: 'topic',
    type: 'sequence-classification',
    options: { pooling: 'cls' },
    data: { format: 'csv', train: 'train.csv', dev: 'train.csv' },
    input: { text: 'text' },
    label: { field: 'category' },
  };
  const finetuning = { output_dir: 'out', max_length: 16, tasks: [task], training: { max_steps: 2, batch_size: 8 } };
  const training = {
    ...finetuning,
    encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 37 },
    tokenizer: { train: { vocab_size: 60 } },
  };
  /** The YAML twin of a module config, in the same folder. */
  const writeYaml = (name: string, value: unknown) => {
    writeFileSync(at(name), stringify(value));
    return at(name);
  };
  let hf: string;

  it('sets up a folder with both spellings of a training and a fine-tuning config, and a Transformers folder', () => {
    mkdirSync(at(), { recursive: true });
    hf = writeHfFolder(at('hf'), 'bert', 'tokenizer.json');
    writeFileSync(at('train.csv'), tinyCsv(12));
    for (const [name, value] of [
      ['train', training],
      ['finetune', finetuning],
    ] as const) {
      writeYaml(`${name}.yaml`, value);
      writeModule(path.join('commands', `${name}.ts`), value);
    }
    assert.ok(existsSync(at('train.ts')) && existsSync(at('finetune.yaml')));
  });

  it('mtl finetune: loadFinetuneConfig', async () => {
    assert.deepEqual(await loadFinetuneConfig(at('finetune.ts'), hf), await loadFinetuneConfig(at('finetune.yaml'), hf));
  });

  it('mtl train --from: loadContinualConfig', async () => {
    writeFileSync(path.join(hf, 'training_config.yaml'), stringify({ ...training, tasks: [{ ...task, name: 'earlier' }] }));
    const fromTs = await loadContinualConfig(at('finetune.ts'), hf);
    assert.deepEqual(fromTs, await loadContinualConfig(at('finetune.yaml'), hf));
    assert.deepEqual(
      fromTs.tasks.map((t) => t.name),
      ['topic', 'earlier'],
    );
  });

  it('mtl sweep: loadSweepConfig', async () => {
    writeFileSync(
      at('space.yaml'),
      'output_dir: sweep\ntrials: 2\nparameters:\n  training.learning_rate: { type: choice, values: [0.001, 0.01] }\n',
    );
    const [fromTs, fromYaml] = [
      await loadSweepConfig(at('train.ts'), at('space.yaml')),
      await loadSweepConfig(at('train.yaml'), at('space.yaml')),
    ];
    assert.deepEqual(fromTs.base, fromYaml.base);
    assert.deepEqual({ ...fromTs, configFile: 'x' }, { ...fromYaml, configFile: 'x' });
  });

  it("mtl compare: a compare config's base", async () => {
    const compare = (base: string) => {
      writeFileSync(
        at(`compare-${base}.yaml`),
        `base: ${base}\noutput_dir: compare\nstrategies:\n  - { name: joint, set: { training: { task_schedule: joint } } }\n`,
      );
      return loadCompareConfig(at(`compare-${base}.yaml`));
    };
    const [fromTs, fromYaml] = [await compare('train.ts'), await compare('train.yaml')];
    assert.deepEqual(fromTs.base, fromYaml.base);
    assert.deepEqual(
      fromTs.strategies.map((s) => s.config),
      fromYaml.strategies.map((s) => s.config),
    );
  });

  it('mtl transfer: the pre-training config through loadConfigFile, the fine-tuning configs through loadFinetuneConfig (above)', async () => {
    assert.deepEqual(await loadConfigFile(at('train.ts')), loadTrainingConfig(at('train.yaml')));
  });
});
