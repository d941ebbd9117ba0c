/**
 * The messages between `mtl serve`'s HTTP thread (./worker-predictor.ts) and its model thread
 * (./model-worker.ts), and errors carried across: a worker posts structured-clone data, so an error
 * goes as its class name, code and message and comes back as the catalogue's class of that code.
 */
import { CheckpointError, ConfigError, DataError, MtlError } from '../errors.js';
import type { FinishReason, GenerateOptions } from '../generate/index.js';
import type { Conversation } from '../predict/chat-reply.js';
import type { TaskPrompt } from '../predict/generate.js';
import type { PredictInput, PredictionRecord, PredictOptions } from '../predict/predict.js';

/** What the model thread is started with (`workerData`). */
export interface ModelWorkerData {
  /** The checkpoint folder. */
  readonly dir: string;
}

/** HTTP thread → model thread: predict `inputs` (Predictor.predict with `options`). */
export interface PredictMessage {
  readonly kind: 'predict';
  readonly id: number;
  readonly inputs: readonly PredictInput[];
  readonly options: PredictOptions;
}

/** HTTP thread → model thread: continue `prompt` or reply to a conversation (TextGenerator.generate), posting a `token` reply per token. */
export interface GenerateMessage {
  readonly kind: 'generate';
  readonly id: number;
  readonly prompt: string | TaskPrompt | Conversation;
  readonly options: GenerateOptions;
}

/** HTTP thread → model thread: nobody waits for request `id` any more; its generation stops at its next token. */
export interface CancelMessage {
  readonly kind: 'cancel';
  readonly id: number;
}

export type WorkerRequest = PredictMessage | GenerateMessage | CancelMessage;

/** A piece of generated text (never empty) and the id of the token that released it; `id` null for text released at the end. */
export interface StreamedToken {
  readonly id: number | null;
  readonly text: string;
}

/** A finished generation. */
export interface GenerationResult {
  readonly generatedText: string;
  readonly finishReason: FinishReason;
  /** Tokens generated (without the EOS token). */
  readonly generatedTokens: number;
  /** A conversation's reply: the oldest turns left out of its prompt; absent for a prompt. */
  readonly droppedTurns?: number;
}

/** Model thread → HTTP thread. */
export type WorkerReply =
  | {
      readonly kind: 'ready';
      readonly taskNames: string[];
      readonly maxLength: number;
      /** Why the model cannot predict (no task presents predictions); absent when it can. */
      readonly cannotPredict?: string;
      /** Why the model cannot generate (an encoder); absent when it can. */
      readonly cannotGenerate?: string;
    }
  | { readonly kind: 'load-failed'; readonly error: ErrorData }
  | { readonly kind: 'done'; readonly id: number; readonly records: PredictionRecord[] }
  | { readonly kind: 'token'; readonly id: number; readonly token: StreamedToken }
  | { readonly kind: 'generated'; readonly id: number; readonly result: GenerationResult }
  | { readonly kind: 'failed'; readonly id: number; readonly error: ErrorData };

/** An error as a message carries it. */
export interface ErrorData {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly stack?: string;
}

export function errorData(e: unknown): ErrorData {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  return { name: e.name, message: e.message, ...(e instanceof MtlError ? { code: e.code } : {}), ...(e.stack ? { stack: e.stack } : {}) };
}

const CATALOGUE: Record<string, new (message: string) => MtlError> = {
  ERR_CHECKPOINT: CheckpointError,
  ERR_CONFIG: ConfigError,
  ERR_DATA: DataError,
};

/** The error `data` describes: the catalogue's class for its code (a plain MtlError for others), or an Error. */
export function errorFrom(data: ErrorData): Error {
  const Class = data.code === undefined ? undefined : CATALOGUE[data.code];
  const e =
    Class !== undefined
      ? new Class(data.message)
      : data.code !== undefined
        ? new MtlError(data.code, data.message)
        : new Error(data.message);
  e.name = data.name;
  if (data.stack !== undefined) e.stack = data.stack;
  return e;
}
