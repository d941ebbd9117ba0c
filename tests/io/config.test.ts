import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/errors.js';
import {
  ConfigFileError,
  ENCODER_DEFAULTS,
  HIDDEN_ACTS,
  camelize,
  loadTrainingConfig,
  nearest,
  parseTrainingConfig,
  snakeize,
  trainingConfigToJson,
  trainingConfigToYaml,
  validateTrainingConfig,
  type ConfigIssue,
} from '../../src/io/config/index.js';
import { BERT_BASE, HIDDEN_ACTS as MODEL_HIDDEN_ACTS, bertConfigToHf } from '../../src/models/bert/config.js';
import { taskTypes } from '../../src/tasks/index.js';
import { parseTrainingConfig as parseConfigWithRegistry } from '../../src/config.js';
import { familyConfigKeys, supportedModelTypes } from '../../src/models/registry.js';
import { EXAMPLE_DATASETS, needsExampleData } from '../helpers/datasets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
/** The folder the example configs (and VALID, written as if in examples/) read their data from. */
const DATASETS = EXAMPLE_DATASETS;
/** VALID's data, checked where a test loads it with the existence checks on. */
const validData = needsExampleData('snips', 'sst2');

/** A valid two-task config; its paths are relative to EXAMPLES, as if the file were there. */
const VALID = `seed: 7
output_dir: ../runs/test
encoder:
  hidden_size: 32
  num_hidden_layers: 2
  num_attention_heads: 4
  intermediate_size: 37
tokenizer:
  train: { vocab_size: 99 }
tasks:
  - name: intent
    type: sequence-classification
    data:
      format: joint-folder
      train: ../../shared/datasets/snips/train
      dev: ../../shared/datasets/snips/dev
  - name: sentiment
    type: sequence-classification
    data:
      format: tsv
      train: ../../shared/datasets/sst2/train.tsv
      dev: ../../shared/datasets/sst2/dev.tsv
    input: { text: sentence }
    label: { field: label }
training:
  max_steps: 100
  sampler: { kind: temperature, temperature: 2 }
  early_stopping: { metric: intent.accuracy }
`;

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l, k) => k >= after && l.includes(needle));
  assert.ok(i >= 0, `'${needle}' is not in the config text`);
  return i + 1;
}

/** The ConfigFileError that parsing `text` (as bad.yaml in examples/) throws. */
function problems(text: string): { error: ConfigFileError; issues: readonly ConfigIssue[] } {
  try {
    parseTrainingConfig(text, { taskTypes, source: path.join(EXAMPLES, 'bad.yaml') });
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, `expected a ConfigFileError, got ${String(e)}`);
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, 'ERR_CONFIG');
    return { error: e, issues: e.issues };
  }
  assert.fail('the config was accepted');
}

describe('example configs', () => {
  it(
    'examples/snips.yaml: intent and slots on the same SNIPS folders, paths resolved against the config folder',
    needsExampleData('snips'),
    () => {
      const c = loadTrainingConfig(path.join(EXAMPLES, 'snips.yaml'), { taskTypes });
      assert.deepEqual(
        c.tasks.map((t) => [t.name, t.type]),
        [
          ['intent', 'sequence-classification'],
          ['slots', 'token-classification'],
        ],
      );
      assert.equal(c.tasks[0]!.data.train, path.join(DATASETS, 'snips', 'train'));
      assert.deepEqual(c.tasks[0]!.data, c.tasks[1]!.data);
      assert.equal(c.outputDir, path.join(ROOT, 'runs', 'snips'));
      assert.equal(c.encoder.from, undefined);
      assert.equal(c.encoder.hiddenSize, 256);
      assert.equal(c.training.sampler.kind, 'uniform');
      assert.deepEqual(c.training.earlyStopping, { metric: 'slots.f1', patience: 5, mode: 'max' });
      assert.deepEqual(c.tokenizer?.train, { vocabSize: 8000, lowercase: true, minFrequency: 2, sampleLines: 100000 });
    },
  );

  it('examples/atis.yaml: a multi-label intent task joined by #, unseen labels kept', needsExampleData('atis'), () => {
    const c = loadTrainingConfig(path.join(EXAMPLES, 'atis.yaml'), { taskTypes });
    assert.deepEqual(c.tasks[0]!.label, { multiLabel: true, separator: '#', threshold: 0.5, unknown: 'keep' });
    assert.equal(c.tasks[1]!.label.unknown, 'keep');
    assert.equal(c.training.warmupRatio, 0.1);
  });

  it(
    'examples/support-bot.yaml: four tasks over SNIPS, Banking77 (csv, held-out dev) and SST-2 (tsv), with defaults filled',
    needsExampleData('snips', 'banking77', 'sst2'),
    () => {
      const c = loadTrainingConfig(path.join(EXAMPLES, 'support-bot.yaml'), { taskTypes });
      assert.deepEqual(
        c.tasks.map((t) => t.name),
        ['intent', 'slots', 'banking77', 'sentiment'],
      );
      const banking = c.tasks[2]!;
      assert.equal(banking.data.format, 'csv');
      assert.equal(banking.data.devFraction, 0.1);
      assert.deepEqual(banking.input, { text: 'text' });
      assert.equal(banking.label.field, 'category');
      assert.equal(banking.label.multiLabel, false);
      assert.equal(banking.weight, 1);
      assert.equal(c.tasks[3]!.weight, 0.5);
      for (const t of c.tasks) for (const p of [t.data.train, t.data.dev, t.data.test]) if (p !== undefined) assert.ok(existsSync(p), p);
      assert.deepEqual(c.training.sampler, { kind: 'temperature', temperature: 2, cap: 20000 });
      assert.equal(c.training.warmupSteps, 1000);
      assert.equal(c.training.warmupRatio, undefined);
      assert.equal(c.encoder.from, undefined);
      assert.equal(c.encoder.hiddenAct, 'gelu'); // a default
      assert.equal(c.encoder.layerNormEps, 1e-12);
    },
  );

  it('the resolved config round-trips through YAML and JSON unchanged', needsExampleData('snips', 'atis', 'banking77', 'sst2'), () => {
    for (const name of ['snips', 'atis', 'support-bot']) {
      const c = loadTrainingConfig(path.join(EXAMPLES, `${name}.yaml`), { taskTypes });
      const yaml = trainingConfigToYaml(c);
      assert.match(yaml, /max_grad_norm: 1\n/);
      assert.deepEqual(parseTrainingConfig(yaml, { taskTypes, source: '/elsewhere/training_config.yaml' }), c);
      const json = JSON.parse(JSON.stringify(trainingConfigToJson(c)));
      assert.deepEqual(validateTrainingConfig(json, { taskTypes }), c);
    }
  });

  it(
    'label and task names used as keys keep their spelling (thresholds, sampler probabilities), also through YAML and JSON',
    validData,
    () => {
      const text = VALID.replace('  - name: sentiment\n', '  - name: movie_sentiment\n')
        .replace(
          '    label: { field: label }\n',
          '    label: { field: label }\n    options: { multi_label: true, thresholds: { atis_flight: 0.4, Negative: 0.3 } }\n',
        )
        .replace(
          '  sampler: { kind: temperature, temperature: 2 }',
          '  sampler: { kind: fixed, probabilities: { intent: 1, movie_sentiment: 3 } }',
        );
      const c = parseTrainingConfig(text, { taskTypes, source: path.join(EXAMPLES, 'x.yaml') });
      assert.deepEqual(
        c.tasks[1]!.options,
        { multiLabel: true, thresholds: { atis_flight: 0.4, Negative: 0.3 } },
        'option keys camelCased, label names not',
      );
      assert.deepEqual(c.training.sampler.probabilities, { intent: 1, movie_sentiment: 3 }, 'task names as written');
      const yaml = trainingConfigToYaml(c);
      assert.match(yaml, /thresholds:\n\s+atis_flight: 0.4\n\s+Negative: 0.3\n/, 'written as the user wrote them');
      assert.deepEqual(parseTrainingConfig(yaml, { taskTypes, source: '/elsewhere/training_config.yaml' }), c, 'YAML round trip');
      assert.deepEqual(validateTrainingConfig(JSON.parse(JSON.stringify(trainingConfigToJson(c))), { taskTypes }), c, 'JSON round trip');
    },
  );

  it(
    'defaults: seed 42, max_length 128, device cpu, AdamW with torch defaults, linear schedule, proportional sampler, no early stopping, warm-up ratio 0',
    validData,
    () => {
      const text = VALID.replace('seed: 7\n', '').replace(/training:[\s\S]*$/, 'training:\n  epochs: 1\n');
      const c = parseTrainingConfig(text, { taskTypes, source: path.join(EXAMPLES, 'x.yaml') });
      assert.equal(c.seed, 42);
      assert.equal(c.maxLength, 128);
      assert.equal(c.device, 'cpu');
      assert.deepEqual(c.training, {
        epochs: 1,
        batchSize: 32,
        learningRate: 5e-5,
        warmupRatio: 0,
        weightDecay: 0.01,
        optimizer: { name: 'adamw', betas: [0.9, 0.999], eps: 1e-8, amsgrad: false },
        maxGradNorm: 1,
        gradientAccumulationSteps: 1,
        precision: 'fp32',
        gradScaler: null,
        gradientCheckpointing: false,
        wordDropout: 0,
        schedule: 'linear',
        taskSchedule: 'alternating',
        sampler: { kind: 'proportional' },
        weighting: { method: 'static' },
        surgery: null,
        adversarial: null,
        evalEvery: 500,
        earlyStopping: null,
        logEvery: 50,
        reportTo: [],
        saveSteps: null,
        saveTotalLimit: null,
        gradientConflictEvery: null,
        meta: null,
      });
    },
  );

  it('encoder.from: a checkpoint folder relative to the config, dropout overrides, tokenizer optional', validData, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-config-'));
    try {
      mkdirSync(path.join(dir, 'ckpt'));
      for (const f of ['config.json', 'model.safetensors']) writeFileSync(path.join(dir, 'ckpt', f), '');
      const text = VALID.replace(/encoder:[\s\S]*?tasks:/, 'encoder:\n  from: ckpt\n  hidden_dropout_prob: 0.2\ntasks:').replace(
        /\.\.\/\.\.\/shared/g,
        DATASETS.replace(/\/shared.*$/, '/shared'),
      );
      const c = parseTrainingConfig(text, { taskTypes, source: path.join(dir, 'train.yaml') });
      assert.deepEqual(c.encoder, { from: path.join(dir, 'ckpt'), hiddenDropoutProb: 0.2 });
      assert.equal(c.tokenizer, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('encoder.from: a key beside it that the family of its config.json lacks is reported at its line', validData, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-config-'));
    try {
      mkdirSync(path.join(dir, 'ckpt'));
      writeFileSync(path.join(dir, 'ckpt', 'config.json'), JSON.stringify({ model_type: 't5', d_model: 32 }));
      writeFileSync(path.join(dir, 'ckpt', 'model.safetensors'), '');
      const encoder = 'encoder:\n  from: ckpt\n  hidden_dropout_prob: 0.2\n  attention_probs_dropout_prob: 0.2\ntasks:';
      const text = VALID.replace(/encoder:[\s\S]*?tasks:/, encoder).replace(
        /\.\.\/\.\.\/shared/g,
        DATASETS.replace(/\/shared.*$/, '/shared'),
      );
      const source = path.join(dir, 'train.yaml');
      assert.throws(
        () => parseConfigWithRegistry(text, { source }),
        (e: unknown) =>
          e instanceof ConfigFileError &&
          e.issues.length === 1 &&
          e.message.includes(
            `${source}:${lineOf(text, 'attention_probs_dropout_prob')}: encoder.attention_probs_dropout_prob: ` +
              `'attention_probs_dropout_prob' is no key of the model_type t5 of ${path.join(dir, 'ckpt', 'config.json')}`,
          ),
      );
      const fine = parseConfigWithRegistry(text.replace('  attention_probs_dropout_prob: 0.2\n', ''), { source });
      assert.equal(fine.encoder.hiddenDropoutProb, 0.2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the encoder's defaults are Hugging Face's BertConfig defaults (BERT_BASE) and the activations are the model's", () => {
    const hf = bertConfigToHf(BERT_BASE);
    for (const [key, value] of Object.entries(ENCODER_DEFAULTS)) assert.equal(hf[key], value, key);
    assert.deepEqual([...HIDDEN_ACTS], [...MODEL_HIDDEN_ACTS]);
  });
});

describe('config errors', () => {
  it('an unknown key names its path and line and suggests the nearest valid key', () => {
    const text = VALID.replace('      format: tsv', '      fromat: tsv');
    const { error, issues } = problems(text);
    const issue = issues.find((i) => i.path.join('.') === 'tasks.1.data.fromat');
    assert.ok(issue, JSON.stringify(issues));
    assert.equal(issue.line, lineOf(text, 'fromat'));
    assert.match(issue.message, /unknown key 'fromat'; did you mean 'format'\?/);
    assert.ok(
      error.message.includes(`bad.yaml:${issue.line}: tasks[1].data.fromat: unknown key 'fromat'; did you mean 'format'?`),
      error.message,
    );
    // the misspelling also leaves 'format' missing, reported at the line of the 'data:' key that lacks it
    const format = issues.find((i) => i.path.join('.') === 'tasks.1.data.format');
    assert.match(
      format!.message,
      /missing required key 'format' \(one of 'joint-folder', 'csv', 'tsv', 'jsonl', 'conll', 'text', 'wordnet', 'triples', 'semeval2010', 'squad', 'cluener', 'parallel', 'dailydialog', 'messages'\)/,
    );
    assert.equal(format!.line, lineOf(text, 'data:', lineOf(text, 'name: sentiment')));
  });

  it('unknown keys at the top level and in training, with and without a near match', () => {
    const text = VALID.replace('seed: 7', 'sede: 7').replace('  max_steps: 100', '  max_steps: 100\n  learnig_rate: 0.1\n  colour: blue');
    const { issues } = problems(text);
    const byPath = new Map(issues.map((i) => [i.path.join('.'), i]));
    assert.match(byPath.get('sede')!.message, /did you mean 'seed'\?/);
    assert.equal(byPath.get('sede')!.line, 1);
    assert.match(byPath.get('training.learnig_rate')!.message, /did you mean 'learning_rate'\?/);
    assert.equal(byPath.get('training.learnig_rate')!.line, lineOf(text, 'learnig_rate'));
    assert.match(byPath.get('training.colour')!.message, /unknown key 'colour'; valid keys: max_steps, epochs, batch_size/);
  });

  it('a value of the wrong type: expected and got, at the value line', () => {
    const text = VALID.replace('  max_steps: 100', "  max_steps: 100\n  batch_size: '32'");
    const { issues } = problems(text);
    assert.equal(issues.length, 1);
    assert.deepEqual(issues[0]!.path, ['training', 'batch_size']);
    assert.equal(issues[0]!.line, lineOf(text, 'batch_size'));
    assert.equal(issues[0]!.message, "expected a number, got '32' (a string)");
  });

  it('out-of-range values and non-integers', () => {
    const text = VALID.replace('seed: 7', 'seed: 1.5').replace('  max_steps: 100', '  max_steps: 0\n  learning_rate: -1');
    const { issues } = problems(text);
    const paths = issues.map((i) => i.path.join('.'));
    assert.deepEqual(paths.sort(), ['seed', 'training.learning_rate', 'training.max_steps']);
    for (const i of issues) assert.ok(i.line !== undefined && i.message.length > 0);
    assert.equal(issues.find((i) => i.path[0] === 'seed')!.message, 'expected an integer, got 1.5 (a number)');
    assert.equal(issues.find((i) => i.path[1] === 'max_steps')!.message, 'expected an integer from 1 to 100,000,000, got 0 (a number)');
    assert.equal(issues.find((i) => i.path[1] === 'learning_rate')!.line, lineOf(text, 'learning_rate'));
  });

  it('a misspelled enum value lists the valid ones and suggests the nearest', validData, () => {
    const text = VALID.replace(
      'type: sequence-classification\n    data:\n      format: tsv',
      'type: sequence-clasification\n    data:\n      format: tsv',
    );
    const { issues } = problems(text);
    assert.equal(issues.length, 1);
    assert.deepEqual(issues[0]!.path, ['tasks', 1, 'type']);
    assert.equal(issues[0]!.line, lineOf(text, 'sequence-clasification'));
    assert.match(
      issues[0]!.message,
      /expected one of 'sequence-classification', 'token-classification', 'masked-lm', 'link-prediction', 'regression', 'relation-classification', 'extractive-qa', 'causal-lm', 'seq2seq', 'span-corruption', 'replaced-token-detection', 'chat', got 'sequence-clasification' \(a string\); did you mean 'sequence-classification'\?/,
    );
  });

  it('a missing required key is reported at its parent', () => {
    const text = VALID.replace('output_dir: ../runs/test\n', '');
    const { issues } = problems(text);
    assert.equal(issues.length, 1);
    assert.deepEqual(issues[0]!.path, ['output_dir']);
    assert.match(issues[0]!.message, /missing required key 'output_dir'/);
  });

  it('a problem with no line of its own gets its nearest line in the file, and none at the top level (never a made-up line 1)', () => {
    // a missing top-level key: its parent is the whole file, which has no one line
    const text = `# a comment first\n${VALID.replace('output_dir: ../runs/test\n', '')}`;
    const { error, issues } = problems(text);
    assert.equal(issues[0]!.line, undefined, `no line for a missing top-level key, got ${issues[0]!.line}`);
    assert.ok(error.message.includes("bad.yaml: output_dir: missing required key 'output_dir'"), error.message);
    const tokenizer = problems(VALID.replace('tokenizer:\n  train: { vocab_size: 99 }\n', ''));
    assert.deepEqual(tokenizer.issues[0]!.path, ['tokenizer']);
    assert.equal(tokenizer.issues[0]!.line, undefined, `no line for the missing tokenizer section, got ${tokenizer.issues[0]!.line}`);
    // a missing nested key: the line of the key that holds it
    const nested = VALID.replace('      format: tsv\n', '');
    const format = problems(nested).issues.find((i) => i.path.join('.') === 'tasks.1.data.format');
    assert.equal(format?.line, lineOf(nested, 'data:', lineOf(nested, 'name: sentiment')), JSON.stringify(format));
  });

  it('a missing data file is reported with its path, line and where it was resolved, before anything trains', validData, () => {
    const text = VALID.replace('sst2/dev.tsv', 'sst2/dev-missing.tsv').replace('snips/dev', 'snips/nope');
    const { error, issues } = problems(text);
    assert.equal(issues.length, 2);
    const [snips, sst] = issues;
    assert.deepEqual(snips!.path, ['tasks', 0, 'data', 'dev']);
    assert.equal(snips!.line, lineOf(text, 'snips/nope'));
    assert.ok(
      snips!.message.startsWith(`no such folder: ${path.join(DATASETS, 'snips', 'nope')} (written '../../shared/datasets/snips/nope')`),
      snips!.message,
    );
    assert.deepEqual(sst!.path, ['tasks', 1, 'data', 'dev']);
    assert.match(sst!.message, /no such file: .*sst2\/dev-missing\.tsv/);
    assert.match(error.message, /has 2 problems; nothing was trained/);
  });

  it('a file where a folder is expected, and a joint folder without its files', validData, () => {
    const text = VALID.replace('snips/train', 'snips/slot_label.txt').replace('snips/dev', 'snips');
    const { issues } = problems(text);
    assert.match(issues[0]!.message, /expected a folder, but .*slot_label\.txt is a file/);
    assert.match(issues[1]!.message, /the folder .*datasets\/snips lacks seq\.in, seq\.out, label/);
  });

  it('checkFiles: false skips the existence checks', () => {
    const text = VALID.replace('snips/dev', 'snips/nope');
    const c = parseTrainingConfig(text, { taskTypes, baseDir: EXAMPLES, checkFiles: false });
    assert.equal(c.tasks[0]!.data.dev, path.join(DATASETS, 'snips', 'nope'));
  });

  it('keys that contradict each other', () => {
    const text = VALID.replace('  max_steps: 100', '  max_steps: 100\n  epochs: 3\n  warmup_ratio: 0.1\n  warmup_steps: 10').replace(
      '    input: { text: sentence }\n',
      '',
    );
    const { issues } = problems(text);
    const messages = new Map(issues.map((i) => [i.path.join('.'), i.message]));
    assert.match(messages.get('training.epochs')!, /give 'max_steps' or 'epochs', not both/);
    assert.match(messages.get('training.warmup_steps')!, /not both/);
    assert.match(messages.get('tasks.1.input')!, /missing required key 'input': name the text column of the tsv data/);
    assert.equal(issues.find((i) => i.path.join('.') === 'training.epochs')!.line, lineOf(text, 'epochs'));
  });

  it('task type and format, options of other formats, duplicate task names', () => {
    const text = VALID.replace(
      'type: sequence-classification\n    data:\n      format: tsv',
      'type: token-classification\n    data:\n      format: tsv\n      token_column: 0\n      context_turns: 3',
    ).replace('- name: sentiment', '- name: intent');
    const { issues } = problems(text);
    const messages = new Map(issues.map((i) => [i.path.join('.'), i.message]));
    assert.match(messages.get('tasks.1.name')!, /task name 'intent' is already used by tasks\[0\]/);
    assert.match(
      messages.get('tasks.1.data.format')!,
      /a token-classification task cannot read format 'tsv'; use one of 'joint-folder', 'conll'/,
    );
    assert.match(messages.get('tasks.1.data.token_column')!, /applies only to conll data/);
    assert.match(messages.get('tasks.1.data.context_turns')!, /'context_turns' applies only to dailydialog data, not to 'tsv'/);
  });

  it('crf is an option of token-classification tasks only', validData, () => {
    const text = VALID.replace(
      '    type: sequence-classification\n    data:\n      format: joint-folder',
      '    type: sequence-classification\n    crf: true\n    data:\n      format: joint-folder',
    );
    const { issues } = problems(text);
    assert.equal(issues.length, 1, 'one issue');
    assert.deepEqual(issues[0]!.path, ['tasks', 0, 'crf']);
    assert.match(issues[0]!.message, /crf applies only to token-classification tasks, not to sequence-classification/);
    assert.equal(issues[0]!.line, lineOf(text, 'crf: true'));
  });

  it('the early-stopping metric must name a task: the nearest is suggested', validData, () => {
    const text = VALID.replace('metric: intent.accuracy', 'metric: intnet.accuracy');
    const { issues } = problems(text);
    assert.equal(issues.length, 1);
    assert.deepEqual(issues[0]!.path, ['training', 'early_stopping', 'metric']);
    assert.equal(issues[0]!.line, lineOf(text, 'intnet.accuracy'));
    assert.match(issues[0]!.message, /'intnet\.accuracy' names no task 'intnet'; did you mean 'intent\.accuracy'\?/);
  });

  it('a stream metric (tasks joined by +) is accepted when every part is a task with dev data, and names a missing part', validData, () => {
    const joined = VALID.replace('metric: intent.accuracy', 'metric: intent+sentiment.sentenceAccuracy');
    assert.equal(
      parseTrainingConfig(joined, { taskTypes, source: path.join(EXAMPLES, 'ok.yaml') }).training.earlyStopping?.metric,
      'intent+sentiment.sentenceAccuracy',
    );
    const text = VALID.replace('metric: intent.accuracy', 'metric: intent+slots.sentenceAccuracy');
    const { issues } = problems(text);
    assert.equal(issues.length, 1);
    assert.deepEqual(issues[0]!.path, ['training', 'early_stopping', 'metric']);
    assert.equal(issues[0]!.line, lineOf(text, 'intent+slots.sentenceAccuracy'));
    assert.match(issues[0]!.message, /'intent\+slots\.sentenceAccuracy' names no task 'slots'; .*the tasks are intent, sentiment/);
  });

  it("encoder: an unknown model_type is reported at its line with the nearest family (the registry's types passed in, as src/config.ts does)", () => {
    const text = VALID.replace('encoder:\n', 'encoder:\n  model_type: t5x\n');
    const line = text.split('\n').indexOf('  model_type: t5x') + 1;
    const check = (options: { modelTypes?: readonly string[] }) => {
      try {
        parseTrainingConfig(text, { taskTypes, source: 'bad.yaml', checkFiles: false, ...options });
      } catch (e) {
        return e as ConfigFileError;
      }
      return undefined;
    };
    const e = check({ modelTypes: supportedModelTypes() });
    assert.ok(e instanceof ConfigFileError);
    assert.ok(
      e.message.includes(
        `bad.yaml:${line}: encoder.model_type: model_type 't5x' is not supported; did you mean 't5'? (the supported model types: ${supportedModelTypes().join(', ')})`,
      ),
      e.message,
    );
    // The package's loader (src/config.ts) passes the registry's types itself.
    assert.throws(
      () => parseConfigWithRegistry(text, { source: 'bad.yaml', checkFiles: false }),
      (err: unknown) => err instanceof ConfigFileError && err.message.includes(`bad.yaml:${line}: encoder.model_type: model_type 't5x'`),
    );
    assert.equal(check({}), undefined, 'without the list this layer cannot know the families');
  });

  it("encoder: another family's unknown key is reported at its line with the family's nearest key (the registry's keys passed in)", () => {
    const text = VALID.replace('encoder:\n', 'encoder:\n  model_type: t5\n  d_kvv: 8\n  type_vocab_size: 2\n');
    const lines = text.split('\n');
    const issues = (() => {
      try {
        parseConfigWithRegistry(text, { source: 'bad.yaml', checkFiles: false });
      } catch (e) {
        assert.ok(e instanceof ConfigFileError, String(e));
        return e.issues.map((i) => `${i.line}: ${i.path.join('.')}: ${i.message}`);
      }
      assert.fail('a T5 encoder with d_kvv was accepted');
    })();
    assert.deepEqual(issues, [
      `${lines.indexOf('  d_kvv: 8') + 1}: encoder.d_kvv: unknown key 'd_kvv' for model_type t5; did you mean 'd_kv'?`,
      `${lines.indexOf('  type_vocab_size: 2') + 1}: encoder.type_vocab_size: unknown key 'type_vocab_size' for model_type t5; did you mean 'vocab_size'?`,
    ]);
    const t5Keys = familyConfigKeys('t5');
    assert.ok(t5Keys.includes('d_kv') && t5Keys.includes('num_decoder_layers') && !t5Keys.includes('type_vocab_size'), t5Keys.join());
    const valid = VALID.replace('encoder:\n', 'encoder:\n  model_type: t5\n  d_kv: 8\n  num_decoder_layers: 1\n');
    assert.doesNotThrow(() => parseConfigWithRegistry(valid, { source: 'good.yaml', checkFiles: false }));
  });

  it('encoder: heads that do not divide the hidden size; architecture keys beside from', validData, () => {
    const bad = problems(VALID.replace('num_attention_heads: 4', 'num_attention_heads: 5')).issues;
    assert.equal(bad[0]!.message, 'hidden size (32) is not a multiple of the number of attention heads (5)');
    assert.deepEqual(bad[0]!.path, ['encoder', 'num_attention_heads']);
    const text = VALID.replace('encoder:\n', 'encoder:\n  from: ../../shared/datasets/snips\n');
    const { issues } = problems(text);
    const messages = issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(
      messages.some((m) => m.startsWith("encoder.hidden_size: 'hidden_size' cannot be set beside 'from'")),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /^encoder\.from: the folder .* lacks config\.json, model\.safetensors/.test(m)),
      messages.join('\n'),
    );
  });

  it('YAML syntax errors and duplicate keys name the line', () => {
    assert.throws(
      () => parseTrainingConfig('seed: 1\ntasks: [\n', { taskTypes, source: 'broken.yaml' }),
      (e: unknown) => e instanceof ConfigError && /broken\.yaml:\d+:\d+/.test(e.message) && /not valid YAML/.test(e.message),
    );
    assert.throws(
      () => parseTrainingConfig('seed: 1\nseed: 2\n', { taskTypes, source: 'dup.yaml' }),
      (e: unknown) => e instanceof ConfigError && /dup\.yaml:2:1: Map keys must be unique/.test(e.message),
    );
    assert.throws(() => parseTrainingConfig('', { taskTypes, source: 'empty.yaml' }), /expected a mapping .* got an empty file/);
    assert.throws(() => loadTrainingConfig(path.join(EXAMPLES, 'no-such.yaml'), { taskTypes }), /cannot read the training config/);
  });

  it('every problem of a file is reported at once, sorted by line', () => {
    const text = VALID.replace('seed: 7', "seed: 'x'")
      .replace('      format: tsv', '      fromat: tsv')
      .replace('  max_steps: 100', '  max_steps: 100\n  schedule: cosin');
    const { issues } = problems(text);
    assert.ok(issues.length >= 4, JSON.stringify(issues));
    const lines = issues.map((i) => i.line!);
    assert.deepEqual(
      lines,
      [...lines].sort((a, b) => a - b),
    );
    assert.ok(issues.some((i) => /did you mean 'cosine'/.test(i.message)));
  });
});

describe('helpers', () => {
  it('nearest: a close key, or nothing when none is close', () => {
    assert.equal(nearest('fromat', ['format', 'path', 'train']), 'format');
    assert.equal(nearest('batchsize', ['batch_size', 'max_steps']), 'batch_size');
    assert.equal(nearest('colour', ['format', 'path', 'train']), undefined);
  });

  it('camelize and snakeize are inverses on config keys', () => {
    const snake = { max_grad_norm: 1, tasks: [{ multi_label: true, data: { dev_fraction: 0.1 } }], early_stopping: null };
    const camel = camelize(snake);
    assert.deepEqual(camel, { maxGradNorm: 1, tasks: [{ multiLabel: true, data: { devFraction: 0.1 } }], earlyStopping: null });
    assert.deepEqual(snakeize(camel), snake);
  });

  it('camelize and snakeize keep the keys of the objects at the given paths, at any array index', () => {
    const names = [['tasks', '*', 'thresholds']];
    const snake = { tasks: [{ thresholds: { my_label: 1, Other: 2 }, multi_label: true }] };
    const camel = camelize(snake, names);
    assert.deepEqual(camel, { tasks: [{ thresholds: { my_label: 1, Other: 2 }, multiLabel: true }] });
    assert.deepEqual(snakeize(camel, names), snake);
  });
});
