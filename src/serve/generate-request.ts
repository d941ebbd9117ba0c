/**
 * The body of `POST /generate` as Hugging Face's text-generation-inference (TGI) spells it —
 * `{"inputs": "prompt", "parameters": {…}, "stream": bool}`, with `"task": "name"` naming the seq2seq
 * task whose source the prompt is (`mtl generate --task`) — or, for a checkpoint's chat task, with a
 * conversation in place of the prompt: `{"messages": [{"role", "content"}, …], "task": "name"}`
 * (`task` optional with one chat task), read into `generate`'s options, each parameter checked at the
 * boundary: a wrong one is a 400 naming the key as the client wrote it. Parameters not given are left
 * to the model (a checkpoint's seq2seq task's decoding options, a folder's generation_config.json, then 64 new
 * tokens: ../predict/generation-defaults.ts).
 */
import { replyMessagesOf } from '../data/index.js';
import { ConfigError } from '../errors.js';
import { resolveGenerateOptions, type GenerateOptions } from '../generate/index.js';
import type { Conversation } from '../predict/chat-reply.js';
import type { TaskPrompt } from '../predict/generate.js';
import { HttpError } from './http-error.js';

/** TGI's parameter names and the GenerateOptions field each sets. */
const PARAMETERS = {
  max_new_tokens: 'maxNewTokens',
  min_new_tokens: 'minNewTokens',
  do_sample: 'doSample',
  temperature: 'temperature',
  top_k: 'topK',
  top_p: 'topP',
  seed: 'seed',
  num_beams: 'numBeams',
  length_penalty: 'lengthPenalty',
  early_stopping: 'earlyStopping',
  no_repeat_ngram_size: 'noRepeatNgramSize',
  repetition_penalty: 'repetitionPenalty',
  stop: 'stopStrings',
} as const satisfies Record<string, keyof GenerateOptions>;

/** TGI parameters taken and answered as TGI does without changing the generation: `details` (always given). */
const ACCEPTED = ['details', 'return_full_text'];

/** A generation request, checked. */
export interface GenerateRequest {
  /** The prompt (with its task, if named), or the conversation to reply to; `maxNewTokensLimit` is the server's cap, for the model's own max_new_tokens. */
  readonly prompt: TaskPrompt | Conversation;
  readonly options: GenerateOptions;
  readonly stream: boolean;
}

/**
 * The request a `POST /generate` body asks for. A parameter given as null counts as absent (clients
 * such as huggingface_hub send unset parameters as null). `max_new_tokens` not given is the model's
 * (a chat or seq2seq task's, a folder's generation_config.json, else 64), at most the cap (`maxNewTokensLimit`).
 * @param maxNewTokens the server's cap on `max_new_tokens` (`--max-new-tokens`).
 * @throws HttpError 400 for a body that is not that shape, an unknown key (naming it and the known
 *   ones), a wrong value (naming `parameters.<key>`, the rule and the value), `max_new_tokens` over the
 *   cap, `stream` with beam search (whose tokens are known only at the end), both or neither of
 *   `inputs` and `messages`, a bad message (naming `messages[i].<field>`), an empty list or one whose
 *   last message is the assistant's, or a `task` that is not a non-empty string. A task the model
 *   lacks is the model's error (a 400 `generation failed: …` naming its tasks, as `mtl generate --task`).
 */
export function generateRequestOf(body: unknown, maxNewTokens: number): GenerateRequest {
  const expected =
    'expected {"inputs": "a prompt", "parameters": {"max_new_tokens": 20, …}, "stream": false} or, for a chat task, ' +
    '{"messages": [{"role": "user", "content": "…"}], "task": "its name", "parameters": {…}}';
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, `the body is not a JSON object; ${expected}`);
  const { inputs, messages, task, parameters, stream, ...other } = body as Record<string, unknown>;
  const extra = Object.keys(other)[0];
  if (extra !== undefined) throw new HttpError(400, `unknown key ${JSON.stringify(extra)} in the body; ${expected}`);
  const conversation = messages !== undefined && messages !== null;
  const prompt = conversation ? conversationOf(inputs, messages, task, maxNewTokens) : promptOf(inputs, task, expected, maxNewTokens);
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean')
    throw new HttpError(400, `"stream" must be true or false, got ${JSON.stringify(stream)}`);
  const options = optionsOf(parameters ?? {}, maxNewTokens);
  if (stream === true && (options.numBeams ?? 1) > 1)
    throw new HttpError(
      400,
      '"stream" with parameters.num_beams > 1: beam search knows its tokens only at the end; set "stream": false or num_beams 1',
    );
  return { prompt, options, stream: stream === true };
}

/** The prompt of a body without `messages`: its `inputs`, and the seq2seq task `task` names. */
function promptOf(inputs: unknown, task: unknown, expected: string, maxNewTokens: number): TaskPrompt {
  if (typeof inputs !== 'string' || inputs === '')
    throw new HttpError(400, `"inputs" must be a non-empty string (the prompt); ${expected}`);
  if (task !== undefined && task !== null && (typeof task !== 'string' || task === ''))
    throw new HttpError(400, `"task" must be the name of a seq2seq task (a non-empty string), got ${JSON.stringify(task)}`);
  return { text: inputs, maxNewTokensLimit: maxNewTokens, ...(typeof task === 'string' ? { task } : {}) };
}

/** The conversation of a body with `messages` (and `task`), checked as `replyMessagesOf` checks it. */
function conversationOf(inputs: unknown, messages: unknown, task: unknown, maxNewTokens: number): Conversation {
  if (inputs !== undefined && inputs !== null)
    throw new HttpError(400, 'give "inputs" (a prompt) or "messages" (a conversation for a chat task), not both');
  const list = replyMessagesOf(messages, 'messages');
  if (typeof list === 'string') throw new HttpError(400, list);
  if (task !== undefined && task !== null && (typeof task !== 'string' || task === ''))
    throw new HttpError(400, `"task" must be the name of a chat task (a non-empty string), got ${JSON.stringify(task)}`);
  return { messages: list, maxNewTokensLimit: maxNewTokens, ...(typeof task === 'string' ? { task } : {}) };
}

/** `generate`'s options of a `parameters` object (see generateRequestOf); max_new_tokens left to the model when not given. */
function optionsOf(parameters: unknown, maxNewTokens: number): GenerateOptions {
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
    throw new HttpError(400, '"parameters" must be an object, e.g. {"max_new_tokens": 20}');
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (value === null) continue;
    if (key === 'details' && typeof value === 'boolean') continue;
    if (key === 'return_full_text' && value === false) continue;
    if (ACCEPTED.includes(key))
      throw new HttpError(
        400,
        `"parameters.${key}" must be ${key === 'details' ? 'true or false' : 'false (the answer never repeats the prompt)'}, got ${JSON.stringify(value)}`,
      );
    const field = PARAMETERS[key as keyof typeof PARAMETERS] as string | undefined;
    if (field === undefined)
      throw new HttpError(
        400,
        `"parameters" has no key ${JSON.stringify(key)}; the keys are ${[...Object.keys(PARAMETERS), ...ACCEPTED].join(', ')}`,
      );
    options[field] = value;
  }
  try {
    resolveGenerateOptions({ maxNewTokens, ...options }); // the checks of `generate` itself, with the HTTP names put back
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    let message = e.message.replace(/^generate: /, '');
    for (const [key, field] of Object.entries(PARAMETERS))
      message = message.replace(new RegExp(`\\b${field}\\b`, 'g'), `parameters.${key}`);
    throw new HttpError(400, message);
  }
  const asked = (options.maxNewTokens as number | undefined) ?? 0;
  if (asked > maxNewTokens)
    throw new HttpError(
      400,
      `parameters.max_new_tokens is ${asked}; this server generates at most ${maxNewTokens} tokens per request (--max-new-tokens)`,
    );
  return options as GenerateOptions;
}
