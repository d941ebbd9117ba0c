/**
 * `mtl serve CKPT [--port 8080] [--host 127.0.0.1]`: answers predictions of a checkpoint over HTTP
 * (src/serve/server.ts) until SIGINT or SIGTERM, then finishes the requests under way and exits 0.
 * The model runs on a worker thread (src/serve/worker-predictor.ts), the HTTP server on the main one.
 * Bound to an address other than loopback it needs an API key (`--api-key-file FILE` or the
 * environment's MTL_API_KEY) unless `--no-auth` says to serve anyone.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { createPredictServer } from '../serve/server.js';
import { isLoopback, readApiKeyFile } from '../serve/auth.js';
import { WorkerPredictor } from '../serve/worker-predictor.js';
import { UsageError, nonNegativeInt, onePositional, positiveInt } from './args.js';

export async function serveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-batch': { type: 'string', default: '64' },
      'max-inputs': { type: 'string', default: '256' },
      'max-text-chars': { type: 'string', default: '10000' },
      'max-queued-inputs': { type: 'string', default: '1024' },
      'max-request-tokens': { type: 'string', default: '32768' },
      'max-batch-tokens': { type: 'string', default: '8192' },
      'request-timeout-ms': { type: 'string', default: '30000' },
      'api-key-file': { type: 'string' },
      'no-auth': { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const dir = onePositional(positionals, 'checkpoint folder', 'serve');
  const port = nonNegativeInt(values.port, '--port');
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got '${values.port}'`);
  const options = {
    maxBatch: positiveInt(values['max-batch'], '--max-batch'),
    maxInputs: positiveInt(values['max-inputs'], '--max-inputs'),
    maxTextChars: positiveInt(values['max-text-chars'], '--max-text-chars'),
    maxQueuedInputs: positiveInt(values['max-queued-inputs'], '--max-queued-inputs'),
    maxRequestTokens: positiveInt(values['max-request-tokens'], '--max-request-tokens'),
    maxBatchTokens: positiveInt(values['max-batch-tokens'], '--max-batch-tokens'),
    requestTimeoutMs: positiveInt(values['request-timeout-ms'], '--request-timeout-ms'),
    ...apiKeyOption(values['api-key-file'], values['no-auth'], values.host),
  };
  const predictor = await WorkerPredictor.start(dir);
  try {
    await serveUntilSignal(
      dir,
      values.host,
      port,
      createPredictServer(predictor, options),
      predictor.taskNames,
      options.apiKey !== undefined,
    );
  } finally {
    await predictor.close();
  }
  return 0;
}

/** Listens on `host:port`, says where, and returns once a SIGINT or SIGTERM has closed the server. */
async function serveUntilSignal(
  dir: string,
  host: string,
  port: number,
  server: Server,
  taskNames: string[],
  withKey: boolean,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL'
          ? new ConfigError(`cannot listen on ${host}:${port} (${e.code}); choose another --port or --host`)
          : e,
      ),
    );
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  console.log(
    `mtl serve: ${dir} (tasks: ${taskNames.join(', ')}) on http://${host}:${bound} — ` +
      `POST /predict {"inputs": [texts]}, GET /health, GET /ready${withKey ? ' (Authorization: Bearer <key>)' : ''}; Ctrl-C stops`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop); // a second Ctrl-C kills at once
      console.error('mtl serve: stopping once the requests under way are answered (Ctrl-C again: stop now)');
      server.close(() => resolve()); // requests under way finish first; idle connections close after a second's grace
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * The API key of the server: the file's, else MTL_API_KEY's; none on loopback or with `--no-auth`.
 * @throws UsageError for a host other than loopback without a key or `--no-auth`, or a key with `--no-auth`.
 */
function apiKeyOption(file: string | undefined, noAuth: boolean, host: string): { apiKey?: string } {
  const key = file !== undefined ? readApiKeyFile(file) : process.env.MTL_API_KEY || undefined;
  if (key !== undefined && noAuth)
    throw new UsageError('--no-auth and an API key (--api-key-file or MTL_API_KEY) contradict each other; give one');
  if (key === undefined && !noAuth && !isLoopback(host))
    throw new UsageError(
      `--host ${host} lets other machines ask the model: give an API key (--api-key-file FILE, or MTL_API_KEY in the environment) ` +
        'that clients send as Authorization: Bearer <key>, or --no-auth to serve anyone who can connect',
    );
  return key === undefined ? {} : { apiKey: key };
}
