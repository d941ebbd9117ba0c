/**
 * Continual training (`mtl train CONFIG --from CKPT`) on the tiny run: stage 1 learns intent (four
 * SNIPS intents) and slots; stage 2 continues with intent over all seven intents and a new task,
 * sentiment, while slots stays as an earlier task. Label extension keeps the old logits exactly,
 * earlier tasks without rehearsal are evaluated but not trained, rehearsal samples their data, EWC
 * holds the encoder nearer its old weights, and a continual run resumes bit for bit.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCheckpoint, readMetrics } from '../../src/io/checkpoint.js';
import { loadTrainingConfig } from '../../src/io/config/index.js';
import { loadModelWeights, modelFromCheckpoint } from '../../src/run/load-model.js';
import { collateJoint, taskTypes } from '../../src/tasks/index.js';
import { liveTensorCount, noGrad, tidy, type Tensor } from '../../src/tensor/index.js';
import { loadContinualConfig } from '../../src/train/continual-config.js';
import { setUpRun } from '../../src/train/setup.js';
import { train } from '../../src/train/trainer.js';
import { silentLogger } from '../../src/logger.js';
import { needsTinyRunData, tinyRun, type RunFolder } from './trainer-fixture.js';

const data = needsTinyRunData();
const baseline = liveTensorCount();
let run: RunFolder;
const file = (...p: string[]) => path.join(run.dir, ...p);

/** The tiny run's SNIPS split with only the utterances of its first four intents (by order of appearance). */
function fourIntents(split: string): void {
  const read = (f: string) =>
    readFileSync(file('snips', split, f), 'utf8')
      .trimEnd()
      .split('\n');
  const [words, tags, labels] = [read('seq.in'), read('seq.out'), read('label')];
  const keep = new Set([...new Set(labels)].slice(0, 4));
  const rows = labels.map((l, i) => (keep.has(l) ? i : -1)).filter((i) => i >= 0);
  mkdirSync(file('snips4', split), { recursive: true });
  for (const [name, lines] of [
    ['seq.in', words],
    ['seq.out', tags],
    ['label', labels],
  ] as const)
    writeFileSync(file('snips4', split, name), rows.map((r) => lines[r]).join('\n') + '\n');
}

const ENCODER = `encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 64 }`;
const TRAINING = `training: { max_steps: 6, batch_size: 16, learning_rate: 3.0e-3, eval_every: 3, log_every: 3 }`;
const snips = (dir: string) => `{ format: joint-folder, train: ${dir}/train, dev: ${dir}/dev, test: ${dir}/test }`;

const STAGE1 = `seed: 7
output_dir: stage1
${ENCODER}
tokenizer: { train: { vocab_size: 400, min_frequency: 1 } }
max_length: 24
tasks:
  - { name: intent, type: sequence-classification, options: { pooling: cls }, data: ${snips('snips4')}, label: { unknown: keep } }
  - { name: slots, type: token-classification, data: ${snips('snips4')}, label: { unknown: keep } }
${TRAINING}
`;

/** Stage 2: intent over all intents, a new sentiment task; `continual` as given; the streams in turn (round robin). */
const stage2 = (outputDir: string, continual: string) => `seed: 7
output_dir: ${outputDir}
max_length: 24
tasks:
  - { name: intent, type: sequence-classification, options: { pooling: cls }, data: ${snips('snips')} }
  - name: sentiment
    type: sequence-classification
    data: { format: tsv, train: sst2/train.tsv, dev: sst2/dev.tsv, test: sst2/test.tsv }
    input: { text: sentence }
    label: { field: label }
training: { max_steps: 6, batch_size: 16, learning_rate: 3.0e-3, eval_every: 3, log_every: 3, sampler: { kind: uniform } }
continual: ${continual}
`;

const stage1Best = () => file('stage1', 'best');
const writeStage2 = (name: string, continual: string) => {
  writeFileSync(file(`${name}.yaml`), stage2(name, continual));
  return loadContinualConfig(file(`${name}.yaml`), stage1Best());
};

before(async () => {
  if (data.skip) return;
  run = tinyRun();
  for (const split of ['train', 'dev', 'test']) fourIntents(split);
  writeFileSync(file('stage1.yaml'), STAGE1);
  await train(loadTrainingConfig(file('stage1.yaml'), { taskTypes }));
});

after(() => {
  if (data.skip) return;
  run.remove();
  assert.equal(liveTensorCount(), baseline, 'every tensor of the runs is freed');
});

const values = (t: Tensor) => Array.from(t.dataSync() as Float32Array);

describe('continual: the model it starts from', data, () => {
  it("extends intent's labels after the old ones, and the old labels' weight rows and logits stay bit for bit", async () => {
    const config = writeStage2('extend', '{ ewc: null }');
    using ckpt = loadCheckpoint(stage1Best(), { optimizer: false });
    const setup = await setUpRun(await config, {}, silentLogger);
    using old = modelFromCheckpoint(ckpt).eval();
    using model = setup.model.eval();
    const oldLabels = ckpt.tasks.find((t) => t.name === 'intent')!.labels!;
    const intent = setup.prepared.runs.find((r) => r.spec.name === 'intent')!.spec;
    assert.equal(oldLabels.length, 4);
    assert.equal(intent.labels.length, 7, 'three intents added');
    assert.deepEqual(intent.labels.slice(0, 4), oldLabels, 'old label ids kept');
    assert.deepEqual(
      setup.prepared.runs.map((r) => r.spec.name),
      ['intent', 'sentiment', 'slots'],
    );
    tidy(() => {
      const oldWeight = ckpt.heads.get('intent')!.get('classifier.weight')!; // (4, H)
      const newWeight = model.heads.get('intent').stateDict().get('classifier.weight')!; // (7, H)
      assert.deepEqual(values(newWeight.narrow(0, 0, 4)), values(oldWeight));
      const stream = setup.prepared.streams.find((s) => s.name.includes('intent'))!;
      const features = stream.splits.dev!.tasks.find((t) => t.spec.name === 'intent')!;
      const batch = collateJoint([features], [0, 1, 2, 3, 4, 5, 6, 7]);
      noGrad(() => {
        const before = old.forward(batch.inputs, ['intent']).get('intent')!; // (8, 4)
        const after = model.forward(batch.inputs, ['intent']).get('intent')!; // (8, 7)
        assert.deepEqual(values(after.narrow(1, 0, 4).contiguous()), values(before));
      });
      const same = (name: string) =>
        [...model.heads.get(name).stateDict()].every(([k, t]) => values(t).join() === values(ckpt.heads.get(name)!.get(k)!).join());
      assert.ok(same('slots'), 'the earlier slots head is loaded as it was');
    });
  });

  it('keeps earlier tasks the config does not name: evaluated only (train: false), or with rehearsal a seeded sample of their data', async () => {
    const plain = await writeStage2('plain', 'null');
    const slots = plain.tasks.find((t) => t.name === 'slots')!;
    assert.equal(slots.train, false);
    assert.equal(plain.encoder.from, stage1Best());
    assert.equal(plain.tokenizer?.path, path.join(stage1Best(), 'tokenizer.json'));
    const replay = (await writeStage2('replay', '{ rehearsal: { examples: 20 } }')).tasks.find((t) => t.name === 'slots')!;
    assert.equal(replay.train, true);
    assert.equal(replay.data.trainSubset, 20);
  });

  it('rehearsal.examples_per_class: a classification task replays that many per class, a tagging task `examples`; alone, a tagging task is refused by name', async () => {
    const sentimentOnly = (name: string, continual: string) => stage2(name, continual).replace(/ {2}- \{ name: intent, [^\n]*\n/, ''); // intent and slots both earlier tasks
    const write = (name: string, continual: string) => {
      writeFileSync(file(`${name}.yaml`), sentimentOnly(name, continual));
      return loadContinualConfig(file(`${name}.yaml`), stage1Best());
    };
    const both = await write('per-class', '{ rehearsal: { examples_per_class: 5, examples: 20 } }');
    assert.deepEqual(
      both.tasks.map((t) => [t.name, t.train, t.data.trainPerClass, t.data.trainSubset]),
      [
        ['sentiment', true, undefined, undefined],
        ['intent', true, 5, undefined],
        ['slots', true, undefined, 20],
      ],
    );
    await assert.rejects(write('per-class-only', '{ rehearsal: { examples_per_class: 5 } }'), (e: Error) => {
      assert.match(
        e.message,
        /per-class-only\.yaml: continual\.rehearsal\.examples_per_class does not apply to the checkpoint's task 'slots' \(token-classification/,
      );
      assert.match(e.message, /add 'examples'/);
      return true;
    });
  });
});

describe('continual: training', data, () => {
  it('trains the new tasks, leaves an earlier task without rehearsal untouched but evaluated, and rehearsal trains it', async () => {
    const plain = await train(await writeStage2('plain-run', 'null'));
    using ckpt = loadCheckpoint(file('plain-run', 'last'), { optimizer: false });
    using old = loadCheckpoint(stage1Best(), { optimizer: false });
    const unchanged = [...old.heads.get('slots')!].every(([k, t]) => values(t).join() === values(ckpt.heads.get('slots')!.get(k)!).join());
    assert.ok(unchanged, 'the slots head did not train');
    assert.ok(plain.dev?.metrics.slots !== undefined, 'slots is evaluated on dev');
    assert.deepEqual(
      ckpt.tasks.map((t) => t.name),
      ['intent', 'sentiment', 'slots'],
    );
    await train(await writeStage2('replay-run', '{ rehearsal: { examples: 20 } }'));
    using replayed = loadCheckpoint(file('replay-run', 'last'), { optimizer: false });
    const start = readMetrics(file('replay-run', 'metrics.jsonl')).find((r) => r.type === 'start') as {
      examples: Record<string, { train: number }>;
    };
    assert.equal(start.examples.slots!.train, 20, 'the replay buffer: 20 slots examples');
    const moved = [...old.heads.get('slots')!].some(([k, t]) => values(t).join() !== values(replayed.heads.get('slots')!.get(k)!).join());
    assert.ok(moved, 'with rehearsal the slots head trains');
  });

  it("EWC holds the weights that mattered to the earlier tasks: its penalty λ/2 Σ F (θ − θ*)² at the run's end is far below the same run's without it", async () => {
    const ewcSettings = '{ ewc: { lambda: 10000000, examples: 16 } }';
    await train(await writeStage2('no-ewc', 'null'));
    await train(await writeStage2('ewc', ewcSettings));
    const probe = await setUpRun(await writeStage2('probe', ewcSettings), {}, silentLogger); // θ* and F as the EWC run had them
    using model = probe.model;
    using ewc = probe.ewc!;
    const penaltyOf = (dir: string) => {
      using c = loadCheckpoint(file(dir, 'last'), { optimizer: false });
      loadModelWeights(model, c);
      return ewc.penalty();
    };
    const [without, withEwc] = [penaltyOf('no-ewc'), penaltyOf('ewc')];
    assert.ok(without > 0 && withEwc < 0.5 * without, `penalty at the end: ${withEwc} with EWC, ${without} without`);
  });

  it('resumes a continual run with EWC bit for bit', async () => {
    const config = await writeStage2('whole', '{ rehearsal: { examples: 20 }, ewc: { lambda: 100, examples: 8 } }');
    await train(config);
    const paused = await writeStage2('paused', '{ rehearsal: { examples: 20 }, ewc: { lambda: 100, examples: 8 } }');
    assert.equal((await train(paused, { stopAtStep: 4 })).status, 'paused');
    assert.equal((await train(paused, { resume: true })).status, 'completed');
    for (const f of ['model.safetensors', 'optimizer.safetensors'])
      assert.ok(readFileSync(file('paused', 'last', f)).equals(readFileSync(file('whole', 'last', f))), `${f} differs`);
  });
});
