/**
 * What `mtl predict CKPT "text" … | --input file.jsonl | --input -` runs: prints one JSON object per
 * text with every task's prediction. --split-into-words: each text comes split into words at spaces
 * and tabs (a data set's seq.in line), which word tasks read as evaluation reads them. --explain: each
 * prediction carries `explanation` (integrated gradients and attention rollout per token and word,
 * docs/explanations.md); --html FILE also writes them as a page of highlighted texts.
 */
import { writeFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { STDIN } from '../data/index.js';
import { ConfigError } from '../errors.js';
import { existingFolder } from '../io/checkpoint-inspect.js';
import { explanationsHtml, type ExplainedRecordJson } from '../explain/html.js';
import { resolveExplainOptions, type ExplainOptions } from '../explain/options.js';
import { Predictor, type PredictInput } from '../predict/predict.js';
import { predictionToJson, readPredictInputs } from '../predict/predict-json.js';

/** `mtl predict`'s flags, parsed (src/cli/commands/predict.ts declares them). */
export interface PredictFlags {
  /** A JSON lines file of inputs; '-' is standard input. */
  input?: string;
  topK?: number;
  splitIntoWords?: boolean;
  explain?: boolean;
  explainSteps?: number;
  explainBaseline?: string;
  explainRule?: string;
  /** TASK=LABEL each. */
  explainLabel?: string[];
  /** With --explain: the page of highlighted texts to write. */
  html?: string;
}

/** Runs `mtl predict` with the model folder `dir` on `texts` or the --input file; returns the exit code. */
export async function runPredict(dir: string, texts: readonly string[], flags: PredictFlags): Promise<number> {
  if (texts.length > 0 && flags.input !== undefined) throw new UsageError('give texts or --input FILE, not both');
  const explain = explainOptionsOf(flags);
  existingFolder(dir); // a mistyped folder is told before a missing text
  const file = flags.input === '-' ? STDIN : flags.input;
  const given: PredictInput[] = file !== undefined ? readPredictInputs(file) : texts.map((text) => ({ text }));
  const inputs = flags.splitIntoWords === true ? given.map((x) => ({ ...x, splitIntoWords: true })) : given;
  if (inputs.length === 0) throw new UsageError('no texts; give them after the checkpoint folder or in --input FILE (JSON lines)');
  using predictor = Predictor.load(dir);
  const records = await predictor.predict(inputs, {
    ...(flags.topK === undefined ? {} : { topK: flags.topK }),
    ...(explain === undefined ? {} : { explain }),
  });
  const json = records.map(predictionToJson);
  for (const record of json) console.log(JSON.stringify(record));
  if (flags.html !== undefined)
    writeFileSync(flags.html, explanationsHtml(json as unknown as ExplainedRecordJson[], `Explanations: ${dir}`));
  return 0;
}

/** The explanation options of the flags, or undefined without --explain. */
function explainOptionsOf(flags: PredictFlags): ExplainOptions | undefined {
  const tuning = (['explainSteps', 'explainBaseline', 'explainRule', 'explainLabel', 'html'] as const).filter(
    (k) => flags[k] !== undefined,
  );
  if (flags.explain !== true) {
    const flag = tuning[0]?.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (flag !== undefined) throw new UsageError(`--${flag} goes with --explain`);
    return undefined;
  }
  const labels: Record<string, string> = {};
  for (const pair of flags.explainLabel ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw new UsageError(`--explain-label takes TASK=LABEL (intent=PlayMusic), got '${pair}'`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  try {
    return resolveExplainOptions({
      ...(flags.explainSteps === undefined ? {} : { steps: flags.explainSteps }),
      ...(flags.explainRule === undefined ? {} : { rule: flags.explainRule }),
      ...(flags.explainBaseline === undefined ? {} : { baseline: flags.explainBaseline }),
      labels,
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`--explain: ${e.message}`);
    throw e;
  }
}
