/**
 * Tiny Hugging Face decoder folders with a chat template, for replies to conversations: `writeHfFolder`'s
 * folder (fixture weights, byte-level BPE tokenizer.json of vocab_size tokens) whose tokenizer.json holds
 * the template's markers as special tokens — in place of the BPE pieces made last (the merges that made
 * them dropped), so the vocabulary keeps the config's size — and whose tokenizer_config.json carries
 * `chat_template` with its bos/eos tokens (and generation_config.json an `eos_token_id` when given).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeHfFolder } from './hf-folder.js';

/**
 * A compact template in the layout of Phi-3's and Zephyr's (a special token per role, `<|end|>` after
 * every turn) that starts with `bos_token`: a tiny model's 64 positions hold a few turns.
 */
export const ROLE_TOKENS_JINJA =
  "{{ bos_token }}{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|end|>' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

/** The special tokens `ROLE_TOKENS_JINJA` writes besides bos_token. */
export const ROLE_TOKENS = ['<|system|>', '<|user|>', '<|assistant|>', '<|end|>'];

/** What goes in a chat folder besides `writeHfFolder`'s files. */
export interface ChatFolderSpec {
  /** tokenizer_config.json's `chat_template`. */
  readonly template: string;
  /** Special tokens the template writes (added to tokenizer.json at the top ids below `<mask>`). */
  readonly markers: readonly string[];
  /** tokenizer_config.json's other fields (bos_token, eos_token, pad_token, …). */
  readonly tokenizerConfig?: Readonly<Record<string, unknown>>;
  /** generation_config.json's `eos_token_id` (absent: no generation_config.json). */
  readonly generationEos?: number | readonly number[];
}

/**
 * Writes the chat folder `dir` of a decoder `family` (gpt2, llama, qwen2, mistral; see the file comment).
 * @returns `dir`, and the id of each marker.
 */
export function writeHfChatFolder(dir: string, family: string, spec: ChatFolderSpec): { dir: string; ids: Record<string, number> } {
  writeHfFolder(dir, family, 'tokenizer.json');
  const file = path.join(dir, 'tokenizer.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    added_tokens: { id: number; content: string }[];
    model: { vocab: Record<string, number>; merges: ([string, string] | string)[] };
  };
  const added = new Set(json.added_tokens.map((a) => a.id));
  // the BPE pieces with the highest ids (made by the last merges), one per marker
  const pieces = Object.entries(json.model.vocab)
    .filter(([, id]) => !added.has(id))
    .sort((a, b) => b[1] - a[1])
    .slice(0, spec.markers.length);
  const dropped = new Set(pieces.map(([piece]) => piece));
  json.model.merges = json.model.merges.filter((m) => !dropped.has(typeof m === 'string' ? m.replace(' ', '') : m.join('')));
  const ids: Record<string, number> = {};
  spec.markers.forEach((content, i) => {
    const [piece, id] = pieces[i]!;
    delete json.model.vocab[piece]; // the marker takes the piece's id (tokenizers keeps a vocabulary id it finds)
    json.model.vocab[content] = id;
    ids[content] = id;
    json.added_tokens.push({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true } as never);
  });
  json.added_tokens.sort((a, b) => a.id - b.id);
  writeFileSync(file, JSON.stringify(json));
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ ...spec.tokenizerConfig, chat_template: spec.template }));
  if (spec.generationEos !== undefined)
    writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: spec.generationEos }));
  return { dir, ids };
}
