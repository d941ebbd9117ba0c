/**
 * A corpus of malformed inputs, each with the clear error it must get (issue 17 item 7): configs and
 * data files (`mtl train`), checkpoints (`mtl predict`) and run states (`mtl train --resume`), each a
 * careless or hostile edit of the tiny run, and HTTP requests (`mtl serve`'s server). Every entry
 * must fail with its exit code or status and a message naming the file, line or field and what was
 * expected; none may pass silently, crash with a stack trace or hang.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { createPredictServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/logger.js';
import { needsTinyRunData, tinyRun, tinyYaml, trainTiny, type RunFolder } from '../train/trainer-fixture.js';

/** Runs the CLI in this process; its exit code and what it printed on stderr. */
async function cli(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const log = mock.method(console, 'log', () => undefined);
  const error = mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await main(argv), stderr: err.join('\n') };
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
}

/** An entry of the corpus: what it does to a fresh copy of the tiny run (`dir`), and the command to run there. */
interface Case {
  readonly name: string;
  /** Edits the copy; returns the argv of the command that must fail. */
  readonly make: (dir: string) => string[];
  readonly code: number;
  readonly stderr: RegExp;
}

const write = (dir: string, file: string, text: string | Buffer) => writeFileSync(path.join(dir, file), text);
const edit = (dir: string, file: string, change: (text: string) => string) =>
  writeFileSync(path.join(dir, file), change(readFileSync(path.join(dir, file), 'utf8')));
/** `mtl train` of the run's config with `yaml` in place of its text. */
const trainWith = (dir: string, yaml: string) => {
  write(dir, 'config.yaml', yaml);
  return ['train', path.join(dir, 'config.yaml'), '--output', path.join(dir, 'out')];
};
const train = (dir: string) => ['train', path.join(dir, 'config.yaml'), '--output', path.join(dir, 'out')];
const YAML = tinyYaml('out');

const CONFIGS: Case[] = [
  {
    name: 'YAML that does not parse',
    make: (d) => trainWith(d, YAML.replace('max_length: 24', 'max_length: [24')),
    code: 1,
    stderr: /config\.yaml:\d+/,
  },
  {
    name: 'a YAML alias bomb',
    make: (d) =>
      trainWith(
        d,
        `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`).join('\n')}\n`,
      ),
    code: 1,
    stderr: /alias/i,
  },
  {
    name: 'batch_size: 1e12',
    make: (d) => trainWith(d, YAML.replace('batch_size: 16', 'batch_size: 1e12')),
    code: 1,
    stderr: /training\.batch_size.*expected an integer from 1 to 65,536/,
  },
  {
    name: 'tokenizer vocab_size: 1e12',
    make: (d) => trainWith(d, YAML.replace('vocab_size: 400', 'vocab_size: 1e12')),
    code: 1,
    stderr: /vocab_size.*1,000,000/,
  },
  {
    name: 'a misspelt key',
    make: (d) => trainWith(d, YAML.replace('learning_rate:', 'learnig_rate:')),
    code: 1,
    stderr: /learnig_rate.*learning_rate/,
  },
  {
    name: 'an unknown task type',
    make: (d) => trainWith(d, YAML.replace('type: token-classification', 'type: token-clasification')),
    code: 1,
    stderr: /token-clasification.*token-classification/,
  },
  {
    name: 'a negative max_length',
    make: (d) => trainWith(d, YAML.replace('max_length: 24', 'max_length: -5')),
    code: 1,
    stderr: /max_length/,
  },
  {
    name: 'epochs and max_steps both',
    make: (d) => trainWith(d, YAML.replace('max_steps: 24', 'max_steps: 24\n  epochs: 2')),
    code: 1,
    stderr: /give 'max_steps' or 'epochs', not both/,
  },
  {
    name: 'a list where the config is a mapping',
    make: (d) => trainWith(d, '- a\n- b\n'),
    code: 1,
    stderr: /config\.yaml/,
  },
  {
    name: 'an empty config file',
    make: (d) => trainWith(d, ''),
    code: 1,
    stderr: /config\.yaml/,
  },
  {
    name: 'a data file that does not exist',
    make: (d) => trainWith(d, YAML.replace('sst2/train.tsv', 'sst2/no-such.tsv')),
    code: 1,
    stderr: /no-such\.tsv/,
  },
];

const DATA: Case[] = [
  {
    name: 'a tag that is not BIO (Z-weird)',
    make: (d) => (edit(d, 'snips/train/seq.out', (t) => t.replace(/^O /, 'Z-weird ')), train(d)),
    code: 1,
    stderr: /snips\/train:1: tag 'Z-weird' .*is not a BIO tag; expected 'O', 'B-<type>' or 'I-<type>'/,
  },
  {
    name: 'fewer tags than words on a line',
    make: (d) => (edit(d, 'snips/train/seq.out', (t) => t.replace(/ *\S+ *\n/, '\n')), train(d)),
    code: 1,
    stderr: /seq\.in:1: 8 tokens in seq\.in but 7 tags in .*seq\.out:1; expected one tag per token/,
  },
  {
    name: 'a label file with a line missing',
    make: (d) => (edit(d, 'snips/train/label', (t) => t.replace(/\n[^\n]*\n$/, '\n')), train(d)),
    code: 1,
    stderr: /label/,
  },
  {
    name: 'bytes that are not UTF-8',
    make: (d) => (
      write(d, 'sst2/train.tsv', Buffer.concat([Buffer.from('sentence\tlabel\ncaf'), Buffer.from([0xe9]), Buffer.from(' au lait\t1\n')])),
      train(d)
    ),
    code: 1,
    stderr: /train\.tsv:2: invalid UTF-8 at byte offset 18/,
  },
  {
    name: 'an empty data file',
    make: (d) => (write(d, 'sst2/train.tsv', ''), train(d)),
    code: 1,
    stderr: /train\.tsv: the data file is empty/,
  },
  {
    name: 'a TSV without its label column',
    make: (d) => (write(d, 'sst2/train.tsv', 'sentence\nnice film\n'), train(d)),
    code: 1,
    stderr: /train\.tsv.*label/,
  },
  {
    name: 'a NUL byte inside a word',
    make: (d) => (edit(d, 'snips/train/seq.in', (t) => t.replace(/^(\S+)/, '$1\u0000x')), train(d)),
    code: 1,
    stderr: /seq\.in:1: a control character U\+0000 inside token 1 \(a NUL byte or a corrupt file\?\)/,
  },
];

const data = needsTinyRunData();
let run: RunFolder;
let trained: string;
before(async () => {
  if (data.skip) return;
  run = tinyRun();
  trained = path.join(run.dir, 'trained');
  await trainTiny(run, trained, 4);
});
after(() => run?.remove());

/** A fresh copy of the tiny run's data and config (and its trained output, `trained/`). */
function copyOfRun(name: string): string {
  const dir = path.join(run.dir, 'cases', name.replace(/[^a-z0-9]+/gi, '-'));
  for (const part of ['snips', 'sst2', 'config.yaml', 'trained'])
    cpSync(path.join(run.dir, part), path.join(dir, part), { recursive: true });
  return dir;
}

const predictOn = (d: string) => ['predict', path.join(d, 'trained', 'best'), 'play some jazz'];
/** `--resume` of the copy's trained/ with the config it was trained with (the original run's: data paths must not change). */
const resumeIn = (d: string) => ['train', run.configFile, '--output', path.join(d, 'trained'), '--resume'];
const state = (d: string) => path.join(d, 'trained', 'last', 'trainer_state.json');
const editState = (d: string, change: (s: Record<string, unknown>) => void) => {
  const s = JSON.parse(readFileSync(state(d), 'utf8')) as Record<string, unknown>;
  change(s);
  writeFileSync(state(d), JSON.stringify(s));
};
const ckpt = (d: string, file: string) => path.join(d, 'trained', 'best', file);

const CHECKPOINTS: Case[] = [
  {
    name: 'no model.safetensors',
    make: (d) => (rmSync(ckpt(d, 'model.safetensors')), predictOn(d)),
    code: 1,
    stderr: /model\.safetensors/,
  },
  {
    name: 'model.safetensors cut in half',
    make: (d) => {
      const b = readFileSync(ckpt(d, 'model.safetensors'));
      writeFileSync(ckpt(d, 'model.safetensors'), b.subarray(0, b.length >> 1));
      return predictOn(d);
    },
    code: 1,
    stderr: /model\.safetensors/,
  },
  {
    name: 'a safetensors header length of 2^60',
    make: (d) => {
      const b = readFileSync(ckpt(d, 'model.safetensors'));
      b.writeBigUInt64LE(1n << 60n, 0);
      writeFileSync(ckpt(d, 'model.safetensors'), b);
      return predictOn(d);
    },
    code: 1,
    stderr: /model\.safetensors.*header/,
  },
  {
    name: 'config.json that is not JSON',
    make: (d) => (writeFileSync(ckpt(d, 'config.json'), '{"hidden_size": 32,'), predictOn(d)),
    code: 1,
    stderr: /config\.json/,
  },
  {
    name: 'no tasks.json',
    make: (d) => (rmSync(ckpt(d, 'tasks.json')), predictOn(d)),
    code: 1,
    stderr: /tasks\.json/,
  },
  {
    name: 'tokenizer.json that is not a tokenizer',
    make: (d) => (writeFileSync(ckpt(d, 'tokenizer.json'), '{"version": "1.0"}'), predictOn(d)),
    code: 1,
    stderr: /tokenizer\.json/,
  },
  {
    name: 'NaN weights',
    make: (d) => {
      const file = ckpt(d, 'model.safetensors');
      const b = readFileSync(file);
      const header = Number(b.readBigUInt64LE(0));
      b.writeFloatLE(NaN, 8 + header);
      writeFileSync(file, b);
      return predictOn(d);
    },
    code: 1,
    stderr: /NaN|not finite/i,
  },
  {
    name: 'trainer_state global_step 1e9',
    make: (d) => (editState(d, (s) => (s.global_step = 1e9)), resumeIn(d)),
    code: 1,
    stderr: /trainer_state\.json.*step/,
  },
  {
    name: 'trainer_state rng_state "garbage"',
    make: (d) => (editState(d, (s) => (s.rng_state = 'garbage')), resumeIn(d)),
    code: 1,
    stderr: /trainer_state\.json.*rng_state/,
  },
];

describe('malformed configs, data files, checkpoints and run states: each a clear error, exit 1', data, () => {
  for (const c of [...CONFIGS, ...DATA, ...CHECKPOINTS]) {
    it(c.name, async () => {
      const argv = c.make(copyOfRun(c.name));
      const { code, stderr } = await cli(...argv);
      assert.equal(code, c.code, `exit code; stderr: ${stderr}`);
      assert.match(stderr, c.stderr);
      assert.ok(!/\n\s+at .+:\d+:\d+\)?/.test(stderr), `no stack trace: ${stderr}`);
    });
  }
});

/** A request as raw HTTP/1.1 on a new connection; the status line and body of the answer. */
function raw(port: number, request: string | Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0),
        body: text.slice(text.indexOf('\r\n\r\n') + 4),
      });
    });
    socket.end(request);
  });
}
const post = (body: string | Buffer, extra = '') =>
  Buffer.concat([
    Buffer.from(`POST /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`),
    Buffer.from(body),
  ]);

const REQUESTS: {
  name: string;
  request: string | Buffer;
  status: number;
  error: RegExp;
}[] = [
  {
    name: 'a body that is not JSON',
    request: post('{"inputs": ['),
    status: 400,
    error: /the body is not JSON/,
  },
  {
    name: 'a body that is not UTF-8',
    request: post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])),
    status: 400,
    error: /not UTF-8/,
  },
  {
    name: 'no "inputs"',
    request: post('{"text": "a"}'),
    status: 400,
    error: /the body has no "inputs"/,
  },
  {
    name: 'an input nested 10,000 arrays deep',
    request: post(`{"inputs": [${'['.repeat(10_000)}${']'.repeat(10_000)}]}`),
    status: 400,
    error: /inputs\[0\]: expected a string or an object with "text", got an array/,
  },
  {
    name: 'a number for text_pair',
    request: post('{"inputs": [{"text": "a", "text_pair": 3}]}'),
    status: 400,
    error: /inputs\[0\]: "text_pair" must be a string, got 3/,
  },
  {
    name: 'more inputs than allowed',
    request: post(JSON.stringify({ inputs: Array.from({ length: 9 }, () => 'a') })),
    status: 413,
    error: /9 inputs in one request; at most 8/,
  },
  {
    name: 'a text over the character limit',
    request: post(JSON.stringify({ inputs: ['a'.repeat(101)] })),
    status: 413,
    error: /inputs\[0\]: a text of 101 characters; at most 100/,
  },
  {
    name: 'a body over the byte limit',
    request: post(JSON.stringify({ inputs: ['a'.repeat(40_000)] })),
    status: 413,
    error: /request body over 32768 bytes/,
  },
  {
    name: 'inputs over the token budget',
    request: post(
      JSON.stringify({
        inputs: Array.from({ length: 8 }, () => 'a b c d e f g h i j'),
      }),
    ),
    status: 413,
    error: /8 inputs of up to 80 tokens in all; at most 50 per request/,
  },
  {
    name: 'GET /predict',
    request: 'GET /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    status: 405,
    error: /\/predict takes POST, not GET/,
  },
  {
    name: 'an unknown path',
    request: 'GET /admin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    status: 404,
    error: /no such path '\/admin'/,
  },
];

describe('malformed requests: each a 4xx naming what was expected, the server still up', () => {
  it('every request of the corpus', async () => {
    const stub = {
      taskNames: ['len'],
      maxLength: 10,
      predict: async (inputs: readonly { text: string }[]) =>
        inputs.map(({ text }) => ({
          text,
          predictions: { len: { label: String(text.length), score: 1 } },
        })),
    };
    const server = createPredictServer(stub, {
      maxInputs: 8,
      maxBodyBytes: 32_768,
      maxTextChars: 100,
      maxRequestTokens: 50,
      logger: silentLogger,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      for (const r of REQUESTS) {
        const { status, body } = await raw(port, r.request);
        assert.equal(status, r.status, `${r.name}: ${body}`);
        assert.match((JSON.parse(body) as { error: string }).error, r.error, r.name);
      }
      const ok = await raw(port, post('{"inputs": ["still up"]}'));
      assert.equal(ok.status, 200, 'the server answers after the corpus');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
