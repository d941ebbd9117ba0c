// A parameter path the training config cannot take is the space file's mistake: the message names the
// space file and the parameter (it was headed "the training config BASE.yaml (a first point: …)").
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../../src/errors.js';
import { loadSweepConfig } from '../../../src/experiments/sweep/sweep-config.js';

describe('a sweep parameter the config cannot take', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-space-path-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is reported in the space file, with the nearest key', async () => {
    writeFileSync(path.join(dir, 'train.csv'), 'text,label\na,x\nb,y\n');
    const base = path.join(dir, 'base.yaml');
    writeFileSync(
      base,
      `output_dir: out
encoder: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 }
tokenizer: { train: { vocab_size: 80 } }
tasks:
  - { name: t, type: sequence-classification, data: { format: csv, train: train.csv }, input: { text: text }, label: { field: label } }
training: { max_steps: 4 }
`,
    );
    const space = path.join(dir, 'space.yaml');
    writeFileSync(space, 'output_dir: sw\ntrials: 2\nparameters:\n  training.learnin_rate: { type: uniform, low: 0.001, high: 0.01 }\n');
    await assert.rejects(loadSweepConfig(base, space), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(
        e.message,
        new RegExp(
          `^${space.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: parameters: training\\.learnin_rate: .*did you mean 'learning_rate'\\?`,
        ),
      );
      return true;
    });
  });
});
