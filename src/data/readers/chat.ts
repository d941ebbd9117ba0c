/**
 * Dialogues as JSON Lines in Hugging Face's chat format, one dialogue a line:
 * `{"messages": [{"role": "system" | "user" | "assistant", "content": "…"}, …]}` (the `messages`
 * column of TRL's conversational data sets). A message's other keys (`name`, …) and the line's other
 * fields are ignored. A bad line — not an object, no message list, an unknown role, empty content, or
 * (for training data) no assistant turn to learn — is a DataError naming file:line and the field
 * (`messages[2].role`), or skipped and listed with `skip_bad_lines`.
 */
import { DataError } from '../../errors.js';
import { CHAT_ROLES, type ChatMessage } from '../../tokenization/index.js';
import type { SourcePosition } from '../example.js';
import { mapJsonl } from './jsonl.js';
import { readTextFile, type ReadOptions, type ReadResult } from './source.js';

/** One dialogue. */
export interface ChatExample {
  readonly id: string;
  readonly messages: readonly ChatMessage[];
  readonly source: SourcePosition;
}

/** How `readChatJsonl` reads. */
export interface ChatReadOptions extends ReadOptions {
  /** The field that holds the message list (default 'messages'). */
  readonly field?: string;
  /** Refuse a dialogue without an assistant turn (default true: training and evaluation need one). */
  readonly needsAssistant?: boolean;
}

/** A short JSON rendering of a value for a message (at most 40 characters). */
const shown = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
};

/**
 * The messages of a parsed value, or why it holds none (`field` the list's name, for messages).
 * @example chatMessagesOf([{ role: 'user', content: 'Hi' }], 'messages') // [{ role: 'user', content: 'Hi' }]
 */
export function chatMessagesOf(list: unknown, field: string, needsAssistant = true): ChatMessage[] | string {
  if (!Array.isArray(list) || list.length === 0)
    return `"${field}" must be a non-empty list of {"role", "content"} objects, got ${shown(list)}`;
  const messages: ChatMessage[] = [];
  for (const [i, m] of list.entries()) {
    const at = `${field}[${i}]`;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return `${at} must be an object {"role", "content"}, got ${shown(m)}`;
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (!(CHAT_ROLES as readonly unknown[]).includes(role)) return `${at}.role must be one of ${CHAT_ROLES.join(', ')}, got ${shown(role)}`;
    if (typeof content !== 'string') return `${at}.content must be a string, got ${shown(content)}`;
    if (content.trim() === '') return `${at}.content is empty; every turn needs text`;
    messages.push({ role: role as ChatMessage['role'], content });
  }
  if (needsAssistant && !messages.some((m) => m.role === 'assistant'))
    return `"${field}" has no assistant turn (roles: ${messages.map((m) => m.role).join(', ')}); the loss is on assistant turns only, so there is nothing to learn`;
  return messages;
}

/**
 * The dialogues of a chat JSON Lines file; id: the line's `id` field when it is a string, else the
 * 0-based index among non-blank lines.
 * @throws DataError naming file:line and the field for a bad line (see the file comment); skipped with `onBadLine: 'skip'`.
 */
export function readChatJsonl(file: string, options: ChatReadOptions = {}): ReadResult<ChatExample> {
  const field = options.field ?? 'messages';
  return mapJsonl(file, options, ({ value, source, index }) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return `expected a JSON object {"${field}": [{"role", "content"}, …]}, got ${shown(value)}`;
    const o = value as Record<string, unknown>;
    if (!(field in o)) return `no "${field}" field; its keys: ${Object.keys(o).slice(0, 5).join(', ') || 'none'}`;
    const messages = chatMessagesOf(o[field], field, options.needsAssistant ?? true);
    if (typeof messages === 'string') return messages;
    return { id: typeof o.id === 'string' ? o.id : String(index), messages, source };
  });
}

/**
 * The messages of a conversation to reply to (`mtl generate --messages`, `POST /generate` with
 * `messages`): as `chatMessagesOf` reads them, ending with a turn the assistant answers — a user (or
 * system) message; the model writes the assistant's next turn, so a last message from the assistant
 * has nothing to answer. `field` names the list in messages.
 * @returns the messages, or what is wrong with `list` (a sentence naming the field, for the caller to place).
 * @example replyMessagesOf([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }], 'messages')
 *   // 'messages[1] (the last message) is from the assistant; …'
 */
export function replyMessagesOf(list: unknown, field: string): ChatMessage[] | string {
  const messages = chatMessagesOf(list, field, false);
  if (typeof messages === 'string' || messages.at(-1)!.role !== 'assistant') return messages;
  return (
    `${field}[${messages.length - 1}] (the last message) is from the assistant; the model writes the assistant's next turn, ` +
    'so the conversation must end with the message it answers (role "user", or "system"): leave the assistant\'s last turn out'
  );
}

/**
 * The conversations of a file (`STDIN`: standard input) to reply to: the whole file one JSON value — a
 * list of messages `[{"role", "content"}, …]` or an object `{"messages": […]}` — or JSON Lines of such
 * values, one conversation a line (blank lines ignored). Each must satisfy `replyMessagesOf`.
 * @throws DataError naming the file (and line, for JSON Lines) and the field of the first bad
 *   conversation, or a file that holds neither.
 */
export function readReplyConversations(file: string): ChatMessage[][] {
  const text = readTextFile(file);
  const expected =
    'expected a JSON list of messages [{"role": "user", "content": "…"}, …] (or {"messages": […]}), or JSON Lines of them, one conversation a line';
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined; // JSON Lines, or not JSON: read line by line
  }
  if (whole !== undefined) {
    const messages = replyMessagesOf(conversationList(whole), 'messages');
    if (typeof messages === 'string') throw new DataError(`${file}: ${messages}; ${expected}`);
    return [messages];
  }
  const { examples, skipped } = mapJsonl(file, { onBadLine: 'skip' }, ({ value }) => replyMessagesOf(conversationList(value), 'messages'));
  const first = skipped[0];
  if (first !== undefined) {
    const others =
      skipped.length === 1
        ? ''
        : ` (${skipped.length} bad lines: ${skipped
            .slice(0, 5)
            .map((b) => b.line)
            .join(', ')}${skipped.length > 5 ? ', …' : ''})`;
    throw new DataError(`${first.file}:${first.line}: ${first.reason}${others}; ${expected}`);
  }
  return examples;
}

/** The message list of a conversation as written: the value itself (a list), or an object's `messages`. */
function conversationList(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'messages' in value)
    return (value as { messages: unknown }).messages;
  return value;
}
