/**
 * Task heads as ONNX ops over an encoder graph (./encoders.ts), one per Transformers task class a task
 * type exports to (`HfExport.head`), computing what the heads in src/tasks/ compute in evaluation mode:
 * - SequenceClassification: the pooled output (the pooler's, or the first token's state for a family
 *   without one) → `classifier` → `logits` (B, C);
 * - TokenClassification: every token's state → `classifier` → `logits` (B, T, C);
 * - QuestionAnswering: every token's state → `qa_outputs` (2 per token) → `start_logits`, `end_logits` (B, T).
 */
import { ConfigError } from '../../errors.js';
import type { HfExport } from '../../tasks/index.js';
import { firstToken, type EncoderGraph } from './encoders.js';
import type { Dim, GraphBuilder } from './graph.js';

/** The Transformers task heads with an ONNX graph here. */
export const ONNX_HEADS: readonly HfExport['head'][] = ['SequenceClassification', 'TokenClassification', 'QuestionAnswering'];

/** One output of a head: the graph value holding it, and its shape. */
export interface HeadOutput {
  readonly value: string;
  readonly dims: readonly Dim[];
}

/**
 * Adds a task's head to `g`.
 * @param prefix where the head's tensors are in `g`'s weights (`heads.<task>.`); C is the rows of its classifier.
 * @returns the head's outputs by their Transformers names (`logits`, or `start_logits` and `end_logits`).
 */
export function headGraph(g: GraphBuilder, encoder: EncoderGraph, head: HfExport['head'], prefix: string): Record<string, HeadOutput> {
  const { lastHiddenState } = encoder;
  const numLabels = head === 'QuestionAnswering' ? 2 : g.rows(`${prefix}classifier.weight`); // C
  if (head === 'SequenceClassification') {
    const pooled = encoder.pooledOutput ?? firstToken(g, lastHiddenState); // (B, H)
    return { logits: { value: g.linear(pooled, `${prefix}classifier.`), dims: ['batch_size', numLabels] } };
  }
  if (head === 'TokenClassification')
    return { logits: { value: g.linear(lastHiddenState, `${prefix}classifier.`), dims: ['batch_size', 'sequence_length', numLabels] } };
  if (head !== 'QuestionAnswering') throw new ConfigError(`a ${head} head has no ONNX graph here; the heads are ${ONNX_HEADS.join(', ')}`);
  const both = g.linear(lastHiddenState, `${prefix}qa_outputs.`); // (B, T, 2)
  const [start, end] = g.opMulti('Split', [both], 2, { axis: { int: -1 } }) as [string, string]; // (B, T, 1) each
  const squeeze = (x: string) => g.op('Squeeze', [x, g.ints([-1])]);
  const dims = ['batch_size', 'sequence_length'];
  return { start_logits: { value: squeeze(start), dims }, end_logits: { value: squeeze(end), dims } };
}
