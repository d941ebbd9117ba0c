/**
 * Each encoder family's forward as ONNX ops, reading the weights under the family's Hugging Face
 * base-model names, as src/models/<family>/ computes it in evaluation mode (dropout is the identity):
 * - bert, electra: word + position (0…T−1) + token-type embeddings, LayerNorm (ELECTRA then projects
 *   E → H with `embeddings_project` when it has one), post-LN layers (`encoder.layer.{i}`); BERT's pooler;
 * - roberta, xlm-roberta: the same with RoBERTa's positions (padding id + the 1-based index among
 *   the row's non-padding tokens) and no token-type input (its one segment's row is added);
 * - distilbert: word + position embeddings, LayerNorm, DistilBERT's blocks (`transformer.layer.{i}`).
 * Inputs: `input_ids`, `attention_mask` (and `token_type_ids` for BERT and ELECTRA), int64 (batch_size, sequence_length).
 */
import { ConfigError } from '../../errors.js';
import type { BackboneConfig } from '../../models/backbone.js';
import { attentionBias, selfAttention } from './attention.js';
import { ONNX_INT64, type GraphBuilder } from './graph.js';

/** The names of an encoder graph's values. */
export interface EncoderGraph {
  /** (B, T, H) float32. */
  readonly lastHiddenState: string;
  /** (B, H) the pooler's tanh(dense(first token)), for families with a pooler in the checkpoint. */
  readonly pooledOutput?: string;
  /** The (B, T) int64 attention-mask input. */
  readonly attentionMask: string;
}

const AXES = ['batch_size', 'sequence_length'] as const;

type EncoderGraphBuilder = (g: GraphBuilder, c: BackboneConfig) => EncoderGraph;

/** The families whose encoder has an ONNX graph here, by config.json's `model_type`. */
const ENCODER_GRAPHS: Readonly<Record<string, EncoderGraphBuilder>> = {
  bert: (g, c) => bertLike(g, c, 'absolute', true),
  electra: (g, c) => bertLike(g, c, 'absolute', true),
  roberta: (g, c) => bertLike(g, c, 'roberta', false),
  'xlm-roberta': (g, c) => bertLike(g, c, 'roberta', false),
  distilbert: distilBert,
};

/** The model types `encoderGraph` takes. */
export const ONNX_ENCODER_TYPES: readonly string[] = Object.keys(ENCODER_GRAPHS);

/**
 * Adds the encoder of `config`'s family to `g` (its inputs included).
 * @throws ConfigError for a family without an ONNX graph here (decoders, encoder-decoders).
 */
export function encoderGraph(g: GraphBuilder, config: BackboneConfig): EncoderGraph {
  const build = ENCODER_GRAPHS[config.modelType];
  if (build === undefined)
    throw new ConfigError(
      `ONNX export takes the encoder families ${ONNX_ENCODER_TYPES.join(', ')}; this checkpoint's model_type is '${config.modelType}'`,
    );
  return build(g, config);
}

/** The first position's state (B, T, H) → (B, H). */
export function firstToken(g: GraphBuilder, hidden: string): string {
  return g.op('Gather', [hidden, g.ints([0], [])], { axis: { int: 1 } });
}

/** Rows 0…T−1 of the position table `<prefix>position_embeddings.weight`, T the length of `inputIds`: (T, H). */
function absolutePositions(g: GraphBuilder, inputIds: string, prefix: string): string {
  const T = g.op('Shape', [inputIds], { start: { int: 1 }, end: { int: 2 } }); // [T]
  return g.op('Slice', [g.weight(`${prefix}position_embeddings.weight`), g.ints([0]), T, g.ints([0])]);
}

/** RoBERTa's position ids (B, T): padTokenId + cumsum(ids ≠ pad)·(ids ≠ pad), looked up: (B, T, H). */
function robertaPositions(g: GraphBuilder, inputIds: string, padTokenId: number): string {
  const real = g.op('Cast', [g.op('Not', [g.op('Equal', [inputIds, g.ints([padTokenId], [])])])], { to: { int: ONNX_INT64 } });
  const ids = g.op('Add', [g.op('Mul', [g.op('CumSum', [real, g.ints([1], [])]), real]), g.ints([padTokenId], [])]);
  return g.op('Gather', [g.weight('embeddings.position_embeddings.weight'), ids]);
}

/** BERT's layers (`encoder.layer.{i}`): LN(x + attention) then LN(· + FFN), post-LN. */
function bertLayers(g: GraphBuilder, c: BackboneConfig, x: string, bias: string): string {
  let h = x;
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const p = `encoder.layer.${i}.`;
    const names = { query: `${p}attention.self.query.`, key: `${p}attention.self.key.`, value: `${p}attention.self.value.` };
    const context = selfAttention(g, h, bias, names, c.numAttentionHeads, c.hiddenSize);
    const a = g.layerNorm(
      g.op('Add', [g.linear(context, `${p}attention.output.dense.`), h]),
      `${p}attention.output.LayerNorm.`,
      c.layerNormEps,
    );
    const inner = g.activation(g.linear(a, `${p}intermediate.dense.`), c.hiddenAct);
    h = g.layerNorm(g.op('Add', [g.linear(inner, `${p}output.dense.`), a]), `${p}output.LayerNorm.`, c.layerNormEps);
  }
  return h;
}

/** BERT, ELECTRA (absolute positions, token types) and RoBERTa / XLM-R (RoBERTa's positions, one segment). */
function bertLike(g: GraphBuilder, c: BackboneConfig, positions: 'absolute' | 'roberta', tokenTypes: boolean): EncoderGraph {
  const inputIds = g.input('input_ids', ONNX_INT64, AXES);
  const attentionMask = g.input('attention_mask', ONNX_INT64, AXES);
  const types = g.weight('embeddings.token_type_embeddings.weight');
  const segment = tokenTypes
    ? g.op('Gather', [types, g.input('token_type_ids', ONNX_INT64, AXES)]) // (B, T, E)
    : g.op('Gather', [types, g.ints([0], [])]); // segment 0's row, (E)
  const position =
    positions === 'absolute' ? absolutePositions(g, inputIds, 'embeddings.') : robertaPositions(g, inputIds, c.padTokenId ?? 1);
  const words = g.op('Gather', [g.weight('embeddings.word_embeddings.weight'), inputIds]); // (B, T, E)
  const sum = g.op('Add', [g.op('Add', [words, segment]), position]);
  const embedded = g.layerNorm(sum, 'embeddings.LayerNorm.', c.layerNormEps);
  const x = g.has('embeddings_project.weight') ? g.linear(embedded, 'embeddings_project.') : embedded; // ELECTRA: E → H
  const lastHiddenState = bertLayers(g, c, x, attentionBias(g, attentionMask));
  if (!g.has('pooler.dense.weight')) return { lastHiddenState, attentionMask };
  const pooledOutput = g.op('Tanh', [g.linear(firstToken(g, lastHiddenState), 'pooler.dense.')]);
  return { lastHiddenState, pooledOutput, attentionMask };
}

/** DistilBERT: LN(x + out_lin(attention)) then LN(· + lin2(act(lin1(·)))), q scaled before the product. */
function distilBert(g: GraphBuilder, c: BackboneConfig): EncoderGraph {
  const inputIds = g.input('input_ids', ONNX_INT64, AXES);
  const attentionMask = g.input('attention_mask', ONNX_INT64, AXES);
  const words = g.op('Gather', [g.weight('embeddings.word_embeddings.weight'), inputIds]);
  let h = g.layerNorm(g.op('Add', [words, absolutePositions(g, inputIds, 'embeddings.')]), 'embeddings.LayerNorm.', c.layerNormEps);
  const bias = attentionBias(g, attentionMask);
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const p = `transformer.layer.${i}.`;
    const names = { query: `${p}attention.q_lin.`, key: `${p}attention.k_lin.`, value: `${p}attention.v_lin.` };
    const context = selfAttention(g, h, bias, names, c.numAttentionHeads, c.hiddenSize, true);
    const a = g.layerNorm(g.op('Add', [g.linear(context, `${p}attention.out_lin.`), h]), `${p}sa_layer_norm.`, c.layerNormEps);
    const inner = g.activation(g.linear(a, `${p}ffn.lin1.`), c.hiddenAct);
    h = g.layerNorm(g.op('Add', [g.linear(inner, `${p}ffn.lin2.`), a]), `${p}output_layer_norm.`, c.layerNormEps);
  }
  return { lastHiddenState: h, attentionMask };
}
