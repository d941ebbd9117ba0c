/**
 * Evaluating a chat task with `reply_metrics` (a tiny gpt2 trained 2 steps on counting dialogues): the
 * reply metrics equal src/metrics' scores of the replies the Predictor (`mtl predict`) gives to each dev
 * dialogue's turns before its last assistant turn (hypotheses) against that turn (references); the
 * report lists them; the teacher-forced scores and the loss are those of the same checkpoint
 * evaluated without reply_metrics.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readChatJsonl } from '../../src/data/index.js';
import { evaluateCheckpoint, type CheckpointEvalResult } from '../../src/eval/index.js';
import { Predictor } from '../../src/predict/predict.js';
import { textMetrics } from '../../src/tasks/index.js';
import { trainTinyChat } from '../tasks/chat-fixture.js';

describe('chat evaluation with reply_metrics', () => {
  let dir = '';
  let best = '';
  let result: CheckpointEvalResult;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-reply-eval-'));
    // the run's own dev evaluation (step 2) scores replies too
    best = await trainTinyChat(dir, { options: 'max_new_tokens: 4, reply_metrics: [bleu, distinct, squad]' });
    result = await evaluateCheckpoint(best, { split: 'dev', report: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("scores the replies to the turns before each dialogue's last assistant turn against that turn", async () => {
    const { examples } = readChatJsonl(path.join(dir, 'dev.jsonl'));
    using predictor = Predictor.load(best);
    const contexts = examples.map((e) => e.messages.slice(0, 3)); // user, assistant, user: the last assistant turn is the 4th
    const records = await predictor.predict(contexts.map((messages) => ({ text: messages.at(-1)!.content, messages })));
    const hypotheses = records.map((r) => (r.predictions.dlg as { text: string }).text);
    const references = examples.map((e) => e.messages[3]!.content);
    const want = textMetrics(
      hypotheses,
      references.map((r) => [r]),
      ['bleu', 'distinct', 'squad'],
    );
    const m = result.metrics.dlg!;
    for (const k of ['bleu', 'distinct1', 'distinct2', 'exactMatch', 'f1']) assert.equal(m[k], want[k], k);
    const outputs = (result.reports!.dlg as { outputs: { reference: string; output: string; prompt: string }[] }).outputs;
    assert.deepEqual(
      outputs.map((o) => [o.prompt, o.reference, o.output]),
      examples.map((e, i) => [e.messages[2]!.content, references[i], hypotheses[i]]),
    );
  });

  it('keeps the teacher-forced scores and the loss of an evaluation without reply_metrics', async () => {
    const plain = path.join(dir, 'plain');
    cpSync(best, plain, { recursive: true });
    const tasksFile = path.join(plain, 'tasks.json');
    const records = JSON.parse(readFileSync(tasksFile, 'utf8')) as { tasks: { options: Record<string, unknown> }[] };
    for (const t of records.tasks) t.options = { ...t.options, replyMetrics: [] };
    writeFileSync(tasksFile, JSON.stringify(records));
    const without = await evaluateCheckpoint(plain, { split: 'dev' });
    assert.deepEqual(Object.keys(without.metrics.dlg!).sort(), ['accuracy', 'perplexity', 'targetTokens']);
    for (const k of ['accuracy', 'perplexity', 'targetTokens']) assert.equal(result.metrics.dlg![k], without.metrics.dlg![k], k);
    assert.equal(result.losses.dlg, without.losses.dlg);
  });
});
