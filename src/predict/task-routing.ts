/**
 * Which seq2seq task of a checkpoint a text prompt is the source of (`mtl generate [--task]`,
 * `POST /generate`'s "task", TextGenerator in ./generate.ts): the task named, else the one whose prefix
 * the prompt starts with (the longest), else the only one with its prefix put before; each task with
 * its LM head, its end token (a decoder's) and its decoding options — the defaults of its generations
 * under the options given, as its export's generation_config.json holds them.
 */
import { ConfigError } from '../errors.js';
import type { GenerateOptions } from '../generate/index.js';
import type { LmHead } from '../models/causal-lm.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { CausalLmHead } from '../tasks/causal-lm.js';
import { decoderPrompt } from '../tasks/seq2seq-decoder.js';
import { TextToTextHead, textIds } from '../tasks/text-to-text.js';
import type { Tokenizer } from '../tokenization/index.js';
import type { CheckpointTask } from './chat-reply.js';

/** A prompt with how to read it (`mtl generate --task`, `POST /generate`'s body). */
export interface TaskPrompt {
  readonly text: string;
  /** The seq2seq task whose source `text` is, its prefix put before unless the text starts with it; absent: by the prefix `text` starts with. */
  readonly task?: string;
  /** The most new tokens the model's own defaults (generation_config.json, the task's options) may ask for (a server's --max-new-tokens); default no limit. */
  readonly maxNewTokensLimit?: number;
}

/** A prompt's text. */
export const textOf = (prompt: string | TaskPrompt): string => (typeof prompt === 'string' ? prompt : prompt.text);

/** A seq2seq task of a checkpoint, as generation reads it. */
export interface TextToTextSource {
  readonly task: string;
  readonly prefix: string;
  readonly lmHead: LmHead;
  /** On a decoder: the token that ends the task's prompts (its `end_token` option; null: the tokenizer's). Absent on an encoder-decoder. */
  readonly endToken?: string | null;
  /**
   * The task's decoding options (num_beams, length_penalty, max_new_tokens, …): its type's
   * `HfExport.generation`, what `mtl export` writes to generation_config.json ({} for a type without).
   */
  readonly decoding: GenerateOptions;
}

/** A prompt read as a seq2seq task's source: the task, and the source text with its prefix. */
export interface RoutedPrompt {
  readonly source: TextToTextSource;
  readonly text: string;
}

/** The LM head of a checkpoint's task `name` when its head is a causal-LM head (causal-lm, chat, a decoder's seq2seq), else undefined. */
export function taskLmHead(model: MultiTaskModel, name: string): LmHead | undefined {
  const head = model.heads.get(name);
  return head instanceof CausalLmHead ? head.asLmHead() : undefined;
}

/**
 * The seq2seq tasks of a checkpoint, in task order: an encoder-decoder's (their heads read its LM head;
 * span-corruption's too, with no decoding options) and a decoder's (`decoderOnly` in their options).
 */
export function textToTextSources(tasks: readonly CheckpointTask[], model: MultiTaskModel): TextToTextSource[] {
  return tasks.flatMap(({ spec, type }): TextToTextSource[] => {
    const h = model.heads.get(spec.name);
    const o = spec.options as { prefix?: unknown; decoderOnly?: unknown; endToken?: unknown };
    const prefix = typeof o.prefix === 'string' ? o.prefix : '';
    const decoding = (): GenerateOptions => {
      const hf = type.exportHf?.(spec); // as the task's export decodes
      return (hf !== undefined && 'generation' in hf ? hf.generation : undefined) ?? {};
    };
    if (h instanceof TextToTextHead) return [{ task: spec.name, prefix, lmHead: (x) => h.lmLogits(x), decoding: decoding() }];
    if (o.decoderOnly !== true || !(h instanceof CausalLmHead)) return [];
    const endToken = typeof o.endToken === 'string' ? o.endToken : null;
    return [{ task: spec.name, prefix, lmHead: h.asLmHead(), endToken, decoding: decoding() }];
  });
}

/** Reads a text prompt as the source of one of a checkpoint's seq2seq tasks (see the file comment). */
export class TaskRouter {
  /**
   * @param sources the checkpoint's seq2seq tasks ([] for a Hugging Face folder: no prompt is routed).
   * @param onlySourceByDefault whether a prompt that starts with no task's prefix is the only task's
   *   source (false: a decoder with a causal-lm task beside them continues it as free text).
   */
  constructor(
    readonly sources: readonly TextToTextSource[],
    private readonly onlySourceByDefault: boolean,
  ) {}

  /**
   * The seq2seq task `given` is a source of: the one it names, else the one whose prefix it starts with
   * (the longest), else the only one (unless `onlySourceByDefault` is off), with its prefix put before
   * the text; undefined: none (no seq2seq task, or a causal-lm task beside them continues free text).
   * @throws ConfigError for a `TaskPrompt` naming no seq2seq task, and when several seq2seq tasks read
   *   unprefixed prompts and the prompt starts with none of their prefixes (it would otherwise go through
   *   the LM head with no task's weights), both naming each task and its prefix.
   */
  route(given: string | TaskPrompt): RoutedPrompt | undefined {
    const prompt = textOf(given);
    if (typeof given !== 'string' && given.task !== undefined) {
      const named = this.sources.find((s) => s.task === given.task);
      if (named === undefined)
        throw new ConfigError(
          `generate: '${given.task}' is not a seq2seq task of the model (${this.#taskList()}); a prompt is the source of a ` +
            'seq2seq task (a chat task replies to conversations: --messages FILE, or "messages" in a request)',
        );
      return { source: named, text: prompt.startsWith(named.prefix) ? prompt : named.prefix + prompt };
    }
    const matching = [...this.sources].sort((a, b) => b.prefix.length - a.prefix.length).find((s) => prompt.startsWith(s.prefix));
    if (matching !== undefined) return { source: matching, text: prompt };
    if (!this.onlySourceByDefault || this.sources.length === 0) return undefined;
    const only = this.sources[0]!;
    if (this.sources.length === 1) return { source: only, text: only.prefix + prompt };
    const shown = prompt.length > 40 ? `${prompt.slice(0, 40)}…` : prompt;
    throw new ConfigError(
      `generate: the prompt ${JSON.stringify(shown)} starts with no task's prefix, and ${this.#taskList()}; start the prompt ` +
        `with the prefix of the task to run (e.g. ${JSON.stringify(only.prefix + prompt)}), or name the task (mtl generate --task ${only.task}; "task": "${only.task}" in a request)`,
    );
  }

  /** 'the checkpoint has 2 seq2seq tasks: copy ("copy: "), reverse ("reverse: ")' (or 'it has none'). */
  #taskList(): string {
    if (this.sources.length === 0) return 'it has none';
    const tasks = this.sources.map((s) => `${s.task} (${JSON.stringify(s.prefix)})`).join(', ');
    return `the checkpoint has ${this.sources.length} seq2seq task${this.sources.length === 1 ? '' : 's'}: ${tasks}`;
  }
}

/**
 * A decoder seq2seq task's prompt for the source `text` (prefix included) and its end token: as the task
 * featurizes it, uncut.
 * @throws ConfigError when the task has no end token (the tokenizer adds none, and end_token is not in its vocabulary).
 */
export async function seq2seqPrompt(tokenizer: Tokenizer, source: TextToTextSource, text: string): Promise<{ ids: number[]; eos: number }> {
  const e = await tokenizer.encode(text);
  const end = source.endToken == null ? textIds(e).end : (tokenizer.tokenToId(source.endToken) ?? undefined);
  if (end === undefined)
    throw new ConfigError(
      `task '${source.task}': no end token for its prompt (the tokenizer adds none after a text, and end_token is not in its vocabulary)`,
    );
  return { ids: decoderPrompt(e, end), eos: end };
}
