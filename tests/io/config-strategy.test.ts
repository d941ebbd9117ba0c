/** The multi-task strategy keys of the training config: defaults, cross-key rules, and errors with line and nearest key. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigFileError, loadTrainingConfig, parseTrainingConfig } from '../../src/io/config/index.js';
import { needsExampleData } from '../helpers/datasets.js';
import * as schema from '../../src/io/config/schema.js';
import { ADAPTER_ACTIVATIONS } from '../../src/mtl/peft/index.js';
import { SAMPLER_KINDS } from '../../src/mtl/samplers/index.js';
import { SURGERY_METHODS } from '../../src/mtl/surgery/index.js';
import { ADVERSARIAL_METHODS } from '../../src/mtl/adversarial/index.js';
import { WEIGHTING_METHODS } from '../../src/mtl/weighting/index.js';
import { taskTypes } from '../../src/tasks/index.js';

const EXAMPLES = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'), 'examples');

/** A two-task config with `training` and `extra` top-level lines (paths relative to examples/). */
const yaml = (training: string, extra = '') => `output_dir: ../runs/test
encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37 }
tokenizer: { train: { vocab_size: 99 } }
tasks:
  - name: intent
    type: sequence-classification
    data: { format: joint-folder, train: ../../shared/datasets/snips/train, dev: ../../shared/datasets/snips/dev }
  - name: sentiment
    type: sequence-classification
    data: { format: tsv, train: ../../shared/datasets/sst2/train.tsv, dev: ../../shared/datasets/sst2/dev.tsv, train_subset: 500 }
    input: { text: sentence }
    label: { field: label }
training:
  max_steps: 100
${training}
${extra}`;

const parse = (text: string) => parseTrainingConfig(text, { taskTypes, source: path.join(EXAMPLES, 'strategy.yaml'), checkFiles: false });

/** The issues of an invalid config, as 'line: key path: message'. */
function issues(text: string): string[] {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, `expected a ConfigFileError, got ${String(e)}`);
    return e.issues.map((i) => `${i.line}: ${i.path.join('.')}: ${i.message}`);
  }
  assert.fail('the config was accepted');
}

describe('config: multi-task strategy keys', () => {
  it('defaults: alternating schedule, static weighting, no surgery, no PEFT or MMoE', () => {
    const c = parse(yaml(''));
    assert.equal(c.training.taskSchedule, 'alternating');
    assert.deepEqual(c.training.weighting, { method: 'static' });
    assert.equal(c.training.surgery, null);
    assert.equal(c.peft, null);
    assert.equal(c.mmoe, null);
    assert.equal(c.tasks[1]!.data.trainSubset, 500);
  });

  it('reads every strategy section', () => {
    const c = parse(
      yaml(
        '  task_schedule: joint\n  surgery: { method: cagrad, c: 0.4, parameters: encoder.encoder.layer.1 }',
        'peft: { lora: { r: 4, alpha: 8, targets: query }, per_task: false }\nmmoe: { num_experts: 3 }',
      ),
    );
    assert.deepEqual(c.training.surgery, { method: 'cagrad', c: 0.4, parameters: 'encoder.encoder.layer.1' });
    assert.deepEqual(c.peft, {
      lora: { r: 4, alpha: 8, targets: 'query', dropout: 0 },
      perTask: false,
      freezeBase: true,
      trainable: 'heads',
    });
    assert.deepEqual(c.mmoe, { numExperts: 3, activation: 'relu', dropout: 0 });
  });

  it('reports an unknown strategy key with its line and the nearest valid key', () => {
    const text = yaml('  weigting: { method: dwa }');
    assert.deepEqual(issues(text), [`15: training.weigting: unknown key 'weigting'; did you mean 'weighting'?`]);
  });

  it('surgery and GradNorm need the joint schedule; surgery needs static weighting', () => {
    const got = issues(yaml('  weighting: { method: uncertainty }\n  surgery: { method: pcgrad }'));
    assert.ok(
      got.some((m) =>
        /training\.surgery: gradient surgery needs every task's gradient in each step: set training\.task_schedule: joint/.test(m),
      ),
      got.join('\n'),
    );
    assert.ok(
      got.some((m) => /training\.weighting\.method: gradient surgery .* cannot be used with 'uncertainty' weighting/.test(m)),
      got.join('\n'),
    );
    assert.ok(issues(yaml('  weighting: { method: gradnorm }')).some((m) => /set training\.task_schedule: joint/.test(m)));
  });

  it("rejects options of another method, and a 'fixed' sampler's unknown or missing tasks", () => {
    assert.ok(
      issues(yaml('  weighting: { method: dwa, alpha: 1 }')).some((m) => /alpha: 'alpha' applies only to 'gradnorm', not to 'dwa'/.test(m)),
    );
    assert.ok(
      issues(yaml('  task_schedule: joint\n  surgery: { method: pcgrad, c: 1 }')).some((m) => /'c' applies only to 'cagrad'/.test(m)),
    );
    const got = issues(yaml('  sampler: { kind: fixed, probabilities: { intnt: 1 } }'));
    assert.ok(
      got.some((m) => /probabilities\.intnt: 'intnt' names no task; did you mean 'intent'\?/.test(m)),
      got.join('\n'),
    );
    assert.ok(
      got.some((m) => /missing: intent, sentiment/.test(m)),
      got.join('\n'),
    );
    assert.ok(issues(yaml('  sampler: { kind: fixed }')).some((m) => /missing required key 'probabilities'/.test(m)));
  });

  it('peft needs something to do, and not LoRA and adapters together', () => {
    assert.ok(issues(yaml('', 'peft: {}')).some((m) => /peft needs 'lora', 'adapters' or 'freeze'/.test(m)));
    assert.ok(issues(yaml('', 'peft: { lora: {}, adapters: {} }')).some((m) => /give 'lora' or 'adapters', not both/.test(m)));
  });

  it('offers exactly the methods src/mtl implements', () => {
    assert.deepEqual(schema.SAMPLER_KINDS, SAMPLER_KINDS);
    assert.deepEqual(schema.WEIGHTING_METHODS, WEIGHTING_METHODS);
    assert.deepEqual(schema.SURGERY_METHODS, SURGERY_METHODS);
    assert.deepEqual(schema.ADAPTER_ACTIVATIONS, ADAPTER_ACTIVATIONS);
    assert.deepEqual(schema.ADVERSARIAL_METHODS, ADVERSARIAL_METHODS);
  });

  it('adversarial options belong to their methods, and its tasks must exist', () => {
    assert.ok(
      issues(yaml('  adversarial: { method: fgm, steps: 3 }')).some((m) => /'steps' applies only to 'pgd', 'freelb', 'smart'/.test(m)),
    );
    assert.ok(issues(yaml('  adversarial: { method: pgd, tasks: [intnt] }')).some((m) => /'intnt' names no task/.test(m)));
    assert.deepEqual(parse(yaml('  adversarial: { method: smart, steps: 2, step_size: 1.0e-4, tasks: [intent] }')).training.adversarial, {
      method: 'smart',
      steps: 2,
      stepSize: 1e-4,
      tasks: ['intent'],
    });
    assert.equal(parse(yaml('')).training.adversarial, null);
  });

  it('training.meta: the joint schedule and settings an episode would leave out are refused at their keys, with their lines', () => {
    const meta = '  meta: { method: reptile }\n';
    const found = issues(
      yaml(
        `${meta}  task_schedule: joint\n  weighting: { method: uncertainty }\n  adversarial: { method: fgm }\n  word_dropout: 0.1\n  precision: fp16`,
        'continual: { ewc: { lambda: 10 } }',
      ),
    );
    const plain = "an episode's loss is its stream's plain sum";
    assert.deepEqual(found, [
      "16: training.task_schedule: training.meta: an episode adapts to one stream; use task_schedule: alternating (the default), not 'joint'",
      `17: training.weighting.method: training.meta cannot be combined with uncertainty loss weighting: ${plain}; use training.weighting.method: static`,
      `18: training.adversarial: training.meta cannot be combined with adversarial training: ${plain}; drop training.adversarial`,
      `19: training.word_dropout: training.meta cannot be combined with word dropout: ${plain}; set training.word_dropout: 0`,
      "20: training.precision: training.meta cannot be combined with a loss scaler (precision 'fp16'): an episode's inner SGD " +
        'steps would take scaled gradients with no check for inf or NaN; use precision bf16 or fp32 and grad_scaler: null',
      `21: continual.ewc: training.meta cannot be combined with EWC: ${plain}; drop continual.ewc`,
    ]);
    assert.equal(parse(yaml(meta)).training.meta?.method, 'reptile', 'alone it is valid');
  });

  it('the support-bot example configs are valid', needsExampleData('snips', 'banking77', 'sst2'), () => {
    for (const name of ['support-bot.yaml', 'support-bot-tiny.yaml']) {
      const c = loadTrainingConfig(path.join(EXAMPLES, name), { taskTypes });
      assert.equal(c.tasks.length, 4, name);
    }
  });
});
