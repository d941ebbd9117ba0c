/**
 * `mtl serve` for a chat checkpoint: `POST /predict` takes `{"inputs": {"messages": [...]}}` through
 * `mtl predict`'s input parser and answers the reply the Predictor gives the same messages; a bad
 * message gets a 400 naming its field; the whole dialogue counts against `maxTextChars` (not only its
 * last message, which is the input's `text`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/logger.js';
import { Predictor } from '../../src/predict/predict.js';
import { createPredictServer } from '../../src/serve/server.js';
import { trainTinyChat } from '../tasks/chat-fixture.js';

const MESSAGES = [
  { role: 'user', content: 'four' },
  { role: 'assistant', content: 'five' },
  { role: 'user', content: 'six' },
] as const;

describe('serve: a chat task answers {"messages": [...]}', () => {
  let dir = '';
  let predictor: Predictor;
  let server: Server;
  let base = '';
  const post = (inputs: unknown) =>
    fetch(`${base}/predict`, { method: 'POST', body: JSON.stringify({ inputs }), headers: { 'content-type': 'application/json' } });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-serve-'));
    predictor = Predictor.load(await trainTinyChat(dir));
    // 'four' + 'five' + 'six' = 11 characters; the last message alone is 3
    server = createPredictServer(predictor, { logger: silentLogger, maxTextChars: 10 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    predictor.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replies as the Predictor does to the same messages', async () => {
    const messages = MESSAGES.slice(1);
    const res = await post({ messages });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { predictions: { text: string; predictions: { dlg: { text: string } } }[] };
    const [want] = await predictor.predict([{ text: 'six', messages: [...messages] }]);
    assert.equal(body.predictions.length, 1);
    assert.equal(body.predictions[0]!.text, 'six');
    assert.equal(typeof body.predictions[0]!.predictions.dlg.text, 'string');
    assert.deepEqual(body.predictions[0]!.predictions, want!.predictions);
  });

  it('a bad message: 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ messages: [{ role: 'bot', content: 'hi' }] }, /^inputs: messages\[0\]\.role must be one of system, user, assistant/],
      [[{ messages: [{ role: 'user', content: 'hi' }, { role: 'user' }] }], /^inputs\[0\]: messages\[1\]\.content must be a string/],
      [{ messages: [] }, /^inputs: "messages" must be a non-empty list/],
      [{ messages: [{ role: 'user', content: 'hi' }], text: 'hi' }, /^inputs: give "messages" alone/],
    ];
    for (const [inputs, want] of cases) {
      const res = await post(inputs);
      assert.equal(res.status, 400, JSON.stringify(inputs));
      assert.match(((await res.json()) as { error: string }).error, want);
    }
  });

  it('the whole dialogue counts against maxTextChars', async () => {
    const res = await post({ messages: MESSAGES });
    assert.equal(res.status, 413, await res.clone().text());
    assert.match(((await res.json()) as { error: string }).error, /^inputs: a dialogue of 11 characters; at most 10/);
  });
});
