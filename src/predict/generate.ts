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
import { loadCheckpoint } from '../io/checkpoint.js';
import { loadHfWeights } from '../io/hf-weights.js';
import type { Backbone } from '../models/backbone.js';
import { causalLmDecoder, lmHeadOf, type LmHead } from '../models/causal-lm.js';
import { textIds } from '../tasks/text-to-text.js';
import { isEncoderDecoder, type EncoderDecoderBackbone } from '../models/encoder-decoder.js';
import { decoderPrompts, encoderDecoderLm } from '../models/encoder-decoder-lm.js';
import type { Module } from '../nn/module.js';
import { backboneOf, inferenceModelOf, readConfigJson, specsOfRecords } from '../run/load-model.js';
import { taskType } from '../tasks/index.js';
import { dispose, tensor, tidy } from '../tensor/index.js';
import { Tokenizer, tokenizerFromFolder } from '../tokenization/index.js';
import { folderReplier, replyPlan, type Conversation, type Replier } from './chat-reply.js';
import { decodingOptions, readGenerationDefaults, replyOptions, type GenerationDefaults } from './generation-defaults.js';
import { streamedGeneration, type GeneratedText } from './streamed-text.js';
import {
  seq2seqPrompt,
  taskLmHead,
  TaskRouter,
  textOf,
  textToTextSources,
  type TaskPrompt,
  type TextToTextSource,
} from './task-routing.js';

export type { GeneratedText } from './streamed-text.js';
export type { TaskPrompt } from './task-routing.js';

/** What `TextGenerator.load` read besides the model: the LM head, the seq2seq tasks, the folder's decoding defaults. */
interface LoadedParts {
  readonly lmHead?: LmHead | undefined;
  readonly router?: TaskRouter;
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
    /** Which of a checkpoint's seq2seq tasks (prefix, LM head, decoding options) a text prompt is the source of (./task-routing.ts). */
    private readonly router: TaskRouter,
    /** What replies to conversations: a checkpoint's chat task, or a Hugging Face folder's chat template. */
    private readonly replier: Replier,
    /** The folder's generation_config.json decoding fields and eos ids, the defaults under the options given (./generation-defaults.ts). */
    readonly generationDefaults: GenerationDefaults,
  ) {}

  /**
   * Loads a model folder for generation: our checkpoint (tasks.json beside config.json) or a Hugging
   * Face folder (config.json, model.safetensors / pytorch_model.bin, a tokenizer), in eval mode; its
   * generation_config.json's decoding fields and eos_token_id, if any, are the defaults of its generations;
   * a checkpoint's seq2seq task's decoding options those of its sources' generations.
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
      const sources = textToTextSources(tasks, model);
      // a decoder with a causal-LM task besides its seq2seq ones continues an unprefixed prompt as it is
      const router = new TaskRouter(sources, model.backbone.kind !== 'decoder' || sources.length === tasks.length);
      const tokenizer = Tokenizer.fromFile(ckpt.tokenizerFile);
      const replier: Replier = { kind: 'checkpoint', tasks, maxLength };
      return TextGenerator.checked(model, model.backbone, tokenizer, dir, replier, { lmHead, router, defaults });
    }
    const { owner, backbone, lmHead } = loadHfLanguageModel(dir);
    let tokenizer: Tokenizer;
    let replier: Replier;
    try {
      tokenizer = tokenizerFromFolder(dir);
      replier = folderReplier(dir, backbone, tokenizer, defaults.eosTokenIds);
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
    const lmHead = heads.lmHead ?? lmHeadOf(backbone);
    return new TextGenerator(owner, backbone, tokenizer, lmHead, heads.router ?? new TaskRouter([], true), replier, heads.defaults);
  }

  /**
   * The prompt's token ids, and the id(s) that end a text: the tokenizer's special tokens at the start
   * (BOS, [CLS]) are kept; those it appends at the end (EOS, [SEP]) are dropped from the prompt. The text
   * ends at generation_config.json's eos_token_id (one id or a list, as Transformers' `generate` stops),
   * else at config.json's, else at the last token the tokenizer appends.
   */
  async encodePrompt(text: string): Promise<{ ids: number[]; eos: number | readonly number[] | undefined }> {
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
    return { ids, eos: this.#generationEos() ?? configEos ?? dropped.at(-1) };
  }

  /** generation_config.json's eos_token_id: one id as a number, a list as a list; undefined without one. */
  #generationEos(): number | readonly number[] | undefined {
    const ids = this.generationDefaults.eosTokenIds;
    return ids === undefined || ids.length > 1 ? ids : ids[0];
  }

  /**
   * Continues `prompt`, calling `onText` with each new piece of text as its tokens come (a piece that
   * may begin a stop string is held back until it is clear). The EOS id defaults to `encodePrompt`'s.
   * Each token decodes only the last few tokens' text (src/generate/incremental-text.ts); the returned
   * `text` is the tokenizer's text of all the generated tokens, decoded once at the end. A WordPiece
   * tokenizer's text is read in the prompt's context, its spaces around punctuation taken out
   * (./continuation-text.ts: `able story, it's` for `##able story , it ' s`).
   *
   * A checkpoint's seq2seq task reads a prompt as its source (./task-routing.ts): the task a `TaskPrompt`
   * names (its prefix put before unless the text starts with it), else the one whose prefix it starts
   * with, else the only one. `options` not given take that task's decoding options (num_beams,
   * length_penalty, max_new_tokens, …: what its export's generation_config.json holds, so a checkpoint
   * and its export decode alike), then the folder's generation_config.json values, then 64 new tokens
   * and `generate`'s defaults (./generation-defaults.ts); a `maxNewTokensLimit` caps the defaults.
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
   *   `TaskPrompt` naming no seq2seq task (`TaskRouter.route`: both name the tasks and prefixes), a conversation given to a checkpoint without a chat task (naming the tasks it has) or a folder without a chat template (naming the file that would carry it), an unknown task,
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
    const routed = this.router.route(prompt); // the checkpoint's seq2seq task whose source the prompt is, if any
    const text = routed?.text ?? textOf(prompt);
    // the task's decoding options over the folder's generation_config.json fields (a checkpoint has no file)
    const defaults = { ...this.generationDefaults, options: { ...this.generationDefaults.options, ...routed?.source.decoding } };
    const limit = typeof prompt === 'string' ? undefined : prompt.maxNewTokensLimit;
    const resolved = (promptTokens: number) => decodingOptions(options, defaults, { promptTokens, limit });
    if (isEncoderDecoder(backbone)) {
      // an encoder-decoder's target starts afresh (its decoder start token): no context for its text
      const o = resolved(decoderPrompts(backbone, 1)[0]!.length);
      const run = (given: GenerateOptions, hooks: GenerateHooks) => this.#translate(backbone, text, routed?.source, given, hooks);
      return streamedGeneration(this.tokenizer, [], run, o, { onText, signal });
    }
    // a decoder's seq2seq task reads the prompt as its source, as it was trained (prefix, source, end token)
    const { ids, eos } = routed === undefined ? await this.encodePrompt(text) : await seq2seqPrompt(this.tokenizer, routed.source, text);
    const lmHead = routed?.source.lmHead ?? this.lmHead;
    const run = (given: GenerateOptions, hooks: GenerateHooks) =>
      this.#continue(ids, lmHead, { ...(eos === undefined ? {} : { eosTokenId: eos }), ...given }, hooks);
    return streamedGeneration(this.tokenizer, ids, run, resolved(ids.length), { onText, signal });
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
    const made = await streamedGeneration(this.tokenizer, ids, (_, hooks) => this.#continue(ids, lmHead, plan.options, hooks), options, {
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
   * An encoder-decoder's target for the source `text` (a routed prompt's, its prefix included): through
   * the LM head of its seq2seq task `source`, else (no seq2seq task: a Hugging Face folder) the backbone's
   * own; decoding starts from the decoder start token and ends at generation_config.json's eos_token_id,
   * else the tokenizer's end token, else the config's EOS.
   */
  async #translate(
    backbone: EncoderDecoderBackbone,
    text: string,
    source: TextToTextSource | undefined,
    options: GenerateOptions,
    hooks: GenerateHooks,
  ): Promise<Generation> {
    const e = await this.tokenizer.encode(text);
    const end = this.#generationEos() ?? textIds(e).end ?? backbone.config.eosTokenId;
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
