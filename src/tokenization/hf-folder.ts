/**
 * The tokenizer of a Hugging Face model folder: its `tokenizer.json`, or — in folders of older
 * checkpoints that ship none — one built from the files the "slow" tokenizers read, as Transformers'
 * convert_slow_tokenizer.py builds them:
 * - `vocab.txt`: WordPiece with BERT's normaliser, pre-tokenizer and `[CLS] … [SEP]` post-processor
 *   (BERT, DistilBERT, ELECTRA); `do_lower_case`, `strip_accents` and `tokenize_chinese_chars` from
 *   tokenizer_config.json (BertConverter);
 * - `vocab.json` + `merges.txt`: byte-level BPE (GPT-2's byte-to-unicode alphabet and pre-tokenizer
 *   regex) with RoBERTa's `<s> … </s>` (pairs `<s> a </s></s> b </s>`) post-processor, `add_prefix_space`
 *   from tokenizer_config.json (RobertaConverter).
 * Special-token names come from tokenizer_config.json / special_tokens_map.json where they are given;
 * the chat template from chat_template.jinja or tokenizer_config.json's `chat_template` (./chat-template.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError } from '../errors.js';
import { readJsonObject } from '../json-object-file.js';
import { buildBertTokenizer } from './bert.js';
import { folderChatTemplate } from './chat-template.js';
import { ROBERTA_SPECIAL_TOKENS, SPECIAL_TOKEN_ROLES, type SpecialTokenRole } from './special-tokens.js';
import { Tokenizer } from './tokenizer.js';

/** The tokenizer files looked for, in order. */
export const HF_TOKENIZER_FILES = ['tokenizer.json', 'vocab.txt', 'vocab.json + merges.txt'];

/** tokenizer_config.json / special_tokens_map.json key of each role. */
const ROLE_KEYS: Readonly<Record<SpecialTokenRole, string>> = {
  pad: 'pad_token',
  unk: 'unk_token',
  cls: 'cls_token',
  sep: 'sep_token',
  mask: 'mask_token',
};

/** A special token as the config files write it: a string, or an AddedToken object `{ "content": … }`. */
function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string')
    return (v as { content: string }).content;
  return undefined;
}

/** Special-token names by role that tokenizer_config.json or special_tokens_map.json give (the latter wins, as in Transformers). */
export function folderSpecialTokens(dir: string): Partial<Record<SpecialTokenRole, string>> {
  const config = {
    ...readJsonObject(path.join(dir, 'tokenizer_config.json')),
    ...readJsonObject(path.join(dir, 'special_tokens_map.json')),
  };
  const out: Partial<Record<SpecialTokenRole, string>> = {};
  for (const role of SPECIAL_TOKEN_ROLES) {
    const name = tokenName(config[ROLE_KEYS[role]]);
    if (name !== undefined) out[role] = name;
  }
  return out;
}

/** The lines of a vocabulary or merges file, without line ends (a final empty line dropped). */
function lines(file: string): string[] {
  const out = readFileSync(file, 'utf8').split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** A WordPiece tokenizer of `vocab.txt`, as Transformers' BertConverter. */
function fromVocabTxt(dir: string, config: Record<string, unknown>): Tokenizer {
  const lowercase = typeof config.do_lower_case === 'boolean' ? config.do_lower_case : true;
  const stripAccents = typeof config.strip_accents === 'boolean' ? config.strip_accents : undefined;
  const handleChineseChars = typeof config.tokenize_chinese_chars === 'boolean' ? config.tokenize_chinese_chars : true;
  return buildBertTokenizer(lines(path.join(dir, 'vocab.txt')), {
    lowercase,
    ...(stripAccents === undefined ? {} : { stripAccents }),
    handleChineseChars,
  });
}

/** A byte-level BPE tokenizer of `vocab.json` + `merges.txt` with RoBERTa's post-processor, as Transformers' RobertaConverter. */
function fromBpeFiles(dir: string, config: Record<string, unknown>, special: Partial<Record<SpecialTokenRole, string>>): Tokenizer {
  const vocabFile = path.join(dir, 'vocab.json');
  const vocab = readJsonObject(vocabFile);
  for (const [token, id] of Object.entries(vocab))
    if (!Number.isInteger(id))
      throw new CheckpointError(`${vocabFile}: the id of ${JSON.stringify(token)} is ${JSON.stringify(id)}, not an integer`);
  const merges = lines(path.join(dir, 'merges.txt')).filter((l) => l !== '' && !l.startsWith('#version'));
  merges.forEach((m, i) => {
    if (m.split(' ').length !== 2)
      throw new CheckpointError(`${path.join(dir, 'merges.txt')}: merge ${i + 1} (${JSON.stringify(m)}) is not two tokens`);
  });
  const names = { ...ROBERTA_SPECIAL_TOKENS, ...special };
  const addPrefixSpace = config.add_prefix_space === true;
  const idOf = (role: SpecialTokenRole) => vocab[names[role]] as number | undefined;
  const cls = idOf('cls');
  const sep = idOf('sep');
  if (cls === undefined || sep === undefined)
    throw new CheckpointError(`${vocabFile}: has no ${names.cls} and ${names.sep} tokens, which RoBERTa's post-processor needs`);
  const specials = SPECIAL_TOKEN_ROLES.filter((r) => idOf(r) !== undefined).map((role) => ({
    id: idOf(role),
    content: names[role],
    single_word: false,
    lstrip: role === 'mask', // RoBERTa's <mask> takes the space before it
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true };
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: {
      type: 'RobertaProcessing',
      sep: [names.sep, sep],
      cls: [names.cls, cls],
      trim_offsets: true,
      add_prefix_space: addPrefixSpace,
    },
    decoder: { ...byteLevel, add_prefix_space: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
  return Tokenizer.fromString(JSON.stringify(json), { specialTokens: names }, `${vocabFile} + merges.txt`);
}

/**
 * The tokenizer of the Hugging Face folder `dir`: tokenizer.json when present, else one built from
 * vocab.txt (WordPiece) or vocab.json + merges.txt (byte-level BPE), see the file comment.
 * @throws CheckpointError when the folder has none of these (naming a sentencepiece model if it has
 *   one, which is not read here), or a file is malformed.
 * @example
 *   const tokenizer = tokenizerFromFolder('models/roberta-base');
 */
export function tokenizerFromFolder(dir: string): Tokenizer {
  const tokenizer = tokenizerFilesOf(dir);
  tokenizer.chatTemplate = folderChatTemplate(dir);
  return tokenizer;
}

/** The tokenizer of a folder's files (see `tokenizerFromFolder`), without its chat template. */
function tokenizerFilesOf(dir: string): Tokenizer {
  const special = folderSpecialTokens(dir);
  if (existsSync(path.join(dir, 'tokenizer.json'))) return Tokenizer.fromFile(path.join(dir, 'tokenizer.json'), { specialTokens: special });
  const config = readJsonObject(path.join(dir, 'tokenizer_config.json'));
  if (existsSync(path.join(dir, 'vocab.txt'))) return fromVocabTxt(dir, config);
  if (existsSync(path.join(dir, 'vocab.json')) && existsSync(path.join(dir, 'merges.txt'))) return fromBpeFiles(dir, config, special);
  const sentencepiece = ['sentencepiece.bpe.model', 'spiece.model', 'tokenizer.model'].find((f) => existsSync(path.join(dir, f)));
  throw new CheckpointError(
    `${dir} has no tokenizer this library reads: expected ${HF_TOKENIZER_FILES.join(', or ')}` +
      (sentencepiece === undefined
        ? ''
        : `; it has ${sentencepiece} (SentencePiece), which is not read here: write a tokenizer.json with Python, ` +
          `python3 -c "from transformers import AutoTokenizer; AutoTokenizer.from_pretrained('${dir}').save_pretrained('${dir}')"`),
  );
}
