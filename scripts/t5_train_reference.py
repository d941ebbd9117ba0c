"""Training reference of the Multi30k T5 (bench/issue13/t5-train-parity.ts): loads the initial weights
and batches that script wrote, trains scripts/fixtures/t5.py's reference T5 (written from the
architecture with torch.nn, Hugging Face names) on the same batches as T5ForConditionalGeneration
does with `labels` (decoder inputs = labels shifted right behind decoder_start_token_id, -100 read
as pad; CrossEntropyLoss(ignore_index=-100, label_smoothing=0.1)), torch.optim.AdamW (weight decay
0.01 except layer norms, constant lr), clip_grad_norm_(1.0), and prints the loss of each step beside ours.
Usage: /usr/bin/python3 scripts/t5_train_reference.py <out dir of t5-train-parity.ts>
"""
import importlib.util
import json
import pathlib
import struct
import sys

import numpy as np
import torch
from torch import nn

HERE = pathlib.Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("t5_reference", HERE / "fixtures" / "t5.py")
t5 = importlib.util.module_from_spec(_spec)
sys.path.insert(0, str(HERE / "fixtures"))
_spec.loader.exec_module(t5)

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}


def load_safetensors(path):
    raw = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def pad(rows, value):
    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows], dtype=torch.long)


def main(out):
    out = pathlib.Path(out)
    run = json.loads((out / "batches.json").read_text())
    ours = json.loads((out / "ours.json").read_text())["losses"]
    c = {**t5.CONFIGS["t5"], "vocab_size": 8000, "d_model": 256, "d_kv": 64, "d_ff": 1024, "num_layers": 3,
         "num_decoder_layers": 3, "num_heads": 4, "relative_attention_num_buckets": 32,
         "relative_attention_max_distance": 128, "dropout_rate": 0.0, "eos_token_id": 3}
    model = t5.T5(c)
    state = load_safetensors(out / "init.safetensors")
    missing = model.load_state_dict(state, strict=False)
    assert not missing.missing_keys, missing
    model.train()
    named = list(model.named_parameters())
    decay = [p for n, p in named if "layer_norm" not in n]
    no_decay = [p for n, p in named if "layer_norm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=run["lr"])
    ce = nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=0.1)
    print("step  reference   ours      diff")
    for s, batch in enumerate(run["batches"]):
        ids = pad(batch["input_ids"], 0)
        mask = (pad([[1] * len(r) for r in batch["input_ids"]], 0))
        labels = pad(batch["labels"], -100)
        dec = torch.zeros_like(labels)
        dec[:, 1:] = labels[:, :-1]
        dec = dec.masked_fill(dec == -100, 0)
        _, _, logits = model(ids, mask, dec, torch.ones_like(dec))
        loss = ce(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
        opt.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        o = ours[s] if s < len(ours) else float("nan")
        print(f"{s + 1:4d}  {loss.item():.5f}  {o:.5f}  {o - loss.item():+.5f}  grad_norm {norm.item():.4f}")


if __name__ == "__main__":
    main(sys.argv[1])
