/**
 * Chat checkpoints for tests: a gpt2 from scratch with a WordPiece vocabulary learned from
 * number-counting dialogues (the user says a number word, the assistant the next one, turn after turn).
 * `trainTinyChat` trains a few steps for tests of what reads a checkpoint (export, serve), whose replies
 * are not the point; tests/tasks/chat-run.test.ts trains a larger one long enough to answer.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { taskTypes } from '../../src/tasks/index.js';
import { train, type TrainResult } from '../../src/train/trainer.js';

const NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/**
 * JSON lines of `n` four-turn dialogues, user and assistant counting on in turn. Without `seed` the
 * dialogues start at one, two, three, four, one, …; with it, each starts at a number drawn by a seeded
 * linear congruential generator (one to six).
 */
export function countingDialogues(n: number, seed?: number): string {
  let s = seed ?? 0;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => {
    const start = seed === undefined ? i % 4 : Math.floor(next() * (NUMBERS.length - 4));
    const messages = [0, 1, 2, 3].map((k) => ({ role: k % 2 === 0 ? 'user' : 'assistant', content: NUMBERS[start + k] }));
    return `${JSON.stringify({ messages })}\n`;
  }).join('');
}

/** The gpt2 sizes of the fixture's runs (dropout off, 48 positions). */
const MODELS = {
  /** hidden 16, 1 layer, 2 heads: a checkpoint to read, quick to make. */
  tiny: 'hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32',
  /** hidden 32, 2 layers, 4 heads: learns to count in a few hundred steps. */
  small: 'hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64',
};

/** A tiny chat run: the model, its schedule and its data. */
export interface TinyChatRun {
  /** The task's options, as the inside of a YAML flow mapping (default `max_new_tokens: 4`). */
  readonly options?: string;
  /** Default 'tiny'. */
  readonly model?: keyof typeof MODELS;
  /** Optimizer steps (default 2); the dev split is evaluated at the last, or every `evalEvery`. */
  readonly steps?: number;
  readonly evalEvery?: number;
  /** Default 8. */
  readonly batchSize?: number;
  /** Default 1e-3. */
  readonly learningRate?: number;
  /** Default none. */
  readonly warmupSteps?: number;
  /** Dialogues in train.jsonl and dev.jsonl (default 16 and 4). */
  readonly trainDialogues?: number;
  readonly devDialogues?: number;
  /** Seeds of the train and dev dialogues (`countingDialogues`); absent: the unseeded cycle. */
  readonly dataSeeds?: readonly [number, number];
}

/**
 * Writes the dialogues and trains a chat task 'dlg' (seed 5, output `dir/out`), as `run` says.
 * @returns the training result; metrics.jsonl and the best checkpoint are under `dir/out`.
 */
export async function runTinyChat(dir: string, run: TinyChatRun = {}): Promise<TrainResult> {
  const steps = run.steps ?? 2;
  const evalEvery = run.evalEvery ?? steps;
  const warmup = run.warmupSteps === undefined ? '' : `warmup_steps: ${run.warmupSteps}, `;
  writeFileSync(path.join(dir, 'train.jsonl'), countingDialogues(run.trainDialogues ?? 16, run.dataSeeds?.[0]));
  writeFileSync(path.join(dir, 'dev.jsonl'), countingDialogues(run.devDialogues ?? 4, run.dataSeeds?.[1]));
  const yaml = `seed: 5
output_dir: out
encoder: { model_type: gpt2, ${MODELS[run.model ?? 'tiny']},
           max_position_embeddings: 48, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }
tokenizer: { train: { vocab_size: 64, min_frequency: 1 } }
max_length: 40
tasks:
  - { name: dlg, type: chat, data: { format: messages, train: train.jsonl, dev: dev.jsonl }, options: { ${run.options ?? 'max_new_tokens: 4'} } }
training: { max_steps: ${steps}, batch_size: ${run.batchSize ?? 8}, learning_rate: ${run.learningRate ?? 1e-3},
            ${warmup}eval_every: ${evalEvery}, log_every: ${Math.min(50, steps)} }
`;
  return train(parseTrainingConfig(yaml, { taskTypes, source: path.join(dir, 'config.yaml') }), {});
}

/**
 * Trains as `runTinyChat` (default: the tiny model 2 steps) and returns the best checkpoint's folder.
 * @throws Error when the run does not complete.
 */
export async function trainTinyChat(dir: string, run: TinyChatRun = {}): Promise<string> {
  const result = await runTinyChat(dir, run);
  if (result.status !== 'completed') throw new Error(`the tiny chat run did not complete: ${JSON.stringify(result).slice(0, 400)}`);
  return path.join(dir, 'out', 'best');
}
