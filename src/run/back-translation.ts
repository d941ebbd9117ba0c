/**
 * The translation models of back-translation (`data.augment: { method: back-translation }`;
 * src/data/augment/back-translation.ts decides which texts, seeds and copies): tasks of checkpoints
 * trained with multitask-lm whose type writes a text for a text (seq2seq's `generateTexts`), on a model
 * that generates: an encoder-decoder (t5, bart, marian) or a decoder (gpt2, llama; the task's prompt
 * continued; docs/generation.md). A text goes through the forward task (its prefix put before it, as the
 * task was trained) into the pivot language, and the pivot text through the backward task (of the same
 * checkpoint or a second one) back. Decoding is src/generate's, through the task type's own featurize /
 * collate / `generateTexts`, as evaluation and `mtl predict` decode: sampling (Edunov et al., EMNLP 2018: sampled
 * or top-k back-translations train better models than beam search's) or greedy / beam search, each text
 * with its own seed, so its translation does not depend on the batch it is in.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BackTranslationSettings, RoundTrip, RoundTrips } from '../data/augment/index.js';
import { ConfigError } from '../errors.js';
import type { GenerateOptions } from '../generate/index.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { REQUIRED_CHECKPOINT_FILES } from '../io/checkpoint-inspect.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { dispose } from '../tensor/index.js';
import { collatingTask, makeTask, taskType, type Task, type TaskSpec } from '../tasks/index.js';
import { Tokenizer } from '../tokenization/index.js';
import { inferenceModelOf, specsOfRecords } from './load-model.js';

/** A checkpoint loaded once for translating: its model (every task's head, eval mode), tokenizer and max_length. */
class TranslationModel implements Disposable {
  private constructor(
    readonly dir: string,
    readonly model: MultiTaskModel,
    readonly tokenizer: Tokenizer,
    readonly specs: readonly TaskSpec[],
    readonly maxLength: number,
  ) {}

  /** @throws CheckpointError for a folder that is not a checkpoint. */
  static load(dir: string): TranslationModel {
    using ckpt = loadCheckpoint(dir, { optimizer: false });
    const specs = specsOfRecords(ckpt.tasks);
    const { model, maxLength } = inferenceModelOf(ckpt, specs);
    return new TranslationModel(dir, model, Tokenizer.fromFile(ckpt.tokenizerFile), specs, maxLength);
  }

  /**
   * The model's task `task` as a translator: a task whose type writes a text for a text (seq2seq), on a
   * backbone that generates (an encoder-decoder, or a decoder continuing the task's prompts).
   * @throws ConfigError naming the checkpoint and the task when it has no such task, the task does not
   *   write texts, or its backbone is an encoder; the message lists the checkpoint's tasks that translate.
   */
  translator(task: string): Translator {
    const spec = this.specs.find((s) => s.name === task);
    const generates = this.model.backbone.kind !== 'encoder';
    const translating = generates ? this.specs.filter(writesText).map((s) => `'${s.name}'`) : [];
    const why =
      spec === undefined
        ? 'no such task'
        : !writesText(spec)
          ? `it as a ${spec.kind} task, which writes no text for a text`
          : !generates
            ? `an encoder backbone (${this.model.backbone.config.modelType}), which writes no text`
            : undefined;
    if (why !== undefined || spec === undefined)
      throw new ConfigError(
        `data.augment: back-translation needs a seq2seq task '${task}' in ${this.dir} on an encoder-decoder or decoder model, and the checkpoint has ${why}; its tasks that translate: ${translating.join(', ') || 'none'}`,
      );
    return new Translator(this, makeTask(spec, this.model.heads.get(task)!));
  }

  dispose(): void {
    this.model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Whether the type of `spec` writes a text for a source text (seq2seq; see `TaskType.generateTexts`). */
const writesText = (spec: TaskSpec): boolean => {
  const type = taskType(spec.kind);
  return type.generateTexts !== undefined && type.inputs.includes('text');
};

/** A task of a loaded checkpoint that writes a text for a text, translating texts. */
class Translator {
  constructor(
    private readonly loaded: TranslationModel,
    private readonly task: Task,
  ) {}

  /**
   * Each text's translation by the task (its prefix before the text, sources cut to the run's max_length),
   * `batchSize` texts at a time.
   * @param options decoding options; `seeds` has one seed per text (sampling).
   */
  async translate(texts: readonly string[], seeds: readonly number[], options: GenerateOptions, batchSize: number): Promise<string[]> {
    const { type, spec } = this.task;
    const collating = collatingTask(spec);
    const { tokenizer, maxLength, model } = this.loaded;
    const out: string[] = [];
    for (let b = 0; b < texts.length; b += batchSize) {
      const examples = texts
        .slice(b, b + batchSize)
        .map((text, i) => ({ id: String(b + i), text, source: { file: 'back-translation', line: b + i + 1 } }));
      const { features } = await type.featurize(examples, tokenizer, spec, { maxLength, training: false });
      const batch = type.collate(collating, features);
      try {
        const context = { task: this.task, backbone: model.backbone, tokenizer, batch, examples };
        out.push(...(await type.generateTexts!(context, { ...options, seeds: seeds.slice(b, b + batchSize) })));
      } finally {
        dispose(batch);
      }
    }
    return out;
  }
}

/** The decoding options of the settings (both directions decode alike). */
function decodingOf(s: BackTranslationSettings): GenerateOptions {
  return {
    doSample: s.doSample,
    topK: s.topK,
    topP: s.topP,
    temperature: s.temperature,
    numBeams: s.numBeams,
    maxNewTokens: s.maxNewTokens,
  };
}

/** The seed of a text's backward pass, from its forward seed (another stream of the sampler's numbers). */
const backwardSeed = (seed: number): number => Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) >>> 1;

/** The checkpoint folders and tasks of `settings`: forward, backward. */
function endsOf(s: BackTranslationSettings): [{ dir: string; task: string }, { dir: string; task: string }] {
  return [
    { dir: s.checkpoint, task: s.forwardTask },
    { dir: s.backwardCheckpoint ?? s.checkpoint, task: s.backwardTask },
  ];
}

/** The distinct checkpoint folders of `settings` (one when both tasks are in the same checkpoint). */
const foldersOf = (s: BackTranslationSettings): string[] => [...new Set(endsOf(s).map((e) => path.resolve(e.dir)))];

/**
 * A hash of what the translations depend on: the two task names, and each distinct checkpoint's
 * weights, tokenizer, tasks and config. Reads the files (tens of MB for a small model), loads no tensor.
 */
function identityOf(settings: BackTranslationSettings): string {
  const hash = createHash('sha256');
  for (const { task } of endsOf(settings)) hash.update(`${task}\0`);
  for (const dir of foldersOf(settings)) {
    for (const name of REQUIRED_CHECKPOINT_FILES) hash.update(readFileSync(path.join(dir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Round trips through checkpoints of ours: `identity` hashes their files, `open` loads each distinct
 * checkpoint folder once (both tasks of one checkpoint share its model).
 * @throws ConfigError (from `open`) when a checkpoint lacks the named seq2seq task.
 */
export const checkpointRoundTrips: RoundTrips = {
  identity: identityOf,
  open(settings: BackTranslationSettings): RoundTrip {
    const models = new Map<string, TranslationModel>();
    const release = () => models.forEach((m) => m.dispose());
    try {
      for (const dir of foldersOf(settings)) models.set(dir, TranslationModel.load(dir));
      const [there, back] = endsOf(settings).map((e) => models.get(path.resolve(e.dir))!.translator(e.task)) as [Translator, Translator];
      const decoding = decodingOf(settings);
      return {
        async translate(texts, seeds) {
          const pivot = await there.translate(texts, seeds, decoding, settings.batchSize);
          return back.translate(pivot, seeds.map(backwardSeed), decoding, settings.batchSize);
        },
        [Symbol.dispose]: release,
      };
    } catch (e) {
      release();
      throw e;
    }
  },
};
