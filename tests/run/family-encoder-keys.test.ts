/**
 * A new encoder of another family than BERT takes its family's own config keys from the YAML file
 * (T5's num_decoder_layers, d_kv, relative_attention_num_buckets, feed_forward_proj; Llama's
 * num_key_value_heads, rope_theta): the built backbone has them (in its config and in its weight
 * shapes). A misspelled or invalid one is a ConfigError naming the key as the file spells it, before
 * any data is read; a BERT encoder (whose keys are all in the schema) reports the unknown key with
 * its line; beside `from` a family key is refused as the architecture keys are.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigFileError } from '../../src/io/config/index.js';
import type { LlamaConfig } from '../../src/models/llama/config.js';
import type { T5Config } from '../../src/models/t5/config.js';
import { buildModel, checkBackboneFamily } from '../../src/run/build.js';
import { taskSpec } from '../../src/tasks/index.js';
import { Tokenizer } from '../../src/tokenization/index.js';
import { checkNoLeaks } from '../helpers/leaks.js';
import { newEncoderConfig } from '../helpers/new-encoder-config.js';

checkNoLeaks();

const parse = (encoder: string) => newEncoderConfig(encoder, 'family.yaml');

const tokenizer = Tokenizer.fromString(
  JSON.stringify({
    version: '1.0',
    added_tokens: [{ id: 0, content: '[PAD]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: Object.fromEntries(['[PAD]', '[UNK]', 'a', 'b', 'c'].map((t, i) => [t, i])), unk_token: '[UNK]' },
  }),
);
const lm = [taskSpec({ name: 'lm', kind: 'causal-lm', labels: ['[vocabulary]'] })];
const mt = [taskSpec({ name: 'mt', kind: 'seq2seq', labels: ['[text]'] })];

describe("encoder: a family's own config keys", () => {
  it('T5: num_decoder_layers, d_kv, relative_attention_num_buckets, feed_forward_proj reach the backbone', () => {
    const config = parse(
      '{ model_type: t5, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 48, ' +
        'num_decoder_layers: 1, d_kv: 16, relative_attention_num_buckets: 8, feed_forward_proj: gated-gelu, tie_word_embeddings: false }',
    );
    checkBackboneFamily(config);
    using model = buildModel(config, tokenizer, mt);
    const c = model.backbone.config as T5Config;
    assert.deepEqual(
      [c.numHiddenLayers, c.numDecoderLayers, c.dKv, c.relativeAttentionNumBuckets, c.feedForwardProj, c.tieWordEmbeddings],
      [2, 1, 16, 8, 'gated-gelu', false],
    );
    const weights = model.backbone.stateDict();
    assert.deepEqual(weights.get('encoder.block.0.layer.0.SelfAttention.q.weight')?.shape, [4 * 16, 32]); // nh·d_kv × d_model
    assert.ok(
      weights.has('decoder.block.0.layer.0.SelfAttention.q.weight') && !weights.has('decoder.block.1.layer.0.SelfAttention.q.weight'),
    );
    assert.deepEqual(weights.get('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight')?.shape, [8, 4]);
    assert.ok(weights.has('encoder.block.0.layer.1.DenseReluDense.wi_1.weight'), 'gated-gelu');
  });

  it('Llama: num_key_value_heads and rope_theta reach the backbone (grouped-query key/value projections)', () => {
    const config = parse(
      '{ model_type: llama, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 48, ' +
        'num_key_value_heads: 2, rope_theta: 500000 }',
    );
    checkBackboneFamily(config);
    using model = buildModel(config, tokenizer, lm);
    const c = model.backbone.config as LlamaConfig;
    assert.deepEqual([c.numKeyValueHeads, c.ropeTheta], [2, 500000]);
    assert.deepEqual(model.backbone.stateDict().get('layers.0.self_attn.k_proj.weight')?.shape, [2 * 8, 32]); // nkv·hs × H
  });

  it('a misspelled or invalid family key is a ConfigError naming it as the file does, before any data is read', () => {
    assert.throws(
      () => checkBackboneFamily(parse('{ model_type: t5, hidden_size: 32, num_attention_heads: 4, num_decoder_layer: 1 }')),
      /encoder \(model_type t5\): unknown T5 config key 'num_decoder_layer'; did you mean 'num_decoder_layers'\?/,
    );
    assert.throws(
      () => checkBackboneFamily(parse('{ model_type: llama, hidden_size: 32, num_attention_heads: 4, num_key_value_heads: 3 }')),
      (e: Error) => e.name === 'ConfigError' && /num_key_value_heads/.test(e.message) && !/numKeyValueHeads/.test(e.message),
    );
    assert.throws(
      () => checkBackboneFamily(parse('{ model_type: t5, hidden_size: 32, num_attention_heads: 4, d_kv: "wide" }')),
      /encoder \(model_type t5\): .*d_kv/,
    );
  });

  it('BERT reports a key of another family with its line and the nearest key; beside `from` a family key is refused', () => {
    assert.throws(
      () => parse('{ hidden_size: 32, num_attention_heads: 4, num_decoder_layers: 1 }'),
      (e: unknown) =>
        e instanceof ConfigFileError &&
        /family\.yaml:3: encoder\.num_decoder_layers: unknown key 'num_decoder_layers'.*need its model_type/.test(e.message),
    );
    assert.throws(
      () => parse('{ from: some/checkpoint, d_kv: 16 }'),
      (e: unknown) => e instanceof ConfigFileError && /encoder\.d_kv: 'd_kv' cannot be set beside 'from'/.test(e.message),
    );
  });
});
