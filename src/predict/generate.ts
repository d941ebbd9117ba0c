/**
 * Text generation with a model folder: a checkpoint of ours (a run's `best/` with a causal-lm task, or
 * an encoder-decoder with seq2seq tasks, whose prompt is the source text; its adapters applied) or a
 * Hugging Face folder (config.json of a decoder or encoder-decoder family, its weights, its tokenizer).
 * Texts in, texts out, streamed as the tokens come: what `mtl generate` prints. A conversation
 * (`Conversation`) gets the assistant's reply, rendered by a checkpoint's chat task or by a Hugging Face
 * folder's own chat template (./chat-reply.ts), the reply ending at the end-of-turn token.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { generate, type GenerateHooks, type GenerateOptions, type Generation } from '../generate/index.js';
import { loadCheckpoint, type TaskRecord } from '../io/checkpoint.js';
import { loadHfWeights } from '../io/hf-weights.js';
import type { Backbone } from '../models/backbone.js';
import { causalLmDecoder, lmHeadOf, type LmHead } from '../models/causal-lm.js';
import { CausalLmHead } from '../tasks/causal-lm.js';
import { decoderPrompt } from '../tasks/seq2seq-decoder.js';
import { TextToTextHead, textIds } from '../tasks/text-to-text.js';
import { isEncoderDecoder, type EncoderDecoderBackbone } from '../models/encoder-decoder.js';
import { decoderPrompts, encoderDecoderLm } from '../models/encoder-decoder-lm.js';
import type { Module } from '../nn/module.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { backboneOf, inferenceModelOf, readConfigJson, specsOfRecords } from '../run/load-model.js';
import { taskType } from '../tasks/index.js';
import { dispose, tensor, tidy } from '../tensor/index.js';
import { Tokenizer, tokenizerFromFolder } from '../tokenization/index.js';
import { folderReplier, replyPlan, type Conversation, type Replier } from './chat-reply.js';
import { ContinuationText } from './continuation-text.js';
import { decodingOptions, defined, readGenerationDefaults, replyOptions, type GenerationDefaults } from './generation-defaults.js';
import { TextDeltas } from './text-deltas.js';

/** One prompt's continuation. */
export interface GeneratedText extends Generation {
  /** The generated text (without the prompt; cut before a stop string; a reply without the whitespace around it). */
  readonly text: string;
  /** A conversation's reply: the oldest turns left out of its prompt to make room (0: none); absent for a text prompt. */
  readonly droppedTurns?: number;
}

/** A prompt's text. */
const textOf = (prompt: string | TaskPrompt): string => (typeof prompt === 'string' ? prompt : prompt.text);

/** A prompt with how to read it (`mtl generate --task`, `POST /generate`'s body). */
export interface TaskPrompt {
  readonly text: string;
  /** The seq2seq task whose source `text` is, its prefix put before unless the text starts with it; absent: by the prefix `text` starts with. */
  readonly task?: string;
  /** The most new tokens the folder's generation_config.json may ask for (a server's --max-new-tokens); default no limit. */
  readonly maxNewTokensLimit?: number;
}

/** A seq2seq task of a checkpoint, as generation reads it. */
interface TextToTextSource {
  readonly task: string;
  readonly prefix: string;
  readonly lmHead: LmHead;
  /** On a decoder: the token that ends the task's prompts (its `end_token` option; null: the tokenizer's). Absent on an encoder-decoder. */
  readonly endToken?: string | null;
}

/** The LM head of a checkpoint's task `name` when its head is a causal-LM head (causal-lm, chat, a decoder's seq2seq), else undefined. */
function taskLmHead(model: MultiTaskModel, name: string): LmHead | undefined {
  const head = model.heads.get(name);
  return head instanceof CausalLmHead ? head.asLmHead() : undefined;
}

/** The seq2seq tasks of a checkpoint: an encoder-decoder's (their heads read its LM head) and a decoder's (`decoderOnly` in their options). */
function textToTextSources(tasks: readonly TaskRecord[], model: MultiTaskModel): TextToTextSource[] {
  return tasks.flatMap((t): TextToTextSource[] => {
    const h = model.heads.get(t.name);
    const o = t.options as { prefix?: unknown; decoderOnly?: unknown; endToken?: unknown };
    const prefix = typeof o.prefix === 'string' ? o.prefix : '';
    if (h instanceof TextToTextHead) return [{ task: t.name, prefix, lmHead: (x) => h.lmLogits(x) }];
    if (o.decoderOnly !== true || !(h instanceof CausalLmHead)) return [];
    const endToken = typeof o.endToken === 'string' ? o.endToken : null;
    return [{ task: t.name, prefix, lmHead: h.asLmHead(), endToken }];
  });
}

/** What `TextGenerator.load` read besides the model: LM heads, seq2seq tasks, the folder's decoding defaults. */
interface LoadedParts {
  readonly lmHead?: LmHead | undefined;
  readonly sources?: readonly TextToTextSource[];
  readonly onlySourceByDefault?: boolean;
  readonly defaults: GenerationDefaults;
}

export class TextGenerator implements Disposable {
  private constructor(
    /** What owns the weights (the run's MultiTaskModel, or the backbone, with an untied LM head). */
    private readonly owner: Module,
    readonly backbone: Backbone,
    readonly tokenizer: Tokenizer,
    /** The LM head: a checkpoint's causal-lm head, else the backbone's (its untied lm_head, or tied to the input embeddings). */
    private readonly lmHead: LmHead,
    /** A checkpoint's seq2seq tasks: each prefix and the LM head with its task's bias. */
    private readonly sources: readonly TextToTextSource[],
    /** Whether a prompt that starts with no task's prefix is the only seq2seq task's source (else continued as it is). */
    private readonly onlySourceByDefault: boolean,
    /** What replies to conversations: a checkpoint's chat task, or a Hugging Face folder's chat template. */
    private readonly replier: Replier,
    /** The folder's generation_config.json decoding fields, the defaults under the options given (./generation-defaults.ts). */
    readonly generationDefaults: GenerationDefaults,
  ) {}

  /**
   * Loads a model folder for generation: our checkpoint (tasks.json beside config.json) or a Hugging
   * Face folder (config.json, model.safetensors / pytorch_model.bin, a tokenizer), in eval mode; its
   * generation_config.json's decoding fields, if any, are the defaults of its generations.
   * @throws ConfigError when its backbone is not a decoder; CheckpointError for missing or wrong files
   *   (a generation_config.json value named with its file and field).
   */
  static load(dir: string): TextGenerator {
    const defaults = readGenerationDefaults(dir); // before the weights: a bad file costs no load
    if (existsSync(path.join(dir, 'tasks.json'))) {
      using ckpt = loadCheckpoint(dir, { optimizer: false });
      const specs = specsOfRecords(ckpt.tasks);
      const { model, maxLength } = inferenceModelOf(ckpt, specs);
      const tasks = specs.map((spec) => ({ spec, type: taskType(spec.kind), lmHead: taskLmHead(model, spec.name) }));
      const lmHead = tasks.find((t) => t.lmHead !== undefined)?.lmHead; // the first causal-LM head, in head order
      const sources = textToTextSources(ckpt.tasks, model);
      // a decoder with a causal-LM task besides its seq2seq ones continues an unprefixed prompt as it is
      const onlySourceByDefault = model.backbone.kind !== 'decoder' || sources.length === ckpt.tasks.length;
      const tokenizer = Tokenizer.fromFile(ckpt.tokenizerFile);
      const replier: Replier = { kind: 'checkpoint', tasks, maxLength };
      return TextGenerator.checked(model, model.backbone, tokenizer, dir, replier, { lmHead, sources, onlySourceByDefault, defaults });
    }
    const { owner, backbone, lmHead } = loadHfLanguageModel(dir);
    let tokenizer: Tokenizer;
    let replier: Replier;
    try {
      tokenizer = tokenizerFromFolder(dir);
      replier = folderReplier(dir, backbone, tokenizer);
    } catch (e) {
      owner.dispose();
      throw e;
    }
    return TextGenerator.checked(owner, backbone, tokenizer, dir, replier, { lmHead, defaults }); // disposes owner when it throws
  }

  private static checked(
    owner: Module,
    backbone: Backbone,
    tokenizer: Tokenizer,
    dir: string,
    replier: Replier,
    heads: LoadedParts,
  ): TextGenerator {
    if (backbone.kind !== 'decoder' && backbone.kind !== 'encoder-decoder') {
      owner.dispose();
      throw new ConfigError(
        `${dir}: its model (${backbone.config.modelType}) is an ${backbone.kind}, which does not generate text; give a decoder (gpt2, …) or an encoder-decoder (t5, bart, …)`,
      );
    }
    const byDefault = backbone.kind === 'encoder-decoder' || (heads.onlySourceByDefault ?? true);
    const lmHead = heads.lmHead ?? lmHeadOf(backbone);
    return new TextGenerator(owner, backbone, tokenizer, lmHead, heads.sources ?? [], byDefault, replier, heads.defaults);
  }

  /**
   * The prompt's token ids, and the id that ends a text: the tokenizer's special tokens at the start
   * (BOS, [CLS]) are kept; those it appends at the end (EOS, [SEP]) are dropped from the prompt, and
   * the last of them is the text's end, unless the config names an EOS id.
   */
  async encodePrompt(text: string): Promise<{ ids: number[]; eos: number | undefined }> {
    const e = await this.tokenizer.encode(text);
    let end = e.inputIds.length;
    while (end > 1 && e.specialTokensMask[end - 1] === 1) end--;
    const dropped = e.inputIds.slice(end);
    const configEos = (this.backbone.config as { eosTokenId?: number | null }).eosTokenId ?? undefined;
    const bos = (this.backbone.config as { bosTokenId?: number | null }).bosTokenId ?? undefined;
    const ids = e.inputIds.slice(0, end);
    if (ids.length === 0 && bos !== undefined) ids.push(bos);
    if (ids.length === 0)
      throw new ConfigError('generate: the prompt is empty and the model names no BOS token to start from; give a prompt');
    return { ids, eos: configEos ?? dropped.at(-1) };
  }

  /**
   * Continues `prompt`, calling `onText` with each new piece of text as its tokens come (a piece that
   * may begin a stop string is held back until it is clear). The EOS id defaults to `encodePrompt`'s.
   * Each token decodes only the last few tokens' text (src/generate/incremental-text.ts); the returned
   * `text` is the tokenizer's text of all the generated tokens, decoded once at the end. A WordPiece
   * tokenizer's text is read in the prompt's context, its spaces around punctuation taken out
   * (./continuation-text.ts: `able story, it's` for `##able story , it ' s`).
   *
   * A `TaskPrompt` with a `task` is the source of the seq2seq task it names (its prefix put before
   * unless the text starts with it), whatever prefix it starts with. `options` not given take the
   * folder's generation_config.json values, then 64 new tokens and `generate`'s defaults (./generation-defaults.ts).
   *
   * A `Conversation` gets the assistant's reply (`#reply`, ./chat-reply.ts): its messages rendered with
   * the generation prompt by a checkpoint's chat task (`TaskType.replyPrompt`, as prediction renders
   * them; its decoding options — max_new_tokens, num_beams, no_repeat_ngram_size — are the defaults
   * `options` override) or by a Hugging Face folder's own chat template, generated until the
   * end-of-turn token (a folder's: the template's, and generation_config.json's eos_token_id); the text
   * is the reply alone, without the whitespace around it (whitespace at its end is held back while streaming).
   * @param onText called with each non-empty piece of text as a token releases it, with that token's id
   *   (text is held back while it has not grown or may begin a stop string: ./text-deltas.ts), then once
   *   more without a token if text held back at the end remains; the pieces joined are the returned
   *   `text`. The next step waits for it (it may be asynchronous); what it throws ends the generation and is thrown here.
   * @param signal aborting it stops the generation before its next step (beam search too), which then
   *   rejects with the signal's reason.
   * @throws ConfigError for a prompt that starts with none of several seq2seq tasks' prefixes, a
   *   `TaskPrompt` naming no seq2seq task (`#sourceOf`: both name the tasks and prefixes), a conversation given to a checkpoint without a chat task (naming the tasks it has) or a folder without a chat template (naming the file that would carry it), an unknown task,
   *   or a max_length without room for the reply; DataError for bad messages (`replyPlan`).
   */
  async generate(
    prompt: string | TaskPrompt | Conversation,
    options: GenerateOptions = {},
    onText?: (piece: string, token?: number) => unknown,
    signal?: AbortSignal,
  ): Promise<GeneratedText> {
    if (typeof prompt !== 'string' && 'messages' in prompt) return this.#reply(prompt, options, onText, signal);
    const backbone = this.backbone;
    const limit = typeof prompt === 'string' ? undefined : prompt.maxNewTokensLimit;
    const resolved = (promptTokens: number) => decodingOptions(options, this.generationDefaults, { promptTokens, limit });
    if (isEncoderDecoder(backbone)) {
      // an encoder-decoder's target starts afresh (its decoder start token): no context for its text
      const o = resolved(decoderPrompts(backbone, 1)[0]!.length);
      return this.#streamed([], (given, hooks) => this.#translate(backbone, prompt, given, hooks), o, { onText, signal });
    }
    // a decoder's seq2seq task reads the prompt as its source, as it was trained (prefix, source, end token)
    const task = this.#sourceOf(prompt);
    const { ids, eos } = task === undefined ? await this.encodePrompt(textOf(prompt)) : await this.#seq2seqPrompt(task.source, task.text);
    const lmHead = task?.source.lmHead ?? this.lmHead;
    const run = (given: GenerateOptions, hooks: GenerateHooks) =>
      this.#continue(ids, lmHead, { ...(eos === undefined ? {} : { eosTokenId: eos }), ...given }, hooks);
    return this.#streamed(ids, run, resolved(ids.length), { onText, signal });
  }

  /** The reply to a conversation (see `generate`): its prompt and options by ./chat-reply.ts, streamed as a reply. */
  async #reply(
    conversation: Conversation,
    options: GenerateOptions,
    onText: ((piece: string, token?: number) => unknown) | undefined,
    signal: AbortSignal | undefined,
  ): Promise<GeneratedText> {
    const given = replyOptions(options, this.generationDefaults, conversation.maxNewTokensLimit);
    const plan = await replyPlan(this.replier, conversation, given, this.tokenizer);
    const ids = plan.inputIds;
    const lmHead = plan.lmHead ?? this.lmHead;
    const made = await this.#streamed(ids, (_, hooks) => this.#continue(ids, lmHead, plan.options, hooks), options, {
      onText,
      signal,
      reply: true,
    });
    return { ...made, droppedTurns: plan.droppedTurns };
  }

  /** A decoder's continuation of the prompt `ids` with `lmHead` (one row). */
  async #continue(ids: readonly number[], lmHead: LmHead, options: GenerateOptions, hooks: GenerateHooks): Promise<Generation> {
    return (await generate(causalLmDecoder(this.backbone, lmHead), [ids], options, hooks))[0] as Generation;
  }

  /**
   * Runs `run` with the hooks that stream its text to `onText` (see `generate`) and returns its text.
   * @param context the prompt's ids, in whose context a WordPiece continuation is read ([] for an encoder-decoder's target).
   * @param how `reply`: the text without the whitespace around it (a conversation's reply).
   */
  async #streamed(
    context: readonly number[],
    run: (given: GenerateOptions, hooks: GenerateHooks) => Promise<Generation>,
    options: GenerateOptions,
    how: { onText?: (piece: string, token?: number) => unknown; signal?: AbortSignal; reply?: boolean },
  ): Promise<GeneratedText> {
    const { onText, signal } = how;
    const stops = options.stopStrings ?? [];
    const decode = (tokens: readonly number[]) => this.tokenizer.decode(tokens);
    // a WordPiece decoder's text is read in the prompt's context, punctuation's spaces taken out (./continuation-text.ts)
    const readable = this.tokenizer.decoderType === 'WordPiece' ? new ContinuationText(decode, context) : undefined;
    const deltas = new TextDeltas(stops, how.reply === true);
    let streamed = ''; // the generated text so far, as the loop decodes it a window at a time
    const onToken = async (_row: number, token: number, piece?: string): Promise<void> => {
      if (onText === undefined) return;
      streamed += readable === undefined ? (piece ?? '') : await readable.push(token);
      const delta = deltas.next(streamed);
      if (delta !== '') await onText(delta, token);
    };
    // the loop decodes text only for what needs it: a stream, stop strings
    const hooks: GenerateHooks = {
      ...(onText !== undefined || stops.length > 0 ? { decode, onToken } : {}),
      ...(signal === undefined ? {} : { signal }),
    };
    const result = await run(defined(options), hooks);
    const whole = readable === undefined ? await decode(result.tokens) : await ContinuationText.of(decode, context, result.tokens);
    const { text, rest } = deltas.finish(whole);
    if (onText !== undefined && rest !== '') await onText(rest);
    return { ...result, text };
  }

  /**
   * An encoder-decoder's target for the source `prompt`: the seq2seq task whose prefix the prompt
   * starts with (the longest), else the checkpoint's only seq2seq task with its prefix put before the
   * prompt (several: a ConfigError, `#sourceOf`), else (no seq2seq task: a Hugging Face folder) the
   * backbone's own LM head on the prompt as it is; decoding starts from the decoder
   * start token and ends at the tokenizer's end token (the config's EOS when it adds none).
   */
  async #translate(
    backbone: EncoderDecoderBackbone,
    prompt: string | TaskPrompt,
    options: GenerateOptions,
    hooks: GenerateHooks,
  ): Promise<Generation> {
    const { source, text } = this.#sourceOf(prompt) ?? { source: undefined, text: textOf(prompt) };
    const e = await this.tokenizer.encode(text);
    const end = textIds(e).end ?? backbone.config.eosTokenId;
    const inputIds = tidy(() => tensor(Int32Array.from(e.inputIds), {}, [1, e.inputIds.length]).to('int64')); // (1, S); the int32 copy freed
    try {
      const decoder = encoderDecoderLm(backbone, { inputIds }, source?.lmHead);
      const pad = { eosTokenId: end, padTokenId: backbone.config.padTokenId ?? 0 };
      const [g] = await generate(decoder, decoderPrompts(backbone, 1), { ...pad, ...options }, hooks);
      return g as Generation;
    } finally {
      inputIds.dispose();
    }
  }

  /**
   * The seq2seq task `prompt` is a source of: the one whose prefix it starts with (the longest), else
   * the only one (unless `onlySourceByDefault` is off), with its prefix put before the prompt; undefined:
   * none (no seq2seq task, or a causal-lm task beside them continues free text).
   * @throws ConfigError when several seq2seq tasks read unprefixed prompts and the prompt starts with
   *   none of their prefixes (it would otherwise go through the LM head with no task's weights), naming
   *   each task and its prefix.
   */
  #sourceOf(given: string | TaskPrompt): { source: TextToTextSource; text: string } | undefined {
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

  /** 'the checkpoint has 2 seq2seq tasks: copy ("copy: "), reverse ("reverse: ")' (or 'none'). */
  #taskList(): string {
    if (this.sources.length === 0) return 'it has none';
    const tasks = this.sources.map((s) => `${s.task} (${JSON.stringify(s.prefix)})`).join(', ');
    return `the checkpoint has ${this.sources.length} seq2seq task${this.sources.length === 1 ? '' : 's'}: ${tasks}`;
  }

  /** A decoder seq2seq task's prompt for the source `text` (prefix included) and its end token: as the task featurizes it, uncut. */
  async #seq2seqPrompt(source: TextToTextSource, text: string): Promise<{ ids: number[]; eos: number }> {
    const e = await this.tokenizer.encode(text);
    const end = source.endToken == null ? textIds(e).end : (this.tokenizer.tokenToId(source.endToken) ?? undefined);
    if (end === undefined)
      throw new ConfigError(
        `task '${source.task}': no end token for its prompt (the tokenizer adds none after a text, and end_token is not in its vocabulary)`,
      );
    return { ids: decoderPrompt(e, end), eos: end };
  }

  dispose(): void {
    this.owner.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A Hugging Face folder's language model: what owns its weights, the backbone, an untied LM head (else undefined: tied). */
export interface HfLanguageModel {
  readonly owner: Module;
  readonly backbone: Backbone;
  readonly lmHead: LmHead | undefined;
}

/**
 * Loads a Hugging Face folder's backbone (config.json, model.safetensors / pytorch_model.bin), its untied
 * LM head included (Llama's `lm_head.weight`, (V, H), a parameter of the backbone), in eval mode; the caller disposes `owner`.
 * @throws CheckpointError for missing or wrong files (an untied config without lm_head.weight); ConfigError for a config it cannot read.
 */
export function loadHfLanguageModel(dir: string): HfLanguageModel {
  const backbone = backboneOf(readConfigJson(dir));
  try {
    const { tensors } = loadHfWeights(dir);
    try {
      backbone.loadStateDict(backbone.hfNames.splitStateDict(tensors).backbone); // tied LM heads' copies are skipped
    } finally {
      dispose([...tensors.values()]);
    }
  } catch (e) {
    backbone.dispose();
    throw e;
  }
  const untied = backbone.outputEmbeddings?.() !== undefined;
  return { owner: backbone.eval(), backbone, lmHead: untied ? lmHeadOf(backbone) : undefined };
}
