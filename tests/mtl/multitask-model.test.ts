import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CheckpointError, ConfigError, DataError } from '../../src/errors.js';
import type { JointExample } from '../../src/data/index.js';
import { BertModel, type BertInputs } from '../../src/models/bert/index.js';
import { MultiTaskModel, taskLosses } from '../../src/mtl/multitask-model.js';
import {
  collateJoint,
  groupBySource,
  makeTask,
  sequenceClassification,
  taskSpec,
  taskType,
  tokenClassification,
  type Task,
  type TaskFeatures,
  type TaskSpec,
} from '../../src/tasks/index.js';
import { add, liveTensorCount, manualSeed, noGrad, tidy, type Tensor } from '../../src/tensor/index.js';
import { AdamW } from '../../src/optim/adamw.js';
import { jointSplit, snipsTokenizer, tinyConfig } from '../tasks/helpers.js';
import { needs } from '../helpers/datasets.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

/** The SNIPS intent and slot specs, labels from the training split. */
function snipsSpecs(): TaskSpec[] {
  const train = jointSplit('snips/train');
  const intent = sequenceClassification.collectLabels(train, sequenceClassification.resolveOptions());
  const slots = tokenClassification.collectLabels(train, tokenClassification.resolveOptions());
  return [
    taskSpec({ name: 'intent', kind: 'sequence-classification', labels: intent }),
    taskSpec({ name: 'slots', kind: 'token-classification', labels: slots }),
  ];
}

/** The model's tasks of `specs` (each with its head and a fresh state). */
const tasksOf = (m: MultiTaskModel, specs: readonly TaskSpec[]): Task[] => specs.map((spec) => makeTask(spec, m.heads.get(spec.name)));

/** Both tasks' features over the same examples. */
async function featuresOf(specs: readonly TaskSpec[], examples: readonly JointExample[], maxLength = 48): Promise<TaskFeatures[]> {
  const tok = snipsTokenizer();
  return Promise.all(
    specs.map(async (spec) => {
      const type = taskType(spec.kind);
      return { spec, type, state: type.createState?.(spec), features: (await type.featurize(examples, tok, spec, { maxLength })).features };
    }),
  );
}

function model(specs: readonly TaskSpec[], seed = 0): MultiTaskModel {
  manualSeed(seed);
  return MultiTaskModel.fromSpecs(new BertModel(tinyConfig(snipsTokenizer().vocabSize)), specs);
}

/** Wraps the encoder's forward to count its calls. */
function countEncoderPasses(m: MultiTaskModel): { readonly calls: number } {
  const counter = { calls: 0 };
  const forward = m.backbone.forward.bind(m.backbone);
  m.backbone.forward = (inputs: BertInputs) => {
    counter.calls++;
    return forward(inputs);
  };
  return counter;
}

describe('MultiTaskModel: names', needs('snips'), () => {
  it('encoder.… and heads.<task>.… inside; bert.… and heads.<task>.… when saved', () => {
    const m = model(snipsSpecs());
    const names = m.namedParameters().map(([n]) => n);
    assert.equal(names[0], 'encoder.embeddings.word_embeddings.weight');
    assert.ok(names.includes('encoder.encoder.layer.1.output.LayerNorm.bias'));
    assert.ok(names.includes('encoder.pooler.dense.weight'));
    assert.deepEqual(
      names.filter((n) => n.startsWith('heads.')),
      ['heads.intent.classifier.weight', 'heads.intent.classifier.bias', 'heads.slots.classifier.weight', 'heads.slots.classifier.bias'],
    );
    const saved = [...m.savedStateDict().keys()];
    assert.equal(saved.length, names.length);
    assert.ok(saved.includes('bert.embeddings.word_embeddings.weight'));
    assert.ok(saved.includes('bert.encoder.layer.1.output.LayerNorm.bias'));
    assert.ok(saved.includes('heads.slots.classifier.weight'));
    assert.ok([...m.savedStateDict('').keys()].includes('encoder.layer.0.attention.self.query.weight'));
    m.dispose();
  });

  it('loads what it saved; a pre-trained encoder alone loads with strict: false', () => {
    const specs = snipsSpecs();
    const [a, b] = [model(specs, 1), model(specs, 2)];
    b.loadSavedStateDict(a.savedStateDict());
    for (const [[name, p], [, q]] of a.namedParameters().map((x, i) => [x, b.namedParameters()[i]!] as const)) {
      assert.ok(
        tidy(() => p.eq(q).all().item()),
        name,
      );
    }
    const encoderOnly = new Map([...a.savedStateDict()].filter(([k]) => k.startsWith('bert.')));
    assert.throws(
      () => b.loadSavedStateDict(encoderOnly),
      (e: unknown) => e instanceof CheckpointError && /missing keys: 'heads\.intent/.test(e.message),
    );
    const result = b.loadSavedStateDict(encoderOnly, { strict: false });
    assert.deepEqual(result.missingKeys, [
      'heads.intent.classifier.weight',
      'heads.intent.classifier.bias',
      'heads.slots.classifier.weight',
      'heads.slots.classifier.bias',
    ]);
    assert.deepEqual(result.unexpectedKeys, []);
    a.dispose();
    b.dispose();
  });

  it('rejects unknown and repeated task names', () => {
    const specs = snipsSpecs();
    const encoder = new BertModel(tinyConfig(50));
    assert.throws(() => MultiTaskModel.fromSpecs(encoder, [specs[0]!, specs[0]!]), /given twice/);
    encoder.dispose(); // still the caller's after a failed fromSpecs
    const m = model(specs);
    tidy(() => {
      const inputs = { inputIds: m.backbone.inputEmbeddings().weight.narrow(0, 0, 1).argmax(1).reshape([1, 1]) };
      assert.throws(
        () => m.forward(inputs, ['intent', 'topic']),
        (e: unknown) => e instanceof ConfigError && /no head for task 'topic'; the model has heads for: intent, slots/.test(e.message),
      );
      assert.throws(() => m.forward(inputs, ['intent', 'intent']), /named twice/);
    });
    m.dispose();
  });
});

describe('MultiTaskModel: joint intent + slots', needs('snips'), () => {
  it('groups tasks by input source', () => {
    assert.deepEqual(
      groupBySource([
        { name: 'intent', source: 'snips/train' },
        { name: 'sentiment', source: 'sst2/train' },
        { name: 'slots', source: 'snips/train' },
      ]),
      [['intent', 'slots'], ['sentiment']],
    );
  });

  it('one batch carries both tasks; one encoder pass gives both logits', async () => {
    const specs = snipsSpecs();
    const examples = jointSplit('snips/dev').slice(0, 8);
    const tasks = await featuresOf(specs, examples);
    const m = model(specs).eval();
    const passes = countEncoderPasses(m);
    tidy(() => {
      const batch = collateJoint(tasks, [5, 1, 7]);
      const intent = batch.batches.get('intent')!;
      const slots = batch.batches.get('slots')!;
      assert.equal(intent.inputIds, batch.inputs.inputIds); // the same tensor, padded once
      assert.equal(slots.attentionMask, batch.inputs.attentionMask);
      assert.deepEqual(
        intent.features.map((f) => f.exampleIndex),
        [5, 1, 7],
      );
      const T = batch.inputs.inputIds.shape[1]!;
      assert.deepEqual(intent.labels!.shape, [3]);
      assert.deepEqual(slots.labels!.shape, [3, T]);

      const logits = m.forward(batch.inputs, ['intent', 'slots']);
      assert.equal(passes.calls, 1);
      assert.deepEqual(logits.get('intent')!.shape, [3, specs[0]!.labels.length]);
      assert.deepEqual(logits.get('slots')!.shape, [3, T, specs[1]!.labels.length]);
      const losses = taskLosses(logits, batch, tasksOf(m, specs));
      assert.deepEqual([...losses.keys()], ['intent', 'slots']);
      for (const loss of losses.values()) assert.ok(Number.isFinite(loss.item() as number));

      // The same logits as each head run on its own pass.
      const alone = m.forward(batch.inputs, ['slots']).get('slots')!;
      assert.equal(passes.calls, 2);
      assert.ok(alone.sub(logits.get('slots')!).abs().max().item() === 0);
    });
    m.dispose();
  });

  it('refuses tasks that do not read the same input', async () => {
    const specs = snipsSpecs();
    const [intent] = await featuresOf(specs.slice(0, 1), jointSplit('snips/dev').slice(0, 4));
    const [slots] = await featuresOf(specs.slice(1), jointSplit('snips/dev').slice(4, 8));
    assert.throws(
      () => collateJoint([intent!, slots!], [0, 1]),
      (e: unknown) => e instanceof DataError && /do not read the same input for example 0/.test(e.message),
    );
    const [short] = await featuresOf(specs.slice(1), jointSplit('snips/dev').slice(0, 3));
    assert.throws(() => collateJoint([intent!, short!], [0]), /'slots' has 3 features but 'intent' has 4/);
    const [cut] = await featuresOf(specs.slice(1), jointSplit('snips/dev').slice(0, 4), 6);
    assert.throws(() => collateJoint([intent!, cut!], [0]), /same maxLength/);
  });
});

describe('MultiTaskModel: training smoke test', needs('snips'), () => {
  it('a few AdamW steps on 64 SNIPS examples lower the joint loss, and leave no tensor behind', async () => {
    const before = liveTensorCount();
    const specs = snipsSpecs();
    const examples = jointSplit('snips/train').slice(0, 64);
    const tasks = await featuresOf(specs, examples);
    const m = model(specs, 3);
    const opt = new AdamW(m.parameters(), { lr: 3e-3, weightDecay: 0 });
    const rows = examples.map((_, i) => i);
    const jointLoss = (): Tensor =>
      tidy(() => {
        const batch = collateJoint(tasks, rows);
        const losses = taskLosses(m.forward(batch.inputs, ['intent', 'slots']), batch, tasksOf(m, specs));
        return add(losses.get('intent')!, losses.get('slots')!);
      });
    const evalLoss = (): number => {
      m.eval();
      const value = tidy(() => noGrad(() => jointLoss().item() as number));
      m.train();
      return value;
    };
    const start = evalLoss();
    for (let step = 0; step < 12; step++) {
      tidy(() => {
        for (let k = 0; k < 64; k += 16) {
          const batch = collateJoint(tasks, rows.slice(k, k + 16));
          const losses = taskLosses(m.forward(batch.inputs, ['intent', 'slots']), batch, tasksOf(m, specs));
          add(losses.get('intent')!, losses.get('slots')!).backward();
          opt.step();
          opt.zeroGrad();
        }
      });
    }
    const end = evalLoss();
    assert.ok(end < 0.8 * start, `joint loss ${start.toFixed(3)} → ${end.toFixed(3)}`);
    opt.dispose();
    m.dispose();
    assert.equal(liveTensorCount(), before);
  });
});
