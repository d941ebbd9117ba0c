/**
 * A chat task trained end to end on a new gpt2 (a WordPiece vocabulary learned from the dialogues, the
 * default ChatML template, whose markers the run adds as special tokens): in each dialogue the user
 * says a number word and the assistant the next one, turn after turn. The training loss falls, dev
 * next-token accuracy on the assistant tokens rises far above chance, the checkpoint keeps the
 * template, and `mtl predict` given messages replies with the next number and stops at <|im_end|>.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readMetrics } from '../../src/io/checkpoint.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { Predictor } from '../../src/predict/predict.js';
import { taskTypes } from '../../src/tasks/index.js';
import { train, type TrainResult } from '../../src/train/trainer.js';

const NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** JSON lines of dialogues: from a random start, user and assistant count on in turn (4 turns). */
function dialogues(n: number, seed: number): string {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => {
    const start = Math.floor(next() * (NUMBERS.length - 4));
    const messages = [0, 1, 2, 3].map((k) => ({ role: k % 2 === 0 ? 'user' : 'assistant', content: NUMBERS[start + k] }));
    return JSON.stringify({ messages });
  })
    .join('\n')
    .concat('\n');
}

describe('chat: a tiny gpt2 trained on dialogues', () => {
  let dir = '';
  let result: TrainResult;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-'));
    writeFileSync(path.join(dir, 'train.jsonl'), dialogues(160, 3));
    writeFileSync(path.join(dir, 'dev.jsonl'), dialogues(20, 11));
    const yaml = `seed: 5
output_dir: out
encoder: { model_type: gpt2, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64,
           max_position_embeddings: 48, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 64, min_frequency: 1 } }
max_length: 40
tasks:
  - { name: dlg, type: chat, data: { format: messages, train: train.jsonl, dev: dev.jsonl }, options: { max_new_tokens: 6 } }
training: { max_steps: 300, batch_size: 16, learning_rate: 3.0e-3, warmup_steps: 5, eval_every: 150, log_every: 50 }
`;
    result = await train(parseTrainingConfig(yaml, { taskTypes, source: path.join(dir, 'config.yaml') }), {});
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the training loss falls and dev accuracy on assistant tokens is far above chance', () => {
    assert.equal(result.status, 'completed', JSON.stringify(result).slice(0, 800));
    const rows = readMetrics(path.join(dir, 'out', 'metrics.jsonl'));
    const losses = rows.filter((m) => m.type === 'train').map((m) => m.loss as number);
    assert.ok(losses.length >= 2, JSON.stringify(rows.slice(0, 2)));
    assert.ok(losses.at(-1)! < losses[0]! / 2, `training loss ${losses.join(' → ')}`);
    const dev = rows.filter((m) => m.split === 'dev').at(-1)!.metrics as Record<string, Record<string, number>>;
    // assistant tokens: a number word (determined by the user's) and <|im_end|>
    assert.ok(dev.dlg!.accuracy! > 0.9, `dev accuracy ${dev.dlg!.accuracy}`);
  });

  it('the checkpoint keeps the template; predict replies to messages with the next number', async () => {
    const { tasks } = JSON.parse(readFileSync(path.join(dir, 'out', 'best', 'tasks.json'), 'utf8')) as {
      tasks: { options: Record<string, unknown> }[];
    };
    assert.equal(tasks[0]!.options.templateOrigin, 'the default ChatML template');
    assert.match(String(tasks[0]!.options.chatTemplate), /<\|im_start\|>/);
    using predictor = Predictor.load(path.join(dir, 'out', 'best'));
    const [record] = await predictor.predict([{ text: 'five', messages: [{ role: 'user', content: 'five' }] }]);
    assert.deepEqual(record!.predictions.dlg, { text: 'six' });
    const [longer] = await predictor.predict([
      {
        text: 'seven',
        messages: [
          { role: 'user', content: 'four' },
          { role: 'assistant', content: 'five' },
          { role: 'user', content: 'six' },
        ],
      },
    ]);
    assert.deepEqual(longer!.predictions.dlg, { text: 'seven' });
  });
});
