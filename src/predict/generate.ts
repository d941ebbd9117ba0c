/**
 * Text generation with a model folder: a checkpoint of ours (a run's `best/` with a causal-lm task, or
 * an encoder-decoder with seq2seq tasks, whose prompt is the source text; its adapters applied) or a
 * Hugging Face folder (config.json of a decoder or encoder-decoder family, its weights, its tokenizer).
 * Texts in, texts out, streamed as the tokens come: what `mtl generate` prints.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { generate, type GenerateHooks, type GenerateOptions, type Generation } from '../generate/index.js';
import { loadCheckpoint, type TaskRecord } from '../io/checkpoint.js';
import { loadHfWeights } from '../io/hf-weights.js';
import type { Backbone } from '../models/backbone.js';
import { causalLmDecoder, tiedLmHead, type LmHead } from '../models/causal-lm.js';
import { CausalLmHead } from '../tasks/causal-lm.js';
import { decoderPrompt } from '../tasks/seq2seq-decoder.js';
import { TextToTextHead, textIds } from '../tasks/text-to-text.js';
import { isEncoderDecoder, type EncoderDecoderBackbone } from '../models/encoder-decoder.js';
import { decoderPrompts, encoderDecoderLm } from '../models/encoder-decoder-lm.js';
import { Linear } from '../nn/linear.js';
import { ModuleList, type Module } from '../nn/module.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { backboneOf, modelFromCheckpoint, readConfigJson } from '../run/load-model.js';
import { dispose, tensor } from '../tensor/index.js';
import { Tokenizer, tokenizerFromFolder } from '../tokenization/index.js';
import { ContinuationText } from './continuation-text.js';

/** One prompt's continuation. */
export interface GeneratedText extends Generation {
  /** The generated text (without the prompt; cut before a stop string). */
  readonly text: string;
}

/** The text of `generated` cut before the first stop string it holds, and whether it held one. */
export function cutAtStop(text: string, stopStrings: readonly string[]): { text: string; stopped: boolean } {
  const at = Math.min(...stopStrings.map((s) => text.indexOf(s)).filter((i) => i >= 0));
  return Number.isFinite(at) ? { text: text.slice(0, at), stopped: true } : { text, stopped: false };
}

/** Characters at the end of `text` that may begin a stop string (held back while streaming). */
function pendingStop(text: string, stopStrings: readonly string[]): number {
  let n = 0;
  for (const s of stopStrings) for (let k = Math.min(s.length - 1, text.length); k > n; k--) if (text.endsWith(s.slice(0, k))) n = k;
  return n;
}

/** A seq2seq task of a checkpoint, as generation reads it. */
interface TextToTextSource {
  readonly task: string;
  readonly prefix: string;
  readonly lmHead: LmHead;
  /** On a decoder: the token that ends the task's prompts (its `end_token` option; null: the tokenizer's). Absent on an encoder-decoder. */
  readonly endToken?: string | null;
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
    return [{ task: t.name, prefix, lmHead: (x) => h.forward({ lastHiddenState: x }), endToken }];
  });
}

export class TextGenerator implements Disposable {
  private constructor(
    /** What owns the weights (the run's MultiTaskModel, or the backbone, with an untied LM head). */
    private readonly owner: Module,
    readonly backbone: Backbone,
    readonly tokenizer: Tokenizer,
    /** The LM head: a checkpoint's causal-lm head (tied, with its trained bias), else tied to the input embeddings. */
    private readonly lmHead: LmHead = tiedLmHead(backbone),
    /** A checkpoint's seq2seq tasks: each prefix and the LM head with its task's bias. */
    private readonly sources: readonly TextToTextSource[] = [],
    /** Whether a prompt that starts with no task's prefix is the only seq2seq task's source (else continued as it is). */
    private readonly onlySourceByDefault = true,
  ) {}

  /**
   * Loads a model folder for generation: our checkpoint (tasks.json beside config.json) or a Hugging
   * Face folder (config.json, model.safetensors / pytorch_model.bin, a tokenizer), in eval mode.
   * @throws ConfigError when its backbone is not a decoder; CheckpointError for missing or wrong files.
   */
  static load(dir: string): TextGenerator {
    if (existsSync(path.join(dir, 'tasks.json'))) {
      using ckpt = loadCheckpoint(dir, { optimizer: false });
      const model = modelFromCheckpoint(ckpt).eval();
      const head = model.taskNames.map((n) => model.heads.get(n)).find((h) => h instanceof CausalLmHead);
      const lmHead: LmHead | undefined = head && ((h) => head.forward({ lastHiddenState: h }));
      const sources = textToTextSources(ckpt.tasks, model);
      // a decoder with a causal-LM task besides its seq2seq ones continues an unprefixed prompt as it is
      const byDefault = model.backbone.kind !== 'decoder' || sources.length === ckpt.tasks.length;
      const tokenizer = Tokenizer.fromFile(ckpt.tokenizerFile);
      return TextGenerator.checked(model, model.backbone, tokenizer, dir, lmHead, sources, byDefault);
    }
    const { owner, backbone, lmHead } = loadHfLanguageModel(dir);
    let tokenizer: Tokenizer;
    try {
      tokenizer = tokenizerFromFolder(dir);
    } catch (e) {
      owner.dispose();
      throw e;
    }
    return TextGenerator.checked(owner, backbone, tokenizer, dir, lmHead); // disposes owner when it throws
  }

  private static checked(
    owner: Module,
    backbone: Backbone,
    tokenizer: Tokenizer,
    dir: string,
    lmHead?: LmHead,
    sources: readonly TextToTextSource[] = [],
    onlySourceByDefault = true,
  ): TextGenerator {
    if (backbone.kind === 'encoder-decoder') return new TextGenerator(owner, backbone, tokenizer, lmHead, sources);
    if (backbone.kind !== 'decoder') {
      owner.dispose();
      throw new ConfigError(
        `${dir}: its model (${backbone.config.modelType}) is an ${backbone.kind}, which does not generate text; give a decoder (gpt2, …) or an encoder-decoder (t5, bart, …)`,
      );
    }
    return new TextGenerator(owner, backbone, tokenizer, lmHead, sources, onlySourceByDefault);
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
   * @param onText called once per generated token (greedy and sampling) with that token's id and the
   *   text it releases ('' while text is held back, or after a stop string), then once more without a
   *   token if text held back at the end remains; the pieces joined are the returned `text`. The next
   *   step waits for it (it may be asynchronous); what it throws ends the generation and is thrown here.
   * @param signal aborting it stops the generation before its next step (beam search too), which then
   *   rejects with the signal's reason.
   */
  async generate(
    prompt: string,
    options: GenerateOptions = {},
    onText?: (piece: string, token?: number) => unknown,
    signal?: AbortSignal,
  ): Promise<GeneratedText> {
    // a decoder's seq2seq task reads the prompt as its source, as it was trained (prefix, source, end token)
    const task = isEncoderDecoder(this.backbone) ? undefined : this.#sourceOf(prompt);
    const { ids, eos } = task === undefined ? await this.encodePrompt(prompt) : await this.#seq2seqPrompt(task.source, task.text);
    const stops = options.stopStrings ?? [];
    const decode = (tokens: readonly number[]) => this.tokenizer.decode(tokens);
    // a WordPiece decoder's text is read in the prompt's context, punctuation's spaces taken out (./continuation-text.ts)
    const context = isEncoderDecoder(this.backbone) ? [] : ids; // an encoder-decoder's target starts afresh
    const readable = this.tokenizer.decoderType === 'WordPiece' ? new ContinuationText(decode, context) : undefined;
    let streamed = ''; // the generated text so far, as the loop decodes it a window at a time
    let shown = 0;
    const onToken = async (_row: number, token: number, piece?: string): Promise<void> => {
      if (onText === undefined) return;
      streamed += readable === undefined ? (piece ?? '') : await readable.push(token);
      const { text } = cutAtStop(streamed, stops);
      const ready = text.length - pendingStop(text, stops);
      const released = ready > shown ? text.slice(shown, ready) : '';
      shown = Math.max(shown, ready);
      await onText(released, token);
    };
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    // the loop decodes text only for what needs it: a stream, stop strings
    const hooks: GenerateHooks = {
      ...(onText !== undefined || stops.length > 0 ? { decode, onToken } : {}),
      ...(signal === undefined ? {} : { signal }),
    };
    const result = isEncoderDecoder(this.backbone)
      ? await this.#translate(this.backbone, prompt, given, hooks)
      : ((
          await generate(
            causalLmDecoder(this.backbone, task?.source.lmHead ?? this.lmHead),
            [ids],
            { ...(eos === undefined ? {} : { eosTokenId: eos }), ...given },
            hooks,
          )
        )[0] as Generation);
    const whole = readable === undefined ? await decode(result.tokens) : await ContinuationText.of(decode, context, result.tokens);
    const { text } = cutAtStop(whole, stops);
    if (onText !== undefined && text.length > shown) await onText(text.slice(shown));
    return { ...result, text };
  }

  /**
   * An encoder-decoder's target for the source `prompt`: the seq2seq task whose prefix the prompt
   * starts with (the longest), else the checkpoint's only seq2seq task with its prefix put before the
   * prompt, else the backbone's own LM head on the prompt as it is; decoding starts from the decoder
   * start token and ends at the tokenizer's end token (the config's EOS when it adds none).
   */
  async #translate(backbone: EncoderDecoderBackbone, prompt: string, options: GenerateOptions, hooks: GenerateHooks): Promise<Generation> {
    const { source, text } = this.#sourceOf(prompt) ?? { source: undefined, text: prompt };
    const e = await this.tokenizer.encode(text);
    const end = textIds(e).end ?? backbone.config.eosTokenId;
    const inputIds = tensor(Int32Array.from(e.inputIds), {}, [1, e.inputIds.length]).to('int64');
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
   * the only one (unless `onlySourceByDefault` is off), with its prefix put before the prompt; undefined: none.
   */
  #sourceOf(prompt: string): { source: TextToTextSource; text: string } | undefined {
    const matching = [...this.sources].sort((a, b) => b.prefix.length - a.prefix.length).find((s) => prompt.startsWith(s.prefix));
    if (matching !== undefined) return { source: matching, text: prompt };
    const only = this.sources.length === 1 && this.onlySourceByDefault ? this.sources[0] : undefined;
    return only && { source: only, text: only.prefix + prompt };
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
 * Loads a Hugging Face folder's backbone (config.json, model.safetensors / pytorch_model.bin) and its
 * untied LM head (Llama's `lm_head.weight`, (V, H)) if it has one, in eval mode; the caller disposes `owner`.
 * @throws CheckpointError for missing or wrong files; ConfigError for a config it cannot read.
 */
export function loadHfLanguageModel(dir: string): HfLanguageModel {
  const backbone = backboneOf(readConfigJson(dir));
  let untied: Linear | undefined;
  try {
    const { tensors } = loadHfWeights(dir);
    try {
      const parts = backbone.hfNames.splitStateDict(tensors);
      backbone.loadStateDict(parts.backbone);
      // tied LM heads are the families' tiedKeys, skipped
      const weight = parts.rest.get('lm_head.weight');
      if (weight !== undefined)
        untied = new Linear(weight.shape[1] as number, weight.shape[0] as number, { bias: false, from: { weight: weight.clone() } });
    } finally {
      dispose([...tensors.values()]);
    }
  } catch (e) {
    backbone.dispose();
    untied?.dispose();
    throw e;
  }
  const owner = untied === undefined ? backbone : new ModuleList([backbone, untied]);
  const head = untied;
  return { owner: owner.eval(), backbone, lmHead: head && ((h) => head.forward(h)) };
}
