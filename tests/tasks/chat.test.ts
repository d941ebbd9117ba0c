/**
 * The chat task type on hand-checked cases: a word-level tokenizer whose tokens can be counted by eye
 * gives the labels of a ChatML dialogue (ids on the assistant's words and its <|im_end|>, -100 on the
 * role headers and user turns); the loss equals a masked next-token cross-entropy computed here in
 * plain arithmetic from the logits; a long dialogue keeps whole turns; the reader names file:line and
 * field of a bad record; DailyDialog becomes alternating user / assistant turns.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { readChatJsonl, readDailyDialogChats, type ChatExample } from '../../src/data/index.js';
import { DataError } from '../../src/errors.js';
import { corpusBleu } from '../../src/metrics/index.js';
import { CausalLmHead, chat, taskSpec, taskTypes, type ChatOptions, type TaskSpec } from '../../src/tasks/index.js';
import { noGrad, tidy } from '../../src/tensor/index.js';
import { Tokenizer } from '../../src/tokenization/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { referenceDecoder } from '../models/decoder-fixture.js';
import { taskOf } from './helpers.js';

checkNoLeaks();

const VOCAB = ['[UNK]', '<|im_start|>', '<|im_end|>', 'user', 'assistant', 'system', 'hi', 'hello', 'there', 'bye', '[PAD]'];

/** A word-level tokenizer (whitespace and punctuation split) with ChatML's markers as special tokens. */
function wordTokenizer(): Tokenizer {
  const added = [1, 2].map((id) => ({
    id,
    content: VOCAB[id],
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])), unk_token: '[UNK]' },
  };
  return Tokenizer.fromString(JSON.stringify(json), { specialTokens: { pad: '[PAD]', unk: '[UNK]' } });
}

const source = { file: 'chats.jsonl', line: 1 };
const DIALOGUE: ChatExample = {
  id: '0',
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello there' },
    { role: 'user', content: 'bye' },
    { role: 'assistant', content: 'hi' },
  ],
  source,
};
// <|im_start|> user hi <|im_end|> <|im_start|> assistant hello there <|im_end|> <|im_start|> user bye <|im_end|> <|im_start|> assistant hi <|im_end|>
const IDS = [1, 3, 6, 2, 1, 4, 7, 8, 2, 1, 3, 9, 2, 1, 4, 6, 2];
const X = -100;
const LABELS = [X, X, X, X, X, X, 7, 8, 2, X, X, X, X, X, X, 6, 2];

const spec = (options: Record<string, unknown> = {}) =>
  taskSpec({ name: 'dlg', kind: 'chat', labels: ['[dialogue]'], options }) as TaskSpec<ChatOptions>;

describe('chat task type', () => {
  it('is registered; its options are checked', () => {
    assert.equal(taskTypes.get('chat'), chat);
    assert.throws(() => spec({ chatTemplate: '{% if %}' }), /not valid Jinja/);
    assert.throws(() => spec({ maxNewTokens: 0 }), /maxNewTokens/);
  });

  it('labels the assistant words and their <|im_end|>, nothing of the headers and user turns (hand-counted)', async () => {
    const { features, truncated } = await chat.featurize([DIALOGUE], wordTokenizer(), spec(), { maxLength: 64 });
    assert.equal(truncated, 0);
    assert.deepEqual(features[0]!.inputIds, IDS);
    assert.deepEqual(features[0]!.labels, LABELS);
  });

  it('a dialogue over max_length keeps its turns up to the last whole assistant turn (else cuts inside the first)', async () => {
    const tok = wordTokenizer();
    const [whole] = (await chat.featurize([DIALOGUE], tok, spec(), { maxLength: 14 })).features;
    assert.deepEqual(whole!.inputIds, IDS.slice(0, 9));
    assert.deepEqual(whole!.labels, LABELS.slice(0, 9));
    assert.equal(whole!.truncated, true);
    const [inside] = (await chat.featurize([DIALOGUE], tok, spec(), { maxLength: 7 })).features;
    assert.deepEqual(inside!.labels, LABELS.slice(0, 7));
  });

  it('prediction features are the prompt with the generation prompt, oldest turns dropped to leave room for the reply', async () => {
    const tok = wordTokenizer();
    const prompt = { ...DIALOGUE, messages: DIALOGUE.messages.slice(0, 3) };
    const o = spec({ maxNewTokens: 4 });
    const [all] = (await chat.featurize([prompt], tok, o, { maxLength: 64, training: false })).features;
    assert.deepEqual(all!.inputIds, [...IDS.slice(0, 13), 1, 4]); // … <|im_start|> assistant
    assert.equal(all!.labels, undefined);
    const [short] = (await chat.featurize([prompt], tok, o, { maxLength: 10, training: false })).features;
    assert.deepEqual(short!.inputIds, [1, 3, 9, 2, 1, 4]); // the first two turns dropped
    assert.equal((short as { droppedTurns?: number }).droppedTurns, 2);
  });

  it('the loss is the masked next-token cross-entropy of the assistant tokens, computed independently', async () => {
    const tok = wordTokenizer();
    const other: ChatExample = { id: '1', messages: [DIALOGUE.messages[0]!, { role: 'assistant', content: 'bye bye' }], source };
    const { features } = await chat.featurize([DIALOGUE, other], tok, spec(), { maxLength: 64 });
    const { model } = referenceDecoder('gpt2'); // vocabulary 99, random weights of the fixture
    const head = new CausalLmHead(99);
    head.tieTo(model);
    const task = taskOf(chat, spec(), head);
    try {
      tidy(() => {
        const batch = chat.collate(task, features);
        const logits = noGrad(() => head.forward(model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask })));
        const loss = chat.loss(task, logits, batch).item() as number;
        // −ln softmax(logits[b][t])[labels[b][t+1]], averaged over the labels that are not -100
        const L = logits.toArray() as number[][][];
        let sum = 0;
        let n = 0;
        features.forEach((f, b) => {
          for (let t = 0; t + 1 < f.labels!.length; t++) {
            const y = f.labels![t + 1]!;
            if (y === X) continue;
            const row = L[b]![t]!;
            const max = Math.max(...row);
            const logZ = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
            sum += logZ - row[y]!;
            n++;
          }
        });
        assert.equal(n, 5 + 3); // hello there <|im_end|> hi <|im_end|>; bye bye <|im_end|>
        assert.ok(Math.abs(loss - sum / n) < 1e-5, `loss ${loss} vs ${sum / n}`);
        const scores = chat.decode(task, logits, batch, [DIALOGUE, other]);
        assert.deepEqual(
          scores.map((s) => s.targetTokens),
          [5, 3],
        );
      });
    } finally {
      head.dispose();
      model.dispose();
    }
  });
});

describe('chat reply metrics', () => {
  const metrics = ['bleu', 'rouge', 'distinct', 'squad'];

  it('reply_metrics: checked; evaluation then scores teacher-forced and generated ("both"), else teacher-forced only', () => {
    assert.deepEqual(spec().options.replyMetrics, []);
    assert.equal(chat.labelledScoring!(spec().options), 'teacher-forced');
    assert.equal(chat.labelledScoring!(spec({ replyMetrics: metrics }).options), 'both');
    assert.throws(
      () => spec({ replyMetrics: ['bleu', 'meteor'] }),
      /chat: replyMetrics must be a list of distinct names among bleu, chrf, rouge, squad, distinct, got \["bleu","meteor"\]/,
    );
    assert.throws(() => spec({ replyMetrics: ['bleu', 'bleu'] }), /replyMetrics must be a list of distinct names/);
  });

  it('an evaluated dialogue carries the prompt of its last assistant turn: the turns before it, with the generation prompt', async () => {
    const o = spec({ replyMetrics: ['bleu'], maxNewTokens: 4 });
    const [f] = (await chat.featurize([DIALOGUE], wordTokenizer(), o, { maxLength: 64, training: false, split: 'dev' })).features;
    assert.deepEqual(f!.labels, LABELS); // the whole dialogue, scored teacher-forced as before
    assert.deepEqual((f as { reply?: unknown }).reply, { inputIds: [...IDS.slice(0, 13), 1, 4], droppedTurns: 0 }); // hi, hello there, bye; <|im_start|> assistant
    const [plain] = (await chat.featurize([DIALOGUE], wordTokenizer(), spec(), { maxLength: 64, training: false, split: 'dev' })).features;
    assert.equal((plain as { reply?: unknown }).reply, undefined, 'no reply prompt without reply_metrics');
  });

  it("scores each generated reply (hypothesis) against its dialogue's last assistant turn (reference); distinct-n counted by hand", () => {
    const last = (reply: string, first = 'hello there'): ChatExample => ({
      ...DIALOGUE,
      messages: [
        DIALOGUE.messages[0]!,
        { role: 'assistant', content: first },
        DIALOGUE.messages[2]!,
        { role: 'assistant', content: reply },
      ],
    });
    const gold = [last('the cat sat on the mat'), last('a b c')];
    const scores = { targetTokens: 4, nll: 4, correct: 2 };
    const predictions = [
      { exampleIndex: 1, ...scores, text: 'a b a b' },
      { exampleIndex: 0, ...scores, text: 'the cat sat on the mat today' },
    ];
    const m = chat.evaluate(predictions, gold, spec({ replyMetrics: metrics }));
    const hyps = ['the cat sat on the mat today', 'a b a b'];
    const refs = [['the cat sat on the mat'], ['a b c']];
    assert.equal(m.bleu, corpusBleu(hyps, refs).score / 100);
    assert.notEqual(
      m.bleu,
      corpusBleu(['the cat sat on the mat', 'a b c'], [[hyps[0]!], [hyps[1]!]]).score / 100,
      'not the other way round',
    );
    // unigrams: the cat sat on the mat today | a b a b → 11, distinct {the, cat, sat, on, mat, today, a, b} = 8
    assert.equal(m.distinct1, 8 / 11);
    // bigrams: 6 + 3 = 9, distinct: 6 + {a b, b a} = 8
    assert.equal(m.distinct2, 8 / 9);
    // ROUGE-L F1 of example 1: LCS 6 of 7 and 6 → 2·(6/7)·1 / (6/7 + 1) = 12/13; example 2: LCS(a b a b, a b c) = 2 → P 2/4, R 2/3, F 4/7
    assert.ok(Math.abs(m.rougeL! - (12 / 13 + 4 / 7) / 2) < 1e-12, `${m.rougeL}`);
    // SQuAD's token F1 drops articles: cat sat on mat today | cat sat on mat → P 4/5, R 1, F1 8/9; b b | b c → 1 common, F1 1/2
    assert.ok(Math.abs(m.f1! - (8 / 9 + 1 / 2) / 2) < 1e-12, `${m.f1}`);
    assert.equal(m.exactMatch, 0);
    assert.equal(m.accuracy, 4 / 8);
    assert.equal(m.targetTokens, 8);
    // without reply_metrics: the teacher-forced scores alone
    assert.deepEqual(Object.keys(chat.evaluate(predictions, gold, spec())).sort(), ['accuracy', 'perplexity', 'targetTokens']);
  });
});

describe('chat data', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-data-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const good = JSON.stringify({ messages: DIALOGUE.messages });

  it('reads {"messages": [...]} lines', () => {
    const { examples } = readChatJsonl(file('ok.jsonl', `${good}\n\n${good}\n`));
    assert.equal(examples.length, 2);
    assert.deepEqual(examples[1]!.messages, DIALOGUE.messages);
    assert.deepEqual(examples[1]!.source.line, 3);
  });

  const bad: [string, unknown, RegExp][] = [
    [
      'unknown role',
      { messages: [{ role: 'bot', content: 'x' }] },
      /messages\[0\]\.role must be one of system, user, assistant, got "bot"/,
    ],
    [
      'empty content',
      {
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: '  ' },
        ],
      },
      /messages\[1\]\.content is empty/,
    ],
    ['no assistant turn', { messages: [{ role: 'user', content: 'x' }] }, /has no assistant turn \(roles: user\)/],
    ['no messages', { text: 'x' }, /no "messages" field; its keys: text/],
  ];
  for (const [what, record, message] of bad)
    it(`names file:line and field: ${what}`, () => {
      const f = file(`${what.replace(/ /g, '-')}.jsonl`, `${good}\n${JSON.stringify(record)}\n`);
      assert.throws(
        () => readChatJsonl(f),
        (e: unknown) => e instanceof DataError && e.message.includes(`${f}:2`) && message.test(e.message),
      );
    });

  it('DailyDialog dialogues become alternating user / assistant turns', () => {
    const f = file('dialogues.txt', 'Hi ! __eou__ Hello . __eou__ How are you ? __eou__\n');
    const { examples } = readDailyDialogChats(f);
    assert.deepEqual(examples[0]!.messages, [
      { role: 'user', content: 'Hi !' },
      { role: 'assistant', content: 'Hello .' },
      { role: 'user', content: 'How are you ?' },
    ]);
  });
});
