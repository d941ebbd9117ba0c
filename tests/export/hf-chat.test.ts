/**
 * `mtl export` of a chat checkpoint writes its template into tokenizer_config.json (`chat_template`,
 * with the `eos_token` it renders), so the exported folder loads back in this library's folder loader
 * with the same template and renders a dialogue as the checkpoint does (expected texts written by hand
 * from the templates), and replies to messages with that template as the checkpoint's chat task does
 * (`mtl generate --messages`). Transformers is not installed here; its `apply_chat_template` reads the same two
 * keys (tokenizer_config.json's `chat_template`, the special tokens map's `eos_token`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { exportedChatTemplate, withChatTemplate } from '../../src/export/chat-template.js';
import { exportHf } from '../../src/export/hf.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { ChatTemplate, tokenizerFromFolder } from '../../src/tokenization/index.js';
import { trainTinyChat } from '../tasks/chat-fixture.js';

const DIALOGUE = [
  { role: 'user', content: 'five' },
  { role: 'assistant', content: 'six' },
  { role: 'user', content: 'seven' },
] as const;

/** A template that reads eos_token, as Llama 2's and Mistral's do. */
const EOS_TEMPLATE =
  "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + eos_token }}{% endfor %}{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}";

function tokenizerConfigOf(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
}

function jsonOf(dir: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
}

/** The id of `token` in an exported tokenizer.json's added tokens. */
function addedTokenId(dir: string, token: string): number {
  const { added_tokens } = jsonOf(dir, 'tokenizer.json') as { added_tokens: { id: number; content: string }[] };
  const found = added_tokens.find((t) => t.content === token);
  assert.ok(found !== undefined, `no added token ${token}`);
  return found.id;
}

function savedOptions(ckpt: string): Record<string, unknown> {
  const { tasks } = JSON.parse(readFileSync(path.join(ckpt, 'tasks.json'), 'utf8')) as { tasks: { options: Record<string, unknown> }[] };
  return tasks[0]!.options;
}

describe("export: a chat task's template in tokenizer_config.json", () => {
  let dir = '';
  let chatml = '';
  let custom = '';
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-export-'));
    chatml = await trainTinyChat(mkdtempSync(path.join(dir, 'chatml-')));
    custom = await trainTinyChat(mkdtempSync(path.join(dir, 'custom-')), {
      options: `max_new_tokens: 4, chat_template: ${JSON.stringify(EOS_TEMPLATE)}, eos_token: '[SEP]', bos_token: ''`,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("ChatML: the exported folder has the checkpoint's template and renders as the checkpoint", () => {
    const out = path.join(dir, 'chatml-hf');
    const exported = exportHf(chatml, out, { task: 'dlg' });
    assert.equal(exported.architecture, 'GPT2LMHeadModel');
    const config = tokenizerConfigOf(out);
    assert.equal(config.chat_template, savedOptions(chatml).chatTemplate);
    const loaded = tokenizerFromFolder(out).chatTemplate;
    assert.ok(loaded !== undefined, 'the folder loader found no template');
    assert.equal(loaded.template, config.chat_template);
    assert.equal(
      ChatTemplate.compile(loaded).render([...DIALOGUE], true),
      '<|im_start|>user\nfive<|im_end|>\n<|im_start|>assistant\nsix<|im_end|>\n<|im_start|>user\nseven<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it("ChatML: generation_config.json stops at <|im_end|> besides the tokenizer's eos, with the task's decoding options", () => {
    const out = path.join(dir, 'chatml-generation');
    exportHf(chatml, out, { task: 'dlg' });
    const generation = jsonOf(out, 'generation_config.json');
    // the tokenizer's eos: config.json's id where the model names one, else the WordPiece vocabulary's [SEP]
    const eos = (jsonOf(out, 'config.json').eos_token_id as number | undefined) ?? addedTokenId(out, '[SEP]');
    assert.deepEqual(generation.eos_token_id, [eos, addedTokenId(out, '<|im_end|>')]);
    assert.equal(generation.max_new_tokens, 4);
  });

  it('ChatML: the exported folder replies to messages with its chat template as the checkpoint does (mtl generate --messages)', async () => {
    const out = path.join(dir, 'chatml-reply');
    exportHf(chatml, out, { task: 'dlg' });
    using checkpoint = TextGenerator.load(chatml);
    using folder = TextGenerator.load(out);
    const want = await checkpoint.generate({ messages: DIALOGUE });
    const reply = await folder.generate({ messages: DIALOGUE }, { maxNewTokens: 4 }); // the task's max_new_tokens
    assert.ok(want.tokens.length > 0, 'the tiny model says something');
    assert.deepEqual(reply.tokens, want.tokens);
    assert.equal(reply.text, want.text);
  });

  it('a template that reads eos_token: the token is written, and the loader renders it', () => {
    const out = path.join(dir, 'custom-hf');
    exportHf(custom, out); // no --task: the checkpoint's one chat template
    const config = tokenizerConfigOf(out);
    assert.equal(config.chat_template, EOS_TEMPLATE);
    assert.equal(config.eos_token, '[SEP]');
    const loaded = tokenizerFromFolder(out).chatTemplate!;
    assert.equal(loaded.eosToken, '[SEP]');
    assert.equal(ChatTemplate.compile(loaded).render([...DIALOGUE], true), 'user: five[SEP]assistant: six[SEP]user: seven[SEP]assistant: ');
    // exported as its language model: its turns end with the eos itself, so one stop id, as before
    const lm = path.join(dir, 'custom-generation');
    exportHf(custom, lm, { task: 'dlg' });
    assert.equal(jsonOf(lm, 'generation_config.json').eos_token_id, addedTokenId(lm, '[SEP]'));
  });
});

describe('export: which chat template, and when it is refused', () => {
  const record = (name: string, template: string, bosToken = '') => ({
    name,
    type: 'chat',
    options: { chatTemplate: template, bosToken, eosToken: '' },
  });

  it('without --task: the one template the chat tasks share; different ones are refused naming the tasks', () => {
    const other = { name: 'cls', type: 'sequence-classification', labels: ['a', 'b'] };
    assert.equal(exportedChatTemplate([other, record('a', 'T'), record('b', 'T')], undefined)?.template, 'T');
    assert.equal(exportedChatTemplate([other], undefined), undefined);
    assert.equal(exportedChatTemplate([other, record('a', 'T')], other), undefined, 'another task exported: no template');
    assert.throws(
      () => exportedChatTemplate([record('a', 'T'), record('b', 'U')], undefined),
      (e: unknown) => e instanceof ConfigError && /'a', 'b' have different chat templates; .*--task/.test(e.message),
    );
  });

  it('a template that reads bos_token, trained with none, beside a tokenizer that names one: refused', () => {
    const saved = exportedChatTemplate([record('dlg', '{{ bos_token }}{{ messages[0].content }}')], undefined)!;
    assert.throws(
      () => withChatTemplate({ bos_token: '<s>', eos_token: '</s>' }, saved),
      (e: unknown) => e instanceof ConfigError && /task 'dlg': its chat template reads bos_token, .* is "<s>"/.test(e.message),
    );
    // one that does not read it keeps the tokenizer's tokens
    const plain = exportedChatTemplate([record('dlg', '{{ messages[0].content }}')], undefined)!;
    assert.deepEqual(withChatTemplate({ bos_token: '<s>' }, plain), { bos_token: '<s>', chat_template: '{{ messages[0].content }}' });
    assert.deepEqual(withChatTemplate({}, exportedChatTemplate([record('dlg', 'T', '<s>')], undefined)!), {
      chat_template: 'T',
      bos_token: '<s>',
    });
  });
});
