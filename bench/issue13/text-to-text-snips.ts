/**
 * Text-to-text multi-task learning vs single-task with one generative model (issue 13;
 * docs/results/issue13-text-to-text.md): SNIPS intent detection and slot filling rendered as text
 * (T5's recipe: a task prefix on the source, the answer as the target) and learned by a small BART from
 * scratch, both tasks in one model (`joint`) or each alone (`intent`, `slots`), with the same optimizer
 * steps, batch size and learning rate. `twice` is the control of the joint setting: intent beside a second
 * task whose target is the intent written twice ("PlayMusic PlayMusic", prefix `twice: `), which a model
 * blind to the prefix cannot get right; it scores intent accuracy, `twice` accuracy and how often `twice`
 * was answered with the single intent.
 *   node --import tsx bench/issue13/text-to-text-snips.ts MODE SEED STEPS [WORK_DIR]
 * Targets: the intent's name ("PlayMusic"); the slots as "type = value ; type = value" in the order they
 * occur ("none" without slots). The WordPiece tokenizer (vocabulary 2,000) is learned once from the
 * training sources (with their prefixes) and targets, so every run shares it. After training, `last/`
 * generates the test targets (greedy) and the script scores them: intent accuracy; slot precision,
 * recall and F1 over (type, value) pairs (micro, each pair counted once per sentence as CoNLL counts
 * entities; type and value compared lowercased without spaces, as WordPiece's decoding may space
 * punctuation); slot exact match (a sentence's whole set right); and for `joint` sentence accuracy (intent
 * and every slot right). Prints one JSON line.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { Predictor } from '../../src/predict/predict.js';
import { taskTypes } from '../../src/tasks/index.js';
import { trainWordPiece } from '../../src/tokenization/index.js';
import { train } from '../../src/train/trainer.js';

const [mode = 'joint', seedArg = '1', stepsArg = '1000', work = '/tmp/mtl-issue13-t2t'] = process.argv.slice(2);
if (!['joint', 'intent', 'slots', 'twice'].includes(mode)) throw new Error(`MODE must be joint, intent, slots or twice, got ${mode}`);
const SNIPS = process.env.SNIPS ?? path.resolve(import.meta.dirname, '../../../shared/datasets/snips');
const SPLITS = ['train', 'dev', 'test'] as const;

interface Row {
  readonly text: string;
  readonly intent: string;
  readonly slots: readonly (readonly [string, string])[];
}

/** (type, value) pairs of a BIO tag row, in order. */
function spans(words: readonly string[], tags: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  let current: { type: string; words: string[] } | undefined;
  const close = () => {
    if (current) out.push([current.type, current.words.join(' ')]);
    current = undefined;
  };
  tags.forEach((tag, i) => {
    const type = tag.slice(2);
    if (tag.startsWith('B-') || (tag.startsWith('I-') && current?.type !== type)) {
      close();
      current = { type, words: [words[i]!] };
    } else if (tag.startsWith('I-')) current!.words.push(words[i]!);
    else close();
  });
  close();
  return out;
}

function readSplit(split: string): Row[] {
  const lines = (f: string) =>
    readFileSync(path.join(SNIPS, split, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
  const [texts, tags, intents] = [lines('seq.in'), lines('seq.out'), lines('label')];
  return texts.map((t, i) => {
    const words = t.trim().split(/\s+/);
    return { text: words.join(' '), intent: intents[i]!.trim(), slots: spans(words, tags[i]!.trim().split(/\s+/)) };
  });
}

const slotText = (r: Row) => (r.slots.length === 0 ? 'none' : r.slots.map(([t, v]) => `${t} = ${v}`).join(' ; '));
const squash = (s: string) => s.toLowerCase().replace(/\s+/g, '');
/** The (type, value) pairs of a generated slot text, squashed. */
function parseSlots(text: string): Set<string> {
  if (squash(text) === 'none') return new Set();
  return new Set(
    text
      .split(';')
      .map((part) => part.split('='))
      .filter((kv) => kv.length === 2)
      .map(([t, v]) => `${squash(t!)}\t${squash(v!)}`),
  );
}

const dataDir = path.join(work, 'data');
const rows = Object.fromEntries(SPLITS.map((s) => [s, readSplit(s)])) as Record<(typeof SPLITS)[number], Row[]>;
if (!existsSync(path.join(dataDir, 'tokenizer.json'))) {
  mkdirSync(dataDir, { recursive: true });
  const tsv = (pairs: [string, string][]) => `source\ttarget\n${pairs.map(([a, b]) => `${a}\t${b}`).join('\n')}\n`;
  for (const s of SPLITS) {
    writeFileSync(path.join(dataDir, `intent-${s}.tsv`), tsv(rows[s].map((r) => [r.text, r.intent])));
    writeFileSync(path.join(dataDir, `slots-${s}.tsv`), tsv(rows[s].map((r) => [r.text, slotText(r)])));
  }
  const texts = rows.train.flatMap((r) => [`intent: ${r.text}`, `slots: ${r.text}`, r.intent, slotText(r)]);
  trainWordPiece(texts, { vocabSize: 2000, minFrequency: 2 }).save(path.join(dataDir, 'tokenizer.json'));
}

for (const s of SPLITS) {
  const file = path.join(dataDir, `twice-${s}.tsv`);
  if (!existsSync(file)) writeFileSync(file, `source\ttarget\n${rows[s].map((r) => `${r.text}\t${r.intent} ${r.intent}`).join('\n')}\n`);
}

const out = path.join(work, `${mode}-seed${seedArg}-steps${stepsArg}`);
const task = (name: string, maxTarget: number) =>
  `  - { name: ${name}, type: seq2seq, data: { format: tsv, train: ${dataDir}/${name}-train.tsv }, input: { text: source },
      label: { field: target }, options: { prefix: "${name}: ", metrics: [squad], max_target_length: ${maxTarget} } }`;
const tasks =
  mode === 'twice'
    ? [task('intent', 8), task('twice', 16)]
    : [...(mode !== 'slots' ? [task('intent', 8)] : []), ...(mode !== 'intent' ? [task('slots', 48)] : [])];
const config = parseTrainingConfig(
  `seed: ${seedArg}
output_dir: ${out}
encoder: { model_type: bart, hidden_size: ${process.env.HIDDEN ?? 128}, num_hidden_layers: 2, num_attention_heads: 4,
           intermediate_size: ${2 * Number(process.env.HIDDEN ?? 128)}, max_position_embeddings: 96 }
tokenizer: { path: ${dataDir}/tokenizer.json }
max_length: 48
tasks:
${tasks.join('\n')}
training: { max_steps: ${stepsArg}, batch_size: 32, learning_rate: ${process.env.LR ?? '1.0e-3'}, warmup_steps: ${Math.round(Number(stepsArg) / 10)},
            log_every: 50, sampler: { kind: uniform } }
`,
  { taskTypes, source: path.join(work, 'config.yaml') },
);

const started = performance.now();
const result = await train(config, { overwrite: true });
const trainSeconds = (performance.now() - started) / 1000;

const test = rows.test;
const scoredAt = performance.now();
using predictor = Predictor.load(path.join(out, 'last'));
const records = await predictor.predict(
  test.map((r) => r.text),
  { batchSize: 64 },
);
const metrics: Record<string, number> = {};
const textOf = (i: number, name: string) => (records[i]!.predictions as Record<string, { text: string }>)[name]?.text ?? '';
/** Test sentences with the intent, the slot set, and both right; slot pairs generated, gold, and both. */
const tally = { intent: 0, slots: 0, both: 0, found: 0, gold: 0, hit: 0 };
test.forEach((r, i) => {
  const intentOk = squash(textOf(i, 'intent')) === squash(r.intent);
  const want = new Set(r.slots.map(([t, v]) => `${squash(t)}\t${squash(v)}`));
  const got = parseSlots(textOf(i, 'slots'));
  const common = [...got].filter((p) => want.has(p)).length;
  const slotsOk = common === want.size && got.size === want.size;
  tally.intent += intentOk ? 1 : 0;
  tally.slots += slotsOk ? 1 : 0;
  tally.both += intentOk && slotsOk ? 1 : 0;
  tally.found += got.size;
  tally.gold += want.size;
  tally.hit += common;
});
if (mode !== 'slots') metrics.intentAccuracy = tally.intent / test.length;
if (mode === 'twice') {
  metrics.twiceAccuracy = test.filter((r, i) => squash(textOf(i, 'twice')) === squash(`${r.intent} ${r.intent}`)).length / test.length;
  metrics.twiceAnsweredAsIntent = test.filter((r, i) => squash(textOf(i, 'twice')) === squash(r.intent)).length / test.length;
} else if (mode !== 'intent') {
  const p = tally.found === 0 ? 0 : tally.hit / tally.found;
  const rc = tally.gold === 0 ? 0 : tally.hit / tally.gold;
  Object.assign(metrics, {
    slotPrecision: p,
    slotRecall: rc,
    slotF1: p + rc === 0 ? 0 : (2 * p * rc) / (p + rc),
    slotExactMatch: tally.slots / test.length,
  });
}
if (mode === 'joint') metrics.sentenceAccuracy = tally.both / test.length;
const log = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { type: string; loss?: number; task_losses?: Record<string, number> });
const lastTrain = log.filter((m) => m.type === 'train').at(-1);
console.log(
  JSON.stringify({
    mode,
    seed: Number(seedArg),
    steps: result.step,
    metrics,
    finalTaskLosses: lastTrain?.task_losses,
    trainSeconds: Math.round(trainSeconds),
    testSeconds: Math.round((performance.now() - scoredAt) / 1000),
    example: { text: test[0]!.text, intent: textOf(0, 'intent'), slots: textOf(0, 'slots') },
  }),
);
