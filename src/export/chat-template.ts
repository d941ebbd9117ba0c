/**
 * The chat template of an exported folder: a checkpoint's chat task renders dialogues with the Jinja
 * template saved in its tasks.json options (`chatTemplate`, with the `bosToken` / `eosToken` it saw),
 * and tokenizer_config.json carries it as Transformers reads it — `chat_template` (what
 * `apply_chat_template` renders) and `bos_token` / `eos_token` (the variables it passes the template) —
 * so a Transformers user and this library's own folder loader (src/tokenization/chat-template.ts
 * `folderChatTemplate`) render dialogues as the run did.
 */
import { ConfigError } from '../errors.js';
import type { TaskRecord } from '../io/checkpoint.js';
import { CHAT } from '../tasks/chat.js';

/** A chat task's template as tasks.json saved it. */
interface SavedTemplate {
  readonly task: string;
  readonly template: string;
  readonly bosToken: string;
  readonly eosToken: string;
}

function savedTemplate(record: TaskRecord): SavedTemplate | undefined {
  const o = (record.options ?? {}) as Record<string, unknown>;
  if (record.type !== CHAT || typeof o.chatTemplate !== 'string') return undefined;
  const token = (v: unknown) => (typeof v === 'string' ? v : '');
  return { task: record.name, template: o.chatTemplate, bosToken: token(o.bosToken), eosToken: token(o.eosToken) };
}

/**
 * The chat template to export: the exported task's when it is a chat task; without `exported`, the
 * one template all the checkpoint's chat tasks share; undefined when there is none (no chat task, or
 * another exported task).
 * @throws ConfigError when, without `exported`, the chat tasks have different templates (naming them).
 */
export function exportedChatTemplate(tasks: readonly TaskRecord[], exported: TaskRecord | undefined): SavedTemplate | undefined {
  if (exported !== undefined) return savedTemplate(exported);
  const saved = tasks.map(savedTemplate).filter((s): s is SavedTemplate => s !== undefined);
  const distinct = new Set(saved.map((s) => JSON.stringify([s.template, s.bosToken, s.eosToken])));
  if (distinct.size > 1)
    throw new ConfigError(
      `the chat tasks ${saved.map((s) => `'${s.task}'`).join(', ')} have different chat templates; ` +
        'tokenizer_config.json holds one: export with --task naming one of them',
    );
  return saved[0];
}

/**
 * `config` (tokenizer_config.json's fields) with `saved`'s template: `chat_template`, and `bos_token` /
 * `eos_token` set to the template's where it had one ('' keeps the tokenizer's: Transformers would pass
 * that to the template instead of nothing).
 * @throws ConfigError when the template reads `bos_token` or `eos_token`, trained as '' (none), and the
 *   tokenizer's config names one: `apply_chat_template` would render a token the run never saw.
 */
export function withChatTemplate(config: Readonly<Record<string, unknown>>, saved: SavedTemplate): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config, chat_template: saved.template };
  for (const [key, value] of [
    ['bos_token', saved.bosToken],
    ['eos_token', saved.eosToken],
  ] as const) {
    if (value !== '') out[key] = value;
    else if (typeof config[key] === 'string' && new RegExp(`\\b${key}\\b`).test(saved.template))
      throw new ConfigError(
        `task '${saved.task}': its chat template reads ${key}, which it was trained with as '' (none), but the exported ` +
          `tokenizer's ${key} is ${JSON.stringify(config[key])}; apply_chat_template would render it. Set the task's ` +
          `${key} option to that token and train again, or export without the template (--task of another task)`,
      );
  }
  return out;
}
