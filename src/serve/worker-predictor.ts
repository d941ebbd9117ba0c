/**
 * A checkpoint's predictions computed on a worker thread (./model-worker.ts owns the model), for
 * `mtl serve`: `predict` posts the inputs and resolves when the thread answers, `generate` posts a
 * prompt and hears each token as the thread generates it, so the HTTP thread's event loop stays free
 * while the model runs. If the thread dies, every prediction waiting on it is
 * rejected and `failure` says why (the server's /health then answers 503, so a supervisor restarts it).
 */
import { Worker } from 'node:worker_threads';
import type { GenerateOptions } from '../generate/index.js';
import type { Conversation } from '../predict/chat-reply.js';
import type { TaskPrompt } from '../predict/generate.js';
import type { PredictInput, PredictionRecord, PredictOptions } from '../predict/predict.js';
import type { PredictService } from './server.js';
import {
  errorFrom,
  type GenerationResult,
  type ModelWorkerData,
  type StreamedToken,
  type WorkerReply,
  type WorkerRequest,
} from './worker-protocol.js';

interface Waiting {
  resolve: (answer: PredictionRecord[] | GenerationResult) => void;
  reject: (error: Error) => void;
  onToken?: (token: StreamedToken) => void;
}

/**
 * A worker thread running `entry` (a module URL). Run from TypeScript sources (tsx, whose loader does
 * not reach worker threads), the thread registers tsx before importing it.
 */
function startWorker(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

export class WorkerPredictor implements PredictService {
  readonly taskNames: string[];
  readonly maxLength: number;
  /** Why the model makes no predictions (no task presents any); undefined when it does. */
  readonly cannotPredict: string | undefined;
  /** Why the model does not generate text (an encoder); undefined when it does. */
  readonly cannotGenerate: string | undefined;
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 0;
  #failure: string | undefined;

  private constructor(worker: Worker, ready: Extract<WorkerReply, { kind: 'ready' }>) {
    this.#worker = worker;
    this.taskNames = ready.taskNames;
    this.maxLength = ready.maxLength;
    this.cannotPredict = ready.cannotPredict;
    this.cannotGenerate = ready.cannotGenerate;
    worker.on('message', (m: WorkerReply) => this.#answer(m));
    worker.on('error', (e) => this.#fail(`the model thread failed: ${e.message}`));
    worker.on('exit', (code) => this.#fail(`the model thread exited (code ${code})`));
  }

  /**
   * Loads the checkpoint at `dir` on a new worker thread.
   * @throws what Predictor.load throws (CheckpointError, …), rebuilt as the catalogue's class.
   */
  static async start(dir: string): Promise<WorkerPredictor> {
    const data: ModelWorkerData = { dir };
    const worker = startWorker(new URL(`./model-worker${path(import.meta.url)}`, import.meta.url), data);
    let onMessage = (_: WorkerReply) => {};
    let onError = (_: Error) => {};
    let onExit = (_: number) => {};
    const first = await new Promise<WorkerReply>((resolve, reject) => {
      onMessage = resolve;
      onError = reject;
      onExit = (code) => reject(new Error(`the model thread exited (code ${code}) before loading ${dir}`));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    }).finally(() => {
      // not removeAllListeners(): Worker's own listeners (newListener) carry its messages
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    });
    if (first.kind === 'ready') return new WorkerPredictor(worker, first);
    await worker.terminate();
    throw first.kind === 'load-failed' ? errorFrom(first.error) : new Error(`the model thread answered ${first.kind} before loading`);
  }

  /** Why the model thread stopped, once it has; undefined while it runs. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Every task's prediction for each input: Predictor.predict on the model thread. */
  predict(inputs: readonly PredictInput[], options: PredictOptions = {}): Promise<PredictionRecord[]> {
    if (this.#failure !== undefined) return Promise.reject(new Error(this.#failure));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve: (records) => resolve(records as PredictionRecord[]), reject });
      this.#post({ kind: 'predict', id, inputs, options });
    });
  }

  /**
   * Continues `prompt`, or replies to a conversation, on the model thread (TextGenerator.generate),
   * calling `onToken` for each token as the thread posts it (with the text it releases, as `mtl generate` streams it).
   * @param signal aborting it rejects the promise with its reason at once and tells the thread, whose
   *   generation stops at its next token (a queued one never starts).
   * @throws what the generation throws (a ConfigError for a bad option), or Error when the thread has died.
   */
  generate(
    prompt: string | TaskPrompt | Conversation,
    options: GenerateOptions,
    onToken: (token: StreamedToken) => void,
    signal?: AbortSignal,
  ): Promise<GenerationResult> {
    if (this.#failure !== undefined) return Promise.reject(new Error(this.#failure));
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const abort = () => {
        this.#waiting.delete(id);
        this.#post({ kind: 'cancel', id });
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', abort, { once: true });
      const settled = () => signal?.removeEventListener('abort', abort);
      this.#waiting.set(id, {
        resolve: (result) => {
          settled();
          resolve(result as GenerationResult);
        },
        reject: (e) => {
          settled();
          reject(e);
        },
        onToken,
      });
      this.#post({ kind: 'generate', id, prompt, options });
    });
  }

  #post(message: WorkerRequest): void {
    this.#worker.postMessage(message);
  }

  /** Stops the model thread (its tensors are freed with it); predictions still waiting are rejected. */
  async close(): Promise<void> {
    this.#fail('the model thread was stopped');
    await this.#worker.terminate();
  }

  #answer(m: WorkerReply): void {
    if (m.kind === 'ready' || m.kind === 'load-failed') return;
    const waiting = this.#waiting.get(m.id);
    if (m.kind === 'token') return waiting?.onToken?.(m.token);
    this.#waiting.delete(m.id);
    if (m.kind === 'done') waiting?.resolve(m.records);
    else if (m.kind === 'generated') waiting?.resolve(m.result);
    else waiting?.reject(errorFrom(m.error));
  }

  #fail(reason: string): void {
    this.#failure ??= reason;
    for (const w of this.#waiting.values()) w.reject(new Error(this.#failure));
    this.#waiting.clear();
  }
}

/** '.ts' when this module runs from its TypeScript source, else '.js'. */
const path = (url: string): string => (url.endsWith('.ts') ? '.ts' : '.js');
