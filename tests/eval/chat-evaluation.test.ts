/**
 * Evaluating a chat task costs one backbone forward per batch: its dialogues are scored teacher-forced
 * (`labelledScoring` 'teacher-forced') from the logits the loss already ran on, not by a second pass in
 * `generate`. Its metrics equal next-token accuracy and perplexity over the assistant tokens computed in
 * plain arithmetic from each dialogue's logits, alone and unpadded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readChatJsonl } from '../../src/data/index.js';
import { evaluateCheckpoint, type CheckpointEvalResult } from '../../src/eval/index.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { Gpt2Model } from '../../src/models/gpt2/model.js';
import { modelFromCheckpoint, specsOfRecords } from '../../src/run/load-model.js';
import { chat, type ChatOptions, type TaskSpec } from '../../src/tasks/index.js';
import { noGrad, tidy } from '../../src/tensor/index.js';
import { IGNORE_INDEX, Tokenizer } from '../../src/tokenization/index.js';
import { trainTinyChat } from '../tasks/chat-fixture.js';

/** Next-token hits, Σ −ln p and count over the labelled positions of one row's logits (T, V), in float64 JavaScript. */
function plainScores(logits: number[][], labels: readonly number[]): { correct: number; nll: number; n: number } {
  let [correct, nll, n] = [0, 0, 0];
  for (let t = 0; t + 1 < labels.length; t++) {
    const y = labels[t + 1]!;
    if (y === IGNORE_INDEX) continue;
    const row = logits[t]!;
    const max = Math.max(...row);
    const logZ = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    nll += logZ - row[y]!;
    correct += row.indexOf(max) === y ? 1 : 0;
    n++;
  }
  return { correct, nll, n };
}

describe('chat evaluation', () => {
  let dir = '';
  let best = '';
  let result: CheckpointEvalResult;
  let forwards = 0;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-eval-'));
    // 150 dev dialogues: three evaluation batches (at least 64 rows each but the last)
    best = await trainTinyChat(dir, { steps: 20, devDialogues: 150 });
    const forward = Gpt2Model.prototype.forward;
    Gpt2Model.prototype.forward = function (this: Gpt2Model, inputs) {
      forwards++;
      return forward.call(this, inputs);
    };
    try {
      result = await evaluateCheckpoint(best, { split: 'dev' });
    } finally {
      Gpt2Model.prototype.forward = forward;
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs one backbone forward per batch', () => {
    assert.equal(result.examples, 150);
    assert.equal(forwards, 3);
  });

  it('scores the assistant tokens as plain arithmetic over each dialogue does', async () => {
    using ckpt = loadCheckpoint(best, { optimizer: false });
    using model = modelFromCheckpoint(ckpt).eval();
    const spec = specsOfRecords(ckpt.tasks)[0] as TaskSpec<ChatOptions>;
    const tokenizer = Tokenizer.fromFile(ckpt.tokenizerFile);
    const { examples } = readChatJsonl(path.join(dir, 'dev.jsonl'));
    const { features } = await chat.featurize(examples, tokenizer, spec, { maxLength: 40, training: false, split: 'dev' });
    let [correct, nll, n] = [0, 0, 0];
    for (const f of features) {
      const logits = noGrad(() =>
        tidy(() => {
          const batch = chat.collate({ spec, state: undefined }, [f]);
          return model.forward(batch, [spec.name]).get(spec.name)!.squeeze(0).to('float64').toArray() as number[][];
        }),
      );
      const s = plainScores(logits, f.labels!);
      [correct, nll, n] = [correct + s.correct, nll + s.nll, n + s.n];
    }
    const m = result.metrics.dlg!;
    assert.equal(m.targetTokens, n);
    assert.equal(m.accuracy, correct / n);
    assert.ok(Math.abs(m.perplexity! - Math.exp(nll / n)) < 1e-5 * Math.exp(nll / n), `${m.perplexity} vs ${Math.exp(nll / n)}`);
  });
});
