/**
 * A model folder's generation_config.json as the defaults of its generations (src/predict/generation-defaults.ts),
 * under the options given, as Transformers' `generate` applies `GenerationConfig`: on a tiny llama folder with
 * a sampling generation_config.json, seeded sampling with the file's values gives exactly what the same
 * explicit options (and `mtl generate` flags, and `POST /generate` parameters) give on the folder without
 * it; a flag overrides the file; without do_sample (absent or false, or `--no-do-sample`) temperature,
 * top-k and top-p are ignored and decoding is greedy; max_length / min_length count the prompt; a server's
 * --max-new-tokens caps the file's max_new_tokens; a conversation's reply (a chat-template folder) takes the file's fields;
 * its eos_token_id, a list of two ids, ends a text prompt at either (Transformers' `generate` stops at any of
 * generation_config.json's eos ids, not at config.json's). A bad value is a CheckpointError naming the file and the field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CheckpointError } from '../../src/errors.js';
import type { GenerateOptions } from '../../src/generate/index.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { decodingOptions, readGenerationDefaults } from '../../src/predict/generation-defaults.js';
import { runGenerateCli } from '../helpers/cli.js';
import { serving, streamedText } from '../helpers/generate-server.js';
import { ROLE_TOKENS, ROLE_TOKENS_JINJA, writeHfChatFolder } from '../helpers/hf-chat-folder.js';
import { writeHfFolder } from '../helpers/hf-folder.js';

const PROMPT = 'play some jazz';
/** A sampling generation_config.json (Llama 2 chat's kind) and the same settings as options. */
const SAMPLING = {
  do_sample: true,
  temperature: 0.7,
  top_k: 8,
  top_p: 0.9,
  repetition_penalty: 1.2,
  no_repeat_ngram_size: 2,
  max_new_tokens: 9,
};
const AS_OPTIONS: GenerateOptions = {
  doSample: true,
  temperature: 0.7,
  topK: 8,
  topP: 0.9,
  repetitionPenalty: 1.2,
  noRepeatNgramSize: 2,
  maxNewTokens: 9,
};
const AS_FLAGS = ['--do-sample', '--temperature', '0.7', '--top-k', '8', '--top-p', '0.9'];
const AS_FLAGS_REST = ['--repetition-penalty', '1.2', '--no-repeat-ngram-size', '2', '--max-new-tokens', '9'];

/** What `mtl generate DIR PROMPT FLAGS…` prints (it must succeed). */
async function cli(dir: string, ...flags: string[]): Promise<string> {
  const { code, text, errors } = await runGenerateCli([dir, PROMPT, ...flags]);
  assert.equal(code, 0, errors.join('\n'));
  assert.ok(text.length > 1, 'it generates');
  return text;
}

describe('readGenerationDefaults and decodingOptions', () => {
  let dir = '';
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'mtl-generation-defaults-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (config: unknown) => writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify(config));

  it("reads the decoding fields under generate's names (null: not set), and max_length / min_length", () => {
    assert.deepEqual(readGenerationDefaults(dir), { options: {} });
    write({ ...SAMPLING, eos_token_id: 2, num_beams: null, early_stopping: 'never', max_length: 30, min_length: 4, use_cache: true });
    const options = { ...AS_OPTIONS, earlyStopping: 'never' };
    assert.deepEqual(readGenerationDefaults(dir), { options, maxLength: 30, minLength: 4, eosTokenIds: [2] });
    write({ eos_token_id: [2, 7] });
    assert.deepEqual(readGenerationDefaults(dir), { options: {}, eosTokenIds: [2, 7] });
  });

  it('leaves out an out-of-range sampling number when the file does not sample, as Transformers only warns', () => {
    write({ do_sample: false, temperature: 0, top_p: 0, top_k: -1, num_beams: 2 });
    assert.deepEqual(readGenerationDefaults(dir), { options: { doSample: false, numBeams: 2 } });
    write({ temperature: 0.0, top_p: 0.5 });
    assert.deepEqual(readGenerationDefaults(dir), { options: { topP: 0.5 } });
  });

  it('refuses a bad value, naming the file and the field', () => {
    for (const [config, message] of [
      [{ top_p: 'x' }, /generation_config\.json: top_p must be a number in \(0, 1\], got "x"$/],
      [{ num_beams: 0 }, /generation_config\.json: num_beams must be an integer >= 1, got 0$/],
      [{ do_sample: 'yes' }, /generation_config\.json: do_sample must be true or false, got "yes"$/],
      [{ min_new_tokens: 1.5 }, /generation_config\.json: min_new_tokens must be an integer >= 0, got 1.5$/],
      [{ max_length: -1 }, /generation_config\.json: max_length must be an integer >= 0, got -1$/],
      [{ do_sample: true, temperature: 0 }, /generation_config\.json: temperature must be /],
      [
        { eos_token_id: [2, -1] },
        /generation_config\.json: eos_token_id must be a token id \(an integer >= 0\) or a list of them, got \[2,-1\]$/,
      ],
    ] as const) {
      write(config);
      assert.throws(
        () => readGenerationDefaults(dir),
        (e: unknown) => e instanceof CheckpointError && e.message.startsWith(dir) && message.test(e.message),
        JSON.stringify(config),
      );
    }
  });

  it('given options over the file over 64 new tokens; max_length and min_length less the prompt; the limit caps defaults only', () => {
    const at = { promptTokens: 5 };
    assert.deepEqual(decodingOptions({}, { options: {} }, at), { maxNewTokens: 64 });
    assert.deepEqual(decodingOptions({ topK: undefined }, { options: { topK: 8 } }, at), { topK: 8, maxNewTokens: 64 });
    assert.deepEqual(decodingOptions({ topK: 3 }, { options: { topK: 8, maxNewTokens: 9 } }, at), { topK: 3, maxNewTokens: 9 });
    assert.deepEqual(decodingOptions({}, { options: {}, maxLength: 12, minLength: 7 }, at), { maxNewTokens: 7, minNewTokens: 2 });
    assert.deepEqual(decodingOptions({}, { options: { maxNewTokens: 9 }, maxLength: 12 }, at), { maxNewTokens: 9 }, 'max_new_tokens wins');
    assert.deepEqual(decodingOptions({}, { options: {}, maxLength: 3 }, at), { maxNewTokens: 0 }, 'a prompt past max_length: none');
    // an encoder-decoder's max_length counts its decoder start token (Transformers' max_length 142 → 141 new tokens)
    assert.deepEqual(decodingOptions({}, { options: {}, maxLength: 142 }, { promptTokens: 1 }), { maxNewTokens: 141 });
    const limited = { promptTokens: 5, limit: 4 };
    assert.deepEqual(decodingOptions({}, { options: { maxNewTokens: 9, minNewTokens: 6 } }, limited), { maxNewTokens: 4, minNewTokens: 4 });
    assert.deepEqual(decodingOptions({ maxNewTokens: 6 }, { options: { maxNewTokens: 9 } }, limited), { maxNewTokens: 6 });
  });
});

describe("a Hugging Face folder's generation_config.json in mtl generate, TextGenerator and POST /generate", () => {
  let root = '';
  let plain = ''; // no generation_config.json
  let sampling = ''; // SAMPLING
  /** A llama folder with generation_config.json `config` (besides config.json's bos and eos ids, 1 and 98, which `plain` stops at too). */
  const folder = (name: string, config: unknown): string => {
    const dir = writeHfFolder(path.join(root, name), 'llama', 'tokenizer.json');
    writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: 1, eos_token_id: 98, ...(config as object) }));
    return dir;
  };
  const tokens = async (dir: string, options: GenerateOptions) => {
    using generator = TextGenerator.load(dir);
    return (await generator.generate(PROMPT, options)).tokens;
  };
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mtl-generation-config-'));
    plain = writeHfFolder(path.join(root, 'plain'), 'llama', 'tokenizer.json');
    sampling = folder('sampling', SAMPLING);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("seeded sampling with the file's values = the same options given explicitly; a given option overrides the file", async () => {
    const want = await tokens(plain, { ...AS_OPTIONS, seed: 5 });
    assert.deepEqual(await tokens(sampling, { seed: 5 }), want);
    assert.notDeepEqual(want, await tokens(plain, { maxNewTokens: 9 }), 'the file samples: not the greedy tokens');
    assert.deepEqual(
      await tokens(sampling, { seed: 5, temperature: 1.5 }),
      await tokens(plain, { ...AS_OPTIONS, seed: 5, temperature: 1.5 }),
    );
    assert.equal((await tokens(sampling, { seed: 5, maxNewTokens: 3 })).length, 3);
    // mtl generate: no flag = the file's values; flags override them
    assert.equal(await cli(sampling, '--seed', '5'), await cli(plain, ...AS_FLAGS, ...AS_FLAGS_REST, '--seed', '5'));
    assert.equal(
      await cli(sampling, '--seed', '5', '--top-k', '2'),
      await cli(plain, ...AS_FLAGS.slice(0, 5), '--top-k', '2', '--top-p', '0.9', ...AS_FLAGS_REST, '--seed', '5'),
    );
  });

  it('greedy where do_sample is absent or false (temperature, top-k, top-p then ignored), or --no-do-sample', async () => {
    const { do_sample: _, ...rest } = SAMPLING;
    const greedy = await tokens(plain, { repetitionPenalty: 1.2, noRepeatNgramSize: 2, maxNewTokens: 9 });
    assert.deepEqual(await tokens(folder('absent', rest), { seed: 5 }), greedy);
    assert.deepEqual(await tokens(folder('off', { ...rest, do_sample: false }), { seed: 5 }), greedy);
    assert.deepEqual(await tokens(sampling, { seed: 5, doSample: false }), greedy);
    assert.equal(await cli(sampling, '--no-do-sample'), await cli(plain, ...AS_FLAGS_REST));
  });

  it('max_length and min_length count the prompt; num_beams and length_penalty apply', async () => {
    using generator = TextGenerator.load(plain);
    const promptTokens = (await generator.encodePrompt(PROMPT)).ids.length;
    const lengths = folder('lengths', { max_length: promptTokens + 5, min_length: promptTokens + 5 });
    assert.deepEqual(await tokens(lengths, {}), await tokens(plain, { maxNewTokens: 5, minNewTokens: 5 }));
    assert.equal((await tokens(lengths, {})).length, 5);
    const beams = folder('beams', { num_beams: 3, length_penalty: 0.5, max_new_tokens: 6 });
    assert.deepEqual(await tokens(beams, {}), await tokens(plain, { numBeams: 3, lengthPenalty: 0.5, maxNewTokens: 6 }));
  });

  it("eos_token_id, a list of two ids: a text prompt's generation ends at either, in place of config.json's", async () => {
    const greedy = await tokens(plain, { maxNewTokens: 9 }); // config.json's eos (98) ends it
    // the list's second id: the first greedy token after the second that did not come before; its first: an id greedy never takes
    const k = greedy.findIndex((t, i) => i >= 2 && greedy.indexOf(t) === i);
    assert.ok(k >= 2, `a new token among ${JSON.stringify(greedy)}`);
    const never = [...Array(98).keys()].find((id) => !greedy.includes(id))!;
    const eos = folder('eos-list', { eos_token_id: [never, greedy[k]], max_new_tokens: 9 });
    using generator = TextGenerator.load(eos);
    assert.deepEqual((await generator.encodePrompt(PROMPT)).eos, [never, greedy[k]]);
    const made = await generator.generate(PROMPT);
    assert.deepEqual([made.tokens, made.finishReason], [greedy.slice(0, k), 'eos']);
    assert.deepEqual((await generator.generate(PROMPT, { eosTokenId: 98 })).tokens, greedy, 'a given eos overrides the file');
    assert.equal(await cli(eos), await cli(plain, '--max-new-tokens', String(k)), 'mtl generate stops there too');
  });

  it("a conversation's reply takes the file's fields, its max_new_tokens at most the limit; a given option overrides them", async () => {
    const chat = writeHfChatFolder(path.join(root, 'chat'), 'llama', { template: ROLE_TOKENS_JINJA, markers: ROLE_TOKENS }).dir;
    const messages = [{ role: 'user' as const, content: 'play some jazz' }];
    const reply = async (options: GenerateOptions, maxNewTokensLimit?: number) => {
      using generator = TextGenerator.load(chat);
      return (await generator.generate({ messages, ...(maxNewTokensLimit === undefined ? {} : { maxNewTokensLimit }) }, options)).tokens;
    };
    const want = await reply({ ...AS_OPTIONS, minNewTokens: 9, seed: 5 });
    writeFileSync(path.join(chat, 'generation_config.json'), JSON.stringify({ ...SAMPLING, min_new_tokens: 9 }));
    assert.deepEqual(await reply({ seed: 5 }), want);
    assert.deepEqual(await reply({ seed: 5 }, 4), want.slice(0, 4), 'a server cap of 4: the file asks for 9');
    assert.deepEqual(
      await reply({ seed: 5, maxNewTokens: 10, minNewTokens: 10 }),
      await reply({ ...AS_OPTIONS, seed: 5, maxNewTokens: 10, minNewTokens: 10 }),
    );
  });

  it('a bad value: mtl generate and TextGenerator.load refuse the folder, naming the file and the field', async () => {
    const bad = folder('bad', { top_p: 'x' });
    const message = `${path.join(bad, 'generation_config.json')}: top_p must be a number in (0, 1], got "x"`;
    assert.throws(
      () => TextGenerator.load(bad),
      (e: unknown) => e instanceof CheckpointError && e.message === message,
    );
    const cli = await runGenerateCli([bad, PROMPT]);
    assert.notEqual(cli.code, 0);
    assert.ok(cli.errors.join('\n').includes(message), cli.errors.join('\n'));
  });

  it("POST /generate: parameters over the file's values, streamed or not; the server's --max-new-tokens caps the file's", async () => {
    const { post, close } = await serving(sampling, { maxNewTokens: 4 });
    try {
      using generator = TextGenerator.load(plain);
      const want = await generator.generate(PROMPT, { ...AS_OPTIONS, seed: 5, maxNewTokens: 4 });
      const answer = (await (await post({ inputs: PROMPT, parameters: { seed: 5 } })).json()) as {
        generated_text: string;
        details: { generated_tokens: number };
      };
      assert.deepEqual([answer.generated_text, answer.details.generated_tokens], [want.text, want.tokens.length]);
      const streamed = await streamedText(await post({ inputs: PROMPT, parameters: { seed: 5 }, stream: true }));
      assert.deepEqual([streamed.last.generated_text, streamed.joined], [want.text, want.text]);
      const greedy = await generator.generate(PROMPT, { ...AS_OPTIONS, doSample: false, maxNewTokens: 3 });
      const off = (await (await post({ inputs: PROMPT, parameters: { do_sample: false, max_new_tokens: 3 } })).json()) as {
        generated_text: string;
      };
      assert.equal(off.generated_text, greedy.text, 'a parameter overrides the file');
    } finally {
      await close();
    }
  });
});
