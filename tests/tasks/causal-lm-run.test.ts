/**
 * A causal-lm task trained end to end in the multi-task machinery on a new gpt2 backbone
 * (`encoder.model_type: gpt2`, a WordPiece tokenizer trained on the corpus): a plain-text corpus of a
 * repeated pattern, whose next tokens a model can learn; dev perplexity falls far below the
 * vocabulary's size, and `mtl generate` continues the pattern from the best checkpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readMetrics } from '../../src/io/checkpoint.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { taskTypes } from '../../src/tasks/index.js';
import { train, type TrainResult } from '../../src/train/trainer.js';

const COLOURS = ['red', 'green', 'blue', 'yellow', 'black', 'white'];

/** Lines "one red two green three blue …": numbers in order, each followed by a colour drawn at random. */
function corpus(lines: number, seed: number): string {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const numbers = ['one', 'two', 'three', 'four', 'five', 'six'];
  return (
    Array.from({ length: lines }, () => numbers.map((n) => `${n} ${COLOURS[Math.floor(next() * COLOURS.length)]}`).join(' ')).join('\n') +
    '\n'
  );
}

describe('causal-lm: a tiny gpt2 trained end to end', () => {
  let dir = '';
  let result: TrainResult;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-causal-lm-'));
    writeFileSync(path.join(dir, 'corpus.txt'), corpus(400, 7));
    const yaml = `seed: 5
output_dir: out
encoder: { model_type: gpt2, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64,
           max_position_embeddings: 32, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 64, min_frequency: 1 } }
max_length: 24
tasks:
  - { name: lm, type: causal-lm, data: { format: text, train: corpus.txt, dev_lines: 40 } }
training: { max_steps: 150, batch_size: 16, learning_rate: 3.0e-3, warmup_steps: 5, eval_every: 75, log_every: 25 }
`;
    result = await train(parseTrainingConfig(yaml, { taskTypes, source: path.join(dir, 'config.yaml') }), {});
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('learns the pattern: dev perplexity far under the vocabulary’s 64', () => {
    assert.equal(result.status, 'completed');
    const evals = readMetrics(path.join(dir, 'out', 'metrics.jsonl')).filter((m) => m.split === 'dev');
    const last = evals.at(-1)!.metrics as Record<string, Record<string, number>>;
    const { perplexity, accuracy } = last.lm!;
    // half the tokens (the numbers) are certain, half (the colours) uniform over 6: perplexity → √6 ≈ 2.45
    assert.ok(perplexity! < 4, `dev perplexity ${perplexity}`);
    assert.ok(accuracy! > 0.5, `dev next-token accuracy ${accuracy}`);
  });

  it('mtl generate continues the pattern from the best checkpoint', async () => {
    using generator = TextGenerator.load(path.join(dir, 'out', 'best'));
    const { text } = await generator.generate('one red two', { maxNewTokens: 12 });
    const words = text.trim().split(/\s+/);
    assert.ok(COLOURS.includes(words[0]!), `a colour after 'two': ${text}`);
    assert.equal(words[1], 'three', text);
  });
});
