/**
 * The reference rows of docs/results/issue13-dailydialog.md: DailyDialog's test pairs read as
 * `examples/dailydialog-t5.yaml` reads them (3 turns of context), scored with the seq2seq task's own
 * metrics (sacreBLEU 13a BLEU, distinct-1/2 over 13a tokens): the references themselves (distinct
 * only), and two responses that need no model — the last context turn echoed, and the most frequent
 * training response everywhere. With a second argument, the report of `mtl eval CKPT --split test
 * --report FILE` (each test example's generated response), the model's rows too: on all of test, and
 * on the test dialogues that do not occur verbatim in train (SOURCE.md: 93 of 1,000 do).
 *
 *   node --import tsx scripts/results/issue13-dailydialog.ts ../shared/datasets/dailydialog [report.json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDailyDialog, splitLines } from '../../src/data/index.js';
import { textMetrics } from '../../src/tasks/index.js';
import { tokenize13a } from '../../src/metrics/index.js';

const dir = process.argv[2] ?? '../shared/datasets/dailydialog';
const predictionsFile = process.argv[3];
const file = (split: string) => join(dir, split, `dialogues_${split}.txt`);
const train = readDailyDialog(file('train')).examples;
const test = readDailyDialog(file('test')).examples;
const references = test.map((e) => e.label!);

const trainDialogues = new Set(splitLines(readFileSync(file('train'), 'utf8')));
const testLines = splitLines(readFileSync(file('test'), 'utf8'));
const seen = test.map((e) => trainDialogues.has(testLines[e.source.line - 1]!));

const counts = new Map<string, number>();
for (const e of train) counts.set(e.label!, (counts.get(e.label!) ?? 0) + 1);
const [frequent, frequentCount] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));

const meanTokens = (texts: readonly string[]) =>
  texts.reduce(
    (n, t) =>
      n +
      tokenize13a(t)
        .split(' ')
        .filter((w) => w !== '').length,
    0,
  ) / texts.length;

function row(name: string, hypotheses: readonly string[], refs: readonly string[]): void {
  const m = textMetrics(
    hypotheses,
    refs.map((r) => [r]),
    ['bleu', 'distinct'],
  );
  const pct = (x: number | undefined) => (100 * (x ?? 0)).toFixed(2);
  console.log(
    `| ${name} | ${hypotheses.length} | ${pct(m.bleu)} | ${pct(m.distinct1)} | ${pct(m.distinct2)} | ${meanTokens(hypotheses).toFixed(1)} |`,
  );
}

console.log(
  `train pairs ${train.length}, test pairs ${test.length}; test pairs of dialogues also in train: ${seen.filter(Boolean).length}`,
);
console.log(`most frequent training response: ${JSON.stringify(frequent)} (${frequentCount} times)`);
/** distinct-n of the references themselves (no BLEU: they are their own reference). */
function referenceRow(name: string, refs: readonly string[]): void {
  const m = textMetrics(
    refs,
    refs.map((r) => [r]),
    ['distinct'],
  );
  console.log(
    `| ${name} | ${refs.length} | — | ${(100 * m.distinct1!).toFixed(2)} | ${(100 * m.distinct2!).toFixed(2)} | ${meanTokens(refs).toFixed(1)} |`,
  );
}

console.log('| responses | pairs | BLEU | distinct-1 (%) | distinct-2 (%) | mean 13a tokens |');
console.log('| --- | --- | --- | --- | --- | --- |');
referenceRow('references (test targets)', references);
const lastTurn = test.map((e) => e.text.split(' | ').at(-1)!);
row('echo the last context turn', lastTurn, references);
row(
  'the most frequent training response',
  test.map(() => frequent),
  references,
);

if (predictionsFile !== undefined) {
  const report = JSON.parse(readFileSync(predictionsFile, 'utf8')) as {
    reports: Record<string, { outputs?: { id: string; output: string | null }[] }>;
  };
  const outputs = Object.values(report.reports).find((r) => r.outputs !== undefined)?.outputs;
  if (outputs === undefined) throw new Error(`${predictionsFile}: no task report with "outputs" (a seq2seq task's mtl eval --report FILE)`);
  outputs.forEach((o, i) => {
    if (o.id !== test[i]?.id) throw new Error(`${predictionsFile}: output ${i} is example ${o.id}, expected ${test[i]?.id} (test order)`);
  });
  const predicted = outputs.map((o) => o.output ?? '');
  if (predicted.length !== test.length)
    throw new Error(`${predictionsFile}: ${predicted.length} predictions for ${test.length} test pairs`);
  row('model (all of test)', predicted, references);
  const unseen = (xs: readonly string[]) => xs.filter((_, i) => !seen[i]);
  row('model (dialogues not in train)', unseen(predicted), unseen(references));
  referenceRow('references (dialogues not in train)', unseen(references));
}
