/**
 * What `mtl serve CKPT [--port 8080] [--host 127.0.0.1]` runs: answers predictions of a checkpoint over HTTP
 * (src/serve/server.ts), and generations of a decoder or encoder-decoder (`--max-new-tokens` caps a
 * request's), until SIGINT or SIGTERM, then finishes the requests under way and exits 0.
 * The model runs on a worker thread (src/serve/worker-predictor.ts), the HTTP server on the main one.
 * Bound to an address other than loopback it needs an API key (`--api-key-file FILE` or the
 * environment's MTL_API_KEY) unless `--no-auth` says to serve anyone.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import { createPredictServer } from '../serve/server.js';
import { isLoopback, readApiKeyFile } from '../serve/auth.js';
import { WorkerPredictor } from '../serve/worker-predictor.js';
import { UsageError } from './args.js';

/** `mtl serve`'s flags, parsed (src/cli/commands/serve.ts declares them). */
export interface ServeFlags {
  port: number;
  host: string;
  maxBatch: number;
  maxInputs: number;
  maxTextChars: number;
  maxQueuedInputs: number;
  maxRequestTokens: number;
  maxBatchTokens: number;
  requestTimeoutMs: number;
  maxExplainSteps: number;
  maxNewTokens: number;
  apiKeyFile?: string;
  /** false with --no-auth. */
  auth: boolean;
}

/** Runs `mtl serve` with the model folder `dir` until SIGINT or SIGTERM; returns the exit code. */
export async function runServe(dir: string, flags: ServeFlags): Promise<number> {
  const { port, host } = flags;
  const options = {
    maxBatch: flags.maxBatch,
    maxInputs: flags.maxInputs,
    maxTextChars: flags.maxTextChars,
    maxQueuedInputs: flags.maxQueuedInputs,
    maxRequestTokens: flags.maxRequestTokens,
    maxBatchTokens: flags.maxBatchTokens,
    requestTimeoutMs: flags.requestTimeoutMs,
    maxExplainSteps: flags.maxExplainSteps,
    maxNewTokens: flags.maxNewTokens,
    ...apiKeyOption(flags.apiKeyFile, !flags.auth, host),
  };
  const predictor = await WorkerPredictor.start(dir);
  try {
    const server = createPredictServer(predictor, options);
    const routes = { withKey: options.apiKey !== undefined, generates: predictor.cannotGenerate === undefined };
    await serveUntilSignal(dir, host, port, server, predictor.taskNames, routes);
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
  { withKey, generates }: { withKey: boolean; generates: boolean },
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
      `POST /predict {"inputs": [texts]}, ${generates ? 'POST /generate {"inputs": "prompt", "stream": true}, ' : ''}GET /health, GET /ready${withKey ? ' (Authorization: Bearer <key>)' : ''}; Ctrl-C stops`,
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
