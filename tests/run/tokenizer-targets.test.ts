/**
 * A vocabulary learned from the training data (`tokenizer.train`) covers what a seq2seq task must
 * write, its targets, not only its sources: Multi30k's German (examples/multi30k-t5.yaml says the
 * vocabulary is learned from both languages), a support bot's answers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { validateTrainingConfig } from '../../src/config.js';
import { prepareRun } from '../../src/run/prepare.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-tokenizer-targets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a learned vocabulary', () => {
  it("holds a seq2seq task's target words and characters", async () => {
    const rows = ['a green tree,ein grüner baum', 'the green house,das grüne haus', 'a tree,ein baum', 'the house,das haus'];
    writeFileSync(path.join(dir, 'train.csv'), ['en,de', ...rows].join('\n'));
    const config = validateTrainingConfig({
      output_dir: path.join(dir, 'out'),
      encoder: { model_type: 't5', hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 },
      tokenizer: { train: { vocab_size: 500, min_frequency: 1 } },
      max_length: 16,
      tasks: [
        {
          name: 'en_de',
          type: 'seq2seq',
          data: { format: 'csv', train: path.join(dir, 'train.csv') },
          input: { text: 'en' },
          label: { field: 'de' },
        },
      ],
      training: { max_steps: 1, batch_size: 2 },
    });
    const { tokenizer } = await prepareRun(config, { splits: ['train'] });
    const encoded = await tokenizer.encode('das grüne haus');
    assert.ok(!encoded.tokens.includes('[UNK]'), `encoded as ${encoded.tokens.join(' ')}`);
    for (const word of ['haus', 'baum', 'das']) assert.ok(tokenizer.tokenToId(word) !== null, `'${word}' is not in the vocabulary`);
  });
});
