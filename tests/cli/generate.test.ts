/**
 * `mtl generate` on a tiny Hugging Face GPT-2 folder (the decoders.py fixture weights, a byte-level
 * BPE vocabulary of its 99 ids): the streamed text is the tokenizer's text of what `generate` gives for
 * the prompt's ids; stop strings cut it; sampling is reproducible; an encoder folder and bad flags are
 * one-line errors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { generate } from '../../src/generate/index.js';
import { causalLmDecoder } from '../../src/models/causal-lm.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { loadSafetensors } from '../../src/io/safetensors.js';
import { dispose, linear } from '../../src/tensor/index.js';
import { referenceDecoder } from '../models/decoder-fixture.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { writeHfFolder } from '../helpers/hf-folder.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

checkNoLeaks();
let root = '';
let gpt2 = '';
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'mtl-generate-'));
  gpt2 = writeHfFolder(path.join(root, 'gpt2'), 'gpt2', 'tokenizer.json');
});
after(() => rmSync(root, { recursive: true, force: true }));

/** What `mtl generate` writes for `args`. */
async function run(args: string[]): Promise<{ code: number; text: string; pieces: string[] }> {
  const pieces: string[] = [];
  const code = await main(['generate', ...args], { write: (t) => void pieces.push(t) });
  return { code, text: pieces.join(''), pieces };
}

describe('mtl generate', () => {
  it('streams the text of the tokens generate gives for the prompt, one line per prompt', async () => {
    const prompts = ['play some jazz', 'what is the weather'];
    const { code, text, pieces } = await run([gpt2, ...prompts, '--max-new-tokens', '8']);
    assert.equal(code, 0);
    using generator = TextGenerator.load(gpt2);
    const expected: string[] = [];
    for (const p of prompts) {
      const { ids, eos } = await generator.encodePrompt(p);
      assert.equal(eos, 98, "the config's eos_token_id");
      const [g] = await generate(causalLmDecoder(generator.backbone), [ids], { maxNewTokens: 8, eosTokenId: eos });
      expected.push(await generator.tokenizer.decode(g!.tokens));
    }
    assert.equal(text, expected.map((t) => `${t}\n`).join(''));
    assert.ok(pieces.length > 2, 'streamed in pieces');
  });

  it('cuts at a stop string; seeded sampling repeats; beam search and --input work', async () => {
    const plain = (await run([gpt2, 'play some jazz', '--max-new-tokens', '8'])).text.trimEnd();
    assert.ok(plain.length > 2, plain);
    const stop = plain.slice(2, 4);
    const cut = (await run([gpt2, 'play some jazz', '--max-new-tokens', '8', '--stop', stop])).text;
    assert.equal(cut, `${plain.slice(0, plain.indexOf(stop))}\n`);
    const sample = ['play some jazz', '--max-new-tokens', '8', '--do-sample', '--temperature', '1.5', '--seed', '5'];
    assert.equal((await run([gpt2, ...sample])).text, (await run([gpt2, ...sample])).text);
    assert.equal((await run([gpt2, 'play some jazz', '--num-beams', '3', '--max-new-tokens', '6'])).code, 0);
    const file = path.join(root, 'prompts.jsonl');
    writeFileSync(file, '"play some jazz"\n{"text": "what is the weather"}\n');
    const fromFile = await run([gpt2, '--input', file, '--max-new-tokens', '3']);
    assert.equal(fromFile.text.split('\n').length, 3);
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'mtl.js'), 'generate', gpt2, '--input', '-', '--max-new-tokens', '3'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.stdin.end(readFileSync(file));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stdout, fromFile.text, '--input - reads the prompts from standard input');
  });

  it('reads an untied lm_head from a Llama folder: the text of the tokens the reference decoder gives', async () => {
    const llama = writeHfFolder(path.join(root, 'llama'), 'llama', 'tokenizer.json');
    const { text } = await run([llama, 'play some jazz', '--max-new-tokens', '6']);
    const { model } = referenceDecoder('llama');
    const { tensors } = loadSafetensors(path.join(llama, 'model.safetensors'));
    try {
      using generator = TextGenerator.load(llama);
      const { ids, eos } = await generator.encodePrompt('play some jazz');
      const weight = tensors.get('lm_head.weight')!;
      const [g] = await generate(
        causalLmDecoder(model, (h) => linear(h, weight)),
        [ids],
        { maxNewTokens: 6, eosTokenId: eos },
      );
      assert.equal(text, `${await generator.tokenizer.decode(g!.tokens)}\n`);
    } finally {
      dispose([...tensors.values()]);
      model.dispose();
    }
  });

  it('refuses an encoder folder (exit 1), bad flags and a missing or empty prompt (usage, exit 2) with one line', async () => {
    const bert = writeHfFolder(path.join(root, 'bert'), 'bert', 'tokenizer.json');
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => void errors.push(m);
    try {
      assert.equal(await main(['generate', bert, 'hello']), 1);
      assert.equal(await main(['generate', gpt2, 'hello', '--top-p', '0']), 2);
      assert.equal(await main(['generate', gpt2, 'hello', '--max-new-tokens=-3']), 2);
      assert.equal(await main(['generate', gpt2]), 2);
      assert.equal(await main(['generate', gpt2, 'hello', '']), 2);
    } finally {
      console.error = original;
    }
    assert.match(errors[0]!, /is an encoder, which does not generate text/);
    assert.match(errors[1]!, /--top-p must be a positive number|topP must be a number in \(0, 1\]/);
    assert.match(errors[2]!, /--max-new-tokens must be a non-negative integer, got '-3'/);
    assert.match(errors[3]!, /no prompt/);
    assert.match(errors[4]!, /prompt 2 is empty; a prompt needs at least one character/);
  });

  it('--input: a line that is not a prompt is named with file:line, in terms of prompts (not inputs to predict)', async () => {
    const file = path.join(root, 'bad-prompts.jsonl');
    writeFileSync(file, '"play some jazz"\n{"text": "a", "text_pair": "b"}\n{"messages": []}\n');
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => void errors.push(m);
    try {
      assert.equal(await main(['generate', gpt2, '--input', file]), 1);
    } finally {
      console.error = original;
    }
    assert.equal(
      errors.join('\n'),
      `mtl generate: ${file}:2: a prompt is one text; "text_pair" is an input of mtl predict (2 bad lines: 2, 3); expected JSON Lines of ` +
        'prompts, one per line: a JSON string ("Once upon a time") or an object {"text": "…"}; fix the line, or give the prompts ' +
        'on the command line instead of --input',
    );
  });
});
