#!/usr/bin/python3
"""Reads a safetensors file with PyTorch alone and prints its contents as JSON, so tests can check
that files written by multitask-lm load in Python. Parses the documented format by hand (the
`safetensors` package is not installed here) and is as strict as its Rust reader: the header must be
valid UTF-8 JSON, every tensor's byte count must match its dtype and shape, and the tensors must
cover the data buffer exactly, without holes or overlaps.

Usage: /usr/bin/python3 scripts/check_safetensors.py FILE
Prints {"header_length", "metadata", "order" (names by offset), "safetensors_dtypes", "tensors",
"int64_exact"} on stdout; exits 1 with a message on stderr for an invalid file.
"""
import json
import pathlib
import struct
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "fixtures"))
from common import to_json  # noqa: E402

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}


def fail(message):
    print(f"check_safetensors: {message}", file=sys.stderr)
    sys.exit(1)


def read(path):
    raw = pathlib.Path(path).read_bytes()
    if len(raw) < 8:
        fail(f"{path}: {len(raw)} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        fail(f"{path}: header length {n} beyond the file size {len(raw)}")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        fail(f"{path}: __metadata__ must map strings to strings")
    data = raw[8 + n :]
    order = sorted(header, key=lambda k: tuple(header[k]["data_offsets"]))
    tensors, position = {}, 0
    for name in order:
        info = header[name]
        dtype = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        if begin != position or end < begin:
            fail(f"{path}: tensor {name!r} has data_offsets {[begin, end]}, expected to start at {position}")
        numel = 1
        for d in info["shape"]:
            numel *= d
        if (end - begin) != numel * torch.empty((), dtype=dtype).element_size():
            fail(f"{path}: tensor {name!r} byte count does not match its dtype and shape")
        position = end
        chunk = bytearray(data[begin:end])  # a fresh, aligned copy
        flat = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"]).clone()
    if position != len(data):
        fail(f"{path}: tensors cover {position} bytes of a {len(data)}-byte data buffer")
    return n, metadata, order, {k: header[k]["dtype"] for k in order}, tensors


def main():
    if len(sys.argv) != 2:
        fail("usage: check_safetensors.py FILE")
    try:
        n, metadata, order, st_dtypes, tensors = read(sys.argv[1])
    except (OSError, ValueError, KeyError, TypeError) as e:  # bad JSON, unknown dtype, malformed entry
        fail(f"{sys.argv[1]}: {type(e).__name__}: {e}")
    int64_exact = {k: [str(v) for v in t.reshape(-1).tolist()] for k, t in tensors.items() if t.dtype == torch.int64}
    print(json.dumps({
        "header_length": n,
        "metadata": metadata,
        "order": order,
        "safetensors_dtypes": st_dtypes,
        "tensors": to_json(tensors),
        "int64_exact": int64_exact,
    }))


if __name__ == "__main__":
    main()
