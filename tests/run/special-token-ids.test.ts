/**
 * A new encoder-decoder built from scratch pads, ends and starts decoding with its tokenizer's tokens,
 * not its family's defaults (BART's pad 1 / eos 2 are `[UNK]` and `[CLS]` in a WordPiece vocabulary
 * learned here, and the padding row of the embeddings is zeroed): pad = `[PAD]`, eos = `[SEP]`, the
 * decoder starts at pad where the family does (T5), else at `[CLS]` / `<s>`; ids the config gives are kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BartConfig } from '../../src/models/bart/config.js';
import type { T5Config } from '../../src/models/t5/config.js';
import { buildModel } from '../../src/run/build.js';
import { taskSpec } from '../../src/tasks/index.js';
import { Tokenizer } from '../../src/tokenization/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { newEncoderConfig } from '../helpers/new-encoder-config.js';

checkNoLeaks();

const parse = (encoder: string) => newEncoderConfig(encoder, 'special-ids.yaml');

/** A WordLevel tokenizer over `vocab` (ids in order), its first `special` tokens special. */
function tokenizerOf(vocab: readonly string[], special: number, unk: string): Tokenizer {
  return Tokenizer.fromString(
    JSON.stringify({
      version: '1.0',
      added_tokens: vocab
        .slice(0, special)
        .map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: null,
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), unk_token: unk },
    }),
  );
}

const wordPiece = tokenizerOf(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'c'], 5, '[UNK]');
const mt = [taskSpec({ name: 'mt', kind: 'seq2seq', labels: ['[text]'] })];
const small = 'hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16';

describe("a new encoder-decoder's special-token ids come from its tokenizer", () => {
  it('BART: pad [PAD], eos [SEP], decoder start [CLS]; the padding row is [PAD]’s, [UNK]’s is learned', () => {
    using model = buildModel(parse(`{ model_type: bart, ${small} }`), wordPiece, mt);
    const c = model.backbone.config as BartConfig;
    assert.deepEqual([c.padTokenId, c.eosTokenId, c.decoderStartTokenId], [0, 3, 2]);
    using magnitudes = model.backbone.stateDict().get('shared.weight')!.abs();
    using perRow = magnitudes.sum([1]);
    const rows = perRow.toArray() as number[];
    assert.equal(rows[0], 0, 'the [PAD] row is the zeroed padding row');
    assert.ok(rows[1]! > 0, 'the [UNK] row is an ordinary embedding');
  });

  it('T5: pad [PAD], eos [SEP], decoder start at pad', () => {
    using model = buildModel(parse(`{ model_type: t5, ${small} }`), wordPiece, mt);
    const c = model.backbone.config as T5Config;
    assert.deepEqual([c.padTokenId, c.eosTokenId, c.decoderStartTokenId], [0, 3, 0]);
  });

  it('RoBERTa-style names (<pad>, </s>) are found; ids the config gives are kept', () => {
    const bpe = tokenizerOf(['<s>', '<pad>', '</s>', '<unk>', 'a', 'b'], 4, '<unk>');
    using model = buildModel(parse(`{ model_type: bart, ${small} }`), bpe, mt);
    const c = model.backbone.config as BartConfig;
    assert.deepEqual([c.padTokenId, c.eosTokenId, c.decoderStartTokenId], [1, 2, 0], '<pad>, </s>, <s>');
    using given = buildModel(parse(`{ model_type: bart, ${small}, decoder_start_token_id: 2 }`), bpe, mt);
    assert.equal((given.backbone.config as BartConfig).decoderStartTokenId, 2);
  });
});
