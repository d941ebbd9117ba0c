/** `mtl serve CKPT`: its arguments, flags and help; the work is ../serve.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { UsageError, checked, nonNegativeInt, positiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import type { ServeFlags } from '../serve.js';

/** --port's value: 0 (any free port) to 65535. */
function port(text: string, flag: string): number {
  const n = nonNegativeInt(text, flag);
  if (n > 65535) throw new UsageError(`${flag} must be at most 65535, got '${text}'`);
  return n;
}

export function defineServe(program: Command, cli: CliContext): void {
  program
    .command('serve')
    .summary('answer predictions over HTTP until Ctrl-C')
    .description(
      'Answer predictions over HTTP until Ctrl-C: POST /predict with {"inputs": ["a text", …]} (or {"text": …, "text_pair": …} ' +
        'objects; "parameters": {"top_k": N}) returns {"predictions": [...]}, one record per input as predict prints them; ' +
        'POST /generate with {"inputs": "a prompt", "parameters": {…}, "stream": true} for a decoder or encoder-decoder ' +
        "(text-generation-inference's request; Server-Sent Events, one per token: docs/serving-generation.md); " +
        'GET /health (liveness), GET /ready. Requests arriving while the model is busy run together; the model runs on a worker thread.',
    )
    .argument('<checkpoint>', 'a checkpoint folder or a Hugging Face task-model folder')
    .addOption(checked('--port <n>', '0: any free port', port).default(8080))
    .option('--host <host>', '0.0.0.0: every interface (then an API key or --no-auth is required)', '127.0.0.1')
    .addOption(checked('--max-batch <n>', 'inputs per model call, over requests run together', positiveInt).default(64))
    .addOption(checked('--max-inputs <n>', 'inputs per request at most', positiveInt).default(256))
    .addOption(
      checked(
        '--max-text-chars <n>',
        'characters per text at most (longer: 413); each text is cut after its first max_length words (all the model reads) before anything else',
        positiveInt,
      ).default(10000),
    )
    .addOption(
      checked(
        '--max-queued-inputs <n>',
        'inputs waiting for the model at most (more: 503 with Retry-After); GET /ready answers 503 then, GET /health 200',
        positiveInt,
      ).default(1024),
    )
    .addOption(checked('--max-request-tokens <n>', 'tokens per request at most (more: 413)', positiveInt).default(32768))
    .addOption(checked('--max-batch-tokens <n>', 'padded tokens per model call at most (inputs × the longest)', positiveInt).default(8192))
    .addOption(checked('--request-timeout-ms <ms>', 'a request not answered within this gets a 503', positiveInt).default(30000))
    .addOption(
      checked(
        '--max-explain-steps <n>',
        'steps of an explanation (parameters.explain) at most; an explained input counts steps + 1 times its tokens against --max-request-tokens',
        positiveInt,
      ).default(32),
    )
    .addOption(checked('--max-new-tokens <n>', 'tokens one POST /generate may ask for at most (more: 400)', positiveInt).default(256))
    .option(
      '--api-key-file <file>',
      "requests need Authorization: Bearer <the file's key> (401 without; or MTL_API_KEY in the environment); required with " +
        'a --host other than loopback, unless --no-auth',
    )
    .option('--no-auth', 'serve anyone who can connect')
    .action(async (checkpoint: string, flags: ServeFlags) => {
      const { runServe } = await import('../serve.js');
      cli.exitCode = await runServe(checkpoint, flags);
    });
}
