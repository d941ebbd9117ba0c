// examples/custom-task/length-bucket.ts: a task type of your own, in one file (docs/guide-custom-task.md).
/**
 * "length-bucket": is a text at most `boundary` words long ('short') or longer ('long')? Its labels
 * come from the text itself, so any file of texts trains it. Register it with `registerTaskType`
 * (./config.ts does) and a config can name `type: length-bucket`; `mtl train`, `mtl eval` and
 * `Predictor` then train, evaluate and predict it like a built-in type.
 * (tests/tasks/user-task-type.test.ts trains, evaluates and reloads it.)
 */
import { z } from 'zod';
import {
  crossEntropy,
  encodeInputs,
  Linear,
  meanPool,
  noGrad,
  OptionError,
  padInputs,
  softmax,
  TaskHead,
  tensor,
  tidy,
  truncateEncoding,
  type EncoderConfig,
  type EncoderOutputs,
  type Features,
  type Tensor,
  type TaskType,
  type TextExample,
} from '../../src/index.js';

export const KIND = 'length-bucket';

/** Its options, validated by zod: the longest text (in words) that is 'short'. */
const optionsSchema = z.strictObject({ boundary: z.number().int().positive().default(6) });
export type LengthOptions = z.infer<typeof optionsSchema>;

export interface LengthPrediction {
  readonly exampleIndex: number;
  readonly bucket: string;
  readonly probability: number;
}

const wordCount = (text: string): number => text.split(/\s+/).filter((w) => w !== '').length;
export const bucketOf = (text: string, o: LengthOptions): string => (wordCount(text) <= o.boundary ? 'short' : 'long');

/** Mean of the token states → dropout-free linear layer: (B, T, H) → logits (B, C). */
class LengthBucketHead extends TaskHead {
  readonly classifier: Linear;
  constructor(encoder: EncoderConfig, numLabels: number) {
    super();
    this.classifier = this.registerModule('classifier', new Linear(encoder.hiddenSize, numLabels, { initStd: encoder.initializerRange }));
  }
  forward(encoded: EncoderOutputs): Tensor {
    return tidy(() => this.classifier.forward(meanPool(encoded.lastHiddenState, encoded.attentionMask))); // (B, C)
  }
}

export const lengthBucket: TaskType<TextExample, LengthPrediction, LengthOptions> = {
  kind: KIND,
  inputs: ['text'],
  sharesEncoderPass: true,
  formats: ['tsv', 'csv', 'jsonl'],
  readsLabel: false, // the label is the text's own length
  labelSpace: 'classes',
  mainMetric: { name: 'accuracy', greaterIsBetter: true },

  resolveOptions(raw = {}) {
    const parsed = optionsSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const option = issue.path.length > 0 ? String(issue.path[0]) : undefined;
    throw new OptionError(KIND, option, issue.message);
  },
  collectLabels: () => ['short', 'long'],
  createHead: (encoder, spec) => new LengthBucketHead(encoder, spec.labels.length),

  async featurize(examples, tokenizer, spec, options) {
    const encodings = await encodeInputs(examples, tokenizer);
    let truncated = 0;
    const features = encodings.map((full, i): Features => {
      const e = truncateEncoding(full, options.maxLength);
      if (e.truncated) truncated++;
      const label = spec.labels.indexOf(bucketOf(examples[i]!.text, spec.options));
      return { exampleIndex: i, inputIds: e.inputIds, tokenTypeIds: e.tokenTypeIds, truncated: e.truncated, labels: [label] };
    });
    return { features, truncated };
  },
  collate(_task, features, inputs) {
    const padded = inputs ?? padInputs(features);
    return { ...padded, labels: tensor(BigInt64Array.from(features, (f) => BigInt(f.labels![0]!))), features }; // (B) int64
  },
  loss: (_task, logits, batch) => crossEntropy(logits, batch.labels!),
  decode({ spec }, logits, batch) {
    const probs = tidy(() => noGrad(() => softmax(logits, -1).toArray())) as number[][];
    return batch.features.map((f, i) => {
      const row = probs[i]!;
      const best = row[0]! >= row[1]! ? 0 : 1;
      return { exampleIndex: f.exampleIndex, bucket: spec.labels[best]!, probability: row[best]! };
    });
  },
  evaluate(predictions, gold, spec) {
    const correct = predictions.filter((p) => p.bucket === bucketOf(gold[p.exampleIndex]!.text, spec.options)).length;
    return { accuracy: correct / gold.length };
  },
  present: (p) => ({ bucket: p.bucket, probability: p.probability }),
};
