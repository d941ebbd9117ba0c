/** `mtl compare` end to end on the tiny run (two strategies and the single-task baselines, a few steps each), and single-task configs. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { compare, type CompareResult } from '../../src/experiments/compare.js';
import { singleTaskConfig } from '../../src/experiments/single-task.js';
import { needsTinyRunData, tinyConfig, tinyRun, tinyYaml, type RunFolder } from '../train/trainer-fixture.js';

const baseline = liveTensorCount();
let run: RunFolder;
let result: CompareResult;
let file: string;
const logs: string[] = [];

const COMPARE = `base: base.yaml
output_dir: cmp
strategies:
  - name: equal
    description: equal weights
  - name: pcgrad
    set: { training: { surgery: { method: pcgrad, parameters: encoder.encoder.layer.1 } } }
`;

/** The tiny run's SNIPS and SST-2 samples; every test of the run is skipped without them. */
const data = needsTinyRunData();
before(async () => {
  if (data.skip) return;
  run = tinyRun();
  const training = '  max_steps: 4\n  batch_size: 16\n  learning_rate: 2.0e-3\n  eval_every: 4\n  log_every: 2\n  task_schedule: joint';
  writeFileSync(path.join(run.dir, 'base.yaml'), tinyYaml('unused', { training }));
  file = path.join(run.dir, 'compare.yaml');
  writeFileSync(file, COMPARE);
  result = await compare(file, { logger: { info: (l) => logs.push(l) } });
});

after(() => {
  if (data.skip) return;
  run.remove();
  assert.equal(liveTensorCount(), baseline, 'every tensor of the runs is freed');
});

describe('compare', data, () => {
  it('trains each task alone and each strategy, with one shared vocabulary', () => {
    assert.deepEqual(
      result.runs.map((r) => r.name),
      ['single-intent', 'single-slots', 'single-sentiment', 'equal', 'pcgrad'],
    );
    assert.deepEqual(Object.keys(result.runs[1]!.tasks), ['slots']);
    const tokenizer = path.join(run.dir, 'cmp', 'tokenizer.json');
    assert.ok(existsSync(tokenizer), 'the vocabulary is learned once');
    for (const dir of ['equal', 'pcgrad', 'single-task/intent']) {
      const saved = readFileSync(path.join(run.dir, 'cmp', dir, 'best', 'training_config.yaml'), 'utf8');
      assert.ok(saved.includes(`path: ${tokenizer}`), `${dir} reads the shared tokenizer`);
    }
    assert.ok(
      logs.some((l) => l.includes('[pcgrad] strategy: joint schedule, static loss weighting, pcgrad on')),
      'the strategy is logged',
    );
  });

  it('writes the table as Markdown and JSON, with Δ = mean relative improvement over the single-task runs', () => {
    const md = readFileSync(result.markdownFile, 'utf8');
    assert.match(md, /^\| strategy \| intent accuracy \| slots f1 \| sentiment accuracy \| average \| Δ vs single-task \(%\) \|/);
    assert.match(md, /^\| pcgrad \| /m);
    const json = JSON.parse(readFileSync(result.jsonFile, 'utf8')) as CompareResult;
    const byName = new Map(json.runs.map((r) => [r.name, r]));
    const equal = json.table.rows.find((r) => r.name === 'equal')!;
    const tasks = ['intent', 'slots', 'sentiment'];
    const relative = tasks.map((t) => {
      const b = byName.get(`single-${t}`)!.tasks[t]!.value;
      return (byName.get('equal')!.tasks[t]!.value - b) / b;
    });
    const delta = (100 * relative.reduce((a, b) => a + b, 0)) / 3;
    assert.ok(Math.abs(equal.delta!.mean - delta) < 1e-9, `Δ ${equal.delta!.mean} vs ${delta}`);
    assert.equal(equal.description, 'equal weights');
    assert.equal(equal.cost.trainableParameters, byName.get('equal')!.trainableParameters);
    assert.ok(equal.cost.wallSeconds.mean > 0, 'wall time recorded');
    for (const r of json.runs) {
      const cpu = r.cpuSeconds!;
      assert.ok(cpu > 0 && cpu <= r.wallSeconds * availableParallelism() + 0.05, `${r.name}: ${cpu} CPU s in ${r.wallSeconds} s`);
    }
    assert.equal(equal.cost.encoderPasses, 1, 'one multi-task model: one encoder pass per request');
    const single = json.table.rows.find((r) => r.name === 'single-task')!;
    assert.equal(single.cost.encoderPasses, 3, 'three single-task models: three passes');
    const cpuOf = (t: string): number => byName.get(`single-${t}`)!.cpuSeconds!;
    const cpuSum = cpuOf('intent') + cpuOf('slots') + cpuOf('sentiment');
    assert.ok(
      Math.abs(single.cost.cpuSeconds!.mean - cpuSum) < 1e-9,
      `CPU time summed over the models: ${single.cost.cpuSeconds!.mean} vs ${cpuSum}`,
    );
    assert.equal(
      single.cost.parameters,
      tasks.reduce((n, t) => n + byName.get(`single-${t}`)!.parameters, 0),
    );
    assert.deepEqual(byName.get('equal')!.examplesPerTask, { intent: 64, slots: 64, sentiment: 64 }, '4 joint steps of 16 per stream');
  });

  it('mtl compare reuses finished runs and prints the table', async () => {
    const printed: string[] = [];
    const log = mock.method(console, 'log', (line: string) => printed.push(String(line)));
    try {
      assert.equal(await main(['compare', file, '--quiet']), 0);
    } finally {
      log.mock.restore();
    }
    assert.ok(
      printed.some((l) => l.includes('| equal |')),
      'the table is printed',
    );
    const again = JSON.parse(readFileSync(result.jsonFile, 'utf8')) as CompareResult;
    assert.deepEqual(again.runs, result.runs, 'the runs were reused, not retrained');
  });

  it('trains a run again when its config changed since its compare_run.json', async () => {
    const changed = path.join(run.dir, 'changed.yaml');
    writeFileSync(changed, COMPARE.replace('    description: equal weights', '    set: { training: { max_steps: 2 } }'));
    const lines: string[] = [];
    const second = await compare(changed, { logger: { info: (l) => lines.push(l) } });
    assert.ok(
      lines.some((l) => l.includes('equal: ') && l.includes('trained with another config')),
      'the changed run is retrained',
    );
    assert.ok(
      lines.some((l) => l.includes('pcgrad: reusing')),
      'the unchanged run is reused',
    );
    assert.equal(second.runs.find((r) => r.name === 'equal')?.steps, 2);
  });

  it('names the strategy whose overrides make an invalid config, before training', async () => {
    const bad = path.join(run.dir, 'bad.yaml');
    writeFileSync(
      bad,
      COMPARE.replace('output_dir: cmp', 'output_dir: cmp-bad').replace(
        '{ training: { surgery:',
        '{ training: { task_schedule: alternating, surgery:',
      ),
    );
    await assert.rejects(compare(bad), /strategies\[1\] 'pcgrad'[\s\S]*set training\.task_schedule: joint/);
    assert.ok(!existsSync(path.join(run.dir, 'cmp-bad', 'equal')), 'nothing was trained');
  });

  it('refuses a strategy that sets its own seed, and a task named twice in single_task', async () => {
    const seeded = path.join(run.dir, 'strategy-seed.yaml');
    writeFileSync(
      seeded,
      COMPARE.replace('output_dir: cmp', 'output_dir: cmp-bad').replace('description: equal weights', 'set: { seed: 7 }'),
    );
    await assert.rejects(compare(seeded), /strategies\[0\] 'equal': set\.seed: every arm trains with the comparison's seeds/);
    const twice = path.join(run.dir, 'single-twice.yaml');
    writeFileSync(twice, COMPARE.replace('output_dir: cmp', 'output_dir: cmp-bad\nsingle_task: [sentiment, intent, sentiment]'));
    await assert.rejects(compare(twice), /single_task names sentiment more than once/);
    assert.ok(!existsSync(path.join(run.dir, 'cmp-bad', 'equal')), 'nothing was trained');
  });
});

const SEEDS = `base: budget.yaml
output_dir: cmp-seeds
seeds: [1, 2]
budget: { examples_per_task: 160 }
single_task: [sentiment]
strategies:
  - name: joint
`;

describe('compare over seeds with a budget in examples per task', data, () => {
  let seeded: CompareResult;
  let seedsFile: string;
  before(async () => {
    if (data.skip) return;
    const training =
      '  max_steps: 4\n  batch_size: 16\n  learning_rate: 2.0e-3\n  eval_every: 1000\n  log_every: 1\n  task_schedule: joint';
    writeFileSync(path.join(run.dir, 'budget.yaml'), tinyYaml('unused', { training }));
    seedsFile = path.join(run.dir, 'seeds.yaml');
    writeFileSync(seedsFile, SEEDS);
    seeded = await compare(seedsFile);
  });
  const lossesOf = (dir: string): number[] =>
    readFileSync(path.join(run.dir, 'cmp-seeds', dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; loss?: number })
      .filter((r) => r.type === 'train' && r.loss !== undefined)
      .map((r) => r.loss!);

  it('trains each arm once per seed, in seed-<s> folders, and the seeds give distinct runs', () => {
    assert.deepEqual(
      seeded.runs.map((r) => `${r.name}@${r.seed}`),
      ['single-sentiment@1', 'single-sentiment@2', 'joint@1', 'joint@2'],
    );
    for (const dir of ['joint/seed-1', 'joint/seed-2', 'single-task/sentiment/seed-2']) {
      const saved = readFileSync(path.join(run.dir, 'cmp-seeds', dir, 'best', 'training_config.yaml'), 'utf8');
      assert.match(saved, new RegExp(`^seed: ${dir.slice(-1)}$`, 'm'), `${dir} trains with its seed`);
    }
    const [one, two] = [lossesOf('joint/seed-1'), lossesOf('joint/seed-2')];
    assert.equal(one.length, two.length);
    assert.notDeepEqual(one, two, 'seed 1 and seed 2 train differently');
  });

  it('respects the budget in examples: 2 epochs of the 80 SST-2 sentences alone are exactly 160; every task of the joint run sees 160 within a batch', () => {
    const alone = seeded.runs.filter((r) => r.name === 'single-sentiment');
    for (const r of alone) assert.deepEqual(r.examplesPerTask, { sentiment: 160 });
    for (const r of seeded.runs.filter((x) => x.name === 'joint')) {
      for (const task of ['intent', 'slots', 'sentiment']) {
        const seen = r.examplesPerTask[task]!;
        assert.ok(seen > 160 - 16 && seen < 160 + 2 * 16, `${task} saw ${seen} examples (seed ${r.seed})`);
      }
      assert.equal(r.examplesPerTask.intent, r.examplesPerTask.slots, 'intent and slots read one stream');
      assert.ok(r.steps >= alone[0]!.steps, 'the joint run needs at least the steps of SST-2 alone');
    }
  });

  it('tables the arms over the seeds, paired with the baseline of sentiment', () => {
    const { table } = seeded;
    assert.deepEqual(table.seeds, [1, 2]);
    assert.deepEqual(table.baselineTasks, ['sentiment']);
    const joint = table.rows.find((r) => r.name === 'joint')!;
    const values = seeded.runs.filter((r) => r.name === 'joint').map((r) => r.tasks.sentiment!.value);
    const baselines = seeded.runs.filter((r) => r.name === 'single-sentiment').map((r) => r.tasks.sentiment!.value);
    assert.deepEqual(joint.values.sentiment!.values, values);
    assert.deepEqual(
      joint.differences.sentiment!.values,
      values.map((v, i) => v - baselines[i]!),
    );
    assert.equal(joint.differences.intent, null, 'intent has no baseline');
    const md = readFileSync(seeded.markdownFile, 'utf8');
    assert.match(md, /^Seeds 1, 2: /m);
    assert.match(md, /\| sentiment − single-task \(points\) \|/);
    const json = JSON.parse(readFileSync(seeded.jsonFile, 'utf8')) as { table: { seeds: number[] }; budget: unknown; seeds?: unknown };
    assert.deepEqual(json.table.seeds, [1, 2]);
    assert.equal(json.seeds, undefined, 'the seeds are written once, in the table');
    assert.deepEqual(json.budget, { examplesPerTask: 160 });
  });

  it('mtl compare --seeds picks seeds (reusing their runs); a bad list is a usage error', async () => {
    const printed: string[] = [];
    const log = mock.method(console, 'log', (line: string) => printed.push(String(line)));
    const error = mock.method(console, 'error', (line: string) => printed.push(String(line)));
    try {
      assert.equal(await main(['compare', seedsFile, '--seeds', '2', '--quiet']), 0);
      assert.equal(await main(['compare', seedsFile, '--seeds', '1,1']), 2);
    } finally {
      log.mock.restore();
      error.mock.restore();
    }
    const json = JSON.parse(readFileSync(path.join(run.dir, 'cmp-seeds', 'compare.json'), 'utf8')) as CompareResult;
    assert.deepEqual(
      json.runs.map((r) => r.seed),
      [2, 2],
    );
    assert.deepEqual(
      json.runs,
      seeded.runs.filter((r) => r.seed === 2),
      'the seed-2 runs were reused',
    );
    assert.ok(printed.some((l) => l.includes('--seeds must name each seed once')));
  });
});

describe('single-task configs (--single-task)', data, () => {
  it('keep one task, weight 1, without strategy, in <output_dir>/single-task/<name>', () => {
    const config = tinyConfig(run, 'multi', {
      training: '  max_steps: 4\n  task_schedule: joint\n  weighting: { method: dwa }\n  early_stopping: { metric: intent.accuracy }',
    });
    const single = singleTaskConfig(config, 'sentiment');
    assert.deepEqual(
      single.tasks.map((t) => [t.name, t.weight]),
      [['sentiment', 1]],
    );
    assert.equal(single.outputDir, path.join(run.dir, 'multi', 'single-task', 'sentiment'));
    assert.deepEqual(single.training.weighting, { method: 'static' });
    assert.equal(single.training.earlyStopping?.metric, 'average');
    assert.equal(singleTaskConfig(config, 'intent').training.earlyStopping?.metric, 'intent.accuracy');
    assert.throws(() => singleTaskConfig(config, 'sentimnet'), /no task 'sentimnet'; did you mean 'sentiment'\?/);
  });
});
