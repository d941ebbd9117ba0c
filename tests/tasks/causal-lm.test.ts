/**
 * The causal-lm task type: next-token loss, decoding and perplexity against scripts/fixtures/decoders.py
 * (GPT2LMHeadModel's shifted cross-entropy on the tiny GPT-2's right-padded batch), the tied head on a
 * decoder backbone, and the refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import {
  causalLm,
  CausalLmHead,
  causalLmMetrics,
  type CausalLmOptions,
  type TaskSpec,
  taskSpec,
  taskTypes,
  type CausalLmExample,
  type Features,
} from '../../src/tasks/index.js';
import { grad, noGrad, tidy } from '../../src/tensor/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { fromFixture } from '../helpers/fixtures.js';
import { decoderCases, referenceDecoder, type DecoderCase } from '../models/decoder-fixture.js';
import { taskOf } from './helpers.js';

checkNoLeaks();
const c = decoderCases.gpt2 as DecoderCase & { causal_lm: { loss: number; row_nll: number[]; row_correct: number[]; perplexity: number } };
const spec = () => taskSpec({ name: 'lm', kind: 'causal-lm', labels: ['[vocabulary]'] }) as TaskSpec<CausalLmOptions>;

/** The fixture's right-padded rows as causal-lm features. */
function features(): Features[] {
  return c.prompts.map((ids, i) => ({ exampleIndex: i, inputIds: ids, tokenTypeIds: ids.map(() => 0), truncated: false }));
}
const examples: CausalLmExample[] = c.prompts.map((_, i) => ({ id: String(i), text: `row ${i}`, source: { file: 'x', line: i + 1 } }));

describe('causal-lm task type', () => {
  it('is registered; takes no options (unknown ones refused)', () => {
    assert.equal(taskTypes.get('causal-lm'), causalLm);
    assert.throws(() => taskSpec({ name: 'lm', kind: 'causal-lm', labels: ['x'], options: { blockSize: 3 } }), ConfigError);
  });

  it('gives the loss, per-row log-likelihood, next-token hits and perplexity of the reference (tied head on gpt2)', () => {
    const { model } = referenceDecoder('gpt2');
    const head = new CausalLmHead(99);
    head.tieTo(model);
    const task = taskOf(causalLm, spec(), head);
    try {
      tidy(() => {
        const batch = causalLm.collate(task, features());
        assert.deepEqual(
          batch.labels!.toArray(),
          c.prompts.map((p) => [...p, ...new Array<number>(7 - p.length).fill(-100)]),
        );
        const logits = noGrad(() => head.forward(model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask })));
        const loss = causalLm.loss(task, logits, batch).item() as number;
        assert.ok(Math.abs(loss - c.causal_lm.loss) < 1e-5, `loss ${loss} vs ${c.causal_lm.loss}`);
        const predictions = causalLm.decode(task, logits, batch, examples);
        predictions.forEach((p, i) => {
          assert.equal(p.targetTokens, c.prompts[i]!.length - 1);
          assert.ok(Math.abs(p.nll - c.causal_lm.row_nll[i]!) < 1e-4, `row ${i} nll`);
          assert.equal(p.correct, c.causal_lm.row_correct[i]);
        });
        const metrics = causalLm.evaluate(predictions, examples, task.spec);
        assert.ok(Math.abs(metrics.perplexity! - c.causal_lm.perplexity) < 1e-4 * c.causal_lm.perplexity);
        assert.equal(metrics.targetTokens, 12);
      });
    } finally {
      head.dispose();
      model.dispose();
    }
  });

  it('the reference logits give the reference loss, and gradients reach only real targets', () => {
    const task = taskOf(causalLm, spec());
    tidy(() => {
      const batch = causalLm.collate(task, features());
      const logits = fromFixture(c.logits);
      logits.requiresGrad = true;
      const loss = causalLm.loss(task, logits, batch);
      assert.ok(Math.abs((loss.item() as number) - c.causal_lm.loss) < 1e-6);
      const [g] = grad([loss], [logits]);
      // the last position of every row and padding positions predict nothing
      const rows = g!.abs().sum(2).toArray() as number[][];
      c.prompts.forEach((p, i) => rows[i]!.forEach((v, t) => assert.equal(v > 0, t < p.length - 1, `row ${i} position ${t}`)));
    });
  });

  it('pools metrics over tokens; no token gives perplexity NaN', () => {
    const m = causalLmMetrics([
      { exampleIndex: 0, targetTokens: 2, nll: 2, correct: 1 },
      { exampleIndex: 1, targetTokens: 2, nll: 0, correct: 2 },
    ]);
    assert.deepEqual(m, { accuracy: 0.75, perplexity: Math.exp(0.5), targetTokens: 4 });
    assert.ok(Number.isNaN(causalLmMetrics([]).perplexity));
  });

  it('an untied head and an unlabelled batch are ConfigErrors', () => {
    const task = taskOf(causalLm, spec());
    tidy(() => {
      const batch = causalLm.collate(task, features());
      const untied = new CausalLmHead(99);
      assert.throws(() => untied.forward({ lastHiddenState: fromFixture(c.logits) }), /not tied/);
      untied.dispose();
      assert.throws(() => causalLm.loss(task, fromFixture(c.logits), { ...batch, labels: undefined }), /no labels/);
    });
  });
});
