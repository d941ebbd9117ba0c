/**
 * `POST /generate` with `{"messages": [...]}` on a chat checkpoint (a tiny gpt2 trained 2 steps), the
 * model on its worker thread: the reply equals `mtl generate --messages` (TextGenerator's) for the
 * same messages, streamed or not; bad conversations are 400s naming the field (a bad role, an empty
 * list, a last message from the assistant, `inputs` beside `messages`, `task` without them, an unknown
 * task), a conversation over the character limit a 413; the server goes on serving.
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
import { trainTinyChat } from '../tasks/chat-fixture.js';

const MESSAGES = [
  { role: 'user', content: 'four' },
  { role: 'assistant', content: 'five' },
  { role: 'user', content: 'six' },
];

describe('POST /generate with messages', () => {
  let dir = '';
  let best = '';
  let worker: WorkerPredictor;
  let server: Server;
  let base = '';
  const post = (body: unknown) =>
    fetch(`${base}/generate`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-generate-'));
    best = await trainTinyChat(dir);
    worker = await WorkerPredictor.start(best);
    // 'four' + 'five' + 'six' = 11 characters
    server = createPredictServer(worker, { logger: silentLogger, maxTextChars: 12 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await worker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replies as mtl generate --messages does, streamed or not', async () => {
    using generator = TextGenerator.load(best);
    const want = await generator.generate({ messages: MESSAGES as never });
    const res = await post({ messages: MESSAGES, task: 'dlg' });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { generated_text: string; details: { generated_tokens: number; finish_reason: string } };
    assert.equal(body.generated_text, want.text);
    assert.equal(body.details.generated_tokens, want.tokens.length);
    assert.equal(body.details.finish_reason, want.finishReason);
    const streamed = await post({ messages: MESSAGES, stream: true });
    assert.equal(streamed.status, 200);
    const events = (await streamed.text())
      .split('\n\n')
      .filter((b) => b !== '')
      .map((b) => JSON.parse(b.slice('data: '.length)) as { token: { text: string } | null; generated_text: string | null });
    const last = events.at(-1)!;
    assert.equal(last.token, null);
    assert.equal(last.generated_text, want.text);
    assert.equal(
      events
        .slice(0, -1)
        .map((e) => e.token!.text)
        .join(''),
      want.text,
    );
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
      [{ inputs: 'six', task: 'dlg' }, 400, /^"task" names the chat task that replies to "messages"/],
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
