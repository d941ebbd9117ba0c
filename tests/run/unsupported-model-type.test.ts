/**
 * A model folder whose config.json names a `model_type` no family is registered for: every loader
 * (predict, export, a Hugging Face folder for generate or `encoder.from`) names that config.json, the
 * field and the supported model types, before building anything.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { exportHf } from '../../src/export/hf.js';
import { supportedModelTypes } from '../../src/models/registry.js';
import { Predictor } from '../../src/predict/predict.js';
import { readConfigJson } from '../../src/run/load-model.js';

const PLAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'old-checkpoints', 'plain');
const root = mkdtempSync(path.join(tmpdir(), 'mtl-model-type-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** `dir`'s config.json with model_type set to 'gpt-j'; the config.json's path. */
function withModelType(dir: string): string {
  const file = path.join(dir, 'config.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...json, model_type: 'gpt-j' }));
  return file;
}

/** The refusal naming `file`, the field and every supported model type. */
const refusal = (file: string) => (e: unknown) =>
  e instanceof ConfigError &&
  e.message === `${file}: model_type 'gpt-j' is not supported; the supported model types are ${supportedModelTypes().join(', ')}`;

describe("an unsupported model_type in a folder's config.json", () => {
  it('a checkpoint of ours (predict, export) names its config.json', () => {
    const ckpt = path.join(root, 'ckpt');
    cpSync(PLAIN, ckpt, { recursive: true });
    rmSync(path.join(ckpt, 'training_config.yaml')); // optional; the fixture's holds placeholders for its data paths
    const file = withModelType(ckpt);
    assert.throws(() => Predictor.load(ckpt), refusal(file));
    assert.throws(() => exportHf(ckpt, path.join(root, 'exported')), refusal(file));
  });

  it('a Hugging Face folder (generate, encoder.from, a task folder) names its config.json', () => {
    const hf = path.join(root, 'hf');
    mkdirSync(hf);
    writeFileSync(path.join(hf, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: 32 }));
    const file = withModelType(hf);
    assert.throws(() => readConfigJson(hf), refusal(file));
  });
});
