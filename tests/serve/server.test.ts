/**
 * `mtl serve`: the HTTP server over a tiny trained checkpoint, its answers checked against the
 * library's `Predictor.predict` on the same inputs, its errors, and the command's start and stop.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Agent, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { createPredictServer, type ServeOptions } from '../../src/serve/server.js';
import { Predictor, cutToWords } from '../../src/predict/predict.js';
import { predictionToJson } from '../../src/predict/predict-json.js';
import { needsTinyRunData, tinyRun, trainTiny, type RunFolder } from '../train/trainer-fixture.js';
import { silentLogger } from '../../src/logger.js';
import { WorkerPredictor } from '../../src/serve/worker-predictor.js';
import { CheckpointError } from '../../src/errors.js';
import { liveTensorCount } from '../../src/tensor/index.js';
import { resolveExplainOptions } from '../../src/explain/options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let run: RunFolder;
let checkpoint: string;
let predictor: Predictor;
let server: Server;
let base: string;

/** The tiny run's SNIPS and SST-2 samples; every test of the run is skipped without them. */
const data = needsTinyRunData();
before(async () => {
  if (data.skip) return;
  run = tinyRun();
  checkpoint = await trainTiny(run, path.join(run.dir, 'serve-out'), 6);
  predictor = Predictor.load(checkpoint);
  server = createPredictServer(predictor, { maxInputs: 8, maxBodyBytes: 4096, maxTextChars: 1000, logger: silentLogger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  if (data.skip) return;
  await new Promise((resolve) => server.close(resolve));
  predictor.dispose();
  run.remove();
});

const post = (body: string, route = '/predict') =>
  fetch(`${base}${route}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

/** Labels and tags exactly, probabilities within 1e-5 (a batch with other inputs pads differently). */
function assertSamePredictions(got: unknown, want: unknown, what: string): void {
  if (typeof want === 'number') {
    assert.ok(typeof got === 'number' && Math.abs(got - want) < 1e-5, `${what}: ${String(got)} vs ${want}`);
  } else if (want !== null && typeof want === 'object') {
    assert.ok(got !== null && typeof got === 'object', `${what}: expected an object or array`);
    assert.deepEqual(Object.keys(got as object), Object.keys(want), `${what}: keys`);
    for (const [k, v] of Object.entries(want)) assertSamePredictions((got as Record<string, unknown>)[k], v, `${what}.${k}`);
  } else {
    assert.equal(got, want, what);
  }
}

describe('POST /predict', data, () => {
  const texts = ['play some jazz by miles davis on spotify.', 'rate this book five stars', 'a gorgeous , witty film'];

  it('answers one record per input, as Predictor.predict gives them', async () => {
    const res = await post(JSON.stringify({ inputs: texts }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { predictions: unknown[] };
    const want = (await predictor.predict(texts)).map(predictionToJson);
    assertSamePredictions(body.predictions, JSON.parse(JSON.stringify(want)), 'predictions');
    assert.deepEqual(Object.keys((body.predictions[0] as { predictions: object }).predictions), predictor.taskNames, 'every task');
  });

  it('takes a single text and {"text": …} objects', async () => {
    const one = (await (await post(JSON.stringify({ inputs: texts[1] }))).json()) as { predictions: { text: string }[] };
    assert.deepEqual(
      one.predictions.map((p) => p.text),
      [texts[1]],
      'a single text',
    );
    const objects = (await (await post(JSON.stringify({ inputs: [{ text: texts[0] }, texts[2]] }))).json()) as {
      predictions: { text: string }[];
    };
    assert.deepEqual(
      objects.predictions.map((p) => p.text),
      [texts[0], texts[2]],
      'objects and strings mixed',
    );
  });

  it('answers concurrent requests each with its own records, as if sent alone', async () => {
    const answers = await Promise.all(
      texts.map(async (t) => ((await (await post(JSON.stringify({ inputs: [t] }))).json()) as { predictions: unknown[] }).predictions),
    );
    for (const [i, t] of texts.entries()) {
      const want = (await predictor.predict([t])).map(predictionToJson);
      assertSamePredictions(answers[i], JSON.parse(JSON.stringify(want)), `request ${i}`);
    }
  });

  it('parameters.top_k lists the k most probable labels of each classification, per request; a bad one is a 400', async () => {
    const [withTop, without] = await Promise.all([
      post(JSON.stringify({ inputs: texts, parameters: { top_k: 2 } })),
      post(JSON.stringify({ inputs: texts })),
    ]);
    assert.equal(withTop.status, 200);
    const got = ((await withTop.json()) as { predictions: unknown[] }).predictions;
    const want = (await predictor.predict(texts, { topK: 2 })).map(predictionToJson);
    assertSamePredictions(got, JSON.parse(JSON.stringify(want)), 'with top_k');
    const intent = (got[0] as { predictions: { intent: { top_k: unknown[] } } }).predictions.intent;
    assert.equal(intent.top_k.length, 2);
    const plain = ((await without.json()) as { predictions: { predictions: { intent: object } }[] }).predictions;
    assert.ok(!('top_k' in plain[0]!.predictions.intent), 'a request without it, run beside, lists none');
    for (const [parameters, message] of [
      [{ top_k: 0 }, /"parameters\.top_k" must be an integer from 1 to 10000, got 0/],
      [{ top_k: 'all' }, /"parameters\.top_k" must be an integer/],
      [{ temperature: 1 }, /"parameters" takes only "top_k" and "explain", got "temperature"/],
      [[2], /"parameters" must be an object/],
    ] as const) {
      const res = await post(JSON.stringify({ inputs: texts, parameters }));
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, message);
    }
  });

  it('parameters.explain adds the explanations Predictor.predict gives, per request, bounded in steps and tokens', async () => {
    const [explained, without] = await Promise.all([
      post(JSON.stringify({ inputs: texts.slice(0, 2), parameters: { explain: { steps: 8, baseline: 'zero' } } })),
      post(JSON.stringify({ inputs: texts.slice(0, 2) })),
    ]);
    assert.equal(explained.status, 200);
    const got = ((await explained.json()) as { predictions: unknown[] }).predictions;
    const want = (await predictor.predict(texts.slice(0, 2), { explain: resolveExplainOptions({ steps: 8, baseline: 'zero' }) })).map(
      predictionToJson,
    );
    assertSamePredictions(got, JSON.parse(JSON.stringify(want)), 'explained');
    const plain = ((await without.json()) as { predictions: { predictions: { intent: object } }[] }).predictions;
    assert.ok(!('explanation' in plain[0]!.predictions.intent), 'a request without it, run beside, has none');
    const defaults = await post(JSON.stringify({ inputs: texts[0], parameters: { explain: true } }));
    const first = (
      (await defaults.json()) as {
        predictions: { predictions: { intent: { explanation: { integrated_gradients: { steps: number } } } } }[];
      }
    ).predictions[0]!;
    assert.equal(first.predictions.intent.explanation.integrated_gradients.steps, 32, "true: the server's most steps (default 32)");
    for (const [explain, message] of [
      [{ steps: 33 }, /"parameters\.explain": explanation steps must be an integer from 1 to 32, got 33/],
      [{ baseline: 'mask' }, /explanation baseline must be one of pad, zero, got "mask"/],
      [{ step: 3 }, /"parameters\.explain" takes "steps", "baseline", "rule", "labels", got "step"/],
      ['yes', /"parameters\.explain" must be true or an object/],
    ] as const) {
      const res = await post(JSON.stringify({ inputs: texts, parameters: { explain } }));
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, message);
    }
    const small = createPredictServer(predictor, { maxRequestTokens: 200, logger: silentLogger });
    await new Promise<void>((resolve) => small.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(small.address() as AddressInfo).port}/predict`;
      const ask = (parameters?: object) => fetch(url, { method: 'POST', body: JSON.stringify({ inputs: texts.slice(0, 2), parameters }) });
      assert.equal((await ask()).status, 200, 'within the budget unexplained');
      const res = await ask({ explain: { steps: 16 } });
      assert.equal(res.status, 413, 'an explained input counts m + 1 times its tokens');
      assert.match(((await res.json()) as { error: string }).error, /\(explained: 17 times their own\).*or fewer explanation steps/);
    } finally {
      await new Promise((resolve) => small.close(resolve));
    }
  });

  it('400 for a body that is not JSON or not {"inputs": …}, naming the element and what was expected', async () => {
    const cases: [string, RegExp][] = [
      ['{"inputs": ["a",', /the body is not JSON .*expected \{"inputs"/],
      ['{"texts": ["a"]}', /the body has no "inputs"/],
      ['{"inputs": []}', /"inputs" is empty/],
      ['{"inputs": ["fine", {"txt": "typo"}]}', /inputs\[1\]: no "text" \(nor "words" or "messages"\) in the object; its keys: "txt"/],
      ['{"inputs": ["fine", {"text": "a", "text_pair": 3}]}', /inputs\[1\]: "text_pair" must be a string, got 3/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      assert.equal(res.status, 400, body);
      assert.match(((await res.json()) as { error: string }).error, message, body);
    }
  });

  it('413 past the input, text and body limits', async () => {
    const many = await post(JSON.stringify({ inputs: Array.from({ length: 9 }, () => 'x') }));
    assert.equal(many.status, 413, 'nine inputs over maxInputs 8');
    assert.match(((await many.json()) as { error: string }).error, /9 inputs in one request; at most 8/);
    const big = await post(JSON.stringify({ inputs: ['x'.repeat(5000)] }));
    assert.equal(big.status, 413, 'a body over maxBodyBytes 4096');
    assert.match(((await big.json()) as { error: string }).error, /over 4096 bytes/);
    const long = await post(JSON.stringify({ inputs: ['fine', { text: 'a '.repeat(400), text_pair: 'b '.repeat(200) }] }));
    assert.equal(long.status, 413, 'a text and its pair of 1,200 characters over maxTextChars 1000');
    assert.match(
      ((await long.json()) as { error: string }).error,
      /inputs\[1\]: a text of 1200 characters; at most 1000 \(--max-text-chars\)/,
    );
  });
});

describe('routes', data, () => {
  it("only the words the model reads are tagged, and the rest is reported unread ('.,' x 400 had every one of its 800 words tagged and returned)", async () => {
    const text = '.,'.repeat(400);
    const short = 'play some jazz by miles davis on spotify.';
    const res = await post(JSON.stringify({ inputs: [text, short] }));
    assert.equal(res.status, 200);
    type Slots = { tags: string[]; unread?: { text: { words: number; characters: number } } };
    const { predictions } = (await res.json()) as { predictions: { text: string; predictions: { slots: Slots } }[] };
    assert.equal(predictions[0]!.text, text);
    const read = predictions[0]!.predictions.slots.tags.length;
    assert.ok(read > 0 && read <= 24, `${read} words tagged: at most max_length (24), one character each`);
    assert.deepEqual(predictions[0]!.predictions.slots.unread, { text: { words: 800 - read, characters: 800 - read } });
    assert.equal(predictions[1]!.text, short, 'a short text is left whole');
    assert.equal(predictions[1]!.predictions.slots.unread, undefined, 'a short text is read whole');
    assert.equal(cutToWords('a b c', 2), 'a b');
    assert.equal(cutToWords('a b  ', 2), 'a b  ');
    assert.equal(cutToWords('"hi," she said', 3), '"hi,');
  });

  it('GET /health names the tasks', async () => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', tasks: predictor.taskNames });
  });

  it('404 for another path, 405 with Allow for another method', async () => {
    const missing = await fetch(`${base}/v1/predict`);
    assert.equal(missing.status, 404);
    assert.match(
      ((await missing.json()) as { error: string }).error,
      /no such path '\/v1\/predict'; the paths are POST \/predict, POST \/generate and GET \/health/,
    );
    const wrong = await fetch(`${base}/predict`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
  });
});

describe('WorkerPredictor (the model on a worker thread)', data, () => {
  it("answers as Predictor.predict does, the model's tensors living in the worker's table, not the main thread's", async () => {
    const live = liveTensorCount();
    const worker = await WorkerPredictor.start(checkpoint);
    try {
      assert.equal(liveTensorCount(), live, 'no tensor of the model in the main thread (Predictor.load here adds its parameters)');
      assert.deepEqual(worker.taskNames, predictor.taskNames);
      assert.equal(worker.maxLength, predictor.maxLength);
      const texts = ['play some jazz by miles davis on spotify.', 'a gorgeous , witty film', 'rate this book five stars'];
      const got = await worker.predict(
        texts.map((text) => ({ text })),
        { batchSize: 2, topK: 2 },
      );
      assertSamePredictions(
        JSON.parse(JSON.stringify(got)),
        JSON.parse(JSON.stringify(await predictor.predict(texts, { batchSize: 2, topK: 2 }))),
        'records',
      );
      assert.equal(liveTensorCount(), live, 'nor after predicting');
      assert.equal(worker.failure, undefined);
    } finally {
      await worker.close();
    }
    assert.match(worker.failure ?? '', /stopped/);
    await assert.rejects(worker.predict([{ text: 'x' }]), /the model thread was stopped/);
  });

  it("a checkpoint that does not load rejects start() with the loader's CheckpointError", async () => {
    await assert.rejects(
      WorkerPredictor.start(path.join(run.dir, 'no-such-checkpoint')),
      (e: unknown) =>
        e instanceof CheckpointError && e.code === 'ERR_CHECKPOINT' && /no checkpoint at .*no-such-checkpoint/.test(e.message),
    );
  });
});

describe('mtl serve', data, () => {
  it('listens, answers within its --max-text-chars, and exits 0 on SIGTERM', async () => {
    const argv = ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'serve', checkpoint, '--port', '0', '--max-text-chars', '12'];
    const child = spawn(process.execPath, argv, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
      const line = String(first.value);
      const port = /on http:\/\/127\.0\.0\.1:(\d+) /.exec(line)?.[1];
      assert.ok(port !== undefined, `the first line names the address: ${line}`);
      assert.match(line, /tasks: intent, slots, sentiment/);
      const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: '{"inputs": ["play jazz"]}' });
      assert.equal(res.status, 200);
      const long = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: '{"inputs": ["play some jazz"]}' });
      assert.equal(long.status, 413, 'a 14-character text over --max-text-chars 12');
      child.kill('SIGTERM');
      assert.equal(await exited, 0, 'exit code after SIGTERM');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); // a failed assertion must not leave it running
    }
  });

  it('names a bad port and a port in use', async () => {
    const out: string[] = [];
    const error = mock.method(console, 'error', (...a: unknown[]) => void out.push(a.join(' ')));
    try {
      assert.equal(await main(['serve', checkpoint, '--port', '70000']), 2);
      const taken = (server.address() as AddressInfo).port;
      assert.equal(await main(['serve', checkpoint, '--port', String(taken)]), 1);
    } finally {
      error.mock.restore();
    }
    assert.match(out[0] ?? '', /--port must be at most 65535, got '70000'/);
    assert.match(out[1] ?? '', /cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\); choose another --port or --host/);
  });
});

/** A server over a stand-in model that answers each text with its length once `release` is called. */
async function gatedServer(
  log: (line: string) => void = () => undefined,
  options: ServeOptions = {},
): Promise<{ server: Server; base: string; release: () => void; asked: Promise<void> }> {
  let release = () => {};
  let markAsked = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const asked = new Promise<void>((r) => (markAsked = r));
  const stub = {
    taskNames: ['len'],
    predict: async (inputs: readonly { text: string }[]) => {
      markAsked();
      await gate;
      return inputs.map(({ text }) => ({ text, predictions: { len: { label: String(text.length), score: 1 } } }));
    },
  };
  const s = createPredictServer(stub, { logger: { info: log }, ...options });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { server: s, base: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, release, asked };
}

/** Whether `promise` settles within `ms` milliseconds. */
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(r, ms, false).unref())]);

describe('hostile bodies and closing', data, () => {
  it('400, not 500, for an input nested 10,000 arrays deep', async () => {
    const { server: s, base: b, release } = await gatedServer();
    release();
    try {
      const res = await fetch(`${b}/predict`, { method: 'POST', body: `{"inputs": [${'['.repeat(10_000)}${']'.repeat(10_000)}]}` });
      const { error } = (await res.json()) as { error: string };
      assert.equal(res.status, 400, error);
      assert.match(error, /inputs\[0\]: expected a string or an object with "text", got an array/);
    } finally {
      s.close();
    }
  });

  it('close() answers the request under way with Connection: close and ends without waiting for keep-alive', async () => {
    const { server: s, base: b, release, asked } = await gatedServer();
    const agent = new Agent({ keepAlive: true });
    const answer = new Promise<{ status?: number; connection?: string; body: string }>((resolve, reject) => {
      const req = request(`${b}/predict`, { method: 'POST', agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += String(chunk)));
        res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, body }));
      });
      req.on('error', reject);
      req.end('{"inputs": ["four"]}');
    });
    await asked;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    release();
    const got = await answer;
    assert.equal(got.status, 200, got.body);
    assert.deepEqual(
      JSON.parse(got.body),
      { predictions: [{ text: 'four', predictions: { len: { label: '4', score: 1 } } }] },
      'the answer',
    );
    assert.equal(got.connection, 'close', 'the answer tells the keep-alive client to let go');
    try {
      assert.ok(await within(closed, 2000), 'close() ended within 2 s of the last answer (not after the 5 s keep-alive timeout)');
    } finally {
      agent.destroy();
    }
  });

  it('close() drops a request whose body stalls instead of waiting for it', async () => {
    const { server: s, base: b, release } = await gatedServer();
    release();
    const { port } = new URL(b);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"inputs": [');
    const gone = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise((r) => setTimeout(r, 200)); // the request reaches the server
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    try {
      assert.ok(await within(closed, 2000), 'close() ended within 2 s (not after the 300 s request timeout)');
      assert.ok(await within(gone, 1000), 'the stalled connection was closed');
    } finally {
      socket.destroy();
    }
  });

  it('a full queue answers 503 with Retry-After at once (requests had queued without bound); /ready says 503, /health 200', async () => {
    const { server: s, base: b, release, asked } = await gatedServer(() => undefined, { maxQueuedInputs: 2 });
    try {
      const first = fetch(`${b}/predict`, { method: 'POST', body: '{"inputs": ["one"]}' }); // runs, held at the gate
      await asked;
      assert.equal((await fetch(`${b}/ready`)).status, 200, 'ready while the queue has room');
      const second = fetch(`${b}/predict`, { method: 'POST', body: '{"inputs": ["two", "three"]}' }); // waits: the queue is full
      await new Promise((r) => setTimeout(r, 100));
      const third = await fetch(`${b}/predict`, { method: 'POST', body: '{"inputs": ["four"]}' });
      const { error } = (await third.json()) as { error: string };
      assert.equal(third.status, 503, error);
      assert.equal(third.headers.get('retry-after'), '1');
      assert.match(error, /the queue is full \(2 inputs waiting, at most 2\)/);
      const ready = await fetch(`${b}/ready`);
      assert.equal(ready.status, 503);
      assert.equal(ready.headers.get('retry-after'), '1');
      assert.equal((await fetch(`${b}/health`)).status, 200, 'liveness is not readiness');
      release();
      assert.equal((await first).status, 200);
      assert.equal((await second).status, 200);
      assert.equal((await fetch(`${b}/ready`)).status, 200, 'ready again once the queue drained');
    } finally {
      release();
      s.close();
    }
  });

  it('close() answers a request sent on an idle keep-alive connection just as it closes (it met ECONNRESET)', async () => {
    const { server: s, base: b, release } = await gatedServer(() => undefined, { closeGraceMs: 300 });
    release();
    const socket = connect(Number(new URL(b).port), '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const failure = new Promise<Error>((resolve) => socket.on('error', resolve));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const ask = (text: string) => {
      const body = JSON.stringify({ inputs: [text] });
      socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    };
    const got = () => Buffer.concat(received).toString();
    ask('first');
    for (let i = 0; i < 100 && !got().includes('"first"'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(got(), /HTTP\/1\.1 200/, 'the first answer: the connection is now idle and kept alive');
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    ask('second'); // on its way as the server closes
    const outcome = await Promise.race([ended.then(() => 'closed'), failure.then((e) => `error ${e.message}`)]);
    assert.equal(outcome, 'closed');
    const answers = got().split('HTTP/1.1 ').slice(1);
    assert.equal(answers.length, 2, `two answers, got: ${got()}`);
    assert.match(answers[1]!, /^200 /);
    assert.match(answers[1]!, /connection: close/i);
    assert.match(answers[1]!, /"text":"second"/);
    assert.ok(await within(closed, 2000), 'close() ended');
  });

  it('400 for a body that is not UTF-8, rather than predicting on U+FFFD', async () => {
    const { server: s, base: b, release } = await gatedServer();
    release();
    try {
      const body = Buffer.concat([Buffer.from('{"inputs": ["caf'), Buffer.from([0xe9]), Buffer.from(' music"]}')]);
      const res = await fetch(`${b}/predict`, { method: 'POST', body });
      const { error } = (await res.json()) as { error: string };
      assert.equal(res.status, 400, error);
      assert.match(error, /the body is not UTF-8/);
    } finally {
      s.close();
    }
  });

  it('a client going away mid-body is not logged as a failure, and the server answers the next', async () => {
    const lines: string[] = [];
    const { server: s, base: b, release } = await gatedServer((line) => lines.push(line));
    release();
    try {
      const socket = connect(Number(new URL(b).port), '127.0.0.1');
      socket.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"inputs": [');
      await new Promise((r) => setTimeout(r, 200));
      socket.destroy();
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(lines, [], 'nothing logged');
      const res = await fetch(`${b}/predict`, { method: 'POST', body: '{"inputs": "next"}' });
      assert.equal(res.status, 200, 'the next request');
    } finally {
      s.close();
    }
  });
});

describe('API key (Authorization: Bearer)', () => {
  const KEY = 'k3y-0f-th3-t3st';

  it('401 with WWW-Authenticate without the key or with another; 200 with it; /health answers all, tasks only with the key', async () => {
    const lines: string[] = [];
    const { server: s, base: b, release } = await gatedServer((l) => lines.push(l), { apiKey: KEY });
    release();
    try {
      const ask = (headers: Record<string, string>, route = '/predict') =>
        fetch(`${b}${route}`, route === '/predict' ? { method: 'POST', body: '{"inputs": ["abc"]}', headers } : { headers });
      const tries: Record<string, string>[] = [
        {},
        { authorization: 'Bearer wrong' },
        { authorization: `Basic ${KEY}` },
        { authorization: `Bearer ${KEY}x` },
      ];
      for (const headers of tries) {
        const res = await ask(headers);
        assert.equal(res.status, 401, JSON.stringify(headers));
        assert.equal(res.headers.get('www-authenticate'), 'Bearer');
        const { error } = (await res.json()) as { error: string };
        assert.ok(!error.includes(KEY), 'the key is never in an answer');
      }
      assert.equal((await ask({}, '/ready')).status, 401);
      const ok = await ask({ authorization: `Bearer ${KEY}` });
      assert.equal(ok.status, 200);
      assert.deepEqual(((await ok.json()) as { predictions: unknown[] }).predictions, [
        { text: 'abc', predictions: { len: { label: '3', score: 1 } } },
      ]);
      assert.deepEqual(await (await ask({}, '/health')).json(), { status: 'ok' });
      assert.deepEqual(await (await ask({ authorization: `Bearer ${KEY}` }, '/health')).json(), { status: 'ok', tasks: ['len'] });
      assert.ok(!lines.some((l) => l.includes(KEY)), 'the key is never logged');
    } finally {
      await new Promise((r) => s.close(r));
    }
  });

  it('mtl serve: another host than loopback needs a key or --no-auth (exit 2, before loading anything); a key with --no-auth is refused', async () => {
    const out: string[] = [];
    const error = mock.method(console, 'error', (...a: unknown[]) => void out.push(a.join(' ')));
    const saved = process.env.MTL_API_KEY;
    try {
      delete process.env.MTL_API_KEY;
      assert.equal(await main(['serve', 'no-such-checkpoint', '--host', '0.0.0.0']), 2);
      assert.match(
        out.at(-1) ?? '',
        /--host 0\.0\.0\.0 lets other machines ask the model: give an API key \(--api-key-file FILE, or MTL_API_KEY/,
      );
      process.env.MTL_API_KEY = KEY;
      assert.equal(await main(['serve', 'no-such-checkpoint', '--host', '0.0.0.0', '--no-auth']), 2);
      assert.match(out.at(-1) ?? '', /--no-auth and an API key .* contradict each other/);
      assert.equal(await main(['serve', 'no-such-checkpoint', '--api-key-file', '/no/such/key-file']), 1);
      assert.match(out.at(-1) ?? '', /cannot read the API key file \/no\/such\/key-file/);
      assert.ok(!out.some((l) => l.includes(KEY)), 'the key is never printed');
    } finally {
      if (saved === undefined) delete process.env.MTL_API_KEY;
      else process.env.MTL_API_KEY = saved;
      error.mock.restore();
    }
  });
});
