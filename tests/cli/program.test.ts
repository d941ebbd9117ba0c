/**
 * The `mtl` command line as commander parses it (src/cli/main.ts, src/cli/commands/): help, version,
 * suggestions and exit codes, and the flag values each command's work is given. No data, no model:
 * actions are replaced to capture what they would be called with.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createProgram } from '../../src/cli/main.js';
import { runCli as cli } from '../helpers/cli.js';
import { generateOptionsOf, type GenerateFlags } from '../../src/cli/generate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The positional arguments and flags `mtl <argv>` gives its command's action (which is not run). */
async function parsed(...argv: string[]): Promise<unknown[]> {
  const program = createProgram({ args: argv.slice(1), write: () => {}, exitCode: 0 });
  let got: unknown[] = [];
  program.commands.find((c) => c.name() === argv[0])!.action((...a: unknown[]) => void (got = a.slice(0, -1)));
  await program.parseAsync(argv, { from: 'user' });
  return got;
}

describe('mtl: help, version, suggestions, exit codes', () => {
  it("--version, -v and version print package.json's version", async () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v', 'version']) {
      const r = await cli(flag);
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trim(), manifest.version);
    }
  });

  it('help lists every command; help COMMAND and COMMAND --help print the same, only that command', async () => {
    const all = await cli('--help');
    assert.equal(all.code, 0);
    for (const c of [
      'train',
      'compare',
      'sweep',
      'eval',
      'report',
      'predict',
      'generate',
      'serve',
      'export',
      'finetune',
      'transfer',
      'demo',
    ])
      assert.match(all.stdout, new RegExp(`\\n  ${c} +\\S`), c);
    const help = await cli('help', 'generate');
    assert.equal(help.code, 0);
    assert.equal((await cli('generate', 'model', '--help')).stdout, help.stdout);
    assert.match(help.stdout, /^Usage: mtl generate \[options\] <model> \[prompts\.\.\.\]/);
    assert.match(
      help.stdout.replace(/\s+/g, ' '),
      /--max-new-tokens <n> tokens to generate at most \(default: the seq2seq task's max_new_tokens, or generation_config\.json's max_new_tokens/,
    );
    assert.doesNotMatch(help.stdout, /--port/);
    // it generates with seq2seq checkpoints and encoder-decoder folders too, not only decoders
    const flat = help.stdout.replace(/\s+/g, ' ');
    assert.match(flat, /a checkpoint with seq2seq tasks \(an encoder-decoder such as t5 or bart, or a decoder\)/);
    assert.match(flat, /Arguments: model a checkpoint folder, or a Hugging Face folder of a decoder or encoder-decoder family/);
    assert.match((await cli('--help')).stdout, /\n {2}generate +generate from each prompt \(decoder or seq2seq\)/);
  });

  it('mtl alone prints the help on stderr and exits 2', async () => {
    const r = await cli();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Usage: mtl \[options\] \[command\]/);
  });

  it('a mistyped command or flag: the nearest one, and exit 2', async () => {
    const command = await cli('genrate', 'x');
    assert.equal(command.code, 2);
    assert.match(command.stderr, /^error: unknown command 'genrate'\n\(Did you mean generate\?\)/);
    const flag = await cli('generate', 'model', 'hi', '--max-new-token', '3');
    assert.equal(flag.code, 2);
    assert.match(
      flag.stderr,
      /^error: unknown option '--max-new-token'\n\(Did you mean --max-new-tokens\?\)\n\(mtl generate --help lists its options\)$/,
    );
  });

  it('missing and extra arguments, bad flag values: exit 2 naming what is wrong', async () => {
    const missing = await cli('export', 'ckpt');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing required argument 'out'/);
    const extra = await cli('serve', 'a', 'b');
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /too many arguments for 'serve'\. Expected 1 argument but got 2\./);
    for (const [argv, message] of [
      [['serve', 'ckpt', '--port', '65536'], /^mtl serve: --port must be at most 65535, got '65536'$/],
      [['eval', 'ckpt', '--split', 'train'], /^mtl eval: --split must be dev or test, got 'train'$/],
      [
        ['export', 'a', 'b', '--format', 'tflite'],
        /^mtl export: --format must be hf \(a Hugging Face Transformers folder\) or onnx \(ONNX models\), got 'tflite'$/,
      ],
      [['generate', 'm', '--early-stopping', 'maybe'], /^mtl generate: --early-stopping must be true, false or never, got 'maybe'$/],
      [['train', 'c.yaml', '--max-steps=1.5'], /^mtl train: --max-steps must be a positive integer, got '1.5'$/],
      [['transfer', 'p.yaml', 'f.yaml', '--finetune-lr', 'fast'], /^mtl transfer: --finetune-lr must be a positive number, got 'fast'$/],
    ] as const) {
      const r = await cli(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, message);
    }
  });
});

describe("mtl: errors found by a command's work", () => {
  it('name the command once, then what is wrong (no doubled "mtl predict: mtl predict:")', async () => {
    for (const [argv, message, code] of [
      [['predict', 'no-such-folder'], /^mtl predict: no checkpoint at no-such-folder: the folder does not exist$/, 1],
      [['predict', ROOT], /^mtl predict: no texts; give them after the checkpoint folder or in --input FILE/, 2],
      [['predict', 'no-such-folder', 'hi', '--input', 'x.jsonl'], /^mtl predict: give texts or --input FILE, not both$/, 2],
      [['generate', 'no-such-folder'], /^mtl generate: no model folder at no-such-folder: the folder does not exist$/, 1],
      [['generate', ROOT], /^mtl generate: no prompt; give them after the model folder/, 2],
      [['eval', 'no-such-folder', '--overwrite'], /^mtl eval: --overwrite goes with --report FILE/, 2],
      [['transfer', 'p.yaml', 'f.yaml', '--pooling', 'max'], /^mtl transfer: --pooling must be one of/, 2],
    ] as const) {
      const r = await cli(...argv);
      assert.equal(r.code, code, argv.join(' '));
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /mtl \w+: mtl \w+:/, argv.join(' '));
    }
  });
});

describe("mtl: the values each command's work is given", () => {
  it('train: typed flags and defaults', async () => {
    assert.deepEqual(await parsed('train', 'c.yaml'), ['c.yaml', { distTimeout: 1800 }]);
    assert.deepEqual(await parsed('train', 'c.ts', '--resume', '--max-steps', '7', '--output=out', '--nproc-per-node', '2'), [
      'c.ts',
      { distTimeout: 1800, resume: true, maxSteps: 7, output: 'out', nprocPerNode: 2 },
    ]);
  });

  it('serve: numeric defaults; --no-auth turns auth off', async () => {
    const [dir, flags] = await parsed('serve', 'ckpt', '--no-auth', '--max-batch', '8');
    assert.equal(dir, 'ckpt');
    assert.deepEqual(flags, {
      port: 8080,
      host: '127.0.0.1',
      maxBatch: 8,
      maxInputs: 256,
      maxTextChars: 10000,
      maxQueuedInputs: 1024,
      maxRequestTokens: 32768,
      maxBatchTokens: 8192,
      requestTimeoutMs: 30000,
      maxExplainSteps: 32,
      maxNewTokens: 256,
      auth: false,
    });
  });

  it('generate: repeatable --stop, --no-cache, --no-repeat-ngram-size as a number (not a negation), no default max_new_tokens', async () => {
    const [model, prompts, flags] = await parsed(
      'generate',
      'gpt2',
      'a prompt',
      '--stop',
      '.',
      '--stop',
      '\n',
      '--no-cache',
      '--no-repeat-ngram-size',
      '2',
      '--early-stopping',
      'never',
    );
    assert.equal(model, 'gpt2');
    assert.deepEqual(prompts, ['a prompt']);
    const options = generateOptionsOf(flags as GenerateFlags);
    // max_new_tokens and do_sample not given: left to generation_config.json, then the defaults
    assert.deepEqual(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)), {
      noRepeatNgramSize: 2,
      earlyStopping: 'never',
      stopStrings: ['.', '\n'],
      useCache: false,
    });
    for (const [flag, doSample] of [
      ['--do-sample', true],
      ['--no-do-sample', false],
    ] as const)
      assert.equal(generateOptionsOf((await parsed('generate', 'gpt2', 'a', flag))[2] as GenerateFlags).doSample, doSample, flag);
  });

  it('predict: texts after the folder, --input - kept as the standard-input marker', async () => {
    assert.deepEqual(await parsed('predict', 'ckpt', 'one', 'two', '--top-k', '3'), ['ckpt', ['one', 'two'], { topK: 3 }]);
    assert.deepEqual(await parsed('predict', 'ckpt', '--input', '-'), ['ckpt', [], { input: '-' }]);
  });
});
