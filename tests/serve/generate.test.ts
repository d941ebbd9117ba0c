/**
 * POST /generate of mtl serve on a tiny Hugging Face Llama folder (the decoders.py fixture weights,
 * max_position_embeddings raised to 4096 so that long generations fit; its token 'q' respelled as the
 * byte 0xC3 alone, which the prompt 'jazz' begins its continuation with) with the model on its worker
 * thread: the streamed tokens joined equal the non-streamed text and `mtl generate`'s output for the
 * same greedy options (with and without a stop string), and no event's text is empty (a token that
 * ends mid-character sends none); events arrive while the model still generates;
 * a client that disconnects mid-stream (or during a beam search) stops its generation (the next request is answered in a fraction
 * of the time the rest would have taken); the request timeout ends a stream; bad parameters are 400s
 * naming the key; the API key applies; a model that does not generate answers 404.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/logger.js';
import { createPredictServer, type ServeOptions } from '../../src/serve/server.js';
import { WorkerPredictor } from '../../src/serve/worker-predictor.js';
import { splitCharacterToken, writeHfFolder } from '../helpers/hf-folder.js';

let root = '';
let llama = '';
let worker: WorkerPredictor;
const servers: Server[] = [];

/** A server over the worker, listening on a free port; its base URL. */
async function serve(options: ServeOptions = {}): Promise<string> {
  const server = createPredictServer(worker, { logger: silentLogger, maxNewTokens: 4000, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
let base = '';

before(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'mtl-serve-generate-'));
  llama = writeHfFolder(path.join(root, 'llama'), 'llama', 'tokenizer.json');
  const config = JSON.parse(readFileSync(path.join(llama, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(llama, 'config.json'), JSON.stringify({ ...config, max_position_embeddings: 4096 })); // rotary: no learned positions
  splitCharacterToken(llama);
  worker = await WorkerPredictor.start(llama);
  base = await serve();
});

after(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await worker?.close();
  rmSync(root, { recursive: true, force: true });
});

const post = (url: string, body: unknown, init: RequestInit = {}) =>
  fetch(`${url}/generate`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, ...init });

interface Event {
  token?: { id: number | null; text: string } | null;
  generated_text?: string | null;
  details?: { finish_reason: string; generated_tokens: number } | null;
  error?: string;
}

/** The Server-Sent Events of `res` with the time each arrived (ms); `until` may stop reading early (then the body is cancelled). */
async function events(res: Response, until: (e: Event, n: number) => boolean = () => false): Promise<{ event: Event; at: number }[]> {
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const got: { event: Event; at: number }[] = [];
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return got;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      assert.ok(block.startsWith('data: '), block);
      const event = JSON.parse(block.slice('data: '.length)) as Event;
      got.push({ event, at: performance.now() });
      if (until(event, got.length)) {
        await reader.cancel();
        return got;
      }
    }
  }
}

/** What `mtl generate` prints for `args` (without its line break). */
async function mtlGenerate(args: string[]): Promise<string> {
  let text = '';
  assert.equal(await main(['generate', llama, ...args], { write: (t) => void (text += t) }), 0);
  return text.replace(/\n$/, '');
}

describe('POST /generate', () => {
  it('streamed tokens joined = the non-streamed text = mtl generate (greedy), with and without a stop string', async () => {
    const prompt = 'play some jazz';
    const plain = await post(base, { inputs: prompt, parameters: { max_new_tokens: 12 } });
    assert.equal(plain.status, 200);
    const answer = (await plain.json()) as { generated_text: string; details: { finish_reason: string; generated_tokens: number } };
    const expected = await mtlGenerate([prompt, '--max-new-tokens', '12']);
    assert.equal(answer.generated_text, expected);
    assert.ok(expected.length > 4, expected);
    const streamed = await events(await post(base, { inputs: prompt, parameters: { max_new_tokens: 12 }, stream: true }));
    const last = streamed.at(-1)!.event;
    const tokens = streamed.slice(0, -1).map((e) => e.event.token!);
    assert.equal(tokens.map((t) => t.text).join(''), expected);
    assert.deepEqual(last, { token: null, generated_text: expected, details: answer.details });
    assert.ok(tokens.length <= answer.details.generated_tokens, 'at most one event per token');
    assert.deepEqual(
      tokens.filter((t) => t.text === ''),
      [],
      'no empty event',
    );
    assert.ok(streamed.slice(0, -1).every((e) => e.event.generated_text === null));

    const stop = expected.slice(3, 5);
    const cut = await mtlGenerate([prompt, '--max-new-tokens', '12', '--stop', stop]);
    assert.equal(cut, expected.slice(0, expected.indexOf(stop)));
    const options = { inputs: prompt, parameters: { max_new_tokens: 12, stop: [stop] } };
    const whole = (await (await post(base, options)).json()) as { generated_text: string; details: { finish_reason: string } };
    assert.deepEqual([whole.generated_text, whole.details.finish_reason], [cut, 'stop']);
    const held = await events(await post(base, { ...options, stream: true }));
    assert.equal(
      held
        .slice(0, -1)
        .map((e) => e.event.token!.text)
        .join(''),
      cut,
    );
    assert.ok(
      held.every((e) => !(e.event.token?.text ?? '').includes(stop)),
      'no event shows the stop string',
    );
    assert.ok(held.slice(0, -1).every((e) => e.event.token!.text !== ''));
  });

  it('a token that ends mid-character sends no event of its own; the events joined = the text', async () => {
    const request = { inputs: 'jazz', parameters: { max_new_tokens: 6 } };
    const answer = (await (await post(base, request)).json()) as { generated_text: string; details: { generated_tokens: number } };
    assert.ok(answer.generated_text.startsWith('\uFFFD'), `the continuation begins with the split character: ${answer.generated_text}`);
    const tokens = (await events(await post(base, { ...request, stream: true }))).slice(0, -1).map((e) => e.event.token!);
    assert.deepEqual(
      tokens.filter((t) => t.text === ''),
      [],
      'no empty event',
    );
    assert.ok(tokens.length < answer.details.generated_tokens, `${tokens.length} events for ${answer.details.generated_tokens} tokens`);
    assert.equal(tokens.map((t) => t.text).join(''), answer.generated_text);
  });

  it('sends each event as its token comes: the first long before the last', async () => {
    const t0 = performance.now();
    const got = await events(
      await post(base, { inputs: 'what is the weather', parameters: { max_new_tokens: 400, min_new_tokens: 400 }, stream: true }),
    );
    assert.ok(got.length > 300 && got.length <= 401, `${got.length} events`);
    assert.ok(
      got.slice(0, -1).every((e) => e.event.token!.text !== ''),
      'no empty event',
    );
    const first = got[0]!.at - t0;
    const last = got.at(-1)!.at - t0;
    assert.ok(first < last / 2, `first event at ${first.toFixed(0)} ms, last at ${last.toFixed(0)} ms`);
  });

  it('a client that disconnects mid-stream stops its generation: the next request is answered at once', async () => {
    const long = { inputs: 'book a table', parameters: { max_new_tokens: 4000, min_new_tokens: 4000 }, stream: true };
    const abort = new AbortController();
    let start = 0;
    const got = await events(await post(base, long, { signal: abort.signal }), (_, n) => {
      if (n === 1) start = performance.now();
      return n === 31;
    });
    const perToken = (got.at(-1)!.at - start) / 30; // ms per token early on (later ones cost more: longer cache)
    abort.abort();
    const t0 = performance.now();
    const next = await post(base, { inputs: 'play some jazz', parameters: { max_new_tokens: 3 } });
    const waited = performance.now() - t0;
    assert.equal(next.status, 200);
    const rest = (4000 - 31) * perToken;
    assert.ok(waited < rest / 4, `answered after ${waited.toFixed(0)} ms; the rest of the abandoned generation: ~${rest.toFixed(0)} ms`);
  });

  it('a client that disconnects during a beam search stops it within a step: the next request is answered at once', async () => {
    const beams = (n: number) => ({ inputs: 'book a table', parameters: { num_beams: 4, max_new_tokens: n, min_new_tokens: n } });
    let t0 = performance.now();
    assert.equal((await post(base, beams(100))).status, 200);
    const hundred = performance.now() - t0; // 100 steps of 4 beams
    const abort = new AbortController();
    const abandoned = post(base, beams(4000), { signal: abort.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, hundred)); // ~100 of its 4000 steps
    abort.abort();
    assert.ok((await abandoned) instanceof Error);
    t0 = performance.now();
    const next = await post(base, { inputs: 'play some jazz', parameters: { max_new_tokens: 3 } });
    const waited = performance.now() - t0;
    assert.equal(next.status, 200);
    // the rest of the abandoned search: ~39 times `hundred` (more: its steps grow with the cache)
    assert.ok(waited < 5 * hundred, `answered after ${waited.toFixed(0)} ms; 100 steps of 4 beams take ${hundred.toFixed(0)} ms`);
  });

  it('the request timeout ends a stream with an error event, and the model is free again', async () => {
    const url = await serve({ requestTimeoutMs: 400 });
    const got = await events(await post(url, { inputs: 'play', parameters: { max_new_tokens: 4000, min_new_tokens: 4000 }, stream: true }));
    assert.match(got.at(-1)!.event.error ?? '', /no answer within 400 ms \(--request-timeout-ms\)/);
    assert.ok(got.length > 1 && got.length < 4000, `${got.length} events`);
    const next = await post(base, { inputs: 'play', parameters: { max_new_tokens: 2 } });
    assert.equal(next.status, 200);
  });

  it('bad parameters are 400s naming the key; the server goes on serving', async () => {
    const cases: [unknown, RegExp][] = [
      [{ inputs: 'a', parameters: { top_p: 0 } }, /parameters\.top_p must be a number in \(0, 1\], got 0/],
      [{ inputs: 'a', parameters: { max_new_tokens: -3 } }, /parameters\.max_new_tokens must be an integer >= 0, got -3/],
      [{ inputs: 'a', parameters: { max_new_tokens: 4001 } }, /at most 4000 tokens per request \(--max-new-tokens\)/],
      [{ inputs: 'a', parameters: { temperature: 'hot' } }, /parameters\.temperature must be a number > 0, got "hot"/],
      [{ inputs: 'a', parameters: { top_n: 3 } }, /"parameters" has no key "top_n"/],
      [{ inputs: 'a', parameters: { stop: [''] } }, /parameters\.stop must be a list of non-empty strings/],
      [{ inputs: 'a', parameters: { num_beams: 2 }, stream: true }, /beam search knows its tokens only at the end/],
      [{ inputs: 'a', parameters: { num_beams: 2, do_sample: true } }, /parameters\.num_beams > 1\) with parameters\.do_sample/],
      [{ inputs: 'a', stream: 'yes' }, /"stream" must be true or false/],
      [{ inputs: '' }, /"inputs" must be a non-empty string/],
      [{ prompt: 'a' }, /unknown key "prompt"/],
    ];
    for (const [body, message] of cases) {
      const res = await post(base, body);
      const { error } = (await res.json()) as { error: string };
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${error}`);
      assert.match(error, message);
    }
    const over = await post(await serve({ maxRequestTokens: 10 }), { inputs: 'play some jazz tonight' });
    assert.equal(over.status, 413);
    const ok = await post(base, { inputs: 'a', parameters: { max_new_tokens: 2, details: true, seed: null } });
    assert.equal(ok.status, 200, 'nulls count as absent, details is taken');
  });

  it('needs the API key; /predict on a model that only generates, and /generate on one that does not, are 404s saying why', async () => {
    const url = await serve({ apiKey: 'sesame' });
    assert.equal((await post(url, { inputs: 'a' })).status, 401);
    const keyed = await post(url, { inputs: 'a', parameters: { max_new_tokens: 2 } }, { headers: { authorization: 'Bearer sesame' } });
    assert.equal(keyed.status, 200);
    const predict = await fetch(`${base}/predict`, { method: 'POST', body: '{"inputs": "a"}' });
    assert.equal(predict.status, 404);
    assert.match(((await predict.json()) as { error: string }).error, /makes no predictions .*POST \/generate/);

    const encoder = createPredictServer(
      { taskNames: ['t'], predict: async () => [], cannotGenerate: 'its model (bert) is an encoder, which does not generate text' },
      { logger: silentLogger },
    );
    await new Promise<void>((resolve) => encoder.listen(0, '127.0.0.1', resolve));
    servers.push(encoder);
    const res = await post(`http://127.0.0.1:${(encoder.address() as AddressInfo).port}`, { inputs: 'a' });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /does not generate text: its model \(bert\) is an encoder/);
  });
});
