/**
 * `mtl export` of checkpoints of the families beside BERT: each is written in its own family's
 * Transformers classes and loads strictly into a reference model built from the architecture's
 * definition (scripts/fixtures/families.py, Python torch), which computes our outputs:
 * - the encoder alone as `<Family>Model` (hidden states);
 * - a token-classification head as `<Family>ForTokenClassification` (`<base>.` + `classifier.*`, no pooler);
 * - a sequence-classification head as `RobertaForSequenceClassification` (the pooler's dense layer as
 *   `classifier.dense`, the classifier as `classifier.out_proj`), refused for DistilBERT and ELECTRA,
 *   whose classes put other layers before the classifier;
 * - tokenizer_config.json naming `<Family>TokenizerFast` with the tokenizer's own special tokens.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { exportHf } from '../../src/export/hf.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { modelFromCheckpoint } from '../../src/run/load-model.js';
import { noGrad, tensor, tidy } from '../../src/tensor/index.js';
import { writeHfFolder, writeTwoTaskFinetune, type TokenizerFiles } from '../helpers/hf-folder.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'mtl-export-families-'));
after(() => rmSync(dir, { recursive: true, force: true }));

writeTwoTaskFinetune(dir);

/** Two inputs of real ids (the fixtures' 99-token vocabularies), the second padded with `pad`. */
function inputs(pad: number): { ids: number[][]; mask: number[][] } {
  const ids = [
    [5, 40, 41, 42, 43, 6],
    [5, 50, 51, 6, pad, pad],
  ];
  return { ids, mask: ids.map((row, i) => row.map((_, j) => (i === 1 && j >= 4 ? 0 : 1))) };
}

/** Our outputs of checkpoint `ckptDir` on `ids`: the backbone's last hidden states and each head's logits. */
function ourOutputs(ckptDir: string, ids: number[][], mask: number[][]): { hidden: number[][][]; logits: Map<string, unknown> } {
  using ckpt = loadCheckpoint(ckptDir, { optimizer: false });
  using model = modelFromCheckpoint(ckpt).eval();
  return noGrad(() =>
    tidy(() => {
      const x = { inputIds: tensor(ids, { dtype: 'int64' }), attentionMask: tensor(mask, { dtype: 'int64' }) };
      const hidden = model.backbone.forward(x).lastHiddenState.toArray() as number[][][];
      const logits = model.forward(x, model.taskNames);
      return { hidden, logits: new Map([...logits].map(([k, v]) => [k, v.toArray()])) };
    }),
  );
}

/**
 * The exported folder's output from Python: the class config.json names, assembled from
 * scripts/fixtures/families.py's base models, loaded with strict=True. Prints hidden states for a base
 * model, logits for a task model.
 */
function pythonOutputs(folder: string, ids: number[][], mask: number[][]): { hidden?: number[][][]; logits?: unknown } {
  const script = `
import importlib.util, json, sys, torch
from torch import nn
spec = importlib.util.spec_from_file_location("families", ${JSON.stringify(path.join(ROOT, 'scripts', 'fixtures', 'families.py'))})
fam = importlib.util.module_from_spec(spec); spec.loader.exec_module(fam)
sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'bench', 'peer'))})
from bert import load_safetensors
folder, ids, mask = sys.argv[1], torch.tensor(json.loads(sys.argv[2])), torch.tensor(json.loads(sys.argv[3]))
c = json.load(open(folder + "/config.json"))
cfg = fam.Config(c)
hidden = c.get("hidden_size", c.get("dim"))  # DistilBERT's config says dim
arch = c["architectures"][0]
family, kind = arch.split("For") if "For" in arch else (arch[: -len("Model")], None)
Base = {"Roberta": fam.RobertaModel, "XLMRoberta": fam.RobertaModel, "DistilBert": fam.DistilBertModel, "Electra": fam.ElectraModel}[family]
prefix = {"Roberta": "roberta", "XLMRoberta": "roberta", "DistilBert": "distilbert", "Electra": "electra"}[family]

def encode(base):  # last hidden states, without the pooler (add_pooling_layer=False in task models)
    if isinstance(base, fam.RobertaModel):
        m = fam.extended_mask(mask, ids.shape, torch.float32)
        return base.encoder(base.embeddings(ids), m)
    return base(ids, mask)["last_hidden_state"]

class ClassificationHead(nn.Module):  # RobertaClassificationHead: first token -> dense -> tanh -> out_proj
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(0.1)
        self.out_proj = nn.Linear(hidden, len(c["id2label"]))
    def forward(self, h):
        return self.out_proj(torch.tanh(self.dense(h[:, 0, :])))

class TaskModel(nn.Module):
    def __init__(self):
        super().__init__()
        base = Base(cfg)
        if hasattr(base, "pooler"):
            del base.pooler
        setattr(self, prefix, base)
        self.dropout = nn.Dropout(0.1)
        self.classifier = ClassificationHead() if kind == "SequenceClassification" else nn.Linear(hidden, len(c["id2label"]))

m = Base(cfg) if kind is None else TaskModel()
m.load_state_dict(load_safetensors(folder + "/model.safetensors"), strict=True)
m.eval()
with torch.no_grad():
    if kind is None:
        print(json.dumps({"hidden": encode(m).tolist()}))
    else:
        print(json.dumps({"logits": m.classifier(encode(getattr(m, prefix))).tolist()}))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, folder, JSON.stringify(ids), JSON.stringify(mask)], { encoding: 'utf8' });
  assert.equal(r.status, 0, `python: ${r.stderr}`);
  return JSON.parse(r.stdout) as { hidden?: number[][][]; logits?: unknown };
}

/** Every number of `a` within 1e-5 of `b`'s, at real positions when `mask` is given (token outputs). */
function assertClose(a: unknown, b: unknown, what: string, mask?: number[][]): void {
  const rows = a as unknown[];
  assert.equal(rows.length, (b as unknown[]).length, `${what}: rows`);
  rows.forEach((row, i) => {
    const other = (b as unknown[])[i] as unknown[];
    (row as unknown[]).forEach((v, j) => {
      if (mask?.[i]?.[j] === 0) return;
      const xs = (Array.isArray(v) ? v : [v]) as number[];
      const ys = (Array.isArray(other[j]) ? other[j] : [other[j]]) as number[];
      xs.forEach((x, k) => assert.ok(Math.abs(x - ys[k]!) < 1e-5, `${what}[${i}][${j}][${k}]: ${x} vs ${ys[k]}`));
    });
  });
}

const FAMILIES: [family: string, prefix: string, tokenizer: TokenizerFiles, pad: number, tokenizerClass: string, cls: string][] = [
  ['roberta', 'Roberta', 'bpe', 1, 'RobertaTokenizerFast', '<s>'],
  ['distilbert', 'DistilBert', 'vocab.txt', 0, 'DistilBertTokenizerFast', '[CLS]'],
  ['electra', 'Electra', 'tokenizer.json', 0, 'ElectraTokenizerFast', '[CLS]'],
];

describe('mtl export of the families beside BERT: their own classes, loaded strictly by the references', () => {
  for (const [family, prefix, tokenizer, pad, tokenizerClass, cls] of FAMILIES) {
    describe(family, () => {
      const out = path.join(dir, 'out', family);
      const best = path.join(out, 'last');
      const exported = (name: string) => path.join(dir, 'exported', family, name);
      const { ids, mask } = inputs(pad);

      it(`fine-tunes (${tokenizer}), then exports the encoder alone as ${prefix}Model with our hidden states`, async () => {
        const folder = writeHfFolder(path.join(dir, family), family, tokenizer);
        assert.equal(await main(['finetune', folder, path.join(dir, 'finetune.yaml'), '--output', out]), 0);
        const r = exportHf(best, exported('encoder'));
        assert.equal(r.architecture, `${prefix}Model`);
        assertClose(ourOutputs(best, ids, mask).hidden, pythonOutputs(exported('encoder'), ids, mask).hidden, 'hidden states', mask);
        const config = JSON.parse(readFileSync(path.join(exported('encoder'), 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(config.tokenizer_class, tokenizerClass);
        assert.equal(config.cls_token, cls);
      });

      it(`exports the token-classification task as ${prefix}ForTokenClassification with our logits`, () => {
        const r = exportHf(best, exported('slots'), { task: 'slots' });
        assert.equal(r.architecture, `${prefix}ForTokenClassification`);
        assertClose(
          ourOutputs(best, ids, mask).logits.get('slots'),
          pythonOutputs(exported('slots'), ids, mask).logits,
          'slot logits',
          mask,
        );
      });

      if (family === 'roberta') {
        it('exports the sequence-classification task as RobertaForSequenceClassification (pooler dense → classifier.dense) with our logits', () => {
          const r = exportHf(best, exported('topic'), { task: 'topic' });
          assert.equal(r.architecture, 'RobertaForSequenceClassification');
          assertClose(ourOutputs(best, ids, mask).logits.get('topic'), pythonOutputs(exported('topic'), ids, mask).logits, 'topic logits');
        });
      } else {
        it(`refuses the sequence-classification task: ${prefix}ForSequenceClassification computes something else`, () => {
          assert.throws(
            () => exportHf(best, exported('topic'), { task: 'topic' }),
            (e: Error) => {
              assert.match(e.message, new RegExp(`task 'topic' cannot be exported with its head: ${prefix}ForSequenceClassification puts`));
              assert.match(e.message, /export the encoder alone without --task/);
              return true;
            },
          );
        });
      }
    });
  }
});
