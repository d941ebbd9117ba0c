/**
 * The head Hugging Face's BertFor…Classification models use: dropout, then one linear layer, over
 * whatever hidden states a task type reads (the pooled output, every token, …).
 */
import { Dropout } from '../nn/dropout.js';
import { Linear } from '../nn/linear.js';
import { tidy, type Tensor } from '../tensor/index.js';
import type { EncoderConfig } from './types.js';
import { TaskHead } from './types.js';

/** Dropout + Linear(H → C) applied to (…, H) states; subclasses choose the states in `forward` (`inputSize`: H plus what they add). */
export abstract class LinearHead extends TaskHead {
  readonly dropout: Dropout;
  /** weight (C, H), bias (C) */
  readonly classifier: Linear;

  constructor(encoder: EncoderConfig, numLabels: number, dropout: number, inputSize: number = encoder.hiddenSize) {
    super();
    this.dropout = this.registerModule('dropout', new Dropout(dropout));
    this.classifier = this.registerModule('classifier', new Linear(inputSize, numLabels, { initStd: encoder.initializerRange }));
  }

  /** states (…, H) → logits (…, C) */
  protected project(states: Tensor): Tensor {
    return tidy(() => this.classifier.forward(this.dropout.forward(states)));
  }
}
