/**
 * Dialogues as JSON Lines in Hugging Face's chat format, one dialogue a line:
 * `{"messages": [{"role": "system" | "user" | "assistant", "content": "…"}, …]}` (the `messages`
 * column of TRL's conversational data sets). A message's other keys (`name`, …) and the line's other
 * fields are ignored. A bad line — not an object, no message list, an unknown role, empty content, or
 * (for training data) no assistant turn to learn — is a DataError naming file:line and the field
 * (`messages[2].role`), or skipped and listed with `skip_bad_lines`.
 */
import { CHAT_ROLES, type ChatMessage } from '../../tokenization/index.js';
import type { SourcePosition } from '../example.js';
import { mapJsonl } from './jsonl.js';
import type { ReadOptions, ReadResult } from './source.js';

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
