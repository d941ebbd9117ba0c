/**
 * `POST /generate` with `{"messages": [...]}` on a Hugging Face decoder folder with a chat template (a
 * tiny random-weight llama folder, tokenizer_config.json's `chat_template`, no tasks.json), the model on
 * its worker thread: the reply equals `mtl generate --messages` (TextGenerator's) for the same messages,
 * streamed or not; a "task" is a 400 (a folder has none), and max_new_tokens beyond the model's
 * positions a 400 naming max_position_embeddings; the server goes on serving.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/logger.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { createPredictServer } from '../../src/serve/server.js';
import { WorkerPredictor } from '../../src/serve/worker-predictor.js';
import type { ChatMessage } from '../../src/tokenization/index.js';
import { ROLE_TOKENS, ROLE_TOKENS_JINJA, writeHfChatFolder } from '../helpers/hf-chat-folder.js';

const MESSAGES: ChatMessage[] = [
  { role: 'user', content: 'four' },
  { role: 'assistant', content: 'five' },
  { role: 'user', content: 'six' },
];

describe("POST /generate with messages on a Hugging Face folder's chat template", () => {
  let root = '';
  let dir = '';
  let worker: WorkerPredictor;
  let server: Server;
  let base = '';
  const post = (body: unknown) =>
    fetch(`${base}/generate`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'mtl-hf-chat-serve-'));
    dir = writeHfChatFolder(path.join(root, 'llama'), 'llama', {
      template: ROLE_TOKENS_JINJA,
      markers: ROLE_TOKENS,
      tokenizerConfig: { bos_token: '<s>', eos_token: '</s>' },
    }).dir;
    worker = await WorkerPredictor.start(dir);
    server = createPredictServer(worker, { logger: silentLogger });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await worker?.close();
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
    const streamed = await post({ messages: MESSAGES, parameters: { max_new_tokens: 12 }, stream: true });
    assert.equal(streamed.status, 200);
    const events = (await streamed.text())
      .split('\n\n')
      .filter((b) => b !== '')
      .map((b) => JSON.parse(b.slice('data: '.length)) as { token: { text: string } | null; generated_text: string | null });
    assert.equal(events.at(-1)!.generated_text, want.text);
    assert.equal(
      events
        .slice(0, -1)
        .map((e) => e.token!.text)
        .join(''),
      want.text,
    );
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
