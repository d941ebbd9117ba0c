/**
 * The parts of a Transformers language-model folder (`GPT2LMHeadModel`, `LlamaForCausalLM`,
 * `T5ForConditionalGeneration`, `BartForConditionalGeneration`, `MarianMTModel`: the family's
 * `HfNaming.lmClass`): the backbone's tensors under the class's names (the family's base prefix; the LM
 * head tied to the word embeddings is not written, as `save_pretrained` leaves tied copies out; the
 * encoder-decoders' own head tensors — T5 v1.1's `lm_head`, BART's `final_logits_bias` — are the
 * backbone's, and so is a decoder's untied `lm_head.weight`, Llama's), config.json with `architectures` (and
 * `tie_word_embeddings` for a decoder: false exactly when its backbone has an LM head of its own) and
 * generation_config.json (./generation-config.ts).
 */
import { ConfigError } from '../errors.js';
import type { LoadedCheckpoint, TaskRecord } from '../io/checkpoint.js';
import type { Backbone } from '../models/backbone.js';
import type { HfExport } from '../tasks/index.js';
import type { Tensor } from '../tensor/index.js';
import { generationConfig } from './generation-config.js';
import type { TokenizerJson } from './hf-parts.js';

/** What an export writes besides the tokenizer files. */
export interface HfParts {
  /** The Transformers class (`architectures`). */
  readonly architecture: string;
  /** model.safetensors' tensors under the class's names (the checkpoint's tensor objects). */
  readonly tensors: Map<string, Tensor>;
  readonly config: Record<string, unknown>;
  /** generation_config.json, for language models. */
  readonly generation?: Record<string, unknown>;
}

/**
 * The language-model folder of the checkpoint's backbone, for `task` when one is given (a causal-lm,
 * seq2seq or span-corruption task, whose head is the backbone's own LM head: its config.json fields —
 * a seq2seq task's `prefix` — and decoding defaults are written).
 * @throws ConfigError for a family without a language-model class (an encoder), or a task head with
 *   tensors of its own (the class has no place for them).
 */
export function languageModelParts(
  ckpt: LoadedCheckpoint,
  plain: Backbone,
  tokenizer: TokenizerJson,
  task?: { record: TaskRecord; hf: HfExport },
): HfParts {
  const names = plain.hfNames;
  const architecture = names.lmClass;
  if (architecture === undefined)
    throw new ConfigError(
      `${plain.config.modelType} is an ${plain.kind}; it has no Transformers language-model class to export a generating task to`,
    );
  if (task !== undefined) checkHeadless(ckpt.heads.get(task.record.name), task.record.name, architecture);
  const config = {
    ...ckpt.encoderConfig,
    architectures: [architecture],
    ...(plain.kind === 'decoder' ? { tie_word_embeddings: plain.outputEmbeddings?.() === undefined } : {}),
    ...task?.hf.config,
  };
  return {
    architecture,
    tensors: names.toHf(ckpt.encoder, names.basePrefix),
    config,
    generation: generationConfig(plain.config, plain.kind, tokenizer, task?.hf.generation, task?.hf.endsWith),
  };
}

/** Refuses a task head with tensors of its own (a checkpoint written before LM heads had none: its output bias). */
function checkHeadless(head: ReadonlyMap<string, Tensor> | undefined, task: string, architecture: string): void {
  const names = [...(head ?? new Map<string, Tensor>()).keys()];
  if (names.length > 0)
    throw new ConfigError(
      `task '${task}': its head has ${names.map((n) => `'${n}'`).join(', ')}, which ${architecture} has no place for; ` +
        'the export would change its logits',
    );
}
