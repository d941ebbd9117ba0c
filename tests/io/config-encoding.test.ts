/**
 * Config files are read as strict UTF-8, as data files are: one saved in Latin-1 (a French prefix,
 * `réponse : `) is refused with its line and byte offset instead of being read with U+FFFD.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfigFile, loadTrainingConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { readYamlFile } from '../../src/io/config/yaml-file.js';
import { z } from 'zod';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-config-encoding-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'train.csv'), 'question,answer\nwhere,here\n');

const yaml = `output_dir: out
encoder: { model_type: t5, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 }
tokenizer: { train: { vocab_size: 50 } }
training: { max_steps: 1 }
tasks:
  - name: answer
    type: seq2seq
    data: { format: csv, train: train.csv }
    input: { text: question }
    label: { field: answer }
    options: { prefix: 'réponse : ' }
`;

const latin1 = path.join(dir, 'latin1.yaml');
writeFileSync(latin1, Buffer.from(yaml, 'latin1'));
const utf8 = path.join(dir, 'utf8.yaml');
writeFileSync(utf8, '\ufeff' + yaml);
const offset = Buffer.from(yaml.slice(0, yaml.indexOf('é')), 'latin1').length;

const refused = (e: unknown) => {
  assert.ok(e instanceof ConfigError, String(e));
  assert.match(e.message, new RegExp(`latin1\\.yaml:11: invalid UTF-8 at byte offset ${offset} \\(bytes e9 70 6f 6e\\)`));
  assert.match(e.message, /must be UTF-8/);
  return true;
};

describe('config files in another encoding', () => {
  it('loadTrainingConfig refuses Latin-1 with the line', () => assert.throws(() => loadTrainingConfig(latin1), refused));
  it('loadConfigFile (mtl finetune, sweep, transfer) too', async () => assert.rejects(loadConfigFile(latin1), refused));
  it('readYamlFile (compare and sweep configs) too', () =>
    assert.throws(() => readYamlFile(latin1, z.unknown(), 'compare config'), refused));
  it('UTF-8, with a byte-order mark, keeps the accent', () => {
    const config = loadTrainingConfig(utf8);
    assert.equal((config.tasks[0]!.options as { prefix: string }).prefix, 'réponse : ');
  });
});
