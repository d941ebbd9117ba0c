import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import {
  CHECKPOINT_FILES,
  appendMetrics,
  checkpointPaths,
  copyCheckpoint,
  inspectCheckpoint,
  loadCheckpoint,
  readMetrics,
  saveCheckpoint,
  type CheckpointContents,
  type TaskRecord,
  type TrainerState,
} from '../../src/io/checkpoint.js';
import { loadTrainingConfig, parseTrainingConfig, trainingConfigToYaml } from '../../src/io/config/index.js';
import { openSafetensors } from '../../src/io/safetensors.js';
import { createTaskSampler } from '../../src/mtl/samplers/index.js';
import { BertModel, bertConfig, bertConfigFromHf, bertConfigToHf } from '../../src/models/bert/index.js';
import { Linear } from '../../src/nn/index.js';
import { dispose, liveTensorCount, manualSeed, onesLike, type Tensor } from '../../src/tensor/index.js';
import { Tokenizer, buildBertTokenizer } from '../../src/tokenization/index.js';
import { AdamW } from '../../src/optim/adamw.js';
import type { OptimizerStateJson } from '../../src/optim/optimizer.js';
import { taskTypes } from '../../src/tasks/index.js';
import { needsExampleData } from '../helpers/datasets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TINY = { vocabSize: 99, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 37 };
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'play', '##ing', 'music', 'the', 'book', 'a', 'flight', 'to', 'paris', '!'];
const TASKS: TaskRecord[] = [
  { name: 'intent', type: 'sequence-classification', labels: ['PlayMusic', 'BookFlight', 'Other'] },
  { name: 'slots', type: 'token-classification', labels: ['O', 'B-city', 'I-city', 'B-artist', 'I-artist'] },
];

let root: string;
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'mtl-checkpoint-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

let runCount = 0;
/** A fresh run folder under the temporary root. */
const freshRun = (): string => path.join(root, `run-${runCount++}`);

/** A tiny model of two tasks with an optimizer that has taken one step: everything a checkpoint holds. */
class Fixture implements Disposable {
  readonly bert = new BertModel(bertConfig(TINY));
  readonly heads = new Map([
    ['intent', new Linear(32, 3)],
    ['slots', new Linear(32, 5)],
  ]);
  readonly tokenizer = buildBertTokenizer(VOCAB);
  readonly optimizer: AdamW;
  readonly sampler = createTaskSampler({ kind: 'temperature', temperature: 2 }, [100, 300], 7);

  constructor() {
    const params = [...this.bert.parameters(), ...[...this.heads.values()].flatMap((h) => h.parameters())];
    this.optimizer = new AdamW(params, { lr: 1e-3 });
    for (const p of params) {
      const g = onesLike(p);
      p.grad = g;
      g.dispose();
    }
    this.optimizer.step();
    this.optimizer.zeroGrad();
    for (let i = 0; i < 5; i++) this.sampler.next();
  }

  trainerState(step: number): TrainerState {
    return {
      step,
      epoch: step / 10,
      seed: 42,
      bestMetric: 0.5,
      bestStep: step,
      sampler: this.sampler.state() as never,
      batcher: { offsets: [3, 4] },
      rng: { seed: 42 },
      scheduler: null,
      earlyStopping: { badEvaluations: 1 },
      optimizer: null,
    };
  }

  /** The contents of a checkpoint at `step`; the caller disposes `optimizerTensors`. */
  contents(step: number): CheckpointContents & { optimizerTensors: Record<string, Tensor> } {
    const { json, tensors } = this.optimizer.stateDict();
    return {
      encoderConfig: bertConfigToHf(this.bert.config),
      encoder: this.bert.stateDict(),
      heads: new Map([...this.heads].map(([name, head]) => [name, head.stateDict()])),
      tokenizer: this.tokenizer,
      tasks: TASKS,
      trainerState: { ...this.trainerState(step), optimizer: json as never },
      optimizerTensors: tensors,
    };
  }

  /** Saves a checkpoint at `step` into `dir`. */
  save(dir: string, step: number, extra: Partial<CheckpointContents> = {}): void {
    const contents = this.contents(step);
    try {
      saveCheckpoint(dir, { ...contents, ...extra });
    } finally {
      dispose(Object.values(contents.optimizerTensors));
    }
  }

  [Symbol.dispose](): void {
    this.optimizer.dispose();
    this.bert.dispose();
    for (const h of this.heads.values()) h.dispose();
  }
}

const values = (t: Tensor): number[] => Array.from(t.dataSync() as Float32Array);

function assertSameTensors(
  got: ReadonlyMap<string, Tensor> | Record<string, Tensor>,
  want: ReadonlyMap<string, Tensor> | Record<string, Tensor>,
): void {
  const g = got instanceof Map ? got : new Map(Object.entries(got));
  const w = want instanceof Map ? want : new Map(Object.entries(want));
  assert.deepEqual([...g.keys()].sort(), [...w.keys()].sort());
  for (const [k, t] of w) {
    assert.deepEqual(g.get(k)!.shape, t.shape, k);
    assert.deepEqual(values(g.get(k)!), values(t), k);
  }
}

/** Names in the run folder other than the checkpoint and metrics: leftovers of a save. */
const leftovers = (run: string): string[] => readdirSync(run).filter((n) => n.startsWith('.'));

describe('checkpoint round trip', () => {
  it(
    'saves and loads encoder, heads, tokenizer, tasks, trainer and sampler state, optimizer, config and metrics',
    needsExampleData('snips'),
    async () => {
      manualSeed(0);
      const baseline = liveTensorCount();
      const run = freshRun();
      const paths = checkpointPaths(run);
      {
        using fx = new Fixture();
        mkdirSync(run, { recursive: true });
        appendMetrics(paths.metrics, { step: 5, 'intent.accuracy': 0.25 });
        appendMetrics(paths.metrics, { step: 10, 'intent.accuracy': 0.5, loss: { intent: 1.25, slots: 2 } });
        const config = loadTrainingConfig(path.join(ROOT, 'examples', 'snips.yaml'), { taskTypes });
        fx.save(paths.last, 10, { trainingConfig: trainingConfigToYaml(config), metricsFile: paths.metrics });

        assert.deepEqual(readdirSync(paths.last).sort(), Object.values(CHECKPOINT_FILES).sort());
        assert.deepEqual(leftovers(run), []);
        const reader = openSafetensors(path.join(paths.last, CHECKPOINT_FILES.model));
        assert.ok(reader.has('embeddings.word_embeddings.weight') && reader.has('encoder.layer.1.output.LayerNorm.bias'));
        assert.ok(reader.has('heads.intent.weight') && reader.has('heads.slots.bias'));
        assert.deepEqual(reader.metadata, { format: 'pt' });
        reader.close();
        const trainerJson = JSON.parse(readFileSync(path.join(paths.last, CHECKPOINT_FILES.trainerState), 'utf8'));
        assert.equal(trainerJson.global_step, 10);
        assert.equal(trainerJson.optimizer.optimizer, 'AdamW');

        using ckpt = loadCheckpoint(paths.last);
        // encoder: a model rebuilt from config.json takes the saved weights
        const rebuilt = new BertModel(bertConfigFromHf(ckpt.encoderConfig));
        rebuilt.loadStateDict(ckpt.encoder);
        assertSameTensors(rebuilt.stateDict(), fx.bert.stateDict());
        rebuilt.dispose();
        for (const [name, head] of fx.heads) assertSameTensors(ckpt.heads.get(name)!, head.stateDict());
        // tokenizer
        const tok = Tokenizer.fromFile(ckpt.tokenizerFile);
        assert.deepEqual((await tok.encode('playing the music!')).inputIds, (await fx.tokenizer.encode('playing the music!')).inputIds);
        // tasks and trainer state
        assert.deepEqual(ckpt.tasks, TASKS);
        const state = ckpt.trainerState!;
        const { json, tensors } = fx.optimizer.stateDict();
        assert.deepEqual({ ...state, optimizer: null }, { ...fx.trainerState(10), strategy: null, gradScaler: null }); // saved without a strategy or loss-scaler state: read as null
        assert.deepEqual(state.optimizer, JSON.parse(JSON.stringify(json)));
        // the sampler continues where it was
        const resumed = createTaskSampler({ kind: 'temperature', temperature: 2 }, [100, 300], 999);
        resumed.restore(state.sampler as never);
        assert.deepEqual(
          Array.from({ length: 50 }, () => resumed.next()),
          Array.from({ length: 50 }, () => fx.sampler.next()),
        );
        // optimizer: a fresh AdamW over a fresh model takes the saved state
        assertSameTensors(ckpt.optimizerTensors!, tensors);
        dispose(Object.values(tensors));
        const fresh = new BertModel(bertConfig(TINY));
        const freshHeads = [new Linear(32, 3), new Linear(32, 5)];
        const opt = new AdamW([...fresh.parameters(), ...freshHeads.flatMap((h) => h.parameters())]);
        opt.loadStateDict({ json: state.optimizer as unknown as OptimizerStateJson, tensors: ckpt.optimizerTensors! });
        const reloaded = opt.stateDict();
        assert.deepEqual(reloaded.json, json);
        dispose(Object.values(reloaded.tensors));
        opt.dispose();
        fresh.dispose();
        freshHeads.forEach((h) => h.dispose());
        // resolved training config and metrics
        assert.deepEqual(
          parseTrainingConfig(ckpt.trainingConfig!, { taskTypes, source: path.join(paths.last, CHECKPOINT_FILES.trainingConfig) }),
          config,
        );
        assert.deepEqual(ckpt.metrics, readMetrics(paths.metrics));
        assert.equal(ckpt.metrics.length, 2);
      }
      assert.equal(liveTensorCount(), baseline, 'every tensor freed after dispose');
    },
  );

  it('a later save replaces the folder; without trainer state it is an inference export; optimizer: false skips its tensors', () => {
    const run = freshRun();
    const { last } = checkpointPaths(run);
    using fx = new Fixture();
    fx.save(last, 1);
    fx.save(last, 2);
    using second = loadCheckpoint(last, { optimizer: false });
    assert.equal(second.trainerState!.step, 2);
    assert.equal(second.optimizerTensors, null);
    assert.deepEqual(leftovers(run), []);

    fx.save(last, 3, { trainerState: undefined, optimizerTensors: undefined });
    using exported = loadCheckpoint(last);
    assert.equal(exported.trainerState, null);
    assert.equal(exported.optimizerTensors, null);
    assert.equal(exported.trainingConfig, null);
    assert.deepEqual(exported.metrics, []);
    assert.ok(!existsSync(path.join(last, CHECKPOINT_FILES.optimizer)));
  });

  it('copyCheckpoint copies last/ to best/ atomically', () => {
    const run = freshRun();
    const { last, best } = checkpointPaths(run);
    using fx = new Fixture();
    fx.save(last, 4);
    copyCheckpoint(last, best);
    fx.save(last, 5);
    assert.equal(inspectCheckpoint(best).trainerState!.step, 4);
    assert.equal(inspectCheckpoint(last).trainerState!.step, 5);
    copyCheckpoint(last, best);
    assert.equal(inspectCheckpoint(best).trainerState!.step, 5);
    assert.deepEqual(leftovers(run), []);
  });
});

describe('checkpoint atomicity', () => {
  it('a failure in the middle of writing leaves the previous checkpoint loadable and no temporary folder', () => {
    const run = freshRun();
    const { last } = checkpointPaths(run);
    using fx = new Fixture();
    fx.save(last, 1);
    // model.safetensors fails after config.json is written: a head tensor was disposed
    const broken = new Linear(32, 3);
    const heads = new Map([
      ['intent', broken.stateDict()],
      ['slots', fx.heads.get('slots')!.stateDict()],
    ]);
    broken.dispose();
    assert.throws(() => fx.save(last, 2, { heads }), /disposed/);
    // the tokenizer fails after writing part of its file
    const failing = {
      save(file: string) {
        writeFileSync(file, '{"model": {');
        throw new Error('disk full');
      },
    };
    assert.throws(
      () => fx.save(last, 3, { tokenizer: failing }),
      (e: unknown) =>
        e instanceof CheckpointError &&
        /could not write the checkpoint .*disk full.*previous checkpoint there is unchanged/.test(e.message),
    );
    using ckpt = loadCheckpoint(last);
    assert.equal(ckpt.trainerState!.step, 1);
    assert.deepEqual(leftovers(run), []);
  });

  it('after a crash between the two renames, loading reads the previous folder without touching it; the next save cleans up', () => {
    const run = freshRun();
    const { last, best } = checkpointPaths(run);
    using fx = new Fixture();
    fx.save(last, 1);
    // crash after "rename last → .last.previous", before the new folder took its place
    renameSync(last, path.join(run, '.last.previous'));
    mkdirSync(path.join(run, '.last.tmp-1-deadbeef'));
    assert.ok(!existsSync(last));
    {
      using ckpt = loadCheckpoint(last);
      assert.equal(ckpt.trainerState!.step, 1);
      assert.equal(ckpt.dir, path.join(run, '.last.previous'));
      assert.equal(inspectCheckpoint(last).trainerState!.step, 1);
      copyCheckpoint(last, best);
      assert.equal(inspectCheckpoint(best).trainerState!.step, 1);
    }
    assert.deepEqual(leftovers(run).sort(), ['.last.previous', '.last.tmp-1-deadbeef']); // a reader changes nothing
    fx.save(last, 2);
    assert.equal(inspectCheckpoint(last).trainerState!.step, 2);
    assert.deepEqual(leftovers(run), []);
    // crash after the new folder took its place, before the previous one was deleted
    mkdirSync(path.join(run, '.last.previous'));
    using again = loadCheckpoint(last);
    assert.equal(again.trainerState!.step, 2);
    fx.save(last, 3);
    assert.equal(inspectCheckpoint(last).trainerState!.step, 3);
    assert.deepEqual(leftovers(run), []);
  });

  it('contents that cannot make a checkpoint are refused before anything is written', () => {
    const run = freshRun();
    const { last } = checkpointPaths(run);
    using fx = new Fixture();
    fx.save(last, 1);
    const intentOnly = new Map([['intent', fx.heads.get('intent')!.stateDict()]]);
    assert.throws(
      () => fx.save(last, 2, { heads: intentOnly }),
      (e: unknown) => e instanceof ConfigError && /task slots has no head in 'heads'/.test(e.message),
    );
    const extra = new Map([...intentOnly, ['slots', fx.heads.get('slots')!.stateDict()], ['ner', fx.heads.get('slots')!.stateDict()]]);
    assert.throws(() => fx.save(last, 2, { heads: extra }), /there is a head for task 'ner', but the tasks are intent, slots/);
    assert.throws(
      () => fx.save(last, 2, { tasks: [TASKS[0]!, TASKS[0]!] }),
      (e: unknown) => e instanceof CheckpointError && /task name 'intent' appears twice/.test(e.message),
    );
    assert.throws(
      () => fx.save(last, 2, { optimizerTensors: undefined } as never),
      /trainerState.optimizer is set but optimizerTensors is missing/,
    );
    assert.throws(
      () => fx.save(last, 2, { encoder: new Map([['bert.embeddings.x', fx.bert.parameters()[0]!]]) }),
      /not a backbone parameter name/,
    );
    // a tokenizer larger than the embeddings is caught in the temporary folder
    const small = new BertModel(bertConfig({ ...TINY, vocabSize: 12 }));
    assert.throws(
      () => fx.save(last, 2, { encoderConfig: bertConfigToHf(small.config), encoder: small.stateDict() }),
      (e: unknown) => e instanceof CheckpointError && /the tokenizer has 15 tokens but config.json's vocab_size is 12/.test(e.message),
    );
    small.dispose();
    assert.equal(inspectCheckpoint(last).trainerState!.step, 1);
    assert.deepEqual(leftovers(run), []);
  });
});

describe('damaged checkpoints', () => {
  /** A saved checkpoint, damaged by `damage`; returns the message of the CheckpointError that loading throws. */
  function loadDamaged(damage: (dir: string) => void): string {
    const { last } = checkpointPaths(freshRun());
    {
      using fx = new Fixture();
      fx.save(last, 1);
    }
    damage(last);
    const baseline = liveTensorCount();
    try {
      loadCheckpoint(last).dispose();
    } catch (e) {
      assert.ok(e instanceof CheckpointError, String(e));
      assert.equal(liveTensorCount(), baseline, 'no tensor leaked by a failed load');
      return e.message;
    }
    assert.fail('the damaged checkpoint loaded');
  }
  const editJson = (file: string, edit: (json: Record<string, unknown>) => void) => {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    edit(json);
    writeFileSync(file, JSON.stringify(json));
  };

  it('a missing required file', () => {
    assert.match(
      loadDamaged((d) => unlinkSync(path.join(d, 'tasks.json'))),
      /the checkpoint .*last lacks tasks\.json; a checkpoint folder holds config\.json, model\.safetensors, tokenizer\.json, tasks\.json/,
    );
    assert.throws(() => loadCheckpoint(path.join(root, 'nowhere')), /no checkpoint at .*nowhere: the folder does not exist/);
  });

  it('a truncated model.safetensors names the file', () => {
    const message = loadDamaged((d) => {
      const file = path.join(d, CHECKPOINT_FILES.model);
      truncateSync(file, readFileSync(file).length - 100);
    });
    assert.match(message, /model\.safetensors/);
  });

  it('invalid JSON in config.json', () => {
    assert.match(
      loadDamaged((d) => appendFileSync(path.join(d, 'config.json'), '}')),
      /config\.json: not valid JSON .*the file is damaged/,
    );
  });

  it('config.json that disagrees with the tensors', () => {
    const vocab = loadDamaged((d) => editJson(path.join(d, 'config.json'), (j) => (j.vocab_size = 100)));
    assert.match(
      vocab,
      /'embeddings\.word_embeddings\.weight' is \[99, 32\], but config\.json says vocab_size × hidden_size = \[100, 32\]/,
    );
    const layers = loadDamaged((d) => editJson(path.join(d, 'config.json'), (j) => (j.num_hidden_layers = 3)));
    assert.match(layers, /the encoder has 2 layers .*num_hidden_layers = 3/);
    const missing = loadDamaged((d) => editJson(path.join(d, 'config.json'), (j) => delete j.hidden_size));
    assert.match(missing, /config\.json: 'hidden_size' must be a positive integer, got undefined/);
  });

  it('tasks.json that disagrees with the heads', () => {
    const dropped = loadDamaged((d) => editJson(path.join(d, 'tasks.json'), (j) => (j.tasks as unknown[]).pop()));
    assert.match(dropped, /model\.safetensors: tensor 'heads\.slots\.\w+' is a head of task 'slots', which tasks\.json does not list/);
    const added = loadDamaged((d) =>
      editJson(path.join(d, 'tasks.json'), (j) => (j.tasks as unknown[]).push({ name: 'ner', type: 'token-classification' })),
    );
    assert.match(added, /no head tensors \(heads\.<task>\.…\) for task ner of tasks\.json/);
    const tied = loadDamaged((d) =>
      editJson(path.join(d, 'tasks.json'), (j) => ((j.tasks as Record<string, unknown>[]).at(-1)!.head_tensors = false)),
    );
    assert.match(tied, /tasks\.json says the head of slots has no tensors \(head_tensors: false\), but there are heads\.slots\.… tensors/);
    const version = loadDamaged((d) => editJson(path.join(d, 'tasks.json'), (j) => (j.format_version = 9)));
    assert.match(version, /tasks\.json: format_version is 9, this version of multitask-lm reads 1/);
  });

  it('trainer state: a bad field, or optimizer tensors missing or extra', () => {
    const step = loadDamaged((d) => editJson(path.join(d, CHECKPOINT_FILES.trainerState), (j) => (j.global_step = -1)));
    assert.match(step, /trainer_state\.json: 'global_step' must be a non-negative integer \(optimizer steps\), got -1/);
    const gone = loadDamaged((d) => unlinkSync(path.join(d, CHECKPOINT_FILES.optimizer)));
    assert.match(gone, /lacks optimizer\.safetensors, which trainer_state\.json's optimizer state needs/);
    const orphan = loadDamaged((d) => editJson(path.join(d, CHECKPOINT_FILES.trainerState), (j) => (j.optimizer = null)));
    assert.match(orphan, /optimizer\.safetensors is present, but trainer_state\.json has no optimizer state/);
    const noState = loadDamaged((d) => unlinkSync(path.join(d, CHECKPOINT_FILES.trainerState)));
    assert.match(
      noState,
      /optimizer\.safetensors is present, but trainer_state\.json is missing; restore it to resume, or delete optimizer\.safetensors/,
    );
  });

  /** Writes `value` (float32) over the first element of tensor `name` in the safetensors file `file`. */
  const headerOf = (bytes: Buffer) => {
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const entries = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
      string,
      { dtype: string; data_offsets: number[] }
    >;
    return { headerLength, entries };
  };
  const poke = (file: string, name: string, value: number) => {
    const bytes = readFileSync(file);
    const { headerLength, entries } = headerOf(bytes);
    const entry = entries[name];
    assert.ok(entry !== undefined && entry.dtype === 'F32', `${name} is a float32 tensor of ${file}`);
    bytes.writeFloatLE(value, 8 + headerLength + entry.data_offsets[0]!);
    writeFileSync(file, bytes);
  };

  it('weights with NaN or Inf are refused on loading, naming the tensors (predict had answered probability null)', () => {
    const one = loadDamaged((d) => poke(path.join(d, CHECKPOINT_FILES.model), 'encoder.layer.1.output.dense.weight', NaN));
    assert.match(one, /model\.safetensors: 1 tensor holds NaN or Inf values \(encoder\.layer\.1\.output\.dense\.weight\)/);
    const two = loadDamaged((d) => {
      poke(path.join(d, CHECKPOINT_FILES.model), 'embeddings.word_embeddings.weight', Infinity);
      poke(path.join(d, CHECKPOINT_FILES.model), 'pooler.dense.bias', -Infinity);
    });
    assert.match(two, /2 tensors hold NaN or Inf values \(embeddings\.word_embeddings\.weight, pooler\.dense\.bias\)/);
    const moments = loadDamaged((d) => {
      const file = path.join(d, CHECKPOINT_FILES.optimizer);
      const name = Object.keys(headerOf(readFileSync(file)).entries).find((n) => n.endsWith('exp_avg_sq'));
      poke(file, name!, NaN);
    });
    assert.match(moments, /optimizer\.safetensors: 1 tensor holds NaN or Inf values/);
  });

  it('a tokenizer.json with a vocabulary of 200,000 tokens is measured (not spread as arguments) and compared with vocab_size', () => {
    const message = loadDamaged((d) => {
      const file = path.join(d, CHECKPOINT_FILES.tokenizer);
      const json = JSON.parse(readFileSync(file, 'utf8')) as { model: { vocab: Record<string, number> } };
      for (let i = 0; i < 200_000; i++) json.model.vocab[`tok${i}`] = i;
      writeFileSync(file, JSON.stringify(json));
    });
    assert.match(message, /the tokenizer has 200000 tokens but config\.json's vocab_size is 99/);
  });

  it('metrics.jsonl: a bad line names file and line; a torn last line is dropped', () => {
    const dir = freshRun();
    mkdirSync(dir);
    const file = path.join(dir, 'metrics.jsonl');
    appendMetrics(file, { step: 1 });
    appendFileSync(file, '{"step": 2, "loss"');
    assert.deepEqual(readMetrics(file), [{ step: 1 }]);
    appendFileSync(file, '\n{"step": 3}\n');
    assert.throws(() => readMetrics(file), /metrics\.jsonl:2: not a JSON line/);
    assert.throws(
      () => appendMetrics(file, { loss: NaN }),
      (e: unknown) => e instanceof ConfigError && /NaN, which JSON cannot hold/.test(e.message),
    );
  });
});
