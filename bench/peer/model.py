#!/usr/bin/python3
"""Peer side of bench/model/ours.ts: the same work in Python with Debian's python3-torch and a
Hugging Face Transformers-style BERT (bench/peer/bert.py), written as a Transformers user writes it:
torch.optim.AdamW with the Trainer's no-decay groups (biases, LayerNorm), clip_grad_norm_(1.0),
zero_grad(set_to_none=True), loss.item() every step; for inference model.eval(), torch.inference_mode()
(what Transformers' pipelines run inference under), argmax(-1).tolist() of both heads.

The same protocol and modes as ours.ts: `ready` once set up, then for each stdin line i the wall ms
of unit i (a training step on batch i, a prediction of dev batch i or of single example i); at the
end of stdin one JSON line (mean loss of training, peak RSS, then the best 2048³ matmul GFLOP/s).
Usage: /usr/bin/python3 bench/peer/model.py --mode train|infer|latency [--size 2x256] [--batches random|bucketed] [--threads 1] [--seed 0]
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert import JointBert, load_safetensors  # noqa: E402
from measure import peak_rss_mib  # noqa: E402

# bench/model/shared.ts ENCODER_SIZES
SIZES = {
    "2x256": dict(num_hidden_layers=2, hidden_size=256, num_attention_heads=4, intermediate_size=1024),
    "4x512": dict(num_hidden_layers=4, hidden_size=512, num_attention_heads=8, intermediate_size=2048),
}

p = argparse.ArgumentParser()
p.add_argument("--mode", default="train")
p.add_argument("--size", default="2x256")
p.add_argument("--batches", default="random")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--data", default="bench/out")
a = p.parse_args()
torch.set_num_threads(a.threads)


with open(f"{a.data}/snips-batches.json") as f:
    data = json.load(f)
config = dict(
    SIZES[a.size],
    vocab_size=data["vocabSize"],
    max_position_embeddings=128,
    type_vocab_size=2,
    layer_norm_eps=1e-12,
    pad_token_id=data["padTokenId"],
    hidden_dropout_prob=0.1,
    attention_probs_dropout_prob=0.1,
)
model = JointBert(config, data["labels"]["intent"], data["labels"]["slots"])
model.load_state_dict(load_safetensors(f"{a.data}/init-{a.size}.safetensors"), strict=True)


def tensors(b):
    return (
        torch.tensor(b["inputIds"]),
        torch.tensor(b["attentionMask"]),
        torch.tensor(b["intent"]),
        torch.tensor(b["slots"]),
    )


class Training:
    """Training steps on `batches` after a.warmup steps (ours.ts `training`); the summary is the mean loss."""

    def __init__(self, batches):
        model.train()
        torch.manual_seed(a.seed)  # as ours.ts: the same dropout masks on both sides
        decay = [p for n, p in model.named_parameters() if not (n.endswith(".bias") or "LayerNorm" in n)]
        no_decay = [p for n, p in model.named_parameters() if n.endswith(".bias") or "LayerNorm" in n]
        self.optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3
        )
        self.batches, self.loss_sum, self.steps = batches, 0.0, 0
        for i in range(a.warmup):
            self.step(batches[i % len(batches)])

    def step(self, b):
        loss = model.loss(*b)
        loss.backward()
        value = loss.item()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return value

    def run(self, i):
        self.loss_sum += self.step(self.batches[i])
        self.steps += 1

    def summary(self):
        return {"meanLoss": self.loss_sum / self.steps}


def predict(b):
    """Forward in evaluation mode, argmax of both heads, the label ids read back."""
    with torch.inference_mode():
        intent, slots = model(b[0], b[1])
        intent.argmax(-1).tolist()
        slots.argmax(-1).tolist()


class Inference:
    """Predictions of `batches` after `warmup` of them (ours.ts `inference`)."""

    def __init__(self, batches, warmup):
        model.eval()
        for i in range(warmup):
            predict(batches[i % len(batches)])
        self.batches = batches

    def run(self, i):
        predict(self.batches[i])

    def summary(self):
        return {}


if a.mode == "train":
    work = Training([tensors(b) for b in data[a.batches]])
elif a.mode == "infer":
    work = Inference([tensors(b) for b in data["devBatches"]], 2)
elif a.mode == "latency":
    work = Inference([tensors(b) for b in data["singles"]], 20)
else:
    sys.exit(f"unknown --mode {a.mode!r}; expected train, infer or latency")
print("ready", flush=True)
for line in iter(sys.stdin.readline, ""):
    i = int(line)
    t0 = time.perf_counter()
    work.run(i)
    print((time.perf_counter() - t0) * 1000, flush=True)


def matmul_peak(n=2048):
    x, y = torch.randn(n, n), torch.randn(n, n)
    best = 0.0
    for _ in range(6):
        t0 = time.perf_counter()
        torch.matmul(x, y)
        best = max(best, 2 * n**3 / (time.perf_counter() - t0) / 1e9)
    return best


peak_rss = peak_rss_mib()  # before the matmuls, which add their own buffers
print(json.dumps(dict(work.summary(), peakRssMiB=peak_rss, matmulGflops=matmul_peak())))
