/**
 * mtl serve's bounds on work and time, over a stand-in model: a request's token budget, a call split
 * into batches within the padded-token budget, the per-request timeout (the queue freed of what timed
 * out), a client that goes away, and /health once the model can no longer answer.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { PredictInput } from '../../src/predict/predict.js';
import { createPredictServer, type PredictService, type ServeOptions } from '../../src/serve/server.js';
import { silentLogger } from '../../src/logger.js';

/** A model of max_length 10 that answers each text with its length after `delayMs`, recording each call's texts. */
function standIn(delayMs = 0) {
  const calls: string[][] = [];
  const model: PredictService & { failure?: string } = {
    taskNames: ['len'],
    maxLength: 10,
    predict: async (inputs: readonly PredictInput[]) => {
      calls.push(inputs.map((x) => x.text));
      await new Promise((r) => setTimeout(r, delayMs));
      return inputs.map(({ text }) => ({ text, predictions: { len: { label: String(text.length), score: 1 } } }));
    },
  };
  return { model, calls };
}

async function listening(
  model: PredictService,
  options: ServeOptions,
): Promise<{ server: Server; post: (inputs: string[]) => Promise<Response> }> {
  const server = createPredictServer(model, { logger: silentLogger, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, post: (inputs) => fetch(`${base}/predict`, { method: 'POST', body: JSON.stringify({ inputs }) }) };
}

const closing = (server: Server) => new Promise((r) => server.close(r));

describe('token budgets', () => {
  it('413 for a request over maxRequestTokens, counting each input as min(max_length, characters + 2)', async () => {
    const { model, calls } = standIn();
    const { server, post } = await listening(model, { maxRequestTokens: 20 });
    try {
      // 'abcdefghijklmnop' -> min(10, 18) = 10 and 'abc' -> 5: 15 tokens, within 20
      assert.equal((await post(['abcdefghijklmnop', 'abc'])).status, 200);
      const over = await post(['abcdefghijklmnop', 'abcdefghijklmnop', 'a']); // 10 + 10 + 3 = 23
      const { error } = (await over.json()) as { error: string };
      assert.equal(over.status, 413, error);
      assert.match(error, /3 inputs of up to 23 tokens in all; at most 20 per request \(--max-request-tokens\)/);
      assert.equal(calls.length, 1, 'the refused request never reached the model');
    } finally {
      await closing(server);
    }
  });

  it('a call is split into batches of at most maxBatchTokens padded tokens', async () => {
    const { model, calls } = standIn();
    const { server, post } = await listening(model, { maxBatchTokens: 20 });
    try {
      // bounds 10, 10, 10, 3, 3: [10, 10] = 20, then [10, 3] = 2 x 10 = 20, then [3]
      const res = await post(['0123456789', '0123456789', '0123456789', 'a', 'b']);
      assert.equal(res.status, 200);
      const { predictions } = (await res.json()) as { predictions: { text: string }[] };
      assert.deepEqual(
        predictions.map((p) => p.text),
        ['0123456789', '0123456789', '0123456789', 'a', 'b'],
        'answers in order',
      );
      assert.deepEqual(
        calls.map((c) => c.length),
        [2, 2, 1],
      );
    } finally {
      await closing(server);
    }
  });
});

describe('timeouts and clients that leave', () => {
  it('503 with Retry-After when no answer came within requestTimeoutMs; a timed-out request still queued is not run', async () => {
    const { model, calls } = standIn(400);
    const { server, post } = await listening(model, { requestTimeoutMs: 150 });
    try {
      const first = post(['one']); // runs 400 ms: past its timeout
      await new Promise((r) => setTimeout(r, 20));
      const second = post(['two']); // queued behind it: times out waiting
      const [a, b] = await Promise.all([first, second]);
      for (const res of [a, b]) {
        const { error } = (await res.json()) as { error: string };
        assert.equal(res.status, 503, error);
        assert.equal(res.headers.get('retry-after'), '1');
        assert.match(error, /no answer within 150 ms \(--request-timeout-ms\): the model is busy; try again shortly/);
      }
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(calls, [['one']], '"two" left the queue when it timed out');
      const later = await post(['three']);
      assert.equal(later.status, 503, 'still slower than the timeout');
    } finally {
      await closing(server);
    }
  });

  it('a request whose client went away leaves the queue', async () => {
    const { model, calls } = standIn(300);
    const { server, post } = await listening(model, {});
    try {
      const first = post(['one']);
      await new Promise((r) => setTimeout(r, 20));
      const controller = new AbortController();
      const gone = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`, {
        method: 'POST',
        body: '{"inputs": ["two"]}',
        signal: controller.signal,
      }).catch(() => 'aborted');
      await new Promise((r) => setTimeout(r, 50));
      controller.abort();
      assert.equal(await gone, 'aborted');
      assert.equal((await first).status, 200);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(calls, [['one']], 'the abandoned request was not run');
    } finally {
      await closing(server);
    }
  });
});

describe('liveness', () => {
  it('/health and /ready answer 503 naming the failure once the model can no longer answer', async () => {
    const { model } = standIn();
    const { server } = await listening(model, {});
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal((await fetch(`${base}/health`)).status, 200);
      model.failure = 'the model thread exited (code 1)';
      const health = await fetch(`${base}/health`);
      assert.equal(health.status, 503);
      assert.deepEqual(await health.json(), { status: 'failed', error: 'the model cannot answer: the model thread exited (code 1)' });
      assert.equal((await fetch(`${base}/ready`)).status, 503);
    } finally {
      await closing(server);
    }
  });
});
