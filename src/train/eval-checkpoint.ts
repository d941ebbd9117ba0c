/**
 * Evaluating a saved checkpoint as the run that wrote it did: the resolved config saved beside it
 * (training_config.yaml) names the data, the tokenizer and task specs come from the checkpoint, and
 * features, batches and metrics are made by the same functions as during training, so `mtl eval`
 * repeats the figures recorded in metrics.jsonl and test_metrics.json exactly.
 */
import { CheckpointError } from '../errors.js';
import { parseTrainingConfig } from '../io/config/index.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { BertModel, bertConfigFromHf } from '../models/bert/index.js';
import { MultiTaskModel } from '../mtl/multitask-model.js';
import { Tokenizer } from '../tokenization/index.js';
import { evalBatching, evaluateStreams, type EvalResult } from './evaluate.js';
import { prepareRun } from './prepare.js';
import { loadModelWeights } from './run-checkpoint.js';
import type { Split } from './task-data.js';

export interface CheckpointEvalResult extends EvalResult {
  /** The folder read. */
  readonly checkpoint: string;
  /** The optimizer step the checkpoint was saved at, or null when it has no trainer state. */
  readonly step: number | null;
}

/**
 * Evaluates the checkpoint at `dir` on the `split` data of its training config.
 * @throws CheckpointError when the checkpoint has no training_config.yaml or is inconsistent; DataError for unreadable data.
 */
export async function evaluateCheckpoint(
  dir: string,
  options: { split?: Split; log?: (line: string) => void } = {},
): Promise<CheckpointEvalResult> {
  const split = options.split ?? 'dev';
  const ckpt = loadCheckpoint(dir, { optimizer: false });
  let model: MultiTaskModel | undefined;
  try {
    if (ckpt.trainingConfig === null) {
      throw new CheckpointError(`${ckpt.dir} has no training_config.yaml, so the data to evaluate on are unknown`);
    }
    const config = parseTrainingConfig(ckpt.trainingConfig, { source: `${ckpt.dir}/training_config.yaml`, checkFiles: false });
    const tokenizer = Tokenizer.fromFile(ckpt.tokenizerFile);
    const prepared = await prepareRun(config, {
      splits: [split],
      tokenizer,
      records: ckpt.tasks,
      ...(options.log ? { log: options.log } : {}),
    });
    model = MultiTaskModel.fromSpecs(
      new BertModel(bertConfigFromHf(ckpt.encoderConfig)),
      prepared.runs.map((r) => r.spec),
    );
    loadModelWeights(model, ckpt);
    const result = evaluateStreams(model, prepared.streams, split, evalBatching(config));
    return { checkpoint: ckpt.dir, step: ckpt.trainerState?.step ?? null, ...result };
  } finally {
    model?.dispose();
    ckpt.dispose();
  }
}
