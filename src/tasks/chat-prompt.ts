/**
 * The prompts of the chat task (./chat.ts): its template compiled once, where an assistant turn ends
 * (the token generation stops at), and a conversation rendered with the generation prompt and fitted
 * to the positions left for it — the oldest turns dropped first — for prediction, replies to
 * conversations (`replyPrompt`), and evaluation's generated last turns (`reply_metrics`).
 */
import type { ChatExample } from '../data/index.js';
import { formatPosition } from '../data/index.js';
import { ConfigError, DataError } from '../errors.js';
import { ChatTemplate, type ChatMessage, type ChatTemplateSource, type Tokenizer } from '../tokenization/index.js';

const compiled = new Map<string, ChatTemplate>();

/** The compiled template of `source` (compiled once per process and template). */
export function templateOf(source: ChatTemplateSource): ChatTemplate {
  const key = JSON.stringify([source.template, source.bosToken, source.eosToken, source.origin, source.specialTokens ?? {}]);
  let t = compiled.get(key);
  if (t === undefined) {
    t = ChatTemplate.compile(source);
    compiled.set(key, t);
  }
  return t;
}

/** The text of a rendered assistant turn (`hello<|im_end|>` for ChatML): what the turn ends with. */
export function assistantTurn(template: ChatTemplate): string {
  const probe = template.assistantSpans([
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
  ]);
  const [s, e] = probe.spans[0]!;
  return probe.text.slice(s, e);
}

/** The id generation stops at: the `end_of_turn` option's token (`endOfTurn`), else the last token of a rendered assistant turn. */
export async function endOfTurnId(endOfTurn: string | null, template: ChatTemplate, tokenizer: Tokenizer, task: string): Promise<number> {
  if (endOfTurn !== null) {
    const id = tokenizer.tokenToId(endOfTurn);
    if (id === null) throw new ConfigError(`task '${task}': end_of_turn ${JSON.stringify(endOfTurn)} is not a token of the vocabulary`);
    return id;
  }
  const [enc] = await tokenizer.encodeBatch([assistantTurn(template)], { addSpecialTokens: false });
  const last = enc!.inputIds.at(-1);
  if (last === undefined)
    throw new ConfigError(`task '${task}': the chat template (${template.source.origin}) writes an empty assistant turn`);
  return last;
}

/** Prompt messages that fit: the oldest turns after any system message left out until `fits` says yes (one turn at least stays). */
export async function fittingPrompt(
  messages: readonly ChatMessage[],
  fits: (m: readonly ChatMessage[]) => Promise<boolean>,
): Promise<{ messages: readonly ChatMessage[]; dropped: number }> {
  const system = messages[0]?.role === 'system' ? [messages[0]] : [];
  let rest = messages.slice(system.length);
  let dropped = 0;
  while (rest.length > 1 && !(await fits([...system, ...rest]))) {
    rest = rest.slice(1);
    dropped++;
    while (rest.length > 1 && rest[0]!.role === 'assistant') {
      rest = rest.slice(1); // a dialogue starts with a user turn (templates such as Llama 2's require it)
      dropped++;
    }
  }
  return { messages: [...system, ...rest], dropped };
}

/** Positions a prompt may take: max_length less the reply's max_new_tokens (at least 1). */
export function promptRoom(maxLength: number, maxNewTokens: number, task: string): number {
  const room = maxLength - maxNewTokens;
  if (room < 1)
    throw new ConfigError(
      `task '${task}': max_length (${maxLength}) leaves no room for a prompt besides max_new_tokens (${maxNewTokens}); ask for fewer new tokens`,
    );
  return room;
}

/**
 * The prompt of `messages` (prediction, `replyPrompt`): rendered with the generation prompt, the oldest
 * turns after any system message left out until it fits `room` tokens (then cut from the left if one
 * turn alone is longer).
 */
export async function fittedPrompt(
  messages: readonly ChatMessage[],
  template: ChatTemplate,
  tokenizer: Tokenizer,
  room: number,
): Promise<{ inputIds: number[]; droppedTurns: number; truncated: boolean }> {
  const tokensOf = async (m: readonly ChatMessage[]) =>
    (await tokenizer.encodeBatch([template.render(m, true)], { addSpecialTokens: false }))[0]!.inputIds;
  const fitted = await fittingPrompt(messages, async (m) => (await tokensOf(m)).length <= room);
  const ids = await tokensOf(fitted.messages);
  const cut = ids.length > room;
  return { inputIds: cut ? ids.slice(ids.length - room) : ids, droppedTurns: fitted.dropped, truncated: cut || fitted.dropped > 0 };
}

/** The turns before a dialogue's last assistant turn, and that turn's text (the reference of its generated reply). */
export function lastReply(e: ChatExample): { context: readonly ChatMessage[]; reference: string } {
  const last = e.messages.findLastIndex((m) => m.role === 'assistant');
  if (last < 1)
    throw new DataError(
      `${formatPosition(e.source)}: ${last < 0 ? 'no assistant turn' : 'the first assistant turn has no turn before it'} to generate a reply from; reply_metrics need a turn before the last assistant turn`,
    );
  return { context: e.messages.slice(0, last), reference: e.messages[last]!.content };
}
