/** `mtl serve` over a model folder for tests of POST /generate: the server on its worker thread, and its streamed answers read back. */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../src/logger.js';
import { createPredictServer, type ServeOptions } from '../../src/serve/server.js';
import { WorkerPredictor } from '../../src/serve/worker-predictor.js';

/** A server whose model worker loads `folder`, listening on a free port: a POST to its /generate, and closing it. */
export async function serving(folder: string, options: Partial<ServeOptions> = {}) {
  const worker = await WorkerPredictor.start(folder);
  const server = createPredictServer(worker, { logger: silentLogger, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    post: (body: unknown) =>
      fetch(`${base}/generate`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.close();
    },
  };
}

/** A streamed answer's events: the last one (token null, the whole text), each token event's text, and those joined. */
export async function streamedText(
  res: Response,
): Promise<{ last: { token: unknown; generated_text: string | null }; texts: string[]; joined: string }> {
  assert.equal(res.status, 200);
  const events = (await res.text())
    .split('\n\n')
    .filter((b) => b !== '')
    .map((b) => JSON.parse(b.slice('data: '.length)) as { token: { text: string } | null; generated_text: string | null });
  const texts = events.slice(0, -1).map((e) => e.token!.text);
  return { last: events.at(-1)!, texts, joined: texts.join('') };
}
