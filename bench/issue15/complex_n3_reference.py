"""Pilot reference for docs/results/issue15-wn18rr.md: ComplEx + N3 + reciprocal relations trained with
the 1-vs-all cross-entropy and Adagrad on WN18RR (Lacroix, Usunier & Obozinski, ICML 2018), written from
the paper in plain PyTorch (torch 1.13), to see whether the training curve of our implementation is the
method's own. Prints the fit (cross-entropy) and N3 terms every 10 steps.

    GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184 \
      nice -n 19 /usr/bin/python3 bench/issue15/complex_n3_reference.py BATCH STEPS INIT [LR]

INIT: 'kbc' (normal, std 1e-3, as the authors' code) or 'rotate' (uniform in +-(12 + 2)/k, as
KgEmbeddingModel). Rank k = 100 (200 reals), lambda = 0.1. The GLIBC_TUNABLES line keeps freed memory
(native/runtime.cc does the same for our addon).
"""
import random
import sys

import torch

torch.manual_seed(0)
random.seed(0)
torch.set_num_threads(1)
B, steps, init = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lr = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
D = 200
k = D // 2
lam = 0.1
root = "/work/shared/datasets/wn18rr/"


def read(name):
    return [line.strip().split("\t") for line in open(root + name) if line.strip()]


train = read("train.txt")
entities = sorted({x for h, r, t in train + read("valid.txt") + read("test.txt") for x in (h, t)})
relations = sorted({r for h, r, t in train})
entity_id = {e: i for i, e in enumerate(entities)}
relation_id = {r: i for i, r in enumerate(relations)}
E, R = len(entities), len(relations)
triples = torch.tensor([[entity_id[h], relation_id[r], entity_id[t]] for h, r, t in train])
if init == "kbc":
    ent, rel = torch.randn(E, D) * 1e-3, torch.randn(2 * R, D) * 1e-3
else:
    a = 14 / k
    ent, rel = torch.empty(E, D).uniform_(-a, a), torch.empty(2 * R, D).uniform_(-a, a)
ent.requires_grad_()
rel.requires_grad_()
opt = torch.optim.Adagrad([ent, rel], lr=lr)
perm, pos = torch.randperm(len(triples)), 0


def modulus(x):
    return torch.sqrt(x[:, :k] ** 2 + x[:, k:] ** 2)


for s in range(steps):
    if pos + B > len(triples):
        perm, pos = torch.randperm(len(triples)), 0
    b = triples[perm[pos : pos + B]]
    pos += B
    h, r, t = b[:, 0], b[:, 1], b[:, 2]
    anchor = torch.cat([ent[h], ent[t]])  # tail queries (h, r, ?) then head queries as (t, r^-1, ?)
    rr = torch.cat([rel[r], rel[r + R]])
    target = torch.cat([t, h])
    aRe, aIm, rRe, rIm = anchor[:, :k], anchor[:, k:], rr[:, :k], rr[:, k:]
    q = torch.cat([aRe * rRe - aIm * rIm, aRe * rIm + aIm * rRe], 1)
    fit = torch.nn.functional.cross_entropy(q @ ent.t(), target)
    reg = lam * ((modulus(anchor) ** 3).sum() + (modulus(ent[target]) ** 3).sum() + (modulus(rr) ** 3).sum()) / (2 * B)
    loss = fit + reg
    opt.zero_grad()
    loss.backward()
    opt.step()
    if s % 10 == 0 or s == steps - 1:
        print(s, "fit %.3f reg %.4f" % (fit.item(), reg.item()), flush=True)
