/**
 * Training parity of the Multi30k T5 against PyTorch (scripts/t5_train_reference.py): builds the
 * examples/multi30k-t5.yaml architecture (dropout 0) with seed 42, writes its initial weights
 * (Hugging Face names) and the first `steps` training batches of Multi30k En→De (the run's
 * tokenizer, prefix, max_length 48, label smoothing 0.1) to `out`, then trains them with AdamW
 * (lr, weight decay 0.01 without norms, clip 1.0, constant lr) and writes the loss of each step.
 * Usage: node --import tsx bench/issue13/t5-train-parity.ts <tokenizer dir> <out dir> [steps] [lr] [batch]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveSafetensors } from '../../src/io/safetensors.js';
import { backboneFamily } from '../../src/models/registry.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { AdamW, clipGradNorm, paramGroupsNoDecay } from '../../src/optim/index.js';
import { seq2seq, taskSpec, type Seq2seqOptions, type TaskSpec, type TextToTextFeatures } from '../../src/tasks/index.js';
import { manualSeed, tidy } from '../../src/tensor/index.js';
import { tokenizerFromFolder } from '../../src/tokenization/index.js';

const [tokDir, out, stepsArg, lrArg, batchArg] = process.argv.slice(2);
if (tokDir === undefined || out === undefined) throw new Error('usage: t5-train-parity.ts <tokenizer dir> <out dir> [steps] [lr] [batch]');
const steps = Number(stepsArg ?? 30);
const lr = Number(lrArg ?? 1e-3);
const B = Number(batchArg ?? 32);
mkdirSync(out, { recursive: true });
const data = '/work/shared/datasets/multi30k/train';
const en = readFileSync(`${data}.en`, 'utf8').split('\n');
const de = readFileSync(`${data}.de`, 'utf8').split('\n');
const tokenizer = tokenizerFromFolder(tokDir);
const spec = taskSpec({
  name: 'en_de',
  kind: 'seq2seq',
  labels: ['[text]'],
  options: { prefix: 'translate English to German: ', maxTargetLength: 48, labelSmoothing: 0.1 },
}) as TaskSpec<Seq2seqOptions>;
const n = steps * B;
const examples = Array.from({ length: n }, (_, i) => ({ id: String(i), text: en[i]!, label: de[i]!, source: { file: data, line: i + 1 } }));
const { features } = await seq2seq.featurize(examples, tokenizer, spec, { maxLength: 48, training: true });
const feats = features as TextToTextFeatures[];

manualSeed(42);
const family = backboneFamily('t5');
const config = family.config({
  vocabSize: 8000,
  hiddenSize: 256,
  numHiddenLayers: 3,
  numAttentionHeads: 4,
  intermediateSize: 1024,
  hiddenDropoutProb: 0,
  padTokenId: 0,
  eosTokenId: 3,
  decoderStartTokenId: 0,
});
const backbone = family.create(config);
saveSafetensors(join(out, 'init.safetensors'), backbone.stateDict());
const model = MultiTaskModel.fromSpecs(backbone, [spec]);
const task = { type: seq2seq, spec, head: model.heads.get('en_de'), state: undefined } as never;
const optimizer = new AdamW(paramGroupsNoDecay(backbone.namedParameters(), 0.01), { lr });
const losses: number[] = [];
const batches: { input_ids: number[][]; labels: number[][] }[] = [];
for (let s = 0; s < steps; s++) {
  const rows = feats.slice(s * B, (s + 1) * B).map((f, i) => ({ ...f, exampleIndex: i }));
  batches.push({ input_ids: rows.map((r) => [...r.inputIds]), labels: rows.map((r) => [...r.labels!]) });
  const batch = seq2seq.collate({ spec, state: undefined }, rows);
  const loss = tidy(() => {
    const l = seq2seq.loss(task, model.forward(batch, ['en_de']).get('en_de')!, batch);
    l.backward();
    return l.item() as number;
  });
  const norm = tidy(
    () =>
      clipGradNorm(
        [...model.parameters()].filter((p) => p.grad !== undefined && p.grad !== null),
        1.0,
      ).item() as number,
  );
  optimizer.step();
  optimizer.zeroGrad();
  losses.push(loss);
  console.log(`step ${s + 1} loss ${loss.toFixed(5)} grad_norm ${norm.toFixed(4)}`);
}
writeFileSync(join(out, 'batches.json'), JSON.stringify({ lr, batches, config: { padTokenId: 0, decoderStartTokenId: 0 } }));
writeFileSync(join(out, 'ours.json'), JSON.stringify({ losses }));
