/**
 * The answer of `POST /generate` once the request is admitted: the whole text as JSON, or — with
 * `"stream": true` — Server-Sent Events (text/event-stream, as text-generation-inference streams):
 * one `data: {"token": {"id", "text"}, "generated_text": null, "details": null}` event per piece of
 * text as the model thread releases it (`text` never empty, `id` the token that released it: a token
 * that adds no text yet — a character split over byte tokens, a special token, a possible stop string
 * — sends no event), an event with `"id": null` for text released only at the end, and a last event with
 * `"token": null`, `generated_text` and `details`. The tokens' texts joined equal `generated_text`.
 * The status line goes out with the first event, so a failure before it is an ordinary error answer;
 * a failure after it is a last event `{"error": …}`.
 */
import type { ServerResponse } from 'node:http';
import type { GenerateOptions } from '../generate/index.js';
import type { Conversation } from '../predict/chat-reply.js';
import type { TaskPrompt } from '../predict/generate.js';
import type { GenerationResult, StreamedToken } from './worker-protocol.js';

/** What the server needs of a model that generates (./worker-predictor.ts's WorkerPredictor). */
export type GenerateFn = (
  prompt: string | TaskPrompt | Conversation,
  options: GenerateOptions,
  onToken: (token: StreamedToken) => void,
  signal?: AbortSignal,
) => Promise<GenerationResult>;

/** A handler's result meaning "already answered on the response" (a stream). */
export const STREAMED = Symbol('streamed');

/**
 * The JSON body of a finished generation, as text-generation-inference answers (`details` always
 * given; a reply whose prompt lost its oldest turns says how many in `details.dropped_turns`).
 */
export function generationJson(r: GenerationResult): {
  generated_text: string;
  details: { finish_reason: string; generated_tokens: number; dropped_turns?: number };
} {
  const dropped = r.droppedTurns ? { dropped_turns: r.droppedTurns } : {};
  return { generated_text: r.generatedText, details: { finish_reason: r.finishReason, generated_tokens: r.generatedTokens, ...dropped } };
}

/**
 * Streams a generation to `res` as Server-Sent Events.
 * @param headers headers of the answer besides its content type (Connection: close while closing).
 * @param describe the message of an error that ends a stream already under way (the server's wording).
 * @returns STREAMED once answered (ended, or the client gone).
 * @throws what `generate` throws before the first event (nothing written yet: the caller answers it).
 */
export async function streamGeneration(
  res: ServerResponse,
  generate: GenerateFn,
  prompt: string | TaskPrompt | Conversation,
  options: GenerateOptions,
  signal: AbortSignal,
  headers: () => Record<string, string>,
  describe: (e: unknown) => string | undefined,
): Promise<typeof STREAMED> {
  let started = false;
  const event = (data: unknown) => {
    if (!started) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers() });
      started = true;
    }
    res.write(`data: ${JSON.stringify(data)}\n\n`);
  };
  try {
    const result = await generate(prompt, options, (token) => event({ token, generated_text: null, details: null }), signal);
    event({ token: null, ...generationJson(result) });
  } catch (e) {
    if (!started) throw e;
    const message = describe(e);
    if (message === undefined) return STREAMED; // the client is gone: nobody to tell
    event({ error: message });
  }
  res.end();
  return STREAMED;
}
