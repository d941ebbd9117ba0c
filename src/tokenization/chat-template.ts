/**
 * Chat templates: a dialogue's messages `[{ role, content }, …]` rendered to one text by a Jinja
 * template, as Transformers' `apply_chat_template` renders them (`tokenizer_config.json`'s
 * `chat_template`; the variables `messages`, `add_generation_prompt`, `bos_token`, `eos_token`, and a
 * folder's other special tokens: `unk_token`, `pad_token`, `additional_special_tokens`, …), with
 * Hugging Face's own JavaScript Jinja (`@huggingface/jinja`, the implementation transformers.js uses).
 *
 * `assistantSpans` finds where each assistant turn lies in the rendered text without knowing the
 * template: it renders the messages before the turn with the generation prompt and the messages up to
 * and including it, and checks that each rendering is a prefix of the next and of the whole. The turn
 * is the characters between the two, its end-of-turn marker included (`<|im_end|>`, `<|eot_id|>`, `</s>`)
 * and whitespace after it left out — what Transformers' `{% generation %}` blocks mark in the templates
 * that have them (TRL's `assistant_only_loss`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from '@huggingface/jinja';
import { CheckpointError, ConfigError, DataError } from '../errors.js';
import { readJsonObject } from '../json-object-file.js';

/** The roles a message may have. */
export const CHAT_ROLES = ['system', 'user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** One turn of a dialogue (Hugging Face's chat format). */
export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

/**
 * The default template, for a model trained from scratch or a folder without one: ChatML (OpenAI's
 * chat markup, as Qwen2 writes it, without Qwen's default system message). Its markers `<|im_start|>`
 * and `<|im_end|>` must be whole special tokens of the vocabulary (`CHATML_SPECIAL_TOKENS`).
 */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The special tokens `CHATML_TEMPLATE` writes. */
export const CHATML_SPECIAL_TOKENS: readonly string[] = ['<|im_start|>', '<|im_end|>'];

/** A template's text and where it came from (for messages), with the special tokens it may write. */
export interface ChatTemplateSource {
  /** The Jinja source. */
  readonly template: string;
  /** Where it came from: a file, 'the task's chat_template option', or 'the default ChatML template'. */
  readonly origin: string;
  /** `bos_token` as the template sees it ('' when the tokenizer has none). */
  readonly bosToken: string;
  /** `eos_token` as the template sees it ('' when the tokenizer has none). */
  readonly eosToken: string;
  /**
   * The other special tokens a Hugging Face folder names, as template variables (`unk_token`,
   * `pad_token`, `sep_token`, `cls_token`, `mask_token`, `additional_special_tokens`: the
   * `special_tokens_map` Transformers passes `apply_chat_template`); absent: none.
   */
  readonly specialTokens?: Readonly<Record<string, string | readonly string[]>>;
}

/** The default template as a source. */
export const CHATML: ChatTemplateSource = { template: CHATML_TEMPLATE, origin: 'the default ChatML template', bosToken: '', eosToken: '' };

/** A rendered dialogue and the character spans [start, end) of its assistant turns. */
export interface RenderedDialogue {
  readonly text: string;
  /** One per assistant message, in order: [start, end) in `text` (UTF-16 units). */
  readonly spans: readonly (readonly [number, number])[];
}

/** A compiled chat template. */
export class ChatTemplate {
  readonly #compiled: Template;

  private constructor(
    compiled: Template,
    readonly source: ChatTemplateSource,
  ) {
    this.#compiled = compiled;
  }

  /**
   * Compiles `source.template`.
   * @throws ConfigError naming `source.origin` when the template is not valid Jinja.
   */
  static compile(source: ChatTemplateSource): ChatTemplate {
    try {
      return new ChatTemplate(new Template(source.template), source);
    } catch (e) {
      throw new ConfigError(`chat template (${source.origin}) is not valid Jinja: ${(e as Error).message}`);
    }
  }

  /**
   * The text of `messages` (Transformers' `apply_chat_template(messages, tokenize=False, add_generation_prompt=…)`,
   * without tools or documents: both null, as it passes them).
   * @throws DataError naming the template's origin when it raises (`raise_exception('Conversation roles
   *   must alternate …')`) or fails on the messages; callers add the record's file:line.
   */
  render(messages: readonly ChatMessage[], addGenerationPrompt = false): string {
    try {
      return this.#compiled.render({
        ...this.source.specialTokens,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: addGenerationPrompt,
        // as Transformers passes them when none are given: `tools is not none` is false (undefined is not none here)
        tools: null,
        documents: null,
        bos_token: this.source.bosToken,
        eos_token: this.source.eosToken,
      });
    } catch (e) {
      throw new DataError(`the chat template (${this.source.origin}) failed on this dialogue: ${(e as Error).message}`);
    }
  }

  /**
   * The rendered dialogue and its assistant turns' spans (see the file comment). A span runs from the
   * end of the generation prompt to the end of the turn's rendering, whitespace at its end left out.
   * @throws DataError when the template renders a shorter dialogue as something other than a prefix of
   *   the longer one (the turns cannot be placed), or when it raises.
   * @example
   *   ChatTemplate.compile(CHATML).assistantSpans([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }])
   *   // { text: '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n', spans: [[52, 67]] }
   */
  assistantSpans(messages: readonly ChatMessage[]): RenderedDialogue {
    const text = this.render(messages);
    const spans: [number, number][] = [];
    messages.forEach((m, i) => {
      if (m.role !== 'assistant') return;
      const before = this.render(messages.slice(0, i), true);
      const upTo = this.render(messages.slice(0, i + 1));
      if (!upTo.startsWith(before) || !text.startsWith(upTo))
        throw new DataError(
          `the chat template (${this.source.origin}) does not render the dialogue turn by turn: the rendering of its first ` +
            `${upTo.startsWith(before) ? i + 1 : i} messages${upTo.startsWith(before) ? '' : ' with the generation prompt'} is not the start of ` +
            `the rendering of ${upTo.startsWith(before) ? 'all' : `the first ${i + 1}`}, so assistant turn ${i + 1} cannot be placed; ` +
            'use a template that writes each turn the same whatever follows it',
        );
      let end = upTo.length;
      while (end > before.length && /\s/.test(upTo[end - 1]!)) end--;
      spans.push([before.length, end]);
    });
    return { text, spans };
  }
}

/** A special token as tokenizer_config.json writes it: a string, or an AddedToken object `{ "content": … }`. */
function tokenText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string')
    return (v as { content: string }).content;
  return '';
}

/** The special-token keys of Transformers' `special_tokens_map` besides bos_token and eos_token. */
const OTHER_SPECIAL_TOKENS = ['unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

/** The special tokens a folder's configs name, as template variables (see `ChatTemplateSource.specialTokens`). */
function specialTokenVariables(config: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of OTHER_SPECIAL_TOKENS) if (tokenText(config[key]) !== '') out[key] = tokenText(config[key]);
  const additional = config.additional_special_tokens;
  if (Array.isArray(additional)) out.additional_special_tokens = additional.map(tokenText).filter((t) => t !== '');
  return out;
}

/**
 * The chat template of a Hugging Face model folder: `chat_template.jinja` (newer Transformers) or
 * tokenizer_config.json's `chat_template` (a string, or a list of `{ name, template }` of which
 * 'default' is taken), with the special tokens tokenizer_config.json names (special_tokens_map.json's
 * win, as in Transformers): `bos_token`, `eos_token` and the others; undefined when the folder has none.
 * @throws CheckpointError for a tokenizer_config.json or special_tokens_map.json that is not a JSON
 *   object, or a `chat_template` of another shape.
 */
export function folderChatTemplate(dir: string): ChatTemplateSource | undefined {
  const configFile = path.join(dir, 'tokenizer_config.json');
  const config = readJsonObject(configFile);
  const named = { ...config, ...readJsonObject(path.join(dir, 'special_tokens_map.json')) };
  const tokens = {
    bosToken: tokenText(named.bos_token),
    eosToken: tokenText(named.eos_token),
    specialTokens: specialTokenVariables(named),
  };
  const jinjaFile = path.join(dir, 'chat_template.jinja');
  if (existsSync(jinjaFile)) return { template: readFileSync(jinjaFile, 'utf8'), origin: jinjaFile, ...tokens };
  const t = config.chat_template;
  if (t === undefined || t === null) return undefined;
  if (typeof t === 'string') return { template: t, origin: `${configFile} (chat_template)`, ...tokens };
  if (Array.isArray(t)) {
    const found = t.find((x) => (x as { name?: unknown }).name === 'default') as { template?: unknown } | undefined;
    if (typeof found?.template === 'string')
      return { template: found.template, origin: `${configFile} (chat_template 'default')`, ...tokens };
  }
  throw new CheckpointError(`${configFile}: chat_template must be a string or a list of { name, template } with a 'default' one`);
}
