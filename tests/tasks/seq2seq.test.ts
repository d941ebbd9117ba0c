/**
 * The seq2seq task type (src/tasks/seq2seq.ts) on the tiny T5 models of scripts/fixtures/t5.py: the
 * teacher-forced loss (labels shifted right behind the decoder start token, mean cross-entropy over
 * real target tokens, with and without label smoothing) and each row's scores equal
 * scripts/fixtures/seq2seq.py's; features (prefix, end token, truncation), collation and options.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detokenize } from '../../src/data/detokenize.js';
import { generate } from '../../src/generate/index.js';
import { shiftTokensRight, type EncoderDecoderBackbone } from '../../src/models/encoder-decoder.js';
import { decoderPrompts, encoderDecoderLm } from '../../src/models/encoder-decoder-lm.js';
import { backboneFamily } from '../../src/models/registry.js';
import { AdamW } from '../../src/optim/adamw.js';
import { buildBertTokenizer } from '../../src/tokenization/bert.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import {
  seq2seq,
  textMetrics,
  taskSpec,
  type Seq2seqOptions,
  type TaskSpec,
  type TextToTextFeatures,
  type TextToTextHead,
} from '../../src/tasks/index.js';
import { dispose, manualSeed, tensor, tidy } from '../../src/tensor/index.js';
import { loadFixture, type TensorFixture, values } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { loadCase, type EncoderDecoderCase } from '../models/encoder-decoder-parity.js';

interface LossCase {
  weights: string;
  config: Record<string, unknown>;
  input_ids: number[][];
  labels: number[][];
  decoder_input_ids: TensorFixture;
  loss: number;
  loss_smoothed: number;
  row_nll: number[];
  row_correct: number[];
}

const cases = loadFixture<Record<string, LossCase>>('seq2seq');
checkNoLeaks();

function spec(options: Record<string, unknown> = {}): TaskSpec<Seq2seqOptions> {
  return taskSpec({ name: 'mt', kind: 'seq2seq', labels: ['[text]'], options }) as TaskSpec<Seq2seqOptions>;
}

function features(c: LossCase): TextToTextFeatures[] {
  return c.input_ids.map((inputIds, i) => ({ exampleIndex: i, inputIds, labels: c.labels[i]!, truncated: false, endTokenId: 1 }));
}

describe('seq2seq: the teacher-forced loss equals PyTorch', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: loss, smoothed loss and per-row scores`, () => {
      const { model: backbone } = loadCase({ config: c.config, weights: c.weights } as unknown as EncoderDecoderCase);
      const plain = spec();
      const smooth = spec({ labelSmoothing: 0.1 });
      const model = MultiTaskModel.fromSpecs(backbone, [plain]).eval();
      try {
        {
          const batch = seq2seq.collate({ spec: plain, state: undefined }, features(c));
          tidy(() => {
            const task = { type: seq2seq, spec: plain, head: model.heads.get('mt'), state: undefined } as never;
            assert.deepEqual(shiftTokensRight(batch.labels!, 0, 0).toArray(), reshape(c.decoder_input_ids));
            const logits = model.forward(batch, ['mt']).get('mt')!;
            const loss = seq2seq.loss(task, logits, batch).item() as number;
            assert.ok(Math.abs(loss - c.loss) < 1e-5, `loss ${loss} vs ${c.loss}`);
            const smoothed = seq2seq.loss({ ...(task as object), spec: smooth } as never, logits, batch).item() as number;
            assert.ok(Math.abs(smoothed - c.loss_smoothed) < 1e-5, `smoothed ${smoothed} vs ${c.loss_smoothed}`);
            const examples = c.input_ids.map((_, i) => ({ id: String(i), text: '', source: { file: 'fixture', line: i + 1 } }));
            const scores = seq2seq.decode(task, logits, batch, examples);
            scores.forEach((s, i) => {
              assert.ok(Math.abs(s.nll! - c.row_nll[i]!) < 1e-4, `row ${i} nll ${s.nll} vs ${c.row_nll[i]}`);
              assert.equal(s.correct, c.row_correct[i]);
              assert.equal(s.targetTokens, c.labels[i]!.length);
            });
          });
          for (const t of [batch.inputIds, batch.attentionMask, batch.labels!]) t.dispose();
        }
      } finally {
        model.dispose();
      }
    });
  }

  it('shiftTokensRight: targets behind the start token, -100 read as pad', () => {
    tidy(() => {
      const labels = tensor(
        [
          [5, 6, 1, -100],
          [7, 1, -100, -100],
        ],
        { dtype: 'int64' },
      );
      assert.deepEqual(shiftTokensRight(labels, 2, 0).toArray(), [
        [2, 5, 6, 1],
        [2, 7, 1, 0],
      ]);
    });
  });
});

function reshape(f: TensorFixture): number[][] {
  const [B, U] = f.shape as [number, number];
  const flat = values(f) as number[];
  return Array.from({ length: B }, (_, i) => flat.slice(i * U, (i + 1) * U));
}

describe('seq2seq: metrics', () => {
  it('BLEU and chrF as fractions of sacreBLEU’s scores; ROUGE F1; SQuAD EM and F1', () => {
    const m = textMetrics(['the cat sat on the mat'], [['the cat sat on the mat']], ['bleu', 'chrf', 'rouge', 'squad']);
    for (const k of ['bleu', 'chrf', 'rouge1', 'rouge2', 'rougeL', 'exactMatch', 'f1'])
      assert.ok(Math.abs(m[k]! - 1) < 1e-9, `${k} ${m[k]}`);
    // hand-checked: 'x y' vs 'x z' → token F1 = 2·(1/2·1/2)/(1/2+1/2) = 0.5, EM 0
    const q = textMetrics(['x y'], [['x z']], ['squad']);
    assert.deepEqual(q, { exactMatch: 0, f1: 0.5 });
  });

  // Hand-derived from the definitions (Lin 2004; rouge-score's score_multi keeps, per type, the reference with the best F1):
  // 1. 'the model learns fast' vs 'the model learns quickly': 3 of 4 unigrams (F 3/4), 2 of 3 bigrams (F 2/3), LCS 3 (F 3/4);
  //    vs 'a model is slow': unigram F 1/4, no bigram, LCS 1 — the second reference wins every type.
  // 2. 'a b c d' vs 'd c b a': unigrams 4/4 (F 1), no bigram, LCS 1 (F 1/4); vs 'a b x x x x x x': unigrams
  //    P 2/4 R 2/8 (F 1/3), bigram 'a b' P 1/3 R 1/7 (F 0.2), LCS 2 (F 1/3) — ROUGE-1 from one reference, ROUGE-2 and L from the other.
  const hypotheses = ['the model learns fast', 'a b c d'];
  const references = [
    ['a model is slow', 'the model learns quickly'],
    ['a b x x x x x x', 'd c b a'],
  ];
  const expected = { rouge1: (3 / 4 + 1) / 2, rouge2: (2 / 3 + 0.2) / 2, rougeL: (3 / 4 + 1 / 3) / 2 };

  it('ROUGE with several references: the mean over examples of the best F1 per example and type', () => {
    const m = textMetrics(hypotheses, references, ['rouge']);
    for (const [k, v] of Object.entries(expected)) assert.ok(Math.abs(m[k]! - v) < 1e-12, `${k} ${m[k]} vs ${v}`);
  });

  it('evaluate scores against every reference of an example; without references, against its label', () => {
    const s = spec({ metrics: ['rouge'] });
    const predictions = hypotheses.map((text, exampleIndex) => ({ exampleIndex, text }));
    const source = { file: 'f', line: 1 };
    const gold = references.map((refs, i) => ({ id: String(i), text: 'src', label: refs[0]!, references: refs, source }));
    const m = seq2seq.evaluate(predictions, gold, s);
    for (const [k, v] of Object.entries(expected)) assert.ok(Math.abs(m[k]! - v) < 1e-12, `${k} ${m[k]} vs ${v}`);
    // the first references alone: 1/4 and 1/3 (ROUGE-1), 0 and 0.2 (ROUGE-2), 1/4 and 1/3 (ROUGE-L)
    const first = seq2seq.evaluate(
      predictions,
      gold.map(({ references: _, ...g }) => g),
      s,
    );
    assert.ok(Math.abs(first.rouge1! - (1 / 4 + 1 / 3) / 2) < 1e-12, `rouge1 ${first.rouge1}`);
    assert.ok(Math.abs(first.rouge2! - 0.1) < 1e-12, `rouge2 ${first.rouge2}`);
    assert.ok(Math.abs(first.rougeL! - (1 / 4 + 1 / 3) / 2) < 1e-12, `rougeL ${first.rougeL}`);
  });

  it('rouge_stemmer: Porter stems before ROUGE ("learns" = "learning")', () => {
    const plain = textMetrics(['the model learning'], [['the model learns']], ['rouge']);
    const stemmed = textMetrics(['the model learning'], [['the model learns']], ['rouge'], { rougeStemmer: true });
    assert.ok(Math.abs(plain.rouge1! - 2 / 3) < 1e-12 && stemmed.rouge1 === 1, `${plain.rouge1} ${stemmed.rouge1}`);
    assert.equal(seq2seq.resolveOptions({ rougeStemmer: true }).rougeStemmer, true);
    assert.throws(() => seq2seq.resolveOptions({ rougeStemer: true }), /did you mean 'rouge_stemmer'/);
  });

  it('detokenize (default off): generated text as normal text, which is what BLEU against detokenized references needs', () => {
    assert.equal(seq2seq.resolveOptions({}).detokenize, false);
    assert.equal(seq2seq.resolveOptions({ detokenize: true }).detokenize, true);
    assert.throws(() => seq2seq.resolveOptions({ detokenise: true }), /did you mean 'detokenize'/);
    assert.throws(() => seq2seq.resolveOptions({ detokenize: 'yes' }), /detokenize/);
    // 13a splits ',' and '.' but not the apostrophe: a WordPiece decode's "I ' m" is 3 tokens against the reference's "I'm"
    const decoded = "I ' m fine , thanks .";
    const reference = [["I'm fine, thanks."]];
    assert.ok(textMetrics([decoded], reference, ['bleu']).bleu! < 0.6);
    assert.ok(Math.abs(textMetrics([detokenize(decoded)], reference, ['bleu']).bleu! - 1) < 1e-12);
  });

  it('distinct-1/2 of the hypotheses over their 13a tokens (Li et al., 2016), whatever the references', () => {
    // 13a: "sir." → "sir ." and "I'm" stays whole; tokens "hi , sir ." + "hi , sir ." + "I'm fine"
    // unigrams: 10, distinct hi , sir . I'm fine = 6; bigrams: 3 + 3 + 1 = 7, distinct "hi ," ", sir" "sir ." "I'm fine" = 4
    const m = textMetrics(['hi, sir.', 'hi , sir .', "I'm fine"], [['a'], ['b'], ['c']], ['distinct']);
    assert.deepEqual(m, { distinct1: 6 / 10, distinct2: 4 / 7 });
    assert.equal(textMetrics(['Hi', 'hi'], [['a'], ['b']], ['distinct'], { lowercase: true }).distinct1, 1 / 2);
  });
});

describe('seq2seq: report', () => {
  it('each example’s output beside its source and reference, in data order', () => {
    const gold = [
      { id: 'a', text: 'hi', label: 'hello', source: { file: 'f', line: 1 } },
      { id: 'b', text: 'bye', source: { file: 'f', line: 2 } },
    ];
    const predictions = [
      { exampleIndex: 1, text: 'ciao' },
      { exampleIndex: 0, text: 'hey' },
    ];
    assert.deepEqual(seq2seq.report!(predictions, gold, spec()), {
      outputs: [
        { id: 'a', source: 'hi', reference: 'hello', output: 'hey' },
        { id: 'b', source: 'bye', reference: null, output: 'ciao' },
      ],
    });
  });
});

describe('seq2seq: truncation side', () => {
  // [CLS] 2, [SEP] 3; a 5 … e 9, | 10
  const tok = buildBertTokenizer(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'c', 'd', 'e', '|']);
  const example = { id: '1', text: 'a b | c d | e', label: 'e', source: { file: 'x', line: 1 } };
  for (const [side, ids] of [
    ['right', [2, 5, 6, 10, 3]],
    ['left', [2, 8, 10, 9, 3]],
  ] as const) {
    it(`'${side}' keeps the ${side === 'left' ? 'last' : 'first'} tokens of a long source (a dialogue's latest turns)`, async () => {
      const s = spec(side === 'right' ? {} : { truncationSide: side });
      const { features, truncated } = await seq2seq.featurize([example], tok, s, { maxLength: 5 });
      assert.deepEqual(features[0]!.inputIds, ids);
      assert.equal(truncated, 1);
    });
  }
  it('rejects another side', () => {
    assert.throws(() => spec({ truncationSide: 'middle' }), /must be 'right' or 'left', got "middle"/);
  });
});

describe('seq2seq: a tiny BART learns to copy', () => {
  it('teacher-forced loss falls from ln V and greedy generation copies unseen sources', async () => {
    manualSeed(1);
    const family = backboneFamily('bart');
    const config = { vocabSize: 20, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64 };
    const backbone = family.create(family.config({ ...config, hiddenDropoutProb: 0, maxPositionEmbeddings: 64 }));
    const s = spec();
    const model = MultiTaskModel.fromSpecs(backbone, [s]);
    const task = { type: seq2seq, spec: s, head: model.heads.get('mt'), state: undefined } as never;
    const optimizer = new AdamW([...model.parameters()], { lr: 3e-3 });
    let x = 5;
    const random = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    // sources [CLS]=2 w₁…w₄ [SEP]=3 over 12 word ids; targets w₁…w₄ [SEP]
    const rows = (n: number): TextToTextFeatures[] =>
      Array.from({ length: n }, (_, i) => {
        const w = Array.from({ length: 4 }, () => 4 + Math.floor(random() * 12));
        return { exampleIndex: i, inputIds: [2, ...w, 3], labels: [...w, 3], truncated: false, endTokenId: 3 };
      });
    const losses: number[] = [];
    try {
      for (let step = 0; step < 300; step++) {
        const batch = seq2seq.collate({ spec: s, state: undefined }, rows(16));
        losses.push(
          tidy(() => {
            const loss = seq2seq.loss(task, model.forward(batch, ['mt']).get('mt')!, batch);
            loss.backward();
            return loss.item() as number;
          }),
        );
        optimizer.step();
        optimizer.zeroGrad();
        dispose(batch);
      }
      model.eval();
      const test = rows(20);
      const batch = seq2seq.collate({ spec: s, state: undefined }, test);
      const decoder = encoderDecoderLm(backbone as EncoderDecoderBackbone, batch, (h) =>
        (model.heads.get('mt') as TextToTextHead).lmLogits(h),
      );
      const out = await generate(decoder, decoderPrompts(backbone as EncoderDecoderBackbone, 20), { maxNewTokens: 8, eosTokenId: 3 });
      dispose(batch);
      const copied = out.filter((g, i) => g.tokens.join() === test[i]!.labels!.slice(0, -1).join()).length;
      const tail = losses.slice(-20).reduce((a, b) => a + b, 0) / 20;
      // ln 20 ≈ 3.0 at first; copying needs cross-attention to the right source position
      assert.ok(losses[0]! > 2.5 && tail < 0.5, `loss ${losses[0]} → ${tail}`);
      assert.ok(copied >= 18, `${copied} of 20 unseen sources copied exactly`);
    } finally {
      optimizer.dispose?.();
      model.dispose();
    }
  });
});
