/**
 * `mtl export`: a tiny trained checkpoint written as Transformers folders, each loaded strictly
 * (every name and shape, nothing missing or left over) into a Transformers-layout model in Python
 * torch (modeling_bert.py's modules, bench/peer/bert.py) whose outputs must equal ours.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { noGrad, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { exportHf } from '../../src/export/hf.js';
import { modelFromCheckpoint } from '../../src/run/load-model.js';
import { needsTinyRunData, tinyRun, trainTiny, type RunFolder } from '../train/trainer-fixture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let run: RunFolder;
let best: string;
const out = (name: string) => path.join(run.dir, 'exported', name);

/** The tiny run's SNIPS and SST-2 samples; every test of the run is skipped without them. */
const data = needsTinyRunData();
before(async () => {
  if (data.skip) return;
  run = tinyRun();
  best = await trainTiny(run, path.join(run.dir, 'export-run'), 4);
});
after(() => {
  if (data.skip) return;
  run.remove();
});

/** Two inputs, the second padded: ids (2, 6) and mask. */
const IDS = [
  [2, 40, 41, 42, 43, 3],
  [2, 50, 51, 3, 0, 0],
];
const MASK = IDS.map((row, i) => row.map((_, j) => (i === 1 && j >= 4 ? 0 : 1)));

/**
 * The exported folder's outputs on IDS/MASK from Python: the model of its config.json's
 * `architectures`, built from modeling_bert.py's modules and loaded with strict=True.
 */
function pythonOutputs(folder: string): { hidden?: number[][][]; pooled?: number[][]; logits?: number[][] | number[][][] } {
  const script = `
import json, sys, torch
from torch import nn
sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'bench', 'peer'))})
from bert import BertEmbeddings, BertEncoder, BertPooler, load_safetensors
folder, ids, mask = sys.argv[1], torch.tensor(json.loads(sys.argv[2])), torch.tensor(json.loads(sys.argv[3]))
c = json.load(open(folder + "/config.json"))
arch = c["architectures"][0]

class Bert(nn.Module):  # BertModel(config, add_pooling_layer)
    def __init__(self, pool):
        super().__init__()
        self.embeddings, self.encoder = BertEmbeddings(c), BertEncoder(c)
        if pool:
            self.pooler = BertPooler(c)
    def forward(self):
        x = self.embeddings(ids)
        ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        h = self.encoder(x, ext)
        return h, (self.pooler(h) if hasattr(self, "pooler") else None)

class WithHead(nn.Module):  # BertForSequenceClassification / BertForTokenClassification
    def __init__(self, pool):
        super().__init__()
        self.bert = Bert(pool)
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.classifier = nn.Linear(c["hidden_size"], len(c["id2label"]))

m = Bert(True) if arch == "BertModel" else WithHead(arch == "BertForSequenceClassification")
m.load_state_dict(load_safetensors(folder + "/model.safetensors"), strict=True)
m.eval()
with torch.no_grad():
    if arch == "BertModel":
        h, p = m()
        print(json.dumps({"hidden": h.tolist(), "pooled": p.tolist()}))
    else:
        h, p = m.bert()
        print(json.dumps({"logits": m.classifier(p if arch == "BertForSequenceClassification" else h).tolist()}))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, folder, JSON.stringify(IDS), JSON.stringify(MASK)], { encoding: 'utf8' });
  assert.equal(r.status, 0, `python: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReturnType<typeof pythonOutputs>;
}

/** Our outputs of the trained checkpoint on IDS/MASK: the encoder's and each task head's. */
function ourOutputs(): { hidden: number[][][]; pooled: number[][]; logits: Map<string, number[][] | number[][][]> } {
  using ckpt = loadCheckpoint(best, { optimizer: false });
  using model = modelFromCheckpoint(ckpt).eval();
  return noGrad(() =>
    tidy(() => {
      const inputs = { inputIds: tensor(IDS, { dtype: 'int64' }), attentionMask: tensor(MASK, { dtype: 'int64' }) };
      const encoded = model.backbone.forward(inputs);
      const logits = model.forward(inputs, model.taskNames);
      return {
        hidden: encoded.lastHiddenState.toArray() as number[][][],
        pooled: (encoded.pooledOutput as Tensor).toArray() as number[][],
        logits: new Map([...logits].map(([k, v]) => [k, v.toArray() as number[][] | number[][][]])),
      };
    }),
  );
}

/** Every entry of `a` within `tol` of `b`'s, at the real positions of MASK when `tokens` (padded rows are 0 on our side). */
function assertClose(a: unknown, b: unknown, what: string, tokens = false, tol = 1e-5): void {
  const xs = a as number[][] | number[][][];
  const ys = b as number[][] | number[][][];
  assert.equal(xs.length, ys.length, `${what}: rows`);
  xs.forEach((row, i) =>
    (row as unknown[]).forEach((v, j) => {
      if (tokens && MASK[i]?.[j] === 0) return;
      const w = (ys[i] as unknown[])[j];
      const vs = (Array.isArray(v) ? v : [v]) as number[];
      const ws = (Array.isArray(w) ? w : [w]) as number[];
      vs.forEach((x, k) => assert.ok(Math.abs(x - (ws[k] as number)) < tol, `${what}[${i}][${j}][${k}]: ${x} vs ${String(ws[k])}`));
    }),
  );
}

describe('exportHf', data, () => {
  it('the encoder alone loads strictly as BertModel, with our hidden states and pooled output', () => {
    const r = exportHf(best, out('encoder'));
    assert.equal(r.architecture, 'BertModel');
    const py = pythonOutputs(out('encoder'));
    const ours = ourOutputs();
    assertClose(ours.hidden, py.hidden, 'last hidden state', true);
    assertClose(ours.pooled, py.pooled, 'pooled output');
    assert.equal(
      readFileSync(path.join(out('encoder'), 'tokenizer.json'), 'utf8'),
      readFileSync(path.join(best, 'tokenizer.json'), 'utf8'),
      'tokenizer.json unchanged',
    );
  });

  it('a sequence-classification task loads strictly as BertForSequenceClassification, with our logits and labels', () => {
    exportHf(best, out('intent'), { task: 'intent' });
    const config = JSON.parse(readFileSync(path.join(out('intent'), 'config.json'), 'utf8')) as Record<string, unknown>;
    using ckpt = loadCheckpoint(best, { optimizer: false });
    const labels = ckpt.tasks.find((t) => t.name === 'intent')?.labels ?? [];
    assert.deepEqual(config.id2label, Object.fromEntries(labels.map((l, i) => [String(i), l])), 'id2label in label order');
    assert.equal(config.problem_type, 'single_label_classification');
    assertClose(ourOutputs().logits.get('intent'), pythonOutputs(out('intent')).logits, 'intent logits');
  });

  it('a token-classification task loads strictly as BertForTokenClassification (no pooler), with our logits', () => {
    exportHf(best, out('slots'), { task: 'slots' });
    assertClose(ourOutputs().logits.get('slots'), pythonOutputs(out('slots')).logits, 'slot logits', true);
  });

  it('tokenizer_config.json: BertTokenizerFast with the tokenizer’s lower-casing and special tokens', () => {
    const config = JSON.parse(readFileSync(path.join(out('encoder'), 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    const tokenizer = JSON.parse(readFileSync(path.join(best, 'tokenizer.json'), 'utf8')) as { normalizer: { lowercase: boolean } };
    assert.equal(config.tokenizer_class, 'BertTokenizerFast');
    assert.equal(config.do_lower_case, tokenizer.normalizer.lowercase, 'as tokenizer.json normalizes');
    assert.equal(config.cls_token, '[CLS]');
    assert.equal(config.mask_token, '[MASK]');
  });

  it('names a task that is not there, a folder that is not empty, and a format it does not write', async () => {
    assert.throws(() => exportHf(best, out('x'), { task: 'nope' }), /has no task 'nope'; its tasks are 'intent', 'slots', 'sentiment'/);
    assert.throws(() => exportHf(best, out('intent')), /exists and is not empty; export to a new folder/);
    const err: string[] = [];
    const error = mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
    try {
      assert.equal(await main(['export', best, out('tflite'), '--format', 'tflite']), 2);
    } finally {
      error.mock.restore();
    }
    assert.match(err[0] ?? '', /--format must be hf .* or onnx .*, got 'tflite'/);
  });
});
