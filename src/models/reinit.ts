/**
 * Re-initialising the top layers of a pre-trained backbone before fine-tuning (`encoder.reinit_layers`):
 * Zhang et al., "Revisiting Few-sample BERT Fine-tuning" (ICLR 2021, §5.2) find that the top layers of a
 * pre-trained encoder specialise to its pre-training objective, and that drawing them afresh makes
 * fine-tuning on small data better and more stable.
 */
import { ConfigError } from '../errors.js';
import { noGrad } from '../tensor/index.js';
import type { Backbone } from './backbone.js';

/**
 * Draws the parameters of the backbone's top `count` layers as a new model's are (BERT's
 * `_init_weights`, which the encoder families share): matrices N(0, initializer_range²), biases 0,
 * normalisation weights (the 1-D `weight`s of LayerNorm) 1. In place, without recording gradients;
 * draws from libtorch's default generator (`manualSeed` makes them repeatable).
 * @throws ConfigError when `count` is not an integer from 0 to the number of layers.
 */
export function reinitTopLayers(backbone: Backbone, count: number): void {
  const layers = backbone.layers();
  if (!Number.isInteger(count) || count < 0 || count > layers.length)
    throw new ConfigError(`encoder.reinit_layers: expected an integer from 0 to ${layers.length} (the encoder's layers), got ${count}`);
  const std = backbone.config.initializerRange;
  noGrad(() => {
    for (const layer of layers.slice(layers.length - count)) {
      for (const [name, p] of layer.namedParameters()) {
        if (name.endsWith('bias')) p.zero_();
        else if (p.shape.length === 1) p.fill_(1);
        else p.normal_(0, std);
      }
    }
  });
}
