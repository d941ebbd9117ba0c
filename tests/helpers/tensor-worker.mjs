// Worker entry for tests/tensor/worker.test.ts: loads the tensor engine on a worker thread (tsx's
// --import hook does not reach workers, so it registers tsx itself), trains a little, reports back.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const T = await import('../../src/tensor/index.ts');

const baseline = T.liveTensorCount();
const w = T.tensor([0.5, -0.5], { requiresGrad: true });
for (let i = 0; i < workerData.steps; i++) {
  T.tidy(() => {
    const loss = T.mseLoss(
      T.randn([16, 2])
        .matmul(w.reshape([2, 1]))
        .squeeze(1),
      T.zeros([16]),
    );
    loss.backward();
    T.noGrad(() => w.add_(w.grad, -0.01));
    w.zeroGrad();
  });
}
let error = '';
try {
  T.tensor([1, 2, 3]).add(T.tensor([1, 2]));
} catch (e) {
  error = `${e.constructor.name}: ${e.message}`;
}
// Left undisposed on purpose: the worker's table is freed when the worker ends.
T.zeros([1024, 1024]);
parentPort.postMessage({ baseline, live: T.liveTensorCount(), w: w.toFlatArray(), error });
