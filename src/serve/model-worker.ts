/**
 * The model thread of `mtl serve`: a node:worker_threads worker (started by ./worker-predictor.ts)
 * that loads the checkpoint and owns it — its tensors live in this thread's table of the native addon
 * — and answers predict and generate messages one at a time, predictions in the batches the HTTP
 * thread planned, generations token by token (each token posted back as it comes). The HTTP
 * thread's event loop never runs the model, so it answers /health and admits or refuses requests
 * while a batch runs. A generation whose request is cancelled (its client gone, its timeout) stops at
 * its next token, so the next request runs at once.
 *
 * A checkpoint can predict (a Predictor: some task presents predictions), generate (a TextGenerator:
 * a decoder or encoder-decoder backbone), or both; both load their own copy of the weights.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Predictor } from '../predict/predict.js';
import { TextGenerator } from '../predict/generate.js';
import { familyOfHfConfig } from '../models/registry.js';
import { readConfigJson } from '../run/load-model.js';
import { errorData, type GenerateMessage, type ModelWorkerData, type WorkerReply, type WorkerRequest } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('src/serve/model-worker.ts runs as a worker thread (see worker-predictor.ts)');
const reply = (message: WorkerReply) => port.postMessage(message);
const data = workerData as ModelWorkerData;
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

let predictor: Predictor | undefined;
let generator: TextGenerator | undefined;
let loadError: unknown;
let cannotPredict: string | undefined;
let cannotGenerate: string | undefined;
try {
  predictor = Predictor.load(data.dir);
} catch (e) {
  loadError = e;
  cannotPredict = messageOf(e);
}
try {
  const family = familyOfHfConfig(readConfigJson(data.dir));
  if (family.kind === 'encoder')
    cannotGenerate = `its model (${family.modelType}) is an encoder, which does not generate text; a decoder (gpt2, llama) or an encoder-decoder (t5, bart) does`;
  else generator = TextGenerator.load(data.dir);
} catch (e) {
  cannotGenerate = messageOf(e);
  loadError ??= e;
}

/** Thrown from a generation's token hook once its request is cancelled: the generation ends there. */
class Cancelled extends Error {}

if (predictor === undefined && generator === undefined) reply({ kind: 'load-failed', error: errorData(loadError) });
else {
  const maxLength = predictor?.maxLength ?? (generator as TextGenerator).backbone.config.maxPositionEmbeddings;
  reply({
    kind: 'ready',
    taskNames: predictor?.taskNames ?? [],
    maxLength,
    ...(predictor === undefined ? { cannotPredict } : {}),
    ...(generator === undefined ? { cannotGenerate } : {}),
  });
  const live = new Set<number>(); // requests queued or running
  const cancelled = new Set<number>();
  const generate = async (m: GenerateMessage): Promise<void> => {
    if (generator === undefined) throw new Error(`this model does not generate text: ${cannotGenerate ?? ''}`);
    const result = await generator.generate(m.prompt, m.options, async (text, token) => {
      if (cancelled.has(m.id)) throw new Cancelled('the request was cancelled');
      reply({ kind: 'token', id: m.id, token: { id: token ?? null, text } });
      // let a cancel message in before the next step (the step itself runs synchronously)
      await new Promise((resolve) => setImmediate(resolve));
      if (cancelled.has(m.id)) throw new Cancelled('the request was cancelled');
    });
    reply({
      kind: 'generated',
      id: m.id,
      result: { generatedText: result.text, finishReason: result.finishReason, generatedTokens: result.tokens.length },
    });
  };
  let turn = Promise.resolve(); // one request at a time: tokenization awaits, and calls must not interleave
  port.on('message', (message: WorkerRequest) => {
    if (message.kind === 'cancel') {
      if (live.has(message.id)) cancelled.add(message.id);
      return;
    }
    live.add(message.id);
    turn = turn.then(async () => {
      try {
        if (cancelled.has(message.id)) return; // its client went away while it waited
        if (message.kind === 'generate') await generate(message);
        else {
          if (predictor === undefined) throw new Error(`this model makes no predictions: ${cannotPredict ?? ''}`);
          reply({ kind: 'done', id: message.id, records: await predictor.predict(message.inputs, message.options) });
        }
      } catch (e) {
        reply({ kind: 'failed', id: message.id, error: errorData(e) });
      } finally {
        live.delete(message.id);
        cancelled.delete(message.id);
      }
    });
  });
}
