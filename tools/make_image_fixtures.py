#!/usr/bin/python3
"""Write the photo-decoding and preprocessing fixtures that camlab's C++ tests compare against.

Run from the repository root:  python3 tools/make_image_fixtures.py
It rewrites tests/fixtures/images/ (tiny JPEG/PNG files, good and bad), tests/fixtures/images.h5
(what PIL decodes from each good file) and tests/fixtures/photo_preprocess.h5 (torchvision's
Resize(antialias=True) / CenterCrop / Normalize on small random images).

images.h5: one group per file, named after it with '.' -> '_' (rgb_jpg), holding `pixels`
(uint8 [H, W, C], PIL's Image.open -> ImageOps.exif_transpose -> convert("RGB" or "L")) and the
attribute `file`.
photo_preprocess.h5: one group per case holding `photo` (uint8 [H, W, C]), `resized` ([C, h, w],
Resize(resize, antialias=True) on ToTensor(photo), computed in float64, stored as float32) and
`input` (then CenterCrop(crop) and Normalize(mean, std)), with `mean`, `std` and the int
attributes resize and crop.
"""
import io
import os
import struct
import zlib

import system_python

system_python.require("h5py", "numpy", "torch", "torchvision", "PIL")

import h5py
import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image, ImageOps

FIXTURES = os.path.join("tests", "fixtures")
IMAGES = os.path.join(FIXTURES, "images")
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def blocks(width, height, channels, seed):
    """A picture of flat 4x4 blocks: JPEG keeps flat blocks nearly exact, and each corner differs,
    so a wrong rotation or mirror shows."""
    rng = np.random.default_rng(seed)
    colours = rng.integers(0, 256, size=((height + 3) // 4, (width + 3) // 4, channels), dtype=np.uint8)
    return np.repeat(np.repeat(colours, 4, axis=0), 4, axis=1)[:height, :width]


def pil(array):
    return Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array)


def jpeg_bytes(image, orientation=None):
    exif = None
    if orientation is not None:
        tags = Image.Exif()
        tags[0x0112] = orientation
        exif = tags.tobytes()
    out = io.BytesIO()
    kwargs = {"quality": 95, "subsampling": 0}
    if exif is not None:
        kwargs["exif"] = exif
    image.save(out, "JPEG", **kwargs)
    return out.getvalue()


def png_bytes(image):
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png():
    """A valid 100000 x 100000 RGB header followed by one tiny IDAT: decoding it would need 30 GB."""
    header = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) +
            png_chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + png_chunk(b"IEND", b""))


def huge_jpeg(small):
    """`small` with its frame header's size set to 60000 x 60000 (3.6 gigapixels; libjpeg itself stops
    at 65500 a side)."""
    data = bytearray(small)
    at = 2
    while data[at + 1] not in (0xC0, 0xC1, 0xC2):  # a baseline / extended / progressive SOF
        at += 2 + (data[at + 2] << 8 | data[at + 3])
    data[at + 5:at + 9] = struct.pack(">HH", 60000, 60000)  # height, width
    return bytes(data)


def write(name, data):
    with open(os.path.join(IMAGES, name), "wb") as f:
        f.write(data)


def expected(name):
    image = ImageOps.exif_transpose(Image.open(os.path.join(IMAGES, name)))
    mode = "L" if image.mode in ("L", "LA", "I;16", "I") else "RGB"
    pixels = np.asarray(image.convert(mode), dtype=np.uint8)
    return pixels.reshape(pixels.shape[0], pixels.shape[1], -1)


def make_images():
    os.makedirs(IMAGES, exist_ok=True)
    rgb = blocks(12, 8, 3, 1)
    gray = blocks(12, 8, 1, 2)
    write("rgb.png", png_bytes(pil(rgb)))
    write("gray.png", png_bytes(pil(gray)))
    rgba = np.concatenate([rgb, blocks(12, 8, 1, 3)], axis=2)  # alpha varies: dropped, not mixed
    write("rgba.png", png_bytes(Image.fromarray(rgba, "RGBA")))
    write("gray_alpha.png", png_bytes(Image.fromarray(np.concatenate([gray, gray[::-1]], axis=2), "LA")))
    write("palette.png", png_bytes(pil(rgb).quantize(colors=8)))
    write("rgb.jpg", jpeg_bytes(pil(rgb)))
    write("gray.jpg", jpeg_bytes(pil(gray)))
    for orientation in range(1, 9):
        write(f"exif_{orientation}.jpg", jpeg_bytes(pil(rgb), orientation))
    good = sorted(f for f in os.listdir(IMAGES) if not f.startswith(("truncated", "huge", "fake")))
    full_jpeg = jpeg_bytes(pil(blocks(64, 48, 3, 4)))
    write("truncated.jpg", full_jpeg[:len(full_jpeg) // 2])
    full_png = png_bytes(pil(blocks(64, 48, 3, 4)))
    write("truncated.png", full_png[:len(full_png) // 2])
    write("huge.png", huge_png())
    write("huge.jpg", huge_jpeg(jpeg_bytes(pil(rgb))))
    write("fake.jpg", b"GIF89a, not a JPEG at all")
    with h5py.File(os.path.join(FIXTURES, "images.h5"), "w") as f:
        for name in good:
            group = f.create_group(name.replace(".", "_"))
            group.attrs["file"] = name
            group.create_dataset("pixels", data=expected(name), track_times=False)
    print(f"wrote {len(good)} decodable files and 5 bad ones to {IMAGES}")


def preprocess_case(f, name, height, width, channels, resize, crop, seed):
    rng = np.random.default_rng(seed)
    photo = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
    x = torch.from_numpy(photo).permute(2, 0, 1).to(torch.float64) / 255.0  # ToTensor, in float64
    resized = T.Resize(resize, antialias=True)(x)
    mean, std = (MEAN, STD) if channels == 3 else ([0.5], [0.25])
    normalized = T.Normalize(mean, std)(T.CenterCrop(crop)(resized))
    group = f.create_group(name)
    group.attrs["resize"] = resize
    group.attrs["crop"] = crop
    group.create_dataset("photo", data=photo, track_times=False)
    group.create_dataset("mean", data=np.array(mean), track_times=False)
    group.create_dataset("std", data=np.array(std), track_times=False)
    # Computed in float64, stored as float32 (6e-8 relative) to keep the file small.
    group.create_dataset("resized", data=resized.numpy().astype(np.float32), compression="gzip", track_times=False)
    group.create_dataset("input", data=normalized.numpy().astype(np.float32), compression="gzip", track_times=False)


def make_preprocess():
    with h5py.File(os.path.join(FIXTURES, "photo_preprocess.h5"), "w") as f:
        # Shrinking 3.4x and 2.3x: many taps, odd crop offsets (round half to even at 16.5).
        preprocess_case(f, "shrink_wide", 61, 103, 3, 18, 16, 1)
        preprocess_case(f, "shrink_tall", 97, 41, 3, 18, 15, 2)
        # Growing (plain bilinear) and a grey image with one mean/std.
        preprocess_case(f, "grow_gray", 9, 7, 1, 20, 20, 3)
    print("wrote", os.path.join(FIXTURES, "photo_preprocess.h5"))


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    make_images()
    make_preprocess()
