/**
 * The model thread of `mtl serve`: a node:worker_threads worker (started by ./worker-predictor.ts)
 * that loads the checkpoint and owns it — its tensors live in this thread's table of the native addon
 * — and answers predict messages one at a time, each in the batches the HTTP thread planned. The HTTP
 * thread's event loop never runs the model, so it answers /health and admits or refuses requests
 * while a batch runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Predictor } from '../predict/predict.js';
import { errorData, type ModelWorkerData, type PredictMessage, type WorkerReply } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('src/serve/model-worker.ts runs as a worker thread (see worker-predictor.ts)');
const reply = (message: WorkerReply) => port.postMessage(message);
const data = workerData as ModelWorkerData;

let predictor: Predictor | undefined;
try {
  predictor = Predictor.load(data.dir);
  reply({ kind: 'ready', taskNames: predictor.taskNames, maxLength: predictor.maxLength });
} catch (e) {
  reply({ kind: 'load-failed', error: errorData(e) });
}
if (predictor !== undefined) {
  const model = predictor;
  let turn = Promise.resolve(); // one prediction at a time: tokenization awaits, and calls must not interleave
  port.on('message', (message: PredictMessage) => {
    turn = turn.then(() =>
      model.predict(message.inputs, message.options).then(
        (records) => reply({ kind: 'done', id: message.id, records }),
        (e: unknown) => reply({ kind: 'failed', id: message.id, error: errorData(e) }),
      ),
    );
  });
}
