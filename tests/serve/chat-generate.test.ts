/**
 * `POST /generate` with `{"messages": [...]}` on a chat checkpoint (a tiny gpt2 trained 2 steps), the
 * model on its worker thread: the reply equals `mtl generate --messages` (TextGenerator's) for the
 * same messages, streamed or not; bad conversations are 400s naming the field (a bad role, an empty
 * list, a last message from the assistant, `inputs` beside `messages`, an unknown task; a chat task named
 * beside `inputs` is refused as `mtl generate --task` refuses it: no seq2seq task), a conversation over the character limit a 413; the server goes on serving. A Hugging Face
 * decoder folder with a chat template (a tiny random-weight llama folder, tokenizer_config.json's
 * `chat_template`, no tasks.json) replies the same way with its own template; a "task" is a 400 there
 * (a folder has none), and max_new_tokens beyond the model's positions a 400 naming max_position_embeddings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TextGenerator } from '../../src/predict/generate.js';
import type { ChatMessage } from '../../src/tokenization/index.js';
import { serving, streamedText } from '../helpers/generate-server.js';
import { ROLE_TOKENS, ROLE_TOKENS_JINJA, writeHfChatFolder } from '../helpers/hf-chat-folder.js';
import { trainTinyChat } from '../tasks/chat-fixture.js';

const MESSAGES: ChatMessage[] = [
  { role: 'user', content: 'four' },
  { role: 'assistant', content: 'five' },
  { role: 'user', content: 'six' },
];

describe('POST /generate with messages', () => {
  let dir = '';
  let best = '';
  let served: Awaited<ReturnType<typeof serving>> | undefined;
  const post = (body: unknown) => served!.post(body);

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-generate-'));
    best = await trainTinyChat(dir);
    served = await serving(best, { maxTextChars: 12 }); // 'four' + 'five' + 'six' = 11 characters
  });
  after(async () => {
    await served?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replies as mtl generate --messages does, streamed or not', async () => {
    using generator = TextGenerator.load(best);
    const want = await generator.generate({ messages: MESSAGES });
    const res = await post({ messages: MESSAGES, task: 'dlg' });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { generated_text: string; details: { generated_tokens: number; finish_reason: string } };
    assert.equal(body.generated_text, want.text);
    assert.equal(body.details.generated_tokens, want.tokens.length);
    assert.equal(body.details.finish_reason, want.finishReason);
    const streamed = await streamedText(await post({ messages: MESSAGES, stream: true }));
    assert.equal(streamed.last.token, null);
    assert.equal(streamed.last.generated_text, want.text);
    assert.equal(streamed.joined, want.text);
    // parameters override the task's decoding options
    const one = (await (await post({ messages: MESSAGES, parameters: { max_new_tokens: 1 } })).json()) as {
      details: { generated_tokens: number };
    };
    assert.equal(one.details.generated_tokens, Math.min(1, want.tokens.length));
  });

  it('bad conversations: 400s naming the field, 413 over the character limit; the server goes on serving', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ messages: [{ role: 'bot', content: 'hi' }] }, 400, /^messages\[0\]\.role must be one of system, user, assistant, got "bot"/],
      [{ messages: [] }, 400, /^"messages" must be a non-empty list/],
      [
        { messages: MESSAGES.slice(0, 2) },
        400,
        /^messages\[1\] \(the last message\) is from the assistant; the model writes the assistant's next turn/,
      ],
      [
        { messages: MESSAGES, inputs: 'six' },
        400,
        /^give "inputs" \(a prompt\) or "messages" \(a conversation for a chat task\), not both/,
      ],
      [
        { inputs: 'six', task: 'dlg' },
        400,
        /^generation failed: generate: 'dlg' is not a seq2seq task of the model \(it has none\); .*\(a chat task replies to conversations: --messages FILE, or "messages" in a request\)/,
      ],
      [{ messages: MESSAGES, task: 'nope' }, 400, /^generation failed: the checkpoint has no task 'nope'; its tasks: 'dlg' \(chat\)/],
      [
        { messages: [...MESSAGES, { role: 'assistant', content: 'seven' }, { role: 'user', content: 'eight' }] },
        413,
        /^messages: a conversation of 21 characters; at most 12/,
      ],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(((await res.json()) as { error: string }).error, message);
    }
    assert.equal((await post({ messages: MESSAGES })).status, 200);
  });
});

describe("POST /generate with messages on a Hugging Face folder's chat template", () => {
  let root = '';
  let dir = '';
  let served: Awaited<ReturnType<typeof serving>> | undefined;
  const post = (body: unknown) => served!.post(body);

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'mtl-hf-chat-serve-'));
    dir = writeHfChatFolder(path.join(root, 'llama'), 'llama', {
      template: ROLE_TOKENS_JINJA,
      markers: ROLE_TOKENS,
      tokenizerConfig: { bos_token: '<s>', eos_token: '</s>' },
    }).dir;
    served = await serving(dir);
  });
  after(async () => {
    await served?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('replies as mtl generate --messages does, streamed or not', async () => {
    using generator = TextGenerator.load(dir);
    const want = await generator.generate({ messages: MESSAGES }, { maxNewTokens: 12 });
    assert.ok(want.text !== '', 'the tiny model says something');
    const res = await post({ messages: MESSAGES, parameters: { max_new_tokens: 12 } });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { generated_text: string; details: { generated_tokens: number; finish_reason: string } };
    assert.equal(body.generated_text, want.text);
    assert.equal(body.details.generated_tokens, want.tokens.length);
    assert.equal(body.details.finish_reason, want.finishReason);
    const streamed = await streamedText(await post({ messages: MESSAGES, parameters: { max_new_tokens: 12 }, stream: true }));
    assert.equal(streamed.last.generated_text, want.text);
    assert.equal(streamed.joined, want.text);
  });

  it('a task, or no room for the reply, is a 400 saying why; the server goes on serving', async () => {
    const cases: [unknown, RegExp][] = [
      [
        { messages: MESSAGES, task: 'dlg', parameters: { max_new_tokens: 4 } },
        /is a Hugging Face folder \(no tasks\.json\): its chat template replies/,
      ],
      [
        { messages: MESSAGES, parameters: { max_new_tokens: 64 } },
        /max_position_embeddings \(64\) leaves no room for a prompt besides max_new_tokens \(64\)/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(((await res.json()) as { error: string }).error, message);
    }
    assert.equal((await post({ messages: MESSAGES, parameters: { max_new_tokens: 4 } })).status, 200);
  });
});
