#!/usr/bin/python3
"""Peer side of bench/tensor_overhead.ts: the same work in Python torch (Debian's python3-torch).

Prints one JSON line: {"addUs": per-op µs of a small add, "mlpStepMs": ms per MLP training step}.
Usage: /usr/bin/python3 bench/peer/tensor_overhead.py --adds 100000 --steps 200 --threads 1
"""
import argparse
import json
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--adds", type=int, default=100_000)
p.add_argument("--steps", type=int, default=200)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)


def small_adds(n):
    x = torch.ones(1)
    for _ in range(1000):
        x + x
    t = time.perf_counter()
    for _ in range(n):
        x + x
    return (time.perf_counter() - t) / n * 1e6


def mlp_steps(n, batch=64, d_in=256, d_hidden=512, classes=10):
    torch.manual_seed(0)
    w1 = (torch.randn(d_hidden, d_in) * 0.05).requires_grad_()
    b1 = torch.zeros(d_hidden, requires_grad=True)
    w2 = (torch.randn(classes, d_hidden) * 0.05).requires_grad_()
    b2 = torch.zeros(classes, requires_grad=True)
    params = [w1, b1, w2, b2]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    x = torch.randn(batch, d_in)
    y = torch.randint(0, classes, (batch,))

    def step():
        h = torch.nn.functional.relu(torch.nn.functional.linear(x, w1, b1))
        loss = torch.nn.functional.cross_entropy(torch.nn.functional.linear(h, w2, b2), y)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(20):
        step()
    t = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t) / n * 1e3


print(json.dumps({"addUs": small_adds(a.adds), "mlpStepMs": mlp_steps(a.steps)}))
