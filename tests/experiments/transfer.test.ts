/**
 * The transfer report's self-supervised arm (`selfSupervisedConfig`): the pre-training config with its
 * self-supervised tasks only — masked LM and replaced-token detection (ELECTRA, Clark et al., ICLR 2020) —
 * and a `fixed` sampler's probabilities over them, renormalised by the sampler (0.2 : 0.3 → 0.4, 0.6).
 * The kinds a task type counts as self-supervised are asked of the type (`isSelfSupervised`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { selfSupervisedConfig } from '../../src/experiments/transfer.js';
import { fixedRates } from '../../src/mtl/samplers/fixed.js';
import { isSelfSupervised, taskTypes } from '../../src/tasks/index.js';

const PRETRAIN = `output_dir: out/pretrain
tokenizer: { train: { vocab_size: 300 } }
tasks:
  - { name: glosses, type: masked-lm, data: { format: wordnet } }
  - { name: supersense, type: sequence-classification, data: { format: wordnet, dev_fraction: 0.01 } }
  - { name: electra, type: replaced-token-detection, data: { format: wordnet } }
  - { name: relations, type: link-prediction, data: { format: wordnet } }
training:
  max_steps: 8
  batch_size: 8
  sampler: { kind: fixed, probabilities: { glosses: 0.2, supersense: 0.4, electra: 0.3, relations: 0.1 } }
  early_stopping: { metric: supersense.accuracy, patience: 2 }
`;

const parse = (text: string) => parseTrainingConfig(text, { taskTypes, source: 'pretrain.yaml', checkFiles: false });

describe('the self-supervised arm of the transfer report', () => {
  it('keeps masked LM and replaced-token detection, and the fixed probabilities of those two, renormalised', () => {
    const config = selfSupervisedConfig(parse(PRETRAIN));
    assert.deepEqual(
      config.tasks.map((t) => [t.name, t.type]),
      [
        ['glosses', 'masked-lm'],
        ['electra', 'replaced-token-detection'],
      ],
    );
    const { sampler } = config.training;
    assert.equal(sampler.kind, 'fixed');
    assert.deepEqual(sampler.probabilities, { glosses: 0.2, electra: 0.3 });
    const rates = fixedRates(Object.values(sampler.probabilities!));
    assert.ok(Math.abs(rates[0]! - 0.4) < 1e-12 && Math.abs(rates[1]! - 0.6) < 1e-12, `rates ${rates.join(', ')}`);
    assert.equal(config.training.earlyStopping, null, 'early stopping on a removed task is dropped');
    assert.equal(config.training.maxSteps, 8, 'same steps');
  });

  it('asks each task type whether it is self-supervised', () => {
    const kinds = taskTypes.all.filter(isSelfSupervised).map((t) => t.kind);
    assert.deepEqual(kinds, ['masked-lm', 'causal-lm', 'span-corruption', 'replaced-token-detection']);
  });

  it('refuses a pre-training config without a self-supervised task, naming the kinds that are', () => {
    const supervised = PRETRAIN.replace(/ {2}- \{ name: (glosses|electra),.*\n/g, '').replace(/glosses: 0\.2, |electra: 0\.3, /g, '');
    assert.throws(
      () => selfSupervisedConfig(parse(supervised)),
      (e: unknown) =>
        e instanceof ConfigError &&
        /at least one self-supervised task \(masked-lm, causal-lm, span-corruption, replaced-token-detection\), got sequence-classification, link-prediction/.test(
          e.message,
        ),
    );
  });
});
