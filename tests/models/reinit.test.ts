/**
 * `encoder.reinit_layers: N` (Zhang et al. 2021): the top N layers of a pre-trained encoder are drawn
 * afresh as a new model's (matrices N(0, initializer_range²), biases 0, LayerNorm weights 1), the
 * layers below and the embeddings keep the folder's weights, the draws repeat under the same seed,
 * and the key is refused where it means nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadHfWeights } from '../../src/io/hf-weights.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { reinitTopLayers } from '../../src/models/reinit.js';
import { modelFromPretrained } from '../../src/run/load-model.js';
import { taskSpec, taskTypes } from '../../src/tasks/index.js';
import { manualSeed, type Tensor } from '../../src/tensor/index.js';
import { writeHfFolder } from '../helpers/hf-folder.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-reinit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const folder = writeHfFolder(path.join(dir, 'bert'), 'bert', 'vocab.txt');
const spec = taskSpec({ name: 'topic', kind: 'sequence-classification', labels: ['a', 'b'], options: {} });

/** The model's backbone parameters as plain arrays, by name; and the names in the top `n` layers. */
function load(reinitLayers: number, seed = 7): { params: Map<string, number[]>; top: Set<string>; std: number; layers: number } {
  manualSeed(seed);
  using model = modelFromPretrained(folder, [spec], { reinitLayers });
  const layers = model.backbone.layers();
  const topTensors = new Set<Tensor>(layers.slice(layers.length - reinitLayers).flatMap((l) => [...l.parameters()]));
  const params = new Map<string, number[]>();
  const top = new Set<string>();
  for (const [name, t] of model.backbone.stateDict()) {
    params.set(name, (t.flatten().toArray() as number[]).slice());
    if (topTensors.has(t)) top.add(name);
  }
  return { params, top, std: model.backbone.config.initializerRange, layers: layers.length };
}

describe('encoder.reinit_layers', () => {
  const saved = new Map<string, number[]>();
  {
    const { tensors } = loadHfWeights(folder);
    for (const [name, t] of tensors) {
      saved.set(name.replace(/^bert\./, ''), t.flatten().toArray() as number[]);
      t.dispose();
    }
  }

  it('draws the top layer afresh (biases 0, LayerNorm weights 1, matrices N(0, σ²)) and keeps every other weight', () => {
    const { params, top, std } = load(1);
    assert.ok(top.size > 0);
    for (const [name, values] of params) {
      const original = saved.get(name);
      if (!top.has(name)) {
        if (original !== undefined) assert.deepEqual(values, original, `${name} is the folder's`);
        continue;
      }
      if (name.endsWith('bias'))
        assert.ok(
          values.every((v) => v === 0),
          `${name}: zeros`,
        );
      else if (/LayerNorm\.weight$/.test(name))
        assert.ok(
          values.every((v) => v === 1),
          `${name}: ones`,
        );
      else {
        assert.notDeepEqual(values, original, `${name} is drawn afresh`);
        const mean = values.reduce((a, v) => a + v, 0) / values.length;
        const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
        assert.ok(Math.abs(mean) < 4 * (std / Math.sqrt(values.length)) + 1e-3, `${name}: mean ${mean}`);
        assert.ok(Math.abs(sd - std) < 0.2 * std, `${name}: standard deviation ${sd} vs initializer_range ${std}`);
      }
    }
  });

  it('repeats under the same seed and differs under another; 0 leaves the folder as it is', () => {
    const a = load(1, 7).params;
    const b = load(1, 7).params;
    const c = load(1, 8);
    assert.deepEqual([...a], [...b]);
    assert.notDeepEqual([...a], [...c.params]);
    const none = load(0).params;
    for (const [name, values] of none) if (saved.has(name)) assert.deepEqual(values, saved.get(name), name);
  });

  it('refuses more layers than the encoder has, and the key without encoder.from', () => {
    manualSeed(1);
    using model = modelFromPretrained(folder, [spec]);
    const n = model.backbone.layers().length;
    assert.throws(() => reinitTopLayers(model.backbone, n + 1), new RegExp(`encoder.reinit_layers: expected an integer from 0 to ${n}`));
    const text = `output_dir: out
tokenizer: { train: { vocab_size: 100 } }
encoder: { reinit_layers: 1 }
tasks:
  - { name: mlm, type: masked-lm, data: { format: wordnet } }
training: { max_steps: 1 }
`;
    assert.throws(
      () => parseTrainingConfig(text, { taskTypes, checkFiles: false }),
      /encoder\.reinit_layers.*'reinit_layers' applies only beside 'from'/s,
    );
  });
});
