/**
 * Chat: a decoder (gpt2, llama) learns the assistant's turns of multi-turn dialogues rendered through a
 * chat template (Transformers' `apply_chat_template`; Ouyang et al., NeurIPS 2022, train on the
 * demonstrations' responses only). A dialogue is one sequence; the loss is the next-token cross-entropy
 * on the tokens of the assistant turns alone (−100 everywhere else: system and user turns, the role
 * headers the template writes), the turn's end-of-turn token included, as TRL's `assistant_only_loss`.
 *
 * Why a task type of its own and not a seq2seq data format: seq2seq pairs one source with one target
 * (on a decoder, one prompt then one supervised target span), while a dialogue is one decoder sequence
 * with several supervised spans, its example a message list and its prompt the template's rendering of
 * all turns so far.
 *
 * The template (`chat_template` option, else the model folder's tokenizer_config.json `chat_template`,
 * else ChatML, whose `<|im_start|>` / `<|im_end|>` a run then adds as special tokens) is fixed when the
 * run starts and saved with the task's options, so a checkpoint renders as it was trained. Where the
 * assistant turns lie is found by rendering prefixes (`ChatTemplate.assistantSpans`); a token is in the
 * loss when its characters overlap an assistant span. A dialogue longer than max_length keeps its turns
 * up to the last assistant turn that fits whole (later turns are dropped; when not even the first
 * fits, it is cut inside that turn); each such dialogue counts as truncated.
 *
 * Evaluation scores the assistant tokens teacher-forced from the logits of the loss's forward pass
 * (`labelledScoring`): next-token accuracy (the main metric) and perplexity. With `reply_metrics`
 * (bleu, chrf, rouge, squad, distinct: ./text-metrics.ts) it also generates each dialogue's last
 * assistant turn from the turns before it, as prediction would, and scores the replies against those
 * turns, as dialogue papers report generated responses (BLEU, distinct-1/2, ROUGE-L, token F1).
 * Prediction renders the messages with the generation prompt and generates the assistant's
 * reply until the end-of-turn token; a prompt with no room left for `max_new_tokens` loses its oldest
 * turns (after any system message), and the prediction says how many (`dropped_turns`). `replyPrompt`
 * renders a conversation so for `mtl generate --messages` and `POST /generate`.
 */
import type { ChatExample } from '../data/index.js';
import { formatPosition } from '../data/index.js';
import { ConfigError, DataError } from '../errors.js';
import { generate, type GenerateOptions } from '../generate/index.js';
import { causalLmDecoder } from '../models/causal-lm.js';
import {
  CHATML,
  CHATML_SPECIAL_TOKENS,
  ChatTemplate,
  IGNORE_INDEX,
  type ChatTemplateSource,
  type Tokenizer,
} from '../tokenization/index.js';
import { CausalLmHead, nextTokenLoss, nextTokenScores } from './causal-lm.js';
import { assistantTurn, endOfTurnId, fittedPrompt, lastReply, promptRoom, templateOf } from './chat-prompt.js';
import { checkFeatures, exampleOf, inGoldOrder, longest, padInputs, paddedInt64 } from './features.js';
import { numberOption, OptionError, rejectUnknownOptions } from './options.js';
import { textMetrics, textMetricsOption, type TextMetric } from './text-metrics.js';
import { tokenScoreMetrics, type TargetScores } from './text-to-text.js';
import type { Features, FeaturizeOptions, FeaturizeResult, Metrics, ReplyPrompt, TaskType } from './types.js';

export const CHAT = 'chat';

/** A chat task has no label list (its outputs are texts); a spec needs a non-empty one. */
export const CHAT_LABELS: readonly string[] = ['[dialogue]'];

export interface ChatOptions {
  /** The Jinja source; null until the run starts (then the folder's, the config's or ChatML's). */
  readonly chatTemplate: string | null;
  /** Where the template came from (a file, the config, the default), for messages; null until the run starts. */
  readonly templateOrigin: string | null;
  /** `bos_token` / `eos_token` as the template sees them ('' = none; null until the run starts). */
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  /** The token that ends an assistant turn, where generation stops; null: the last token the template writes in an assistant turn. */
  readonly endOfTurn: string | null;
  /** Special tokens the template writes that the vocabulary must hold whole (ChatML's markers for the default template). */
  readonly specialTokens: readonly string[];
  /** Most tokens generated per reply (default 64). */
  readonly maxNewTokens: number;
  /** Beams of prediction (1 = greedy; default 1). */
  readonly numBeams: number;
  /** No n-gram of this size twice in a reply (0 = off; default 0). */
  readonly noRepeatNgramSize: number;
  /**
   * Metric families of generated replies that evaluation adds to the teacher-forced scores (default
   * none: one forward pass per batch): each dev/test dialogue's last assistant turn is generated from
   * the turns before it and scored against it (./text-metrics.ts).
   */
  readonly replyMetrics: readonly TextMetric[];
}

/** One dialogue's teacher-forced scores (evaluation), or its generated reply (prediction). */
export interface ChatPrediction extends Partial<Omit<TargetScores, 'exampleIndex'>> {
  readonly exampleIndex: number;
  readonly text?: string;
  /** Prediction: the oldest turns left out of the prompt to make room for the reply. */
  readonly droppedTurns?: number;
}

/** A dialogue's features: the rendered tokens, labels on assistant tokens (absent for a prompt). */
interface ChatFeatures extends Features {
  readonly droppedTurns?: number;
  /**
   * Evaluation with `replyMetrics`: the prompt of the dialogue's last assistant turn (the turns before
   * it, rendered with the generation prompt, fitted as a prediction's prompt), whose reply is scored.
   */
  readonly reply?: { readonly inputIds: readonly number[]; readonly droppedTurns: number };
}

const OPTION_KEYS = [
  'chatTemplate',
  'templateOrigin',
  'bosToken',
  'eosToken',
  'endOfTurn',
  'specialTokens',
  'maxNewTokens',
  'numBeams',
  'noRepeatNgramSize',
  'replyMetrics',
];

function nullableString(raw: Readonly<Record<string, unknown>>, key: string): string | null {
  const v = raw[key] ?? null;
  if (v !== null && typeof v !== 'string') throw new OptionError(CHAT, key, `must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * The task's template source: its options' once the run started; before that (a test featurizing
 * directly), the config's, the tokenizer folder's, or ChatML.
 */
export function chatTemplateSource(o: ChatOptions, tokenizer?: Tokenizer): ChatTemplateSource {
  if (o.chatTemplate !== null)
    return {
      template: o.chatTemplate,
      origin: o.templateOrigin ?? "the task's chat_template option",
      bosToken: o.bosToken ?? '',
      eosToken: o.eosToken ?? '',
    };
  return tokenizer?.chatTemplate ?? CHATML;
}

/** Labels (T): each token's id where its characters overlap an assistant span, -100 elsewhere (special tokens added with no characters too). */
export function assistantLabels(
  inputIds: readonly number[],
  offsets: readonly (readonly [number, number])[],
  spans: readonly (readonly [number, number])[],
): number[] {
  return inputIds.map((id, t) => {
    const [a, b] = offsets[t]!;
    return b > a && spans.some(([s, e]) => a < e && b > s) ? id : IGNORE_INDEX;
  });
}

/** The token count that keeps whole turns: the end of the last assistant turn within `maxLength` tokens (else `maxLength`, inside the first). */
function wholeTurnCut(labels: readonly number[], maxLength: number): number {
  let cut = 0;
  for (let t = 1; t <= maxLength; t++) if (labels[t - 1] !== IGNORE_INDEX && (t === labels.length || labels[t] === IGNORE_INDEX)) cut = t;
  return cut > 0 ? cut : maxLength;
}

/** Featurizes prompts (prediction): rendered with the generation prompt, no labels. */
async function promptFeatures(
  examples: readonly ChatExample[],
  template: ChatTemplate,
  tokenizer: Tokenizer,
  room: number,
): Promise<FeaturizeResult> {
  let truncated = 0;
  const features: ChatFeatures[] = [];
  for (const [i, e] of examples.entries()) {
    const p = await fittedPrompt(e.messages, template, tokenizer, room);
    if (p.truncated) truncated++;
    features.push({ exampleIndex: i, inputIds: p.inputIds, truncated: p.truncated, droppedTurns: p.droppedTurns });
  }
  return { features, truncated };
}

/** Featurizes whole dialogues (training, evaluation): labels on the assistant tokens, cut after the last whole assistant turn that fits. */
async function dialogueFeatures(
  examples: readonly ChatExample[],
  template: ChatTemplate,
  tokenizer: Tokenizer,
  maxLength: number,
  replyRoom?: number,
): Promise<FeaturizeResult> {
  const rendered = examples.map((e) => {
    try {
      return template.assistantSpans(e.messages);
    } catch (err) {
      if (err instanceof DataError) throw new DataError(`${formatPosition(e.source)}: ${err.message}`);
      throw err;
    }
  });
  const encodings = await tokenizer.encodeBatch(
    rendered.map((r) => r.text),
    { addSpecialTokens: false },
  );
  let truncated = 0;
  const features: ChatFeatures[] = [];
  for (const [i, enc] of encodings.entries()) {
    const labels = assistantLabels(enc.inputIds, enc.offsets, rendered[i]!.spans);
    const T = enc.inputIds.length <= maxLength ? enc.inputIds.length : wholeTurnCut(labels, maxLength);
    if (T < enc.inputIds.length) truncated++;
    const reply = replyRoom === undefined ? undefined : await fittedPrompt(lastReply(examples[i]!).context, template, tokenizer, replyRoom);
    features.push({
      exampleIndex: i,
      inputIds: enc.inputIds.slice(0, T),
      labels: labels.slice(0, T),
      truncated: T < enc.inputIds.length,
      ...(reply === undefined ? {} : { reply: { inputIds: reply.inputIds, droppedTurns: reply.droppedTurns } }),
    });
  }
  return { features, truncated };
}

/** Whether `featurize` was called for prediction (no split named, not training): prompts, not whole dialogues. */
const forPrediction = (options: FeaturizeOptions): boolean => options.training === false && options.split === undefined;

/** The decoding options of the task's replies: prediction, evaluation, export, and the defaults of `mtl generate --messages`. */
const replyOptionsOf = (o: ChatOptions): GenerateOptions => ({
  maxNewTokens: o.maxNewTokens,
  numBeams: o.numBeams,
  noRepeatNgramSize: o.noRepeatNgramSize,
});

export const chat: TaskType<ChatExample, ChatPrediction, ChatOptions> = {
  kind: CHAT,
  inputs: ['messages'],
  sharesEncoderPass: false,
  formats: ['messages', 'dailydialog'],
  readsLabel: false,
  labelSpace: 'none',
  // accuracy rather than perplexity: model selection and the average of main metrics maximise
  mainMetric: { name: 'accuracy', greaterIsBetter: true },

  resolveOptions(raw = {}) {
    rejectUnknownOptions(CHAT, raw, OPTION_KEYS);
    const chatTemplate = nullableString(raw, 'chatTemplate');
    if (chatTemplate !== null)
      ChatTemplate.compile({ template: chatTemplate, origin: "the task's chat_template option", bosToken: '', eosToken: '' });
    const specialTokens = raw.specialTokens ?? [];
    if (!Array.isArray(specialTokens) || !specialTokens.every((t) => typeof t === 'string' && t !== ''))
      throw new OptionError(CHAT, 'specialTokens', `must be a list of non-empty strings, got ${JSON.stringify(specialTokens)}`);
    return {
      chatTemplate,
      templateOrigin: nullableString(raw, 'templateOrigin') ?? (chatTemplate === null ? null : "the task's chat_template option"),
      bosToken: nullableString(raw, 'bosToken'),
      eosToken: nullableString(raw, 'eosToken'),
      endOfTurn: nullableString(raw, 'endOfTurn'),
      specialTokens: specialTokens as string[],
      maxNewTokens: numberOption(CHAT, raw, 'maxNewTokens', 64, 1, true),
      numBeams: numberOption(CHAT, raw, 'numBeams', 1, 1, true),
      noRepeatNgramSize: numberOption(CHAT, raw, 'noRepeatNgramSize', 0, 0, true),
      replyMetrics: textMetricsOption(CHAT, raw, 'replyMetrics', [], true),
    };
  },

  /** The template fixed when the run starts (saved in tasks.json): the config's, else the tokenizer folder's, else ChatML. */
  completeWithTokenizer(o, tokenizer) {
    if (o.chatTemplate !== null && o.bosToken !== null && o.eosToken !== null) return o;
    const s = chatTemplateSource(o, tokenizer);
    const specialTokens = s === CHATML ? [...new Set([...o.specialTokens, ...CHATML_SPECIAL_TOKENS])] : o.specialTokens;
    return {
      ...o,
      chatTemplate: s.template,
      templateOrigin: s.origin,
      bosToken: o.bosToken ?? s.bosToken,
      eosToken: o.eosToken ?? s.eosToken,
      specialTokens,
    };
  },

  addedTokens(o) {
    return o.specialTokens;
  },

  collectLabels() {
    return [...CHAT_LABELS];
  },

  /**
   * The family's language-model class (`GPT2LMHeadModel`, `LlamaForCausalLM`), with the task's decoding
   * options and where an assistant turn ends (the `end_of_turn` token, else a rendered turn's text), so
   * generation_config.json stops Transformers' `generate` at the end-of-turn token as prediction does.
   */
  exportHf(spec) {
    const o = spec.options;
    return {
      head: 'CausalLM',
      config: {},
      generation: replyOptionsOf(o),
      endsWith: o.endOfTurn ?? assistantTurn(templateOf(chatTemplateSource(o))),
    };
  },

  createHead(backbone, spec) {
    const V = (backbone as { vocabSize?: number }).vocabSize;
    if (typeof V !== 'number')
      throw new ConfigError(`task '${spec.name}': the chat head needs the backbone's vocabSize; pass its full config`);
    return new CausalLmHead(V);
  },

  async featurize(examples, tokenizer, spec, options) {
    const o = spec.options;
    const template = templateOf(chatTemplateSource(o, tokenizer));
    if (forPrediction(options))
      return promptFeatures(examples, template, tokenizer, promptRoom(options.maxLength, o.maxNewTokens, spec.name));
    // evaluation with reply metrics: each dialogue also carries the prompt of its last assistant turn
    const scoresReplies = o.replyMetrics.length > 0 && options.split !== undefined && options.split !== 'train';
    const replyRoom = scoresReplies ? promptRoom(options.maxLength, o.maxNewTokens, spec.name) : undefined;
    return dialogueFeatures(examples, template, tokenizer, options.maxLength, replyRoom);
  },

  collate({ spec }, features, inputs) {
    if (inputs !== undefined) throw new ConfigError(`task '${spec.name}': chat collates its own inputs`);
    checkFeatures(features, `collate '${spec.name}'`);
    const padded = padInputs(features);
    if (features.some((f) => f.labels === undefined)) return { ...padded, features };
    const labels = paddedInt64(features.length, longest(features), IGNORE_INDEX, (i) => features[i]!.labels!); // (B, T)
    return { ...padded, labels, features };
  },

  loss({ spec }, logits, batch) {
    if (batch.labels === undefined) throw new ConfigError(`task '${spec.name}': the batch has no labels (prompts), so no loss`);
    return nextTokenLoss(logits, batch.labels);
  },

  decode({ spec }, logits, batch, examples) {
    if (batch.labels === undefined) throw new ConfigError(`task '${spec.name}': scoring needs whole dialogues; prompts are generated from`);
    for (const f of batch.features) exampleOf(examples, f);
    return nextTokenScores(logits, batch.labels, batch.features);
  },

  /**
   * Evaluation scores whole dialogues teacher-forced (`decode` on the loss's logits); with
   * `reply_metrics` it also generates their last assistant turns ('both').
   */
  labelledScoring(o) {
    return o.replyMetrics.length > 0 ? 'both' : 'teacher-forced';
  },

  /**
   * The assistant's reply, generated until the end-of-turn token or `max_new_tokens`: to each prompt
   * (prediction), or to the turns before each dialogue's last assistant turn (evaluation with `reply_metrics`).
   */
  async generate({ task, backbone, tokenizer, batch, examples }) {
    for (const f of batch.features) exampleOf(examples, f);
    const features = batch.features as readonly ChatFeatures[];
    const labelled = batch.labels !== undefined;
    if (labelled && features.some((f) => f.reply === undefined))
      throw new ConfigError(
        `task '${task.spec.name}': whole dialogues are scored teacher-forced (decode); they are generated from only with reply_metrics`,
      );
    const head = task.head as CausalLmHead;
    const o = task.spec.options;
    const template = templateOf(chatTemplateSource(o, tokenizer));
    const options: GenerateOptions = {
      ...replyOptionsOf(o),
      eosTokenId: await endOfTurnId(o.endOfTurn, template, tokenizer, task.spec.name),
      padTokenId: backbone.config.padTokenId ?? 0,
    };
    const decoder = causalLmDecoder(backbone, head.asLmHead());
    const prompts = features.map((f) => (labelled ? f.reply! : f));
    const made = await generate(
      decoder,
      prompts.map((p) => p.inputIds),
      options,
    );
    return Promise.all(
      made.map(async (g, i) => ({
        exampleIndex: features[i]!.exampleIndex,
        text: (await tokenizer.decode(g.tokens)).trim(),
        droppedTurns: prompts[i]!.droppedTurns ?? 0,
      })),
    );
  },

  /**
   * Teacher-forced `accuracy`, `perplexity` and `targetTokens` over the assistant tokens; with
   * `reply_metrics`, the generated last assistant turns (hypotheses) against the dialogues' own (references).
   */
  evaluate(predictions, gold, spec): Metrics {
    const ordered = inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`);
    const scores = tokenScoreMetrics(ordered as TargetScores[]);
    const metrics = spec.options.replyMetrics;
    if (metrics.length === 0) return scores;
    const missing = ordered.findIndex((p) => p.text === undefined);
    if (missing >= 0)
      throw new ConfigError(`evaluate '${spec.name}': example ${missing} has no generated reply to score with reply_metrics`);
    const references = gold.map((e) => [lastReply(e).reference]);
    return {
      ...scores,
      ...textMetrics(
        ordered.map((p) => p.text!),
        references,
        metrics,
      ),
    };
  },

  /** Evaluation with `reply_metrics` (`mtl eval --report FILE`): each dialogue's generated last assistant turn beside the turn it answers and the reference. */
  report(predictions, gold, spec) {
    if (spec.options.replyMetrics.length === 0) return {};
    const ordered = inGoldOrder(predictions, gold.length, `report '${spec.name}'`);
    const outputs = ordered.map((p, i) => {
      const e = gold[i]!;
      const { context, reference } = lastReply(e);
      return { id: e.id, prompt: context.at(-1)!.content, reference, output: p.text ?? null };
    });
    return { outputs };
  },

  /** A conversation's prompt as prediction renders it, and the end-of-turn token its reply ends at. */
  async replyPrompt(spec, tokenizer, messages, budget): Promise<ReplyPrompt> {
    const o = spec.options;
    const template = templateOf(chatTemplateSource(o, tokenizer));
    const room = promptRoom(budget.maxLength, budget.maxNewTokens, spec.name);
    const { inputIds, droppedTurns } = await fittedPrompt(messages, template, tokenizer, room);
    return { inputIds, endTokenId: await endOfTurnId(o.endOfTurn, template, tokenizer, spec.name), droppedTurns };
  },

  replyOptions(spec) {
    return replyOptionsOf(spec.options);
  },

  present(p) {
    return { text: p.text ?? '', ...(p.droppedTurns ? { dropped_turns: p.droppedTurns } : {}) };
  },
};
