/**
 * The HTTP server of `mtl serve`: a checkpoint's predictions over JSON, on Node's own `node:http`.
 *
 * - `POST /predict` with `{"inputs": INPUT | [INPUT, …]}`, an INPUT being a text,
 *   `{"text": …, "text_pair": …}` (the `inputs` key as Hugging Face's Inference API has it), or for a chat
 *   task `{"messages": [{"role", "content"}, …]}` (read by `mtl predict`'s parser, `predictInputOf`) →
 *   `200 {"predictions": [RECORD, …]}`, one RECORD per input in order, as `mtl predict` prints them.
 * - `POST /generate` with `{"inputs": "prompt", "parameters": {…}, "stream": bool}` (text-generation-inference's
 *   spelling, ./generate-request.ts; `"task"` names a seq2seq task) → `200 {"generated_text": …, "details": {…}}`, or with `"stream": true`
 *   Server-Sent Events, one per piece of text as the model thread makes it (./generate-route.ts); 404 when the
 *   model does not generate (an encoder). For a checkpoint's chat task, `{"messages": [{"role", "content"}, …],
 *   "task": name}` in place of `inputs`: the reply to the conversation, rendered by the task's chat template
 *   (a 400 for a bad message, or a model or task that takes none). The prompt counts against the token budget as a text does,
 *   `max_new_tokens` is capped by `maxNewTokens`, and a request whose client goes away or whose
 *   timeout passes stops generating at its next token.
 * - `GET /health` (liveness: the process answers) → `200 {"status": "ok", "tasks": [task names]}`, or
 *   `503 {"status": "failed", "error": …}` once the model thread has died (./worker-predictor.ts).
 * - `GET /ready` (readiness: a request would be taken now) → `200 {"status": "ready", "queued": n}`, or
 *   `503` with `Retry-After` while the queue is full or the server is closing.
 * With an API key (`apiKey`), /predict and /ready need `Authorization: Bearer <key>` (./auth.ts): 401
 * with `WWW-Authenticate: Bearer` without it; /health still answers (liveness probes), without the task names.
 * Errors are JSON `{"error": "…"}`: 400 for a body that is not UTF-8 JSON or not that shape (naming the
 * element and what was expected), 404 for another path, 405 for another method (with `Allow`), 413 for
 * a body, an input list or a token count over the limits, 503 with `Retry-After` when the queue is
 * full or no answer came within `requestTimeoutMs`, 500 for a failure of the model (also logged).
 * `{"parameters": {"top_k": k}}` lists each classification's k most probable labels;
 * `{"parameters": {"explain": true}}` (or `{"explain": {"steps": m, "baseline": "pad"|"zero", "rule": …,
 * "labels": {task: label}}}`) adds each prediction's explanation (src/explain; docs/explanations.md),
 * at most `maxExplainSteps` steps, an explained input counting m + 1 times its tokens against
 * `maxRequestTokens` (its m + 1 points run through the model as one batch). The Predictor
 * reads at most max_length tokens of a text and reports the rest as `unread`; a request may hold
 * `maxRequestTokens` tokens and a model call's batches `maxBatchTokens` padded tokens at most
 * (./token-budget.ts). Requests that arrive while the model is busy run together in its next call
 * (./coalesce.ts), up to `maxQueuedInputs` inputs waiting. `close()` lets the requests under way be answered, each with `Connection: close`,
 * drops those whose body is still arriving, and keeps idle keep-alive connections open for
 * `closeGraceMs` so that a request a client sends on one just then is answered (with
 * `Connection: close`) instead of meeting a reset.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { predictInputOf, predictionToJson } from '../predict/predict-json.js';
import type { PredictInput, PredictionRecord, PredictOptions } from '../predict/predict.js';
import { Coalescer, QueueFullError } from './coalesce.js';
import { planBatches, tokenBound } from './token-budget.js';
import { Server as NetServer } from 'node:net';
import { stderrLogger, type Logger } from '../logger.js';
import { apiKeyDigest, authorized } from './auth.js';
import { ConfigError, DataError } from '../errors.js';
import { resolveExplainOptions, type ExplainOptions, type ExplainRequest } from '../explain/options.js';
import { HttpError } from './http-error.js';
import { generateRequestOf } from './generate-request.js';
import { generationJson, streamGeneration, STREAMED, type GenerateFn } from './generate-route.js';

/** What the server needs of a Predictor. */
export interface PredictService {
  readonly taskNames: string[];
  predict(inputs: readonly PredictInput[], options?: PredictOptions): Promise<PredictionRecord[]>;
  /** Tokens the model reads of an input at most (max_length); default no limit. */
  readonly maxLength?: number;
  /** Why the model can no longer answer (a model thread that died); undefined while it can. */
  readonly failure?: string | undefined;
  /** Why the model makes no predictions (a checkpoint that only generates); /predict answers 404 saying so. */
  readonly cannotPredict?: string | undefined;
  /** Continues a prompt, token by token (./worker-predictor.ts); absent or with `cannotGenerate`: /generate answers 404. */
  readonly generate?: GenerateFn;
  /** Why the model does not generate text (an encoder). */
  readonly cannotGenerate?: string | undefined;
}

export interface ServeOptions {
  /** Largest request body accepted, bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Inputs of one request at most. Default 256. */
  maxInputs?: number;
  /** Characters of one text (or text pair) at most; the model reads only its first max_length tokens. Default 10,000. */
  maxTextChars?: number;
  /** Inputs of one model call at most, over requests run together (and the encoder's batch size). Default 64. */
  maxBatch?: number;
  /** Inputs waiting for the model at most; a request past it gets 503 with Retry-After. Default 1,024. */
  maxQueuedInputs?: number;
  /** Tokens of one request at most (each input's bound: ./token-budget.ts); past it a 413. Default 32,768. */
  maxRequestTokens?: number;
  /** Padded tokens of one encoder batch at most (inputs × the longest's bound); a call is split to fit. Default 8,192. */
  maxBatchTokens?: number;
  /** A prediction not answered this long after its request arrived gets 503 with Retry-After, ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** How long `close()` keeps idle keep-alive connections open for a request already on its way, ms. Default 1,000. */
  closeGraceMs?: number;
  /** Where failures of the model are logged (never input texts or keys). Default console.error. */
  logger?: Logger;
  /** A bearer token every request but GET /health must carry; absent: none asked (loopback use). */
  apiKey?: string;
  /** Steps of an explanation (`parameters.explain.steps`) at most. Default 32. */
  maxExplainSteps?: number;
  /** Tokens one /generate request may ask for at most (`parameters.max_new_tokens`; over it a 400). Default 256. */
  maxNewTokens?: number;
}

/** A request not answered within the server's requestTimeoutMs (the reason its signal aborts with). */
class RequestTimeout extends Error {}
/** A request whose client closed the connection before the answer. */
class ClientGone extends Error {}

const ROUTES: Record<string, string> = { '/predict': 'POST', '/generate': 'POST', '/health': 'GET', '/ready': 'GET' };

/** Seconds a client is asked to wait (Retry-After) when the queue is full or the server is closing. */
const RETRY_AFTER_SECONDS = 1;

/**
 * A server answering predictions of `predictor` (not listening yet: call `listen`).
 * @param predictor a loaded Predictor (src/predict/predict.ts), or anything with its `predict` and `taskNames`.
 */
export function createPredictServer(predictor: PredictService, options: ServeOptions = {}): Server {
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  const maxInputs = options.maxInputs ?? 256;
  const maxTextChars = options.maxTextChars ?? 10_000;
  const maxBatch = options.maxBatch ?? 64;
  const maxQueued = options.maxQueuedInputs ?? 1024;
  const closeGraceMs = options.closeGraceMs ?? 1000;
  const logger = options.logger ?? stderrLogger;
  const maxRequestTokens = options.maxRequestTokens ?? 32_768;
  const maxBatchTokens = options.maxBatchTokens ?? 8192;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const maxExplainSteps = options.maxExplainSteps ?? 32;
  const maxNewTokens = options.maxNewTokens ?? 256;
  let generations = 0; // /generate requests waiting for the model thread or under way
  const bound = (input: PredictInput) => tokenBound(input, predictor.maxLength ?? Infinity);
  // an explanation runs the input's m + 1 integration points through the model as one batch
  const cost = (input: PredictInput) => bound(input) * (input.explain === undefined ? 1 : input.explain.steps + 1);
  const predictInBudget = async (inputs: readonly PredictInput[]): Promise<PredictionRecord[]> => {
    const records: PredictionRecord[] = [];
    let at = 0;
    for (const size of planBatches(inputs.map(bound), maxBatch, maxBatchTokens)) {
      records.push(...(await predictor.predict(inputs.slice(at, at + size), { batchSize: size })));
      at += size;
    }
    return records;
  };
  const model = new Coalescer<PredictInput, PredictionRecord>(predictInBudget, maxBatch, maxQueued);
  const retry = { 'retry-after': String(RETRY_AFTER_SECONDS) };
  const uploading = new Set<IncomingMessage>(); // requests whose body is still arriving
  const key = options.apiKey === undefined ? undefined : apiKeyDigest(options.apiKey, 'the API key');
  const allowed = (req: IncomingMessage): boolean => key === undefined || authorized(req, key);

  /** The answer for a failure of the model: 503 for a timeout, 500 (logged) for others; a ClientGone is thrown on. */
  const modelFailure = (e: unknown, what: string): HttpError => {
    if (e instanceof ClientGone) throw e;
    if (e instanceof HttpError) return e;
    if (e instanceof QueueFullError) return new HttpError(503, `${e.message} (--max-queued-inputs)`, retry);
    if (e instanceof RequestTimeout)
      return new HttpError(503, `no answer within ${timeoutMs} ms (--request-timeout-ms): the model is busy; try again shortly`, retry);
    // the prompt (empty once tokenized), a task that takes no messages, messages the chat template refuses
    if (e instanceof ConfigError || e instanceof DataError) return new HttpError(400, `${what} failed: ${e.message}`);
    logger.info(`mtl serve: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return new HttpError(500, `${what} failed: ${e instanceof Error ? e.message : String(e)}`);
  };

  /** POST /generate: the request checked against the limits, then its text or its stream (./generate-route.ts). */
  const generateRoute = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<unknown> => {
    if (predictor.generate === undefined || predictor.cannotGenerate !== undefined)
      throw new HttpError(404, `this model does not generate text: ${predictor.cannotGenerate ?? 'the server has no generator'}`);
    const generate: GenerateFn = predictor.generate.bind(predictor);
    uploading.add(req);
    const body = await readJson(req, maxBodyBytes).finally(() => uploading.delete(req));
    const request = generateRequestOf(body, maxNewTokens);
    const prompt = request.prompt;
    // a conversation: all its messages' characters, and at most max_length tokens (the chat task fits its prompt to it)
    const text = 'text' in prompt;
    const asInput: PredictInput = text ? { text: prompt.text } : { text: '', messages: prompt.messages };
    const [field, what] = text ? ['inputs', 'a prompt'] : ['messages', 'a conversation'];
    const chars = inputChars(asInput);
    if (chars > maxTextChars)
      throw new HttpError(413, `${field}: ${what} of ${chars} characters; at most ${maxTextChars} (--max-text-chars)`);
    const tokens = tokenBound(asInput, text ? Infinity : (predictor.maxLength ?? Infinity));
    if (tokens > maxRequestTokens)
      throw new HttpError(413, `${what} of up to ${tokens} tokens; at most ${maxRequestTokens} per request (--max-request-tokens)`);
    if (model.queued + generations >= maxQueued)
      throw new HttpError(
        503,
        `busy: ${model.queued + generations} requests are waiting (at most ${maxQueued}, --max-queued-inputs)`,
        retry,
      );
    generations += 1;
    try {
      if (!request.stream) return generationJson(await generate(prompt, request.options, () => {}, signal));
      const headers = (): Record<string, string> => (server.listening ? {} : { connection: 'close' });
      const describe = (e: unknown) => (e instanceof ClientGone ? undefined : modelFailure(e, 'generation').message);
      return await streamGeneration(res, generate, prompt, request.options, signal, headers, describe);
    } catch (e) {
      throw modelFailure(e, 'generation');
    } finally {
      generations -= 1;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<unknown> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = ROUTES[url.pathname];
    if (method === undefined)
      throw new HttpError(404, `no such path '${url.pathname}'; the paths are POST /predict, POST /generate and GET /health`);
    if (req.method !== method) throw new HttpError(405, `${url.pathname} takes ${method}, not ${req.method ?? '?'}`, { allow: method });
    if (url.pathname === '/health') {
      if (predictor.failure !== undefined)
        throw new HttpError(503, `the model cannot answer: ${predictor.failure}`, {}, { status: 'failed' });
      return allowed(req) ? { status: 'ok', tasks: predictor.taskNames } : { status: 'ok' };
    }
    if (!allowed(req))
      throw new HttpError(401, 'this server needs an API key: send Authorization: Bearer <key>', { 'www-authenticate': 'Bearer' });
    if (url.pathname === '/ready') {
      if (!server.listening) throw new HttpError(503, 'closing: the server takes no more requests', retry);
      if (predictor.failure !== undefined) throw new HttpError(503, `the model cannot answer: ${predictor.failure}`);
      if (!model.accepts(maxInputs)) throw new HttpError(503, `busy: ${model.queued} inputs are waiting (at most ${maxQueued})`, retry);
      return { status: 'ready', queued: model.queued };
    }
    if (url.pathname === '/generate') return generateRoute(req, res, signal);
    if (predictor.cannotPredict !== undefined)
      throw new HttpError(404, `this model makes no predictions (${predictor.cannotPredict}); it generates text: POST /generate`);
    uploading.add(req);
    const body = await readJson(req, maxBodyBytes).finally(() => uploading.delete(req));
    const inputs = inputsOf(body, maxInputs, maxTextChars, maxExplainSteps);
    const tokens = inputs.reduce((sum, input) => sum + cost(input), 0);
    if (tokens > maxRequestTokens)
      throw new HttpError(
        413,
        `${inputs.length} inputs of up to ${tokens} tokens in all${inputs[0]?.explain === undefined ? '' : ` (explained: ${inputs[0].explain.steps + 1} times their own)`}; ` +
          `at most ${maxRequestTokens} per request (--max-request-tokens): send fewer or shorter inputs per request${inputs[0]?.explain === undefined ? '' : ', or fewer explanation steps'}`,
      );
    try {
      return { predictions: (await model.submit(inputs, signal)).map(predictionToJson) };
    } catch (e) {
      throw modelFailure(e, 'prediction');
    }
  };

  const server = createServer((req, res) => {
    // Once closing, keep-alive clients are told to let go, else close() waits out their idle timeout.
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      sendJson(res, status, body, server.listening ? headers : { ...headers, connection: 'close' });
    // Aborted at the timeout, or when the client goes away before its answer: its inputs leave the queue.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new RequestTimeout()), timeoutMs);
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) abort.abort(new ClientGone());
    });
    handle(req, res, abort.signal).then(
      (body) => {
        if (body !== STREAMED) send(200, body);
      },
      (e: unknown) => {
        if (e instanceof ClientGone) return; // nobody to answer, nothing to log
        if (!(e instanceof HttpError)) logger.info(`mtl serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        const err = e instanceof HttpError ? e : new HttpError(500, 'internal error');
        send(err.status, { ...err.body, error: err.message }, err.headers);
      },
    );
  });
  const close = server.close.bind(server);
  server.close = (callback) => {
    // A stalled upload would otherwise hold close() for Node's requestTimeout (300 s).
    for (const req of uploading) req.destroy();
    // http.Server's close() destroys idle keep-alive connections at once, so a request a client sent on
    // one an instant before is met by a reset. Stop accepting connections only (net.Server's close), and
    // do the rest of http's close (idle connections closed) after a grace period; requests arriving
    // meanwhile are answered with Connection: close.
    NetServer.prototype.close.call(server, callback);
    setTimeout(() => close(), closeGraceMs).unref();
    return server;
  };
  return server;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body parsed as JSON.
 * @throws HttpError 413 past `maxBytes` (the connection is closed after the answer), 400 for invalid UTF-8 or JSON
 *   or a body cut off (the client went away: an answer nobody reads, and nothing for the log).
 */
async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        req.resume(); // let the rest drain; the answer closes the connection
        throw new HttpError(413, `request body over ${maxBytes} bytes; send fewer inputs per request`, { connection: 'close' });
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, `the body was cut off (${e instanceof Error ? e.message : String(e)})`);
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.concat(chunks));
  } catch {
    // Decoding leniently would put U+FFFD into the texts and predict on them without a word.
    throw new HttpError(400, 'the body is not UTF-8; send JSON in UTF-8 (RFC 8259)');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new HttpError(400, `the body is not JSON (${e instanceof Error ? e.message : String(e)}); expected {"inputs": ["a text", …]}`);
  }
}

/**
 * The inputs of a request body `{"inputs": INPUT | [INPUT, …]}`.
 * @throws HttpError 400 naming the first bad element and what was expected; 413 past `maxInputs`, or
 *   for a text over `maxTextChars` (a long text costs its splitting into words and its answer, though
 *   the model reads only the first max_length tokens).
 */
function inputsOf(body: unknown, maxInputs: number, maxTextChars: number, maxExplainSteps: number): PredictInput[] {
  const expected =
    'expected {"inputs": "a text"} or {"inputs": ["a text", {"text": "…", "text_pair": "…"}, {"messages": [{"role": "user", "content": "…"}]}, …]}';
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('inputs' in body))
    throw new HttpError(400, `the body has no "inputs"; ${expected}`);
  const raw = (body as { inputs: unknown }).inputs;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new HttpError(400, `"inputs" is empty; ${expected}`);
  if (list.length > maxInputs) throw new HttpError(413, `${list.length} inputs in one request; at most ${maxInputs}`);
  const { topK, explain } = parametersOf(body as { parameters?: unknown }, maxExplainSteps);
  return list.map((value, i) => {
    const input = predictInputOf(value);
    const where = Array.isArray(raw) ? `inputs[${i}]` : 'inputs';
    if (typeof input === 'string') throw new HttpError(400, `${where}: ${input}; ${expected}`);
    const chars = inputChars(input);
    if (chars > maxTextChars)
      throw new HttpError(
        413,
        `${where}: ${input.messages === undefined ? 'a text' : 'a dialogue'} of ${chars} characters; at most ${maxTextChars} (--max-text-chars)`,
      );
    return { ...input, ...(topK === undefined ? {} : { topK }), ...(explain === undefined ? {} : { explain }) };
  });
}

/** Characters of an input, against `maxTextChars`: its text and pair, or all its dialogue's messages (a chat task reads them all). */
function inputChars(input: PredictInput): number {
  if (input.messages !== undefined) return input.messages.reduce((n, m) => n + m.content.length, 0);
  return input.text.length + (input.textPair?.length ?? 0);
}

/** Labels a classification lists at most (`parameters.top_k`): more than any label set holds. */
const MAX_TOP_K = 10_000;

/**
 * `parameters` of a request body: `top_k` (Hugging Face's Inference API spelling), how many of the most
 * probable labels each classification lists, and `explain`, `true` or the options of an explanation;
 * each undefined when absent.
 * @throws HttpError 400 for `parameters` that is not an object, another key in it, a `top_k` that is not
 *   an integer from 1 to MAX_TOP_K, or an `explain` that is neither true nor valid options (steps at most `maxExplainSteps`).
 */
function parametersOf(body: { parameters?: unknown }, maxExplainSteps: number): { topK?: number; explain?: ExplainOptions } {
  const p = body.parameters;
  if (p === undefined) return {};
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw new HttpError(400, '"parameters" must be an object, e.g. {"top_k": 3}');
  const other = Object.keys(p).find((k) => k !== 'top_k' && k !== 'explain');
  if (other !== undefined) throw new HttpError(400, `"parameters" takes only "top_k" and "explain", got ${JSON.stringify(other)}`);
  const { top_k: k, explain } = p as { top_k?: unknown; explain?: unknown };
  if (k !== undefined && (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_TOP_K))
    throw new HttpError(400, `"parameters.top_k" must be an integer from 1 to ${MAX_TOP_K}, got ${JSON.stringify(k)}`);
  return {
    ...(k === undefined ? {} : { topK: k as number }),
    ...(explain === undefined || explain === false ? {} : { explain: explainOf(explain, maxExplainSteps) }),
  };
}

const EXPLAIN_KEYS = ['steps', 'baseline', 'rule', 'labels'];

/** `parameters.explain`: true (the defaults, steps capped at `maxSteps`) or an object of options. */
function explainOf(value: unknown, maxSteps: number): ExplainOptions {
  const example = '{"explain": true} or {"explain": {"steps": 16, "baseline": "pad"}}';
  if (value !== true && (typeof value !== 'object' || value === null || Array.isArray(value)))
    throw new HttpError(400, `"parameters.explain" must be true or an object, e.g. ${example}`);
  const request = value === true ? {} : (value as Record<string, unknown>);
  const other = Object.keys(request).find((k) => !EXPLAIN_KEYS.includes(k));
  if (other !== undefined)
    throw new HttpError(400, `"parameters.explain" takes ${EXPLAIN_KEYS.map((k) => `"${k}"`).join(', ')}, got ${JSON.stringify(other)}`);
  try {
    return resolveExplainOptions({ steps: Math.min(maxSteps, 32), ...(request as ExplainRequest) }, maxSteps);
  } catch (e) {
    if (e instanceof ConfigError) throw new HttpError(400, `"parameters.explain": ${e.message}`);
    throw e;
  }
}
