"""Hugging Face's decoding loops for the generation benchmark's peer (bench/peer/generate.py), written
from transformers' generation/utils.py (greedy_search, beam_search) and beam_search.py
(BeamSearchScorer, BeamHypotheses) over a model's `decoding` object: start(rows) → state with the first
input ids, step(state, ids) → logits (R, V) of each row's last position, reorder(state, index)
(_reorder_cache). See generate.py for what each does and how our side mirrors it.
"""
import math
import time

import torch


# ---- the searches (Hugging Face's greedy_search and beam_search) ------------------------------------


def greedy_generate(decoding, rows, new_tokens, **_):
    """Greedy continuation of rows (B, ·): the tokens per row, the ms to the first token and in all."""
    t0 = time.perf_counter()
    state = decoding.start(rows)
    ids, out, first = state["ids"], [], 0.0
    for step in range(new_tokens):
        next_ids = decoding.step(state, ids).argmax(-1)
        out.append(next_ids.tolist())
        if step == 0:
            first = time.perf_counter() - t0
        ids = next_ids[:, None]
    return [list(r) for r in zip(*out)], first * 1000, (time.perf_counter() - t0) * 1000


class BeamHypotheses:
    """The num_beams best finished hypotheses of one prompt (Hugging Face's BeamHypotheses)."""

    def __init__(self, num_beams, length_penalty, early_stopping):
        self.num_beams, self.length_penalty, self.early_stopping = num_beams, length_penalty, early_stopping
        self.beams, self.worst_score = [], 1e9

    def add(self, hyp, sum_logprobs, generated_len):
        score = sum_logprobs / (generated_len**self.length_penalty)
        if len(self.beams) < self.num_beams or score > self.worst_score:
            self.beams.append((score, hyp))
            if len(self.beams) > self.num_beams:
                ranked = sorted([(s, i) for i, (s, _) in enumerate(self.beams)])
                del self.beams[ranked[0][1]]
                self.worst_score = ranked[1][0]
            else:
                self.worst_score = min(score, self.worst_score)

    def is_done(self, best_sum_logprobs, cur_len):
        if len(self.beams) < self.num_beams:
            return False
        if self.early_stopping is True:
            return True
        return self.worst_score >= best_sum_logprobs / cur_len**self.length_penalty


def beam_generate(decoding, rows, new_tokens, num_beams=4, eos=None, length_penalty=1.0, early_stopping=False):
    """Beam search of each row (min_new_tokens = new_tokens): the best hypothesis's tokens per row, its
    score per row, and the ms in all."""
    t0 = time.perf_counter()
    B, nb = rows.shape[0], num_beams
    state = decoding.start(rows.repeat_interleave(nb, dim=0))  # _expand_inputs_for_generation
    ids = state["ids"]
    generated = torch.zeros((B * nb, 0), dtype=torch.long)  # the tokens after the prompt, per beam
    beam_scores = torch.zeros((B, nb))
    beam_scores[:, 1:] = -1e9  # the first step continues one beam per prompt
    beam_scores = beam_scores.view(-1)
    hyps = [BeamHypotheses(nb, length_penalty, early_stopping) for _ in range(B)]
    done = [False] * B
    for step in range(new_tokens):
        scores = torch.log_softmax(decoding.step(state, ids), dim=-1)  # (B·nb, V)
        V = scores.shape[-1]
        if eos is not None and step < new_tokens:  # MinNewTokensLengthLogitsProcessor
            scores[:, eos] = -math.inf
        scores = (scores + beam_scores[:, None]).view(B, nb * V)
        top, top_ids = torch.topk(scores, 2 * nb, dim=1, largest=True, sorted=True)
        beam_of, token_of = torch.div(top_ids, V, rounding_mode="floor"), top_ids % V
        # BeamSearchScorer.process
        next_scores, next_tokens, next_index = [], [], []
        for b, (s_row, t_row, i_row) in enumerate(zip(top.tolist(), token_of.tolist(), beam_of.tolist())):
            if done[b]:
                next_scores += [0.0] * nb
                next_tokens += [eos or 0] * nb
                next_index += [b * nb] * nb
                continue
            chosen = 0
            for rank, (score, token, beam) in enumerate(zip(s_row, t_row, i_row)):
                source = b * nb + beam
                if token == eos:
                    if rank < nb:
                        hyps[b].add(generated[source].tolist(), score, step + 1)
                else:
                    next_scores.append(score)
                    next_tokens.append(token)
                    next_index.append(source)
                    chosen += 1
                if chosen == nb:
                    break
            done[b] = done[b] or hyps[b].is_done(max(s_row), step + 1)
        beam_scores = torch.tensor(next_scores)
        beam_idx = torch.tensor(next_index)
        ids = torch.tensor(next_tokens)[:, None]
        generated = torch.cat([generated[beam_idx, :], ids], dim=-1)
        decoding.reorder(state, beam_idx)
        if all(done):
            break
    # BeamSearchScorer.finalize: the running beams join the hypotheses of the prompts not done
    best_tokens, best_scores = [], []
    for b in range(B):
        if not done[b]:
            for j in range(nb):
                hyps[b].add(generated[b * nb + j].tolist(), beam_scores[b * nb + j].item(), generated.shape[1])
        score, tokens = max(hyps[b].beams, key=lambda h: h[0])
        best_tokens.append(tokens)
        best_scores.append(score)
    return best_tokens, best_scores, (time.perf_counter() - t0) * 1000
