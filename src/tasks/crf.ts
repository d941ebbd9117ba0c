/**
 * A linear-chain conditional random field over per-position tag scores (Lafferty, McCallum & Pereira,
 * "Conditional Random Fields", ICML 2001; as a layer over neural emissions: Lample et al., "Neural
 * Architectures for Named Entity Recognition", NAACL 2016, §2.2). The probability of a tag path
 * y_1…y_n of one sequence is exp(s(y)) / Z with
 *   s(y) = start[y_1] + Σ_t emissions[t, y_t] + Σ_{t>1} transitions[y_{t−1}, y_t] + end[y_n],
 * Z summed over all Cⁿ paths by the forward algorithm; the best path comes from Viterbi.
 * Parameters and their layout follow pytorch-crf (`transitions`, `start_transitions`,
 * `end_transitions`; transitions[i][j] scores tag i followed by tag j), the CRF that JointBERT's
 * `--use_crf` and most BERT-CRF taggers use, so the tensors map one-to-one.
 */
import { ShapeError } from '../errors.js';
import { Module } from '../nn/module.js';
import { uniformInit } from '../nn/init.js';
import { gather, indexSelect, logsumexp, tensor, tidy, where, type Tensor } from '../tensor/index.js';

/** One row's tags must fit the emissions: at most L of them, each in [0, C). */
function checkTags(tags: readonly (readonly number[])[], B: number, L: number, C: number): void {
  if (tags.length !== B) throw new ShapeError(`CRF: ${tags.length} tag rows for a batch of ${B}`);
  tags.forEach((row, b) => {
    if (row.length > L) throw new ShapeError(`CRF: row ${b} has ${row.length} tags but the emissions only ${L} positions`);
    for (const y of row)
      if (!Number.isInteger(y) || y < 0 || y >= C) throw new ShapeError(`CRF: row ${b} has tag id ${y}, expected 0 ≤ id < ${C}`);
  });
}

export class LinearChainCrf extends Module {
  /** (C, C) score of tag i followed by tag j at [i][j]. */
  readonly transitions: Tensor;
  /** (C) score of a path starting with each tag. */
  readonly startTransitions: Tensor;
  /** (C) score of a path ending with each tag. */
  readonly endTransitions: Tensor;

  /** @param numTags C; parameters drawn from U(−0.1, 0.1), as pytorch-crf. */
  constructor(readonly numTags: number) {
    super();
    this.transitions = this.registerParameter('transitions', uniformInit([numTags, numTags], 0.1));
    this.startTransitions = this.registerParameter('start_transitions', uniformInit([numTags], 0.1));
    this.endTransitions = this.registerParameter('end_transitions', uniformInit([numTags], 0.1));
  }

  #checkEmissions(emissions: Tensor): [number, number, number] {
    const s = emissions.shape;
    if (s.length !== 3 || s[2] !== this.numTags || (s[1] as number) < 1)
      throw new ShapeError(`CRF: emissions must be (B, L ≥ 1, C = ${this.numTags}), got [${s.join(', ')}]`);
    return s as [number, number, number];
  }

  /**
   * Negative log-likelihood of the gold paths, summed over rows and divided by the number of tagged
   * positions (pytorch-crf's `reduction='token_mean'`), so its scale matches a token-level
   * cross-entropy. Row b's path is `tags[b]`, over emission positions 0…tags[b].length−1 (the
   * positions after it are padding); a row with no tags adds nothing. Zero (with a gradient of zero)
   * when no row has a tag.
   * @param emissions (B, L, C) float scores of each tag at each position.
   * @param tags B rows of tag ids in [0, C), each at most L long.
   * @returns scalar.
   * @throws ShapeError when shapes or tag ids do not fit.
   */
  negLogLikelihood(emissions: Tensor, tags: readonly (readonly number[])[]): Tensor {
    const [B, L, C] = this.#checkEmissions(emissions);
    checkTags(tags, B, L, C);
    const positions = tags.reduce((n, row) => n + row.length, 0);
    return tidy(() => {
      if (positions === 0) return emissions.sum().mul(0);
      const padded = tags.map((row) => Array.from({ length: L }, (_, t) => row[t] ?? 0));
      const maskRows = tags.map((row) => Array.from({ length: L }, (_, t) => t < row.length));
      const tagIds = tensor(padded, { dtype: 'int64' }); // (B, L)
      const mask = tensor(maskRows, { dtype: 'bool' }); // (B, L)
      const maskF = mask.to('float32');
      const rowWeight = tensor(tags.map((row) => (row.length > 0 ? 1 : 0))); // (B)

      // Score of each gold path.
      const emitted = gather(emissions, 2, tagIds.unsqueeze(2)).squeeze(2).mul(maskF).sum(1); // (B)
      let score = emitted.add(indexSelect(this.startTransitions, 0, tagIds.select(1, 0))).add(
        indexSelect(
          this.endTransitions,
          0,
          tensor(
            tags.map((row) => row[row.length - 1] ?? 0),
            { dtype: 'int64' },
          ),
        ),
      );
      if (L > 1) {
        const pairs = tensor(
          padded.map((row) => row.slice(1).map((y, t) => (row[t] as number) * C + y)),
          { dtype: 'int64' },
        ); // (B, L − 1) flat index prev·C + next
        const moved = indexSelect(this.transitions.flatten(), 0, pairs.flatten()).reshape([B, L - 1]);
        score = score.add(moved.mul(maskF.narrow(1, 1, L - 1)).sum(1));
      }

      // log Z by the forward algorithm; a padded position leaves alpha unchanged.
      let alpha = this.startTransitions.unsqueeze(0).add(emissions.select(1, 0)); // (B, C)
      for (let t = 1; t < L; t++) {
        const next = logsumexp(alpha.unsqueeze(2).add(this.transitions).add(emissions.select(1, t).unsqueeze(1)), 1); // (B, C)
        alpha = where(mask.select(1, t).unsqueeze(1), next, alpha);
      }
      const logZ = logsumexp(alpha.add(this.endTransitions), 1); // (B)
      return logZ.sub(score).mul(rowWeight).sum().div(positions);
    });
  }

  /**
   * The highest-scoring tag path of each row (Viterbi), computed on plain numbers.
   * @param emissions (B, L, C) float.
   * @param lengths (B) positions of each row to decode (0 ≤ lengths[b] ≤ L); 0 gives an empty path.
   * @returns B paths of tag ids, row b of length lengths[b].
   * @throws ShapeError when shapes do not fit.
   */
  viterbi(emissions: Tensor, lengths: readonly number[]): number[][] {
    const [B, L, C] = this.#checkEmissions(emissions);
    if (lengths.length !== B || lengths.some((n) => !Number.isInteger(n) || n < 0 || n > L))
      throw new ShapeError(`CRF: expected ${B} lengths in [0, ${L}], got [${lengths.join(', ')}]`);
    const scores = emissions.toFlatArray() as number[]; // (B, L, C) row-major
    const trans = this.transitions.toFlatArray() as number[];
    const start = this.startTransitions.toFlatArray() as number[];
    const end = this.endTransitions.toFlatArray() as number[];
    return lengths.map((n, b) => {
      if (n === 0) return [];
      const at = (t: number, y: number) => scores[(b * L + t) * C + y] as number;
      let best = Float64Array.from({ length: C }, (_, y) => (start[y] as number) + at(0, y));
      const back: Int32Array[] = [];
      for (let t = 1; t < n; t++) {
        const next = new Float64Array(C);
        const from = new Int32Array(C);
        for (let y = 0; y < C; y++) {
          let top = -Infinity;
          for (let prev = 0; prev < C; prev++) {
            const s = (best[prev] as number) + (trans[prev * C + y] as number);
            if (s > top) [top, from[y]] = [s, prev];
          }
          next[y] = top + at(t, y);
        }
        back.push(from);
        best = next;
      }
      let last = 0;
      for (let y = 1; y < C; y++) if ((best[y] as number) + (end[y] as number) > (best[last] as number) + (end[last] as number)) last = y;
      const path = [last];
      for (let t = back.length - 1; t >= 0; t--) path.push((back[t] as Int32Array)[path[path.length - 1] as number] as number);
      return path.reverse();
    });
  }
}
