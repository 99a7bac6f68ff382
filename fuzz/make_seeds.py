#!/usr/bin/env python3
"""Writes the hand-made seed inputs of fuzz/corpus/ (run from the repository root, Debian's
python3 with numpy and h5py). libFuzzer grows the corpora from these; inputs that once crashed a
reader are added by hand next to them, named after what they claim.

    /usr/bin/python3 fuzz/make_seeds.py
"""
import gzip
import os
import struct
import zlib

import h5py
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(path, data):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)


def idx_images(n, h, w):
    return struct.pack(">IIII", 0x803, n, h, w) + bytes((i * 7) % 256 for i in range(n * h * w))


def idx_labels(n):
    return struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n))


def idx_seeds():
    put("idx/images-3x4x4", idx_images(3, 4, 4))
    put("idx/labels-3", idx_labels(3))
    put("idx/truncated", idx_images(3, 4, 4)[:30])
    put("idx/swapped-magic", struct.pack(">II", 0x803, 2) + b"\x01\x02")
    # count x rows x cols passes 2^64 (the wrapped "18446744073709551615 bytes" of issue 18).
    put("idx/overflow-header", struct.pack(">IIII", 0x803, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF))
    put("idx/billion-images", struct.pack(">IIII", 0x803, 10**9, 28, 28) + bytes(64))
    whole = gzip.compress(idx_images(3, 4, 4), mtime=0)
    put("idx_gzip/images-3x4x4.gz", whole)
    put("idx_gzip/labels-3.gz", gzip.compress(idx_labels(3), mtime=0))
    put("idx_gzip/cut-stream.gz", whole[:-9])
    put("idx_gzip/bad-crc.gz", whole[:-8] + bytes(4) + whole[-4:])


def cifar_seeds():
    record = bytes([3]) + bytes((i * 5) % 256 for i in range(3072))
    put("cifar/one-record", record)
    put("cifar/bad-label", bytes([12]) + record[1:])
    put("cifar/truncated", record[:100])


def hdf5_seeds():
    os.makedirs(os.path.join(ROOT, "hdf5_dataset"), exist_ok=True)
    with h5py.File(os.path.join(ROOT, "hdf5_dataset/uint8.h5"), "w") as f:
        f["images"] = np.arange(32, dtype=np.uint8).reshape(2, 1, 4, 4)
        f["labels"] = np.array([0, 1], dtype=np.int64)
        f.attrs["classes"] = ["a", "b"]
    with h5py.File(os.path.join(ROOT, "hdf5_dataset/float-boxes-masks.h5"), "w") as f:
        f["images"] = np.random.RandomState(0).rand(2, 3, 4, 4).astype(np.float32)
        f["labels"] = np.array([1, 0], dtype=np.int64)
        f["boxes"] = np.array([[[0, 0, 2, 2]], [[1, 1, 3, 3]]], dtype=np.float32)
        f["masks"] = np.zeros((2, 4, 4), dtype=np.uint8)
    with h5py.File(os.path.join(ROOT, "hdf5_dataset/nan-pixel.h5"), "w") as f:
        images = np.zeros((2, 1, 4, 4), dtype=np.float32)
        images[1, 0, 2, 3] = np.nan
        f["images"] = images
        f["labels"] = np.array([0, 1], dtype=np.int64)
    # A header claiming 10^12 images with no data behind it (chunks never written).
    with h5py.File(os.path.join(ROOT, "hdf5_dataset/claims-1e12-images.h5"), "w") as f:
        f.create_dataset("images", shape=(10**12, 1, 28, 28), dtype=np.uint8, chunks=(1, 1, 28, 28))
        f.create_dataset("labels", shape=(10**12,), dtype=np.int64, chunks=(1024,))


def checkpoint(name, weight, shape=None):
    os.makedirs(os.path.join(ROOT, "checkpoint"), exist_ok=True)
    with h5py.File(os.path.join(ROOT, "checkpoint", name), "w", track_order=True) as f:
        f.attrs["format"] = "camlab-checkpoint"
        f.attrs["version"] = np.int64(1)
        f.attrs["config"] = ""
        f.attrs["epoch"] = np.int64(1)
        f.attrs["step"] = np.int64(8)
        model = f.create_group("model", track_order=True)
        if shape is None:
            model["weight"] = weight
        else:  # dims claimed, never written
            model.create_dataset("weight", shape=shape, dtype=np.float32, chunks=(1, 4),
                                 maxshape=(None, 4))
        model["bias"] = np.zeros(2, dtype=np.float32)
        f.create_group("optimizer")


def checkpoint_seeds():
    weight = np.arange(8, dtype=np.float32).reshape(2, 4) / 10
    checkpoint("linear-4-2.h5", weight)
    bad = weight.copy()
    bad[1, 2] = np.nan
    checkpoint("nan-weight.h5", bad)
    checkpoint("claims-2e62-rows.h5", None, shape=(2**62, 4))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(w, h, color_type, depth, rows, interlace=0, extra=b""):
    header = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def png_seeds():
    put("png/gray-4x3.png", png(4, 3, 0, 8, b"".join(b"\0" + bytes(range(r * 4, r * 4 + 4))
                                                     for r in range(3))))
    put("png/rgb-3x2.png", png(3, 2, 2, 8, (b"\0" + bytes(range(9))) * 2))
    put("png/rgba-2x2.png", png(2, 2, 6, 8, (b"\0" + bytes([10, 20, 30, 128, 40, 50, 60, 255])) * 2))
    put("png/palette-2x2.png", png(2, 2, 3, 8, b"\0\0\1\0\1\0",
                                   extra=chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0]))))
    put("png/gray16-2x2.png", png(2, 2, 0, 16, b"\0" + bytes(4) + b"\0" + bytes([255, 255, 0, 1])))
    put("png/interlaced-gray-8x8.png", png(8, 8, 0, 8, bytes(8 * 9), interlace=1))
    # 100000 x 100000 RGB claimed in a file of about 100 bytes.
    put("png/claims-100000x100000.png", png(100000, 100000, 2, 8, bytes(64)))


def text_seeds():
    for name in ["tiny-synthetic.toml", "fmnist-gapnet.toml", "fmnist-resnet.toml"]:
        with open(os.path.join(ROOT, "../../experiments/configs", name), "rb") as f:
            put("config/" + name, f.read())
    put("config/huge-batch.toml", b'[data]\ndataset = "synthetic-shapes"\nbatch_size = 99999999999\n')
    overrides = ["train.optimizer.lr=0.1", "data.dataset=mnist", "model.layers.0.out=64",
                 "data.batch_size=99999999999", "train.epochs=-1", "sweep.\"train.epochs\"=[1,2]",
                 "model.layers[9].out=1", "data.normalize=[0.5]", "=", "a.b.c.d.e=1"]
    for i, text in enumerate(overrides):
        put(f"set/override-{i}", text.encode())
    for i, text in enumerate(["0:16", "3,7,9", "5", "0:99999999999", "9:3", ",", "-1", "1:"]):
        put(f"indices/form-{i}", text.encode())


if __name__ == "__main__":
    idx_seeds()
    cifar_seeds()
    hdf5_seeds()
    checkpoint_seeds()
    png_seeds()
    text_seeds()
