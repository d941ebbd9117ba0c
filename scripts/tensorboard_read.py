#!/usr/bin/env python3
"""An event-file reader written from the formats' specifications, independent of our writer: it checks
the TFRecord framing (tensorflow/core/lib/io/record_writer.cc: uint64 length, masked CRC-32C of the
length, data, masked CRC-32C of the data) with a bitwise CRC-32C (RFC 3720 section 12.1, not the
table the writer uses) and decodes each `tensorflow.Event` (event.proto, summary.proto) with a
hand-written protobuf wire-format decoder. Prints the events as JSON lines:
{"wall_time", "step", "file_version"} or {"wall_time", "step", "scalars": [[tag, simple_value], ...]}.

Usage: python3 scripts/tensorboard_read.py EVENT_FILE
"""
import json
import struct
import sys


def crc32c(data):
    """CRC-32C bit by bit: reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(crc):
    """TensorFlow's mask: ((crc >> 15) | (crc << 17)) + 0xa282ead8, in 32 bits."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, pos):
    value, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos


def fields(buf):
    """(field number, wire type, value) of each field of a message: varints as ints, 64/32-bit as bytes, length-delimited as bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        elif wire == 2:
            n, pos = varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield number, wire, value


def summary_value(buf):
    tag, simple = None, None
    for number, wire, value in fields(buf):
        if number == 1 and wire == 2:
            tag = value.decode("utf-8")
        elif number == 2 and wire == 5:
            simple = struct.unpack("<f", value)[0]
    return [tag, simple]


def event(buf):
    out = {"wall_time": None, "step": 0}
    for number, wire, value in fields(buf):
        if number == 1 and wire == 1:
            out["wall_time"] = struct.unpack("<d", value)[0]
        elif number == 2 and wire == 0:
            out["step"] = value - (1 << 64) if value >= 1 << 63 else value
        elif number == 3 and wire == 2:
            out["file_version"] = value.decode("utf-8")
        elif number == 5 and wire == 2:
            out["scalars"] = [summary_value(v) for n, w, v in fields(value) if n == 1 and w == 2]
    return out


def records(data):
    pos = 0
    while pos < len(data):
        header = data[pos:pos + 8]
        if len(header) < 8:
            raise ValueError("truncated length at byte %d" % pos)
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked(crc32c(header)) != length_crc:
            raise ValueError("bad length CRC at byte %d" % pos)
        body = data[pos + 12:pos + 12 + length]
        (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if len(body) != length or masked(crc32c(body)) != body_crc:
            raise ValueError("bad data CRC at byte %d" % pos)
        yield body
        pos += 16 + length


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    for body in records(data):
        print(json.dumps(event(body)))


if __name__ == "__main__":
    main()
