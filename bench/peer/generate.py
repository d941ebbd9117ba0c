#!/usr/bin/python3
"""Peer side of the generation benchmark (bench/generate/ours.ts mirrors it): decoding with a key/value
cache written as Hugging Face's `generate` runs it (greedy_search and beam_search with BeamSearchScorer;
Transformers is not installed here), and training steps as Hugging Face's Trainer takes them, on the
reference modules of scripts/fixtures (decoders.py's GPT-2, t5.py's T5: Hugging Face's module names and
arithmetic) loaded from the same safetensors file as our side.

- gpt2: the prompt runs once (causal mask over its T tokens), then one token per step at position
  P, its keys and values appended to each layer's cache (past_key_values), the scores q·kᵀ/√hs;
  logits of the last position through the LM head tied to wte.
- t5: the encoder runs once on the source; each decoder layer's cross-attention keys/values are
  computed once from its states; each step runs the decoder on the last token with the self-attention
  cache and the relative position bias of the new position (compute_bias(P + 1, P + 1)[:, :, -1:]),
  logits (d_model^-0.5 · h) · sharedᵀ. Decoding starts from decoder_start_token_id.
- greedy: argmax over the vocabulary, the chosen ids read back each step (`.tolist()`, as a stop check
  or a stream reads them), under torch.inference_mode().
- beam search (num_beams rows per prompt, the prompt repeated, T5's source too): log_softmax of the
  logits, MinNewTokensLengthLogitsProcessor (EOS at -inf before min_new_tokens), the running beam
  scores added, topk of 2·num_beams over (num_beams · V) per prompt, BeamSearchScorer.process in Python
  (EOS candidates among the first num_beams become hypotheses scored Σ log p / generated_len^length_penalty,
  the generated length counting the EOS, as Transformers ≥ 4.36 counts it), the cache reordered by
  index_select (_reorder_cache: self- and cross-attention keys/values), finalize. Length penalty 1,
  early stopping False (Hugging Face's defaults), as our side.
- train: forward in training mode (the modules have no dropout; the configs say dropout 0), the
  shifted cross-entropy (gpt2: logits[:, :-1] against ids[:, 1:]; t5: labels behind the decoder start
  token), backward, loss.item(), torch.optim.AdamW(lr 1e-4, weight_decay 0.01), zero_grad(set_to_none=True).

It speaks the line protocol of bench/model/interleave.ts: one process per model and mode (--model,
--mode generate|train); set up and warm up (generate: each configuration with 4 tokens; train: one
step on batch 0), print `ready`, then for each line `i` do unit i (generate: configuration i mod 4 of
bench/generate/configs.ts; train: a step on batch i mod 2) and print its wall ms; at the end of stdin
one JSON line: per configuration row 0's tokens, the ms to its first token and in all, and the process's
CPU ms (user + system) of each generation (generate),
the loss of each step (train), and the process's peak resident memory (VmHWM, MiB).

`--write` writes DIR/gpt2 and DIR/t5 (config.json + model.safetensors, seeded random weights; see
write_models) unless there.
Usage: /usr/bin/python3 bench/peer/generate.py --dir bench/out/generate [--write] --model gpt2|t5 --mode generate|train [--threads 1] [--new-tokens 64]
"""
import argparse
import importlib.util
import json
import pathlib
import struct
import sys
import time

import torch

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "fixtures"
sys.path.insert(0, str(FIXTURES))


def load_module(name):
    spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


decoders, t5, st = load_module("decoders"), load_module("t5"), load_module("safetensors")
from hf_search import beam_generate, greedy_generate  # noqa: E402  (bench/peer/, the script's folder)
from measure import peak_rss_mib  # noqa: E402

# GPT-2 small (124M) and t5-small (60M): Hugging Face's config.json of gpt2 and t5-small
# dropout 0: the reference modules have none, and both sides then compute the same training loss
GPT2 = {**decoders.GPT2, "vocab_size": 50257, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": 3072,
        "n_positions": 1024, "bos_token_id": 50256, "eos_token_id": 50256, "resid_pdrop": 0.0, "embd_pdrop": 0.0,
        "attn_pdrop": 0.0}
T5 = {**t5.CONFIGS["t5"], "vocab_size": 32128, "d_model": 512, "d_kv": 64, "d_ff": 2048, "num_layers": 6,
      "num_decoder_layers": 6, "num_heads": 8, "relative_attention_num_buckets": 32,
      "relative_attention_max_distance": 128, "dropout_rate": 0.0}


def write_models(root):
    """Seeded random weights: GPT-2's N(0, 0.02²) init; T5's fan-in^-0.5 for the projections, but the
    shared embeddings N(0, 0.05²) (at T5's N(0, 1) the input token dominates the residual stream and
    every step predicts the decoder start token again). Models already written are kept."""
    g = torch.Generator().manual_seed(20261206)
    gpt2 = decoders.GPT2LMHeadModel(GPT2)
    with torch.no_grad():
        for name, p in gpt2.named_parameters():
            if ".ln_" in name:
                p.copy_(torch.ones_like(p) if name.endswith("weight") else torch.zeros_like(p))
            elif name.endswith("bias"):
                p.zero_()
            else:
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
    model = t5.T5(T5)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layer_norm.weight"):
                p.fill_(1.0)
            elif name == "shared.weight":
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(p.shape[-1] ** -0.5 * torch.randn(p.shape, generator=g))
    for name, m, config in [("gpt2", gpt2, GPT2), ("t5", model, T5)]:
        d = root / name
        if (d / "model.safetensors").exists():
            continue
        d.mkdir(parents=True, exist_ok=True)
        (d / "config.json").write_text(json.dumps(config, indent=2))
        tensors = {k: v.detach().contiguous() for k, v in m.named_parameters()}
        st.save(d / "model.safetensors", tensors, {"format": "pt"})


def load_safetensors(path):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    dtypes = {"F32": torch.float32}
    out = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        out[name] = torch.frombuffer(bytearray(raw[8 + n + a : 8 + n + b]), dtype=dtypes[h["dtype"]]).view(h["shape"])
    return out


def load(root, name):
    config = json.loads((root / name / "config.json").read_text())
    model = decoders.GPT2LMHeadModel(config) if name == "gpt2" else t5.T5(config)
    model.load_state_dict(load_safetensors(root / name / "model.safetensors"), strict=False)
    return model.eval()


# ---- the models' decoding steps with a key/value cache ---------------------------------------------
# Each model offers start(rows) → state, step(state, ids) → logits (R, V) of each row's last position,
# and reorder(state, index) (Hugging Face's _reorder_cache); the searches below know nothing else.


def gpt2_step(model, ids, past):
    """Logits (B, V) of the last position of ids (B, T) after the P cached tokens; past updated in place."""
    t = model.transformer
    B, T = ids.shape
    P = 0 if not past else past[0][0].shape[2]
    x = t.wte(ids) + t.wpe(torch.arange(P, P + T)[None, :])
    for i, block in enumerate(t.h):
        attn = block.attn
        H = x.shape[-1]
        q, k, v = attn.c_attn(block.ln_1(x)).split(H, dim=2)
        heads = lambda z: z.view(B, T, attn.n_head, H // attn.n_head).permute(0, 2, 1, 3)  # noqa: E731
        q, k, v = heads(q), heads(k), heads(v)  # (B, nh, T, hs)
        if len(past) > i:
            k, v = torch.cat([past[i][0], k], dim=2), torch.cat([past[i][1], v], dim=2)
            past[i] = (k, v)
        else:
            past.append((k, v))
        w = torch.matmul(q, k.transpose(-1, -2)) / (v.size(-1) ** 0.5)  # (B, nh, T, P + T)
        causal = attn.bias[:, :, P : P + T, : P + T]
        w = torch.where(causal, w, torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype))
        a = torch.matmul(torch.softmax(w, dim=-1), v).permute(0, 2, 1, 3).reshape(B, T, H)
        x = x + attn.c_proj(a)
        x = x + block.mlp(block.ln_2(x))
    return t.ln_f(x[:, -1]) @ t.wte.weight.T


class Gpt2Decoding:
    """The prompt rows are the input ids; the state is past_key_values, a (key, value) pair per layer."""

    def __init__(self, model):
        self.model = model

    def start(self, rows):
        return {"past": [], "ids": rows}

    def step(self, state, ids):
        return gpt2_step(self.model, ids, state["past"])

    def reorder(self, state, index):
        state["past"] = [(k.index_select(0, index), v.index_select(0, index)) for k, v in state["past"]]


def heads_of(attn, x):
    B, S, _ = x.shape
    return x.view(B, S, attn.nh, attn.dkv).transpose(1, 2)  # (B, nh, S, dkv)


class T5Decoding:
    """The rows are sources, encoded once; the decoder starts from decoder_start_token_id. The state
    holds the self-attention cache and each layer's cross-attention keys/values."""

    def __init__(self, model):
        self.model = model

    def start(self, sources):
        model = self.model
        B, S = sources.shape
        enc = model.encoder(model.shared(sources), torch.ones(B, S))
        cross = []  # per decoder layer: keys and values of the encoder states
        for block in model.decoder.block:
            a = block.layer[1].EncDecAttention
            cross.append((heads_of(a, a.k(enc)), heads_of(a, a.v(enc))))
        ids = torch.full((B, 1), model.c["decoder_start_token_id"], dtype=torch.long)
        return {"past": [], "cross": cross, "ids": ids}

    def step(self, state, ids):
        model, past, cross = self.model, state["past"], state["cross"]
        B = ids.shape[0]
        h = model.shared(ids)  # (B, 1, d)
        P = 0 if not past else past[0][0].shape[2]
        bias = None
        for i, block in enumerate(model.decoder.block):
            sa = block.layer[0].SelfAttention
            x = block.layer[0].layer_norm(h)
            q, k, v = heads_of(sa, sa.q(x)), heads_of(sa, sa.k(x)), heads_of(sa, sa.v(x))
            if len(past) > i:
                k, v = torch.cat([past[i][0], k], dim=2), torch.cat([past[i][1], v], dim=2)
                past[i] = (k, v)
            else:
                past.append((k, v))
            if bias is None:  # the first block's relative position bias, shared by the stack
                bias = model.decoder.block[0].layer[0].SelfAttention.compute_bias(P + 1, P + 1)[:, :, -1:, :]
            probs = torch.softmax((torch.matmul(q, k.transpose(3, 2)) + bias).float(), dim=-1)
            h = h + sa.o(torch.matmul(probs, v).transpose(1, 2).reshape(B, 1, sa.nh * sa.dkv))
            ca = block.layer[1].EncDecAttention
            q = heads_of(ca, ca.q(block.layer[1].layer_norm(h)))
            probs = torch.softmax(torch.matmul(q, cross[i][0].transpose(3, 2)).float(), dim=-1)
            h = h + ca.o(torch.matmul(probs, cross[i][1]).transpose(1, 2).reshape(B, 1, ca.nh * ca.dkv))
            h = block.layer[-1](h)
        dec = model.decoder.final_layer_norm(h)[:, -1]
        return (dec * model.c["d_model"] ** -0.5) @ model.shared.weight.t()

    def reorder(self, state, index):
        pick = lambda kv: (kv[0].index_select(0, index), kv[1].index_select(0, index))  # noqa: E731
        state["past"] = [pick(kv) for kv in state["past"]]
        state["cross"] = [pick(kv) for kv in state["cross"]]


# ---- the two modes ---------------------------------------------------------------------------------

# bench/generate/configs.ts's GENERATE_CONFIGS: (key, batch, beams)
CONFIGS = [("greedy/1", 1, 1), ("greedy/8", 8, 1), ("greedy/16", 16, 1), ("beam4/1", 1, 4)]


class Generation:
    def __init__(self, model, name, prompts, new_tokens):
        self.decoding = Gpt2Decoding(model) if name == "gpt2" else T5Decoding(model)
        self.eos = model.c["eos_token_id"] if name == "t5" else GPT2["eos_token_id"]
        self.rows = [torch.tensor(prompts[name][:batch], dtype=torch.long) for _, batch, _ in CONFIGS]
        self.new_tokens = new_tokens
        self.out = [{"tokens": [], "firstMs": [], "totalMs": [], "cpuMs": []} for _ in CONFIGS]
        for k in range(len(CONFIGS)):
            self.once(k, 4)  # warm-up

    def once(self, k, n):
        _, _, beams = CONFIGS[k]
        with torch.inference_mode():
            if beams == 1:
                return greedy_generate(self.decoding, self.rows[k], n)
            tokens, scores, total = beam_generate(self.decoding, self.rows[k], n, num_beams=beams, eos=self.eos)
            return tokens, None, total

    def run(self, i):
        k = i % len(CONFIGS)
        cpu = time.process_time()
        tokens, first, total = self.once(k, self.new_tokens)
        o = self.out[k]
        o["cpuMs"].append((time.process_time() - cpu) * 1000)
        if not o["tokens"]:
            o["tokens"] = tokens[0]
        o["firstMs"].append(first)
        o["totalMs"].append(total)
        return total

    def summary(self):
        return {"results": {key: o for (key, _, _), o in zip(CONFIGS, self.out)}}


class Training:
    def __init__(self, model, name, prompts):
        self.model, self.name = model.train(), name
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
        self.batches = [{k: torch.tensor(v, dtype=torch.long) for k, v in b.items() if v} for b in prompts["train"][name]]
        self.losses = []
        self.step(0)  # warm-up

    def step(self, i):
        b = self.batches[i % len(self.batches)]
        if self.name == "gpt2":
            ids = b["inputIds"]
            logits = self.model(ids)  # (B, T, V)
            V = logits.shape[-1]
            loss = torch.nn.functional.cross_entropy(logits[:, :-1].contiguous().view(-1, V), ids[:, 1:].reshape(-1))
        else:
            src, labels = b["inputIds"], b["labels"]
            start = torch.full((labels.shape[0], 1), self.model.c["decoder_start_token_id"], dtype=torch.long)
            dec_ids = torch.cat([start, labels[:, :-1]], dim=1)  # _shift_right
            _, _, logits = self.model(src, torch.ones(src.shape), dec_ids, torch.ones(dec_ids.shape))
            loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1))
        loss.backward()
        value = loss.item()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return value

    def run(self, i):
        t0 = time.perf_counter()
        self.losses.append(self.step(i))
        return (time.perf_counter() - t0) * 1000

    def summary(self):
        return {"losses": self.losses}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", default="bench/out/generate")
    p.add_argument("--write", action="store_true")
    p.add_argument("--model", choices=["gpt2", "t5"], default="gpt2")
    p.add_argument("--mode", choices=["generate", "train"], default="generate")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--new-tokens", type=int, default=64)
    a = p.parse_args()
    root = pathlib.Path(a.dir)
    if a.write:
        write_models(root)
        return
    torch.set_num_threads(a.threads)
    prompts = json.loads((root / "prompts.json").read_text())
    model = load(root, a.model)
    work = Generation(model, a.model, prompts, a.new_tokens) if a.mode == "generate" else Training(model, a.model, prompts)
    print("ready", flush=True)
    for line in sys.stdin:
        print(work.run(int(line)), flush=True)
    print(json.dumps({**work.summary(), "peakRssMiB": peak_rss_mib()}), flush=True)


if __name__ == "__main__":
    main()
