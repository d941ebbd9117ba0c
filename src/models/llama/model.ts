/**
 * `LlamaModel`: Llama (Touvron et al., 2023) as a decoder backbone, under Hugging Face `LlamaModel`'s
 * names: `embed_tokens` (V, H), `layers.{i}.…` (./block.ts), final RMSNorm `norm`. No position embedding:
 * positions enter as rotations of q and k (../rotary.ts). The LM head is the input embeddings when
 * `tieWordEmbeddings` (Press & Wolf, EACL 2017; some small Qwen2 and Llama 3.2 sizes), else a weight of its
 * own, `lm_head` (V, H) (Llama 2/3-8B, Mistral, most Qwen2 sizes): a parameter of this backbone, saved as
 * `lm_head.weight` beside the base model (`LlamaForCausalLM`'s name), trained and exported with it.
 */
import { CheckpointError } from '../../errors.js';
import { Embedding } from '../../nn/embedding.js';
import type { ParamOptions } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { Module, ModuleList, type LoadResult } from '../../nn/module.js';
import { tidy, type Tensor } from '../../tensor/index.js';
import type { Backbone, HfNaming, ModelInputs, ModelOutput } from '../backbone.js';
import { causalBias, positionIds } from '../causal.js';
import { checkModelInputs } from '../inputs.js';
import { rotaryAngles } from '../rotary.js';
import { LlamaDecoderLayer } from './block.js';
import { RMSNorm } from '../../nn/rms-norm.js';
import { llamaConfig, type LlamaConfig } from './config.js';

export class LlamaModel extends Module implements Backbone {
  readonly kind = 'decoder';
  readonly config: LlamaConfig;
  readonly hfNames: HfNaming;
  /** weight (V, H) */
  readonly embedTokens: Embedding;
  readonly layers_: ModuleList<LlamaDecoderLayer>;
  readonly norm: RMSNorm;
  /** weight (V, H): the untied LM head (`lm_head`); undefined when tied to `embedTokens`. */
  readonly lmHead: Linear | undefined;

  /**
   * A Llama decoder with fresh weights (N(0, initializerRange²), as Hugging Face); load trained ones with `loadStateDict`.
   * @throws ConfigError for an invalid config.
   */
  constructor(config: LlamaConfig, hfNames: HfNaming, options: ParamOptions = {}) {
    super();
    this.config = llamaConfig({ ...config } as Record<string, unknown>);
    this.hfNames = hfNames;
    const c = this.config;
    const o: ParamOptions = { dtype: options.dtype, device: options.device };
    this.embedTokens = this.registerModule(
      'embed_tokens',
      new Embedding(c.vocabSize, c.hiddenSize, { ...o, initStd: c.initializerRange, paddingIdx: c.padTokenId ?? undefined }),
    );
    this.layers_ = this.registerModule(
      'layers',
      new ModuleList(Array.from({ length: c.numHiddenLayers }, (_, i) => new LlamaDecoderLayer(c, i, o))),
    );
    this.norm = this.registerModule('norm', new RMSNorm(c.hiddenSize, c.layerNormEps, o));
    this.lmHead = c.tieWordEmbeddings
      ? undefined
      : this.registerModule('lm_head', new Linear(c.hiddenSize, c.vocabSize, { ...o, bias: false, initStd: c.initializerRange }));
  }

  /** The LM head's weight (V, H) when untied (`lm_head.weight`); undefined when the head is the input embeddings. */
  outputEmbeddings(): Tensor | undefined {
    return this.lmHead?.weight;
  }

  /**
   * Loads weights by Hugging Face names; a tied model skips `lm_head.weight` (a copy of
   * `embed_tokens.weight` that older `pytorch_model.bin` files hold). An untied one needs it (strictly):
   * its logits are `lm_head`'s, never the embeddings'.
   */
  override loadStateDict(state: ReadonlyMap<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    if (this.lmHead === undefined) return super.loadStateDict(new Map([...state].filter(([k]) => k !== 'lm_head.weight')), options);
    if ((options.strict ?? true) && !state.has('lm_head.weight') && state.has('embed_tokens.weight'))
      throw new CheckpointError(
        `the weights have no lm_head.weight, but the config says the LM head is a weight of its own (tie_word_embeddings: false). ` +
          'A checkpoint of multitask-lm saved before untied heads were kept (issue 13) used the embeddings as its head whatever ' +
          'config.json said: set "tie_word_embeddings": true in its config.json',
      );
    return super.loadStateDict(state, options);
  }

  inputEmbeddings(): Embedding {
    return this.embedTokens;
  }

  layers(): readonly LlamaDecoderLayer[] {
    return this.layers_.items;
  }

  layerStack(): Module {
    return this.layers_;
  }

  /**
   * Runs the decoder on the new tokens `inputIds` (B, T) after the P tokens in `pastKeyValues` (see
   * `Gpt2Model.forward`: the same mask and position conventions).
   * @throws ShapeError for inputs that are not (B, T), a mask of another length, or P + T beyond maxPositionEmbeddings.
   */
  forward(inputs: ModelInputs): ModelOutput {
    const { inputIds, attentionMask, pastKeyValues: cache } = inputs;
    const P = cache?.length ?? 0;
    const n = this.config.maxPositionEmbeddings;
    checkModelInputs(
      { inputIds },
      n - P,
      `the ${n} positions of ${this.config.modelType} (max_position_embeddings) less the ${P} cached tokens`,
    );
    return tidy(() => {
      const [B, T] = inputIds.shape as [number, number];
      const c = this.config;
      const rotary = rotaryAngles(positionIds(attentionMask, T, P), c.hiddenSize / c.numAttentionHeads, c.ropeTheta);
      const x = this.embedTokens.forward(inputIds); // (B, T, H)
      const bias = causalBias(attentionMask, B, T, P, x.dtype, c.slidingWindow ?? undefined);
      let h = x;
      for (const layer of this.layers_) {
        const next = layer.forward(h, bias, rotary, cache);
        h.dispose();
        h = next;
      }
      return { lastHiddenState: this.norm.forward(h) };
    });
  }
}
