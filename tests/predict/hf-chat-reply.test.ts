/**
 * Replies to conversations with a Hugging Face decoder folder's own chat template (a tiny random-weight
 * llama folder whose tokenizer_config.json carries `chat_template`, no tasks.json):
 * `TextGenerator.generate({ messages })` and `mtl generate DIR --messages FILE` give the tokens
 * `generate` gives for the template's text of the messages — written out by hand here, bos_token and
 * the generation prompt included — stopping at the template's end-of-turn token (`<|end|>`) and
 * config.json's eos_token_id, or generation_config.json's eos_token_id list where the folder has one
 * (a list that holds a token the model emits stops the reply there). A prompt with no room for the reply
 * loses its oldest turns. A folder without a template, a task named for a folder, a template that
 * raises, and a max_new_tokens that leaves no room are refused with what to do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, DataError } from '../../src/errors.js';
import { generate } from '../../src/generate/index.js';
import { causalLmDecoder, lmHeadOf } from '../../src/models/causal-lm.js';
import { folderReplier, replyPlan } from '../../src/predict/chat-reply.js';
import { readGenerationDefaults } from '../../src/predict/generation-defaults.js';
import { loadHfLanguageModel, TextGenerator } from '../../src/predict/generate.js';
import { tokenizerFromFolder, type ChatMessage, type Tokenizer } from '../../src/tokenization/index.js';
import { ROLE_TOKENS, ROLE_TOKENS_JINJA, writeHfChatFolder } from '../helpers/hf-chat-folder.js';
import { runGenerateCli } from '../helpers/cli.js';
import { writeHfFolder } from '../helpers/hf-folder.js';

const MESSAGES: ChatMessage[] = [
  { role: 'user', content: 'four' },
  { role: 'assistant', content: 'five' },
  { role: 'user', content: 'six' },
];

/** MESSAGES as ROLE_TOKENS_JINJA renders them with bos_token '<s>' and the generation prompt, written out by hand. */
const RENDERED = '<s><|user|>four<|end|><|assistant|>five<|end|><|user|>six<|end|><|assistant|>';

/** The llama fixture's config.json eos_token_id. */
const CONFIG_EOS = 98;

/** `generate`'s tokens and trimmed text for the prompt `text` (tokenized without special tokens added) on the folder `dir`. */
async function generated(dir: string, text: string, options: { maxNewTokens: number; eosTokenId?: number[] }) {
  const tokenizer = tokenizerFromFolder(dir);
  const [enc] = await tokenizer.encodeBatch([text], { addSpecialTokens: false });
  const lm = loadHfLanguageModel(dir);
  try {
    const [g] = await generate(causalLmDecoder(lm.backbone, lm.lmHead ?? lmHeadOf(lm.backbone)), [enc!.inputIds], options);
    return { tokens: g!.tokens, text: (await tokenizer.decode(g!.tokens)).trim(), finishReason: g!.finishReason };
  } finally {
    lm.owner.dispose();
  }
}

describe("replies with a Hugging Face folder's chat template (mtl generate --messages)", () => {
  let root = '';
  let dir = '';
  let endId = 0;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mtl-hf-chat-'));
    const folder = writeHfChatFolder(path.join(root, 'llama'), 'llama', {
      template: ROLE_TOKENS_JINJA,
      markers: ROLE_TOKENS,
      tokenizerConfig: { bos_token: '<s>', eos_token: '</s>' },
    });
    dir = folder.dir;
    endId = folder.ids['<|end|>']!;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("gives generate's tokens for the template's text, stopping at <|end|> and config.json's eos; the CLI prints the reply", async () => {
    const want = await generated(dir, RENDERED, { maxNewTokens: 12, eosTokenId: [CONFIG_EOS, endId] });
    assert.ok(want.tokens.length > 0 && want.text !== '', 'the tiny model says something');
    using generator = TextGenerator.load(dir);
    const pieces: string[] = [];
    const reply = await generator.generate({ messages: MESSAGES }, { maxNewTokens: 12 }, (piece) => void pieces.push(piece));
    assert.deepEqual(reply.tokens, want.tokens);
    assert.equal(reply.text, want.text);
    assert.equal(pieces.join(''), reply.text);
    assert.equal(reply.droppedTurns, 0);
    const file = path.join(root, 'messages.jsonl');
    writeFileSync(file, `${JSON.stringify({ messages: MESSAGES })}\n${JSON.stringify(MESSAGES)}\n`);
    assert.deepEqual(await runGenerateCli([dir, '--messages', file, '--max-new-tokens', '12']), {
      code: 0,
      text: `${want.text}\n${want.text}\n`,
      errors: [],
    });
  });

  it("stops at the template's end-of-turn token and generation_config.json's eos_token_id list", async () => {
    const tokenizer = tokenizerFromFolder(dir);
    const plan = async (folder: string, t: Tokenizer = tokenizer) => {
      using generator = TextGenerator.load(folder);
      const eos = readGenerationDefaults(folder).eosTokenIds; // as TextGenerator.load reads it
      return await replyPlan(folderReplier(folder, generator.backbone, t, eos), { messages: MESSAGES }, { maxNewTokens: 4 }, t);
    };
    assert.deepEqual((await plan(dir)).options.eosTokenId, [CONFIG_EOS, endId]);
    // a generation_config.json list replaces config.json's id; a list holding a token the model emits stops the reply there
    const free = await generated(dir, RENDERED, { maxNewTokens: 12 });
    const k = free.tokens.findIndex((id, i) => i >= 2 && !free.tokens.slice(0, i).includes(id));
    assert.ok(k >= 2, `the tiny model emits a new token after its first two: ${free.tokens.join(' ')}`);
    const stopping = writeHfChatFolder(path.join(root, 'stopping'), 'llama', {
      template: ROLE_TOKENS_JINJA,
      markers: ROLE_TOKENS,
      tokenizerConfig: { bos_token: '<s>', eos_token: '</s>' },
      generationEos: [2, free.tokens[k]!],
    }).dir;
    assert.deepEqual((await plan(stopping, tokenizerFromFolder(stopping))).options.eosTokenId, [2, free.tokens[k]!, endId]);
    using generator = TextGenerator.load(stopping);
    const reply = await generator.generate({ messages: MESSAGES }, { maxNewTokens: 12 });
    assert.deepEqual(reply.tokens, free.tokens.slice(0, k));
    assert.equal(reply.finishReason, 'eos');
    // a turn that ends in ordinary text (a newline) names no token: the eos ids alone stop the reply
    const plain = writeHfChatFolder(path.join(root, 'plain'), 'llama', {
      template:
        "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}",
      markers: [],
    }).dir;
    assert.deepEqual((await plan(plain, tokenizerFromFolder(plain))).options.eosTokenId, [CONFIG_EOS]);
  });

  it('leaves out the oldest turns of a prompt with no room for the reply (64 positions less max_new_tokens)', async () => {
    const long: ChatMessage[] = [
      { role: 'system', content: 'be brief' },
      ...MESSAGES,
      { role: 'assistant', content: 'seven' },
      { role: 'user', content: 'eight' },
    ];
    // the whole prompt takes more than 64 − 40 positions; the system message and the last user turn fit
    const kept = '<s><|system|>be brief<|end|><|user|>eight<|end|><|assistant|>';
    const want = await generated(dir, kept, { maxNewTokens: 40, eosTokenId: [CONFIG_EOS, endId] });
    using generator = TextGenerator.load(dir);
    const reply = await generator.generate({ messages: long }, { maxNewTokens: 40 });
    assert.equal(reply.droppedTurns, 4);
    assert.deepEqual(reply.tokens, want.tokens);
  });

  it('refuses what it cannot reply to, saying what to do', async () => {
    using generator = TextGenerator.load(dir);
    await assert.rejects(
      generator.generate({ messages: MESSAGES }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /max_position_embeddings \(64\) leaves no room for a prompt besides max_new_tokens \(64\)/.test(e.message),
    );
    await assert.rejects(
      generator.generate({ messages: MESSAGES, task: 'dlg' }, { maxNewTokens: 4 }),
      /is a Hugging Face folder \(no tasks\.json\): its chat template replies, and there is no task 'dlg' to name/,
    );
    const raising = writeHfChatFolder(path.join(root, 'raising'), 'llama', {
      template: "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{{ 'x' }}",
      markers: [],
    }).dir;
    using strict = TextGenerator.load(raising);
    await assert.rejects(
      strict.generate({ messages: [{ role: 'system', content: 'hi' }, ...MESSAGES] }, { maxNewTokens: 4 }),
      (e: unknown) =>
        e instanceof DataError && /tokenizer_config\.json \(chat_template\)/.test(e.message) && /System role not supported/.test(e.message),
    );
    const bare = writeHfFolder(path.join(root, 'bare'), 'llama', 'tokenizer.json');
    const file = path.join(root, 'one.json');
    writeFileSync(file, JSON.stringify(MESSAGES));
    const r = await runGenerateCli([bare, '--messages', file, '--max-new-tokens', '4']);
    assert.equal(r.code, 1);
    assert.match(
      r.errors.join('\n'),
      /bare is a Hugging Face folder without a chat template, so it cannot render messages: a folder carries one as .*bare\/tokenizer_config\.json's "chat_template"/,
    );
  });
});
