/**
 * The model thread of `mtl serve`: a node:worker_threads worker (started by ./worker-predictor.ts)
 * that loads the checkpoint and owns it — its tensors live in this thread's table of the native addon
 * — and answers predict and generate messages one at a time, predictions in the batches the HTTP
 * thread planned, generations token by token (each token posted back as it comes). The HTTP
 * thread's event loop never runs the model, so it answers /health and admits or refuses requests
 * while a batch runs. A generation whose request is cancelled (its client gone, its timeout) stops before
 * its next step (beam search too), so the next request runs at once.
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

/** The reason a cancelled request's generation is aborted with: it ends before its next step. */
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
  const live = new Map<number, AbortController>(); // requests queued or running
  const generate = async (m: GenerateMessage, signal: AbortSignal): Promise<void> => {
    if (generator === undefined) throw new Error(`this model does not generate text: ${cannotGenerate ?? ''}`);
    // the loop lets the event loop run before each step (greedy and beam search alike), so a cancel
    // message aborts the signal between two steps
    const onText = (text: string, token?: number) => reply({ kind: 'token', id: m.id, token: { id: token ?? null, text } });
    const result = await generator.generate(m.prompt, m.options, onText, signal);
    reply({
      kind: 'generated',
      id: m.id,
      result: {
        generatedText: result.text,
        finishReason: result.finishReason,
        generatedTokens: result.tokens.length,
        ...(result.droppedTurns === undefined ? {} : { droppedTurns: result.droppedTurns }),
      },
    });
  };
  let turn = Promise.resolve(); // one request at a time: tokenization awaits, and calls must not interleave
  port.on('message', (message: WorkerRequest) => {
    if (message.kind === 'cancel') {
      live.get(message.id)?.abort(new Cancelled('the request was cancelled'));
      return;
    }
    const controller = new AbortController();
    live.set(message.id, controller);
    turn = turn.then(async () => {
      try {
        if (controller.signal.aborted) return; // its client went away while it waited
        if (message.kind === 'generate') await generate(message, controller.signal);
        else {
          if (predictor === undefined) throw new Error(`this model makes no predictions: ${cannotPredict ?? ''}`);
          reply({ kind: 'done', id: message.id, records: await predictor.predict(message.inputs, message.options) });
        }
      } catch (e) {
        reply({ kind: 'failed', id: message.id, error: errorData(e) });
      } finally {
        live.delete(message.id);
      }
    });
  });
}
