/**
 * `mtl predict` / `mtl eval` on a Hugging Face language-model folder (what `mtl export --task answer`
 * writes for a seq2seq task: T5ForConditionalGeneration) say to generate with it, not only that it has no head.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CheckpointError } from '../../src/errors.js';
import { loadHfTaskFolder } from '../../src/run/hf-task-folder.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-hf-generates-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const t5 = { model_type: 't5', d_model: 16, d_kv: 8, d_ff: 32, num_layers: 1, num_heads: 2, vocab_size: 50 };

describe('a folder without a task head', () => {
  it('of a language model points to mtl generate', () => {
    const folder = path.join(dir, 'lm');
    writeConfig(folder, { ...t5, architectures: ['T5ForConditionalGeneration'] });
    assert.throws(
      () => loadHfTaskFolder(folder),
      (e: Error) =>
        e instanceof CheckpointError &&
        e.message.includes('T5ForSequenceClassification') &&
        e.message.includes(`mtl generate ${folder} "a prompt" (or POST /generate of mtl serve ${folder})`),
    );
  });

  it('of an encoder does not', () => {
    const folder = path.join(dir, 'encoder');
    writeConfig(folder, {
      model_type: 'bert',
      hidden_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: 32,
      vocab_size: 50,
      architectures: ['BertModel'],
    });
    assert.throws(
      () => loadHfTaskFolder(folder),
      (e: Error) => e instanceof CheckpointError && e.message.includes('fine-tune it first') && !e.message.includes('mtl generate'),
    );
  });
});

function writeConfig(folder: string, config: Record<string, unknown>): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config));
}
