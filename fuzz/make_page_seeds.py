#!/usr/bin/env python3
"""Writes the seed corpus of parquet_page_fuzzer (fuzz/corpus/parquet_page_fuzzer/).

One small valid input per decoder, encoded from the rules of the Parquet
Encodings.md and Compression.md. The fuzzer reads its parameters with
FuzzedDataProvider, which takes integers from the END of the input, so each
seed is: encoded page + parameters in reverse order of consumption.
Usage: fuzz/make_page_seeds.py [output dir]
"""
import gzip
import os
import struct
import sys
import zlib


def uleb(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def zigzag(v):
    return uleb((v << 1) ^ (v >> 63) if v >= 0 else ((-v) << 1) - 1)


def pack(values, width):
    bits = 0
    for i, v in enumerate(values):
        bits |= v << (i * width)
    return bits.to_bytes((len(values) * width + 7) // 8, "little")


class Params:
    """Parameters in the order the fuzzer consumes them (FuzzedDataProvider)."""

    def __init__(self):
        self.tail = bytearray()  # built back to front

    def integral(self, value, lo, hi):
        span, v, consumed = hi - lo, value - lo, []
        offset = 0
        while offset < 64 and (span >> offset) > 0:
            offset += 8
            consumed.append(0)
        # Consumed bytes form a big-endian number, first byte consumed = most significant.
        for i in range(len(consumed)):
            consumed[i] = (v >> (8 * (len(consumed) - 1 - i))) & 0xFF
        self.tail[:0] = bytes(reversed(consumed))
        return self

    def bytes_for(self, page):
        return page + bytes(self.tail)


def delta_binary_packed(values, block=128, miniblocks=4):
    out = uleb(block) + uleb(miniblocks) + uleb(len(values)) + zigzag(values[0] if values else 0)
    per_mini = block // miniblocks
    rest = values[1:]
    prev = values[0] if values else 0
    while rest:
        chunk, rest = rest[:block], rest[block:]
        deltas = []
        for v in chunk:
            deltas.append(v - prev)
            prev = v
        min_delta = min(deltas)
        out += zigzag(min_delta)
        adj = [d - min_delta for d in deltas]
        minis = [adj[i:i + per_mini] for i in range(0, block, per_mini)]
        widths = [max(m).bit_length() if m else 0 for m in minis]
        out += bytes(widths)
        for m, w in zip(minis, widths):
            if m:
                out += pack(m + [0] * (per_mini - len(m)), w)
    return out


def delta_length(values):
    return delta_binary_packed([len(v) for v in values]) + b"".join(values)


def seeds():
    yield "rle_u8", Params().integral(0, 0, 15).integral(2, -1, 40).integral(13, 0, 1 << 14) \
        .integral(3, 0, 255).bytes_for(uleb(5 << 1) + b"\x03" + uleb(3) + pack([0, 1, 2, 3, 3, 2, 1, 0], 2))
    yield "rle_u32_levels", Params().integral(2, 0, 15).integral(1, -1, 40).integral(20, 0, 1 << 14) \
        .integral(1, 0, 0xFFFFFFFF).bytes_for(uleb(12 << 1) + b"\x01" + uleb(3) + b"\xa5")
    yield "plain_int32", Params().integral(3, 0, 15).integral(2, 0, 5).integral(3, 0, 1 << 14) \
        .bytes_for(struct.pack("<3i", 7, -1, 1 << 30))
    yield "plain_bool", Params().integral(4, 0, 15).integral(10, 0, 1 << 14).bytes_for(b"\xb5\x02")
    yield "plain_byte_array", Params().integral(5, 0, 15).integral(0, 0, 1).integral(0, 0, 32) \
        .integral(2, 0, 1 << 14).bytes_for(struct.pack("<I", 3) + b"abc" + struct.pack("<I", 0))
    yield "plain_fixed_len", Params().integral(5, 0, 15).integral(1, 0, 1).integral(4, 0, 32) \
        .integral(2, 0, 1 << 14).bytes_for(b"abcdwxyz")
    values = [3, 5, 5, 100, -7, 0, 1 << 20] + list(range(200))
    yield "delta_binary_packed_int32", Params().integral(6, 0, 15).integral(len(values), 0, 1 << 14) \
        .integral(0, 0, len(values)).bytes_for(delta_binary_packed(values))
    yield "delta_binary_packed_int64", Params().integral(7, 0, 15).integral(4, 0, 1 << 14) \
        .integral(4, 0, 4).bytes_for(delta_binary_packed([1 << 40, -(1 << 40), 0, 1]))
    words = [b"apple", b"applesauce", b"apricot", b"", b"banana"]
    yield "delta_length_byte_array", Params().integral(8, 0, 15).integral(len(words), 0, 1 << 14) \
        .bytes_for(delta_length(words))
    prefixes = [0, 5, 2, 0, 0]
    suffixes = [b"apple", b"sauce", b"ricot", b"", b"banana"]
    yield "delta_byte_array", Params().integral(9, 0, 15).integral(len(words), 0, 1 << 14) \
        .bytes_for(delta_binary_packed(prefixes) + delta_length(suffixes))
    yield "byte_stream_split_double", Params().integral(10, 0, 15).integral(8, 0, 16) \
        .integral(2, 0, 1 << 14).bytes_for(bytes(range(16)))
    yield "varints", Params().integral(11, 0, 15).bytes_for(uleb(300) + zigzag(-5) + uleb(1 << 63))
    text = b"ranking signals " * 8
    yield "decompress_gzip", Params().integral(12, 0, 15).integral(2, 0, 8) \
        .integral(len(text), 0, 1 << 20).bytes_for(gzip.compress(text, mtime=0))
    yield "decompress_uncompressed", Params().integral(12, 0, 15).integral(0, 0, 8) \
        .integral(5, 0, 1 << 20).bytes_for(b"hello")
    yield "roundtrip_zstd", Params().integral(13, 0, 15).integral(3, 0, 4).integral(1, 0, 3) \
        .bytes_for(text)
    yield "roundtrip_snappy", Params().integral(14, 0, 15).integral(1, 0, 4).integral(0, 0, 3) \
        .bytes_for(text)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "parquet_page_fuzzer")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
