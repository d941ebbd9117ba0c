/**
 * `mtl predict` (Predictor.load) on Hugging Face Transformers task-model folders: a folder that
 * `mtl export --task` wrote — whose logits tests/export/*.test.ts check against the Python reference
 * loading it strictly — answers as the checkpoint it came from (same labels, scores within
 * 1e-5, same tags and spans), for BERT's class (pooler + classifier), RoBERTa's (classifier.dense +
 * out_proj) and a token class; folders of classes this library does not compute are refused by name.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { exportHf } from '../../src/export/hf.js';
import { Predictor, type PredictionRecord } from '../../src/predict/index.js';
import { WORDS, tinyConll, tinyCsv, writeHfFolder, type TokenizerFiles } from '../helpers/hf-folder.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-predict-hf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(path.join(dir, 'train.csv'), tinyCsv(24));
writeFileSync(path.join(dir, 'train.conll'), tinyConll(24));
writeFileSync(
  path.join(dir, 'finetune.yaml'),
  `seed: 3
max_length: 16
output_dir: out/unused
tasks:
  - name: topic
    type: sequence-classification
    options: { pooling: cls }
    data: { format: csv, train: train.csv }
    input: { text: text }
    label: { field: category }
  - name: slots
    type: token-classification
    data: { format: conll, train: train.conll }
training: { max_steps: 6, batch_size: 8, learning_rate: 1.0e-2 }
`,
);

const TEXTS = [
  `${WORDS[0]} ${WORDS[12]} ${WORDS[3]}`,
  `${WORDS[21]} ${WORDS[22]}, ${WORDS[5]}!`,
  `${WORDS[14]} ${WORDS[15]} ${WORDS[16]} ${WORDS[17]} ${WORDS[2]}`,
];

/** `task`'s prediction of each record. */
const of = (records: PredictionRecord[], task: string) => records.map((r) => r.predictions[task] as Record<string, unknown>);

async function predictWith(folder: string): Promise<PredictionRecord[]> {
  using predictor = Predictor.load(folder);
  return await predictor.predict(TEXTS);
}

const FAMILIES: [family: string, tokenizer: TokenizerFiles, sequenceHead: boolean][] = [
  ['bert', 'tokenizer.json', true],
  ['roberta', 'bpe', true],
  ['distilbert', 'vocab.txt', false],
];

describe('Predictor.load on Transformers task-model folders answers as the checkpoint they were exported from', () => {
  for (const [family, tokenizer, sequenceHead] of FAMILIES) {
    describe(family, () => {
      const last = path.join(dir, 'out', family, 'last');
      const exported = (name: string) => path.join(dir, 'exported', family, name);
      let ours: PredictionRecord[] = [];

      it('fine-tunes a tiny model with a text and a token task, and predicts with its checkpoint', async () => {
        const folder = writeHfFolder(path.join(dir, family), family, tokenizer);
        assert.equal(await main(['finetune', folder, path.join(dir, 'finetune.yaml'), '--output', path.join(dir, 'out', family)]), 0);
        ours = await predictWith(last);
        assert.equal(ours.length, TEXTS.length);
      });

      it('…ForTokenClassification: the same tags and spans, as task token-classification', async () => {
        exportHf(last, exported('slots'), { task: 'slots' });
        const theirs = of(await predictWith(exported('slots')), 'token-classification');
        of(ours, 'slots').forEach((p, i) => {
          assert.deepEqual(theirs[i]!.tags, p.tags, `text ${i} tags`);
          type Span = { score: number };
          const [a, b] = [theirs[i]!.spans as Span[], p.spans as Span[]];
          assert.deepEqual(
            a.map(({ score: _, ...rest }) => rest),
            b.map(({ score: _, ...rest }) => rest),
            `text ${i} spans`,
          );
          a.forEach((s, j) => assert.ok(Math.abs(s.score - b[j]!.score) < 1e-5, `text ${i} span ${j} score`));
        });
      });

      if (sequenceHead) {
        it('…ForSequenceClassification: the same label and score, as task text-classification', async () => {
          exportHf(last, exported('topic'), { task: 'topic' });
          const theirs = of(await predictWith(exported('topic')), 'text-classification');
          of(ours, 'topic').forEach((p, i) => {
            assert.equal(theirs[i]!.label, p.label, `text ${i}`);
            assert.ok(Math.abs((theirs[i]!.score as number) - (p.score as number)) < 1e-5, `text ${i} score`);
          });
        });
      } else {
        it('…ForSequenceClassification of a family whose class computes another head is refused, naming why', () => {
          const folder = exported('refused');
          cpSync(exported('slots'), folder, { recursive: true });
          const file = path.join(folder, 'config.json');
          const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
          writeFileSync(file, JSON.stringify({ ...config, architectures: ['DistilBertForSequenceClassification'] }));
          assert.throws(
            () => Predictor.load(folder),
            /DistilBertForSequenceClassification computes its head in a way this library's heads do not/,
          );
        });
      }
    });
  }

  it('refuses a base model folder (no head) and a malformed id2label, naming the file and what was expected', () => {
    exportHf(path.join(dir, 'out', 'bert', 'last'), path.join(dir, 'exported', 'bert', 'encoder'));
    assert.throws(
      () => Predictor.load(path.join(dir, 'exported', 'bert', 'encoder')),
      /config\.json: architectures is \["BertModel"\]; a model folder without tasks\.json must be a Transformers task model \(BertForSequenceClassification, BertForTokenClassification, BertForQuestionAnswering\)/,
    );
    const folder = path.join(dir, 'exported', 'bert', 'bad-labels');
    cpSync(path.join(dir, 'exported', 'bert', 'topic'), folder, { recursive: true });
    const file = path.join(folder, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...config, id2label: { 0: 'food', 5: 'music', 2: 'weather' } }));
    assert.throws(() => Predictor.load(folder), /config\.json: id2label must map the ids 0…2 to label strings, got "5": "music"/);
  });
});
