/**
 * Tasks that read the same file with different label fields (a support bot's intent and sentiment in
 * one JSON Lines file) share one stream and one encoder pass; each must still be scored against its
 * own labels. The reference is the same model evaluating the task in a stream of its own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { validateTrainingConfig } from '../../src/config.js';
import { evaluateStreams } from '../../src/eval/evaluate.js';
import { buildModel } from '../../src/run/build.js';
import { prepareRun } from '../../src/run/prepare.js';
import { buildStreams } from '../../src/run/streams.js';
import { DataError } from '../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-shared-gold-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Both tasks use the labels x and y, and every line's sentiment is the other one of its intent: scored
// against the intent's labels, the sentiment's accuracy would be 1 - its own (never equal for 5 dev lines).
const texts = ['where is my order', 'refund please', 'thanks a lot', 'ship it to boston', 'my card broke', 'hello there'];
const line = (text: string, i: number) => JSON.stringify({ text, intent: i % 2 ? 'x' : 'y', sentiment: i % 2 ? 'y' : 'x' });
writeFileSync(path.join(dir, 'train.jsonl'), texts.map(line).join('\n'));
writeFileSync(
  path.join(dir, 'dev.jsonl'),
  texts
    .slice(0, 5)
    .map((t, i) => line(`${t} now`, i))
    .join('\n'),
);

const task = (name: string) => ({
  name,
  type: 'sequence-classification',
  data: { format: 'jsonl', train: path.join(dir, 'train.jsonl'), dev: path.join(dir, 'dev.jsonl') },
  input: { text: 'text' },
  label: { field: name },
});
const config = validateTrainingConfig({
  seed: 3,
  output_dir: path.join(dir, 'out'),
  encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64 },
  tokenizer: { train: { vocab_size: 120, min_frequency: 1 } },
  max_length: 16,
  tasks: [task('intent'), task('sentiment')],
  training: { max_steps: 1, batch_size: 2 },
});

describe('tasks sharing a stream', () => {
  it('score each task against its own labels', async () => {
    const run = await prepareRun(config, { splits: ['train', 'dev'] });
    assert.equal(run.streams.length, 1, 'intent and sentiment read one file: one stream');
    using model = buildModel(
      config,
      run.tokenizer,
      run.runs.map((r) => r.spec),
    );
    const shared = await evaluateStreams(model, run.streams, 'dev', { batchSize: 2 });
    const sentimentRun = run.runs.find((r) => r.spec.name === 'sentiment')!;
    const features = new Map([['sentiment', { dev: splitOf(run, 'sentiment') }]]);
    const alone = await evaluateStreams(model, buildStreams([sentimentRun], features), 'dev', { batchSize: 2 });
    assert.deepEqual(shared.metrics.sentiment, alone.metrics.sentiment);
  });

  it('refuse tasks whose records differ (a line skipped for one of them)', async () => {
    writeFileSync(path.join(dir, 'skip.jsonl'), [line('a b', 0), JSON.stringify({ text: 'c d', intent: 'x' }), line('e f', 1)].join('\n'));
    const skipping = (name: string) => ({
      ...task(name),
      data: { format: 'jsonl', path: path.join(dir, 'skip.jsonl'), skip_bad_lines: true },
    });
    const c = validateTrainingConfig({ ...configValue(), tasks: [skipping('intent'), skipping('sentiment')] });
    await assert.rejects(prepareRun(c, { splits: ['train'] }), (e: Error) => {
      assert.ok(e instanceof DataError, String(e));
      assert.match(e.message, /'intent' and 'sentiment'/);
      assert.match(e.message, /skip\.jsonl:2/);
      return true;
    });
  });
});

function configValue() {
  return {
    seed: 3,
    output_dir: path.join(dir, 'out2'),
    encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64 },
    tokenizer: { train: { vocab_size: 120, min_frequency: 1 } },
    max_length: 16,
    training: { max_steps: 1, batch_size: 2 },
  };
}

/** The dev features of one task of a prepared run, as buildStreams takes them. */
function splitOf(run: Awaited<ReturnType<typeof prepareRun>>, name: string) {
  const stream = run.streams[0]!;
  const dev = stream.splits.dev!;
  const i = stream.runs.findIndex((r) => r.spec.name === name);
  const t = dev.tasks[i]!;
  const examples = run.data.find((d) => d.task.name === name)!.splits.dev!;
  return { features: [...t.features], examples, truncated: 0 };
}
