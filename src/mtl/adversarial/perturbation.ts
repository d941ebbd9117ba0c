/**
 * Running a forward pass with a perturbation δ added to the backbone's input embeddings, through the
 * `Embedding` output hook (src/nn/embedding.ts) of `Backbone.inputEmbeddings()`: every family looks
 * its tokens up there, so the same code perturbs BERT, GPT-2, T5 or any registered family. Lookup i
 * of the pass gets part i of δ (an encoder-decoder looks up twice: source, then decoder inputs).
 */
import { ConfigError } from '../../errors.js';
import type { Embedding } from '../../nn/embedding.js';
import { keep, type Tensor } from '../../tensor/index.js';

/** How δ is given: its parts (one per lookup), or a maker of fresh leaf parts from each lookup's output. */
export type DeltaSource = readonly Tensor[] | ((embedded: Tensor) => Tensor);

/** What a perturbed pass gives back: the pass's result and the parts of δ it used, in lookup order. */
export interface PerturbedResult<T> {
  readonly result: T;
  readonly deltas: readonly Tensor[];
}

/**
 * Runs `pass` with δ added to every lookup of `embedding` (the hook is removed afterwards, also on a throw).
 * Parts made by a maker are kept out of every `tidy` and belong to `owned` (the caller disposes them).
 * @throws ConfigError when given parts do not match the lookups (count or shape).
 */
export function perturbed<T>(embedding: Embedding, source: DeltaSource, owned: Tensor[], pass: () => T): PerturbedResult<T> {
  const used: Tensor[] = [];
  const hook = (embedded: Tensor): Tensor => {
    let delta: Tensor;
    if (typeof source === 'function') {
      delta = keep(source(embedded));
      owned.push(delta);
    } else {
      const given = source[used.length];
      if (given === undefined)
        throw new ConfigError(`the pass looked up the input embeddings more often than δ has parts (${source.length})`);
      if (given.shape.join() !== embedded.shape.join())
        throw new ConfigError(`δ part ${used.length} is [${given.shape.join(', ')}] but the embeddings are [${embedded.shape.join(', ')}]`);
      delta = given;
    }
    used.push(delta);
    return embedded.add(delta);
  };
  return { result: embedding.withOutputHook(hook, pass), deltas: used };
}
