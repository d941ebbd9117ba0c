/**
 * Replies to conversations (`mtl generate --messages`, `POST /generate` with `messages`): what a
 * conversation's reply is generated from — its prompt, the tokens it stops at, its decoding options —
 * by one of two repliers:
 * - a checkpoint's chat task: its own template, end-of-turn token and decoding options
 *   (`TaskType.replyPrompt`, `replyOptions`), as prediction renders its prompts;
 * - a Hugging Face decoder folder's own chat template (chat_template.jinja, or tokenizer_config.json's
 *   `chat_template`), rendered as Transformers' `apply_chat_template(messages, add_generation_prompt=True)`
 *   renders it (the folder's bos/eos and other special tokens as its variables, the text tokenized
 *   without special tokens added); the reply stops at generation_config.json's `eos_token_id` (one id
 *   or a list; else config.json's) and at the template's end-of-turn token (the special token a
 *   rendered assistant turn ends with: `<|im_end|>`, `<|eot_id|>`, `</s>`).
 * Both leave out the oldest turns (after any system message) of a prompt with no room left for the
 * reply, and say how many. TextGenerator (./generate.ts) generates and streams the reply.
 */
import path from 'node:path';
import { replyMessagesOf } from '../data/index.js';
import { ConfigError, DataError } from '../errors.js';
import { DEFAULT_NEW_TOKENS, type GenerateOptions } from '../generate/index.js';
import type { Backbone } from '../models/backbone.js';
import type { LmHead } from '../models/causal-lm.js';
import { assistantTurn, fittedPrompt, templateOf } from '../tasks/chat-prompt.js';
import { taskTypes, type AnyTaskType, type TaskSpec } from '../tasks/index.js';
import type { ChatMessage, ChatTemplate, ChatTemplateSource, Tokenizer } from '../tokenization/index.js';

/** A conversation to reply to as the assistant (`mtl generate --messages`, `POST /generate` with `messages`). */
export interface Conversation {
  /** The turns so far, in Hugging Face's chat format; the last is the one the reply answers (not the assistant's: `replyMessagesOf`). */
  readonly messages: readonly ChatMessage[];
  /** The checkpoint's task that replies (a chat task); default its only one. A Hugging Face folder takes none. */
  readonly task?: string;
  /** The most tokens the replier's own max_new_tokens may ask for when the options name none (a server's --max-new-tokens); default no limit. */
  readonly maxNewTokensLimit?: number;
}

/** A checkpoint's task, as replying to a conversation reads it. */
export interface CheckpointTask {
  readonly spec: TaskSpec;
  readonly type: AnyTaskType;
  /** Its head as an LM head (a causal-LM head: chat's), else undefined. */
  readonly lmHead: LmHead | undefined;
}

/** A checkpoint's tasks, of which a chat task replies. */
export interface CheckpointReplier {
  readonly kind: 'checkpoint';
  readonly tasks: readonly CheckpointTask[];
  /** Tokens of prompt and reply together at most (the run's max_length). */
  readonly maxLength: number;
}

/** A Hugging Face folder, whose chat template replies. */
export interface FolderReplier {
  readonly kind: 'folder';
  /** The folder (for messages). */
  readonly dir: string;
  /** Its chat template with its special tokens (`folderChatTemplate`); undefined: it has none. */
  readonly template: ChatTemplateSource | undefined;
  /**
   * The token ids a reply stops at (see the file comment): worked out at the first reply (the template's
   * end-of-turn token is probed then), then kept; the folder's generation_config.json, its eos_token_id
   * included, is checked when the folder loads (./generation-defaults.ts), so a bad one refuses the folder.
   */
  readonly stopIds: () => Promise<readonly number[]>;
  /** Tokens of prompt and reply together at most (the model's max_position_embeddings). */
  readonly maxLength: number;
  /** Its backbone's model_type and kind (only a decoder replies). */
  readonly modelType: string;
  readonly backboneKind: Backbone['kind'];
}

/** What replies to conversations for a model folder. */
export type Replier = CheckpointReplier | FolderReplier;

/** A conversation's reply as generation runs it. */
export interface ReplyPlan {
  /** (T) the prompt's token ids. */
  readonly inputIds: readonly number[];
  /** The decoding options: the replier's defaults and stop ids, under the given options, with maxNewTokens resolved. */
  readonly options: GenerateOptions;
  /** The replying task's LM head; undefined: the model's own. */
  readonly lmHead: LmHead | undefined;
  /** The oldest turns left out of the prompt to make room for the reply (0: none). */
  readonly droppedTurns: number;
}

/** Tokens a reply may take when neither the options nor its replier say (as `mtl generate`'s default). */
export const DEFAULT_REPLY_TOKENS = DEFAULT_NEW_TOKENS;

/**
 * The replier of a Hugging Face folder `dir`: its tokenizer's chat template (`tokenizerFromFolder` reads it),
 * its eos ids and positions.
 * @param generationEos generation_config.json's eos_token_id as the folder's load read it
 *   (`GenerationDefaults.eosTokenIds`); absent: config.json's.
 */
export function folderReplier(dir: string, backbone: Backbone, tokenizer: Tokenizer, generationEos?: readonly number[]): FolderReplier {
  const template = tokenizer.chatTemplate;
  const configEos = (backbone.config as { eosTokenId?: number | null }).eosTokenId ?? undefined;
  const eos = generationEos ?? (configEos === undefined ? [] : [configEos]);
  let stops: Promise<readonly number[]> | undefined;
  const stopIds = (): Promise<readonly number[]> =>
    (stops ??= folderStopIds(eos, template, tokenizer).catch((e: unknown) => {
      stops = undefined; // probed again at the next reply
      throw e;
    }));
  return {
    kind: 'folder',
    dir,
    template,
    stopIds,
    maxLength: backbone.config.maxPositionEmbeddings,
    modelType: backbone.config.modelType,
    backboneKind: backbone.kind,
  };
}

/**
 * The prompt, decoding options and LM head of the reply to `conversation` (see the file comment).
 * @param given the decoding options set (none undefined): they override the replier's own; without
 *   maxNewTokens, the replier's (a chat task's max_new_tokens, else 64) at most `maxNewTokensLimit`.
 * @throws DataError for bad messages or a template that refuses them (`raise_exception`); ConfigError
 *   for a checkpoint without a chat task (naming the tasks it has), an unknown task, a folder without a
 *   chat template (naming the file that would carry one), a task named for a folder, an encoder-decoder
 *   folder, or a max length without room for the reply.
 */
export async function replyPlan(
  replier: Replier,
  conversation: Conversation,
  given: GenerateOptions,
  tokenizer: Tokenizer,
): Promise<ReplyPlan> {
  const messages = replyMessagesOf(conversation.messages, 'messages');
  if (typeof messages === 'string') throw new DataError(messages);
  const limit = conversation.maxNewTokensLimit ?? Infinity;
  if (replier.kind === 'folder') return folderReply(replier, conversation.task, messages, given, limit, tokenizer);
  const task = replyingTask(replier.tasks, conversation.task);
  const defaults = task.type.replyOptions?.(task.spec) ?? {};
  const maxNewTokens = given.maxNewTokens ?? Math.min(defaults.maxNewTokens ?? DEFAULT_REPLY_TOKENS, limit);
  const prompt = await task.type.replyPrompt!(task.spec, tokenizer, messages, { maxLength: replier.maxLength, maxNewTokens });
  return {
    inputIds: prompt.inputIds,
    options: { ...defaults, eosTokenId: prompt.endTokenId, ...given, maxNewTokens },
    lmHead: task.lmHead,
    droppedTurns: prompt.droppedTurns,
  };
}

/** What messages go to, for error messages. */
function takers(): string {
  const kinds = taskTypes.all.filter((t) => t.replyPrompt !== undefined).map((t) => t.kind);
  return `messages go to a ${kinds.join(' or ')} task, whose chat template renders them`;
}

/**
 * The checkpoint's task that replies to conversations: `name`, else its only one (a type with `replyPrompt`: chat).
 * @throws ConfigError naming the tasks there are when there is none, `name` is not one, or several and no name.
 */
function replyingTask(tasks: readonly CheckpointTask[], name: string | undefined): CheckpointTask {
  const takes = takers();
  const listed = tasks.map((t) => `'${t.spec.name}' (${t.spec.kind})`).join(', ');
  const replying = tasks.filter((t) => t.type.replyPrompt !== undefined);
  if (name !== undefined) {
    const task = tasks.find((t) => t.spec.name === name);
    if (task === undefined) throw new ConfigError(`the checkpoint has no task '${name}'; its tasks: ${listed}`);
    if (task.type.replyPrompt === undefined)
      throw new ConfigError(
        `task '${name}' is a ${task.spec.kind} task, which takes no messages; ${takes}` +
          (replying.length === 0 ? ', and this checkpoint has none' : `: ${replying.map((t) => `'${t.spec.name}'`).join(', ')}`),
      );
    return task;
  }
  if (replying.length === 0) throw new ConfigError(`the checkpoint has no task that takes messages (its tasks: ${listed}); ${takes}`);
  if (replying.length > 1)
    throw new ConfigError(
      `the checkpoint has ${replying.length} tasks that take messages (${replying.map((t) => `'${t.spec.name}'`).join(', ')}); name one (--task, or "task" in a request)`,
    );
  return replying[0]!;
}

/** A Hugging Face folder's reply (see the file comment and `replyPlan`). */
async function folderReply(
  replier: FolderReplier,
  task: string | undefined,
  messages: readonly ChatMessage[],
  given: GenerateOptions,
  limit: number,
  tokenizer: Tokenizer,
): Promise<ReplyPlan> {
  const { dir, maxLength } = replier;
  if (replier.template === undefined)
    throw new ConfigError(
      `${dir} is a Hugging Face folder without a chat template, so it cannot render messages: a folder carries one as ` +
        `${path.join(dir, 'tokenizer_config.json')}'s "chat_template" (or in ${path.join(dir, 'chat_template.jinja')}), ` +
        `and a checkpoint in its chat task (tasks.json); ${takers()}. Add one, or give the rendered prompt as text`,
    );
  if (task !== undefined)
    throw new ConfigError(
      `${dir} is a Hugging Face folder (no tasks.json): its chat template replies, and there is no task '${task}' to name; leave the task out`,
    );
  if (replier.backboneKind !== 'decoder')
    throw new ConfigError(
      `${dir}: its model (${replier.modelType}) is an ${replier.backboneKind}; a chat template renders a decoder's prompt (gpt2, llama, …): give an encoder-decoder its source text as a prompt`,
    );
  const maxNewTokens = given.maxNewTokens ?? Math.min(DEFAULT_REPLY_TOKENS, limit);
  const room = maxLength - maxNewTokens;
  if (room < 1)
    throw new ConfigError(
      `${dir}: the model's max_position_embeddings (${maxLength}) leaves no room for a prompt besides max_new_tokens (${maxNewTokens}); ask for fewer new tokens`,
    );
  const { inputIds, droppedTurns } = await fittedPrompt(messages, templateOf(replier.template), tokenizer, room);
  const stops = await replier.stopIds();
  return {
    inputIds,
    options: { ...(stops.length === 0 ? {} : { eosTokenId: stops }), ...given, maxNewTokens },
    lmHead: undefined,
    droppedTurns,
  };
}

/** The ids a folder's reply stops at: its eos ids and the template's end-of-turn token (when it has a template). */
async function folderStopIds(
  eos: readonly number[],
  source: ChatTemplateSource | undefined,
  tokenizer: Tokenizer,
): Promise<readonly number[]> {
  const turnEnd = source === undefined ? undefined : await endOfTurnToken(templateOf(source), tokenizer);
  return [...new Set([...eos, ...(turnEnd === undefined ? [] : [turnEnd])])];
}

/**
 * The template's end-of-turn token: the last token of a rendered assistant turn (`assistantTurn`) when
 * it is a special token (decoding it without special tokens gives ''), else undefined — a turn ending
 * in ordinary text (a newline, a word) names no token to stop at. A template that cannot be probed so
 * (one that renders earlier turns differently) names none either; the eos ids still stop the reply.
 */
async function endOfTurnToken(template: ChatTemplate, tokenizer: Tokenizer): Promise<number | undefined> {
  let turn: string;
  try {
    turn = assistantTurn(template);
  } catch (e) {
    if (e instanceof DataError) return undefined; // the probe's failure, not the conversation's: the eos ids stop the reply
    throw e;
  }
  const [enc] = await tokenizer.encodeBatch([turn], { addSpecialTokens: false });
  const last = enc!.inputIds.at(-1);
  if (last === undefined) return undefined;
  const special =
    (await tokenizer.decode([last], { skipSpecialTokens: true })) === '' &&
    (await tokenizer.decode([last], { skipSpecialTokens: false })) !== '';
  return special ? last : undefined;
}
