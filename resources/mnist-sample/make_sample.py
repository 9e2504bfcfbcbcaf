#!/usr/bin/env python3
"""Writes the MNIST sample embedded in GODE Explorer: the first N training and M test images of
the standard IDX files, as gzip-compressed IDX files with the standard names.

usage: make_sample.py MNIST_DIR OUT_DIR [TRAIN_COUNT] [TEST_COUNT]
"""
import gzip
import os
import struct
import sys


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * (dims - 1), data[8:4 + 4 * dims]) if dims > 1 else ()
    header_size = 4 + 4 * dims
    return magic, count, shape, data[header_size:]


def write_idx(path, magic, shape, body, count):
    item = 1
    for s in shape:
        item *= s
    header = struct.pack(">II", magic, count) + b"".join(struct.pack(">I", s) for s in shape)
    # mtime=0 keeps the output byte-identical between runs.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(header + body[:count * item])


def main():
    mnist_dir, out_dir = sys.argv[1], sys.argv[2]
    train_count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    test_count = int(sys.argv[4]) if len(sys.argv) > 4 else 500
    os.makedirs(out_dir, exist_ok=True)
    for stem, count in [("train", train_count), ("t10k", test_count)]:
        for kind in ["images-idx3-ubyte", "labels-idx1-ubyte"]:
            name = f"{stem}-{kind}.gz"
            magic, total, shape, body = read_idx(os.path.join(mnist_dir, name))
            if count > total:
                sys.exit(f"{name} holds {total} items, fewer than the {count} asked for")
            write_idx(os.path.join(out_dir, name), magic, shape, body, count)


if __name__ == "__main__":
    main()
