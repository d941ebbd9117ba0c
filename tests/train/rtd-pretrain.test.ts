/**
 * Replaced-token detection in a pre-training mixture from a config (with supersense classification,
 * on WordNet): trained, checkpointed with its generator in the task's head, resumed mid-run to the
 * weights of an uninterrupted run, and its checkpoint's encoder fine-tuned and used for prediction.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadTrainingConfig } from '../../src/io/config/index.js';
import { train } from '../../src/train/trainer.js';
import { predict } from '../../src/predict/predict.js';
import { taskTypes } from '../../src/tasks/index.js';
import { assertSameFiles, interruptAndResume } from '../helpers/resume.js';

const PRETRAIN = `seed: 4
output_dir: out/rtd
encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 64 }
tokenizer: { train: { vocab_size: 300, min_frequency: 1 } }
max_length: 24
tasks:
  - name: electra
    type: replaced-token-detection
    data: { format: wordnet, dev_fraction: 0.0005, train_subset: 300 }
    options: { seed: 5, discriminator_weight: 20 }
  - name: supersense
    type: sequence-classification
    data: { format: wordnet, dev_fraction: 0.0005, train_subset: 300 }
training:
  max_steps: 8
  batch_size: 8
  learning_rate: 2.0e-3
  schedule: constant
  sampler: { kind: uniform }
  eval_every: 8
  log_every: 4
`;

let dir = '';
const at = (...parts: string[]) => path.join(dir, ...parts);
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mtl-rtd-'));
  writeFileSync(at('pretrain.yaml'), PRETRAIN);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The tensor names of a safetensors file (its JSON header). */
function tensorNames(file: string): string[] {
  const bytes = readFileSync(file);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, unknown>;
  return Object.keys(header).filter((k) => k !== '__metadata__');
}

describe('replaced-token detection in a pre-training mixture', () => {
  it('trains and evaluates; saves the generator under heads.<task>.generator.… and the masking state', async () => {
    const r = await train(loadTrainingConfig(at('pretrain.yaml'), { taskTypes }));
    assert.equal(r.status, 'completed');
    const m = r.dev?.metrics.electra;
    assert.ok(m !== undefined && m.accuracy! > 0 && m.accuracy! <= 1, 'discriminator accuracy');
    assert.ok(m.replacedRate! > 0, 'some tokens were replaced');
    const names = tensorNames(at('out', 'rtd', 'last', 'model.safetensors'));
    assert.ok(names.includes('heads.electra.generator.encoder.layer.0.attention.self.query.weight'), 'the generator is the head’s');
    assert.ok(names.includes('heads.electra.discriminator_predictions.dense_prediction.weight'));
    assert.ok(
      !names.some((k) => k.startsWith('heads.electra.') && k.includes('word_embeddings')),
      'the word embeddings are the encoder’s only',
    );
    const state = JSON.parse(readFileSync(at('out', 'rtd', 'last', 'trainer_state.json'), 'utf8')) as {
      rng_state: { collation: Record<string, { algorithm: string }> };
    };
    assert.equal(state.rng_state.collation.electra?.algorithm, 'xoshiro128**', 'the masking generator state is saved');
  });

  it('a run interrupted at step 3 and resumed ends with the weights of the uninterrupted run (same masks and samples)', async () => {
    const config = { ...loadTrainingConfig(at('pretrain.yaml'), { taskTypes }), outputDir: at('out', 'resumed') };
    assert.equal((await interruptAndResume(config, 3)).step, 8);
    assertSameFiles(at('out', 'resumed', 'last'), at('out', 'rtd', 'last'));
  });

  it('the checkpoint predicts its supersenses; the detection task makes no prediction on a text', async () => {
    const [p] = await predict(at('out', 'rtd', 'best'), ['a small dog kept as a pet']);
    assert.ok('label' in p!.predictions.supersense!);
    assert.equal(p!.predictions.electra, undefined);
  });
});
