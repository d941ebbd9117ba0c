/**
 * Explanations of the Predictor's predictions (`mtl predict --explain`, `mtl serve`'s
 * `parameters.explain`): for one task's prediction on one input, the outputs its type names
 * (`TaskType.explanationTargets`), attributed to the tokens the model read (src/explain), laid out on
 * the text as given. A task whose type names none, or that reads an input in several features
 * (extractive QA's windows), gets `{ "unsupported": why }` instead.
 */
import { ConfigError, DataError } from '../errors.js';
import type { JsonObject } from '../io/checkpoint-state.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';
import { encodeInputs, truncateEncoding, type Features, type Task, type TextInput } from '../tasks/index.js';
import type { Tokenizer } from '../tokenization/index.js';
import { explainRow } from '../explain/explain-row.js';
import type { ExplainOptions } from '../explain/options.js';
import { presentExplanation } from '../explain/present.js';
import { tokenLayout } from '../explain/token-layout.js';
import type { InputKind } from '../data/task-reading.js';
import type { PredictTask } from './model-folder.js';
import type { InputReading, PredictInput } from './reading.js';
import type { ModelInputs } from '../models/backbone.js';
import { padWordChars } from '../tasks/word-chars.js';

/**
 * `inputs` (n, T), copies of `feature`'s row, with its words' characters (n, T, L) when it carries
 * them (a char_cnn head reads them; they stay fixed along the integration path).
 */
function withWordChars(inputs: ModelInputs, feature: Features): ModelInputs & { wordCharIds?: ReturnType<typeof padWordChars> } {
  const [n, T] = inputs.inputIds.shape as [number, number];
  const chars = padWordChars([feature], T); // (1, T, L)
  return chars === undefined ? inputs : { ...inputs, wordCharIds: chars.expand([n, T, chars.shape[2] as number]) };
}

/** What explaining needs of the Predictor. */
export interface ExplainContext {
  readonly model: MultiTaskModel;
  readonly tokenizer: Tokenizer;
  readonly maxLength: number;
}

/** Why `task`'s predictions are not explained, or undefined when they are. */
function unexplained(task: Pick<Task, 'type' | 'spec'>, features: readonly Features[]): string | undefined {
  if (task.type.explanationTargets === undefined)
    return `${task.spec.kind} predictions are not explained (explained: sequence-classification and token-classification)`;
  if (features.length !== 1) return `this input was read in ${features.length} windows; explanations take inputs read in one`;
  return undefined;
}

/**
 * The explanation of `prediction`, task `task`'s answer for `input` (read as `reading`, by tasks of
 * input kind `kind`), made from its one feature.
 * @throws ConfigError for a chosen label the task does not have; DataError when the tokens of the
 *   input encoded again differ from the feature's (a task type whose features are not the tokenizer's).
 */
async function explainPrediction(
  context: ExplainContext,
  task: Task,
  prediction: unknown,
  feature: Features,
  input: PredictInput & { readonly kind: InputKind; readonly reading: InputReading },
  options: ExplainOptions,
): Promise<JsonObject> {
  const { model, tokenizer, maxLength } = context;
  const targets = task.type.explanationTargets!(prediction as never, feature, task.spec, options.labels[task.spec.name]);
  const [full] = await encodeInputs([input.reading.example as TextInput], tokenizer);
  const encoding = truncateEncoding(full!, maxLength);
  if (encoding.inputIds.join() !== feature.inputIds.join())
    throw new DataError(`task '${task.spec.name}': the input encoded again is not the feature the model read; it cannot be explained`);
  const texts = input.textPair === undefined ? [input.text] : [input.text, input.textPair];
  const layout = tokenLayout(encoding, texts, input.kind === 'words' ? input.reading.words : undefined);
  const name = task.spec.name;
  const explanation = explainRow(
    { backbone: model.backbone, logits: (inputs) => model.forward(withWordChars(inputs, feature), [name]).get(name)! },
    { inputIds: feature.inputIds, tokenTypeIds: feature.tokenTypeIds, special: encoding.specialTokensMask.map((m) => m === 1) },
    targets,
    options,
  );
  return presentExplanation(layout, targets, explanation, options);
}

/**
 * The explanations of task `t`'s `predictions` whose input asks for one (`PredictInput.explain`), by
 * example index: each from the example's one feature (`byExample`), `{ unsupported }` where `unexplained`
 * says why not, `{ error }` for a chosen label the task lacks. `batch`: the inputs `items`, the example's
 * row among them (`rows`), and how it was read (`readings`), by example index.
 */
export async function explainPredictions(
  context: ExplainContext,
  t: PredictTask,
  predictions: readonly { exampleIndex: number }[],
  byExample: ReadonlyMap<number, readonly Features[]>,
  batch: { rows: readonly number[]; readings: readonly InputReading[]; items: readonly PredictInput[] },
): Promise<Map<number, JsonObject>> {
  const out = new Map<number, JsonObject>();
  for (const p of predictions) {
    const k = p.exampleIndex;
    const input = batch.items[batch.rows[k]!]!;
    if (input.explain === undefined) continue;
    const features = byExample.get(k) ?? [];
    const why = unexplained(t, features);
    if (why !== undefined) {
      out.set(k, { unsupported: why });
      continue;
    }
    const reading = { ...input, kind: t.input, reading: batch.readings[k]! };
    try {
      out.set(k, await explainPrediction(context, t, p, features[0]!, reading, input.explain));
    } catch (e) {
      // a chosen label the task lacks: this explanation's error, not the call's (a server runs requests together)
      if (!(e instanceof ConfigError)) throw e;
      out.set(k, { error: e.message });
    }
  }
  return out;
}
