/**
 * Beam search (Graves, 2012, "Sequence Transduction with Recurrent Neural Networks", §3; Sutskever et
 * al., NeurIPS 2014) with Hugging Face's `BeamSearchScorer` semantics: numBeams running beams per
 * input row, scored by the sum of their tokens' log-probabilities (after the processors); at each step
 * the 2·numBeams best continuations are ranked, those ending in EOS (among the first numBeams) become
 * finished hypotheses scored Σ log p / length^lengthPenalty, the rest fill the beams. The length is the
 * number of generated tokens, the EOS included (so a hypothesis ended at the first step has length 1).
 * A row is done by `earlyStopping` (see GenerateOptions); at the end the running beams join the
 * hypotheses and the best one is returned.
 */
import { betweenSteps } from './abort.js';
import { DecodingBatch } from './batch.js';
import type { Generation, Prompts, StepDecoder } from './decoder.js';
import type { ResolvedGenerateOptions } from './options.js';
import { logSoftmax, processScores, readsRowTokens } from './processors.js';
import { indexFill_, logSoftmax as torchLogSoftmax, tensor, topk, type Tensor } from '../tensor/index.js';

interface Hypothesis {
  readonly tokens: number[];
  readonly score: number;
  readonly eos: boolean;
}

/** The finished hypotheses of one input row: the numBeams best (Hugging Face `BeamHypotheses`). */
class Hypotheses {
  readonly list: Hypothesis[] = [];
  private worst = 1e9;

  constructor(private readonly o: ResolvedGenerateOptions) {}

  /** Adds a hypothesis of `length` generated tokens and log-probability `sumLogProbs`, if it is among the best. */
  add(tokens: number[], sumLogProbs: number, length: number, eos: boolean): void {
    const score = sumLogProbs / length ** this.o.lengthPenalty;
    const n = this.o.numBeams;
    if (this.list.length >= n && score <= this.worst) return;
    this.list.push({ tokens, score, eos });
    if (this.list.length > n) {
      const sorted = [...this.list].sort((a, b) => a.score - b.score);
      this.list.splice(this.list.indexOf(sorted[0] as Hypothesis), 1);
      this.worst = (sorted[1] as Hypothesis).score;
    } else {
      this.worst = Math.min(score, this.worst);
    }
  }

  /** Whether no running beam can improve the row (`bestSum`: the best running sum of log-probabilities; `length`: tokens generated so far). */
  isDone(bestSum: number, length: number): boolean {
    if (this.list.length < this.o.numBeams) return false;
    if (this.o.earlyStopping === true) return true;
    const reach = this.o.earlyStopping === 'never' && this.o.lengthPenalty > 0 ? this.o.maxNewTokens : length;
    return this.worst >= bestSum / reach ** this.o.lengthPenalty;
  }
}

interface Candidate {
  readonly beam: number;
  readonly token: number;
  readonly score: number;
}

/** The `count` best (beam, token) continuations of one input row's beams, best first. */
export function bestContinuations(scores: readonly Float64Array[], count: number): Candidate[] {
  const best: Candidate[] = [];
  scores.forEach((row, beam) => {
    for (let token = 0; token < row.length; token++) {
      const score = row[token] as number;
      if (best.length === count && score <= (best[count - 1] as Candidate).score) continue;
      let at = best.length;
      while (at > 0 && (best[at - 1] as Candidate).score < score) at--;
      best.splice(at, 0, { beam, token, score });
      if (best.length > count) best.pop();
    }
  });
  return best;
}

/**
 * `bestContinuations` computed in libtorch: log-softmax of each beam's logits in float64 (as
 * `logSoftmax`), the `banned` ids (EOS before `minNewTokens`) at −∞, the beam's running sum added, and
 * the `count` best of each input row's numBeams × V by topk; only those come back. Equal scores are
 * ordered by beam, then token, as the host's scan orders them; which of several candidates tied at the
 * count-th place is kept is topk's choice.
 * @param logits (R, V), R = rows × numBeams. @param sums (R) each beam's sum of log-probabilities.
 * @returns per input row, its `count` best candidates, best first.
 */
export function bestContinuationsInTorch(
  logits: Tensor,
  sums: readonly number[],
  banned: readonly number[],
  nb: number,
  count: number,
): Candidate[][] {
  const [R, V] = logits.shape as [number, number];
  const logProbs = torchLogSoftmax(logits.to('float64'), -1); // (R, V)
  const ids = banned.filter((id) => id < V);
  if (ids.length > 0) indexFill_(logProbs, 1, tensor(BigInt64Array.from(ids, BigInt)), -Infinity);
  const total = logProbs.add(tensor(Float64Array.from(sums), {}, [R, 1])).view([R / nb, nb * V]);
  const [values, indices] = topk(total, count, 1); // (rows, count)
  const score = values.dataSync() as Float64Array;
  const index = indices.dataSync() as BigInt64Array;
  return Array.from({ length: R / nb }, (_, b) => {
    const row = Array.from({ length: count }, (_, j) => {
      const flat = Number(index[b * count + j]);
      return { beam: Math.floor(flat / V), token: flat % V, score: score[b * count + j] as number };
    });
    return row.sort((x, y) => y.score - x.score || x.beam - y.beam || x.token - y.token);
  });
}

/**
 * Beam search of every prompt.
 * @param o resolved options (numBeams > 1, doSample false).
 * @param signal aborting it ends the search before its next step (see GenerateHooks.signal).
 * @returns one Generation per prompt (the best hypothesis, with its score).
 * @throws the signal's reason when it is aborted.
 */
export async function beamSearch(
  decoder: StepDecoder,
  prompts: Prompts,
  o: ResolvedGenerateOptions,
  signal?: AbortSignal,
): Promise<Generation[]> {
  const nb = o.numBeams;
  const B = prompts.length;
  const rowSource = prompts.flatMap((_, b) => new Array<number>(nb).fill(b));
  let beams = rowSource.map((b, r) => ({ tokens: [] as number[], sum: r % nb === 0 ? 0 : -1e9, input: prompts[b] as readonly number[] }));
  const hyps = prompts.map(() => new Hypotheses(o));
  const done = prompts.map(() => false);
  const eos = new Set(o.eosTokenIds);
  using batch = new DecodingBatch(decoder, prompts, rowSource, o.padTokenId, o.useCache);
  /** Per input row, its `count` best continuations, from the beams' scores read back and processed on the host. */
  const rankOnHost = (read: Float32Array[], step: number): Candidate[][] => {
    const scores = read.map((s, r) => {
      const beam = beams[r] as (typeof beams)[number];
      const logProbs = logSoftmax(s); // the processors apply to log-probabilities here (Hugging Face)
      processScores(logProbs, [...beam.input, ...beam.tokens], step, o);
      for (let i = 0; i < logProbs.length; i++) logProbs[i] = (logProbs[i] as number) + beam.sum;
      return logProbs;
    });
    return prompts.map((_, b) => (done[b] ? [] : bestContinuations(scores.slice(b * nb, (b + 1) * nb), count)));
  };
  const count = Math.max(2, 1 + eos.size) * nb; // candidates ranked per input row
  // no rule that reads a beam's tokens: log-softmax, sums and ranking run in libtorch (topk), and only
  // the candidates come back, not the R × V scores
  const inTorch = !readsRowTokens(o);
  for (let step = 0; step < o.maxNewTokens && done.includes(false); step++) {
    await betweenSteps(signal);
    const ranked = inTorch
      ? batch.step((logits) =>
          bestContinuationsInTorch(
            logits,
            beams.map((beam) => beam.sum),
            step < o.minNewTokens ? o.eosTokenIds : [],
            nb,
            count,
          ),
        )
      : rankOnHost(batch.scores(), step);
    const next: { source: number; token: number; sum: number }[] = [];
    for (let b = 0; b < B; b++) {
      if (done[b]) {
        for (let j = 0; j < nb; j++) next.push({ source: b * nb + j, token: o.padTokenId, sum: 0 });
        continue;
      }
      const candidates = ranked[b] as Candidate[];
      const chosen: typeof next = [];
      candidates.forEach((c, rank) => {
        if (chosen.length === nb) return;
        const source = b * nb + c.beam;
        if (eos.has(c.token)) {
          if (rank < nb) (hyps[b] as Hypotheses).add([...(beams[source] as (typeof beams)[number]).tokens], c.score, step + 1, true);
        } else {
          chosen.push({ source, token: c.token, sum: c.score });
        }
      });
      next.push(...chosen);
      done[b] = (hyps[b] as Hypotheses).isDone((candidates[0] as Candidate).score, step + 1);
    }
    // each new beam continues its source beam: reorder the rows (and cache), then put the chosen token last
    batch.select(next.map((n) => n.source));
    batch.append(next.map((n) => n.token));
    beams = next.map((n) => {
      const from = beams[n.source] as (typeof beams)[number];
      return { tokens: [...from.tokens, n.token], sum: n.sum, input: from.input };
    });
  }
  return hyps.map((h, b) => {
    if (!done[b])
      for (let j = 0; j < nb; j++) {
        const beam = beams[b * nb + j] as (typeof beams)[number];
        h.add(beam.tokens, beam.sum, beam.tokens.length, false);
      }
    const best = [...h.list].sort((x, y) => y.score - x.score)[0] as Hypothesis;
    return { tokens: best.tokens, finishReason: best.eos ? 'eos' : 'length', score: best.score };
  });
}
