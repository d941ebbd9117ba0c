/**
 * Replies to conversations with a chat checkpoint (a tiny gpt2 trained 2 steps on counting dialogues,
 * ChatML): `TextGenerator.generate({ messages })` and `mtl generate CKPT --messages FILE` give the
 * tokens `generate` gives for the ChatML text of the messages (written out by hand here) with the
 * generation prompt, stopping at `<|im_end|>`, within the task's max_new_tokens (4); the text is those
 * tokens' text, trimmed; the Predictor (`mtl predict`) replies with the same tokens. Conversations
 * that cannot be replied to are refused naming the field or line: a bad role, an empty list, a last
 * message from the assistant, a task that is not a chat task, an unknown task, a Hugging Face folder
 * without a chat template (tests/predict/hf-chat-reply.test.ts: one with a template replies).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from '../../src/generate/index.js';
import { causalLmDecoder } from '../../src/models/causal-lm.js';
import { ContinuationText } from '../../src/predict/continuation-text.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { Predictor } from '../../src/predict/predict.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { modelFromCheckpoint } from '../../src/run/load-model.js';
import type { CausalLmHead } from '../../src/tasks/index.js';
import { Tokenizer } from '../../src/tokenization/index.js';
import { runGenerateCli } from '../helpers/cli.js';
import { writeHfFolder } from '../helpers/hf-folder.js';
import { trainTinyChat } from '../tasks/chat-fixture.js';

const MESSAGES = [
  { role: 'user', content: 'four' },
  { role: 'assistant', content: 'five' },
  { role: 'user', content: 'six' },
] as const;

/** MESSAGES in ChatML with the generation prompt, written out by hand (not through the template code). */
const RENDERED =
  '<|im_start|>user\nfour<|im_end|>\n<|im_start|>assistant\nfive<|im_end|>\n<|im_start|>user\nsix<|im_end|>\n<|im_start|>assistant\n';

describe('replies to conversations (mtl generate --messages)', () => {
  let dir = '';
  let best = '';
  /** The tokens and text `generate` gives for RENDERED, as computed here. */
  let want: { tokens: number[]; text: string };
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-reply-'));
    best = await trainTinyChat(dir);
    using ckpt = loadCheckpoint(best, { optimizer: false });
    using model = modelFromCheckpoint(ckpt).eval();
    const tokenizer = Tokenizer.fromFile(ckpt.tokenizerFile);
    const [enc] = await tokenizer.encodeBatch([RENDERED], { addSpecialTokens: false });
    const eos = tokenizer.tokenToId('<|im_end|>')!;
    const head = model.heads.get('dlg') as CausalLmHead;
    const decoder = causalLmDecoder(model.backbone, (h) => head.forward({ lastHiddenState: h }));
    const [g] = await generate(decoder, [enc!.inputIds], { maxNewTokens: 4, eosTokenId: eos });
    const decode = (t: readonly number[]) => tokenizer.decode(t);
    want = { tokens: g!.tokens, text: (await ContinuationText.of(decode, enc!.inputIds, g!.tokens)).trim() };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("gives generate's tokens for the rendered messages, within the task's max_new_tokens, streamed in pieces", async () => {
    using generator = TextGenerator.load(best);
    const pieces: string[] = [];
    const reply = await generator.generate({ messages: MESSAGES }, {}, (piece) => void pieces.push(piece));
    assert.ok(want.tokens.length > 0 && want.text !== '', 'the tiny model says something');
    assert.deepEqual(reply.tokens, want.tokens);
    assert.ok(reply.tokens.length <= 4);
    assert.equal(reply.text, want.text);
    assert.equal(pieces.join(''), reply.text);
    assert.equal(reply.droppedTurns, 0);
    // the Predictor (mtl predict, POST /predict) replies with the same tokens
    using predictor = Predictor.load(best);
    const [record] = await predictor.predict([{ text: 'six', messages: [...MESSAGES] }]);
    assert.equal((record!.predictions.dlg as { text: string }).text, (await generator.tokenizer.decode(reply.tokens)).trim());
  });

  it('mtl generate --messages: a JSON list, {"messages"} and JSON lines; one reply per line', async () => {
    const list = path.join(dir, 'one.json');
    writeFileSync(list, JSON.stringify(MESSAGES, null, 2)); // one conversation over several lines
    assert.deepEqual(await runGenerateCli([best, '--messages', list]), { code: 0, text: `${want.text}\n`, errors: [] });
    const lines = path.join(dir, 'two.jsonl');
    writeFileSync(lines, `${JSON.stringify({ messages: MESSAGES })}\n\n${JSON.stringify(MESSAGES)}\n`);
    assert.deepEqual(await runGenerateCli([best, '--messages', lines, '--task', 'dlg']), {
      code: 0,
      text: `${want.text}\n${want.text}\n`,
      errors: [],
    });
    // a flag overrides the task's max_new_tokens: one token at most
    using generator = TextGenerator.load(best);
    const one = await generator.generate({ messages: MESSAGES }, { maxNewTokens: 1 });
    assert.deepEqual(one.tokens, want.tokens.slice(0, 1));
    assert.equal((await runGenerateCli([best, '--messages', list, '--max-new-tokens', '1'])).text, `${one.text}\n`);
  });

  it('refuses what cannot be replied to, naming the field, the line or the tasks', async () => {
    const write = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const cases: [string[], number, RegExp][] = [
      [
        [best, '--messages', write('role.json', '[{"role": "bot", "content": "hi"}]')],
        1,
        /role\.json: messages\[0\]\.role must be one of system, user, assistant, got "bot"/,
      ],
      [[best, '--messages', write('empty.json', '[]')], 1, /empty\.json: "messages" must be a non-empty list/],
      [
        [best, '--messages', write('last.jsonl', `${JSON.stringify(MESSAGES)}\n${JSON.stringify(MESSAGES.slice(0, 2))}\n`)],
        1,
        /last\.jsonl:2: messages\[1\] \(the last message\) is from the assistant; the model writes the assistant's next turn, so the conversation must end with the message it answers/,
      ],
      [
        [best, '--messages', write('ok.json', JSON.stringify(MESSAGES)), '--task', 'nope'],
        1,
        /the checkpoint has no task 'nope'; its tasks: 'dlg' \(chat\)/,
      ],
      [[best, 'a prompt', '--messages', path.join(dir, 'ok.json')], 2, /give --messages FILE alone/],
      [
        [best, 'a prompt', '--task', 'dlg'],
        1,
        /'dlg' is not a seq2seq task of the model \(it has none\); a prompt is the source of a seq2seq task/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = await runGenerateCli(args);
      assert.equal(r.code, code, args.join(' '));
      assert.match(r.errors.join('\n'), message);
    }
  });

  it('a task that is not a chat task, and a Hugging Face folder, take no messages', async () => {
    const lm = path.join(dir, 'as-causal-lm');
    cpSync(best, lm, { recursive: true });
    const tasksFile = path.join(lm, 'tasks.json');
    const records = JSON.parse(readFileSync(tasksFile, 'utf8')) as { tasks: Record<string, unknown>[] };
    records.tasks = records.tasks.map((t) => ({ ...t, type: 'causal-lm', options: {} })); // same head (tied, no tensors of its own)
    writeFileSync(tasksFile, JSON.stringify(records));
    using generator = TextGenerator.load(lm);
    await assert.rejects(
      generator.generate({ messages: MESSAGES, task: 'dlg' }),
      /task 'dlg' is a causal-lm task, which takes no messages; messages go to a chat task, whose chat template renders them, and this checkpoint has none/,
    );
    await assert.rejects(
      generator.generate({ messages: MESSAGES }),
      /the checkpoint has no task that takes messages \(its tasks: 'dlg' \(causal-lm\)\)/,
    );
    using gpt2 = TextGenerator.load(writeHfFolder(path.join(dir, 'gpt2'), 'gpt2', 'tokenizer.json'));
    await assert.rejects(
      gpt2.generate({ messages: MESSAGES }),
      /gpt2 is a Hugging Face folder without a chat template, so it cannot render messages/,
    );
  });
});
