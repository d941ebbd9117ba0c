/**
 * The translation models of back-translation (`data.augment: { method: back-translation }`;
 * src/data/augment/back-translation.ts decides which texts, seeds and copies): seq2seq tasks of
 * encoder-decoder checkpoints trained with multitask-lm (t5, bart, marian; docs/generation.md). A text
 * goes through the forward task (its prefix put before it, as the task was trained) into the pivot
 * language, and the pivot text through the backward task (of the same checkpoint or a second one) back.
 * Decoding is src/generate's, through the seq2seq task type's own featurize / collate and
 * `generateTargets`, as evaluation and `mtl predict` decode: sampling (Edunov et al., EMNLP 2018: sampled
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
import { collatingTask, taskType, type TaskSpec } from '../tasks/index.js';
import type { EncoderDecoderBackbone } from '../models/encoder-decoder.js';
import { encoderDecoderOf, generateTargets, TextToTextHead } from '../tasks/text-to-text.js';
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
   * The model's seq2seq task `task`.
   * @throws ConfigError when the checkpoint has no such task or it is not a seq2seq (text-to-text) task.
   */
  translator(task: string): Translator {
    const spec = this.specs.find((s) => s.name === task);
    const seq2seq = this.specs.filter((s) => taskType(s.kind).generate !== undefined).map((s) => `'${s.name}'`);
    if (spec === undefined || taskType(spec.kind).generate === undefined)
      throw new ConfigError(
        `data.augment: back-translation needs a seq2seq task '${task}' in ${this.dir}, which has ${spec === undefined ? 'no such task' : `it as a ${spec.kind} task`}; its seq2seq tasks: ${seq2seq.join(', ') || 'none'}`,
      );
    const head = this.model.heads.get(task);
    if (!(head instanceof TextToTextHead))
      throw new ConfigError(`data.augment: the task '${task}' of ${this.dir} has no text-to-text head, so it does not translate`);
    return new Translator(this, spec, head, encoderDecoderOf(this.model.backbone, task));
  }

  dispose(): void {
    this.model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A seq2seq task of a loaded checkpoint, translating texts. */
class Translator {
  constructor(
    private readonly loaded: TranslationModel,
    private readonly spec: TaskSpec,
    private readonly head: TextToTextHead,
    private readonly backbone: EncoderDecoderBackbone,
  ) {}

  /**
   * Each text's translation by the task (its prefix before the text, sources cut to the run's max_length),
   * `batchSize` texts at a time.
   * @param options decoding options; `seeds` has one seed per text (sampling).
   */
  async translate(texts: readonly string[], seeds: readonly number[], options: GenerateOptions, batchSize: number): Promise<string[]> {
    const type = taskType(this.spec.kind);
    const task = collatingTask(this.spec);
    const { tokenizer, maxLength } = this.loaded;
    const out: string[] = [];
    for (let b = 0; b < texts.length; b += batchSize) {
      const examples = texts
        .slice(b, b + batchSize)
        .map((text, i) => ({ id: String(b + i), text, source: { file: 'back-translation', line: b + i + 1 } }));
      const { features } = await type.featurize(examples, tokenizer, this.spec, { maxLength, training: false });
      const batch = type.collate(task, features);
      try {
        const made = await generateTargets(this.backbone, this.head, tokenizer, batch, {
          ...options,
          seeds: seeds.slice(b, b + batchSize),
        });
        out.push(...made.map((m) => m.text));
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
