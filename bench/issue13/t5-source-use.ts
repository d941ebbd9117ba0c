/**
 * Does a trained Multi30k seq2seq checkpoint use its source? Teacher-forced NLL per target token
 * (natural log, no smoothing) and token accuracy on the first `n` val pairs, with each row's own source
 * and with the sources rotated by one row (another sentence's source): a model that ignores the
 * encoder scores both alike.
 * Usage: node --import tsx bench/issue13/t5-source-use.ts <checkpoint dir> [n]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSafetensors } from '../../src/io/safetensors.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { backboneOf } from '../../src/run/load-model.js';
import { seq2seq, taskSpec, type Seq2seqOptions, type TaskSpec, type TextToTextFeatures } from '../../src/tasks/index.js';
import { noGrad, tidy } from '../../src/tensor/index.js';
import { tokenizerFromFolder } from '../../src/tokenization/index.js';

const [dir, nArg] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: t5-source-use.ts <checkpoint dir> [n]');
const n = Number(nArg ?? 256);
const backbone = backboneOf(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>);
const { tensors } = loadSafetensors(join(dir, 'model.safetensors'));
backbone.loadStateDict(tensors);
const tokenizer = tokenizerFromFolder(dir);
const spec = taskSpec({
  name: 'en_de',
  kind: 'seq2seq',
  labels: ['[text]'],
  options: { prefix: 'translate English to German: ', maxTargetLength: 48 },
}) as TaskSpec<Seq2seqOptions>;
const stem = '/work/shared/datasets/multi30k/val';
const en = readFileSync(`${stem}.en`, 'utf8').split('\n');
const de = readFileSync(`${stem}.de`, 'utf8').split('\n');
const examples = Array.from({ length: n }, (_, i) => ({ id: String(i), text: en[i]!, label: de[i]!, source: { file: stem, line: i + 1 } }));
const { features } = await seq2seq.featurize(examples, tokenizer, spec, { maxLength: 48, training: false });
const feats = features as TextToTextFeatures[];
const model = MultiTaskModel.fromSpecs(backbone, [spec]).eval();
const task = { type: seq2seq, spec, head: model.heads.get('en_de'), state: undefined } as never;

function score(rows: TextToTextFeatures[]): { nll: number; accuracy: number } {
  let nll = 0;
  let hit = 0;
  let count = 0;
  for (let s = 0; s < rows.length; s += 32) {
    const part = rows.slice(s, s + 32).map((f, i) => ({ ...f, exampleIndex: i }));
    const batch = seq2seq.collate({ spec, state: undefined }, part);
    const scores = tidy(() =>
      noGrad(() =>
        seq2seq.decode(
          task,
          model.forward(batch, ['en_de']).get('en_de')!,
          batch,
          part.map((_, i) => examples[i]!),
        ),
      ),
    );
    for (const p of scores) {
      nll += p.nll!;
      hit += p.correct!;
      count += p.targetTokens!;
    }
  }
  return { nll: nll / count, accuracy: hit / count };
}
const own = score(feats);
const rotated = score(feats.map((f, i) => ({ ...f, inputIds: feats[(i + 1) % n]!.inputIds })));
console.log(
  `${dir}: val[0:${n}] own source: NLL/token ${own.nll.toFixed(3)}, accuracy ${own.accuracy.toFixed(3)}; another row's source: NLL/token ${rotated.nll.toFixed(3)}, accuracy ${rotated.accuracy.toFixed(3)}`,
);
