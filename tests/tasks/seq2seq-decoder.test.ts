/**
 * The seq2seq task type on a decoder-only backbone (src/tasks/seq2seq-decoder.ts) against
 * scripts/fixtures/seq2seq_decoder.py, which builds the prompt-then-target sequences from the documented
 * rule and computes GPT2LMHeadModel's loss over the target tokens alone on the tiny GPT-2 of
 * scripts/fixtures/decoders.py: features (prefix, end token, truncation on either side, targets cut),
 * the loss with and without label smoothing, per-row scores, the masking (no gradient reaches a prompt
 * position's logits except the last, which predicts the first target token), greedy generation of the
 * continuation alone (batched = one by one = the reference), and the options a decoder brings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import {
  seq2seq,
  taskSpec,
  type Features,
  type PromptTargetFeatures,
  type Seq2seqExample,
  type Seq2seqOptions,
  type TaskSpec,
} from '../../src/tasks/index.js';
import { dispose, grad, tidy } from '../../src/tensor/index.js';
import { buildBertTokenizer } from '../../src/tokenization/bert.js';
import { Tokenizer } from '../../src/tokenization/index.js';
import { loadFixture } from '../helpers/fixtures.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { referenceDecoder } from '../models/decoder-fixture.js';

interface SideCase {
  truncation_side: 'right' | 'left';
  input_ids: number[][];
  prompt_lengths: number[];
  labels: number[][];
  loss: number;
  loss_smoothed: number;
  row_nll: number[];
  row_correct: number[];
  generated: { tokens: number[]; finish_reason: string }[];
}
interface Fixture {
  settings: { max_length: number; max_target_length: number; prefix: string; examples: [number[], number[]][] };
  right: SideCase;
  left: SideCase;
}

const fixture = loadFixture<Fixture>('seq2seq_decoder');
const { settings } = fixture;
checkNoLeaks();

// id i is token i: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4, w5 … w98 (the tiny GPT-2's 99 tokens)
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: 94 }, (_, i) => `w${i + 5}`)];
const tokenizer = buildBertTokenizer(VOCAB);
const words = (ids: readonly number[]) => ids.map((i) => `w${i}`).join(' ');
const source = { file: 'pairs.tsv', line: 1 };
const labelled: Seq2seqExample[] = settings.examples.map(([s, t], i) => ({ id: String(i), text: words(s), label: words(t), source }));
const unlabelled: Seq2seqExample[] = labelled.map(({ label: _, ...e }) => e);

function spec(options: Record<string, unknown> = {}): TaskSpec<Seq2seqOptions> {
  const o = { prefix: settings.prefix, maxTargetLength: settings.max_target_length, decoderOnly: true, ...options };
  return taskSpec({ name: 'mt', kind: 'seq2seq', labels: ['[text]'], options: o }) as TaskSpec<Seq2seqOptions>;
}

const featurize = (examples: readonly Seq2seqExample[], s: TaskSpec<Seq2seqOptions>, training = true) =>
  seq2seq.featurize(examples, tokenizer, s, { maxLength: settings.max_length, training, ...(training ? {} : { split: 'dev' as const }) });

/** The tiny GPT-2 with a seq2seq task on it, and the task as the type's methods take it. */
function gpt2Task(s: TaskSpec<Seq2seqOptions>) {
  const { model: backbone } = referenceDecoder('gpt2');
  const model = MultiTaskModel.fromSpecs(backbone, [s]).eval();
  const task = { type: seq2seq, spec: s, head: model.heads.get('mt'), state: undefined } as never;
  return { model, backbone, task };
}

describe('seq2seq on a decoder: features', () => {
  for (const side of ['right', 'left'] as const) {
    it(`prompt (prefix, source, [SEP]) then target and [SEP]; labels on the target alone; truncation '${side}' keeps the target`, async () => {
      const c = fixture[side];
      const { features, truncated, truncatedTargets } = await featurize(labelled, spec({ truncationSide: side }));
      const f = features as PromptTargetFeatures[];
      assert.deepEqual(
        f.map((x) => x.inputIds),
        c.input_ids,
      );
      assert.deepEqual(
        f.map((x) => x.labels),
        c.labels,
      );
      assert.deepEqual(
        f.map((x) => x.promptLength),
        c.prompt_lengths,
      );
      assert.deepEqual([truncated, truncatedTargets], [1, 1], 'the third example: source and target cut');
      assert.ok(f.every((x) => x.inputIds.length <= settings.max_length));
    });
  }

  it('an unlabelled example (prediction) is its prompt alone, as training cut it', async () => {
    const { features } = await featurize(unlabelled, spec(), false);
    assert.deepEqual(
      features.map((x) => x.inputIds),
      fixture.right.input_ids.map((ids, i) => ids.slice(0, fixture.right.prompt_lengths[i])),
    );
    assert.ok(features.every((x) => x.labels === undefined));
  });

  it('max_length that leaves no room for a prompt besides max_target_length is a ConfigError saying so', async () => {
    await assert.rejects(
      seq2seq.featurize(labelled, tokenizer, spec({ maxTargetLength: 10 }), { maxLength: 12 }),
      (e: Error) =>
        e instanceof ConfigError && /leaves 2 tokens for the prompt, fewer than its 2 special tokens and one source token/.test(e.message),
    );
  });

  it('a tokenizer that ends a text with nothing (GPT-2, Llama) needs end_token, which is appended to the prompt', async () => {
    const json = {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [{ id: 3, content: '<eos>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
      normalizer: null,
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: {
        type: 'WordLevel',
        vocab: Object.fromEntries(['<pad>', '<unk>', 'x', '<eos>', 'a', 'b'].map((t, i) => [t, i])),
        unk_token: '<unk>',
      },
    };
    const plain = Tokenizer.fromString(JSON.stringify(json), { specialTokens: { pad: '<pad>', unk: '<unk>' } });
    const example = { id: '0', text: 'a b', label: 'b a', source };
    const s = spec({ prefix: 'x ', maxTargetLength: 4 });
    await assert.rejects(seq2seq.featurize([example], plain, s, { maxLength: 10 }), /end_token option \(GPT-2's '<\|endoftext\|>'/);
    const { features } = await seq2seq.featurize([example], plain, spec({ prefix: 'x ', maxTargetLength: 4, endToken: '<eos>' }), {
      maxLength: 10,
    });
    assert.deepEqual(features[0]!.inputIds, [2, 4, 5, 3, 5, 4, 3]);
    assert.deepEqual(features[0]!.labels, [-100, -100, -100, -100, 5, 4, 3]);
    await assert.rejects(
      seq2seq.featurize([example], plain, spec({ endToken: '</s>' }), { maxLength: 10 }),
      /end_token "<\/s>" is not a token of the vocabulary/,
    );
  });
});

describe('seq2seq on a decoder: loss and scores equal PyTorch (tiny GPT-2)', () => {
  for (const side of ['right', 'left'] as const) {
    it(`${side}: mean cross-entropy over target tokens, with label smoothing 0.1, and each row's scores`, async () => {
      const c = fixture[side];
      const s = spec({ truncationSide: side });
      const smooth = spec({ truncationSide: side, labelSmoothing: 0.1 });
      const { features } = await featurize(labelled, s);
      const { model, task } = gpt2Task(s);
      const batch = seq2seq.collate({ spec: s, state: undefined }, features);
      try {
        tidy(() => {
          const logits = model.forward(batch, ['mt']).get('mt')!;
          const loss = seq2seq.loss(task, logits, batch).item() as number;
          assert.ok(Math.abs(loss - c.loss) < 1e-5, `loss ${loss} vs ${c.loss}`);
          const smoothed = seq2seq.loss({ ...(task as object), spec: smooth } as never, logits, batch).item() as number;
          assert.ok(Math.abs(smoothed - c.loss_smoothed) < 1e-5, `smoothed ${smoothed} vs ${c.loss_smoothed}`);
          const scores = seq2seq.decode(task, logits, batch, labelled);
          scores.forEach((p, i) => {
            assert.ok(Math.abs(p.nll! - c.row_nll[i]!) < 1e-4, `row ${i} nll ${p.nll} vs ${c.row_nll[i]}`);
            assert.equal(p.correct, c.row_correct[i]);
            assert.equal(p.targetTokens, c.input_ids[i]!.length - c.prompt_lengths[i]!);
          });
        });
      } finally {
        dispose(batch);
        model.dispose();
      }
    });
  }

  it('masking: the gradient reaches the logits of the last prompt position and the target positions only', async () => {
    const c = fixture.right;
    const s = spec();
    const { features } = await featurize(labelled, s);
    const { model, task } = gpt2Task(s);
    const batch = seq2seq.collate({ spec: s, state: undefined }, features);
    try {
      tidy(() => {
        const logits = model.forward(batch, ['mt']).get('mt')!.detach();
        logits.requiresGrad = true;
        const [g] = grad([seq2seq.loss(task, logits, batch)], [logits]);
        const rows = g!.abs().sum(2).toArray() as number[][]; // (B, T)
        // logits at t predict the token at t + 1: positions promptLength − 1 … length − 2 predict the target
        c.input_ids.forEach((ids, i) =>
          rows[i]!.forEach((v, t) => {
            const predictsTarget = t >= c.prompt_lengths[i]! - 1 && t < ids.length - 1;
            assert.equal(v > 0, predictsTarget, `row ${i} position ${t}`);
          }),
        );
      });
    } finally {
      dispose(batch);
      model.dispose();
    }
  });

  it('the prompt tokens are context, not targets: changing a prompt token changes the loss, changing its label does not exist', async () => {
    // same targets, one prompt token changed: the loss moves (the prompt conditions the target) but
    // the number of scored tokens does not (the prompt is never scored)
    const s = spec();
    const other = labelled.map((e, i) => (i === 0 ? { ...e, text: 'w10 w11 w13' } : e));
    const { model, task } = gpt2Task(s);
    try {
      const scored = async (examples: Seq2seqExample[]) => {
        const { features } = await featurize(examples, s);
        const batch = seq2seq.collate({ spec: s, state: undefined }, features);
        try {
          return tidy(() => seq2seq.decode(task, model.forward(batch, ['mt']).get('mt')!, batch, examples)[0]!);
        } finally {
          dispose(batch);
        }
      };
      const [a, b] = [await scored(labelled), await scored(other)];
      assert.equal(a.targetTokens, b.targetTokens);
      assert.notEqual(a.nll, b.nll);
    } finally {
      model.dispose();
    }
  });
});

describe('seq2seq on a decoder: generation', () => {
  it('generates the continuation alone, batched = one by one = the reference greedy decoding; labelled rows generate from their prompt', async () => {
    const s = spec({ maxNewTokens: settings.max_target_length });
    const { model, backbone, task } = gpt2Task(s);
    const expected = await Promise.all(fixture.right.generated.map((g) => tokenizer.decode(g.tokens).then((t) => t.trim())));
    const run = async (features: readonly Features[], examples: readonly Seq2seqExample[]) => {
      const batch = seq2seq.collate({ spec: s, state: undefined }, features);
      try {
        return (await seq2seq.generate!({ task, backbone, tokenizer, batch, examples } as never)).map((p) => p.text);
      } finally {
        dispose(batch);
      }
    };
    try {
      const prompts = (await featurize(unlabelled, s, false)).features;
      assert.deepEqual(await run(prompts, unlabelled), expected);
      for (const [i, f] of prompts.entries()) assert.deepEqual(await run([f], unlabelled), [expected[i]]);
      const whole = (await featurize(labelled, s, false)).features;
      assert.deepEqual(await run(whole, labelled), expected);
    } finally {
      model.dispose();
    }
  });
});

describe('seq2seq on a decoder: llama', () => {
  it('the tiny Llama (rotary positions from the mask) trains and generates with left padding: batched = one by one', async () => {
    const s = spec({ maxNewTokens: 4 });
    const { model: backbone } = referenceDecoder('llama');
    const model = MultiTaskModel.fromSpecs(backbone, [s]).eval();
    const task = { type: seq2seq, spec: s, head: model.heads.get('mt'), state: undefined } as never;
    const generated = async (features: readonly Features[]) => {
      const batch = seq2seq.collate({ spec: s, state: undefined }, features);
      try {
        return (await seq2seq.generate!({ task, backbone, tokenizer, batch, examples: unlabelled } as never)).map((p) => p.text);
      } finally {
        dispose(batch);
      }
    };
    try {
      const { features } = await featurize(labelled, s);
      const batch = seq2seq.collate({ spec: s, state: undefined }, features);
      const loss = tidy(() => seq2seq.loss(task, model.forward(batch, ['mt']).get('mt')!, batch).item() as number);
      dispose(batch);
      assert.ok(Number.isFinite(loss) && loss > 0, `loss ${loss}`);
      const prompts = (await featurize(unlabelled, s, false)).features;
      const together = await generated(prompts);
      for (const [i, f] of prompts.entries()) assert.deepEqual(await generated([f]), [together[i]]);
    } finally {
      model.dispose();
    }
  });
});

describe('seq2seq on a decoder: options', () => {
  it('completeWithBackbone records the layout and refuses an encoder', () => {
    const o = seq2seq.resolveOptions({});
    assert.equal(o.decoderOnly, false);
    assert.equal(seq2seq.completeWithBackbone!(o, 'decoder').decoderOnly, true);
    assert.equal(seq2seq.completeWithBackbone!(o, 'encoder-decoder').decoderOnly, false);
    assert.throws(() => seq2seq.completeWithBackbone!(o, 'encoder'), /an encoder \(bert, roberta, …\) cannot do; use an encoder-decoder/);
  });

  it('the head is the LM head tied to the word embeddings; export as the family’s causal-LM class', () => {
    const s = spec();
    const { model } = gpt2Task(s);
    try {
      assert.equal(model.heads.get('mt').constructor.name, 'CausalLmHead');
      assert.equal(seq2seq.exportHf!(s).head, 'CausalLM');
      assert.equal(seq2seq.exportHf!(spec({ decoderOnly: false })).head, 'Seq2SeqLM');
    } finally {
      model.dispose();
    }
  });

  it('end_token must be a token', () => {
    assert.throws(() => spec({ endToken: '' }), /endToken must be a token/);
    assert.equal(seq2seq.resolveOptions({}).endToken, null);
  });
});
