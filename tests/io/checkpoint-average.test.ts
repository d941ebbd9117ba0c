import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { AVERAGING_FILE, averageCheckpoints } from '../../src/io/checkpoint-average.js';
import { loadSafetensors } from '../../src/io/safetensors-read.js';
import { cast, liveTensorCount, tensor, tidy, type DType, type Tensor } from '../../src/tensor/index.js';

// Hand-made checkpoints of a "model" of five tensors (the checkpoint layout needs word embeddings of
// vocab_size × hidden_size and one layer), three saves A, B, C. Every expected mean below is worked by
// hand; the comments say why each value is there.
const baseline = liveTensorCount();
const root = mkdtempSync(path.join(tmpdir(), 'mtl-average-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
  assert.equal(liveTensorCount(), baseline, 'every tensor is freed');
});

type Values = Record<string, { dtype: DType; shape: number[]; values: number[] }>;

const A: Values = {
  // (1+2+3)/3 = 2, (2+4+0)/3 = 2, (3+6+0)/3 = 3, (4+8-3)/3 = 3
  'embeddings.word_embeddings.weight': { dtype: 'float32', shape: [2, 2], values: [1, 2, 3, 4] },
  // (2^24 + 1 + 1)/3 = 16777218/3 = 5592406 exactly (a float32: spacing 0.5 in [2^22, 2^23)). Summed in
  // float32, 2^24 + 1 rounds back to 2^24 (ties to even) twice and the mean would be 16777216/3 → 5592405.5.
  // (0.5 + 0.25 + 0.75)/3 = 0.5; (-1 + 2 + 2)/3 = 1
  'encoder.layer.0.output.dense.weight': { dtype: 'float32', shape: [3], values: [2 ** 24, 0.5, -1] },
  // float16: 65504 is its largest finite value; a float16 sum would be inf, the mean is 65504. (0.5 + 1.5 + 1)/3 = 1
  'encoder.layer.0.output.dense.bias': { dtype: 'float16', shape: [2], values: [65504, 0.5] },
  // bfloat16 (8 significant bits): (256 + 1 + 2)/3 = 86.333…, whose nearest bfloat16 is 86.5 (spacing 0.5 in
  // [64, 128)); summed in bfloat16, 256 + 1 rounds to 256 (ties to even), + 2 = 258, /3 = 86. (-2 - 4 + 0)/3 = -2
  'encoder.layer.0.output.LayerNorm.weight': { dtype: 'bfloat16', shape: [2], values: [256, -2] },
  // int64: not averaged, equal in all three, copied
  'embeddings.position_ids': { dtype: 'int64', shape: [1, 2], values: [0, 1] },
  // a head: (0 + 3 + 6)/3 = 3, (1 + 1 + 1)/3 = 1, (-3 + 0 + 0)/3 = -1, (0.125 + 0.125 + 0.25)/3 = 1/6 → float32 0.16666667163372040
  'heads.intent.classifier.weight': { dtype: 'float32', shape: [2, 2], values: [0, 1, -3, 0.125] },
};
const B = withValues(A, {
  'embeddings.word_embeddings.weight': [2, 4, 6, 8],
  'encoder.layer.0.output.dense.weight': [1, 0.25, 2],
  'encoder.layer.0.output.dense.bias': [65504, 1.5],
  'encoder.layer.0.output.LayerNorm.weight': [1, -4],
  'heads.intent.classifier.weight': [3, 1, 0, 0.125],
});
const C = withValues(A, {
  'embeddings.word_embeddings.weight': [3, 0, 0, -3],
  'encoder.layer.0.output.dense.weight': [1, 0.75, 2],
  'encoder.layer.0.output.dense.bias': [65504, 1],
  'encoder.layer.0.output.LayerNorm.weight': [2, 0],
  'heads.intent.classifier.weight': [6, 1, 0, 0.25],
});

function withValues(base: Values, values: Record<string, number[]>): Values {
  return Object.fromEntries(Object.entries(base).map(([k, v]) => [k, { ...v, values: values[k] ?? v.values }]));
}

const CONFIG = { model_type: 'bert', vocab_size: 2, hidden_size: 2, num_hidden_layers: 1, hidden_dropout_prob: 0.1 };
const TOKENIZER = { model: { type: 'WordLevel', vocab: { a: 0, b: 1 }, unk_token: 'a' } };

/** Writes a checkpoint folder `name` under the test folder; returns its path. */
function checkpoint(
  name: string,
  values: Values,
  options: { config?: Record<string, unknown>; labels?: string[]; tokenizer?: unknown; step?: number } = {},
): string {
  const dir = path.join(root, name);
  tidy(() => {
    const made = new Map<string, Tensor>();
    for (const [k, v] of Object.entries(values)) {
      if (v.dtype === 'int64') made.set(k, tensor(BigInt64Array.from(v.values.map(BigInt)), {}, v.shape));
      else made.set(k, cast(tensor(Float64Array.from(v.values), {}, v.shape), v.dtype));
    }
    const heads = new Map([['intent', new Map([...made].filter(([k]) => k.startsWith('heads.')).map(([k, t]) => [k.slice(13), t]))]]);
    saveCheckpoint(dir, {
      encoderConfig: { ...CONFIG, ...options.config },
      encoder: new Map([...made].filter(([k]) => !k.startsWith('heads.'))),
      heads,
      tokenizer: { save: (file) => writeFileSync(file, JSON.stringify(options.tokenizer ?? TOKENIZER)) },
      tasks: [{ name: 'intent', type: 'sequence-classification', labels: options.labels ?? ['no', 'yes'] }],
      trainingConfig: `# run ${name}\n`,
      ...(options.step === undefined
        ? {}
        : {
            trainerState: {
              step: options.step,
              epoch: 1,
              seed: 1,
              bestMetric: null,
              bestStep: null,
              sampler: null,
              batcher: null,
              rng: null,
              scheduler: null,
              earlyStopping: null,
              optimizer: null,
            },
          }),
    });
  });
  return dir;
}

/** Each tensor of a model.safetensors: dtype and values (as float64 numbers, which hold every float16/bfloat16/float32 exactly). */
function read(dir: string): Map<string, { dtype: DType; values: number[] }> {
  const { tensors } = loadSafetensors(path.join(dir, 'model.safetensors'));
  const out = new Map<string, { dtype: DType; values: number[] }>();
  for (const [k, t] of tensors) {
    out.set(k, { dtype: t.dtype, values: tidy(() => (t.dtype === 'int64' ? t : cast(t, 'float64')).toFlatArray() as number[]) });
    t.dispose();
  }
  return out;
}

const a = checkpoint('a', A, { step: 100 });
const b = checkpoint('b', B, { step: 200, config: { hidden_dropout_prob: 0.3 } });
const c = checkpoint('c', C, { step: 300 });

describe('averageCheckpoints', () => {
  it('writes the element-wise mean of three checkpoints, each tensor in its own dtype (hand-worked values)', () => {
    const out = path.join(root, 'avg');
    const r = averageCheckpoints([a, b, c], out);
    assert.deepEqual(
      r.inputs.map((i) => i.step),
      [100, 200, 300],
    );
    assert.equal(r.averaged, 5);
    assert.equal(r.copied, 1);
    const got = read(out);
    const want: Record<string, [DType, number[]]> = {
      'embeddings.word_embeddings.weight': ['float32', [2, 2, 3, 3]],
      'encoder.layer.0.output.dense.weight': ['float32', [5592406, 0.5, 1]],
      'encoder.layer.0.output.dense.bias': ['float16', [65504, 1]],
      'encoder.layer.0.output.LayerNorm.weight': ['bfloat16', [86.5, -2]],
      'embeddings.position_ids': ['int64', [0, 1]],
      'heads.intent.classifier.weight': ['float32', [3, 1, -1, Math.fround(1 / 6)]],
    };
    assert.deepEqual([...got.keys()].sort(), Object.keys(want).sort());
    for (const [name, [dtype, values]] of Object.entries(want)) {
      assert.equal(got.get(name)?.dtype, dtype, name);
      assert.deepEqual(got.get(name)?.values, values, name);
    }
  });

  it('writes a checkpoint for inference: the last input’s small files, averaging.json, no trainer or optimizer state', () => {
    const out = path.join(root, 'avg');
    assert.deepEqual(readdirSync(out).sort(), [
      AVERAGING_FILE,
      'config.json',
      'model.safetensors',
      'tasks.json',
      'tokenizer.json',
      'training_config.yaml',
    ]);
    assert.equal(readFileSync(path.join(out, 'training_config.yaml'), 'utf8'), '# run c\n');
    const record = JSON.parse(readFileSync(path.join(out, AVERAGING_FILE), 'utf8')) as { checkpoints: { dir: string; step: number }[] };
    assert.deepEqual(
      record.checkpoints.map((x) => [path.basename(x.dir), x.step]),
      [
        ['a', 100],
        ['b', 200],
        ['c', 300],
      ],
    );
  });

  it('averages two: (A + B)/2, and one: a copy of its weights', () => {
    const two = read(averageCheckpoints([a, b], path.join(root, 'avg2')).output);
    // (1+2)/2, (2+4)/2, (3+6)/2, (4+8)/2; (2^24 + 1)/2 = 8388608.5 (float32 spacing 1 in [2^23, 2^24): ties to even → 8388608)
    assert.deepEqual(two.get('embeddings.word_embeddings.weight')?.values, [1.5, 3, 4.5, 6]);
    assert.deepEqual(two.get('encoder.layer.0.output.dense.weight')?.values, [8388608, 0.375, 0.5]);
    const one = read(averageCheckpoints([c], path.join(root, 'avg1')).output);
    assert.deepEqual(one.get('embeddings.word_embeddings.weight')?.values, [3, 0, 0, -3]);
  });

  it('refuses checkpoints that differ in tensor names, shapes or dtypes, naming the file and the tensor', () => {
    const missing = { ...C };
    delete (missing as Record<string, unknown>)['encoder.layer.0.output.dense.bias'];
    const m = checkpoint('missing', missing);
    assert.throws(
      () => averageCheckpoints([a, m], path.join(root, 'x')),
      /missing[/\\]model\.safetensors: has no tensor 'encoder\.layer\.0\.output\.dense\.bias', which .*a[/\\]model\.safetensors has/,
    );
    assert.throws(
      () => averageCheckpoints([m, a], path.join(root, 'x')),
      /a[/\\]model\.safetensors: has tensor 'encoder\.layer\.0\.output\.dense\.bias', which .*missing[/\\]model\.safetensors has not/,
    );
    const shape = checkpoint('shape', {
      ...C,
      'encoder.layer.0.output.dense.weight': { dtype: 'float32', shape: [1, 3], values: [1, 2, 3] },
    });
    assert.throws(
      () => averageCheckpoints([a, shape], path.join(root, 'x')),
      /shape[/\\]model\.safetensors: tensor 'encoder\.layer\.0\.output\.dense\.weight' is \[1, 3\], but \[3\] in /,
    );
    const dtype = checkpoint('dtype', { ...C, 'encoder.layer.0.output.dense.bias': { dtype: 'float32', shape: [2], values: [1, 2] } });
    assert.throws(
      () => averageCheckpoints([a, dtype], path.join(root, 'x')),
      /dtype[/\\]model\.safetensors: tensor 'encoder\.layer\.0\.output\.dense\.bias' is float32, but float16 in /,
    );
    assert.ok(!existsSync(path.join(root, 'x')), 'nothing written');
  });

  it('refuses non-float tensors that differ, and a different architecture, tasks or tokenizer; dropout may differ', () => {
    const ids = checkpoint('ids', { ...C, 'embeddings.position_ids': { dtype: 'int64', shape: [1, 2], values: [1, 0] } });
    assert.throws(
      () => averageCheckpoints([a, ids], path.join(root, 'x')),
      /ids[/\\]model\.safetensors: tensor 'embeddings\.position_ids' \(int64\) differs from .*a[/\\]model\.safetensors's; tensors that are not floating point are not averaged/,
    );
    const act = checkpoint('act', C, { config: { hidden_act: 'relu' } });
    assert.throws(
      () => averageCheckpoints([a, act], path.join(root, 'x')),
      /act[/\\]config\.json: 'hidden_act' is "relu", but \(unset\) in .*a[/\\]config\.json; only checkpoints of one architecture/,
    );
    const labels = checkpoint('labels', C, { labels: ['yes', 'no'] });
    assert.throws(() => averageCheckpoints([a, labels], path.join(root, 'x')), /labels[/\\]tasks\.json: the tasks .* differ from/);
    const tok = checkpoint('tok', C, { tokenizer: { model: { type: 'WordLevel', vocab: { b: 0, a: 1 }, unk_token: 'a' } } });
    assert.throws(() => averageCheckpoints([a, tok], path.join(root, 'x')), /tok[/\\]tokenizer\.json differs from .*a[/\\]tokenizer\.json/);
    assert.ok(!existsSync(path.join(root, 'x')), 'nothing written');
  });

  it('never replaces an input, refuses an input given twice, and an existing output without overwrite', () => {
    const before = readFileSync(path.join(a, 'model.safetensors'));
    assert.throws(() => averageCheckpoints([a, b], a), /the output .*a is the input .*a; write the average to a new folder/);
    assert.throws(() => averageCheckpoints([a, b], root), /the output .* holds the input .*a;/);
    assert.ok(readFileSync(path.join(a, 'model.safetensors')).equals(before), 'the input is unchanged');
    assert.throws(() => averageCheckpoints([a, path.join(a, '.')], path.join(root, 'x')), /is given twice/);
    assert.throws(() => averageCheckpoints([], path.join(root, 'x')), /at least one checkpoint/);
    assert.throws(() => averageCheckpoints([a, b], path.join(root, 'avg')), /the output .*avg exists; pass --overwrite/);
    const r = averageCheckpoints([a, b], path.join(root, 'avg'), { overwrite: true });
    assert.deepEqual(
      r.inputs.map((i) => i.step),
      [100, 200],
    );
    assert.deepEqual(read(path.join(root, 'avg')).get('embeddings.word_embeddings.weight')?.values, [1.5, 3, 4.5, 6]);
  });
});
