/**
 * The replaced-token-detection head (Clark et al., ICLR 2020): the generator (./generator.ts) and the
 * discriminator's per-token classifier, with the run's shared backbone as the discriminator's encoder.
 * It reads the batch's inputs itself (`readsEncoder` false), because the discriminator's input depends
 * on the generator's samples: masked ids → generator → sampled tokens at the masked positions →
 * corrupted ids → backbone → classifier. Its parameters are saved under `heads.<task>.generator.…`
 * and `heads.<task>.discriminator_predictions.…`; the backbone's are the encoder's, as for any task.
 */
import { ConfigError } from '../../errors.js';
import type { Backbone, BackboneConfig } from '../../models/backbone.js';
import { ACTIVATIONS } from '../../models/bert/layer.js';
import type { HiddenAct } from '../../models/bert/config.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { tidy, type Tensor } from '../../tensor/index.js';
import { TaskHead, type HeadInputs, type TieableEncoder } from '../types.js';
import { ElectraGenerator, generatorConfig, type GeneratorShape } from './generator.js';
import { maskedPositions } from '../masked-positions.js';
import { corrupt, packOutputs, sampleTokens } from './objective.js';

/** ELECTRA's `discriminator_predictions`: dense H→H, activation, dense H→1; (B, T, H) → (B, T). */
export class DiscriminatorPredictions extends Module {
  readonly dense: Linear;
  readonly densePrediction: Linear;
  readonly #act: (x: Tensor) => Tensor;

  constructor(c: BackboneConfig) {
    super();
    this.#act = ACTIVATIONS[(c.hiddenAct in ACTIVATIONS ? c.hiddenAct : 'gelu') as HiddenAct];
    this.dense = this.registerModule('dense', new Linear(c.hiddenSize, c.hiddenSize, { initStd: c.initializerRange }));
    this.densePrediction = this.registerModule('dense_prediction', new Linear(c.hiddenSize, 1, { initStd: c.initializerRange }));
  }

  forward(hiddenStates: Tensor): Tensor {
    return tidy(() => this.densePrediction.forward(this.#act(this.dense.forward(hiddenStates))).squeeze(-1));
  }
}

export class ReplacedTokenDetectionHead extends TaskHead {
  readonly generator: ElectraGenerator;
  readonly discriminatorPredictions: DiscriminatorPredictions;
  #backbone: Backbone | undefined;

  /**
   * @param backbone the discriminator's config (the run's backbone).
   * @param embeddingSize E, the width of its word embeddings (ELECTRA's `embeddingSize`; H for BERT).
   */
  constructor(
    readonly taskName: string,
    backbone: BackboneConfig,
    embeddingSize: number,
    shape: GeneratorShape,
  ) {
    super();
    this.generator = this.registerModule('generator', new ElectraGenerator(generatorConfig(backbone, shape), embeddingSize));
    this.discriminatorPredictions = this.registerModule('discriminator_predictions', new DiscriminatorPredictions(backbone));
  }

  /** Keeps the backbone: the discriminator's encoder, whose word embeddings the generator shares. */
  override tieTo(backbone: TieableEncoder): void {
    const b = backbone as Backbone;
    if (b.kind !== 'encoder')
      throw new ConfigError(
        `task '${this.taskName}': replaced-token detection needs an encoder backbone, got a ${b.kind} (${b.config.modelType})`,
      );
    this.#backbone = b;
  }

  override get readsEncoder(): boolean {
    return false;
  }

  override forward(): Tensor {
    throw new ConfigError(`task '${this.taskName}': the replaced-token-detection head reads the batch's inputs; call forwardInputs`);
  }

  /**
   * inputs.inputIds (B, T) the masked ids, inputs.maskedLabels (B, T) the originals at the masked
   * positions (-100 elsewhere) → (B, T, 4), channels as `RTD_CHANNEL` (./objective.ts).
   * @throws ConfigError without maskedLabels (a batch another task type collated) or a backbone.
   */
  override forwardInputs(inputs: HeadInputs): Tensor {
    const b = this.#backbone;
    if (b === undefined) throw new ConfigError(`task '${this.taskName}': the head is not on a backbone; call head.tieTo(backbone) first`);
    const maskedLabels = inputs.maskedLabels;
    if (maskedLabels === undefined)
      throw new ConfigError(`task '${this.taskName}': the inputs carry no maskedLabels; collate the batch with replaced-token-detection`);
    return tidy(() => {
      const positions = maskedPositions(maskedLabels); // (N)
      const words = b.inputEmbeddings().weight; // (V, E), shared
      const generatorLogits = this.generator.forward(words, inputs.inputIds, inputs.attentionMask, positions); // (N, V)
      const c = corrupt(inputs.inputIds, maskedLabels, positions, sampleTokens(generatorLogits));
      const { lastHiddenState } = b.forward({
        inputIds: c.corruptedIds,
        attentionMask: inputs.attentionMask,
        tokenTypeIds: inputs.tokenTypeIds,
      });
      return packOutputs(this.discriminatorPredictions.forward(lastHiddenState), generatorLogits, positions, c); // (B, T, 4)
    });
  }
}
