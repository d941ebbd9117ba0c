/**
 * A one-layer bidirectional LSTM over padded rows (Hochreiter & Schmidhuber, "Long Short-Term Memory",
 * 1997; bidirectional: Graves & Schmidhuber, 2005), the sequence layer of Ma & Hovy's BiLSTM-CNN-CRF
 * tagger ("End-to-end Sequence Labeling via Bi-directional LSTM-CNNs-CRF", ACL 2016, §2.2). Its results
 * are torch.nn.LSTM(bidirectional=True, batch_first=True)'s over the packed sequences
 * (pack_padded_sequence): each row's backward direction starts at its own last real position, not at the
 * batch's padding, so a row's outputs do not depend on how far it was padded. Parameters carry
 * torch.nn.LSTM's names and layout (gates i, f, g, o stacked in rows).
 */
import { defineOp } from '../tensor/dispatch.js';
import { runMany } from '../tensor/ops/run.js';
import { arange, cast, cat, gather, tidy, where, zeros, type Tensor } from '../tensor/index.js';
import { uniformInit, type ParamOptions } from './init.js';
import { Module } from './module.js';

const LSTM = defineOp('aten::lstm', 'input');

export class BiLstm extends Module {
  /** Forward direction: (4H, I), (4H, H), (4H), (4H). */
  readonly weight_ih_l0: Tensor;
  readonly weight_hh_l0: Tensor;
  readonly bias_ih_l0: Tensor;
  readonly bias_hh_l0: Tensor;
  /** Backward direction, the same shapes. */
  readonly weight_ih_l0_reverse: Tensor;
  readonly weight_hh_l0_reverse: Tensor;
  readonly bias_ih_l0_reverse: Tensor;
  readonly bias_hh_l0_reverse: Tensor;

  /**
   * Every weight and bias from U(±1/√H), as torch.nn.LSTM initialises them.
   * @param inputSize I; `hiddenSize` H per direction (the output has 2H).
   */
  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    o: ParamOptions = {},
  ) {
    super();
    const bound = 1 / Math.sqrt(hiddenSize);
    const param = (name: string, shape: number[]) => this.registerParameter(name, uniformInit(shape, bound, o));
    const H4 = 4 * hiddenSize;
    this.weight_ih_l0 = param('weight_ih_l0', [H4, inputSize]);
    this.weight_hh_l0 = param('weight_hh_l0', [H4, hiddenSize]);
    this.bias_ih_l0 = param('bias_ih_l0', [H4]);
    this.bias_hh_l0 = param('bias_hh_l0', [H4]);
    this.weight_ih_l0_reverse = param('weight_ih_l0_reverse', [H4, inputSize]);
    this.weight_hh_l0_reverse = param('weight_hh_l0_reverse', [H4, hiddenSize]);
    this.bias_ih_l0_reverse = param('bias_ih_l0_reverse', [H4]);
    this.bias_hh_l0_reverse = param('bias_hh_l0_reverse', [H4]);
  }

  /**
   * x (B, T, I) with row b's real positions [0, lengths[b]) → (B, T, 2H): [forward | backward] states,
   * zero at padding positions.
   * @param lengths (B) int64, each row's number of real positions, in [0, T] (an attention mask's row sums).
   */
  forward(x: Tensor, lengths: Tensor): Tensor {
    const [B, T] = x.shape as [number, number, number];
    const H = this.hiddenSize;
    return tidy(() => {
      const t = arange(0, T, 1, { dtype: 'int64', device: x.device }).unsqueeze(0); // (1, T)
      const n = lengths.unsqueeze(1); // (B, 1)
      const real = t.lt(n); // (B, T)
      // Reverses each row's real positions in place and leaves its padding where it is: an involution.
      const order = where(real, n.sub(1).sub(t), t).unsqueeze(2); // (B, T, 1)
      const reverse = (y: Tensor) => gather(y, 1, order.expand([B, T, y.shape[2]!]));
      const h0 = zeros([1, B, H], { dtype: x.dtype, device: x.device });
      const direction = (input: Tensor, params: Tensor[]) =>
        runMany(
          LSTM,
          input.id,
          [h0.id, h0.id],
          params.map((p) => p.id),
          true,
          1,
          0,
          this.training,
          false,
          true,
        )[0]!; // (B, T, H)
      const forward = direction(x, [this.weight_ih_l0, this.weight_hh_l0, this.bias_ih_l0, this.bias_hh_l0]);
      const backward = reverse(
        direction(reverse(x), [this.weight_ih_l0_reverse, this.weight_hh_l0_reverse, this.bias_ih_l0_reverse, this.bias_hh_l0_reverse]),
      );
      return cat([forward, backward], 2).mul(cast(real, x.dtype).unsqueeze(2));
    });
  }
}
