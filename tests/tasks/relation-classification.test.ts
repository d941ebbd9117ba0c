import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, DataError } from '../../src/errors.js';
import { ENTITY_MARKERS, type TextExample } from '../../src/data/index.js';
import { evaluateCheckpoint } from '../../src/eval/checkpoint.js';
import { exportHf } from '../../src/export/hf.js';
import { loadCheckpoint, readMetrics } from '../../src/io/checkpoint.js';
import { ConfigFileError, loadTrainingConfig, parseTrainingConfig } from '../../src/io/config/index.js';
import { needsExampleData } from '../helpers/datasets.js';
import { Predictor } from '../../src/predict/predict.js';
import {
  relationClassification,
  RelationClassificationHead,
  relationLogits,
  taskSpec,
  taskTypes,
  type RelationClassificationOptions,
  type RelationFeatures,
  type RelationPrediction,
  type TaskSpec,
} from '../../src/tasks/index.js';
import { dispose, liveTensorCount, tensor, tidy } from '../../src/tensor/index.js';
import { IGNORE_INDEX, Tokenizer, trainWordPiece } from '../../src/tokenization/index.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { finetune, loadFinetuneConfig } from '../../src/train/finetune.js';
import { taskOf } from './helpers.js';

const LABELS = ['Cause-Effect(e1,e2)', 'Cause-Effect(e2,e1)', 'Other'];
const spec = (options: Record<string, unknown> = {}): TaskSpec<RelationClassificationOptions> =>
  taskSpec({ name: 'relation', kind: 'relation-classification', labels: LABELS, options }) as TaskSpec<RelationClassificationOptions>;
const example = (i: number, text: string, label?: string): TextExample => ({
  id: String(i),
  text,
  ...(label === undefined ? {} : { label }),
  source: { file: 'rel.txt', line: 4 * i + 1 },
});

function markedTokenizer(): Tokenizer {
  const tok = trainWordPiece(['the storm caused the flood', 'the flood was caused by the storm', 'the kitchen of the house'], {
    vocabSize: 70,
    minFrequency: 1,
  });
  tok.addSpecialTokens(ENTITY_MARKERS);
  return tok;
}

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

describe('relation-classification: the type', () => {
  it('is registered with classes, text input, the markers as added tokens and the official macro F1 as main metric', () => {
    const type = taskTypes.get('relation-classification');
    assert.equal(type, relationClassification);
    assert.equal(type.labelSpace, 'classes');
    assert.deepEqual(type.inputs, ['text']);
    assert.deepEqual(type.addedTokens?.(relationClassification.resolveOptions()), ['<e1>', '</e1>', '<e2>', '</e2>']);
    assert.deepEqual(type.mainMetric, { name: 'macroF1', greaterIsBetter: true });
    assert.ok(type.formats.includes('semeval2010'));
  });

  it('options: defaults, an undirected other label, unknown keys refused', () => {
    assert.deepEqual(relationClassification.resolveOptions(), { otherLabel: 'Other', classifierDropout: null });
    assert.throws(() => relationClassification.resolveOptions({ otherLabel: 'Cause-Effect(e1,e2)' }), /undirected/);
    assert.throws(() => relationClassification.resolveOptions({ other: 'x' }), /unknown option/);
  });

  it('collects the directed labels, sorted', () => {
    const labels = relationClassification.collectLabels(
      [example(0, '', 'Other'), example(1, '', 'Cause-Effect(e2,e1)'), example(2, '', 'Cause-Effect(e1,e2)'), example(3, '', 'Other')],
      relationClassification.resolveOptions(),
    );
    assert.deepEqual(labels, LABELS);
  });
});

describe('relation-classification: the tokenizer and features', () => {
  it('addSpecialTokens adds the markers once; each is one token whatever surrounds it', async () => {
    const tok = trainWordPiece(['the storm caused the flood'], { vocabSize: 40, minFrequency: 1 });
    const before = tok.vocabSize;
    assert.equal(tok.addSpecialTokens(ENTITY_MARKERS), 4);
    assert.equal(tok.addSpecialTokens(ENTITY_MARKERS), 0);
    assert.equal(tok.vocabSize, before + 4);
    assert.deepEqual(
      ENTITY_MARKERS.map((m) => tok.tokenToId(m)),
      [before, before + 1, before + 2, before + 3],
    );
    const e = await tok.encode('The<e1>storm</e1>caused the <e2>flood</e2>.');
    assert.deepEqual(
      e.tokens.filter((t) => t.includes('e1') || t.includes('e2')),
      ['<e1>', '</e1>', '<e2>', '</e2>'],
    );
    const reloaded = Tokenizer.fromString(saveToString(tok));
    assert.equal(reloaded.tokenToId('</e2>'), before + 3);
  });

  it('entity starts index the <e1> and <e2> tokens; unmarked text is a file:line error in training, a problem otherwise', async () => {
    const tok = markedTokenizer();
    const s = spec();
    const examples = [
      example(0, 'the <e1>storm</e1> caused the <e2>flood</e2>', 'Cause-Effect(e1,e2)'),
      example(1, 'the <e2>flood</e2> was caused by the <e1>storm</e1>', 'Cause-Effect(e2,e1)'),
    ];
    const { features } = await relationClassification.featurize(examples, tok, s, { maxLength: 32 });
    for (const f of features as RelationFeatures[]) {
      assert.equal(f.inputIds[f.entityStarts[0]], tok.tokenToId('<e1>'));
      assert.equal(f.inputIds[f.entityStarts[1]], tok.tokenToId('<e2>'));
      assert.equal(f.problem, undefined);
    }
    assert.deepEqual(
      features.map((f) => f.labels),
      [[0], [1]],
    );
    const plain = [example(2, 'the storm caused the flood', 'Other')];
    await assert.rejects(
      relationClassification.featurize(plain, tok, s, { maxLength: 32 }),
      (e: unknown) => e instanceof DataError && /rel\.txt:9: example '2' of task 'relation': expected each of <e1>/.test(e.message),
    );
    const loose = await relationClassification.featurize(plain, tok, s, { maxLength: 32, training: false });
    assert.match((loose.features[0] as RelationFeatures).problem!, /exactly once/);
    // a start marker past max_length: flagged, and its label ignored by the loss
    const long = [example(3, `the storm ${'and the storm '.repeat(10)}caused the <e1>flood</e1> <e2>x</e2>`, 'Other')];
    const cut = await relationClassification.featurize(long, tok, s, { maxLength: 8 });
    assert.match((cut.features[0] as RelationFeatures).problem!, /beyond max_length \(8 tokens\)/);
    const batch = relationClassification.collate({ spec: s, state: undefined }, cut.features);
    assert.deepEqual(batch.labels!.toArray(), [IGNORE_INDEX]);
    dispose([batch.inputIds, batch.attentionMask, batch.tokenTypeIds, batch.labels]);
  });

  it('refuses a tokenizer without the markers, saying how to add them', async () => {
    const tok = trainWordPiece(['the storm caused the flood'], { vocabSize: 40, minFrequency: 1 });
    await assert.rejects(
      relationClassification.featurize([example(0, 'a <e1>b</e1> <e2>c</e2>', 'Other')], tok, spec(), { maxLength: 16 }),
      ConfigError,
    );
  });
});

describe('relation-classification: config', () => {
  const parse = (data: string, input = '') =>
    parseTrainingConfig(
      `output_dir: out
tokenizer: { train: { vocab_size: 100 } }
tasks:
  - name: relation
    type: relation-classification
    data: ${data}
${input}training: { max_steps: 1 }
`,
      { source: 'rel.yaml', checkFiles: false, taskTypes },
    );
  const issues = (data: string, input = ''): string[] => {
    try {
      parse(data, input);
    } catch (e) {
      assert.ok(e instanceof ConfigFileError, String(e));
      return e.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    }
    return [];
  };

  it('reads semeval2010 files without input or label keys, jsonl with both span fields', () => {
    assert.equal(parse('{ format: semeval2010, train: TRAIN_FILE.TXT, dev_fraction: 0.1 }').tasks[0]!.data.format, 'semeval2010');
    const jsonl = parse('{ format: jsonl, train: t.jsonl }', '    input: { text: s, e1_span: h, e2_span: t }\n    label: { field: r }\n');
    assert.deepEqual(jsonl.tasks[0]!.input, { text: 's', e1Span: 'h', e2Span: 't' });
  });

  it(
    'examples/semeval2010.yaml is valid: SemEval files, a 10 % hold-out as dev, the official F1 for early stopping',
    needsExampleData('semeval2010_task8'),
    () => {
      const c = loadTrainingConfig(path.join(import.meta.dirname, '..', '..', 'examples', 'semeval2010.yaml'), { taskTypes });
      assert.deepEqual(
        [c.tasks[0]!.type, c.tasks[0]!.data.format, c.tasks[0]!.data.devFraction],
        ['relation-classification', 'semeval2010', 0.1],
      );
      assert.equal(c.training.earlyStopping?.metric, 'relation.macroF1');
      const short = loadTrainingConfig(path.join(import.meta.dirname, '..', '..', 'examples', 'semeval2010-short.yaml'), { taskTypes });
      assert.deepEqual([(short.encoder as { hiddenSize?: number }).hiddenSize, short.training.epochs], [128, 3]);
    },
  );

  it('refuses one span field alone, span fields on other formats, and input keys on semeval2010 data', () => {
    assert.deepEqual(issues('{ format: jsonl, train: t.jsonl }', '    input: { text: s, e1_span: h }\n    label: { field: r }\n'), [
      "tasks.0.input.e1_span: give both 'e1_span' and 'e2_span' (the two entities' [start, end) span fields), or neither",
    ]);
    assert.match(
      issues('{ format: tsv, train: t.tsv }', '    input: { text: s, e1_span: h, e2_span: t }\n    label: { field: r }\n')[0]!,
      /apply to jsonl data/,
    );
    assert.match(
      issues('{ format: semeval2010, train: T.TXT }', '    input: { text: s }\n')[0]!,
      /'input' applies to csv, tsv and jsonl data/,
    );
  });
});

/** Tokenizer JSON through a temporary file (the package writes files). */
function saveToString(tok: Tokenizer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-tok-'));
  try {
    tok.save(path.join(dir, 'tokenizer.json'));
    return readFileSync(path.join(dir, 'tokenizer.json'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('relation-classification: head, logits and loss against plain arithmetic', () => {
  it('the logits are W·[h(<e1>); h(<e2>)] + b; the loss is the mean negative log-softmax at the labels', () => {
    const H = 4;
    const C = 3;
    const head = new RelationClassificationHead({ hiddenSize: H, hiddenDropoutProb: 0, initializerRange: 0.5 }, C, 0);
    head.eval();
    const rows = [...Array(2 * 5 * H).keys()].map((i) => Math.sin(i * 1.7) * 2); // (B=2, T=5, H=4)
    const starts: [number, number][] = [
      [1, 3],
      [4, 0],
    ];
    const labels = [2, 0];
    const { logits, loss, weight, bias } = tidy(() => {
      const hidden = tensor(Float32Array.from(rows), {}, [2, 5, H]);
      const scores = head.forward({ lastHiddenState: hidden });
      assert.deepEqual(scores.shape, [2, 5, 2, C]);
      const task = taskOf(relationClassification, spec(), head);
      const batch = {
        features: starts.map((p, i) => ({ exampleIndex: i, inputIds: [], tokenTypeIds: [], truncated: false, entityStarts: p })),
        labels: tensor(BigInt64Array.from(labels.map(BigInt))),
      } as never;
      return {
        logits: relationLogits(scores, starts).toArray() as number[][],
        loss: relationClassification.loss(task, scores, batch).toArray() as number,
        weight: head.classifier.weight.toArray() as number[][],
        bias: head.classifier.bias!.toArray() as number[],
      };
    });
    const h = (b: number, t: number) => rows.slice((b * 5 + t) * H, (b * 5 + t + 1) * H);
    let nll = 0;
    starts.forEach(([p1, p2], b) => {
      const x = [...h(b, p1), ...h(b, p2)]; // (2H)
      const expected = weight.map((w, c) => w.reduce((a, wi, i) => a + wi * x[i]!, bias[c]!));
      expected.forEach((v, c) => assert.ok(Math.abs(v - logits[b]![c]!) < 1e-5, `row ${b} class ${c}: ${logits[b]![c]} vs ${v}`));
      const lse = Math.log(expected.reduce((a, v) => a + Math.exp(v), 0));
      nll += lse - expected[labels[b]!]!;
    });
    assert.ok(Math.abs(loss - nll / 2) < 1e-5, `loss ${loss} vs ${nll / 2}`);
    assert.throws(
      () =>
        tidy(() =>
          relationLogits(tensor(new Float32Array(40), {}, [2, 5, 2, 2]), [
            [5, 0],
            [0, 0],
          ]),
        ),
      /must lie in \[0, 5\)/,
    );
    head.dispose();
  });

  it('decode takes the most probable label; an example with a problem predicts Other and says why; evaluate scores officially', () => {
    const s = spec();
    const task = taskOf(relationClassification, s);
    const examples = [example(0, 'x', 'Cause-Effect(e1,e2)'), example(1, 'y', 'Cause-Effect(e1,e2)'), example(2, 'z', 'Other')];
    const features = [
      { exampleIndex: 0, inputIds: [1, 2], tokenTypeIds: [0, 0], truncated: false, entityStarts: [0, 1] },
      { exampleIndex: 1, inputIds: [1, 2], tokenTypeIds: [0, 0], truncated: false, entityStarts: [1, 0] },
      { exampleIndex: 2, inputIds: [1, 2], tokenTypeIds: [0, 0], truncated: false, entityStarts: [0, 0], problem: 'cut' },
    ];
    // token 0 as e1 start favours class 0, token 1 as e1 start favours class 1; e2 scores all zero
    const scoreOf = (t: number, k: number): number[] => (k === 1 ? [0, 0, 0] : t === 0 ? [3, 0, 0] : [0, 3, 0]);
    const preds = tidy(() => {
      const scores = tensor(
        features.map(() => [0, 1].map((t) => [0, 1].map((k) => scoreOf(t, k)))),
        {},
      ); // (3, 2, 2, 3)
      return relationClassification.decode(task, scores, { features } as never, examples) as RelationPrediction[];
    });
    assert.deepEqual(
      preds.map((p) => p.label),
      ['Cause-Effect(e1,e2)', 'Cause-Effect(e2,e1)', 'Other'],
    );
    assert.equal(preds[2]!.problem, 'cut');
    const m = relationClassification.evaluate(preds, examples, s);
    // Cause-Effect: correct 1, predicted 1 (+1 wrong direction), gold 2 -> P 1/2, R 1/2, F1 1/2
    assert.deepEqual(m, { macroF1: 0.5, macroPrecision: 0.5, macroRecall: 0.5, microF1: 0.5, accuracy: 2 / 3 });
    const report = relationClassification.report!(preds, examples, s) as { confusion: { wrongDirection: number[] } };
    assert.deepEqual(report.confusion.wrongDirection, [1, 0]);
    assert.deepEqual(relationClassification.present!(preds[0]!, s, { text: 'the <e1>storm</e1> caused the <e2>flood</e2>', words: [] }), {
      label: 'Cause-Effect(e1,e2)',
      score: preds[0]!.probability,
      e1: 'storm',
      e2: 'flood',
    });
    assert.deepEqual(relationClassification.present!(preds[2]!, s, { text: 'z', words: [] }), { error: 'cut' });
  });
});

/** Synthetic relation data: the cue word and the entities' order decide the label; `topic` is a second task's label. */
function synthetic(n: number, seed: number): string {
  const nouns = ['storm', 'flood', 'virus', 'fever', 'spark', 'fire', 'quake', 'wave', 'drought', 'famine'];
  const lines: string[] = [];
  let r = seed;
  const next = (k: number) => ((r = (r * 16807) % 2147483647), r % k); // Park–Miller
  for (let i = 0; i < n; i++) {
    const [a, b] = [nouns[next(10)]!, nouns[next(10)]!];
    const kind = next(3);
    const sentence =
      kind === 0 ? `the ${a} caused the ${b} .` : kind === 1 ? `the ${a} was caused by the ${b} .` : `the ${a} and the ${b} met .`;
    const start = 4;
    const second = sentence.lastIndexOf(b);
    const relation = ['Cause-Effect(e1,e2)', 'Cause-Effect(e2,e1)', 'Other'][kind];
    lines.push(
      JSON.stringify({
        sentence,
        head: [start, start + a.length],
        tail: [second, second + b.length],
        relation,
        topic: a.length > 4 ? 'long' : 'short',
      }),
    );
  }
  return lines.join('\n') + '\n';
}

describe('relation-classification: a tiny run in a mixture with sequence classification', () => {
  let dir: string;
  let result: TrainResult;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-relation-'));
    writeFileSync(path.join(dir, 'train.jsonl'), synthetic(240, 1));
    writeFileSync(path.join(dir, 'dev.jsonl'), synthetic(60, 2));
    const yaml = `seed: 5
output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 32,
           hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 60, min_frequency: 1 } }
max_length: 24
tasks:
  - name: relation
    type: relation-classification
    data: { format: jsonl, train: train.jsonl, dev: dev.jsonl }
    input: { text: sentence, e1_span: head, e2_span: tail }
    label: { field: relation }
  - name: topic
    type: sequence-classification
    options: { pooling: cls } # the pooled [CLS], as when this mixture was tuned (mean pooling is the default since)
    data: { format: jsonl, train: train.jsonl, dev: dev.jsonl }
    input: { text: sentence }
    label: { field: topic }
training: { max_steps: 160, batch_size: 16, learning_rate: 3.0e-3, warmup_steps: 2, eval_every: 80, log_every: 40 }
`;
    result = await train(parseTrainingConfig(yaml, { taskTypes, source: path.join(dir, 'config.yaml') }), {});
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('both tasks train; the relation loss goes down and the dev macro F1 is high; the tokenizer keeps the markers', () => {
    assert.equal(result.status, 'completed');
    const records = readMetrics(path.join(dir, 'out', 'metrics.jsonl'));
    const losses = records
      .filter((r) => r.type === 'train')
      .map((r) => (r.task_losses as Record<string, number> | undefined)?.relation ?? NaN);
    assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `relation losses ${losses.join(', ')}`);
    const dev = records.filter((r) => r.type === 'eval' && r.split === 'dev').at(-1)!.metrics as Record<string, Record<string, number>>;
    assert.deepEqual(Object.keys(dev.relation!).sort(), ['accuracy', 'macroF1', 'macroPrecision', 'macroRecall', 'microF1']);
    assert.ok(dev.relation!.macroF1! > 0.8, `dev macro F1 ${dev.relation!.macroF1}`);
    assert.ok('accuracy' in dev.topic!);
    const tok = Tokenizer.fromFile(path.join(dir, 'out', 'last', 'tokenizer.json'));
    assert.ok(ENTITY_MARKERS.every((m) => tok.tokenToId(m) !== null));
    using ckpt = loadCheckpoint(path.join(dir, 'out', 'last'));
    assert.deepEqual(ckpt.tasks.find((t) => t.name === 'relation')!.labels, LABELS);
  });

  it('evaluateCheckpoint reproduces the last dev metrics; Predictor gives the direction and the entities; export refuses the head', async () => {
    const last = readMetrics(path.join(dir, 'out', 'metrics.jsonl'))
      .filter((r) => r.type === 'eval' && r.split === 'dev')
      .at(-1) as Record<string, unknown>;
    const again = await evaluateCheckpoint(path.join(dir, 'out', 'last'));
    assert.deepEqual(again.metrics, last.metrics);
    using predictor = Predictor.load(path.join(dir, 'out', 'last'));
    const [forward, backward, plain] = await predictor.predict([
      'the <e1>virus</e1> caused the <e2>fever</e2> .',
      'the <e1>fever</e1> was caused by the <e2>virus</e2> .',
      'the virus caused the fever .',
    ]);
    assert.deepEqual(forward!.predictions.relation, {
      ...(forward!.predictions.relation as object),
      label: 'Cause-Effect(e1,e2)',
      e1: 'virus',
      e2: 'fever',
    });
    assert.equal((backward!.predictions.relation as { label: string }).label, 'Cause-Effect(e2,e1)');
    assert.match((plain!.predictions.relation as { error: string }).error, /exactly once/);
    assert.ok('label' in (plain!.predictions.topic as object), 'the other task still predicts on a text without markers');
    assert.throws(
      () => exportHf(path.join(dir, 'out', 'last'), path.join(dir, 'hf'), { task: 'relation' }),
      /no class for a relation head/,
    );
  });
});

describe('relation-classification: fine-tuning an encoder trained without the markers', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'mtl-relation-ft-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the word embeddings grow by the four markers (new rows drawn, the pre-trained rows kept)', async () => {
    writeFileSync(path.join(dir, 'train.jsonl'), synthetic(64, 3));
    const encoder = `encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 32 }`;
    const topic = `seed: 1
output_dir: pre
${encoder}
tokenizer: { train: { vocab_size: 60, min_frequency: 1 } }
max_length: 24
tasks:
  - { name: topic, type: sequence-classification, data: { format: jsonl, train: train.jsonl }, input: { text: sentence }, label: { field: topic } }
training: { max_steps: 2, batch_size: 16 }
`;
    await train(parseTrainingConfig(topic, { taskTypes, source: path.join(dir, 'pre.yaml') }), {});
    const file = path.join(dir, 'ft.yaml');
    writeFileSync(
      file,
      `seed: 2
output_dir: ft
max_length: 24
tasks:
  - { name: relation, type: relation-classification, data: { format: jsonl, train: train.jsonl }, input: { text: sentence, e1_span: head, e2_span: tail }, label: { field: relation } }
training: { max_steps: 1, batch_size: 16, learning_rate: 1.0e-12 }
`,
    );
    const lines: string[] = [];
    const result = await finetune(await loadFinetuneConfig(file, path.join(dir, 'pre', 'last')), {
      logger: { info: (l: string) => lines.push(l) },
    });
    assert.equal(result.status, 'completed');
    using pre = loadCheckpoint(path.join(dir, 'pre', 'last'));
    using ft = loadCheckpoint(path.join(dir, 'ft', 'last'));
    const key = 'embeddings.word_embeddings.weight';
    const [V, H] = pre.encoder.get(key)!.shape as [number, number];
    assert.deepEqual(ft.encoder.get(key)!.shape, [V + 4, H]);
    const [a, b] = tidy(() => [pre.encoder.get(key)!.toArray() as number[][], ft.encoder.get(key)!.toArray() as number[][]]);
    for (let i = 0; i < V; i++) for (let h = 0; h < H; h++) assert.ok(Math.abs(a[i]![h]! - b[i]![h]!) < 1e-6, `row ${i} kept`);
    const fresh = b.slice(V).flat();
    const std = Math.sqrt(fresh.reduce((s, x) => s + x * x, 0) / fresh.length);
    assert.ok(std > 0.005 && std < 0.06, `new rows drawn from N(0, 0.02²): std ${std}`);
    assert.equal(Number(JSON.parse(readFileSync(path.join(dir, 'ft', 'last', 'config.json'), 'utf8')).vocab_size), V + 4);
  });
});
