/**
 * Chat templates rendered by @huggingface/jinja against hand-written expected strings: real templates
 * copied from models' tokenizer_config.json (tests/fixtures/chat-templates: Qwen2's ChatML, Llama 3's
 * headers, Llama 2's [INST] turns), a folder's special tokens as variables, the assistant spans found by
 * rendering prefixes, and the errors of a template that is not Jinja or that raises, naming where the
 * template came from.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, DataError } from '../../src/errors.js';
import { CHATML, ChatTemplate, folderChatTemplate, type ChatMessage, type ChatTemplateSource } from '../../src/tokenization/index.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'chat-templates');
const source = (name: string, bosToken = '', eosToken = ''): ChatTemplateSource => ({
  template: readFileSync(path.join(FIXTURES, `${name}.jinja`), 'utf8'),
  origin: `${name}.jinja`,
  bosToken,
  eosToken,
});

const DIALOGUE: ChatMessage[] = [
  { role: 'user', content: 'Hello' },
  { role: 'assistant', content: 'Hi there' },
  { role: 'user', content: 'Bye' },
  { role: 'assistant', content: 'See you' },
];
const spanTexts = (t: ChatTemplate, m: readonly ChatMessage[]) => {
  const r = t.assistantSpans(m);
  return r.spans.map(([s, e]) => r.text.slice(s, e));
};

describe('chat templates', () => {
  it("renders Qwen2's ChatML template, its default system message and generation prompt", () => {
    const t = ChatTemplate.compile(source('qwen2'));
    assert.equal(
      t.render(DIALOGUE.slice(0, 2)),
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there<|im_end|>\n',
    );
    assert.equal(
      t.render([{ role: 'system', content: 'Be brief.' }, DIALOGUE[0]!], true),
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n',
    );
    assert.deepEqual(spanTexts(t, DIALOGUE), ['Hi there<|im_end|>', 'See you<|im_end|>']);
  });

  it("renders Llama 3's template with its bos_token, and spans end at <|eot_id|>", () => {
    const t = ChatTemplate.compile(source('llama3', '<|begin_of_text|>', '<|end_of_text|>'));
    assert.equal(
      t.render(DIALOGUE.slice(0, 3), true),
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n' +
        'Hi there<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
    assert.deepEqual(spanTexts(t, DIALOGUE), ['Hi there<|eot_id|>', 'See you<|eot_id|>']);
  });

  it("renders Llama 2's template: the system message inside the first [INST], the eos_token after each reply", () => {
    const t = ChatTemplate.compile(source('llama2', '<s>', '</s>'));
    const m: ChatMessage[] = [{ role: 'system', content: 'Be brief.' }, ...DIALOGUE];
    assert.equal(t.render(m), '<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHello [/INST] Hi there </s><s>[INST] Bye [/INST] See you </s>');
    assert.deepEqual(spanTexts(t, m), [' Hi there </s>', ' See you </s>']);
  });

  it('the default ChatML template: spans hold the reply and <|im_end|>, not the newline after it', () => {
    const r = ChatTemplate.compile(CHATML).assistantSpans(DIALOGUE.slice(0, 2));
    assert.equal(r.text, '<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there<|im_end|>\n');
    assert.deepEqual(r.spans, [[55, 73]]);
    assert.equal(r.text.slice(55, 73), 'Hi there<|im_end|>');
  });

  it('tools and documents are none, as Transformers passes them (Mistral-style `tools is not none` checks)', () => {
    const template =
      "{% if tools is not none %}tools{% else %}none{% endif %}/{% if documents is none %}none{% endif %}/{{ messages[0]['content'] }}";
    const t = ChatTemplate.compile({ template, origin: 'tools.jinja', bosToken: '', eosToken: '' });
    assert.equal(t.render(DIALOGUE.slice(0, 1)), 'none/none/Hello');
  });

  it('a template that raises names its source and says why', () => {
    const t = ChatTemplate.compile(source('llama2', '<s>', '</s>'));
    assert.throws(
      () => t.render([DIALOGUE[0]!, DIALOGUE[0]!]),
      (e: unknown) => e instanceof DataError && /llama2\.jinja/.test(e.message) && /Conversation roles must alternate/.test(e.message),
    );
  });

  it('a template that is not Jinja is a ConfigError naming its source', () => {
    assert.throws(
      () =>
        ChatTemplate.compile({
          template: '{% for m in messages %}{{ m.content }}',
          origin: 'models/x/tokenizer_config.json',
          bosToken: '',
          eosToken: '',
        }),
      (e: unknown) => e instanceof ConfigError && /models\/x\/tokenizer_config\.json/.test(e.message) && /not valid Jinja/.test(e.message),
    );
  });

  it('a template whose shorter renderings are not prefixes of longer ones cannot place the turns', () => {
    // writes the last message differently from the others
    const template = '{% for m in messages %}{{ m.role }}: {{ m.content }}{% if loop.last %}!{% else %}\n{% endif %}{% endfor %}';
    const t = ChatTemplate.compile({ template, origin: 'odd.jinja', bosToken: '', eosToken: '' });
    assert.throws(
      () => t.assistantSpans(DIALOGUE),
      (e: unknown) => e instanceof DataError && /odd\.jinja/.test(e.message) && /turn by turn/.test(e.message),
    );
  });

  it("passes a folder's other special tokens as variables (Transformers' special_tokens_map), special_tokens_map.json over tokenizer_config.json", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-template-'));
    try {
      const template =
        "{{ bos_token }}{% for m in messages %}{{ m['content'] + sep_token }}{% endfor %}{{ additional_special_tokens[1] + pad_token + unk_token }}";
      const config = {
        chat_template: template,
        bos_token: '<s>',
        eos_token: '</s>',
        sep_token: '[SEP]',
        pad_token: { content: '<pad>' },
        unk_token: '<unk>',
        additional_special_tokens: ['<|a|>', { content: '<|b|>' }],
      };
      writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
      writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify({ bos_token: '<|begin|>', unk_token: '<|unk|>' }));
      const s = folderChatTemplate(dir)!;
      assert.equal(s.bosToken, '<|begin|>');
      assert.equal(s.eosToken, '</s>');
      assert.deepEqual(s.specialTokens, {
        unk_token: '<|unk|>',
        sep_token: '[SEP]',
        pad_token: '<pad>',
        additional_special_tokens: ['<|a|>', '<|b|>'],
      });
      // written out by hand: bos_token, each content and sep_token, the second additional token, pad_token, unk_token
      assert.equal(ChatTemplate.compile(s).render(DIALOGUE.slice(0, 2)), '<|begin|>Hello[SEP]Hi there[SEP]<|b|><pad><|unk|>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a folder's tokenizer_config.json chat_template with its bos and eos tokens (AddedToken objects too)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-chat-template-'));
    try {
      assert.equal(folderChatTemplate(dir), undefined);
      const config = { chat_template: source('llama3').template, bos_token: { content: '<|begin_of_text|>' }, eos_token: '<|eot_id|>' };
      writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
      const s = folderChatTemplate(dir)!;
      assert.equal(s.template, config.chat_template);
      assert.equal(s.bosToken, '<|begin_of_text|>');
      assert.equal(s.eosToken, '<|eot_id|>');
      assert.match(s.origin, /tokenizer_config\.json \(chat_template\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
