/**
 * `Gpt2Model`: GPT-2 (Radford et al., 2019, "Language Models are Unsupervised Multitask Learners") as a
 * decoder backbone, under Hugging Face `GPT2Model`'s names: `wte` (V, H) token and `wpe` (n_positions, H)
 * learned position embeddings, blocks `h.{i}.…` (./block.ts), final LayerNorm `ln_f`. The LM head is the
 * transposed `wte` (tied; `lm_head.weight` in `GPT2LMHeadModel` is a copy).
 */
import { tidy } from '../../tensor/index.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Module, ModuleList } from '../../nn/module.js';
import type { Backbone, HfNaming, ModelInputs, ModelOutput } from '../backbone.js';
import { causalBias, positionIds } from '../causal.js';
import { checkModelInputs } from '../inputs.js';
import { Gpt2Block } from './block.js';
import { gpt2Config, type Gpt2Config } from './config.js';

export class Gpt2Model extends Module implements Backbone {
  readonly kind = 'decoder';
  readonly config: Gpt2Config;
  readonly hfNames: HfNaming;
  /** weight (V, H) */
  readonly wte: Embedding;
  /** weight (maxPositionEmbeddings, H) */
  readonly wpe: Embedding;
  readonly drop: Dropout;
  readonly h: ModuleList<Gpt2Block>;
  readonly lnF: LayerNorm;

  /**
   * A GPT-2 decoder with fresh weights (Hugging Face's initialisation); load trained ones with `loadStateDict`.
   * @throws ConfigError for an invalid config.
   */
  constructor(config: Gpt2Config, hfNames: HfNaming, options: ParamOptions = {}) {
    super();
    this.config = gpt2Config({ ...config } as Record<string, unknown>);
    this.hfNames = hfNames;
    const c = this.config;
    const o: ParamOptions = { dtype: options.dtype, device: options.device };
    this.wte = this.registerModule('wte', new Embedding(c.vocabSize, c.hiddenSize, { ...o, initStd: c.initializerRange }));
    this.wpe = this.registerModule('wpe', new Embedding(c.maxPositionEmbeddings, c.hiddenSize, { ...o, initStd: c.initializerRange }));
    this.drop = this.registerModule('drop', new Dropout(c.embeddingDropoutProb));
    this.h = this.registerModule('h', new ModuleList(Array.from({ length: c.numHiddenLayers }, (_, i) => new Gpt2Block(c, i, o))));
    this.lnF = this.registerModule('ln_f', new LayerNorm(c.hiddenSize, c.layerNormEps, o));
  }

  inputEmbeddings(): Embedding {
    return this.wte;
  }

  layers(): readonly Gpt2Block[] {
    return this.h.items;
  }

  layerStack(): Module {
    return this.h;
  }

  /**
   * Runs the decoder on the new tokens `inputIds` (B, T), each attending to itself, the earlier new
   * tokens and the P tokens in `pastKeyValues` (whose keys and values it appends). `attentionMask` is
   * (B, P + T) over cached and new tokens (1 = real); positions count each row's real tokens, so left
   * and right padding give the real tokens the states they have alone.
   * @throws ShapeError for inputs that are not (B, T), a mask of another length, or P + T beyond maxPositionEmbeddings.
   */
  forward(inputs: ModelInputs): ModelOutput {
    const { inputIds, attentionMask, pastKeyValues: cache } = inputs;
    const P = cache?.length ?? 0;
    const n = this.config.maxPositionEmbeddings;
    checkModelInputs({ inputIds }, n - P, `the ${n} positions of ${this.config.modelType} (n_positions) less the ${P} cached tokens`);
    return tidy(() => {
      const [B, T] = inputIds.shape as [number, number];
      const positions = positionIds(attentionMask, T, P); // (B or 1, T)
      const x = this.drop.forward(this.wte.forward(inputIds).add_(this.wpe.forward(positions))); // (B, T, H)
      const bias = causalBias(attentionMask, B, T, P, x.dtype); // (B or 1, 1, T, P + T)
      let h = x;
      for (const block of this.h) {
        const next = block.forward(h, bias, cache);
        h.dispose();
        h = next;
      }
      return { lastHiddenState: this.lnF.forward(h) };
    });
  }
}
