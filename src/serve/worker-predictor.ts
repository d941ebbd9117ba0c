/**
 * A checkpoint's predictions computed on a worker thread (./model-worker.ts owns the model), for
 * `mtl serve`: `predict` posts the inputs and resolves when the thread answers, so the HTTP thread's
 * event loop stays free while the model runs. If the thread dies, every prediction waiting on it is
 * rejected and `failure` says why (the server's /health then answers 503, so a supervisor restarts it).
 */
import { Worker } from 'node:worker_threads';
import type { PredictInput, PredictionRecord, PredictOptions } from '../predict/predict.js';
import type { PredictService } from './server.js';
import { errorFrom, type ModelWorkerData, type PredictMessage, type WorkerReply } from './worker-protocol.js';

interface Waiting {
  resolve: (records: PredictionRecord[]) => void;
  reject: (error: Error) => void;
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
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 0;
  #failure: string | undefined;

  private constructor(worker: Worker, taskNames: string[], maxLength: number) {
    this.#worker = worker;
    this.taskNames = taskNames;
    this.maxLength = maxLength;
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
    if (first.kind === 'ready') return new WorkerPredictor(worker, first.taskNames, first.maxLength);
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
      this.#waiting.set(id, { resolve, reject });
      const message: PredictMessage = { id, inputs, options };
      this.#worker.postMessage(message);
    });
  }

  /** Stops the model thread (its tensors are freed with it); predictions still waiting are rejected. */
  async close(): Promise<void> {
    this.#fail('the model thread was stopped');
    await this.#worker.terminate();
  }

  #answer(m: WorkerReply): void {
    if (m.kind !== 'done' && m.kind !== 'failed') return;
    const waiting = this.#waiting.get(m.id);
    this.#waiting.delete(m.id);
    if (m.kind === 'done') waiting?.resolve(m.records);
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
