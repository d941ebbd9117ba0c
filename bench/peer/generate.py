#!/usr/bin/python3
"""Peer side of the generation benchmark (bench/generate/ours.ts mirrors it): greedy decoding with a
key/value cache, written as Hugging Face's `generate` runs it (Transformers is not installed here),
on the reference modules of scripts/fixtures (decoders.py's GPT-2, t5.py's T5: Hugging Face's module
names and arithmetic) loaded from the same safetensors file as our side.

- gpt2: the prompt runs once (causal mask over its T tokens), then one token per step at position
  P, its keys and values appended to each layer's cache (past_key_values), the scores q·kᵀ/√hs;
  logits of the last position through the LM head tied to wte.
- t5: the encoder runs once on the source; each decoder layer's cross-attention keys/values are
  computed once from its states; each step runs the decoder on the last token with the self-attention
  cache and the relative position bias of the new position (compute_bias(P + 1, P + 1)[:, :, -1:]),
  logits (d_model^-0.5 · h) · sharedᵀ. Decoding starts from decoder_start_token_id.
Each step: argmax over the vocabulary, the chosen ids read back (`.tolist()`, as a stop check or a
stream reads them), under torch.inference_mode().

`--write` writes DIR/gpt2 and DIR/t5 (config.json + model.safetensors, seeded random weights; see
write_models) unless there. Otherwise: for each model and batch size, a warm-up generation, then
`--repeats` timed generations of `--new-tokens` tokens from the prompts in DIR/prompts.json; prints
one JSON line: per configuration the tokens of row 0 and the times (ms) to the first token and of the
whole generation, per repeat.
Usage: /usr/bin/python3 bench/peer/generate.py --dir bench/out/generate [--write] [--threads 1] [--repeats 3] [--new-tokens 64]
"""
import argparse
import importlib.util
import json
import math
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

# GPT-2 small (124M) and t5-small (60M): Hugging Face's config.json of gpt2 and t5-small
GPT2 = {**decoders.GPT2, "vocab_size": 50257, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": 3072,
        "n_positions": 1024, "bos_token_id": 50256, "eos_token_id": 50256}
T5 = {**t5.CONFIGS["t5"], "vocab_size": 32128, "d_model": 512, "d_kv": 64, "d_ff": 2048, "num_layers": 6,
      "num_decoder_layers": 6, "num_heads": 8, "relative_attention_num_buckets": 32,
      "relative_attention_max_distance": 128}


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


# ---- gpt2 with a key/value cache ------------------------------------------------------------------


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


def gpt2_generate(model, prompts, new_tokens):
    """Greedy continuation of prompts (B, T): the tokens per row, the ms to the first token and in all."""
    t0 = time.perf_counter()
    past, ids, out, first = [], prompts, [], 0.0
    for step in range(new_tokens):
        next_ids = gpt2_step(model, ids, past).argmax(-1)
        out.append(next_ids.tolist())
        if step == 0:
            first = time.perf_counter() - t0
        ids = next_ids[:, None]
    return [list(r) for r in zip(*out)], first * 1000, (time.perf_counter() - t0) * 1000


# ---- t5 with a key/value cache and cached cross-attention -----------------------------------------


def heads_of(attn, x):
    B, S, _ = x.shape
    return x.view(B, S, attn.nh, attn.dkv).transpose(1, 2)  # (B, nh, S, dkv)


def t5_generate(model, sources, new_tokens):
    t0 = time.perf_counter()
    c = model.c
    B, S = sources.shape
    enc = model.encoder(model.shared(sources), torch.ones(B, S))
    cross = []  # per decoder layer: keys and values of the encoder states
    for block in model.decoder.block:
        a = block.layer[1].EncDecAttention
        cross.append((heads_of(a, a.k(enc)), heads_of(a, a.v(enc))))
    past, ids, out, first = [], torch.full((B, 1), c["decoder_start_token_id"], dtype=torch.long), [], 0.0
    for step in range(new_tokens):
        h = model.shared(ids)  # (B, 1, d)
        P = step
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
        next_ids = ((dec * c["d_model"] ** -0.5) @ model.shared.weight.t()).argmax(-1)
        out.append(next_ids.tolist())
        if step == 0:
            first = time.perf_counter() - t0
        ids = next_ids[:, None]
    return [list(r) for r in zip(*out)], first * 1000, (time.perf_counter() - t0) * 1000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", default="bench/out/generate")
    p.add_argument("--write", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--new-tokens", type=int, default=64)
    a = p.parse_args()
    root = pathlib.Path(a.dir)
    if a.write:
        write_models(root)
        return
    torch.set_num_threads(a.threads)
    prompts = json.loads((root / "prompts.json").read_text())
    results = {}
    for name, run in [("gpt2", gpt2_generate), ("t5", t5_generate)]:
        model = load(root, name)
        for batch in prompts["batches"]:
            rows = torch.tensor(prompts[name][:batch], dtype=torch.long)
            with torch.inference_mode():
                run(model, rows, 4)  # warm-up
                runs = [run(model, rows, a.new_tokens) for _ in range(a.repeats)]
            results[f"{name}/{batch}"] = {
                "tokens": runs[0][0][0],
                "firstMs": [r[1] for r in runs],
                "totalMs": [r[2] for r in runs],
            }
        del model
    print(json.dumps(results))


if __name__ == "__main__":
    main()
