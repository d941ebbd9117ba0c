#!/usr/bin/python3
"""How far float32 logits of a decoder fixture case are from exact arithmetic: runs the reference model
of scripts/fixtures/decoders.py on the case's weights (tests/fixtures/<type>-tiny.safetensors) in
float64, every row alone as the fixture's `unpadded`, and compares with it (a) the fixture's float32
logits (Python torch, the version in decoders.json), (b) the same model rerun here in float32 (this
torch), and (c) each FILE written by scripts/decoder-logits.ts (multitask-lm on some libtorch, right-
and left-padded rows). Prints max |difference| per source and the scale of the logits, with float32's
unit roundoff (2^-24) times max |logit|, to judge a tolerance by.

Usage: /usr/bin/python3 scripts/decoder_rounding.py [--type mistral] [FILE.json ...]
"""
import argparse
import json
import pathlib
import sys

import torch
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "scripts" / "fixtures"))
import decoders  # noqa: E402
from check_safetensors import read  # noqa: E402


def rms_norm_forward(self, x):
    """LlamaRMSNorm in the input's dtype (decoders.py computes it in float32)."""
    return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def attention_forward(self, x, additive_mask, position_ids):
    """LlamaAttention with rotary angles and softmax in the input's dtype (decoders.py: float32)."""
    B, T, _ = x.shape
    dt = x.dtype
    q = self.q_proj(x).view(B, T, self.nh, self.hs).transpose(1, 2)
    k = self.k_proj(x).view(B, T, self.nkv, self.hs).transpose(1, 2)
    v = self.v_proj(x).view(B, T, self.nkv, self.hs).transpose(1, 2)
    inv_freq = 1.0 / (self.theta ** (torch.arange(0, self.hs, 2, dtype=torch.int64).to(dt) / self.hs))
    freqs = position_ids[:, :, None].to(dt) * inv_freq[None, None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]
    q, k = q * cos + decoders.rotate_half(q) * sin, k * cos + decoders.rotate_half(k) * sin
    rep = self.nh // self.nkv
    k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
    w = torch.matmul(q, k.transpose(2, 3)) / (self.hs**0.5) + additive_mask.to(dt)
    w = nn.functional.softmax(w, dim=-1)
    return self.o_proj(torch.matmul(w, v).transpose(1, 2).reshape(B, T, -1))


def model_in(case, dtype):
    """The case's reference model (Llama layout) with its saved weights, in `dtype`."""
    model = decoders.LlamaForCausalLM(case["config"]).eval()
    _, _, _, _, tensors = read(ROOT / "tests" / "fixtures" / case["weights"])
    if case["config"]["tie_word_embeddings"]:
        tensors["lm_head.weight"] = tensors["model.embed_tokens.weight"]
    model.load_state_dict(tensors)
    return model.to(dtype)


def unpadded_logits(case, dtype):
    """Logits of every row alone (n, V), as the fixture's `unpadded`, computed in `dtype`."""
    model = model_in(case, dtype)
    ids = torch.tensor(case["inputs"]["input_ids"]["data"]).reshape(case["inputs"]["input_ids"]["shape"])
    with torch.no_grad():
        return [model(ids[i : i + 1, :n])[0].double() for i, n in enumerate(case["inputs"]["lengths"])]


def fixture_rows(f):
    return [torch.tensor(r["data"], dtype=torch.float64).reshape(r["shape"]) for r in f]


def max_diff(rows, exact):
    return max((a - b).abs().max().item() for a, b in zip(rows, exact))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--type", default="mistral")
    p.add_argument("files", nargs="*")
    a = p.parse_args()
    doc = json.loads((ROOT / "tests" / "fixtures" / "decoders.json").read_text())
    case = doc["cases"][a.type]
    if case["config"]["model_type"] == "gpt2":
        sys.exit("decoder_rounding: the gpt2 case has no float64 path here (Llama-layout cases only)")
    decoders.LlamaRMSNorm.forward = rms_norm_forward
    decoders.LlamaAttention.forward = attention_forward
    exact = unpadded_logits(case, torch.float64)
    scale = max(r.abs().max().item() for r in exact)
    u = 2.0**-24
    print(f"{a.type}: rows {case['inputs']['lengths']}, V {exact[0].shape[1]}; float64 logits max |x| {scale:.4f}, rms {torch.cat(exact).pow(2).mean().sqrt().item():.4f}")
    print(f"  float32 unit roundoff × max |logit|: {u * scale:.3e}")
    fixture = fixture_rows(case["unpadded"])
    here32 = unpadded_logits(case, torch.float32)
    print(f"  fixture (torch {doc['torch']}, float32) vs float64: max |diff| {max_diff(fixture, exact):.3e}")
    print(f"  this torch {torch.__version__} float32 (rerun) vs float64: {max_diff(here32, exact):.3e}; vs the fixture: {max_diff(here32, fixture):.3e}")
    for name in a.files:
        got = json.loads(pathlib.Path(name).read_text())
        for side in ("right", "left"):
            rows = [torch.tensor(r, dtype=torch.float64) for r in got[side]]
            print(
                f"  {name} (multitask-lm, libtorch {got['libtorch']}, {side}-padded) vs float64: {max_diff(rows, exact):.3e};"
                f" vs the fixture: {max_diff(rows, fixture):.3e}"
            )


if __name__ == "__main__":
    main()
