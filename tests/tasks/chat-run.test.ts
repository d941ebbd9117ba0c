/**
 * A chat task trained end to end on a new gpt2 (a WordPiece vocabulary learned from the dialogues, the
 * default ChatML template, whose markers the run adds as special tokens): in each dialogue the user
 * says a number word and the assistant the next one, turn after turn. The training loss falls, dev
 * next-token accuracy on the assistant tokens rises far above chance, the checkpoint keeps the
 * template, and `mtl predict` given messages replies with the next number and stops at <|im_end|>.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readMetrics } from '../../src/io/checkpoint.js';
import { Predictor } from '../../src/predict/predict.js';
import type { TrainResult } from '../../src/train/trainer.js';
import { runTinyChat } from './chat-fixture.js';

describe('chat: a tiny gpt2 trained on dialogues', () => {
  let dir = '';
  let result: TrainResult;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-'));
    result = await runTinyChat(dir, {
      model: 'small',
      options: 'max_new_tokens: 6',
      steps: 300,
      evalEvery: 150,
      batchSize: 16,
      learningRate: 3e-3,
      warmupSteps: 5,
      trainDialogues: 160,
      devDialogues: 20,
      dataSeeds: [3, 11],
    });
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
